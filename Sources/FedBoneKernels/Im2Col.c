// im2col and col2im for convolutions: the column matrix of a band of output rows of one image,
// and its adjoint. Rows of the column matrix are (channel, kernel row, kernel column); each
// holds, for every output position of the band, the input pixel under that kernel tap or 0 in
// the padding (PyTorch's layout). A stride-1 image row is one masked vector copy per 16 outputs.
#include "FedBoneKernels.h"
#include "VectorMath.h"
#include <string.h>

/// The output indices o in [0, outSize) with o·stride + offset in [0, inSize): [*lo, *hi).
static void fb_valid_outputs(long offset, long stride, long inSize, long outSize, long *lo, long *hi) {
    long first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    long last = inSize - 1 - offset;
    long end = last < 0 ? 0 : (last / stride + 1 < outSize ? last / stride + 1 : outSize);
    *lo = first < end ? first : 0;
    *hi = first < end ? end : 0;
}

#ifdef FB_HAS_AVX512_PATH
/// dst[ow] = src[ow + shift] for ow in [lo, hi), 0 elsewhere in [0, n).
static FB_AVX512 void fb_shifted_row_avx512(const float *src, long shift, long lo, long hi, long n, float *dst) {
    for (long j = 0; j < n; j += 16) {
        long count = n - j < 16 ? n - j : 16;
        long a = lo > j ? lo - j : 0, b = hi < j + count ? hi - j : count;
        __mmask16 valid = (__mmask16)(fb_lanes(b) & ~fb_lanes(a));
        __m512 v = _mm512_maskz_loadu_ps(valid, src + j + shift);
        _mm512_mask_storeu_ps(dst + j, fb_lanes(count), v);
    }
}

/// dst[ow + shift] += src[ow] for ow in [lo, hi).
static FB_AVX512 void fb_shifted_add_avx512(const float *src, long shift, long lo, long hi, float *dst) {
    for (long j = lo; j < hi; j += 16) {
        __mmask16 lanes = fb_lanes(hi - j);
        __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, dst + j + shift), _mm512_maskz_loadu_ps(lanes, src + j));
        _mm512_mask_storeu_ps(dst + j + shift, lanes, sum);
    }
}
#endif

#ifdef FB_HAS_AVX512_PATH
/// Splits `n` groups of 4 consecutive floats of `src` into 4 rows: dst[j][o] = src[4·o + j]
/// (patch embeddings: kernel 4 = stride 4).
static FB_AVX512 void fb_deinterleave4_avx512(const float *src, long n, float *d0, float *d1, float *d2, float *d3) {
    const __m512i pickA = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    const __m512i pickB = _mm512_setr_epi32(2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    const __m512i low = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i high = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    for (long o = 0; o < n; o += 16) {
        long count = n - o < 16 ? n - o : 16, floats = 4 * count;
        const float *in = src + 4 * o;
        __m512 v0 = _mm512_maskz_loadu_ps(fb_lanes(floats), in);
        __m512 v1 = _mm512_maskz_loadu_ps(fb_lanes(floats - 16), in + 16);
        __m512 v2 = _mm512_maskz_loadu_ps(fb_lanes(floats - 32), in + 32);
        __m512 v3 = _mm512_maskz_loadu_ps(fb_lanes(floats - 48), in + 48);
        __m512 t0 = _mm512_permutex2var_ps(v0, pickA, v1), t1 = _mm512_permutex2var_ps(v0, pickB, v1);
        __m512 u0 = _mm512_permutex2var_ps(v2, pickA, v3), u1 = _mm512_permutex2var_ps(v2, pickB, v3);
        __mmask16 lanes = fb_lanes(count);
        _mm512_mask_storeu_ps(d0 + o, lanes, _mm512_permutex2var_ps(t0, low, u0));
        _mm512_mask_storeu_ps(d1 + o, lanes, _mm512_permutex2var_ps(t0, high, u0));
        _mm512_mask_storeu_ps(d2 + o, lanes, _mm512_permutex2var_ps(t1, low, u1));
        _mm512_mask_storeu_ps(d3 + o, lanes, _mm512_permutex2var_ps(t1, high, u1));
    }
}
#endif

static void fb_shifted_row_portable(const float *src, long shift, long lo, long hi, long n, float *dst) {
    memset(dst, 0, (size_t)lo * sizeof(float));
    memcpy(dst + lo, src + lo + shift, (size_t)(hi - lo) * sizeof(float));
    memset(dst + hi, 0, (size_t)(n - hi) * sizeof(float));
}

static void fb_shifted_add_portable(const float *src, long shift, long lo, long hi, float *dst) {
    for (long o = lo; o < hi; o++) dst[o + shift] += src[o];
}

typedef void (*fb_shifted_row_fn)(const float *, long, long, long, long, float *);
typedef void (*fb_shifted_add_fn)(const float *, long, long, long, float *);

/// The row copy and row add for this CPU, chosen once per call of the loops below.
static fb_shifted_row_fn fb_shifted_row_kernel(void) {
#ifdef FB_HAS_AVX512_PATH
    if (fb_isa() == FB_ISA_AVX512) return fb_shifted_row_avx512;
#endif
    return fb_shifted_row_portable;
}

static fb_shifted_add_fn fb_shifted_add_kernel(void) {
#ifdef FB_HAS_AVX512_PATH
    if (fb_isa() == FB_ISA_AVX512) return fb_shifted_add_avx512;
#endif
    return fb_shifted_add_portable;
}

void fb_im2col(const float *image, float *columns, const fb_window *w, long channelLo, long channelHi,
               long rowLo, long rowHi) {
    long bandArea = (rowHi - rowLo) * w->outW, imageArea = w->height * w->width;
#ifdef FB_HAS_AVX512_PATH
    // Non-overlapping 4-wide windows without column padding (patch embeddings): each image row
    // of a kernel row splits into the 4 column-tap rows at once.
    if (w->kernelW == 4 && w->strideW == 4 && w->dilationW == 1 && w->padW == 0 && fb_isa() == FB_ISA_AVX512) {
        for (long c = channelLo; c < channelHi; c++) {
            for (long i = 0; i < w->kernelH; i++) {
                long rowOffset = i * w->dilationH - w->padH, validLo, validHi;
                fb_valid_outputs(rowOffset, w->strideH, w->height, w->outH, &validLo, &validHi);
                float *dst = columns + (c * w->kernelH + i) * 4 * bandArea;
                for (long oh = rowLo; oh < rowHi; oh++) {
                    long at = (oh - rowLo) * w->outW;
                    if (oh < validLo || oh >= validHi) {
                        for (long j = 0; j < 4; j++) memset(dst + j * bandArea + at, 0, (size_t)w->outW * sizeof(float));
                        continue;
                    }
                    const float *input = image + c * imageArea + (oh * w->strideH + rowOffset) * w->width;
                    fb_deinterleave4_avx512(input, w->outW, dst + at, dst + bandArea + at, dst + 2 * bandArea + at,
                                            dst + 3 * bandArea + at);
                }
            }
        }
        return;
    }
#endif
    fb_shifted_row_fn shiftedRow = fb_shifted_row_kernel();
    for (long c = channelLo; c < channelHi; c++) {
        const float *src = image + c * imageArea;
        for (long i = 0; i < w->kernelH; i++) {
            long rowOffset = i * w->dilationH - w->padH, validLo, validHi;
            fb_valid_outputs(rowOffset, w->strideH, w->height, w->outH, &validLo, &validHi);
            for (long j = 0; j < w->kernelW; j++) {
                long colOffset = j * w->dilationW - w->padW, colLo, colHi;
                fb_valid_outputs(colOffset, w->strideW, w->width, w->outW, &colLo, &colHi);
                float *dst = columns + ((c * w->kernelH + i) * w->kernelW + j) * bandArea;
                for (long oh = rowLo; oh < rowHi; oh++) {
                    float *line = dst + (oh - rowLo) * w->outW;
                    if (oh < validLo || oh >= validHi || colLo >= colHi) {
                        memset(line, 0, (size_t)w->outW * sizeof(float));
                        continue;
                    }
                    const float *input = src + (oh * w->strideH + rowOffset) * w->width;
                    if (w->strideW == 1) {
                        shiftedRow(input, colOffset, colLo, colHi, w->outW, line);
                    } else {
                        for (long ow = 0; ow < w->outW; ow++)
                            line[ow] = ow >= colLo && ow < colHi ? input[ow * w->strideW + colOffset] : 0;
                    }
                }
            }
        }
    }
}

void fb_col2im(const float *columns, float *image, const fb_window *w, long channelLo, long channelHi,
               long rowLo, long rowHi) {
    long bandArea = (rowHi - rowLo) * w->outW, imageArea = w->height * w->width;
    fb_shifted_add_fn shiftedAdd = fb_shifted_add_kernel();
    for (long c = channelLo; c < channelHi; c++) {
        float *dstImage = image + c * imageArea;
        for (long i = 0; i < w->kernelH; i++) {
            long rowOffset = i * w->dilationH - w->padH, validLo, validHi;
            fb_valid_outputs(rowOffset, w->strideH, w->height, w->outH, &validLo, &validHi);
            long lo = validLo > rowLo ? validLo : rowLo, hi = validHi < rowHi ? validHi : rowHi;
            for (long j = 0; j < w->kernelW; j++) {
                long colOffset = j * w->dilationW - w->padW, colLo, colHi;
                fb_valid_outputs(colOffset, w->strideW, w->width, w->outW, &colLo, &colHi);
                const float *src = columns + ((c * w->kernelH + i) * w->kernelW + j) * bandArea;
                for (long oh = lo; oh < hi; oh++) {
                    const float *line = src + (oh - rowLo) * w->outW;
                    float *output = dstImage + (oh * w->strideH + rowOffset) * w->width;
                    if (w->strideW == 1) {
                        shiftedAdd(line, colOffset, colLo, colHi, output);
                    } else {
                        for (long ow = colLo; ow < colHi; ow++) output[ow * w->strideW + colOffset] += line[ow];
                    }
                }
            }
        }
    }
}
