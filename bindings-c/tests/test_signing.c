/* Signing and verification without a client: every case of tests/vectors/signing.json (path in
 * HB_VECTORS, both "cases" and "standard_webhooks_cases"), plus round trips against the system
 * clock and binary bodies. */
#include <stdint.h>
#include <time.h>

#include "hb_test.h"
#include "mini_json.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (data && fread(data, 1, (size_t)size, f) != (size_t)size) { free(data); data = NULL; }
    if (data) data[size] = '\0';
    fclose(f);
    return data;
}

static int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes standard base64 (with padding); returns a malloc'd buffer and its length. */
static uint8_t *b64_decode(const char *text, size_t *len) {
    size_t n = strlen(text);
    uint8_t *out = malloc(n / 4 * 3 + 1);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && text[i] != '='; i++) {
        int v = b64_value(text[i]);
        if (v < 0) continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    *len = o;
    return out;
}

/* The body of a case: body_b64, or body_repeat {byte, count}. */
static uint8_t *case_body(const mj_value *c, size_t *len) {
    const char *b64 = mj_get_str(c, "body_b64");
    if (b64) return b64_decode(b64, len);
    const mj_value *rep = mj_get(c, "body_repeat");
    size_t count = (size_t)mj_get_int(rep, "count", 0);
    uint8_t *body = malloc(count ? count : 1);
    memset(body, (int)mj_get_int(rep, "byte", 0), count);
    *len = count;
    return body;
}

static hb_result expected_result(const char *expected) {
    if (strcmp(expected, "valid") == 0) return HB_RESULT_OK;
    if (strcmp(expected, "missing") == 0) return HB_RESULT_VERIFY_MISSING;
    if (strcmp(expected, "malformed") == 0) return HB_RESULT_VERIFY_MALFORMED;
    if (strcmp(expected, "expired") == 0) return HB_RESULT_VERIFY_EXPIRED;
    if (strcmp(expected, "mismatch") == 0) return HB_RESULT_VERIFY_MISMATCH;
    return HB_RESULT_PANIC; /* unknown kind: make the case fail */
}

static const char *expected_code(hb_result r) {
    switch (r) {
    case HB_RESULT_VERIFY_MISSING: return "VERIFY_MISSING";
    case HB_RESULT_VERIFY_MALFORMED: return "VERIFY_MALFORMED";
    case HB_RESULT_VERIFY_EXPIRED: return "VERIFY_EXPIRED";
    case HB_RESULT_VERIFY_MISMATCH: return "VERIFY_MISMATCH";
    default: return "?";
    }
}

/* Runs one vector: verify with the fixed clock, then sign with each secret. */
static void run_case(const mj_value *c) {
    size_t body_len = 0;
    uint8_t *body = case_body(c, &body_len);
    const mj_value *secrets_v = mj_get(c, "secrets");
    const mj_value *sigs_v = mj_get(c, "expected_signatures");
    size_t n = secrets_v ? secrets_v->count : 0;
    const char **secrets = calloc(n ? n : 1, sizeof *secrets);
    for (size_t i = 0; i < n; i++) secrets[i] = mj_at(secrets_v, i)->string;
    const char *timestamp = mj_get_str(c, "timestamp");
    int64_t now = mj_get_int(c, "now", 0);
    uint64_t tolerance = (uint64_t)mj_get_int(c, "tolerance_seconds", 0);
    hb_result want = expected_result(mj_get_str(c, "expected"));
    hb_error *err = NULL;

    hb_result got = hb_verify_signature(body, body_len, mj_get_str(c, "signature_header"), timestamp,
                                        n ? secrets : NULL, n, tolerance, &now, &err);
    CHECK(got == want);
    if (got != want)
        fprintf(stderr, "  verify gave %s, expected %s (%s)\n", hb_result_name((int)got),
                hb_result_name((int)want), err ? hb_error_message(err) : "no error");
    if (want == HB_RESULT_OK) {
        CHECK(err == NULL);
    } else if (err) {
        CHECK(hb_error_result(err) == want);
        CHECK_STR(hb_error_code(err), expected_code(want));
        CHECK(strlen(hb_error_message(err)) > 0);
        CHECK(hb_error_status(err) == 0);
    }
    hb_error_free(err);
    err = NULL;

    for (size_t i = 0; i < n && sigs_v && i < sigs_v->count; i++) {
        char *sig = NULL;
        CHECK_OK(hb_sign(secrets[i], timestamp, body, body_len, &sig, &err), err);
        CHECK_STR(sig, mj_at(sigs_v, i)->string);
        hb_string_free(sig);
    }
    if (n > 0) {
        /* The multi-secret header is the expected signatures joined by commas, in order. */
        char joined[4096] = "";
        for (size_t i = 0; i < sigs_v->count; i++) {
            if (i) strcat(joined, ",");
            strcat(joined, mj_at(sigs_v, i)->string);
        }
        char *header = NULL;
        CHECK_OK(hb_signature_header(secrets, n, timestamp, body, body_len, &header, &err), err);
        CHECK_STR(header, joined);
        hb_string_free(header);
    }
    free(secrets);
    free(body);
}

/* Runs one Standard Webhooks vector: verify with the fixed clock, then sign with each secret. */
static void run_standard_webhooks_case(const mj_value *c) {
    size_t body_len = 0;
    uint8_t *body = case_body(c, &body_len);
    const mj_value *secrets_v = mj_get(c, "secrets");
    const mj_value *sigs_v = mj_get(c, "expected_signatures");
    size_t n = secrets_v ? secrets_v->count : 0;
    const char **secrets = calloc(n ? n : 1, sizeof *secrets);
    for (size_t i = 0; i < n; i++) secrets[i] = mj_at(secrets_v, i)->string;
    const char *id = mj_get_str(c, "message_id");
    const char *timestamp = mj_get_str(c, "timestamp");
    int64_t now = mj_get_int(c, "now", 0);
    uint64_t tolerance = (uint64_t)mj_get_int(c, "tolerance_seconds", 0);
    hb_result want = expected_result(mj_get_str(c, "expected"));
    hb_error *err = NULL;

    hb_result got = hb_verify_standard_webhook(body, body_len, id, timestamp, mj_get_str(c, "signature_header"),
                                               n ? secrets : NULL, n, tolerance, &now, &err);
    CHECK(got == want);
    if (got != want)
        fprintf(stderr, "  verify gave %s, expected %s (%s)\n", hb_result_name((int)got),
                hb_result_name((int)want), err ? hb_error_message(err) : "no error");
    if (want != HB_RESULT_OK && err) {
        CHECK(hb_error_result(err) == want);
        CHECK_STR(hb_error_code(err), expected_code(want));
    }
    hb_error_free(err);
    err = NULL;
    for (size_t i = 0; i < n && sigs_v && i < sigs_v->count; i++) {
        char *sig = NULL;
        CHECK_OK(hb_sign_standard_webhook(secrets[i], id, timestamp, body, body_len, &sig, &err), err);
        CHECK_STR(sig, mj_at(sigs_v, i)->string);
        hb_string_free(sig);
    }
    free(secrets);
    free(body);
}

/* Runs every case of the array `key` with `run`; returns how many there were. */
static int run_array(const mj_value *doc, const char *key, void (*run)(const mj_value *)) {
    const mj_value *cases = mj_get(doc, key);
    if (!cases || cases->count == 0) {
        fprintf(stderr, "signing vectors have no %s\n", key);
        return 0;
    }
    for (size_t i = 0; i < cases->count; i++) {
        const mj_value *c = mj_at(cases, i);
        hb_test_current_failures = 0;
        run(c);
        if (hb_test_current_failures == 0) {
            hb_test_passed++;
            printf("ok   vector %s\n", mj_get_str(c, "name"));
        } else {
            hb_test_failed++;
            printf("FAIL vector %s\n", mj_get_str(c, "name"));
        }
    }
    return (int)cases->count;
}

static int run_vectors(void) {
    const char *path = hb_test_env("HB_VECTORS");
    char *text = read_file(path);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        return 0;
    }
    mj_value *doc = mj_parse(text);
    free(text);
    int hookbridge_cases = run_array(doc, "cases", run_case);
    int standard_cases = run_array(doc, "standard_webhooks_cases", run_standard_webhooks_case);
    mj_free(doc);
    return hookbridge_cases && standard_cases ? hookbridge_cases + standard_cases : 0;
}

/* Sign then verify against the real clock; a 10-minute-old signature is expired. */
static void test_round_trip_with_system_clock(void) {
    const char *secret = "whsec_roundtrip";
    const char *secrets[] = {"whsec_other", secret};
    const char body[] = "{\"event\":\"order.created\"}";
    char ts[32], old_ts[32];
    snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    snprintf(old_ts, sizeof old_ts, "%lld", (long long)time(NULL) - 600);
    char *sig = NULL, *old_sig = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_sign(secret, ts, (const uint8_t *)body, strlen(body), &sig, &err), err);
    CHECK(sig && strncmp(sig, "sha256=", 7) == 0 && strlen(sig) == 71);
    CHECK_OK(hb_verify_signature((const uint8_t *)body, strlen(body), sig, ts, secrets, 2,
                                 HB_DEFAULT_TOLERANCE_SECONDS, NULL, &err), err);
    CHECK_RESULT(hb_verify_signature((const uint8_t *)body, strlen(body) - 1, sig, ts, secrets, 2,
                                     HB_DEFAULT_TOLERANCE_SECONDS, NULL, &err),
                 HB_RESULT_VERIFY_MISMATCH, err);
    CHECK_OK(hb_sign(secret, old_ts, (const uint8_t *)body, strlen(body), &old_sig, &err), err);
    CHECK_RESULT(hb_verify_signature((const uint8_t *)body, strlen(body), old_sig, old_ts, secrets, 2,
                                     HB_DEFAULT_TOLERANCE_SECONDS, NULL, &err),
                 HB_RESULT_VERIFY_EXPIRED, err);
    hb_string_free(sig);
    hb_string_free(old_sig);
}

/* Bodies are bytes with an explicit length: embedded NULs count, and NULL/0 is the empty body. */
static void test_binary_and_empty_bodies(void) {
    const uint8_t binary[] = {'a', 0, 'b', 0xff};
    const char *secrets[] = {"whsec_bin"};
    int64_t now = 1700000000;
    char *full = NULL, *prefix = NULL, *empty_null = NULL, *empty_ptr = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_sign("whsec_bin", "1700000000", binary, sizeof binary, &full, &err), err);
    CHECK_OK(hb_sign("whsec_bin", "1700000000", binary, 1, &prefix, &err), err);
    CHECK(full && prefix && strcmp(full, prefix) != 0);
    CHECK_OK(hb_verify_signature(binary, sizeof binary, full, "1700000000", secrets, 1, 0, &now, &err), err);
    CHECK_RESULT(hb_verify_signature(binary, 1, full, "1700000000", secrets, 1, 0, &now, &err),
                 HB_RESULT_VERIFY_MISMATCH, err);
    CHECK_OK(hb_sign("whsec_bin", "1700000000", NULL, 0, &empty_null, &err), err);
    CHECK_OK(hb_sign("whsec_bin", "1700000000", binary, 0, &empty_ptr, &err), err);
    CHECK_STR(empty_null, empty_ptr);
    /* A Standard Webhooks secret that is not base64 cannot sign. */
    char *none = NULL;
    CHECK_RESULT(hb_sign_standard_webhook("whsec_not*base64", "msg_1", "1700000000", binary, 1, &none, &err),
                 HB_RESULT_VERIFY_MALFORMED, err);
    CHECK(none == NULL);
    hb_string_free(full);
    hb_string_free(prefix);
    hb_string_free(empty_null);
    hb_string_free(empty_ptr);
}

int main(void) {
    int vectors = run_vectors();
    if (vectors == 0) hb_test_failed++;
    RUN(test_round_trip_with_system_clock);
    RUN(test_binary_and_empty_bodies);
    return hb_test_finish("test_signing");
}
