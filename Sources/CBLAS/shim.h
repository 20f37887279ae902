// The C BLAS interface from Debian's libopenblas-dev (pthread build).
#if __has_include(<openblas-pthread/cblas.h>)
#include <openblas-pthread/cblas.h>
#else
#include <cblas.h>
#endif
