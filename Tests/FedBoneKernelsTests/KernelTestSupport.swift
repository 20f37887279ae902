import Foundation

/// A small deterministic generator for test inputs (SplitMix64), so that this target needs
/// nothing but the kernels.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A uniform value in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return low + (high - low) * Float(z >> 40) / Float(1 << 24)
    }

    /// `count` uniform values in [low, high).
    mutating func values(_ count: Int, _ low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in uniform(low, high) }
    }
}

import FedBoneKernels

/// A kernel's paths that this CPU supports (scalar reference first), by name.
typealias KernelPaths<F> = [(name: String, run: F)]

/// Every instruction-set path this CPU supports, scalar first, with its name.
let supportedISAs: [(name: String, isa: Int32)] = (FB_ISA_SCALAR...FB_ISA_AVX512).compactMap { isa in
    fb_isa_supported(Int32(isa)) != 0 ? (String(cString: fb_isa_name(Int32(isa))), Int32(isa)) : nil
}

/// One closure per supported path, named after the path.
func kernelPaths<F>(_ make: (Int32) -> F) -> KernelPaths<F> {
    supportedISAs.map { (name: $0.name, run: make($0.isa)) }
}
