// Out-of-place matrix transposes: 16×16 blocks through registers on AVX-512 (masked at the
// edges); 8×8 blocks of vector shuffles on the AVX2 and vector paths (RowKernelTemplate.h).
#include "FedBoneKernels.h"
#include "KernelPaths.h"
#include "VectorMath.h"

void fb_transpose_scalar(const float *src, long rows, long cols, long lds, float *dst, long ldd) {
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

#ifdef FB_HAS_AVX512_PATH
static FB_AVX512 void fb_transpose_avx512(const float *src, long rows, long cols, long lds,
                                          float *dst, long ldd) {
    for (long i0 = 0; i0 < rows; i0 += 16) {
        long height = rows - i0 < 16 ? rows - i0 : 16;
        __mmask16 columnMask = fb_lanes(height);
        for (long j0 = 0; j0 < cols; j0 += 16) {
            long width = cols - j0 < 16 ? cols - j0 : 16;
            __mmask16 rowMask = fb_lanes(width);
            __m512 r[16];
            FB_UNROLL
            for (int i = 0; i < 16; i++)
                r[i] = i < height ? _mm512_maskz_loadu_ps(rowMask, src + (i0 + i) * lds + j0)
                                  : _mm512_setzero_ps();
            fb_transpose16(r);
            for (long j = 0; j < width; j++) _mm512_mask_storeu_ps(dst + (j0 + j) * ldd + i0, columnMask, r[j]);
        }
    }
}
#endif

void fb_transpose_isa(int isa, const float *src, long rows, long cols, long lds, float *dst, long ldd) {
    FB_DISPATCH(isa, fb_transpose, src, rows, cols, lds, dst, ldd)
}

void fb_transpose(const float *src, long rows, long cols, long lds, float *dst, long ldd) {
    fb_transpose_isa(fb_isa(), src, rows, cols, lds, dst, ldd);
}
