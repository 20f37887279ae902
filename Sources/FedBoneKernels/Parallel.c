// A small thread pool for the engine's parallel loops. Workers spin for a short while after each
// job before they sleep, so the many short parallel regions of a training step (hundreds per
// Swin step) start without a futex wake-up each; a job is split into chunks that the caller and
// the workers claim from a shared counter, so a late worker never delays the caller.
#include "FedBoneKernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define FB_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define FB_PAUSE() __asm__ volatile("yield")
#else
#define FB_PAUSE() ((void)0)
#endif

enum { FB_MAX_WORKERS = 63 };
/// How long an idle worker spins before it sleeps, in nanoseconds.
static const long fb_spin_ns = 200000;

typedef struct {
    void (*body)(void *context, long index);
    void *context;
    long count;
    atomic_long next;
    atomic_long done;
} fb_job;

static pthread_mutex_t fb_pool_lock = PTHREAD_MUTEX_INITIALIZER;   // one job at a time
static pthread_mutex_t fb_sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fb_sleep_cond = PTHREAD_COND_INITIALIZER;
static atomic_ulong fb_generation;     // advanced for every job
static fb_job *_Atomic fb_current;     // the running job, NULL between jobs
static atomic_long fb_active;          // workers that may be touching fb_current
static atomic_int fb_sleepers;
static int fb_workers;                 // started so far (guarded by fb_pool_lock)
static _Thread_local int fb_inside;    // nested loops run serially

static long fb_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static void fb_run_chunks(fb_job *job) {
    long i;
    while ((i = atomic_fetch_add(&job->next, 1)) < job->count) {
        job->body(job->context, i);
        atomic_fetch_add(&job->done, 1);
    }
}

static void *fb_worker(void *unused) {
    (void)unused;
    fb_inside = 1;
    unsigned long seen = atomic_load(&fb_generation);
    for (;;) {
        long start = fb_now_ns();
        for (int spins = 0; atomic_load(&fb_generation) == seen; spins++) {
            FB_PAUSE();
            if ((spins & 63) == 63 && fb_now_ns() - start > fb_spin_ns) {
                pthread_mutex_lock(&fb_sleep_lock);
                atomic_fetch_add(&fb_sleepers, 1);
                while (atomic_load(&fb_generation) == seen) pthread_cond_wait(&fb_sleep_cond, &fb_sleep_lock);
                atomic_fetch_sub(&fb_sleepers, 1);
                pthread_mutex_unlock(&fb_sleep_lock);
            }
        }
        seen = atomic_load(&fb_generation);
        atomic_fetch_add(&fb_active, 1);
        fb_job *job = atomic_load(&fb_current);
        if (job) fb_run_chunks(job);
        atomic_fetch_sub(&fb_active, 1);
    }
    return NULL;
}

void fb_parallel_for(long count, long threads, void (*body)(void *context, long index), void *context) {
    if (count <= 0) return;
    if (count == 1 || threads <= 1 || fb_inside || pthread_mutex_trylock(&fb_pool_lock) != 0) {
        for (long i = 0; i < count; i++) body(context, i);
        return;
    }
    long wanted = threads - 1 < FB_MAX_WORKERS ? threads - 1 : FB_MAX_WORKERS;
    while (fb_workers < wanted) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, fb_worker, NULL) != 0) break;
        pthread_detach(thread);
        fb_workers++;
    }
    fb_job job = { body, context, count, 0, 0 };
    atomic_store(&fb_current, &job);
    atomic_fetch_add(&fb_generation, 1);
    if (atomic_load(&fb_sleepers) > 0) {
        pthread_mutex_lock(&fb_sleep_lock);
        pthread_cond_broadcast(&fb_sleep_cond);
        pthread_mutex_unlock(&fb_sleep_lock);
    }
    fb_inside = 1;
    fb_run_chunks(&job);
    fb_inside = 0;
    while (atomic_load(&job.done) < count) FB_PAUSE();
    // No worker may still hold the job (it lives on this stack) when this returns.
    atomic_store(&fb_current, NULL);
    while (atomic_load(&fb_active) > 0) FB_PAUSE();
    pthread_mutex_unlock(&fb_pool_lock);
}
