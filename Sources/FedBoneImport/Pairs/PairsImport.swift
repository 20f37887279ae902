import FedBoneData
import Foundation

/// Imports images with per-pixel ground truth in matching files:
///
/// ```
/// SRC/images/<id>.png|jpg|jpeg
/// SRC/segmentation/<id>.png   8-bit grey or palette labels, 255 = ignore
/// SRC/parts/<id>.png          the same, for human parts
/// SRC/depth/<id>.png          16-bit grey, units of 1/depthScale metre, 0 = invalid
/// SRC/normals/<id>.png        8-bit RGB, n = 2·rgb/255 − 1
/// SRC/boundaries/<id>.png     grey, ≥ threshold = boundary
/// SRC/saliency/<id>.png       grey, ≥ threshold (after resizing) = salient
/// ```
///
/// Each task folder present (or each of ``PairsOptions/tasks``) becomes a task; every image
/// must have a file of the same base name in every task folder. Conversions are those of
/// `GroundTruth`; the images are resized as by ``ImageFolderImport``, and every map with the
/// same region (``ImageFit``).
public struct PairsImport: Sendable {
    /// The source folder.
    public let source: URL
    /// The tasks written, in the order of ``PairsOptions/denseTasks``.
    public let tasks: [DatasetTask]
    /// The images, sorted by file name.
    public let images: [URL]
    /// The conversions.
    public let options: PairsOptions

    /// Lists the images and checks that every one has its ground-truth files (reads no pixels).
    /// - Throws: ``ImportError/missingGroundTruth(image:task:expected:)`` for an image without
    ///   a file in a task folder; ``ImportError/invalidSource(path:reason:)`` for a missing images
    ///   or task folder, no task, no image, or two images of one base name;
    ///   ``ImportError/invalidOptions(_:)`` for a label task without class names.
    public init(source: URL, options: PairsOptions = PairsOptions()) throws {
        try options.validate()
        let imagesFolder = source.appendingPathComponent(options.imagesFolder)
        guard FileManager.default.fileExists(atPath: imagesFolder.path) else {
            throw ImportError.invalidSource(path: source.path, reason: "has no images folder '\(options.imagesFolder)'")
        }
        let kinds: [TaskKind]
        if let chosen = options.tasks {
            kinds = PairsOptions.denseTasks.filter(chosen.contains)
            for kind in kinds where !FileManager.default.fileExists(atPath: source.appendingPathComponent(options.folder(kind)).path) {
                throw ImportError.invalidSource(path: source.path, reason: "has no folder '\(options.folder(kind))' for task \(kind.rawValue)")
            }
        } else {
            kinds = PairsOptions.denseTasks.filter {
                FileManager.default.fileExists(atPath: source.appendingPathComponent(options.folder($0)).path)
            }
        }
        guard !kinds.isEmpty else {
            throw ImportError.invalidSource(path: source.path, reason: "has no ground-truth folder; expected one or more of \(PairsOptions.denseTasks.map { options.folder($0) }.joined(separator: ", "))")
        }
        var tasks: [DatasetTask] = []
        for kind in kinds {
            if kind == .segmentation || kind == .parts {
                guard let classes = options.classes(kind) else {
                    let option = kind == .segmentation ? "--classes" : "--parts-classes"
                    throw ImportError.invalidOptions("task \(kind.rawValue) needs its class count or names: pass \(option) N or \(option) a,b,c")
                }
                tasks.append(DatasetTask(kind: kind, classes: classes))
            } else {
                tasks.append(DatasetTask(kind: kind))
            }
        }
        let images = try SourceFiles.entries(of: imagesFolder).files.filter(SourceFiles.isImage)
        guard !images.isEmpty else { throw ImportError.invalidSource(path: imagesFolder.path, reason: "holds no PNG or JPEG file") }
        var seen: [String: URL] = [:]
        for image in images {
            let id = image.deletingPathExtension().lastPathComponent
            if let other = seen[id] {
                throw ImportError.invalidSource(path: imagesFolder.path, reason: "\(other.lastPathComponent) and \(image.lastPathComponent) share the base name '\(id)'; ground truth could not tell them apart")
            }
            seen[id] = image
            for kind in kinds {
                let expected = Self.groundTruthFile(source: source, folder: options.folder(kind), image: image)
                guard FileManager.default.fileExists(atPath: expected.path) else {
                    throw ImportError.missingGroundTruth(image: image.path, task: kind.rawValue, expected: expected.path)
                }
            }
        }
        self.source = source
        self.tasks = tasks
        self.images = images
        self.options = options
    }

    /// The ground-truth file of `image` in `folder`: the same base name with `.png`.
    static func groundTruthFile(source: URL, folder: String, image: URL) -> URL {
        source.appendingPathComponent(folder).appendingPathComponent(image.deletingPathExtension().lastPathComponent + ".png")
    }

    /// Decodes, converts and writes every image and its ground truth to `directory`, calling
    /// `progress` with the number of images written after each shard.
    /// - Throws: ``ImportError`` naming the file: an unreadable or truncated image or map, a
    ///   map whose size differs from its image (naming both), a label outside the classes, a map
    ///   of the wrong kind (an RGB mask, an 8-bit depth PNG). Nothing is left under `directory`
    ///   after an error.
    @discardableResult
    public func write(to directory: URL, options: ImportOptions, progress: (Int) -> Void = { _ in }) throws -> DatasetManifest {
        var samples = Samples(importer: self, options: options)
        return try ImportPipeline.run(&samples, to: directory, options: options, progress: progress)
    }

    /// One image and its ground truth at N×N.
    func sample(_ index: Int, options: ImportOptions) throws -> MultiTaskSample {
        let file = images[index]
        let raster = try ImageFile.read(file, as: .rgb8)
        let size = options.size
        let region = options.fit.region(width: raster.width, height: raster.height)
        var sample = MultiTaskSample(height: size, width: size, rgb: ImageConversion.rgb(raster, fit: options.fit, size: size))
        let truth = GroundTruth(options: self.options, image: file, width: raster.width, height: raster.height, region: region, size: size)
        for task in tasks {
            let map = Self.groundTruthFile(source: source, folder: self.options.folder(task.kind), image: file)
            switch task.kind {
            case .segmentation: sample.semantic = try truth.labels(map, classCount: task.classes?.count ?? 0)
            case .parts: sample.parts = try truth.labels(map, classCount: task.classes?.count ?? 0)
            case .depth: sample.depth = try truth.depth(map)
            case .normals: sample.normals = try truth.normals(map)
            case .boundaries: sample.boundaries = try truth.boundaries(map)
            case .saliency: sample.saliency = try truth.saliency(map)
            case .classification, .textClassification, .tokenTagging: break
            }
        }
        return sample
    }

    private struct Samples: SampleSource {
        let importer: PairsImport
        let options: ImportOptions

        var info: DatasetInfo {
            DatasetInfo(name: options.name ?? importer.source.lastPathComponent, height: options.size, width: options.size,
                        tasks: importer.tasks, styles: ["default"])
        }
        var count: Int { importer.images.count }
        var sourceDescription: [String: String] {
            ["importer": "fedbone data import pairs", "source": importer.source.path, "fit": options.fit.rawValue,
             "depthScale": String(importer.options.depthScale), "normalsAxes": importer.options.normalsAxes.description]
        }
        var splits: [String: [Int]]? { nil }

        mutating func samples(_ range: Range<Int>) throws -> [MultiTaskSample] {
            try ImportPipeline.parallel(range.count) { try importer.sample(range.lowerBound + $0, options: options) }
        }
    }
}
