import FedBoneLayers
import FedBoneTensor
import Foundation

/// The files a checkpoint holds for one client: its model (`client-<name>.safetensors`) and its
/// optimizer's state (`client-<name>.optimizer.safetensors`). The simulation's checkpoints, the
/// baselines' and a networked client's own (`fedbone join --checkpoints`) all use them.
public struct ClientCheckpointFiles {
    public let directory: URL
    public let name: String

    public init(directory: URL, name: String) {
        self.directory = directory
        self.name = name
    }

    /// The model's file.
    public var model: URL { directory.appendingPathComponent("client-\(name).safetensors") }
    /// The optimizer state's file.
    public var optimizer: URL { directory.appendingPathComponent("client-\(name).optimizer.safetensors") }

    /// Writes `module`'s parameters and `optimizer`'s state.
    public func save(_ module: Module, optimizer state: any Optimizer) throws {
        try module.save(to: model)
        try Safetensors.write(state.stateDict(), to: optimizer)
    }

    /// Loads what ``save(_:optimizer:)`` wrote into `module` and `optimizer`.
    /// - Throws: a file error when a file is missing; ``ModelError`` or the optimizer's error
    ///   when the files do not match the model.
    public func restore(_ module: Module, optimizer state: any Optimizer) throws {
        try module.load(from: model)
        try state.load(stateDict: Safetensors.read(contentsOf: optimizer))
    }
}
