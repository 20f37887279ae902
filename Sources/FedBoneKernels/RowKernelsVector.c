// The portable vector path of the row and Gram kernels: RowKernelTemplate.h and GramTemplate.h
// for the baseline target (NEON on arm64, SSE2 on x86-64).
// Every function that passes 8-lane vectors is static and always inlined, so the 256-bit vector
// ABI on x86-64 without AVX that -Wpsabi warns about never applies.
#pragma clang diagnostic ignored "-Wpsabi"
#define FB_PATH(name) name##_vector
#define FB_PATH_TARGET
#include "RowKernelTemplate.h"
#include "GramTemplate.h"
