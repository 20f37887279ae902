import Foundation

// Tensor ↔ fedbone.v1.Tensor. Decoding checks everything about the message before it
// allocates the result, and checks every element for NaN/Inf while converting.

extension Fedbone_V1_Tensor {
    /// Encodes `tensor` (row-major) as little-endian `dtype` elements.
    ///
    /// f16 and bf16 round to nearest even; values outside the f16 range become ±∞ and will be
    /// refused by the receiver, so f16 is for activations and gradients known to be small.
    package init(_ tensor: Tensor, dtype: WireDType) {
        self.init()
        shape = tensor.shape.map { Int64($0) }
        self.dtype = Fedbone_V1_DType(dtype)
        let scalars = tensor.scalars
        var bytes = Data(count: scalars.count * dtype.byteWidth)
        bytes.withUnsafeMutableBytes { raw in
            scalars.withUnsafeBufferPointer { source in
                switch dtype {
                case .f32:
                    for (index, value) in source.enumerated() {
                        raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: 4 * index, as: UInt32.self)
                    }
                case .f16:
                    for (index, value) in source.enumerated() {
                        let bits = HalfPrecision.halfBits(from: value)
                        raw.storeBytes(of: bits.littleEndian, toByteOffset: 2 * index, as: UInt16.self)
                    }
                case .bf16:
                    for (index, value) in source.enumerated() {
                        let bits = HalfPrecision.bfloat16Bits(from: value)
                        raw.storeBytes(of: bits.littleEndian, toByteOffset: 2 * index, as: UInt16.self)
                    }
                }
            }
        }
        data = bytes
    }

    /// The wire dtype, or ``WireTensorError/unknownDType(name:rawValue:)`` when unset or unknown.
    package func wireDType(name: String) throws(WireTensorError) -> WireDType {
        switch dtype {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .unspecified, .UNRECOGNIZED: throw .unknownDType(name: name, rawValue: dtype.rawValue)
        }
    }

    /// The element count the shape describes, after checking rank, signs and the element bound.
    package func checkedElementCount(name: String, limits: TensorLimits) throws(WireTensorError) -> Int {
        guard shape.count <= TensorLimits.maxRank else {
            throw .rankTooLarge(name: name, rank: shape.count, maxRank: TensorLimits.maxRank)
        }
        guard !shape.contains(where: { $0 < 0 }) else { throw .negativeDimension(name: name, shape: shape) }
        var count: Int64 = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Int64(limits.maxElements) else {
                throw .tooManyElements(name: name, shape: shape, maxElements: limits.maxElements)
            }
            count = product
        }
        return Int(count)
    }

    /// Decodes and validates the message: known dtype, rank ≤ 8, no negative dimension, at most
    /// `limits.maxElements` elements, `data.count == count × dtype width`, every value finite.
    ///
    /// - Parameter name: the field name used in error messages (e.g. `"embeddings"`).
    package func decoded(name: String, limits: TensorLimits) throws(WireTensorError) -> Tensor {
        let wire = try wireDType(name: name)
        let count = try checkedElementCount(name: name, limits: limits)
        let expectedBytes = count * wire.byteWidth
        guard data.count == expectedBytes else {
            throw .byteCountMismatch(name: name, shape: shape, dtype: wire, expected: expectedBytes, actual: data.count)
        }
        let scalars = data.withUnsafeBytes { raw -> [Float] in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                switch wire {
                case .f32:
                    for index in 0..<count {
                        let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                        buffer[index] = Float(bitPattern: bits)
                    }
                case .f16:
                    for index in 0..<count {
                        let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                        buffer[index] = HalfPrecision.float(fromHalfBits: bits)
                    }
                case .bf16:
                    for index in 0..<count {
                        let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                        buffer[index] = HalfPrecision.float(fromBFloat16Bits: bits)
                    }
                }
                initialized = count
            }
        }
        if let index = scalars.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(name: name, index: index)
        }
        return Tensor(uncheckedShape: shape.map { Int($0) }, scalars: scalars)
    }
}

extension Fedbone_V1_Tensor {
    /// Decodes an optional message field, throwing ``WireTensorError/missing(name:)`` when unset.
    package static func decode(
        _ message: Fedbone_V1_Tensor, present: Bool, name: String, limits: TensorLimits
    ) throws(WireTensorError) -> Tensor {
        guard present else { throw .missing(name: name) }
        return try message.decoded(name: name, limits: limits)
    }
}

extension Fedbone_V1_DType {
    /// The protocol enum value for a wire dtype.
    package init(_ dtype: WireDType) {
        switch dtype {
        case .f32: self = .f32
        case .f16: self = .f16
        case .bf16: self = .bf16
        }
    }
}
