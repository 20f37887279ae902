// The C BLAS interface from Debian's libopenblas-dev (pthread build) and glibc's allocator
// tuning (mallopt).
#if __has_include(<openblas-pthread/cblas.h>)
#include <openblas-pthread/cblas.h>
#else
#include <cblas.h>
#endif
#if defined(__linux__) && __has_include(<malloc.h>)
#include <malloc.h>
#endif
