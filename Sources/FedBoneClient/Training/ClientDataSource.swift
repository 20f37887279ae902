import Foundation

/// Where a networked client's data comes from.
public enum ClientDataSource: Sendable, Equatable {
    /// The experiment's description of the client named at join (`<name>-<i>`): the same split
    /// the simulation builds, of which the client keeps its own.
    case experiment
    /// A dataset folder of the client's own in the FedBone format, holding `task`'s ground truth
    /// (``LocalClientData``); `classes` nil takes the folder's. The server never reads it.
    case folder(URL, task: TaskKind, classes: Int?)

    /// The dataset of client `name` of `experiment`.
    /// - Throws: ``FederationClientError/unknownClient(_:known:)`` for a name the experiment does
    ///   not describe (give the client its own data then); the data's own errors.
    func dataset(client name: String, experiment: ExperimentConfig) throws -> any ClientDataset {
        switch self {
        case let .folder(url, task, classes):
            return try LocalClientData.dataset(folder: url, task: task, classes: classes, experiment: experiment)
        case .experiment:
            let seed = RandomStreams(seed: experiment.seed).dataSeed
            let datasets = try DatasetFactory.makeClientDatasets(data: experiment.data, tasks: experiment.tasks, seed: seed)
            guard let entry = datasets.first(where: { $0.name == name }) else {
                throw FederationClientError.unknownClient(name, known: datasets.map(\.name))
            }
            return entry.dataset
        }
    }
}
