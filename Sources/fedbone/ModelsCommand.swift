import ArgumentParser
import Foundation
import FedBoneModels

/// `fedbone models`: the cost of the two sides of the split, like the paper's Table 3.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Parameters and forward GFLOPs per sample of the client and server parts.",
        discussion: """
        GFLOPs are multiply-adds × 10⁻⁹ per sample, counted by running one image through the
        models (the convention of the FedBone paper and fvcore).
        """
    )

    @Option(help: "General model: \(GeneralModelConfiguration.presetNames.joined(separator: ", ")).")
    var model = "swin-t"

    @Option(help: "Image side in pixels (square images).")
    var image = 224

    @Option(help: "Task of the client head: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var task = "segmentation"

    @Option(help: "Classes for segmentation, parts and classification tasks.")
    var classes = 40

    @Option(help: "Width of the task adaptation module.")
    var width = 64

    @Option(help: "Attention heads of the task adaptation module.")
    var heads = 4

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        guard let kind = TaskKind(rawValue: task) else {
            throw ValidationError("unknown task '\(task)'; known tasks: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let general = try GeneralModelConfiguration.named(model)
        let spec = TaskSpec(kind, classes: classes)
        let adaptation = AdaptationConfiguration(width: width, heads: heads)
        let client = try ClientModel(task: spec, general: general, imageSize: (image, image), adaptation: adaptation, seed: 0)
        let server = try general.makeModel(imageSize: (image, image), seed: 1)
        let cost = SplitCost.measure(client: client, general: server)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(cost), as: UTF8.self))
            return
        }
        func millions(_ n: Int) -> String { String(format: "%9.2f M", Double(n) / 1e6) }
        func giga(_ n: Int) -> String { String(format: "%9.3f", Double(n) / 1e9) }
        print("\(model) at \(image)×\(image), client task \(task) (adaptation width \(width))")
        print("part      parameters      GFLOPs/sample")
        print("client  \(millions(cost.clientParameters))   \(giga(cost.clientMultiplyAdds))")
        print("server  \(millions(cost.serverParameters))   \(giga(cost.serverMultiplyAdds))")
    }
}
