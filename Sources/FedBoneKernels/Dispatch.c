// The one dispatch point of the kernels: which instruction-set path runs, chosen once per
// process from the CPU's features and the FEDBONE_ISA environment variable.
#include "FedBoneKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fb_isa_names[] = { "scalar", "vector", "avx2", "avx512" };

const char *fb_isa_name(int isa) {
    return isa >= FB_ISA_SCALAR && isa <= FB_ISA_AVX512 ? fb_isa_names[isa] : "unknown";
}

int fb_isa_supported(int isa) {
    switch (isa) {
    case FB_ISA_SCALAR:
    case FB_ISA_VECTOR:
        return 1;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    case FB_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case FB_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("fma");
#endif
    default:
        return 0;
    }
}

/// The widest supported path, or FEDBONE_ISA's when it names a supported one. A name that is
/// unknown or unsupported here is reported once on stderr and the widest path runs instead.
static int fb_choose_isa(void) {
    int best = FB_ISA_SCALAR;
    for (int isa = FB_ISA_AVX512; isa > FB_ISA_SCALAR; isa--)
        if (fb_isa_supported(isa)) { best = isa; break; }
    const char *wanted = getenv("FEDBONE_ISA");
    if (!wanted || !*wanted) return best;
    for (int isa = FB_ISA_SCALAR; isa <= FB_ISA_AVX512; isa++)
        if (strcmp(wanted, fb_isa_names[isa]) == 0) {
            if (fb_isa_supported(isa)) return isa;
            fprintf(stderr, "fedbone: FEDBONE_ISA=%s is not supported by this CPU; using %s\n", wanted,
                    fb_isa_names[best]);
            return best;
        }
    fprintf(stderr, "fedbone: FEDBONE_ISA=%s is not one of avx512, avx2, vector, scalar; using %s\n", wanted,
            fb_isa_names[best]);
    return best;
}

int fb_isa(void) {
    static int cached = -1;
    int value = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (value < 0) {
        value = fb_choose_isa();
        int expected = -1;
        // Two first callers may race; the first answer stored wins, so the message prints at
        // most twice and every caller sees one path.
        if (!__atomic_compare_exchange_n(&cached, &expected, value, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            value = expected;
    }
    return value;
}
