import FedBoneData

/// What went wrong while importing. Every case about a file names it, and the description says
/// what to fix.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// A file or folder could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// The file ends before its content does (an image, a gzip stream, an IDX file).
    case truncatedFile(path: String, reason: String)
    /// The file is not a PNG/JPEG (or IDX) file, or is corrupt.
    case undecodableFile(path: String, reason: String)
    /// A valid image of a kind this input cannot take (an RGB label mask, an 8-bit depth map).
    case unsupportedImage(path: String, reason: String)
    /// A ground-truth map whose size differs from its image's.
    case sizeMismatch(image: String, imageWidth: Int, imageHeight: Int, groundTruth: String, width: Int, height: Int)
    /// A label that is neither below the class count nor the ignore value 255.
    case labelOutOfRange(path: String, label: Int, location: String, classCount: Int)
    /// A class folder without any PNG or JPEG file.
    case emptyClassFolder(path: String)
    /// An image without its ground-truth file for a task.
    case missingGroundTruth(image: String, task: String, expected: String)
    /// The source folder or file is not laid out as the importer expects.
    case invalidSource(path: String, reason: String)
    /// The output folder exists and `--force` was not given, or it is not a dataset folder.
    case outputExists(path: String, reason: String)
    /// Options that cannot be satisfied.
    case invalidOptions(String)
    /// Writing the dataset failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .truncatedFile(path, reason):
            return "\(path): \(reason); the file is incomplete, download or copy it again"
        case let .undecodableFile(path, reason):
            return "\(path): \(reason)"
        case let .unsupportedImage(path, reason):
            return "\(path): \(reason)"
        case let .sizeMismatch(image, iw, ih, truth, w, h):
            return "\(truth) is \(w)×\(h) but its image \(image) is \(iw)×\(ih); ground truth must have its image's size"
        case let .labelOutOfRange(path, label, location, classes):
            return "\(path): label \(label) at \(location) is outside the \(classes) classes 0…\(classes - 1) (255 = ignore); pass the right --classes"
        case let .emptyClassFolder(path):
            return "\(path): class folder holds no PNG or JPEG file; remove it or add its images"
        case let .missingGroundTruth(image, task, expected):
            return "\(image): no \(task) ground truth; expected \(expected)"
        case let .invalidSource(path, reason):
            return "\(path): \(reason)"
        case let .outputExists(path, reason):
            return "\(path): \(reason)"
        case let .invalidOptions(reason):
            return reason
        case let .writeFailed(path, reason):
            return "\(path): could not write the dataset: \(reason)"
        }
    }
}
