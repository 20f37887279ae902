// The Gram matrix of a few long float vectors in double precision: the aggregators' one pass
// over the clients' updates (GPAggregate). Each product of two floats is exact in double and the
// sums run in double, so the result is as accurate as a double dot product of the vectors,
// which a float GEMM (rounding every product and every partial sum to float) is not.
//
// The AVX-512 path works on 4×4 tiles of row pairs: per step it converts 8 floats of each of
// the tile's up to 8 distinct rows to double and does 16 fused multiply-adds into 16 registers
// of 8 partial sums, which are added across lanes once per call. Short tiles repeat their last
// row (its results are dropped), so the inner loop has no edge cases; the last n % 8 columns are
// added in scalar code.
#include "FedBoneKernels.h"
#include "VectorMath.h"

enum { GRAM_TILE = 4 };

void fb_gram_f64_portable(const float *const *rows, long count, long start, long n, double *sum) {
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
/// One tile: rows a0…a0+3 against b0…b0+3 (indices past `count` repeat the last row).
static FB_AVX512 void fb_gram_tile_avx512(const float *const *rows, long count, long start, long n,
                                          long a0, long b0, double *sum) {
    const float *a[GRAM_TILE], *b[GRAM_TILE];
    for (int r = 0; r < GRAM_TILE; r++) {
        a[r] = rows[a0 + r < count ? a0 + r : count - 1] + start;
        b[r] = rows[b0 + r < count ? b0 + r : count - 1] + start;
    }
    __m512d acc[GRAM_TILE][GRAM_TILE];
    for (int r = 0; r < GRAM_TILE; r++)
        for (int c = 0; c < GRAM_TILE; c++) acc[r][c] = _mm512_setzero_pd();
    long t = 0;
    for (; t + 8 <= n; t += 8) {
        __m512d va[GRAM_TILE], vb[GRAM_TILE];
        for (int r = 0; r < GRAM_TILE; r++) {
            va[r] = _mm512_cvtps_pd(_mm256_loadu_ps(a[r] + t));
            vb[r] = _mm512_cvtps_pd(_mm256_loadu_ps(b[r] + t));
        }
        for (int r = 0; r < GRAM_TILE; r++)
            for (int c = 0; c < GRAM_TILE; c++) acc[r][c] = _mm512_fmadd_pd(va[r], vb[c], acc[r][c]);
    }
    for (int r = 0; r < GRAM_TILE; r++) {
        long i = a0 + r;
        if (i >= count) break;
        for (int c = 0; c < GRAM_TILE; c++) {
            long j = b0 + c;
            if (j >= count || j < i) continue;
            double s = _mm512_reduce_add_pd(acc[r][c]);
            for (long u = t; u < n; u++) s += (double)a[r][u] * (double)b[c][u];
            sum[i * count + j] += s;
        }
    }
}

static FB_AVX512 void fb_gram_f64_avx512(const float *const *rows, long count, long start, long n, double *sum) {
    for (long a0 = 0; a0 < count; a0 += GRAM_TILE)
        for (long b0 = a0; b0 < count; b0 += GRAM_TILE) fb_gram_tile_avx512(rows, count, start, n, a0, b0, sum);
}
#endif

void fb_gram_f64(const float *const *rows, long count, long start, long n, double *sum) {
#ifdef FB_HAS_AVX512_PATH
    if (fb_avx512_available()) {
        fb_gram_f64_avx512(rows, count, start, n, sum);
        return;
    }
#endif
    fb_gram_f64_portable(rows, count, start, n, sum);
}
