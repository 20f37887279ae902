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
        __mmask16 valid = a < b ? (__mmask16)(((1u << b) - 1) & ~((1u << a) - 1)) : 0;
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

static void fb_shifted_row_portable(const float *src, long shift, long lo, long hi, long n, float *dst) {
    for (long o = 0; o < n; o++) dst[o] = o >= lo && o < hi ? src[o + shift] : 0;
}

static void fb_shifted_add_portable(const float *src, long shift, long lo, long hi, float *dst) {
    for (long o = lo; o < hi; o++) dst[o + shift] += src[o];
}

typedef void (*fb_shifted_row_fn)(const float *, long, long, long, long, float *);
typedef void (*fb_shifted_add_fn)(const float *, long, long, long, float *);

/// The row copy and row add for this CPU, chosen once per call of the loops below.
static fb_shifted_row_fn fb_shifted_row_kernel(void) {
#ifdef FB_HAS_AVX512_PATH
    if (fb_avx512_available()) return fb_shifted_row_avx512;
#endif
    return fb_shifted_row_portable;
}

static fb_shifted_add_fn fb_shifted_add_kernel(void) {
#ifdef FB_HAS_AVX512_PATH
    if (fb_avx512_available()) return fb_shifted_add_avx512;
#endif
    return fb_shifted_add_portable;
}

void fb_im2col(const float *image, float *columns, const fb_window *w, long channelLo, long channelHi,
               long rowLo, long rowHi) {
    long bandArea = (rowHi - rowLo) * w->outW, imageArea = w->height * w->width;
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
