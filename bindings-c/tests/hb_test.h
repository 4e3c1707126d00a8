/* A minimal test runner for the libhookbridge C tests: RUN(test) runs one test function, CHECK
 * records a failed condition with its location, and hb_test_finish prints
 * "<program>: N passed, N failed" and returns the exit code. Checks are thread-safe. */
#ifndef HB_TEST_H
#define HB_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hookbridge.h"

static int hb_test_passed;
static int hb_test_failed;
static int hb_test_current_failures; /* updated atomically: checks may run on several threads */

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            __atomic_fetch_add(&hb_test_current_failures, 1, __ATOMIC_SEQ_CST);            \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);    \
        }                                                                                  \
    } while (0)

/* Checks that a call returned `expected`; on a mismatch prints the error it produced.
 * `err` must be an `hb_error *` variable; it is freed and reset to NULL afterwards. */
#define CHECK_RESULT(call, expected, err)                                                  \
    do {                                                                                   \
        hb_result hb_r_ = (call);                                                          \
        if (hb_r_ != (expected)) {                                                         \
            __atomic_fetch_add(&hb_test_current_failures, 1, __ATOMIC_SEQ_CST);            \
            fprintf(stderr, "  %s:%d: %s returned %s, expected %s: %s (%s)\n", __FILE__,   \
                    __LINE__, #call, hb_result_name((int)hb_r_), hb_result_name((int)(expected)), \
                    (err) ? hb_error_message(err) : "no error object",                     \
                    (err) ? hb_error_code(err) : "-");                                     \
        }                                                                                  \
        hb_error_free(err);                                                                \
        (err) = NULL;                                                                      \
    } while (0)

#define CHECK_OK(call, err) CHECK_RESULT(call, HB_RESULT_OK, err)

#define CHECK_STR(actual, expected)                                                        \
    do {                                                                                   \
        const char *hb_a_ = (actual);                                                      \
        const char *hb_e_ = (expected);                                                    \
        if (hb_a_ == NULL || hb_e_ == NULL || strcmp(hb_a_, hb_e_) != 0) {                 \
            __atomic_fetch_add(&hb_test_current_failures, 1, __ATOMIC_SEQ_CST);            \
            fprintf(stderr, "  %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                    #actual, hb_a_ ? hb_a_ : "(null)", hb_e_ ? hb_e_ : "(null)");          \
        }                                                                                  \
    } while (0)

#define RUN(test)                                                                          \
    do {                                                                                   \
        hb_test_current_failures = 0;                                                      \
        test();                                                                            \
        if (hb_test_current_failures == 0) {                                               \
            hb_test_passed++;                                                              \
            printf("ok   %s\n", #test);                                                    \
        } else {                                                                           \
            hb_test_failed++;                                                              \
            printf("FAIL %s\n", #test);                                                    \
        }                                                                                  \
        fflush(stdout);                                                                    \
    } while (0)

static inline int hb_test_finish(const char *program) {
    printf("%s: %d passed, %d failed\n", program, hb_test_passed, hb_test_failed);
    return hb_test_failed == 0 ? 0 : 1;
}

/* Sleeps for `ms` milliseconds. */
static inline void hb_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* An environment variable the harness must set (tests/run.sh). */
static inline const char *hb_test_env(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "%s is not set (run the tests through tests/run.sh)\n", name);
        exit(2);
    }
    return value;
}

/* A client for `url` with `api_key` and `retries`; exits the program if it cannot be built. */
static inline hb_client *hb_test_client(const char *url, const char *api_key, unsigned retries) {
    hb_client_options *options = NULL;
    hb_client *client = NULL;
    hb_error *err = NULL;
    if (hb_client_options_new(&options, &err) != HB_RESULT_OK ||
        hb_client_options_set_api_key(options, api_key, &err) != HB_RESULT_OK ||
        hb_client_options_set_base_url(options, url, &err) != HB_RESULT_OK ||
        hb_client_options_set_send_url(options, url, &err) != HB_RESULT_OK ||
        hb_client_options_set_timeout_ms(options, 10000, &err) != HB_RESULT_OK ||
        hb_client_options_set_retries(options, retries, &err) != HB_RESULT_OK ||
        hb_client_new(options, &client, &err) != HB_RESULT_OK) {
        fprintf(stderr, "cannot create a client: %s\n", err ? hb_error_message(err) : "?");
        exit(2);
    }
    hb_client_options_free(options);
    return client;
}

/* The client of the server under test (HB_TEST_URL, HB_TEST_API_KEY). */
static inline hb_client *hb_test_server_client(void) {
    return hb_test_client(hb_test_env("HB_TEST_URL"), hb_test_env("HB_TEST_API_KEY"), 2);
}

/* Polls a message until its status is `status` (or `timeout_ms` passes); returns it (free with
 * hb_message_free) or NULL. */
static inline hb_message *hb_test_wait_status(hb_client *client, const char *message_id, const char *status, int timeout_ms) {
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        hb_message *m = NULL;
        hb_error *err = NULL;
        if (hb_get_message(client, message_id, &m, &err) != HB_RESULT_OK) {
            fprintf(stderr, "  get_message: %s\n", hb_error_message(err));
            hb_error_free(err);
            return NULL;
        }
        if (strcmp(hb_message_status(m), status) == 0) return m;
        if (waited + 20 > timeout_ms)
            fprintf(stderr, "  message %s is %s, waited for %s\n", message_id, hb_message_status(m), status);
        hb_message_free(m);
        hb_sleep_ms(20);
    }
    return NULL;
}

#endif /* HB_TEST_H */
