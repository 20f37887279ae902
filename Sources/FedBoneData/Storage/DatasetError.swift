/// What is wrong with a dataset folder, or with a request to a dataset. Every case about a
/// file names it.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// The folder has no `manifest.json`.
    case manifestMissing(path: String)
    /// The manifest is not valid JSON of the expected form, or is inconsistent.
    case manifestInvalid(path: String, reason: String)
    /// The manifest's format version is not one this reader knows.
    case unsupportedVersion(path: String, version: Int, supported: Int)
    /// A shard could not be read as safetensors (missing, truncated, corrupt).
    case shardUnreadable(path: String, reason: String)
    /// A shard is valid safetensors but does not hold what the manifest says.
    case shardInvalid(path: String, reason: String)
    /// Writing a file failed.
    case writeFailed(path: String, reason: String)
    /// A sample index outside the dataset.
    case indexOutOfRange(index: Int, count: Int)
    /// A task the dataset does not provide, or with another class count.
    case taskUnavailable(task: String, reason: String)
    /// Arguments that cannot be satisfied (e.g. more clients than images).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case let .manifestMissing(path):
            return "\(path): no such manifest; a dataset folder holds manifest.json and its shards"
        case let .manifestInvalid(path, reason):
            return "\(path): invalid manifest: \(reason)"
        case let .unsupportedVersion(path, version, supported):
            return "\(path): manifest version \(version) is not supported (this reader reads version \(supported))"
        case let .shardUnreadable(path, reason):
            return "\(path): cannot read the shard: \(reason)"
        case let .shardInvalid(path, reason):
            return "\(path): the shard does not match the manifest: \(reason)"
        case let .writeFailed(path, reason):
            return "\(path): could not write: \(reason)"
        case let .indexOutOfRange(index, count):
            return "sample index \(index) is outside the dataset of \(count) samples"
        case let .taskUnavailable(task, reason):
            return "task \(task) is not available: \(reason)"
        case let .invalidRequest(reason):
            return reason
        }
    }
}
