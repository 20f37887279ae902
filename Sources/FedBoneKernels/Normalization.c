// Layer normalisation over the last dimension: forward with saved statistics, and backward.
// Statistics use two passes over the row in float with 16 partial sums: the mean of the
// values shifted by the row's first value (so a large common offset does not swamp the sum),
// then the mean squared deviation; as accurate as PyTorch's Welford update for these rows.
#include "FedBoneKernels.h"
#include "KernelPaths.h"
#include "VectorMath.h"

#ifdef FB_HAS_AVX512_PATH
static FB_AVX512 void fb_layer_norm_forward_avx512(const float *x, const float *w, const float *b, float *y,
                                                   float *mean, float *rstd, long rows, long d, float eps) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * d;
        float *yr = y + r * d;
        __m512 vs = _mm512_setzero_ps(), shift = _mm512_set1_ps(xr[0]);
        for (long j = 0; j < d; j += 16) {
            __mmask16 lanes = fb_lanes(d - j);
            vs = _mm512_add_ps(vs, _mm512_maskz_sub_ps(lanes, _mm512_maskz_loadu_ps(lanes, xr + j), shift));
        }
        float mu = xr[0] + _mm512_reduce_add_ps(vs) / (float)d;
        __m512 vm = _mm512_set1_ps(mu), vq = _mm512_setzero_ps();
        for (long j = 0; j < d; j += 16) {
            __mmask16 lanes = fb_lanes(d - j);
            __m512 c = _mm512_maskz_sub_ps(lanes, _mm512_maskz_loadu_ps(lanes, xr + j), vm);
            vq = _mm512_fmadd_ps(c, c, vq);
        }
        float rs = 1.0f / sqrtf(_mm512_reduce_add_ps(vq) / (float)d + eps);
        mean[r] = mu;
        rstd[r] = rs;
        __m512 vr = _mm512_set1_ps(rs);
        for (long j = 0; j < d; j += 16) {
            __mmask16 lanes = fb_lanes(d - j);
            __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, xr + j), vm), vr);
            if (w) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(lanes, w + j));
            if (b) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(lanes, b + j));
            _mm512_mask_storeu_ps(yr + j, lanes, v);
        }
    }
}

static FB_AVX512 void fb_layer_norm_backward_input_avx512(const float *g, const float *x, const float *w,
                                                          const float *mean, const float *rstd, float *dx,
                                                          long rows, long d) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        float *dr = dx + r * d;
        __m512 vm = _mm512_set1_ps(mean[r]), vr = _mm512_set1_ps(rstd[r]);
        __m512 sg = _mm512_setzero_ps(), sgx = _mm512_setzero_ps();
        for (long j = 0; j < d; j += 16) {
            __mmask16 lanes = fb_lanes(d - j);
            __m512 gh = _mm512_maskz_loadu_ps(lanes, gr + j);
            if (w) gh = _mm512_mul_ps(gh, _mm512_maskz_loadu_ps(lanes, w + j));
            __m512 xh = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, xr + j), vm), vr);
            sg = _mm512_add_ps(sg, gh);
            sgx = _mm512_fmadd_ps(gh, _mm512_maskz_mov_ps(lanes, xh), sgx);
        }
        __m512 meanG = _mm512_set1_ps(_mm512_reduce_add_ps(sg) / (float)d);
        __m512 meanGX = _mm512_set1_ps(_mm512_reduce_add_ps(sgx) / (float)d);
        for (long j = 0; j < d; j += 16) {
            __mmask16 lanes = fb_lanes(d - j);
            __m512 gh = _mm512_maskz_loadu_ps(lanes, gr + j);
            if (w) gh = _mm512_mul_ps(gh, _mm512_maskz_loadu_ps(lanes, w + j));
            __m512 xh = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, xr + j), vm), vr);
            __m512 v = _mm512_fnmadd_ps(xh, meanGX, _mm512_sub_ps(gh, meanG));
            _mm512_mask_storeu_ps(dr + j, lanes, _mm512_mul_ps(vr, v));
        }
    }
}

static FB_AVX512 void fb_layer_norm_backward_params_avx512(const float *g, const float *x, const float *mean,
                                                           const float *rstd, float *dw, float *db,
                                                           long rows, long d) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        __m512 vm = _mm512_set1_ps(mean[r]), vr = _mm512_set1_ps(rstd[r]);
        for (long j = 0; j < d; j += 16) {
            __mmask16 lanes = fb_lanes(d - j);
            __m512 gv = _mm512_maskz_loadu_ps(lanes, gr + j);
            if (dw) {
                __m512 xh = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, xr + j), vm), vr);
                _mm512_mask_storeu_ps(dw + j, lanes, _mm512_fmadd_ps(gv, xh, _mm512_maskz_loadu_ps(lanes, dw + j)));
            }
            if (db) _mm512_mask_storeu_ps(db + j, lanes, _mm512_add_ps(gv, _mm512_maskz_loadu_ps(lanes, db + j)));
        }
    }
}
#endif

void fb_layer_norm_forward_scalar(const float *x, const float *w, const float *b, float *y,
                           float *mean, float *rstd, long rows, long d, float eps) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * d;
        float *yr = y + r * d;
        float s = 0, q = 0;
        for (long j = 0; j < d; j++) s += xr[j] - xr[0];
        float mu = xr[0] + s / (float)d;
        for (long j = 0; j < d; j++) q += (xr[j] - mu) * (xr[j] - mu);
        float rs = 1.0f / sqrtf(q / (float)d + eps);
        mean[r] = mu;
        rstd[r] = rs;
        for (long j = 0; j < d; j++) {
            float v = (xr[j] - mu) * rs;
            if (w) v *= w[j];
            if (b) v += b[j];
            yr[j] = v;
        }
    }
}

void fb_layer_norm_forward_isa(int isa, const float *x, const float *w, const float *b, float *y,
                           float *mean, float *rstd, long rows, long d, float eps) {
    FB_DISPATCH(isa, fb_layer_norm_forward, x, w, b, y, mean, rstd, rows, d, eps)
}

void fb_layer_norm_forward(const float *x, const float *w, const float *b, float *y,
                           float *mean, float *rstd, long rows, long d, float eps) {
    fb_layer_norm_forward_isa(fb_isa(), x, w, b, y, mean, rstd, rows, d, eps);
}

void fb_layer_norm_backward_input_scalar(const float *g, const float *x, const float *w, const float *mean,
                                  const float *rstd, float *dx, long rows, long d) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        float m = mean[r], rs = rstd[r], sg = 0, sgx = 0;
        for (long j = 0; j < d; j++) {
            float gh = w ? gr[j] * w[j] : gr[j];
            sg += gh;
            sgx += gh * (xr[j] - m) * rs;
        }
        float meanG = sg / (float)d, meanGX = sgx / (float)d;
        for (long j = 0; j < d; j++) {
            float gh = w ? gr[j] * w[j] : gr[j];
            dx[r * d + j] = rs * (gh - meanG - (xr[j] - m) * rs * meanGX);
        }
    }
}

void fb_layer_norm_backward_input_isa(int isa, const float *g, const float *x, const float *w, const float *mean,
                                  const float *rstd, float *dx, long rows, long d) {
    FB_DISPATCH(isa, fb_layer_norm_backward_input, g, x, w, mean, rstd, dx, rows, d)
}

void fb_layer_norm_backward_input(const float *g, const float *x, const float *w, const float *mean,
                                  const float *rstd, float *dx, long rows, long d) {
    fb_layer_norm_backward_input_isa(fb_isa(), g, x, w, mean, rstd, dx, rows, d);
}

void fb_layer_norm_backward_params_scalar(const float *g, const float *x, const float *mean, const float *rstd,
                                   float *dw, float *db, long rows, long d) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        for (long j = 0; j < d; j++) {
            if (dw) dw[j] += gr[j] * (xr[j] - mean[r]) * rstd[r];
            if (db) db[j] += gr[j];
        }
    }
}

void fb_layer_norm_backward_params_isa(int isa, const float *g, const float *x, const float *mean, const float *rstd,
                                   float *dw, float *db, long rows, long d) {
    FB_DISPATCH(isa, fb_layer_norm_backward_params, g, x, mean, rstd, dw, db, rows, d)
}

void fb_layer_norm_backward_params(const float *g, const float *x, const float *mean, const float *rstd,
                                   float *dw, float *db, long rows, long d) {
    fb_layer_norm_backward_params_isa(fb_isa(), g, x, mean, rstd, dw, db, rows, d);
}
