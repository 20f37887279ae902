import Foundation

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose stream is
/// the same on every run and platform for a given seed. Its state can be saved and restored,
/// so a resumed run continues the same stream.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The four state words; save these to checkpoint the generator.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator started from `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator restored from saved state words.
    public init(state: [UInt64]) {
        precondition(state.count == 4, "SeededGenerator needs 4 state words, got \(state.count)")
        self.state = (state[0], state[1], state[2], state[3])
    }

    /// The state as an array, for checkpoints.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// An independent generator for a named sub-stream (e.g. one per client), derived from this
    /// generator's seed material without advancing it.
    public func fork(_ stream: UInt64) -> SeededGenerator {
        SeededGenerator(seed: state.0 ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ state.3)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float = 0, _ high: Float = 1) -> Float {
        Float(Double(low) + (Double(high) - Double(low)) * nextUnitDouble())
    }

    /// A standard normal sample (Box–Muller in double precision).
    public mutating func normal() -> Double {
        let u1 = Swift.max(nextUnitDouble(), 0x1.0p-60)
        let u2 = nextUnitDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A uniform integer in `0..<n`.
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "int(below:) needs a positive bound, got \(n)")
        return Int(next(upperBound: UInt64(n)))
    }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool { a.stateWords == b.stateWords }

    public init(from decoder: Decoder) throws {
        let words = try [UInt64](from: decoder)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "generator state needs 4 words, got \(words.count)"))
        }
        self.init(state: words)
    }

    public func encode(to encoder: Encoder) throws { try stateWords.encode(to: encoder) }
}

extension Tensor {
    /// Samples from N(mean, std²).
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = mean + std * Float(generator.normal()) }
        }
    }

    /// Samples uniformly from [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = generator.uniform(low, high) }
        }
    }

    /// Samples from N(mean, std²) restricted to [a, b] by rejection, as timm's `trunc_normal_`
    /// (default bounds ±2, in absolute units like timm).
    public static func truncatedNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, a: Float = -2, b: Float = 2,
                                       generator: inout SeededGenerator) -> Tensor {
        precondition(a < b, "truncatedNormal: lower bound \(a) must be below upper bound \(b)")
        let lo = (Double(a) - Double(mean)) / Double(std), hi = (Double(b) - Double(mean)) / Double(std)
        precondition(hi > -5 && lo < 5, "truncatedNormal: bounds [\(a), \(b)] lie too far from the mean for rejection sampling")
        return Tensor(shape: shape) { out in
            for i in 0..<out.count {
                var z = generator.normal()
                while z < lo || z > hi { z = generator.normal() }
                out[i] = mean + std * Float(z)
            }
        }
    }
}
