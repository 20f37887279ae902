import Foundation

/// Saving and loading a module's parameters and buffers as a safetensors file, with the same
/// dotted names as PyTorch's `state_dict()`, so timm checkpoints load and our checkpoints open
/// in PyTorch (`safetensors.torch.load_file`).
extension Module {
    /// Writes ``stateDict()`` to `url` as `F32` safetensors (atomically: a temporary file beside
    /// `url` is renamed into place).
    /// - Throws: `SafetensorsError` when the file cannot be written.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try Safetensors.write(stateDict(), metadata: metadata, to: url)
    }

    /// Loads parameters and buffers from a safetensors file, as ``load(stateDict:strict:)``:
    /// with `strict`, any missing, unexpected or mis-shaped key is an error and nothing changes.
    /// - Returns: what matched and what did not.
    /// - Throws: `SafetensorsError` for an unreadable or malformed file,
    ///   ``ModuleError/stateDictMismatch(_:)`` for a strict load that does not match.
    @discardableResult
    public func load(from url: URL, strict: Bool = true) throws -> StateDictLoadReport {
        try load(stateDict: Safetensors.read(contentsOf: url), strict: strict)
    }
}
