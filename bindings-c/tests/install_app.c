/* Built by `make test-install` against an installed copy with
 * `cc install_app.c $(pkg-config --cflags --libs hookbridge)`: checks the installed header and
 * library work together. */
#include <stdio.h>
#include <string.h>

#include <hookbridge.h>

int main(void) {
    char *sig = NULL;
    hb_error *err = NULL;
    const char *body = "{}";
    if (hb_sign("whsec_test", "1700000000", (const uint8_t *)body, strlen(body), &sig, &err) != HB_RESULT_OK) {
        fprintf(stderr, "hb_sign failed: %s\n", hb_error_message(err));
        hb_error_free(err);
        return 1;
    }
    int ok = strncmp(sig, "sha256=", 7) == 0 && strlen(sig) == 71;
    printf("libhookbridge %s: %s\n", hb_version(), sig);
    hb_string_free(sig);
    return ok ? 0 : 1;
}
