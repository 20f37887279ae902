import Foundation

/// The data of a client that brings its own: a dataset folder in the FedBone format
/// (docs/data.md) that only this client reads, as `fedbone join --data DIR --task KIND` uses it.
///
/// The folder is split into train and test by the experiment's `data.trainFraction` (with its
/// `partition`, `augment` and the experiment's data seed), through the same ``DatasetFactory``
/// call the simulation makes — so the split is exactly the one a simulation gives a task group
/// of one client that names this folder (`tasks[i].data: {dataset: <folder>}`, `clients: 1`,
/// no `imageSize`) when that folder is the experiment's first dataset folder. The images keep
/// the folder's size.
public enum LocalClientData {
    /// The client's train and test splits of `folder`.
    /// - Parameters:
    ///   - task: the task whose ground truth the client trains on (the folder must hold it).
    ///   - classes: the classes the client expects (nil: the folder's).
    /// - Throws: ``LocalClientDataError`` when the folder is missing, lacks the task or has
    ///   other classes; ``DatasetError`` for an unreadable folder.
    public static func dataset(folder: URL, task: TaskKind, classes: Int?, experiment: ExperimentConfig) throws -> any ClientDataset {
        guard FileManager.default.fileExists(atPath: folder.path) else { throw LocalClientDataError.missing(folder.path) }
        let group = TaskConfig(kind: task, clients: 1, classes: classes, data: TaskDataSource(dataset: folder.path))
        let seed = RandomStreams(seed: experiment.seed).dataSeed
        let entries: [(name: String, dataset: any ClientDataset)]
        do { entries = try DatasetFactory.makeClientDatasets(data: experiment.data, tasks: [group], seed: seed) } catch let ConfigError.invalidValue(_, message) {
            throw LocalClientDataError.unusable(folder.path, reason: message)
        }
        guard let entry = entries.first, entry.dataset.trainCount >= 1 else {
            throw LocalClientDataError.unusable(folder.path, reason: "it gives no training sample with data.trainFraction \(experiment.data.trainFraction)")
        }
        return entry.dataset
    }
}

/// Why a client's own dataset folder cannot be used.
public enum LocalClientDataError: Error, Equatable, CustomStringConvertible {
    /// The folder does not exist.
    case missing(String)
    /// The folder does not fit the task (its ground truth, classes or size).
    case unusable(String, reason: String)

    public var description: String {
        switch self {
        case let .missing(path): return "--data \(path): no such folder (write one with `fedbone data generate` or `fedbone data import`)"
        case let .unusable(path, reason): return "--data \(path): \(reason) (check --task and --classes)"
        }
    }
}
