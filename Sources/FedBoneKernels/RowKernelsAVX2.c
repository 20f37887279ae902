// The AVX2+FMA path of the row and Gram kernels: RowKernelTemplate.h and GramTemplate.h for
// AVX2 and FMA on x86-64 (run only where fb_isa_supported(FB_ISA_AVX2)).
#include "KernelPaths.h"
#ifdef FB_HAS_AVX2_PATH
#define FB_PATH(name) name##_avx2
#define FB_PATH_TARGET __attribute__((target("avx2,fma")))
#include "RowKernelTemplate.h"
#include "GramTemplate.h"
#endif
