import FedBoneData
import Foundation

/// Imports a folder laid out as torchvision's `ImageFolder`: one subfolder per class of PNG and
/// JPEG files (`SRC/<class>/**/<file>.png|jpg|jpeg`). Classes are the subfolder names in sorted
/// (code-point) order, index = label; hidden folders and files and other extensions are
/// skipped. Every image is decoded to RGB and resized to N×N (``ImageFit``); the dataset has one
/// classification task with the class names, samples in class order, then path order.
///
/// ```swift
/// let source = try ImageFolderImport(source: URL(fileURLWithPath: "photos"))
/// let manifest = try source.write(to: URL(fileURLWithPath: "data/photos"), options: ImportOptions(size: 64))
/// ```
public struct ImageFolderImport: Sendable {
    /// The source folder.
    public let source: URL
    /// Class names, index = label.
    public let classes: [String]
    /// Every image with its label, in the order written.
    public let images: [(file: URL, label: Int)]

    /// Lists the classes and images (reads no pixels).
    /// - Throws: ``ImportError/emptyClassFolder(path:)`` for a class folder without images;
    ///   ``ImportError/invalidSource(path:reason:)`` for fewer than 2 or more than 255 classes;
    ///   ``ImportError/unreadableFile(path:reason:)`` when a folder cannot be listed.
    public init(source: URL) throws {
        let folders = try SourceFiles.entries(of: source).folders
        guard folders.count >= 2 else {
            throw ImportError.invalidSource(path: source.path, reason: "holds \(folders.count) class folder(s); an image folder needs one subfolder per class, at least 2")
        }
        guard folders.count <= 255 else {
            throw ImportError.invalidSource(path: source.path, reason: "holds \(folders.count) class folders; at most 255 classes are supported")
        }
        var images: [(URL, Int)] = []
        for (label, folder) in folders.enumerated() {
            let files = try SourceFiles.images(under: folder)
            guard !files.isEmpty else { throw ImportError.emptyClassFolder(path: folder.path) }
            images += files.map { ($0, label) }
        }
        self.source = source
        classes = folders.map(\.lastPathComponent)
        self.images = images
    }

    /// Decodes, resizes and writes every image to `directory` (see ``ImportOptions``), calling
    /// `progress` with the number of images written after each shard.
    /// - Throws: ``ImportError`` naming the file for an unreadable or truncated image, or the
    ///   output folder when it exists (without `overwrite`) or cannot be written. Nothing is
    ///   left under `directory` after an error.
    @discardableResult
    public func write(to directory: URL, options: ImportOptions, progress: (Int) -> Void = { _ in }) throws -> DatasetManifest {
        var samples = Samples(importer: self, options: options)
        return try ImportPipeline.run(&samples, to: directory, options: options, progress: progress)
    }

    private struct Samples: SampleSource {
        let importer: ImageFolderImport
        let options: ImportOptions

        var info: DatasetInfo {
            DatasetInfo(name: options.name ?? importer.source.lastPathComponent, height: options.size, width: options.size,
                        tasks: [DatasetTask(kind: .classification, classes: importer.classes)], styles: ["default"])
        }
        var count: Int { importer.images.count }
        var sourceDescription: [String: String] {
            ["importer": "fedbone data import imagefolder", "source": importer.source.path, "fit": options.fit.rawValue]
        }
        var splits: [String: [Int]]? { nil }

        mutating func samples(_ range: Range<Int>) throws -> [MultiTaskSample] {
            try ImportPipeline.parallel(range.count) { k in
                let (file, label) = importer.images[range.lowerBound + k]
                let rgb = try ImageConversion.rgb(ImageFile.read(file, as: .rgb8), fit: options.fit, size: options.size)
                return MultiTaskSample(height: options.size, width: options.size, rgb: rgb, imageClass: label)
            }
        }
    }
}
