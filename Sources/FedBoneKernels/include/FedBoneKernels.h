// The engine's compute kernels in C: an AVX-512 SGEMM for CPUs whose BLAS lacks AVX-512 kernels,
// and vectorised row kernels (layer norm, softmax, GELU, sums, transposes). Every row kernel has
// an AVX-512 path, an AVX2+FMA path, a portable vector path (NEON on arm64, SSE2 on x86-64) and
// a scalar reference; one dispatch point (fb_isa) picks the path at run time, so the package
// builds and runs fast on any x86-64 or arm64 machine.
// All kernels are single-threaded; the Swift side (FedBoneTensor) splits work across cores.
// Pointers name contiguous row-major float arrays; optional ones may be NULL.
#ifndef FEDBONE_KERNELS_H
#define FEDBONE_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Register tile of the GEMM kernel: at most 12 rows × 32 columns of C per call.
enum { FB_GEMM_MR = 12, FB_GEMM_NR = 32 };

/// The instruction-set paths of the kernels, from the scalar reference to the widest.
enum {
    /// Plain C loops: the reference every other path is tested against.
    FB_ISA_SCALAR = 0,
    /// 8-lane C vector extensions compiled for the baseline target: NEON on arm64, SSE2 on x86-64.
    FB_ISA_VECTOR = 1,
    /// The same vector code compiled for AVX2 and FMA (x86-64).
    FB_ISA_AVX2 = 2,
    /// Hand-written AVX-512F/DQ kernels with FMA (x86-64), including the SGEMM.
    FB_ISA_AVX512 = 3,
};

/// The path every kernel takes: the widest this CPU supports, or the one the environment
/// variable FEDBONE_ISA names (`avx512`, `avx2`, `vector`, `scalar`) when the CPU supports it.
/// Read once, on the first call.
int fb_isa(void);

/// Whether this CPU (and this build) can run `isa`'s path.
int fb_isa_supported(int isa);

/// The lower-case name of a path (`avx512`, `avx2`, `vector`, `scalar`), or "unknown".
const char *fb_isa_name(int isa);

/// C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C + bias, row-major as cblas_sgemm; op(A)
/// is A (stored m×k, row stride lda) or Aᵀ (A stored k×m); likewise op(B). bias (n values, or
/// NULL) is added to every row as C is written (a linear layer's bias without a pass of its
/// own). beta == 0 never reads C. Single-threaded. Returns 0, or -1 without touching C when
/// fb_isa() is not the AVX-512 path or a packing buffer cannot be allocated (the caller then
/// uses its BLAS).
int fb_sgemm(int transA, int transB, long m, long n, long k, float alpha,
             const float *a, long lda, const float *b, long ldb,
             float beta, float *c, long ldc, const float *bias);

/// A sum of products of shifted operands, in one pass over C: C[m×n] = alpha · Σ_t op(A_t) ·
/// B_t + beta · C with A_t = a + aOffsets[t] and B_t = b + bOffsets[t] (op as in fb_sgemm; B not
/// transposed, read in place). A convolution with a stride of 1 over a zero-padded image is such
/// a sum, one term per kernel tap, B_t being the padded image shifted by the tap: the sum runs
/// in registers instead of reading and writing C once per tap. Single-threaded. Returns 0, or -1
/// without touching C when fb_isa() is not the AVX-512 path.
int fb_sgemm_sum(int transA, long m, long n, long k, long terms, const long *aOffsets,
                 const long *bOffsets, float alpha, const float *a, long lda, const float *b,
                 long ldb, float beta, float *c, long ldc);

/// dst[j·ldd + i] = src[i·lds + j] for i < rows, j < cols (dst is cols × rows; no overlap).
void fb_transpose(const float *src, long rows, long cols, long lds, float *dst, long ldd);

/// Runs body(context, i) for every i in [0, count), on the calling thread and up to threads − 1
/// pool workers, and returns when all have finished. Calls from inside a body, from a second
/// thread while a loop runs, or with threads ≤ 1 run serially on the calling thread. Workers
/// spin about 0.2 ms after a loop before they sleep, so back-to-back loops start quickly.
void fb_parallel_for(long count, long threads, void (*body)(void *context, long index), void *context);

/// The geometry of a 2-D sliding window over one [channels, height, width] image.
typedef struct {
    long height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW;
} fb_window;

/// Writes the rows of channels [channelLo, channelHi) of the column matrix of `image` for the
/// output rows [rowLo, rowHi): `columns` is the whole band, [channels · kH · kW,
/// (rowHi − rowLo) · outW], and `image` the whole [channels, height, width] image.
void fb_im2col(const float *image, float *columns, const fb_window *window, long channelLo, long channelHi,
               long rowLo, long rowHi);

/// The adjoint of fb_im2col: adds each entry of the channels [channelLo, channelHi) of
/// `columns` into the pixel of `image` it was read from (padding entries are dropped).
void fb_col2im(const float *columns, float *image, const fb_window *window, long channelLo, long channelHi,
               long rowLo, long rowHi);

/// y = ½·x·(1 + erf(x/√2)) for n contiguous values (erf as a rational approximation, absolute
/// error below 5·10⁻⁷).
void fb_gelu_forward(const float *x, float *y, long n);

/// dx = g · (Φ(x) + x·φ(x)), the GELU backward, for n contiguous values.
void fb_gelu_backward(const float *x, const float *g, float *dx, long n);

/// The sum of n contiguous values (32 partial sums on the vector paths, in a fixed order).
float fb_sum(const float *x, long n);

/// Adds the Gram matrix of columns start…start+n−1 of `count` float rows to `sum` (count×count,
/// row-major, upper triangle i ≤ j only): sum[i·count + j] += Σ_t (double)rows[i][t]·(double)rows[j][t].
/// Products are exact and sums run in double (partial sums per lane on the vector paths).
/// `scratch` holds count·n doubles (the vector paths convert the rows into it once).
void fb_gram_f64(const float *const *rows, long count, long start, long n, double *scratch, double *sum);

/// sum[t] += c·(double)x[t] for n values: one term of a double-precision sum of float vectors.
void fb_axpy_f64(long n, double c, const float *x, double *sum);

/// y = softmax(x + bias + mask) over each of `rows` contiguous rows of n (bias and mask optional,
/// laid out as x; y may be x). exp of values below −87 is 0 (never subnormal).
void fb_softmax_rows(const float *x, float *y, const float *bias, const float *mask, long rows, long n);

/// dx = P ⊙ (g − rowsum(g ⊙ P)), the softmax backward, `rows` rows of n (dx may be g).
void fb_softmax_backward_rows(const float *grad, const float *p, float *dx, long rows, long n);

/// Layer norm of `rows` contiguous rows of d values: y = (x − μ)·rstd·w + b (w, b optional),
/// with the biased variance; stores each row's μ and rstd = 1/√(σ² + eps).
void fb_layer_norm_forward(const float *x, const float *w, const float *b, float *y,
                           float *mean, float *rstd, long rows, long d, float eps);

/// dx of layer norm from the saved statistics: with x̂ = (x − μ)·rstd and ĝ = g·w,
/// dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)).
void fb_layer_norm_backward_input(const float *g, const float *x, const float *w, const float *mean,
                                  const float *rstd, float *dx, long rows, long d);

/// Adds Σ_rows g·x̂ to dw[j] and Σ_rows g to db[j] (each optional) for every column j, rows in
/// order.
void fb_layer_norm_backward_params(const float *g, const float *x, const float *mean, const float *rstd,
                                   float *dw, float *db, long rows, long d);

// Each row kernel on an explicit path, for tests that check every path the CPU supports against
// the scalar reference: `isa` must satisfy fb_isa_supported. The kernels above call these with
// fb_isa().
void fb_gelu_forward_isa(int isa, const float *x, float *y, long n);
void fb_gelu_backward_isa(int isa, const float *x, const float *g, float *dx, long n);
float fb_sum_isa(int isa, const float *x, long n);
void fb_gram_f64_isa(int isa, const float *const *rows, long count, long start, long n, double *scratch, double *sum);
void fb_axpy_f64_isa(int isa, long n, double c, const float *x, double *sum);
void fb_transpose_isa(int isa, const float *src, long rows, long cols, long lds, float *dst, long ldd);
void fb_softmax_rows_isa(int isa, const float *x, float *y, const float *bias, const float *mask, long rows, long n);
void fb_softmax_backward_rows_isa(int isa, const float *grad, const float *p, float *dx, long rows, long n);
void fb_layer_norm_forward_isa(int isa, const float *x, const float *w, const float *b, float *y,
                               float *mean, float *rstd, long rows, long d, float eps);
void fb_layer_norm_backward_input_isa(int isa, const float *g, const float *x, const float *w, const float *mean,
                                      const float *rstd, float *dx, long rows, long d);
void fb_layer_norm_backward_params_isa(int isa, const float *g, const float *x, const float *mean,
                                       const float *rstd, float *dw, float *db, long rows, long d);

#ifdef __cplusplus
}
#endif
#endif
