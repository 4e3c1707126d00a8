/* Built by tests/install_test.sh against an installed copy with
 * `cc install_app.c $(pkg-config --cflags --libs hookbridge)` (and once statically): checks that
 * the installed header and library work together and are the same version. */
#include <stdio.h>
#include <string.h>

#include <hookbridge.h>

int main(void) {
    int failures = 0;
    /* The compile-time macros agree with each other and with the library loaded at run time. */
    char from_parts[32];
    snprintf(from_parts, sizeof from_parts, "%d.%d.%d", HB_VERSION_MAJOR, HB_VERSION_MINOR, HB_VERSION_PATCH);
    if (strcmp(from_parts, HB_VERSION_STRING) != 0) {
        fprintf(stderr, "HB_VERSION_MAJOR/MINOR/PATCH give %s, HB_VERSION_STRING is %s\n", from_parts, HB_VERSION_STRING);
        failures++;
    }
    if (strcmp(hb_version(), HB_VERSION_STRING) != 0) {
        fprintf(stderr, "hb_version() is %s, the header says %s\n", hb_version(), HB_VERSION_STRING);
        failures++;
    }

    char *sig = NULL;
    hb_error *err = NULL;
    const char *body = "{}";
    if (hb_sign("whsec_test", "1700000000", (const uint8_t *)body, strlen(body), &sig, &err) != HB_RESULT_OK) {
        fprintf(stderr, "hb_sign failed: %s\n", hb_error_message(err));
        hb_error_free(err);
        return 1;
    }
    if (strncmp(sig, "sha256=", 7) != 0 || strlen(sig) != 71) {
        fprintf(stderr, "unexpected signature %s\n", sig);
        failures++;
    }
    printf("libhookbridge %s (header %s): %s\n", hb_version(), HB_VERSION_STRING, sig);
    hb_string_free(sig);
    return failures == 0 ? 0 : 1;
}
