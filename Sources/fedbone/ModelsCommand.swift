import ArgumentParser
import Foundation
import FedBoneModels

/// `fedbone models`: the cost of the two sides of the split, like the paper's Table 3.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Parameters and forward GFLOPs per sample of the client and server parts.",
        discussion: """
        GFLOPs are multiply-adds × 10⁻⁹ per sample, counted by running one image (or, for a text
        task, one sequence of --length tokens) through the models (the convention of the FedBone
        paper and fvcore).
        """
    )

    @Option(help: "General model: \(GeneralModelConfiguration.presetNames.joined(separator: ", ")).")
    var model = "swin-t"

    @Option(help: "Image side in pixels (square images).")
    var image = 224

    @Option(help: "Task of the client head: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", ")) (text tasks need a vit-* model).")
    var task = "segmentation"

    @Option(help: "Text clients: the vocabulary size (BERT's 30,522 by default).")
    var vocabulary = 30522

    @Option(help: "Text clients: tokens per sequence.")
    var length = 128

    @Option(help: "Classes for segmentation, parts and classification tasks.")
    var classes = 40

    @Option(help: "Width of the task adaptation module.")
    var width = 64

    @Option(help: "Attention heads of the task adaptation module.")
    var heads = 4

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let general = try GeneralModelConfiguration.named(model)
        let adaptation = AdaptationConfiguration(width: width, heads: heads)
        guard let kind = TaskKind(rawValue: task) else {
            throw ValidationError("unknown task '\(task)'; known tasks: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if kind.isText, !general.takesSequences {
            throw ValidationError("a \(task) client needs a transformer general model (vit-nano, vit-tiny, vit-small, vit-base), not \(model)")
        }
        let description: InputDescription = kind.isText ? .tokens(vocabularySize: vocabulary, maxLength: length) : .images(height: image, width: image)
        let client = try makeClientModel(task: TaskSpec(kind, classes: classes), input: description, general: general,
                                         adaptation: adaptation, seed: 0)
        let cost = SplitCost.measure(client: client, general: try general.makeModel(imageSize: (image, image), seed: 1))
        let input = kind.isText ? "\(length) tokens (vocabulary \(vocabulary))" : "\(image)×\(image)"
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(cost), as: UTF8.self))
            return
        }
        func millions(_ n: Int) -> String { String(format: "%9.2f M", Double(n) / 1e6) }
        func giga(_ n: Int) -> String { String(format: "%9.3f", Double(n) / 1e9) }
        print("\(model) at \(input), client task \(task) (adaptation width \(width))")
        print("part      parameters      GFLOPs/sample")
        print("client  \(millions(cost.clientParameters))   \(giga(cost.clientMultiplyAdds))")
        print("server  \(millions(cost.serverParameters))   \(giga(cost.serverMultiplyAdds))")
    }
}
