import FedBoneData
import Foundation

/// Imports MNIST-style IDX files: images (`[count, rows, columns]` unsigned bytes) with their
/// labels (`[count]`), gzipped or not. Grey is replicated to RGB; an image side ≤ N is
/// zero-padded to N×N, centred (28 → 32: 2 pixels a side; an odd remainder goes right and
/// below), a larger one — or any with `resize` — is resized to N×N with the image filter. The
/// dataset has one classification task.
///
/// A source folder holding MNIST's file names (`train-images-idx3-ubyte[.gz]`,
/// `train-labels-idx1-ubyte[.gz]`, `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`;
/// `-images.idx3-ubyte` also accepted) gives the `train` split then the `test` split.
public struct IDXImport: Sendable {
    /// One images file and its labels file.
    public struct Part: Sendable, Equatable {
        /// The split the part's samples belong to (`nil`: no splits).
        public var split: String?
        public var images: URL
        public var labels: URL

        public init(split: String?, images: URL, labels: URL) {
            self.split = split
            self.images = images
            self.labels = labels
        }
    }

    /// The files, in the order written.
    public let parts: [Part]
    /// Class names, index = label.
    public let classes: [String]
    /// Samples per part.
    public let counts: [Int]
    /// Image height and width in the files.
    public let rows: Int
    public let columns: Int
    /// Resize even when the images fit in N×N.
    public let resize: Bool

    /// Reads the headers and every label (one byte an image), checking them.
    /// - Parameter classes: the class names; default `"0"` … `"<largest label>"`.
    /// - Throws: ``ImportError`` naming the file: not an IDX file, truncated, image and label
    ///   counts that differ, images of different sizes in two parts, a label outside `classes`.
    public init(parts: [Part], classes: [String]? = nil, resize: Bool = false) throws {
        guard !parts.isEmpty else { throw ImportError.invalidOptions("no IDX files to import") }
        var counts: [Int] = [], size: (Int, Int)?, largest = 0
        for part in parts {
            let images = try IDXFile(part.images, rank: 3)
            let labels = try IDXFile(part.labels, rank: 1)
            guard images.count == labels.count else {
                throw ImportError.invalidSource(path: part.labels.path, reason: "holds \(labels.count) labels but \(part.images.path) holds \(images.count) images")
            }
            let imageSize = (images.dimensions[1], images.dimensions[2])
            if let size, size != imageSize {
                throw ImportError.invalidSource(path: part.images.path, reason: "holds \(imageSize.0)×\(imageSize.1) images but \(parts[0].images.path) holds \(size.0)×\(size.1)")
            }
            size = imageSize
            var read = 0
            while read < labels.count {
                let chunk = min(65_536, labels.count - read)
                let values = try labels.next(chunk)
                if let names = classes, let bad = values.firstIndex(where: { Int($0) >= names.count }) {
                    throw ImportError.labelOutOfRange(path: part.labels.path, label: Int(values[bad]), location: "item \(read + bad)", classCount: names.count)
                }
                largest = max(largest, Int(values.max() ?? 0))
                read += chunk
            }
            counts.append(images.count)
        }
        guard counts.reduce(0, +) > 0 else { throw ImportError.invalidSource(path: parts[0].images.path, reason: "holds no images") }
        self.parts = parts
        self.classes = classes ?? (0...max(largest, 1)).map(String.init)
        self.counts = counts
        rows = size?.0 ?? 0
        columns = size?.1 ?? 0
        self.resize = resize
    }

    /// The parts found in a folder by MNIST's file names.
    /// - Throws: ``ImportError/invalidSource(path:reason:)`` when it holds neither pair, or an
    ///   images file without its labels.
    public static func parts(inFolder folder: URL) throws -> [Part] {
        func find(_ names: [String]) -> URL? {
            for name in names {
                for suffix in ["", ".gz"] {
                    let url = folder.appendingPathComponent(name + suffix)
                    if FileManager.default.fileExists(atPath: url.path) { return url }
                }
            }
            return nil
        }
        var parts: [Part] = []
        for (prefix, split) in [("train", "train"), ("t10k", "test")] {
            let images = find(["\(prefix)-images-idx3-ubyte", "\(prefix)-images.idx3-ubyte"])
            let labels = find(["\(prefix)-labels-idx1-ubyte", "\(prefix)-labels.idx1-ubyte"])
            switch (images, labels) {
            case let (images?, labels?): parts.append(Part(split: split, images: images, labels: labels))
            case (nil, nil): continue
            default:
                throw ImportError.invalidSource(path: folder.path, reason: "has \(prefix) \(images == nil ? "labels but no images" : "images but no labels") (\(prefix)-images-idx3-ubyte[.gz] and \(prefix)-labels-idx1-ubyte[.gz])")
            }
        }
        guard !parts.isEmpty else {
            throw ImportError.invalidSource(path: folder.path, reason: "holds no train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz]; give an images file and --labels instead")
        }
        return parts
    }

    /// Writes every image to `directory`, calling `progress` with the number written after
    /// each shard.
    /// - Throws: ``ImportError`` naming the file when it is truncated or corrupt, or the output
    ///   folder when it exists (without `overwrite`). Nothing is left under `directory` after an
    ///   error.
    @discardableResult
    public func write(to directory: URL, options: ImportOptions, progress: (Int) -> Void = { _ in }) throws -> DatasetManifest {
        var samples = Samples(importer: self, options: options)
        return try ImportPipeline.run(&samples, to: directory, options: options, progress: progress)
    }

    /// The `[3, N, N]` colour planes of one grey image of `rows`×`columns`.
    func rgb(_ grey: ArraySlice<UInt8>, size: Int) -> [UInt8] {
        let plane = size * size
        var out = [UInt8](repeating: 0, count: 3 * plane)
        if !resize && rows <= size && columns <= size {
            let top = (size - rows) / 2, left = (size - columns) / 2
            var k = grey.startIndex
            for y in 0..<rows {
                for x in 0..<columns {
                    let p = (top + y) * size + left + x
                    out[p] = grey[k]
                    out[plane + p] = grey[k]
                    out[2 * plane + p] = grey[k]
                    k += 1
                }
            }
            return out
        }
        let filter = FilterResize(width: columns, height: rows, region: Region(x: 0, y: 0, width: columns, height: rows), target: size)
        let resized = filter.resize(Array(grey), channels: 1)
        for c in 0..<3 { out.replaceSubrange((c * plane)..<((c + 1) * plane), with: resized) }
        return out
    }

    private struct Samples: SampleSource {
        let importer: IDXImport
        let options: ImportOptions
        var part = 0
        var inPart = 0
        var files: (images: IDXFile, labels: IDXFile)?

        init(importer: IDXImport, options: ImportOptions) {
            self.importer = importer
            self.options = options
        }

        var info: DatasetInfo {
            DatasetInfo(name: options.name ?? importer.parts[0].images.deletingLastPathComponent().lastPathComponent,
                        height: options.size, width: options.size,
                        tasks: [DatasetTask(kind: .classification, classes: importer.classes)], styles: ["default"])
        }
        var count: Int { importer.counts.reduce(0, +) }
        var sourceDescription: [String: String] {
            ["importer": "fedbone data import idx", "images": importer.parts.map(\.images.path).joined(separator: ","),
             "labels": importer.parts.map(\.labels.path).joined(separator: ",")]
        }
        var splits: [String: [Int]]? {
            guard importer.parts.allSatisfy({ $0.split != nil }) else { return nil }
            var out: [String: [Int]] = [:], first = 0
            for (part, count) in zip(importer.parts, importer.counts) {
                out[part.split ?? "", default: []] += Array(first..<(first + count))
                first += count
            }
            return out
        }

        mutating func samples(_ range: Range<Int>) throws -> [MultiTaskSample] {
            var out: [MultiTaskSample] = []
            out.reserveCapacity(range.count)
            while out.count < range.count {
                while inPart == importer.counts[part] {
                    part += 1
                    inPart = 0
                    files = nil
                }
                if files == nil {
                    files = (try IDXFile(importer.parts[part].images, rank: 3), try IDXFile(importer.parts[part].labels, rank: 1))
                }
                guard case let (images, labels)? = files else { break }
                let take = min(range.count - out.count, importer.counts[part] - inPart)
                let pixels = try images.next(take)
                let values = try labels.next(take)
                let itemSize = images.itemSize
                let made = try ImportPipeline.parallel(take) { k in
                    MultiTaskSample(height: options.size, width: options.size,
                                    rgb: importer.rgb(pixels[(k * itemSize)..<((k + 1) * itemSize)], size: options.size),
                                    imageClass: Int(values[k]))
                }
                out += made
                inPart += take
            }
            return out
        }
    }
}
