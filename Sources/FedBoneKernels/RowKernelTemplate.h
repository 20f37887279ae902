// The row kernels written once in 8-lane C vector extensions, compiled once per path: the file
// that includes this defines FB_PATH(name) (the path's function name) and FB_PATH_TARGET (its
// target attribute, empty for the baseline). Same formulas as the scalar reference in each
// kernel's file (VectorMath.h's exp and erf); the compiler maps the lanes to NEON, SSE2 or AVX2
// registers and fuses multiply-adds where the target has FMA. Partial vectors at row ends are
// loaded with a neutral filler (0, −∞, or the row's shift) and stored lane by lane, so every
// lane runs the same formula. Internal to FedBoneKernels; no include guard on purpose.
#include "FedBoneKernels.h"
#include "KernelPaths.h"
#include "VectorMath.h"
#include <math.h>

#ifndef FEDBONE_VECTOR_TYPES
#define FEDBONE_VECTOR_TYPES
typedef float fb_v8 __attribute__((ext_vector_type(8)));
typedef int fb_v8i __attribute__((ext_vector_type(8)));
#endif

#define FB_V static inline __attribute__((always_inline)) FB_PATH_TARGET

FB_V fb_v8 FB_PATH(fb_load)(const float *p) {
    fb_v8 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

FB_V void FB_PATH(fb_store)(float *p, fb_v8 v) { __builtin_memcpy(p, &v, sizeof v); }

/// The first `count` (< 8) values at p, the other lanes `fill`.
FB_V fb_v8 FB_PATH(fb_load_part)(const float *p, long count, float fill) {
    fb_v8 v = fill;
    for (long i = 0; i < count; i++) v[i] = p[i];
    return v;
}

FB_V void FB_PATH(fb_store_part)(float *p, fb_v8 v, long count) {
    for (long i = 0; i < count; i++) p[i] = v[i];
}

/// The lanes of v added in a fixed order.
FB_V float FB_PATH(fb_total)(fb_v8 v) { return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])); }

FB_V float FB_PATH(fb_largest)(fb_v8 v) {
    float m = v[0];
    for (int i = 1; i < 8; i++) m = v[i] > m ? v[i] : m;
    return m;
}

/// 8 lanes of fb_exp1: the 2ⁿ factor built in the exponent bits (n ∈ [−126, 126] after the clamp).
FB_V fb_v8 FB_PATH(fb_vexp)(fb_v8 value) {
    const float round = 12582912.0f;  // 1.5·2²³: adding and subtracting it rounds to nearest even
    fb_v8 x = __builtin_elementwise_min(__builtin_elementwise_max(value, (fb_v8)-87.0f), (fb_v8)87.0f);
    fb_v8 n = (x * 1.44269504088896341f + round) - round;
    fb_v8 r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
    fb_v8 er = FB_EXP_REDUCED(r);
    fb_v8i bits = (__builtin_convertvector(n, fb_v8i) + 127) << 23;
    fb_v8 e = er * (fb_v8)bits;
    fb_v8i under = value < -87.0f;
    return (fb_v8)((fb_v8i)e & ~under);
}

/// 8 lanes of fb_erf1.
FB_V fb_v8 FB_PATH(fb_verf)(fb_v8 value) {
    fb_v8 x = __builtin_elementwise_min(__builtin_elementwise_max(value, (fb_v8)-4.0f), (fb_v8)4.0f);
    fb_v8 x2 = x * x;
    return x * FB_ERF_NUMERATOR(x2) / FB_ERF_DENOMINATOR(x2);
}

FB_V fb_v8 FB_PATH(fb_vgelu)(fb_v8 v) {
    return v * (0.5f * (1.0f + FB_PATH(fb_verf)(v * 0.70710678118654752f)));
}

FB_V fb_v8 FB_PATH(fb_vgelu_derivative)(fb_v8 v) {
    fb_v8 cdf = 0.5f * (1.0f + FB_PATH(fb_verf)(v * 0.70710678118654752f));
    fb_v8 pdf = 0.39894228040143268f * FB_PATH(fb_vexp)(-0.5f * v * v);
    return v * pdf + cdf;
}

FB_PATH_TARGET void FB_PATH(fb_gelu_forward)(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) FB_PATH(fb_store)(y + i, FB_PATH(fb_vgelu)(FB_PATH(fb_load)(x + i)));
    if (i < n) FB_PATH(fb_store_part)(y + i, FB_PATH(fb_vgelu)(FB_PATH(fb_load_part)(x + i, n - i, 0)), n - i);
}

FB_PATH_TARGET void FB_PATH(fb_gelu_backward)(const float *x, const float *g, float *dx, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8)
        FB_PATH(fb_store)(dx + i, FB_PATH(fb_load)(g + i) * FB_PATH(fb_vgelu_derivative)(FB_PATH(fb_load)(x + i)));
    if (i < n) {
        fb_v8 d = FB_PATH(fb_vgelu_derivative)(FB_PATH(fb_load_part)(x + i, n - i, 0));
        FB_PATH(fb_store_part)(dx + i, FB_PATH(fb_load_part)(g + i, n - i, 0) * d, n - i);
    }
}

FB_PATH_TARGET float FB_PATH(fb_sum)(const float *x, long n) {
    fb_v8 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 += FB_PATH(fb_load)(x + i);
        s1 += FB_PATH(fb_load)(x + i + 8);
        s2 += FB_PATH(fb_load)(x + i + 16);
        s3 += FB_PATH(fb_load)(x + i + 24);
    }
    for (; i + 8 <= n; i += 8) s0 += FB_PATH(fb_load)(x + i);
    if (i < n) s1 += FB_PATH(fb_load_part)(x + i, n - i, 0);
    return FB_PATH(fb_total)((s0 + s1) + (s2 + s3));
}

FB_V fb_v8 FB_PATH(fb_zip_lo)(fb_v8 a, fb_v8 b) { return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
FB_V fb_v8 FB_PATH(fb_zip_hi)(fb_v8 a, fb_v8 b) { return __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }

FB_PATH_TARGET void FB_PATH(fb_transpose)(const float *src, long rows, long cols, long lds, float *dst, long ldd) {
    long i0 = 0;
    for (; i0 + 8 <= rows; i0 += 8) {
        long j0 = 0;
        for (; j0 + 8 <= cols; j0 += 8) {
            fb_v8 r[8], t[8];
            FB_UNROLL
            for (int i = 0; i < 8; i++) r[i] = FB_PATH(fb_load)(src + (i0 + i) * lds + j0);
            // Three perfect shuffles of the 8 rows transpose the block.
            for (int round = 0; round < 3; round++) {
                FB_UNROLL
                for (int i = 0; i < 4; i++) {
                    t[2 * i] = FB_PATH(fb_zip_lo)(r[i], r[i + 4]);
                    t[2 * i + 1] = FB_PATH(fb_zip_hi)(r[i], r[i + 4]);
                }
                FB_UNROLL
                for (int i = 0; i < 8; i++) r[i] = t[i];
            }
            FB_UNROLL
            for (int j = 0; j < 8; j++) FB_PATH(fb_store)(dst + (j0 + j) * ldd + i0, r[j]);
        }
        for (long i = i0; i < i0 + 8; i++)
            for (long j = j0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
    }
    for (long i = i0; i < rows; i++)
        for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

FB_PATH_TARGET void FB_PATH(fb_softmax_rows)(const float *x, float *y, const float *bias, const float *mask,
                                             long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *in = x + r * n, *br = bias ? bias + r * n : 0, *mr = mask ? mask + r * n : 0;
        float *row = y + r * n;
        fb_v8 vmax = -INFINITY;
        long j = 0;
        for (; j + 8 <= n; j += 8) {
            fb_v8 v = FB_PATH(fb_load)(in + j);
            if (br) v += FB_PATH(fb_load)(br + j);
            if (mr) v += FB_PATH(fb_load)(mr + j);
            FB_PATH(fb_store)(row + j, v);
            vmax = __builtin_elementwise_max(vmax, v);
        }
        if (j < n) {
            fb_v8 v = FB_PATH(fb_load_part)(in + j, n - j, -INFINITY);
            if (br) v += FB_PATH(fb_load_part)(br + j, n - j, 0);
            if (mr) v += FB_PATH(fb_load_part)(mr + j, n - j, 0);
            FB_PATH(fb_store_part)(row + j, v, n - j);
            vmax = __builtin_elementwise_max(vmax, v);
        }
        float m = FB_PATH(fb_largest)(vmax);
        fb_v8 vsum = 0;
        for (j = 0; j + 8 <= n; j += 8) {
            fb_v8 e = FB_PATH(fb_vexp)(FB_PATH(fb_load)(row + j) - m);
            FB_PATH(fb_store)(row + j, e);
            vsum += e;
        }
        if (j < n) {
            fb_v8 e = FB_PATH(fb_vexp)(FB_PATH(fb_load_part)(row + j, n - j, -INFINITY) - m);
            FB_PATH(fb_store_part)(row + j, e, n - j);
            vsum += e;
        }
        float inv = 1.0f / FB_PATH(fb_total)(vsum);
        for (j = 0; j + 8 <= n; j += 8) FB_PATH(fb_store)(row + j, FB_PATH(fb_load)(row + j) * inv);
        for (; j < n; j++) row[j] *= inv;
    }
}

FB_PATH_TARGET void FB_PATH(fb_softmax_backward_rows)(const float *grad, const float *p, float *dx, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *g = grad + r * n, *pr = p + r * n;
        float *d = dx + r * n;
        fb_v8 vdot = 0;
        long j = 0;
        for (; j + 8 <= n; j += 8) vdot += FB_PATH(fb_load)(g + j) * FB_PATH(fb_load)(pr + j);
        if (j < n) vdot += FB_PATH(fb_load_part)(g + j, n - j, 0) * FB_PATH(fb_load_part)(pr + j, n - j, 0);
        float dot = FB_PATH(fb_total)(vdot);
        for (j = 0; j + 8 <= n; j += 8)
            FB_PATH(fb_store)(d + j, FB_PATH(fb_load)(pr + j) * (FB_PATH(fb_load)(g + j) - dot));
        for (; j < n; j++) d[j] = pr[j] * (g[j] - dot);
    }
}

FB_PATH_TARGET void FB_PATH(fb_layer_norm_forward)(const float *x, const float *w, const float *b, float *y,
                                                   float *mean, float *rstd, long rows, long d, float eps) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * d;
        float *yr = y + r * d;
        float shift = xr[0];
        fb_v8 vs = 0;
        long j = 0;
        for (; j + 8 <= d; j += 8) vs += FB_PATH(fb_load)(xr + j) - shift;
        if (j < d) vs += FB_PATH(fb_load_part)(xr + j, d - j, shift) - shift;
        float mu = shift + FB_PATH(fb_total)(vs) / (float)d;
        fb_v8 vq = 0;
        for (j = 0; j + 8 <= d; j += 8) {
            fb_v8 c = FB_PATH(fb_load)(xr + j) - mu;
            vq += c * c;
        }
        if (j < d) {
            fb_v8 c = FB_PATH(fb_load_part)(xr + j, d - j, mu) - mu;
            vq += c * c;
        }
        float rs = 1.0f / sqrtf(FB_PATH(fb_total)(vq) / (float)d + eps);
        mean[r] = mu;
        rstd[r] = rs;
        for (j = 0; j < d; j += 8) {
            long count = d - j < 8 ? d - j : 8;
            fb_v8 v = (count == 8 ? FB_PATH(fb_load)(xr + j) : FB_PATH(fb_load_part)(xr + j, count, mu)) - mu;
            v *= rs;
            if (w) v *= count == 8 ? FB_PATH(fb_load)(w + j) : FB_PATH(fb_load_part)(w + j, count, 0);
            if (b) v += count == 8 ? FB_PATH(fb_load)(b + j) : FB_PATH(fb_load_part)(b + j, count, 0);
            if (count == 8) FB_PATH(fb_store)(yr + j, v);
            else FB_PATH(fb_store_part)(yr + j, v, count);
        }
    }
}

FB_PATH_TARGET void FB_PATH(fb_layer_norm_backward_input)(const float *g, const float *x, const float *w,
                                                          const float *mean, const float *rstd, float *dx,
                                                          long rows, long d) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        float *dr = dx + r * d;
        float m = mean[r], rs = rstd[r];
        fb_v8 sg = 0, sgx = 0;
        for (long j = 0; j < d; j += 8) {
            long count = d - j < 8 ? d - j : 8;
            fb_v8 gh = count == 8 ? FB_PATH(fb_load)(gr + j) : FB_PATH(fb_load_part)(gr + j, count, 0);
            if (w) gh *= count == 8 ? FB_PATH(fb_load)(w + j) : FB_PATH(fb_load_part)(w + j, count, 0);
            fb_v8 xh = ((count == 8 ? FB_PATH(fb_load)(xr + j) : FB_PATH(fb_load_part)(xr + j, count, m)) - m) * rs;
            sg += gh;
            sgx += gh * xh;
        }
        float meanG = FB_PATH(fb_total)(sg) / (float)d, meanGX = FB_PATH(fb_total)(sgx) / (float)d;
        for (long j = 0; j < d; j += 8) {
            long count = d - j < 8 ? d - j : 8;
            fb_v8 gh = count == 8 ? FB_PATH(fb_load)(gr + j) : FB_PATH(fb_load_part)(gr + j, count, 0);
            if (w) gh *= count == 8 ? FB_PATH(fb_load)(w + j) : FB_PATH(fb_load_part)(w + j, count, 0);
            fb_v8 xh = ((count == 8 ? FB_PATH(fb_load)(xr + j) : FB_PATH(fb_load_part)(xr + j, count, m)) - m) * rs;
            fb_v8 v = rs * ((gh - meanG) - xh * meanGX);
            if (count == 8) FB_PATH(fb_store)(dr + j, v);
            else FB_PATH(fb_store_part)(dr + j, v, count);
        }
    }
}

FB_PATH_TARGET void FB_PATH(fb_layer_norm_backward_params)(const float *g, const float *x, const float *mean,
                                                           const float *rstd, float *dw, float *db,
                                                           long rows, long d) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        float m = mean[r], rs = rstd[r];
        long j = 0;
        for (; j + 8 <= d; j += 8) {
            fb_v8 gv = FB_PATH(fb_load)(gr + j);
            if (dw) FB_PATH(fb_store)(dw + j, FB_PATH(fb_load)(dw + j) + gv * ((FB_PATH(fb_load)(xr + j) - m) * rs));
            if (db) FB_PATH(fb_store)(db + j, FB_PATH(fb_load)(db + j) + gv);
        }
        for (; j < d; j++) {
            if (dw) dw[j] += gr[j] * ((xr[j] - m) * rs);
            if (db) db[j] += gr[j];
        }
    }
}

#undef FB_V
