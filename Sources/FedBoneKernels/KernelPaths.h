// The per-path entry points of the row kernels, internal to FedBoneKernels: the scalar
// reference (in the kernel's own file) and the two compilations of RowKernelTemplate.h and
// GramTemplate.h, the portable vector path (RowKernelsVector.c) and the AVX2+FMA path
// (RowKernelsAVX2.c, x86-64).
#ifndef FEDBONE_KERNEL_PATHS_H
#define FEDBONE_KERNEL_PATHS_H

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define FB_HAS_AVX2_PATH 1
#endif

#define FB_DECLARE_ROW_KERNELS(suffix) \
    void fb_gelu_forward_##suffix(const float *x, float *y, long n); \
    void fb_gelu_backward_##suffix(const float *x, const float *g, float *dx, long n); \
    float fb_sum_##suffix(const float *x, long n); \
    void fb_gram_f64_##suffix(const float *const *rows, long count, long start, long n, double *scratch, double *sum); \
    void fb_axpy_f64_##suffix(long n, double c, const float *x, double *sum); \
    void fb_transpose_##suffix(const float *src, long rows, long cols, long lds, float *dst, long ldd); \
    void fb_softmax_rows_##suffix(const float *x, float *y, const float *bias, const float *mask, long rows, long n); \
    void fb_softmax_backward_rows_##suffix(const float *grad, const float *p, float *dx, long rows, long n); \
    void fb_layer_norm_forward_##suffix(const float *x, const float *w, const float *b, float *y, float *mean, \
                                        float *rstd, long rows, long d, float eps); \
    void fb_layer_norm_backward_input_##suffix(const float *g, const float *x, const float *w, const float *mean, \
                                               const float *rstd, float *dx, long rows, long d); \
    void fb_layer_norm_backward_params_##suffix(const float *g, const float *x, const float *mean, \
                                                const float *rstd, float *dw, float *db, long rows, long d);

FB_DECLARE_ROW_KERNELS(scalar)
FB_DECLARE_ROW_KERNELS(vector)
#ifdef FB_HAS_AVX2_PATH
FB_DECLARE_ROW_KERNELS(avx2)
#endif

/// The body of a void row kernel's `_isa` entry point: runs name_avx512 (static in the kernel's
/// file), name_avx2, name_vector or name_scalar with the arguments.
#ifdef FB_HAS_AVX2_PATH
#define FB_DISPATCH(isa, name, ...) \
    switch (isa) { \
    case FB_ISA_AVX512: name##_avx512(__VA_ARGS__); break; \
    case FB_ISA_AVX2: name##_avx2(__VA_ARGS__); break; \
    case FB_ISA_VECTOR: name##_vector(__VA_ARGS__); break; \
    default: name##_scalar(__VA_ARGS__); break; \
    }
#else
#define FB_DISPATCH(isa, name, ...) \
    switch (isa) { \
    case FB_ISA_VECTOR: name##_vector(__VA_ARGS__); break; \
    default: name##_scalar(__VA_ARGS__); break; \
    }
#endif

#endif
