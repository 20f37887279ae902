// The C BLAS interface from Debian's libopenblas-dev (pthread build), and the engine's own
// AVX-512 SGEMM for CPUs that OpenBLAS does not recognise.
#if __has_include(<openblas-pthread/cblas.h>)
#include <openblas-pthread/cblas.h>
#else
#include <cblas.h>
#endif
#include "gemm_avx512.h"
