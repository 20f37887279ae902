import FedBoneKernels
import Foundation

/// Which code paths run the engine's arithmetic on this machine, for benchmark headers and
/// logs: the CPU, the row kernels' instruction-set path (`fb_isa`, forced with `FEDBONE_ISA`)
/// and the matrix-product backend (``GemmBackend``).
public enum ComputePaths {
    /// The row kernels' path: `avx512`, `avx2`, `vector` (NEON on arm64, SSE2 on x86-64) or
    /// `scalar`.
    public static var rowKernels: String { String(cString: fb_isa_name(fb_isa())) }

    /// The CPU's model name (`/proc/cpuinfo` on Linux), or the architecture where it is unknown.
    public static let cpu: String = {
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        #if arch(arm64)
        return "arm64"
        #else
        return "x86-64"
        #endif
    }()

    /// One line naming all three: `CPU …, kernels avx512, GEMM …`.
    public static var summary: String { "CPU \(cpu), kernels \(rowKernels), GEMM \(GemmBackend.name)" }
}
