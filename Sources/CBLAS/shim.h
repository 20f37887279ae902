// The C BLAS interface from Debian's libopenblas-dev (pthread build), the engine's own AVX-512
// SGEMM for CPUs that OpenBLAS does not recognise, and glibc's allocator tuning (mallopt).
#if __has_include(<openblas-pthread/cblas.h>)
#include <openblas-pthread/cblas.h>
#else
#include <cblas.h>
#endif
#include "gemm_avx512.h"
#if defined(__linux__) && __has_include(<malloc.h>)
#include <malloc.h>
#endif
