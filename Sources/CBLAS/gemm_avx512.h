// A single-threaded AVX-512 SGEMM for x86-64 CPUs that OpenBLAS does not recognise (it then
// falls back to its SSE3 "Prescott" kernels, several times slower). Row-major, as cblas_sgemm:
//   C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C
// op(A) is A (stored m×k, row stride lda) or Aᵀ (A stored k×m); likewise op(B).
//
// Layout of the computation (the Goto/BLIS scheme): for each NC-wide column block of C and each
// KC-deep slice of k, op(B) is packed into NR-wide panels; for each MC-high row block, op(A) is
// packed into MR-high panels; a 12×32 register-tile kernel (24 zmm accumulators) multiplies one
// A panel by one B panel. Panels are zero-padded, so edge tiles run the same kernel and are
// written back through a small buffer. The caller splits work across threads.
#ifndef FEDBONE_GEMM_AVX512_H
#define FEDBONE_GEMM_AVX512_H

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

enum { FB_MR = 12, FB_NR = 32, FB_KC = 256, FB_MC = 192, FB_NC = 1024 };

/// Whether this CPU runs the AVX-512 kernel (AVX-512F and FMA).
static inline int fb_gemm_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

/// Packs rows [0, mr) × depth [0, kc) of op(A) (origin already applied) into an MR-high panel:
/// dst[p·MR + i] = op(A)[i][p], zero for i ≥ mr.
static inline void fb_pack_a(int trans, const float *a, long lda, long mr, long kc, float *dst) {
    if (!trans) {
        for (long i = 0; i < mr; i++) {
            const float *row = a + i * lda;
            for (long p = 0; p < kc; p++) dst[p * FB_MR + i] = row[p];
        }
    } else {
        for (long p = 0; p < kc; p++) {
            const float *col = a + p * lda;
            for (long i = 0; i < mr; i++) dst[p * FB_MR + i] = col[i];
        }
    }
    for (long i = mr; i < FB_MR; i++)
        for (long p = 0; p < kc; p++) dst[p * FB_MR + i] = 0;
}

/// Packs depth [0, kc) × columns [0, nr) of op(B) into an NR-wide panel:
/// dst[p·NR + j] = op(B)[p][j], zero for j ≥ nr.
static inline void fb_pack_b(int trans, const float *b, long ldb, long nr, long kc, float *dst) {
    if (!trans) {
        for (long p = 0; p < kc; p++) {
            memcpy(dst + p * FB_NR, b + p * ldb, (size_t)nr * sizeof(float));
            for (long j = nr; j < FB_NR; j++) dst[p * FB_NR + j] = 0;
        }
    } else {
        for (long j = 0; j < nr; j++) {
            const float *row = b + j * ldb;
            for (long p = 0; p < kc; p++) dst[p * FB_NR + j] = row[p];
        }
        for (long p = 0; p < kc; p++)
            for (long j = nr; j < FB_NR; j++) dst[p * FB_NR + j] = 0;
    }
}

// One row of the register tile: accumulators c<i>0 (columns 0–15) and c<i>1 (16–31). Written
// out as named variables, not an array, so that the compiler keeps all 24 in registers without
// relying on loop unrolling.
#define FB_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define FB_DECLARE(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
#define FB_UPDATE(i) { __m512 ai = _mm512_set1_ps(a[i]); \
    c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1); }
#define FB_SPILL(i) _mm512_store_ps(tile + (i) * FB_NR, c##i##0); _mm512_store_ps(tile + (i) * FB_NR + 16, c##i##1);

/// tile[12×32] = Σ_p a[p·12 + i] · b[p·32 + j]; then C = alpha·tile + beta·C on the mr × nr
/// corner that exists (beta == 0 never reads C).
__attribute__((target("avx512f,fma")))
static inline void fb_kernel_12x32(long kc, const float *a, const float *b, float *c, long ldc,
                                   long mr, long nr, float alpha, float beta) {
    FB_ROWS(FB_DECLARE)
    for (long p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        FB_ROWS(FB_UPDATE)
        a += FB_MR;
        b += FB_NR;
    }
    float tile[FB_MR * FB_NR] __attribute__((aligned(64)));
    FB_ROWS(FB_SPILL)
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : (nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1));
    for (long i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        __m512 r0 = _mm512_mul_ps(va, _mm512_load_ps(tile + i * FB_NR));
        __m512 r1 = _mm512_mul_ps(va, _mm512_load_ps(tile + i * FB_NR + 16));
        if (beta != 0) {
            r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, row), r0);
            r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, row + 16), r1);
        }
        _mm512_mask_storeu_ps(row, m0, r0);
        _mm512_mask_storeu_ps(row + 16, m1, r1);
    }
}

/// C = alpha · op(A) · op(B) + beta · C on one thread, with the AVX-512 kernel. Only call when
/// ``fb_gemm_avx512_available`` is true and m, n, k > 0. Returns 0, or -1 when the packing
/// buffers cannot be allocated (C is then untouched).
static inline int fb_sgemm_avx512(int transA, int transB, long m, long n, long k, float alpha,
                                  const float *a, long lda, const float *b, long ldb,
                                  float beta, float *c, long ldc) {
    long nc = n < FB_NC ? n : FB_NC, kcMax = k < FB_KC ? k : FB_KC, mc = m < FB_MC ? m : FB_MC;
    long bPanels = (nc + FB_NR - 1) / FB_NR, aPanels = (mc + FB_MR - 1) / FB_MR;
    size_t bBytes = (size_t)(bPanels * FB_NR * kcMax) * sizeof(float);
    size_t aBytes = (size_t)(aPanels * FB_MR * kcMax) * sizeof(float);
    float *packedB = (float *)aligned_alloc(64, (bBytes + 63) / 64 * 64);
    float *packedA = (float *)aligned_alloc(64, (aBytes + 63) / 64 * 64);
    if (!packedA || !packedB) {
        free(packedA);
        free(packedB);
        return -1;
    }
    for (long jc = 0; jc < n; jc += FB_NC) {
        long ncur = n - jc < FB_NC ? n - jc : FB_NC;
        for (long pc = 0; pc < k; pc += FB_KC) {
            long kc = k - pc < FB_KC ? k - pc : FB_KC;
            float betaNow = pc == 0 ? beta : 1.0f;
            for (long jr = 0; jr < ncur; jr += FB_NR) {
                long nr = ncur - jr < FB_NR ? ncur - jr : FB_NR;
                const float *src = transB ? b + (jc + jr) * ldb + pc : b + pc * ldb + jc + jr;
                fb_pack_b(transB, src, ldb, nr, kc, packedB + (jr / FB_NR) * FB_NR * kc);
            }
            for (long ic = 0; ic < m; ic += FB_MC) {
                long mcur = m - ic < FB_MC ? m - ic : FB_MC;
                for (long ir = 0; ir < mcur; ir += FB_MR) {
                    long mr = mcur - ir < FB_MR ? mcur - ir : FB_MR;
                    const float *src = transA ? a + pc * lda + ic + ir : a + (ic + ir) * lda + pc;
                    fb_pack_a(transA, src, lda, mr, kc, packedA + (ir / FB_MR) * FB_MR * kc);
                }
                for (long jr = 0; jr < ncur; jr += FB_NR) {
                    long nr = ncur - jr < FB_NR ? ncur - jr : FB_NR;
                    const float *pb = packedB + (jr / FB_NR) * FB_NR * kc;
                    for (long ir = 0; ir < mcur; ir += FB_MR) {
                        long mr = mcur - ir < FB_MR ? mcur - ir : FB_MR;
                        fb_kernel_12x32(kc, packedA + (ir / FB_MR) * FB_MR * kc, pb,
                                        c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha, betaNow);
                    }
                }
            }
        }
    }
    free(packedA);
    free(packedB);
    return 0;
}

#else

static inline int fb_gemm_avx512_available(void) { return 0; }

static inline int fb_sgemm_avx512(int transA, int transB, long m, long n, long k, float alpha,
                                  const float *a, long lda, const float *b, long ldb,
                                  float beta, float *c, long ldc) {
    return -1;
}

#endif
#endif
