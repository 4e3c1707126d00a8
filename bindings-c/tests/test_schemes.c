/* Endpoint signature settings through the C binding against a real hookbridge-server
 * (HB_TEST_URL, HB_TEST_API_KEY): `signature_scheme` on outbound endpoints (create with
 * hb_create_endpoint_with_options, change with hb_update_endpoint, read with
 * hb_endpoint_signature_scheme and the endpoint JSON; a delivery verified with
 * hb_verify_standard_webhook) and `verification_preset` on inbound endpoints (a Stripe-signed
 * request accepted, a wrong signature refused with the preset's reason code). */
#include "hb_test.h"
#include "http_post.h"
#include "mini_json.h"
#include "receiver.h"

static hb_client *client;

/* The endpoint `id` as fetched now (free with hb_endpoint_free). */
static hb_endpoint *fetch(const char *id) {
    hb_endpoint *ep = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_get_endpoint(client, id, &ep, &err), err);
    return ep;
}

/* Checks the scheme an endpoint reports, by accessor and in its JSON. */
static void check_scheme(const char *id, const char *expected) {
    hb_endpoint *ep = fetch(id);
    if (ep == NULL) return;
    CHECK_STR(hb_endpoint_signature_scheme(ep), expected);
    mj_value *json = mj_parse(hb_endpoint_json(ep));
    CHECK_STR(mj_get_str(json, "signature_scheme"), expected);
    mj_free(json);
    hb_endpoint_free(ep);
}

static void test_standard_webhooks_endpoint_delivers_verifiable_signatures(void) {
    hb_created_endpoint *created = NULL;
    hb_error *err = NULL;
    receiver *rx = receiver_start(200);
    CHECK_OK(hb_create_endpoint_with_options(client, rx->url, "{\"description\": \"c sw\", \"signature_scheme\": \"standard_webhooks\"}",
                                             &created, &err),
             err);
    if (created == NULL) {
        receiver_stop(rx);
        return;
    }
    const char *id = hb_created_endpoint_id(created);
    CHECK_STR(hb_created_endpoint_description(created), "c sw");
    check_scheme(id, "standard_webhooks");

    const char *payload = "{\"event\": \"scheme.test\"}";
    char *message_id = NULL;
    CHECK_OK(hb_send(client, id, payload, NULL, NULL, 0, NULL, &message_id, NULL, &err), err);
    CHECK(receiver_wait(rx, 1, 30000) >= 1);
    const received_request *req = receiver_request(rx, 0);
    if (req != NULL) {
        char wid[128], wts[64], wsig[512], old_sig[512];
        CHECK(request_header(req, "webhook-id", wid, sizeof wid) != NULL);
        CHECK(request_header(req, "webhook-timestamp", wts, sizeof wts) != NULL);
        CHECK(request_header(req, "webhook-signature", wsig, sizeof wsig) != NULL);
        /* The HookBridge scheme's header is not sent alongside. */
        CHECK(request_header(req, "x-webhook-signature", old_sig, sizeof old_sig) == NULL);
        const char *secrets[] = {hb_created_endpoint_signing_secret(created)};
        CHECK_OK(hb_verify_standard_webhook((const uint8_t *)req->body, req->body_len, wid, wts, wsig, secrets, 1,
                                            HB_DEFAULT_TOLERANCE_SECONDS, NULL, &err),
                 err);
        /* The same signature does not cover another body. */
        CHECK_RESULT(hb_verify_standard_webhook((const uint8_t *)"{}", 2, wid, wts, wsig, secrets, 1, HB_DEFAULT_TOLERANCE_SECONDS,
                                                NULL, &err),
                     HB_RESULT_VERIFY_MISMATCH, err);
    }
    hb_string_free(message_id);
    hb_created_endpoint_free(created);
    receiver_stop(rx);
}

static void test_scheme_defaults_and_changes(void) {
    hb_created_endpoint *created = NULL;
    hb_error *err = NULL;
    /* Neither the positional create nor an options object without the key sends a scheme. */
    CHECK_OK(hb_create_endpoint(client, "http://127.0.0.1:9/a", NULL, 0, 0, NULL, NULL, 0, &created, &err), err);
    if (created == NULL) return;
    char *id = strdup(hb_created_endpoint_id(created));
    hb_created_endpoint_free(created);
    check_scheme(id, "hookbridge");
    CHECK_OK(hb_create_endpoint_with_options(client, "http://127.0.0.1:9/b", NULL, &created, &err), err);
    if (created != NULL) check_scheme(hb_created_endpoint_id(created), "hookbridge");
    hb_created_endpoint_free(created);

    CHECK_OK(hb_update_endpoint(client, id, "{\"signature_scheme\": \"standard_webhooks\"}", &err), err);
    check_scheme(id, "standard_webhooks");
    /* Changing another field leaves the scheme alone. */
    CHECK_OK(hb_update_endpoint(client, id, "{\"description\": \"still sw\"}", &err), err);
    check_scheme(id, "standard_webhooks");
    CHECK_OK(hb_update_endpoint(client, id, "{\"signature_scheme\": \"hookbridge\"}", &err), err);
    check_scheme(id, "hookbridge");

    /* An unknown scheme or key is refused before anything is sent, naming the problem. */
    created = NULL;
    hb_result r = hb_create_endpoint_with_options(client, "http://127.0.0.1:9/c", "{\"signature_scheme\": \"svix\"}", &created, &err);
    CHECK(r == HB_RESULT_INVALID_ARGUMENT && created == NULL);
    CHECK(err != NULL && strstr(hb_error_message(err), "signature_scheme") != NULL);
    if (err != NULL && strstr(hb_error_message(err), "signature_scheme") == NULL) fprintf(stderr, "  message: %s\n", hb_error_message(err));
    hb_error_free(err);
    err = NULL;
    CHECK_RESULT(hb_create_endpoint_with_options(client, "http://127.0.0.1:9/c", "{\"scheme\": \"hookbridge\"}", &created, &err),
                 HB_RESULT_INVALID_ARGUMENT, err);
    CHECK_RESULT(hb_create_endpoint_with_options(client, "http://127.0.0.1:9/c", "[1]", &created, &err), HB_RESULT_INVALID_ARGUMENT,
                 err);
    CHECK_RESULT(hb_create_endpoint_with_options(client, NULL, NULL, &created, &err), HB_RESULT_INVALID_ARGUMENT, err);
    CHECK_RESULT(hb_update_endpoint(client, id, "{\"signature_scheme\": 1}", &err), HB_RESULT_INVALID_ARGUMENT, err);
    check_scheme(id, "hookbridge");
    CHECK(hb_endpoint_signature_scheme(NULL) == NULL);
    free(id);
}

/* `Stripe-Signature: t=<at>,v1=<hex HMAC-SHA256 of "<at>.<body>">`: the MAC of hb_sign, which
 * signs the same content with the secret used whole, written the way Stripe writes it. */
static void stripe_header(const char *secret, long at, const char *body, char *out, size_t out_len) {
    char ts[32];
    snprintf(ts, sizeof ts, "%ld", at);
    char *sig = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_sign(secret, ts, (const uint8_t *)body, strlen(body), &sig, &err), err);
    snprintf(out, out_len, "Stripe-Signature: t=%s,v1=%s", ts, sig ? sig + strlen("sha256=") : "");
    hb_string_free(sig);
}

static void test_stripe_preset_on_an_inbound_endpoint(void) {
    char *out = NULL;
    hb_error *err = NULL;
    const char *secret = "whsec_c_binding_stripe_0123456789";
    char settings[256];
    snprintf(settings, sizeof settings, "{\"name\": \"c-stripe\", \"mode\": \"cli\", \"verification_preset\": \"stripe\", \"hmac_secret\": \"%s\"}",
             secret);
    CHECK_OK(hb_create_inbound_endpoint_json(client, NULL, settings, &out, &err), err);
    mj_value *created = out ? mj_parse(out) : NULL;
    hb_string_free(out);
    const char *id = mj_get_str(created, "id");
    const char *ingest_url = mj_get_str(created, "ingest_url");
    CHECK(id != NULL && ingest_url != NULL);
    if (id == NULL || ingest_url == NULL) {
        mj_free(created);
        return;
    }
    CHECK_OK(hb_get_inbound_endpoint_json(client, id, &out, &err), err);
    mj_value *got = out ? mj_parse(out) : NULL;
    CHECK_STR(mj_get_str(got, "verification_preset"), "stripe");
    CHECK(out == NULL || strstr(out, secret) == NULL);
    hb_string_free(out);
    mj_free(got);

    const char *body = "{\"id\": \"evt_c\", \"type\": \"invoice.paid\"}";
    char header[256];
    stripe_header(secret, (long)time(NULL), body, header, sizeof header);
    int status = http_post(ingest_url, "application/json", header, body);
    CHECK(status == 202);
    stripe_header("whsec_some_other_secret", (long)time(NULL), body, header, sizeof header);
    status = http_post(ingest_url, "application/json", header, body);
    CHECK(status == 401);

    /* Back to the generic settings, then an unknown preset refused by the server. */
    CHECK_OK(hb_update_inbound_endpoint_json(client, id, "{\"verification_preset\": \"custom\"}", &out, &err), err);
    hb_string_free(out);
    CHECK_OK(hb_get_inbound_endpoint_json(client, id, &out, &err), err);
    got = out ? mj_parse(out) : NULL;
    CHECK_STR(mj_get_str(got, "verification_preset"), "custom");
    hb_string_free(out);
    mj_free(got);
    out = NULL;
    CHECK_RESULT(hb_update_inbound_endpoint_json(client, id, "{\"verification_preset\": \"paypal\"}", &out, &err), HB_RESULT_API, err);
    CHECK(out == NULL);
    mj_free(created);
}

int main(void) {
    client = hb_test_server_client();
    RUN(test_standard_webhooks_endpoint_delivers_verifiable_signatures);
    RUN(test_scheme_defaults_and_changes);
    RUN(test_stripe_preset_on_an_inbound_endpoint);
    hb_client_free(client);
    return hb_test_finish("test_schemes");
}
