// GELU (exact, erf form) forward and backward over contiguous arrays, and a vectorised sum.
#include "FedBoneKernels.h"
#include "KernelPaths.h"
#include "VectorMath.h"

static const float fb_sqrt_half = 0.70710678118654752f, fb_inv_sqrt_2pi = 0.39894228040143268f;

#ifdef FB_HAS_AVX512_PATH
static FB_AVX512 void fb_gelu_forward_avx512(const float *x, float *y, long n) {
    const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f), s = _mm512_set1_ps(fb_sqrt_half);
    for (long i = 0; i < n; i += 16) {
        __mmask16 lanes = fb_lanes(n - i);
        __m512 v = _mm512_maskz_loadu_ps(lanes, x + i);
        __m512 cdf = _mm512_mul_ps(half, _mm512_add_ps(one, fb_erf16(_mm512_mul_ps(v, s))));
        _mm512_mask_storeu_ps(y + i, lanes, _mm512_mul_ps(v, cdf));
    }
}

static FB_AVX512 void fb_gelu_backward_avx512(const float *x, const float *g, float *dx, long n) {
    const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f), s = _mm512_set1_ps(fb_sqrt_half);
    const __m512 c = _mm512_set1_ps(fb_inv_sqrt_2pi), minusHalf = _mm512_set1_ps(-0.5f);
    for (long i = 0; i < n; i += 16) {
        __mmask16 lanes = fb_lanes(n - i);
        __m512 v = _mm512_maskz_loadu_ps(lanes, x + i);
        __m512 cdf = _mm512_mul_ps(half, _mm512_add_ps(one, fb_erf16(_mm512_mul_ps(v, s))));
        __m512 pdf = _mm512_mul_ps(c, fb_exp16(_mm512_mul_ps(minusHalf, _mm512_mul_ps(v, v))));
        __m512 derivative = _mm512_fmadd_ps(v, pdf, cdf);
        _mm512_mask_storeu_ps(dx + i, lanes, _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, g + i), derivative));
    }
}
#endif

void fb_gelu_forward_scalar(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + fb_erf1(x[i] * fb_sqrt_half));
}

void fb_gelu_forward_isa(int isa, const float *x, float *y, long n) {
    FB_DISPATCH(isa, fb_gelu_forward, x, y, n)
}

void fb_gelu_forward(const float *x, float *y, long n) {
    fb_gelu_forward_isa(fb_isa(), x, y, n);
}

void fb_gelu_backward_scalar(const float *x, const float *g, float *dx, long n) {
    for (long i = 0; i < n; i++) {
        float cdf = 0.5f * (1.0f + fb_erf1(x[i] * fb_sqrt_half));
        float pdf = fb_inv_sqrt_2pi * fb_exp1(-0.5f * x[i] * x[i]);
        dx[i] = g[i] * (cdf + x[i] * pdf);
    }
}

void fb_gelu_backward_isa(int isa, const float *x, const float *g, float *dx, long n) {
    FB_DISPATCH(isa, fb_gelu_backward, x, g, dx, n)
}

void fb_gelu_backward(const float *x, const float *g, float *dx, long n) {
    fb_gelu_backward_isa(fb_isa(), x, g, dx, n);
}

#ifdef FB_HAS_AVX512_PATH
static FB_AVX512 float fb_sum_avx512(const float *x, long n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + i + 16));
    }
    for (; i < n; i += 16) s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(fb_lanes(n - i), x + i));
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}
#endif

float fb_sum_scalar(const float *x, long n) {
    float s = 0;
    for (long i = 0; i < n; i++) s += x[i];
    return s;
}

float fb_sum_isa(int isa, const float *x, long n) {
    switch (isa) {
#ifdef FB_HAS_AVX2_PATH
    case FB_ISA_AVX512: return fb_sum_avx512(x, n);
    case FB_ISA_AVX2: return fb_sum_avx2(x, n);
#endif
    case FB_ISA_VECTOR: return fb_sum_vector(x, n);
    default: return fb_sum_scalar(x, n);
    }
}

float fb_sum(const float *x, long n) {
    return fb_sum_isa(fb_isa(), x, n);
}
