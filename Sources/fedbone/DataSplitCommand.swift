import ArgumentParser
import FedBoneData
import FedBoneFederation
import Foundation

/// `fedbone data split`: which images each client of an experiment trains and tests on.
struct DataSplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Print (or write) every client's train and test indices for an experiment, as JSON.",
        discussion: """
        The split is the one `fedbone simulate` and `fedbone compare` use for the same config and
        seed (DatasetFactory's partition). Indices are positions in the client's dataset folder
        (for the built-in scenes: in the scenes its task group renders). Tools compare against
        the same split with it, e.g. `python3 tools/linear_baseline.py --split split.json`.
        Output: {"clients": [{"name", "task", "dataset", "train": [...], "test": [...]}, ...]}.
        """)

    @OptionGroup var source: ConfigSource

    @Option(help: "JSON file to write (default: standard output).")
    var out: String?

    /// One client's share, as written.
    struct ClientShare: Encodable {
        var name: String
        var task: String
        var dataset: String
        var train: [Int]
        var test: [Int]
    }

    func run() throws {
        let config = try source.experiment()
        let datasets = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks,
                                                             seed: RandomStreams(seed: config.seed).dataSeed)
        let sources = config.tasks.flatMap { group in group.clientNames.map { _ in group.resolvedData(config.data).dataset } }
        let shares = try zip(datasets, sources).map { entry, dataset -> ClientShare in
            guard let data = entry.dataset as? ClientData else {
                throw CommandError("client \(entry.name): its data (\(dataset)) has no dataset indices to print")
            }
            return ClientShare(name: entry.name, task: data.task.kind.rawValue, dataset: dataset,
                               train: data.trainIndices, test: data.testIndices)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(["clients": shares])
        if let out {
            try json.write(to: URL(fileURLWithPath: out), options: .atomic)
        } else {
            FileHandle.standardOutput.write(json + Data("\n".utf8))
        }
    }
}
