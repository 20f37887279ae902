import Foundation

/// An IDX file (the MNIST format) opened for streaming: a header — two zero bytes, the type
/// byte (0x08 = unsigned bytes, the only type read here), the number of dimensions, then each
/// dimension as a big-endian 32-bit integer — and the values, row-major. Gzipped or not.
final class IDXFile {
    /// The file.
    let url: URL
    /// The dimensions (`[count, rows, columns]` for images, `[count]` for labels).
    let dimensions: [Int]
    private let reader: GzipReader
    private var itemsRead = 0

    /// Opens `url` and reads its header, which must have `rank` dimensions.
    /// - Throws: ``ImportError`` naming the file: unreadable, truncated, or not an IDX file of
    ///   unsigned bytes of that rank.
    init(_ url: URL, rank: Int) throws {
        reader = try GzipReader(url)
        self.url = url
        let magic = try reader.read(4, what: "the IDX header")
        guard magic[0] == 0, magic[1] == 0 else {
            throw ImportError.undecodableFile(path: url.path, reason: "not an IDX file (the first two bytes are not zero)")
        }
        guard magic[2] == 0x08 else {
            throw ImportError.undecodableFile(path: url.path, reason: String(format: "IDX value type 0x%02X is not supported; only unsigned bytes (0x08)", magic[2]))
        }
        guard Int(magic[3]) == rank else {
            throw ImportError.undecodableFile(path: url.path, reason: "the IDX file has \(magic[3]) dimensions; expected \(rank) (\(rank == 3 ? "images: count, rows, columns" : "labels: count"))")
        }
        let sizes = try reader.read(4 * rank, what: "the IDX dimensions")
        dimensions = (0..<rank).map { d in sizes[(4 * d)..<(4 * d + 4)].reduce(0) { $0 << 8 | Int($1) } }
        if rank == 3, dimensions[1] < 1 || dimensions[2] < 1 || dimensions[1] > 4096 || dimensions[2] > 4096 {
            throw ImportError.undecodableFile(path: url.path, reason: "IDX images of \(dimensions[1])×\(dimensions[2]) are not supported (1…4096 a side)")
        }
    }

    /// Number of items (the first dimension).
    var count: Int { dimensions[0] }

    /// Bytes per item (the product of the other dimensions).
    var itemSize: Int { dimensions.dropFirst().reduce(1, *) }

    /// The next `count` items' bytes.
    /// - Throws: ``ImportError/truncatedFile(path:reason:)`` when the file ends first.
    func next(_ count: Int) throws -> [UInt8] {
        let bytes = try reader.read(count * itemSize, what: "items \(itemsRead)..<\(itemsRead + count)")
        itemsRead += count
        return bytes
    }
}
