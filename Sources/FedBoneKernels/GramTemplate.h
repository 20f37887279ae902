// The Gram kernels (Gram.c) in 4-lane double C vector extensions, compiled once per path like
// RowKernelTemplate.h (the including file defines FB_PATH and FB_PATH_TARGET): the rows'
// columns are converted to double once into `scratch`, then 4×4 tiles of row pairs accumulate
// 16 vectors of 4 partial sums, added across lanes in a fixed order once per call. Short tiles
// repeat their last row (its results are dropped). Internal to FedBoneKernels; no include
// guard on purpose.
#include "FedBoneKernels.h"
#include "KernelPaths.h"
#include "VectorMath.h"

#ifndef FEDBONE_DOUBLE_VECTOR_TYPES
#define FEDBONE_DOUBLE_VECTOR_TYPES
typedef double fb_v4d __attribute__((ext_vector_type(4)));
#endif

#define FB_VD static inline __attribute__((always_inline)) FB_PATH_TARGET

FB_VD fb_v4d FB_PATH(fb_load4d)(const double *p) {
    fb_v4d v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

/// One 4×4 tile: rows a0…a0+3 against b0…b0+3 of the converted block `x` (count rows of n).
FB_VD void FB_PATH(fb_gram_tile)(const double *x, long count, long n, long a0, long b0, double *sum) {
    const double *a[4], *b[4];
    FB_UNROLL
    for (int r = 0; r < 4; r++) {
        a[r] = x + (a0 + r < count ? a0 + r : count - 1) * n;
        b[r] = x + (b0 + r < count ? b0 + r : count - 1) * n;
    }
    fb_v4d acc[4][4];
    FB_UNROLL
    for (int r = 0; r < 4; r++)
        FB_UNROLL
        for (int c = 0; c < 4; c++) acc[r][c] = 0;
    long t = 0;
    for (; t + 4 <= n; t += 4) {
        fb_v4d va[4], vb[4];
        FB_UNROLL
        for (int r = 0; r < 4; r++) {
            va[r] = FB_PATH(fb_load4d)(a[r] + t);
            vb[r] = FB_PATH(fb_load4d)(b[r] + t);
        }
        FB_UNROLL
        for (int r = 0; r < 4; r++)
            FB_UNROLL
            for (int c = 0; c < 4; c++) acc[r][c] += va[r] * vb[c];
    }
    FB_UNROLL
    for (int r = 0; r < 4; r++) {
        long i = a0 + r;
        if (i >= count) break;
        FB_UNROLL
        for (int c = 0; c < 4; c++) {
            long j = b0 + c;
            if (j >= count || j < i) continue;
            fb_v4d v = acc[r][c];
            double s = (v[0] + v[2]) + (v[1] + v[3]);
            for (long u = t; u < n; u++) s += a[r][u] * b[c][u];
            sum[i * count + j] += s;
        }
    }
}

FB_PATH_TARGET void FB_PATH(fb_gram_f64)(const float *const *rows, long count, long start, long n, double *scratch,
                                         double *sum) {
    for (long i = 0; i < count; i++) {
        const float *src = rows[i] + start;
        double *dst = scratch + i * n;
        for (long t = 0; t < n; t++) dst[t] = (double)src[t];
    }
    for (long a0 = 0; a0 < count; a0 += 4)
        for (long b0 = a0; b0 < count; b0 += 4) FB_PATH(fb_gram_tile)(scratch, count, n, a0, b0, sum);
}

FB_PATH_TARGET void FB_PATH(fb_axpy_f64)(long n, double c, const float *x, double *sum) {
    for (long t = 0; t < n; t++) sum[t] += c * (double)x[t];
}

#undef FB_VD
