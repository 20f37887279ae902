import Foundation
import Testing
@testable import FedBoneTransport

@Suite("Tensor wire encoding")
struct WireTensorTests {
    let limits = TensorLimits(maxElements: 1000)

    func message(shape: [Int64], dtype: Fedbone_V1_DType, bytes: Int) -> Fedbone_V1_Tensor {
        var tensor = Fedbone_V1_Tensor()
        tensor.shape = shape
        tensor.dtype = dtype
        tensor.data = Data(count: bytes)
        return tensor
    }

    func decodeError(_ tensor: Fedbone_V1_Tensor) -> WireTensorError? {
        do {
            _ = try tensor.decoded(name: "x", limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test("f32 round trip is exact and little-endian")
    func f32RoundTrip() throws {
        let tensor = try Tensor(shape: [2, 3], scalars: [1, -2.5, 3e-7, 0, -0, 1e30])
        let wire = Fedbone_V1_Tensor(tensor, dtype: .f32)
        #expect(wire.shape == [2, 3])
        #expect(wire.data.count == 24)
        #expect(Array(wire.data.prefix(4)) == [0x00, 0x00, 0x80, 0x3F])  // 1.0f, little-endian
        let back = try wire.decoded(name: "x", limits: limits)
        #expect(back.shape == [2, 3])
        #expect(back.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
    }

    @Test("f16 and bf16 round trips stay within half a unit in the last place")
    func halfRoundTrips() throws {
        let values: [Float] = [0.1, -0.33, 1.5, 100.25, -7e-3, 0]
        let tensor = try Tensor(shape: [6], scalars: values)
        let half = try Fedbone_V1_Tensor(tensor, dtype: .f16).decoded(name: "x", limits: limits)
        let bf16 = try Fedbone_V1_Tensor(tensor, dtype: .bf16).decoded(name: "x", limits: limits)
        #expect(Fedbone_V1_Tensor(tensor, dtype: .f16).data.count == 12)
        for (index, value) in values.enumerated() {
            #expect(abs(half.scalars[index] - value) <= abs(value) * 0x1p-11 + 0x1p-25)
            #expect(abs(bf16.scalars[index] - value) <= abs(value) * 0x1p-8)
        }
    }

    @Test("scalars and empty tensors are valid")
    func scalarAndEmpty() throws {
        let scalar = try Fedbone_V1_Tensor(Tensor(4), dtype: .f32).decoded(name: "x", limits: limits)
        #expect(scalar.shape == [] && scalar.scalars == [4])
        let empty = try message(shape: [0, 3], dtype: .f32, bytes: 0).decoded(name: "x", limits: limits)
        #expect(empty.shape == [0, 3] && empty.scalars.isEmpty)
    }

    @Test("an unset or unknown dtype is refused")
    func unknownDType() {
        #expect(decodeError(message(shape: [1], dtype: .unspecified, bytes: 4)) == .unknownDType(name: "x", rawValue: 0))
        #expect(decodeError(message(shape: [1], dtype: .UNRECOGNIZED(9), bytes: 4)) == .unknownDType(name: "x", rawValue: 9))
    }

    @Test("more than eight dimensions are refused")
    func rankTooLarge() {
        let shape = [Int64](repeating: 1, count: 9)
        #expect(decodeError(message(shape: shape, dtype: .f32, bytes: 4)) == .rankTooLarge(name: "x", rank: 9, maxRank: 8))
        let eight = [Int64](repeating: 1, count: 8)
        #expect(decodeError(message(shape: eight, dtype: .f32, bytes: 4)) == nil)
    }

    @Test("a negative dimension is refused")
    func negativeDimension() {
        #expect(decodeError(message(shape: [2, -1], dtype: .f32, bytes: 0)) == .negativeDimension(name: "x", shape: [2, -1]))
    }

    @Test("too many elements are refused, overflowing products included, as a size limit")
    func tooManyElements() {
        let error = decodeError(message(shape: [10, 101], dtype: .f32, bytes: 4040))
        #expect(error == .tooManyElements(name: "x", shape: [10, 101], maxElements: 1000))
        #expect(error?.isSizeLimit == true)
        let huge: [Int64] = [Int64.max / 2, 4]
        #expect(decodeError(message(shape: huge, dtype: .f32, bytes: 0)) == .tooManyElements(name: "x", shape: huge, maxElements: 1000))
    }

    @Test("a byte count that does not match shape and dtype is refused")
    func byteCountMismatch() {
        #expect(decodeError(message(shape: [2, 3], dtype: .f32, bytes: 20))
            == .byteCountMismatch(name: "x", shape: [2, 3], dtype: .f32, expected: 24, actual: 20))
        #expect(decodeError(message(shape: [2, 3], dtype: .f16, bytes: 24))
            == .byteCountMismatch(name: "x", shape: [2, 3], dtype: .f16, expected: 12, actual: 24))
    }

    @Test("NaN and infinity are refused in every dtype")
    func nonFinite() throws {
        let nan = try Tensor(shape: [3], scalars: [1, .nan, 2])
        let inf = try Tensor(shape: [3], scalars: [1, 2, -.infinity])
        for dtype in WireDType.allCases {
            #expect(decodeError(Fedbone_V1_Tensor(nan, dtype: dtype)) == .nonFinite(name: "x", index: 1))
            #expect(decodeError(Fedbone_V1_Tensor(inf, dtype: dtype)) == .nonFinite(name: "x", index: 2))
        }
        // A finite f32 beyond the f16 range becomes infinite on the wire and is refused.
        let big = try Tensor(shape: [1], scalars: [1e6])
        #expect(decodeError(Fedbone_V1_Tensor(big, dtype: .f16)) == .nonFinite(name: "x", index: 0))
    }

    @Test("a missing tensor field is refused")
    func missing() {
        #expect(throws: WireTensorError.missing(name: "embeddings")) {
            try Fedbone_V1_Tensor.decode(Fedbone_V1_Tensor(), present: false, name: "embeddings", limits: limits)
        }
    }

    @Test("expected shapes: fixed, batched, and the error they raise")
    func expectedShape() throws {
        let tensor = Tensor.zeros([4, 49, 96])
        try ExpectedShape.batched([49, 96]).check(tensor, name: "embeddings")
        try ExpectedShape.exactly([4, 49, 96]).check(tensor, name: "embeddings")
        #expect(!ExpectedShape.batched([49, 96]).matches([0, 49, 96]))
        #expect(!ExpectedShape.batched([49, 96]).matches([49, 96]))
        #expect(throws: WireTensorError.shapeMismatch(name: "embeddings", expected: "[N, 49, 32]", actual: [4, 49, 96])) {
            try ExpectedShape.batched([49, 32]).check(tensor, name: "embeddings")
        }
    }

    @Test("error messages name the field and what to fix")
    func descriptions() {
        #expect(WireTensorError.nonFinite(name: "features", index: 3).description == "features: element 3 is NaN or infinite")
        #expect(WireTensorError.byteCountMismatch(name: "g", shape: [2], dtype: .bf16, expected: 4, actual: 3).description
            == "g: shape [2] in bf16 needs 4 bytes, got 3")
    }
}
