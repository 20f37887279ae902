// The Gram matrix of a few long float vectors in double precision: the aggregators' one pass
// over the clients' updates (GPAggregate). Each product of two floats is exact in double and the
// sums run in double, so the result is as accurate as a double dot product of the vectors,
// which a float GEMM (rounding every product and every partial sum to float) is not.
//
// The AVX-512 path first converts the columns of every row to double once (into `scratch`),
// then works on 4×4 tiles of row pairs: per step it loads 8 doubles of each of the tile's up to
// 8 distinct rows and does 16 fused multiply-adds into 16 registers of 8 partial sums, which are
// added across lanes once per call. Short tiles repeat their last row (its results are dropped),
// so the inner loop has no edge cases; the last n % 8 columns are added in scalar code.
//
// fb_axpy_f64 is the other pass over the updates: sum += c·(double)x, 8 lanes at a time.
// The AVX2 and portable vector paths (GramTemplate.h) use the same scheme with 4-lane doubles.
#include "FedBoneKernels.h"
#include "KernelPaths.h"
#include "VectorMath.h"

enum { GRAM_TILE = 4 };

void fb_gram_f64_scalar(const float *const *rows, long count, long start, long n, double *scratch, double *sum) {
    (void)scratch;
    for (long i = 0; i < count; i++) {
        for (long j = i; j < count; j++) {
            const float *x = rows[i] + start, *y = rows[j] + start;
            double s = 0;
            for (long t = 0; t < n; t++) s += (double)x[t] * (double)y[t];
            sum[i * count + j] += s;
        }
    }
}

#ifdef FB_HAS_AVX512_PATH
/// One tile: rows a0…a0+3 against b0…b0+3 of the converted block `x` (count rows of n; indices
/// past `count` repeat the last row).
static FB_AVX512 void fb_gram_tile_avx512(const double *x, long count, long n, long a0, long b0, double *sum) {
    const double *a[GRAM_TILE], *b[GRAM_TILE];
    FB_UNROLL
    for (int r = 0; r < GRAM_TILE; r++) {
        a[r] = x + (a0 + r < count ? a0 + r : count - 1) * n;
        b[r] = x + (b0 + r < count ? b0 + r : count - 1) * n;
    }
    __m512d acc[GRAM_TILE][GRAM_TILE];
    FB_UNROLL
    for (int r = 0; r < GRAM_TILE; r++)
        FB_UNROLL
        for (int c = 0; c < GRAM_TILE; c++) acc[r][c] = _mm512_setzero_pd();
    long t = 0;
    for (; t + 8 <= n; t += 8) {
        __m512d va[GRAM_TILE], vb[GRAM_TILE];
        FB_UNROLL
        for (int r = 0; r < GRAM_TILE; r++) {
            va[r] = _mm512_loadu_pd(a[r] + t);
            vb[r] = _mm512_loadu_pd(b[r] + t);
        }
        FB_UNROLL
        for (int r = 0; r < GRAM_TILE; r++)
            FB_UNROLL
            for (int c = 0; c < GRAM_TILE; c++) acc[r][c] = _mm512_fmadd_pd(va[r], vb[c], acc[r][c]);
    }
    FB_UNROLL
    for (int r = 0; r < GRAM_TILE; r++) {
        long i = a0 + r;
        if (i >= count) break;
        FB_UNROLL
        for (int c = 0; c < GRAM_TILE; c++) {
            long j = b0 + c;
            if (j >= count || j < i) continue;
            double s = _mm512_reduce_add_pd(acc[r][c]);
            for (long u = t; u < n; u++) s += a[r][u] * b[c][u];
            sum[i * count + j] += s;
        }
    }
}

static FB_AVX512 void fb_gram_f64_avx512(const float *const *rows, long count, long start, long n, double *scratch,
                                         double *sum) {
    for (long i = 0; i < count; i++) {
        const float *src = rows[i] + start;
        double *dst = scratch + i * n;
        long t = 0;
        for (; t + 8 <= n; t += 8) _mm512_storeu_pd(dst + t, _mm512_cvtps_pd(_mm256_loadu_ps(src + t)));
        for (; t < n; t++) dst[t] = (double)src[t];
    }
    for (long a0 = 0; a0 < count; a0 += GRAM_TILE)
        for (long b0 = a0; b0 < count; b0 += GRAM_TILE) fb_gram_tile_avx512(scratch, count, n, a0, b0, sum);
}

static FB_AVX512 void fb_axpy_f64_avx512(long n, double c, const float *x, double *sum) {
    __m512d vc = _mm512_set1_pd(c);
    long t = 0;
    for (; t + 8 <= n; t += 8) {
        __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + t));
        _mm512_storeu_pd(sum + t, _mm512_fmadd_pd(vc, v, _mm512_loadu_pd(sum + t)));
    }
    for (; t < n; t++) sum[t] += c * (double)x[t];
}
#endif

void fb_gram_f64_isa(int isa, const float *const *rows, long count, long start, long n, double *scratch, double *sum) {
    FB_DISPATCH(isa, fb_gram_f64, rows, count, start, n, scratch, sum)
}

void fb_gram_f64(const float *const *rows, long count, long start, long n, double *scratch, double *sum) {
    fb_gram_f64_isa(fb_isa(), rows, count, start, n, scratch, sum);
}

void fb_axpy_f64_scalar(long n, double c, const float *x, double *sum) {
    for (long t = 0; t < n; t++) sum[t] += c * (double)x[t];
}

void fb_axpy_f64_isa(int isa, long n, double c, const float *x, double *sum) {
    FB_DISPATCH(isa, fb_axpy_f64, n, c, x, sum)
}

void fb_axpy_f64(long n, double c, const float *x, double *sum) {
    fb_axpy_f64_isa(fb_isa(), n, c, x, sum);
}
