// Row softmax with an optional additive bias and mask (attention scores), and its backward.
#include "FedBoneKernels.h"
#include "KernelPaths.h"
#include "VectorMath.h"

#ifdef FB_HAS_AVX512_PATH
static FB_AVX512 void fb_softmax_rows_avx512(const float *x, float *y, const float *bias, const float *mask,
                                             long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *in = x + r * n;
        float *row = y + r * n;
        const float *br = bias ? bias + r * n : 0, *mr = mask ? mask + r * n : 0;
        __m512 vmax = _mm512_set1_ps(-INFINITY);
        for (long j = 0; j < n; j += 16) {
            __mmask16 lanes = fb_lanes(n - j);
            __m512 v = _mm512_maskz_loadu_ps(lanes, in + j);
            if (br) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(lanes, br + j));
            if (mr) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(lanes, mr + j));
            _mm512_mask_storeu_ps(row + j, lanes, v);
            vmax = _mm512_mask_max_ps(vmax, lanes, vmax, v);
        }
        __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
        __m512 vsum = _mm512_setzero_ps();
        for (long j = 0; j < n; j += 16) {
            __mmask16 lanes = fb_lanes(n - j);
            __m512 e = fb_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, row + j), m));
            e = _mm512_maskz_mov_ps(lanes, e);
            _mm512_mask_storeu_ps(row + j, lanes, e);
            vsum = _mm512_add_ps(vsum, e);
        }
        __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(vsum));
        for (long j = 0; j < n; j += 16) {
            __mmask16 lanes = fb_lanes(n - j);
            _mm512_mask_storeu_ps(row + j, lanes, _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, row + j), inv));
        }
    }
}

static FB_AVX512 void fb_softmax_backward_rows_avx512(const float *grad, const float *p, float *dx, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *g = grad + r * n, *pr = p + r * n;
        float *d = dx + r * n;
        __m512 vdot = _mm512_setzero_ps();
        for (long j = 0; j < n; j += 16) {
            __mmask16 lanes = fb_lanes(n - j);
            vdot = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(lanes, g + j), _mm512_maskz_loadu_ps(lanes, pr + j), vdot);
        }
        __m512 dot = _mm512_set1_ps(_mm512_reduce_add_ps(vdot));
        for (long j = 0; j < n; j += 16) {
            __mmask16 lanes = fb_lanes(n - j);
            __m512 v = _mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, g + j), dot);
            _mm512_mask_storeu_ps(d + j, lanes, _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, pr + j), v));
        }
    }
}
#endif

void fb_softmax_rows_scalar(const float *x, float *y, const float *bias, const float *mask, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        float *row = y + r * n;
        float m = -INFINITY, sum = 0;
        for (long j = 0; j < n; j++) {
            row[j] = x[r * n + j];
            if (bias) row[j] += bias[r * n + j];
            if (mask) row[j] += mask[r * n + j];
            m = row[j] > m ? row[j] : m;
        }
        for (long j = 0; j < n; j++) {
            row[j] = fb_exp1(row[j] - m);
            sum += row[j];
        }
        float inv = 1.0f / sum;
        for (long j = 0; j < n; j++) row[j] *= inv;
    }
}

void fb_softmax_rows_isa(int isa, const float *x, float *y, const float *bias, const float *mask, long rows, long n) {
    FB_DISPATCH(isa, fb_softmax_rows, x, y, bias, mask, rows, n)
}

void fb_softmax_rows(const float *x, float *y, const float *bias, const float *mask, long rows, long n) {
    fb_softmax_rows_isa(fb_isa(), x, y, bias, mask, rows, n);
}

void fb_softmax_backward_rows_scalar(const float *grad, const float *p, float *dx, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *g = grad + r * n, *pr = p + r * n;
        float dot = 0;
        for (long j = 0; j < n; j++) dot += g[j] * pr[j];
        for (long j = 0; j < n; j++) dx[r * n + j] = pr[j] * (g[j] - dot);
    }
}

void fb_softmax_backward_rows_isa(int isa, const float *grad, const float *p, float *dx, long rows, long n) {
    FB_DISPATCH(isa, fb_softmax_backward_rows, grad, p, dx, rows, n)
}

void fb_softmax_backward_rows(const float *grad, const float *p, float *dx, long rows, long n) {
    fb_softmax_backward_rows_isa(fb_isa(), grad, p, dx, rows, n);
}
