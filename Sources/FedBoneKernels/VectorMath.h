// Vectorised exp and erf for the row kernels, as AVX-512 (16 lanes) and scalar versions of the
// same formulas, and the target attribute of the AVX-512 paths. Internal to FedBoneKernels.
#ifndef FEDBONE_VECTOR_MATH_H
#define FEDBONE_VECTOR_MATH_H

#include <math.h>

/// eʳ for the reduced argument r of ``fb_exp1`` (|r| ≤ ½ ln 2): 1 + r + r²·P(r), P of degree 5;
/// one definition for the scalar and the C-vector paths.
#define FB_EXP_REDUCED(r) \
    ((((((1.9875691500e-4f * (r) + 1.3981999507e-3f) * (r) + 8.3334519073e-3f) * (r) + 4.1665795894e-2f) * (r) \
       + 1.6666665459e-1f) * (r) + 5.0000001201e-1f) * (r) * (r) + (r) + 1.0f)

/// eˣ as 2ⁿ·eʳ (Cephes' expf): n = round(x·log₂e), r = x − n·ln 2 with ln 2 split in two parts,
/// eʳ from a degree-7 polynomial; relative error about 2·10⁻⁷ on [−87, 87]. Below −87 gives 0
/// (never a subnormal: subnormal products make later GEMMs crawl), above 87 gives e⁸⁷.
static inline float fb_exp1(float value) {
    float x = value < -87.0f ? -87.0f : value > 87.0f ? 87.0f : value;
    float n = nearbyintf(x * 1.44269504088896341f);
    float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
    float er = FB_EXP_REDUCED(r);
    return value < -87.0f ? 0.0f : ldexpf(er, (int)n);
}

/// erf(x) as a rational function (odd degree-13 over even degree-8; Eigen's and XLA's float
/// coefficients), x clamped to [−4, 4]; absolute error below 5·10⁻⁷.
/// The numerator and denominator polynomials of ``fb_erf1`` in x², highest degree first: one
/// definition for the scalar and every vector path (any type with * and +, scalars splatted).
#define FB_ERF_NUMERATOR(x2) \
    ((((((-2.72614225801306e-10f * (x2) + 2.77068142495902e-08f) * (x2) - 2.10102402082508e-06f) * (x2) \
        - 5.69250639462346e-05f) * (x2) - 7.34990630326855e-04f) * (x2) - 2.95459980854025e-03f) * (x2) \
     - 1.60960333262415e-02f)
#define FB_ERF_DENOMINATOR(x2) \
    ((((-1.45660718464996e-05f * (x2) - 2.13374055278905e-04f) * (x2) - 1.68282697438203e-03f) * (x2) \
      - 7.37332916720468e-03f) * (x2) - 1.42647390514189e-02f)

static inline float fb_erf1(float value) {
    float x = value < -4.0f ? -4.0f : value > 4.0f ? 4.0f : value;
    float x2 = x * x;
    return x * FB_ERF_NUMERATOR(x2) / FB_ERF_DENOMINATOR(x2);
}

/// Fully unrolls the loop that follows (a constant trip count over registers): release builds
/// compile C at -O2, whose unrolling limit otherwise leaves the GEMM tile's accumulators on the
/// stack (415 spills in Gemm.c at -O2, 20 at -O3).
#if defined(__clang__)
#define FB_UNROLL _Pragma("clang loop unroll(full)")
#else
#define FB_UNROLL _Pragma("GCC unroll 16")
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define FB_HAS_AVX512_PATH 1
#define FB_AVX512 __attribute__((target("avx512f,avx512dq,fma")))
#define FB_INLINE static inline __attribute__((always_inline)) FB_AVX512

/// 16 lanes of ``fb_exp1``.
FB_INLINE __m512 fb_exp16(__m512 value) {
    __m512 x = _mm512_min_ps(_mm512_max_ps(value, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 er = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), _mm512_set1_ps(1.0f));
    __m512 e = _mm512_scalef_ps(er, n);
    __mmask16 under = _mm512_cmp_ps_mask(value, _mm512_set1_ps(-87.0f), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(under, e, _mm512_setzero_ps());
}

/// 16 lanes of ``fb_erf1``.
FB_INLINE __m512 fb_erf16(__m512 value) {
    __m512 x = _mm512_min_ps(_mm512_max_ps(value, _mm512_set1_ps(-4.0f)), _mm512_set1_ps(4.0f));
    __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(-2.72614225801306e-10f);
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(2.77068142495902e-08f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-2.10102402082508e-06f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-5.69250639462346e-05f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-7.34990630326855e-04f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-2.95459980854025e-03f));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-1.60960333262415e-02f));
    __m512 q = _mm512_set1_ps(-1.45660718464996e-05f);
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-2.13374055278905e-04f));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-1.68282697438203e-03f));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-7.37332916720468e-03f));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-1.42647390514189e-02f));
    return _mm512_div_ps(_mm512_mul_ps(x, p), q);
}

/// The mask of the first `count` lanes: none for count ≤ 0, all 16 for count ≥ 16.
FB_INLINE __mmask16 fb_lanes(long count) {
    return count <= 0 ? (__mmask16)0 : count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1);
}

/// Transposes the 16×16 block r (r[i] is row i) in place: afterwards r[j] is column j.
FB_INLINE void fb_transpose16(__m512 r[16]) {
    __m512 t[16], u[16];
    FB_UNROLL
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    // u[4g + c]: column 4L + c of rows 4g…4g+3, in 128-bit lane L.
    FB_UNROLL
    for (int g = 0; g < 4; g++) {
        __m512d t0 = _mm512_castps_pd(t[4 * g]), t1 = _mm512_castps_pd(t[4 * g + 1]);
        __m512d t2 = _mm512_castps_pd(t[4 * g + 2]), t3 = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    FB_UNROLL
    for (int c = 0; c < 4; c++) {
        __m512 p = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88), q = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
        __m512 p2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88), q2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
        r[c] = _mm512_shuffle_f32x4(p, p2, 0x88);
        r[8 + c] = _mm512_shuffle_f32x4(p, p2, 0xDD);
        r[4 + c] = _mm512_shuffle_f32x4(q, q2, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(q, q2, 0xDD);
    }
}
#endif

#endif
