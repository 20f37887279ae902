import Foundation

/// One flat `Float` vector of a fixed length with a stable address: a client's update Δ_k (or
/// its gradient sum) during a server round. It lives on the heap, or — spilled — in a
/// memory-mapped file, so that a round's K·D floats need not all stay resident: the kernel
/// writes the file's pages back and evicts them under memory pressure, and
/// ``releaseResidentPages()`` hands them back at once after a pass.
///
/// A spilled vector's file is created in the given directory and unlinked at once, so nothing
/// is left on disk when the process ends, however it ends. While the vector lives, its file
/// takes `count · 4` bytes of that disk, reserved when it is created.
public final class UpdateVector: @unchecked Sendable {
    /// The scalars (zero when created).
    public let buffer: UnsafeMutableBufferPointer<Float>
    /// Whether it lives in a memory-mapped file.
    public let isSpilled: Bool

    private init(buffer: UnsafeMutableBufferPointer<Float>, isSpilled: Bool) {
        self.buffer = buffer
        self.isSpilled = isSpilled
    }

    /// A vector of `count` zeros on the heap.
    public convenience init(zeros count: Int) {
        precondition(count >= 0, "UpdateVector: negative length \(count)")
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        self.init(buffer: UnsafeMutableBufferPointer(start: pointer, count: count), isSpilled: false)
    }

    /// A vector of `count` zeros in a file in `spillDirectory`, or on the heap when it is nil.
    /// - Throws: ``UpdateVectorError`` when the file cannot be created, sized or mapped.
    public convenience init(zeros count: Int, spillDirectory: URL?) throws {
        guard let spillDirectory else {
            self.init(zeros: count)
            return
        }
        precondition(count >= 0, "UpdateVector: negative length \(count)")
        self.init(buffer: try Self.mapped(count: count, directory: spillDirectory), isSpilled: true)
    }

    /// A copy of `values`, on the heap or spilled as ``init(zeros:spillDirectory:)``.
    public convenience init(copying values: [Float], spillDirectory: URL?) throws {
        try self.init(zeros: values.count, spillDirectory: spillDirectory)
        values.withUnsafeBufferPointer { source in
            guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
            to.update(from: from, count: source.count)
        }
    }

    deinit {
        guard let base = buffer.baseAddress else { return }
        if isSpilled {
            munmap(UnsafeMutableRawPointer(base), buffer.count * MemoryLayout<Float>.stride)
        } else {
            base.deallocate()
        }
    }

    /// D, the length.
    public var count: Int { buffer.count }

    /// The scalars as a read-only buffer (valid while the vector lives).
    public var readable: UnsafeBufferPointer<Float> { UnsafeBufferPointer(buffer) }

    /// A copy of the scalars as an array.
    public var array: [Float] { Array(buffer) }

    /// self += other, elementwise.
    /// - Precondition: the lengths match.
    public func add(_ other: [Float]) {
        precondition(other.count == count, "UpdateVector: adding \(other.count) scalars to \(count)")
        add(other, at: 0)
    }

    /// self[offset ..< offset + part.count] += part, elementwise (one parameter's gradient into
    /// a flat sum).
    /// - Precondition: the part lies inside the vector.
    public func add(_ part: [Float], at offset: Int) {
        precondition(offset >= 0 && offset + part.count <= count, "UpdateVector: adding \(part.count) scalars at \(offset) to \(count)")
        guard !part.isEmpty, let base = buffer.baseAddress else { return }
        part.withUnsafeBufferPointer { source in
            let target = base + offset
            for j in 0..<part.count { target[j] += source[j] }
        }
    }

    /// self = a − self, elementwise.
    /// - Precondition: the lengths match.
    public func subtract(from a: [Float]) {
        precondition(a.count == count, "UpdateVector: subtracting \(count) scalars from \(a.count)")
        a.withUnsafeBufferPointer { a in
            for j in 0..<count { buffer[j] = a[j] - buffer[j] }
        }
    }

    /// self /= divisor, elementwise.
    public func divide(by divisor: Float) {
        for j in 0..<count { buffer[j] /= divisor }
    }

    /// Drops a spilled vector's pages from this process's memory (they stay in the file and come
    /// back on the next access); no effect on the heap.
    public func releaseResidentPages() {
        guard isSpilled, let base = buffer.baseAddress, count > 0 else { return }
        let bytes = count * MemoryLayout<Float>.stride
        msync(UnsafeMutableRawPointer(base), bytes, MS_ASYNC)
        madvise(UnsafeMutableRawPointer(base), bytes, MADV_DONTNEED)
    }

    /// Drops the pages of the scalars in `range` of a spilled vector from this process's memory
    /// (whole pages inside the range only); no effect on the heap.
    public func releaseResidentPages(scalars range: Range<Int>) {
        guard isSpilled, let base = buffer.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound * MemoryLayout<Float>.stride + page - 1) / page * page
        let end = range.upperBound == count ? count * MemoryLayout<Float>.stride
            : range.upperBound * MemoryLayout<Float>.stride / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(base) + start, end - start, MADV_DONTNEED)
    }

    /// A zeroed, unlinked, memory-mapped file of `count` floats in `directory`.
    private static func mapped(count: Int, directory: URL) throws -> UnsafeMutableBufferPointer<Float> {
        guard count > 0 else { return UnsafeMutableBufferPointer(start: nil, count: 0) }
        let bytes = count * MemoryLayout<Float>.stride
        var template = Array(directory.appendingPathComponent("fedbone-update-XXXXXX").path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw UpdateVectorError.cannotSpill(directory: directory.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        // The disk space is reserved now (Linux), so that a full disk is an error here rather
        // than a SIGBUS on a later write through the mapping.
        #if os(Linux)
        let reserved = posix_fallocate(descriptor, 0, off_t(bytes))
        #else
        let reserved = ftruncate(descriptor, off_t(bytes)) == 0 ? 0 : errno
        #endif
        guard reserved == 0 else {
            throw UpdateVectorError.cannotSpill(directory: directory.path, reason: String(cString: strerror(reserved)))
        }
        let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw UpdateVectorError.cannotSpill(directory: directory.path, reason: String(cString: strerror(errno)))
        }
        return UnsafeMutableBufferPointer(start: address.bindMemory(to: Float.self, capacity: count), count: count)
    }
}

/// Why an update could not be spilled to disk.
public enum UpdateVectorError: Error, Equatable, CustomStringConvertible {
    /// The file could not be created, sized or mapped in `directory`.
    case cannotSpill(directory: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotSpill(directory, reason):
            return "cannot spill a round's update to a file in \(directory): \(reason); free disk space there, set server.spillDirectory to another folder, or set server.spill: never"
        }
    }
}
