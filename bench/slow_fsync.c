/*
 * A slower disk for the benchmark: preloaded into the bench (and so into the servers it
 * starts), it makes every fsync() and fdatasync() take SLOW_FSYNC_US microseconds longer.
 * The bench's fsync probe goes through the same calls, so the figures it prints as ratios to
 * the fsync rate compare with a machine whose disk syncs that slowly. bench/server.sh builds
 * and preloads it when HOOKBRIDGE_BENCH_SLOW_FSYNC_US is set. It adds latency only: a real slow
 * disk may also run concurrent syncs one after the other.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

/* The extra time of one sync, in nanoseconds (read once from SLOW_FSYNC_US). */
static long extra_ns(void) {
    static long ns = -1;
    if (ns < 0) {
        const char *us = getenv("SLOW_FSYNC_US");
        ns = us ? atol(us) * 1000L : 0;
    }
    return ns;
}

/* Sleeps the extra time, resuming after signals. */
static void wait_extra(void) {
    long ns = extra_ns();
    if (ns > 0) {
        struct timespec left = {ns / 1000000000L, ns % 1000000000L};
        while (nanosleep(&left, &left) != 0) {
        }
    }
}

/* Runs the real `name` (looked up once into `real`) on `fd`, then waits the extra time. */
static int slowed(const char *name, int (**real)(int), int fd) {
    if (!*real) *real = (int (*)(int))dlsym(RTLD_NEXT, name);
    int rc = (*real)(fd);
    wait_extra();
    return rc;
}

int fsync(int fd) {
    static int (*real)(int);
    return slowed("fsync", &real, fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    return slowed("fdatasync", &real, fd);
}
