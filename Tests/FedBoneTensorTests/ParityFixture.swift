import Foundation
import Testing
@testable import FedBoneTensor

/// A safetensors fixture written by `tools/make_fixtures.py`: the tensors and the op's
/// hyper-parameters (strings in `__metadata__`, integer pairs as "2,2").
struct ParityFixture {
    let name: String
    let tensors: [String: Tensor]
    let metadata: [String: String]

    /// The folder of fixtures bundled with the test target.
    static func url(_ file: String) throws -> URL {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures folder missing from the test bundle")
        return folder.appendingPathComponent(file)
    }

    /// Reads `Fixtures/<name>.safetensors`.
    init(_ name: String) throws {
        self.name = name
        (tensors, metadata) = try Safetensors.readWithMetadata(contentsOf: Self.url("\(name).safetensors"))
    }

    /// The tensor called `key`.
    func tensor(_ key: String) throws -> Tensor {
        try #require(tensors[key], "\(name): no tensor '\(key)'")
    }

    /// The metadata integer pair `key` ("2,2").
    func pair(_ key: String) throws -> (Int, Int) {
        let parts = try #require(metadata[key], "\(name): no metadata '\(key)'").split(separator: ",").compactMap { Int($0) }
        try #require(parts.count == 2, "\(name): metadata '\(key)' is not an integer pair")
        return (parts[0], parts[1])
    }

    /// The metadata integer `key`.
    func int(_ key: String) throws -> Int {
        try #require(metadata[key].flatMap { Int($0) }, "\(name): no integer metadata '\(key)'")
    }

    /// The metadata number `key`.
    func float(_ key: String) throws -> Float {
        try #require(metadata[key].flatMap { Float($0) }, "\(name): no numeric metadata '\(key)'")
    }
}

/// The tolerance of every parity check, see ``parityError(_:_:)``.
let parityTolerance: Float = 1e-5

/// max |actual − expected| / max(max |expected|, 1e-6): the largest error relative to the
/// reference's largest magnitude. Chosen over a per-element relative tolerance because outputs
/// that nearly cancel (sums of many products) have float32 errors proportional to the size of
/// the terms, not of the result; fixtures are computed in float64, so this measures our float32
/// error against the exact values.
func parityError(_ actual: Tensor, _ expected: Tensor) -> Float {
    let scale = expected.scalars.reduce(Float(0)) { max($0, abs($1)) }
    let diff = zip(actual.scalars, expected.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    return diff / max(scale, 1e-6)
}

/// Expects `actual` to have the reference's shape and to be within ``parityTolerance`` of it.
func expectParity(_ actual: Tensor?, _ expected: Tensor, _ what: String,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    guard let actual else {
        Issue.record("\(what): no value (gradient not computed?)", sourceLocation: sourceLocation)
        return
    }
    guard actual.shape == expected.shape else {
        Issue.record("\(what): shape \(actual.shape), PyTorch \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    let error = parityError(actual, expected)
    #expect(error <= parityTolerance, "\(what): relative error \(error) > \(parityTolerance)", sourceLocation: sourceLocation)
}
