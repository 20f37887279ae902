// An AVX-512 SGEMM for x86-64 CPUs whose BLAS does not use AVX-512 (Debian's OpenBLAS 0.3.21
// falls back to SSE3 "Prescott" kernels on CPUs it does not know). Row-major, as cblas_sgemm.
//
// Layout (a Goto/BLIS variant shaped for the engine's products, where one of m, n, k is often
// small: Swin's linear layers are [tokens × 96…768] × [96…768 × 96…3072]):
// - A plain op(A) is never packed: a register-tile kernel reads its 1–12 rows in place, so there
//   is no packing pass over the large operand and no edge padding (a kernel exists for every
//   row count 1–12). A transposed A (the activations in a weight gradient) is copied into
//   contiguous 12-row panels when several column panels reuse them.
// - A transposed op(B) (a weight matrix stored [out, in]) is packed once per depth block into
//   32-column panels with 16×16 register transposes; a plain B is read in place, 32 columns
//   (two zmm registers) per depth step, unless enough rows reuse it to pay for packing.
// - Depth is cut into KC-deep slices and columns into NC-wide blocks, so that a packed KC×NC
//   block of B (512 KiB) stays in L2; rows into balanced MC-high blocks, within which rows are
//   dealt into balanced panels of at most 12 (49 rows → 10+10+10+10+9, not 12+12+12+12+1).
//   Each row panel (in L1) meets every 32-column panel of B in turn, writing its rows of C in
//   order.
// The kernels accumulate in 24 zmm registers and write C through masks, so edges need no
// scratch tile. Threading is the caller's (the Swift side splits rows, columns or depth).
#include "FedBoneKernels.h"
#include "VectorMath.h"
#include <stdlib.h>

#ifdef FB_HAS_AVX512_PATH

enum { MR = FB_GEMM_MR, NR = FB_GEMM_NR, KC = 256, MC = 240, NC = 512 };


/// Packs op(B)[p][j] = b[j·ldb + p] for depth p < kc and columns j < nc (B transposed) into
/// 32-column panels: panel q holds dst[q·32·kc + p·32 + (j − 32q)], zero past column nc.
/// dst is 64-byte aligned.
FB_INLINE void fb_pack_bt(const float *b, long ldb, long nc, long kc, float *dst) {
    for (long j0 = 0; j0 < nc; j0 += NR) {
        float *panel = dst + (j0 / NR) * NR * kc;
        for (long h = 0; h < NR; h += 16) {
            for (long p0 = 0; p0 < kc; p0 += 16) {
                long depth = kc - p0 < 16 ? kc - p0 : 16;
                __mmask16 mask = fb_lanes(depth);
                __m512 r[16];
                FB_UNROLL
                for (int i = 0; i < 16; i++) {
                    long j = j0 + h + i;
                    r[i] = j < nc ? _mm512_maskz_loadu_ps(mask, b + j * ldb + p0) : _mm512_setzero_ps();
                }
                fb_transpose16(r);
                for (long s = 0; s < depth; s++) _mm512_store_ps(panel + (p0 + s) * NR + h, r[s]);
            }
        }
    }
}

/// Packs op(B)[p][j] = b[p·ldb + j] (B not transposed) for p < kc, j < nc into the same
/// 32-column panels as ``fb_pack_bt``.
FB_INLINE void fb_pack_bn(const float *b, long ldb, long nc, long kc, float *dst) {
    for (long j0 = 0; j0 < nc; j0 += NR) {
        float *panel = dst + (j0 / NR) * NR * kc;
        long nr = nc - j0 < NR ? nc - j0 : NR;
        __mmask16 m0 = fb_lanes(nr), m1 = fb_lanes(nr - 16);
        for (long p = 0; p < kc; p++) {
            const float *row = b + p * ldb + j0;
            _mm512_store_ps(panel + p * NR, _mm512_maskz_loadu_ps(m0, row));
            _mm512_store_ps(panel + p * NR + 16, _mm512_maskz_loadu_ps(m1, row + 16));
        }
    }
}

/// Packs the rows lo…hi−1 of op(A) = Aᵀ (A stored k×m: element (i, p) at a[p·lda + i]) for
/// depth p < kc into dst[p·MR + (i − lo)], the layout the kernel reads with lda = MR.
FB_INLINE void fb_pack_at(const float *a, long lda, long rows, long kc, float *dst) {
    __mmask16 mask = fb_lanes(rows);
    for (long p = 0; p < kc; p++)
        _mm512_mask_storeu_ps(dst + p * MR, mask, _mm512_maskz_loadu_ps(mask, a + p * lda));
}

/// The operands' offsets of a sum of products (``fb_sgemm_sum``); a plain product is one term
/// with offsets 0.
typedef struct {
    long count;
    const long *a, *b;
} fb_terms;

static const long fb_zero_offset[1] = { 0 };
static const fb_terms fb_one_term = { 1, fb_zero_offset, fb_zero_offset };

/// One register tile: C[mr × up to 32] = alpha · Σ_t Σ_p A_t[i][p] · B_t[p][j] + beta · C with
/// A_t = a + terms.a[t] and B_t = b + terms.b[t]. A_t's element (i, p) is A_t[i·lda + p]
/// (rowMajor) or A_t[p·lda + i]; B_t's row p starts at B_t + p·bstride and its columns are
/// masked by m0 (0–15) and m1 (16–31; unused when wide is 0). When masked is 0, B's rows are
/// read whole (a packed panel, or a full-width one in place): masked loads cost an extra vector
/// uop each, on the ports the FMAs need (6–7% of a product's time). bias (optional, the tile's
/// first column) is added to every row.
FB_INLINE void fb_tile(const int mr, const int rowMajor, const int wide, const int masked,
                       fb_terms terms, long kc, const float *a, long lda, const float *b, long bstride,
                       __mmask16 m0, __mmask16 m1, float *c, long ldc, float alpha, float beta,
                       const float *bias) {
    __m512 x[MR], y[MR];
    FB_UNROLL
    for (int i = 0; i < mr; i++) {
        x[i] = _mm512_setzero_ps();
        y[i] = _mm512_setzero_ps();
        // Ask for the tile's rows of C for writing now, so that their misses overlap the
        // depth loop instead of stalling the stores at its end (large outputs, small depth).
        __builtin_prefetch(c + i * ldc, 1, 3);
        __builtin_prefetch(c + i * ldc + (wide ? 31 : 15), 1, 3);
    }
    for (long t = 0; t < terms.count; t++) {
        const float *at = a + terms.a[t], *bt = b + terms.b[t];
        for (long p = 0; p < kc; p++) {
            __m512 b0 = masked ? _mm512_maskz_loadu_ps(m0, bt) : _mm512_loadu_ps(bt);
            __m512 b1 = !wide ? _mm512_setzero_ps()
                      : masked ? _mm512_maskz_loadu_ps(m1, bt + 16) : _mm512_loadu_ps(bt + 16);
            FB_UNROLL
            for (int i = 0; i < mr; i++) {
                __m512 ai = _mm512_set1_ps(rowMajor ? at[i * lda + p] : at[p * lda + i]);
                x[i] = _mm512_fmadd_ps(ai, b0, x[i]);
                if (wide) y[i] = _mm512_fmadd_ps(ai, b1, y[i]);
            }
            bt += bstride;
        }
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __m512 bias0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
    __m512 bias1 = bias && wide ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
    FB_UNROLL
    for (int i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        __m512 r0 = _mm512_mul_ps(va, x[i]);
        if (bias) r0 = _mm512_add_ps(r0, bias0);
        if (beta != 0) r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, row), r0);
        _mm512_mask_storeu_ps(row, m0, r0);
        if (wide) {
            __m512 r1 = _mm512_mul_ps(va, y[i]);
            if (bias) r1 = _mm512_add_ps(r1, bias1);
            if (beta != 0) r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, row + 16), r1);
            _mm512_mask_storeu_ps(row + 16, m1, r1);
        }
    }
}

typedef void (*fb_tile_fn)(fb_terms terms, long kc, const float *a, long lda, const float *b, long bstride,
                           __mmask16 m0, __mmask16 m1, float *c, long ldc, float alpha, float beta,
                           const float *bias);

// One function per (rows, A layout, width, B masking), so that each keeps its accumulators in
// registers.
#define FB_TILE(mr, rm, w, mk) \
    static FB_AVX512 void fb_tile_##mr##_##rm##_##w##_##mk(fb_terms terms, long kc, const float *a, \
        long lda, const float *b, long bs, __mmask16 m0, __mmask16 m1, float *c, long ldc, \
        float alpha, float beta, const float *bias) { \
        fb_tile(mr, rm, w, mk, terms, kc, a, lda, b, bs, m0, m1, c, ldc, alpha, beta, bias); }
#define FB_TILES(mr) FB_TILE(mr, 0, 0, 0) FB_TILE(mr, 0, 1, 0) FB_TILE(mr, 1, 0, 0) FB_TILE(mr, 1, 1, 0) \
    FB_TILE(mr, 0, 0, 1) FB_TILE(mr, 0, 1, 1) FB_TILE(mr, 1, 0, 1) FB_TILE(mr, 1, 1, 1)
FB_TILES(1) FB_TILES(2) FB_TILES(3) FB_TILES(4) FB_TILES(5) FB_TILES(6)
FB_TILES(7) FB_TILES(8) FB_TILES(9) FB_TILES(10) FB_TILES(11) FB_TILES(12)
#define FB_ROW(mr) { fb_tile_##mr##_0_0_0, fb_tile_##mr##_0_1_0, fb_tile_##mr##_1_0_0, \
    fb_tile_##mr##_1_1_0, fb_tile_##mr##_0_0_1, fb_tile_##mr##_0_1_1, fb_tile_##mr##_1_0_1, \
    fb_tile_##mr##_1_1_1 },
/// fb_tiles[mr − 1][4·masked + 2·rowMajor + wide].
static const fb_tile_fn fb_tiles[MR][8] = {
    FB_ROW(1) FB_ROW(2) FB_ROW(3) FB_ROW(4) FB_ROW(5) FB_ROW(6)
    FB_ROW(7) FB_ROW(8) FB_ROW(9) FB_ROW(10) FB_ROW(11) FB_ROW(12)
};

/// A plain B is packed from this many rows of C (it is then reused by several row blocks);
/// Aᵀ from this many columns (each packed block then serves at least two column panels).
enum { PACK_B_MIN_ROWS = MC, PACK_AT_MIN_COLS = 64 };

/// The loops around the kernels. packedB holds one KC×NC block of op(B) when packB; packedA one
/// MC×KC block of Aᵀ when packA. With several terms neither is packed. bias (optional) is added
/// with the first depth slice.
static FB_AVX512 void fb_sgemm_blocks(fb_terms terms, int transA, int transB, long m, long n, long k, float alpha,
                                      const float *a, long lda, const float *b, long ldb,
                                      float beta, float *c, long ldc, const float *bias, int packA, int packB,
                                      float *packedA, float *packedB) {
    long mBlocks = (m + MC - 1) / MC;
    long mcStep = ((m + mBlocks - 1) / mBlocks + MR - 1) / MR * MR;
    for (long jc = 0; jc < n; jc += NC) {
        long nc = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += KC) {
            long kc = k - pc < KC ? k - pc : KC;
            float betaNow = pc == 0 ? beta : 1.0f;
            const float *biasNow = pc == 0 ? bias : NULL;
            if (packB) {
                if (transB) fb_pack_bt(b + jc * ldb + pc, ldb, nc, kc, packedB);
                else fb_pack_bn(b + pc * ldb + jc, ldb, nc, kc, packedB);
            }
            for (long ic = 0; ic < m; ic += mcStep) {
                long mc = m - ic < mcStep ? m - ic : mcStep;
                long panels = (mc + MR - 1) / MR;
                if (packA)
                    for (long q = 0; q < panels; q++) {
                        long lo = ic + mc * q / panels, hi = ic + mc * (q + 1) / panels;
                        fb_pack_at(a + pc * lda + lo, lda, hi - lo, kc, packedA + q * MR * kc);
                    }
                // Row panel outside, column panels inside: the panel of A stays in L1 while
                // the packed KC×NC block of B (≤ 512 KiB) comes from L2, and each row of C is
                // written in order (its misses are then prefetched; a column-panel sweep over
                // a block of rows wrote 12 scattered rows per tile).
                for (long q = 0; q < panels; q++) {
                    long lo = ic + mc * q / panels, hi = ic + mc * (q + 1) / panels;
                    const float *ap = packA ? packedA + q * MR * kc
                                    : transA ? a + pc * lda + lo : a + lo * lda + pc;
                    for (long jr = 0; jr < nc; jr += NR) {
                        long nr = nc - jr < NR ? nc - jr : NR;
                        __mmask16 m0 = fb_lanes(nr), m1 = fb_lanes(nr - 16);
                        const float *bp = packB ? packedB + (jr / NR) * NR * kc : b + pc * ldb + jc + jr;
                        long bstride = packB ? NR : ldb;
                        int wide = nr > 16, masked = !packB && nr != (wide ? 32 : 16);
                        int variant = 4 * masked + (transA ? 0 : 2) + wide;
                        fb_tiles[hi - lo - 1][variant](terms, kc, ap, packA ? MR : lda, bp, bstride, m0, m1,
                                                       c + lo * ldc + jc + jr, ldc, alpha, betaNow,
                                                       biasNow ? biasNow + jc + jr : NULL);
                    }
                }
            }
        }
    }
}

/// A 64-byte aligned scratch buffer of at least `count` floats, kept per thread and per slot
/// (0: B, 1: A) and grown on demand, so that the many small products of a step (attention)
/// do not allocate. NULL when it cannot be allocated.
static float *fb_scratch(int slot, long count) {
    static _Thread_local float *buffers[2];
    static _Thread_local long capacity[2];
    if (capacity[slot] < count) {
        free(buffers[slot]);
        size_t bytes = ((size_t)count * sizeof(float) + 63) / 64 * 64;
        buffers[slot] = (float *)aligned_alloc(64, bytes);
        capacity[slot] = buffers[slot] ? count : 0;
    }
    return buffers[slot];
}

int fb_sgemm(int transA, int transB, long m, long n, long k, float alpha,
             const float *a, long lda, const float *b, long ldb,
             float beta, float *c, long ldc, const float *bias) {
    if (fb_isa() != FB_ISA_AVX512) return -1;
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++)
                c[i * ldc + j] = (beta == 0 ? 0 : beta * c[i * ldc + j]) + (bias ? bias[j] : 0);
        return 0;
    }
    // A transposed B must be packed; a plain B is read in place unless many row blocks reuse
    // it (then packing saves TLB misses on its strided rows). Aᵀ is packed when enough column
    // panels reuse each packed block.
    int packB = transB || m >= PACK_B_MIN_ROWS;
    int packA = transA && n >= PACK_AT_MIN_COLS;
    long nc = n < NC ? n : NC, kc = k < KC ? k : KC, mc = m < MC ? m : MC;
    float *packedB = packB ? fb_scratch(0, (nc + NR - 1) / NR * NR * kc) : NULL;
    float *packedA = packA ? fb_scratch(1, (mc + 2 * MR) * kc) : NULL;
    if ((packB && !packedB) || (packA && !packedA)) return -1;
    fb_sgemm_blocks(fb_one_term, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias,
                    packA, packB, packedA, packedB);
    return 0;
}

int fb_sgemm_sum(int transA, long m, long n, long k, long terms, const long *aOffsets,
                 const long *bOffsets, float alpha, const float *a, long lda, const float *b,
                 long ldb, float beta, float *c, long ldc) {
    if (fb_isa() != FB_ISA_AVX512) return -1;
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0 || terms <= 0) {
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
        return 0;
    }
    fb_terms list = { terms, aOffsets, bOffsets };
    fb_sgemm_blocks(list, transA, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL, 0, 0, NULL, NULL);
    return 0;
}

#else

int fb_sgemm(int transA, int transB, long m, long n, long k, float alpha,
             const float *a, long lda, const float *b, long ldb,
             float beta, float *c, long ldc, const float *bias) {
    (void)transA; (void)transB; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc; (void)bias;
    return -1;
}

int fb_sgemm_sum(int transA, long m, long n, long k, long terms, const long *aOffsets,
                 const long *bOffsets, float alpha, const float *a, long lda, const float *b,
                 long ldb, float beta, float *c, long ldc) {
    (void)transA; (void)m; (void)n; (void)k; (void)terms; (void)aOffsets; (void)bOffsets;
    (void)alpha; (void)a; (void)lda; (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
    return -1;
}

#endif
