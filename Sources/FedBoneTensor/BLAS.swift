#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Single-precision matrix product through the platform BLAS (OpenBLAS on Linux, Accelerate on
/// Apple platforms): `C = alpha · op(A) · op(B) + beta · C`, all row-major.
///
/// - Parameters:
///   - transA, transB: whether `A` (stored `[K, M]` when transposed, else `[M, K]`) and `B`
///     (stored `[N, K]` when transposed, else `[K, N]`) are read transposed.
///   - lda, ldb, ldc: row strides; default to the packed widths.
@inline(__always)
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                  b: UnsafePointer<Float>, ldb: Int? = nil,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * (ldc ?? n)).update(repeating: 0, count: n) } }
        return
    }
    FlopCounter.add(multiplyAdds: m * n * k)
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda ?? (transA ? m : k)),
                b, Int32(ldb ?? (transB ? k : n)),
                beta, c, Int32(ldc ?? n))
}
