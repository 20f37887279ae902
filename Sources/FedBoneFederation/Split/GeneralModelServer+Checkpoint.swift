import Foundation

/// Why the general model's checkpoint was not written.
public enum GeneralModelCheckpointError: Error, Equatable, CustomStringConvertible {
    /// A tensor holds NaN or infinite values. Nothing was written, so the previous checkpoint
    /// stays the latest one.
    case nonFinite(tensor: String)

    public var description: String {
        switch self {
        case let .nonFinite(tensor):
            return "refusing to write the general model's checkpoint: \(tensor) holds NaN or infinite values (the previous checkpoint stays the latest)"
        }
    }
}

/// The server's part of a checkpoint: θ in `general.safetensors` and Δ^{t−1} in `server.safetensors`.
extension GeneralModelServer {
    /// Writes θ (`general.safetensors`) and, once there is one, Δ^{t−1} (`server.safetensors`) into `directory`.
    /// - Throws: ``GeneralModelCheckpointError/nonFinite(tensor:)`` before writing anything when a
    ///   value is NaN or infinite; `SafetensorsError` when a file cannot be written.
    public func save(to directory: URL) throws {
        let state = model.stateDict()
        for (name, tensor) in state.sorted(by: { $0.key < $1.key }) where !tensor.scalars.allSatisfy(\.isFinite) {
            throw GeneralModelCheckpointError.nonFinite(tensor: name)
        }
        if let previousUpdate, !previousUpdate.allSatisfy(\.isFinite) {
            throw GeneralModelCheckpointError.nonFinite(tensor: "previous_update")
        }
        try Safetensors.write(state, to: directory.appendingPathComponent("general.safetensors"))
        if let previousUpdate {
            try Safetensors.write(["previous_update": Tensor(uncheckedShape: [previousUpdate.count], scalars: previousUpdate)],
                                  to: directory.appendingPathComponent("server.safetensors"))
        }
    }

    /// Restores what ``save(to:)`` wrote; the next round is `nextRound`.
    public func restore(from directory: URL, nextRound: Int) throws {
        let general = try Safetensors.read(contentsOf: directory.appendingPathComponent("general.safetensors"))
        let serverFile = directory.appendingPathComponent("server.safetensors")
        let previous = FileManager.default.fileExists(atPath: serverFile.path)
            ? try Safetensors.read(contentsOf: serverFile)["previous_update"]?.scalars : nil
        try restore(general: general, previousUpdate: previous, nextRound: nextRound)
    }
}
