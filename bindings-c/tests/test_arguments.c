/* Bad arguments never crash: NULL pointers, invalid UTF-8 and malformed JSON give
 * HB_RESULT_INVALID_ARGUMENT with an error naming the argument, for every class of function
 * (options, client, typed calls, every JSON call, signing, accessors, free functions).
 * No server is needed: every call fails before any request is made. */
#include "hb_test.h"

static hb_client *client;
static const char BAD_UTF8[] = {'a', (char)0xff, 'b', 0};
static int64_t ZERO = 0;

/* Checks that `call` fails with INVALID_ARGUMENT and that the message mentions `arg`; the call
 * passes `&e_` (declared by the macro) as its err argument. */
#define CHECK_INVALID(call, arg)                                                          \
    do {                                                                                  \
        hb_error *e_ = NULL;                                                              \
        hb_result r_ = (call);                                                            \
        CHECK(r_ == HB_RESULT_INVALID_ARGUMENT);                                          \
        CHECK(e_ != NULL);                                                                \
        if (e_) {                                                                         \
            CHECK(hb_error_result(e_) == HB_RESULT_INVALID_ARGUMENT);                     \
            CHECK_STR(hb_error_code(e_), "INVALID_ARGUMENT");                             \
            if (strstr(hb_error_message(e_), (arg)) == NULL)                              \
                CHECK_STR(hb_error_message(e_), "a message naming " arg);                 \
            CHECK(hb_error_status(e_) == 0 && hb_error_retry_after(e_) == -1);            \
            CHECK(hb_error_request_id(e_) == NULL);                                       \
        }                                                                                 \
        hb_error_free(e_);                                                                \
    } while (0)

static void test_options_and_client_creation(void) {
    hb_client_options *options = NULL;
    hb_client *c = (hb_client *)&ZERO; /* must be reset to NULL on failure */
    hb_error *err = NULL;
    CHECK_INVALID(hb_client_options_new(NULL, &e_), "out");
    CHECK_OK(hb_client_options_new(&options, &err), err);
    CHECK_INVALID(hb_client_options_set_api_key(NULL, "k", &e_), "options");
    CHECK_INVALID(hb_client_options_set_api_key(options, NULL, &e_), "api_key");
    CHECK_INVALID(hb_client_options_set_api_key(options, BAD_UTF8, &e_), "api_key");
    CHECK_INVALID(hb_client_options_set_base_url(options, NULL, &e_), "base_url");
    CHECK_INVALID(hb_client_options_set_send_url(options, BAD_UTF8, &e_), "send_url");
    CHECK_INVALID(hb_client_options_set_timeout_ms(options, 0, &e_), "timeout_ms");
    CHECK_INVALID(hb_client_options_set_timeout_ms(NULL, 5, &e_), "options");
    CHECK_INVALID(hb_client_options_set_retries(NULL, 1, &e_), "options");
    CHECK_INVALID(hb_client_new(NULL, &c, &e_), "options");
    CHECK(c == NULL);
    CHECK_INVALID(hb_client_new(options, NULL, &e_), "out");

    /* No API key, then a URL that is not http(s): client-side validation errors. */
    CHECK_OK(hb_client_options_set_base_url(options, "http://127.0.0.1:9", &err), err);
    CHECK_RESULT(hb_client_new(options, &c, &err), HB_RESULT_VALIDATION, err);
    CHECK_OK(hb_client_options_set_api_key(options, "hb_test_x", &err), err);
    CHECK_OK(hb_client_options_set_base_url(options, "ftp://example.com", &err), err);
    CHECK(hb_client_new(options, &c, &err) == HB_RESULT_VALIDATION);
    CHECK(err && strstr(hb_error_message(err), "base_url") != NULL);
    CHECK(err && hb_error_status(err) == 400);
    hb_error_free(err);
    err = NULL;
    CHECK(c == NULL);

    /* Extreme but valid settings build a working client (port 9 refuses: a network error). */
    CHECK_OK(hb_client_options_set_base_url(options, "http://127.0.0.1:9/", &err), err);
    CHECK_OK(hb_client_options_set_timeout_ms(options, UINT64_MAX, &err), err);
    CHECK_OK(hb_client_options_set_retries(options, 0, &err), err);
    CHECK_OK(hb_client_new(options, &c, &err), err);
    hb_metrics *metrics = NULL;
    CHECK_RESULT(hb_get_metrics(c, "24h", &metrics, &err), HB_RESULT_NETWORK, err);
    hb_client_free(c);
    hb_client_options_free(options);
    hb_client_options_free(NULL);
    hb_client_free(NULL);
}

static void test_typed_calls(void) {
    char *id = (char *)"sentinel", *status = NULL;
    hb_message *message = NULL;
    hb_created_endpoint *created = NULL;
    hb_endpoint *endpoint = NULL;
    hb_endpoint_list *list = NULL;
    hb_metrics *metrics = NULL;
    const char *names[] = {"X-A", NULL};
    const char *values[] = {"1", "2"};

    CHECK_INVALID(hb_send(NULL, "ep", "{}", NULL, NULL, 0, NULL, &id, &status, &e_), "client");
    CHECK(id == NULL);
    CHECK_INVALID(hb_send(client, NULL, "{}", NULL, NULL, 0, NULL, &id, &status, &e_), "endpoint_id");
    CHECK_INVALID(hb_send(client, "ep", NULL, NULL, NULL, 0, NULL, &id, &status, &e_), "payload_json");
    CHECK_INVALID(hb_send(client, "ep", "{not json", NULL, NULL, 0, NULL, &id, &status, &e_), "payload_json");
    CHECK_INVALID(hb_send(client, BAD_UTF8, "{}", NULL, NULL, 0, NULL, &id, &status, &e_), "endpoint_id");
    CHECK_INVALID(hb_send(client, "ep", "{}", NULL, values, 1, NULL, &id, &status, &e_), "header_names");
    CHECK_INVALID(hb_send(client, "ep", "{}", names, values, 2, NULL, &id, &status, &e_), "header_names[1]");
    CHECK_INVALID(hb_send(client, "ep", "{}", names, NULL, 1, NULL, &id, &status, &e_), "header_values");
    CHECK_INVALID(hb_send(client, "ep", "{}", NULL, NULL, 0, BAD_UTF8, &id, &status, &e_), "idempotency_key");
    CHECK_INVALID(hb_send(client, "ep", "{}", NULL, NULL, 0, NULL, NULL, &status, &e_), "out_message_id");

    CHECK_INVALID(hb_get_message(NULL, "m", &message, &e_), "client");
    CHECK_INVALID(hb_get_message(client, NULL, &message, &e_), "message_id");
    CHECK_INVALID(hb_get_message(client, "m", NULL, &e_), "out");
    CHECK_INVALID(hb_replay(NULL, "m", &e_), "client");
    CHECK_INVALID(hb_replay(client, NULL, &e_), "message_id");

    CHECK_INVALID(hb_create_endpoint(NULL, "http://x", NULL, 0, 0, NULL, NULL, 0, &created, &e_), "client");
    CHECK_INVALID(hb_create_endpoint(client, NULL, NULL, 0, 0, NULL, NULL, 0, &created, &e_), "url");
    CHECK_INVALID(hb_create_endpoint(client, "http://x", BAD_UTF8, 0, 0, NULL, NULL, 0, &created, &e_), "description");
    CHECK_INVALID(hb_create_endpoint(client, "http://x", NULL, 0, 0, NULL, NULL, 3, &created, &e_), "header_names");
    CHECK_INVALID(hb_create_endpoint(client, "http://x", NULL, 0, 0, NULL, NULL, 0, NULL, &e_), "out");
    CHECK_INVALID(hb_get_endpoint(client, NULL, &endpoint, &e_), "endpoint_id");
    CHECK_INVALID(hb_get_endpoint(NULL, "ep", &endpoint, &e_), "client");
    CHECK_INVALID(hb_get_endpoint(client, "ep", NULL, &e_), "out");
    CHECK_INVALID(hb_list_endpoints(NULL, NULL, NULL, &list, &e_), "client");
    CHECK_INVALID(hb_list_endpoints(client, NULL, BAD_UTF8, &list, &e_), "cursor");
    CHECK_INVALID(hb_list_endpoints(client, NULL, NULL, NULL, &e_), "out");
    CHECK_INVALID(hb_delete_endpoint(client, NULL, &e_), "endpoint_id");
    CHECK_INVALID(hb_delete_endpoint(NULL, "ep", &e_), "client");
    CHECK_INVALID(hb_get_metrics(NULL, "24h", &metrics, &e_), "client");
    CHECK_INVALID(hb_get_metrics(client, BAD_UTF8, &metrics, &e_), "window");
    CHECK_INVALID(hb_get_metrics(client, NULL, NULL, &e_), "out");
    CHECK(message == NULL && created == NULL && endpoint == NULL && list == NULL && metrics == NULL);
}

/* Every JSON call, first with a NULL client, then with a NULL out_json. */
#define CHECK_JSON_CALL(fn, ...)                                   \
    do {                                                           \
        char *out_ = (char *)"sentinel";                           \
        CHECK_INVALID(fn(NULL, __VA_ARGS__, &out_, &e_), "client"); \
        CHECK(out_ == NULL);                                       \
        CHECK_INVALID(fn(client, __VA_ARGS__, NULL, &e_), "out_json"); \
    } while (0)
#define CHECK_JSON_CALL0(fn)                                       \
    do {                                                           \
        char *out_ = NULL;                                         \
        CHECK_INVALID(fn(NULL, &out_, &e_), "client");             \
        CHECK_INVALID(fn(client, NULL, &e_), "out_json");          \
    } while (0)

static void test_every_json_call(void) {
    const char *ids[] = {"m1"};
    CHECK_JSON_CALL(hb_replay_all_messages_json, "failed_permanent", NULL, NULL);
    CHECK_JSON_CALL(hb_replay_batch_messages_json, ids, 1);
    CHECK_JSON_CALL(hb_get_logs_json, NULL);
    CHECK_JSON_CALL(hb_get_timeseries_metrics_json, NULL, NULL);
    CHECK_JSON_CALL(hb_get_dlq_messages_json, NULL, NULL);
    CHECK_JSON_CALL(hb_pause_endpoint_json, "ep");
    CHECK_JSON_CALL(hb_resume_endpoint_json, "ep");
    CHECK_JSON_CALL(hb_create_endpoint_signing_key_json, "ep");
    CHECK_JSON_CALL(hb_list_endpoint_signing_keys_json, "ep");
    CHECK_JSON_CALL(hb_rotate_endpoint_secret_json, "ep");
    CHECK_JSON_CALL0(hb_list_api_keys_json);
    CHECK_JSON_CALL(hb_create_api_key_json, "test", NULL);
    CHECK_JSON_CALL0(hb_list_projects_json);
    CHECK_JSON_CALL(hb_create_project_json, "p", NULL);
    CHECK_JSON_CALL(hb_get_project_json, "p");
    CHECK_JSON_CALL(hb_update_project_json, "p", NULL, NULL);
    CHECK_JSON_CALL0(hb_get_subscription_json);
    CHECK_JSON_CALL(hb_create_checkout_json, "pro", "monthly");
    CHECK_JSON_CALL(hb_create_portal_json, NULL);
    CHECK_JSON_CALL(hb_get_usage_history_json, 12, 0);
    CHECK_JSON_CALL(hb_get_invoices_json, 12, NULL);
    CHECK_JSON_CALL(hb_create_export_json, "{\"start_time\": \"2025-01-01T00:00:00Z\", \"end_time\": \"2025-01-02T00:00:00Z\"}");
    CHECK_JSON_CALL0(hb_list_exports_json);
    CHECK_JSON_CALL(hb_get_export_json, "x");
    CHECK_JSON_CALL(hb_create_inbound_endpoint_json, "http://x", NULL);
    CHECK_JSON_CALL(hb_list_inbound_endpoints_json, NULL, NULL);
    CHECK_JSON_CALL(hb_get_inbound_endpoint_json, "ie");
    CHECK_JSON_CALL(hb_update_inbound_endpoint_json, "ie", "{}");
    CHECK_JSON_CALL(hb_update_inbound_endpoint_fields_json, "ie", "{}");
    CHECK_JSON_CALL(hb_delete_inbound_endpoint_json, "ie");
    CHECK_JSON_CALL(hb_pause_inbound_endpoint_json, "ie");
    CHECK_JSON_CALL(hb_resume_inbound_endpoint_json, "ie");
    CHECK_JSON_CALL(hb_replay_inbound_message_json, "m");
    CHECK_JSON_CALL(hb_replay_all_inbound_messages_json, "failed_permanent", NULL, NULL);
    CHECK_JSON_CALL(hb_replay_batch_inbound_messages_json, ids, 1);
    CHECK_JSON_CALL(hb_get_inbound_logs_json, NULL);
    CHECK_JSON_CALL(hb_get_inbound_metrics_json, NULL, NULL);
    CHECK_JSON_CALL(hb_get_inbound_timeseries_metrics_json, NULL, NULL);
    CHECK_JSON_CALL(hb_list_inbound_rejections_json, NULL);

    /* The operations that return no JSON. */
    bool received = true;
    char *url = NULL;
    CHECK_INVALID(hb_cancel_retry(NULL, "m", &e_), "client");
    CHECK_INVALID(hb_cancel_retry(client, NULL, &e_), "message_id");
    CHECK_INVALID(hb_retry_now(NULL, "m", &e_), "client");
    CHECK_INVALID(hb_retry_now(client, NULL, &e_), "message_id");
    CHECK_INVALID(hb_replay_from_dlq(NULL, "m", &e_), "client");
    CHECK_INVALID(hb_replay_from_dlq(client, NULL, &e_), "message_id");
    CHECK_INVALID(hb_update_endpoint(NULL, "ep", "{}", &e_), "client");
    CHECK_INVALID(hb_update_endpoint(client, "ep", NULL, &e_), "changes_json");
    CHECK_INVALID(hb_delete_endpoint_signing_key(NULL, "ep", "k", &e_), "client");
    CHECK_INVALID(hb_delete_endpoint_signing_key(client, "ep", NULL, &e_), "key_id");
    CHECK_INVALID(hb_delete_api_key(NULL, "k", &e_), "client");
    CHECK_INVALID(hb_delete_api_key(client, NULL, &e_), "key_id");
    CHECK_INVALID(hb_delete_project(NULL, "p", &e_), "client");
    CHECK_INVALID(hb_delete_project(client, NULL, &e_), "project_id");
    CHECK_INVALID(hb_handle_stripe_webhook(NULL, "{}", &received, &e_), "client");
    CHECK(received == false);
    CHECK_INVALID(hb_handle_stripe_webhook(client, "{}", NULL, &e_), "out_received");
    CHECK_INVALID(hb_handle_stripe_webhook(client, "[", &received, &e_), "payload_json");
    CHECK_INVALID(hb_download_export(NULL, "x", &url, &e_), "client");
    CHECK_INVALID(hb_download_export(client, "x", NULL, &e_), "out_url");

    /* Required string arguments of JSON calls, and arrays with NULL elements. */
    const char *bad_ids[] = {"m1", NULL};
    char *out = NULL;
    CHECK_INVALID(hb_replay_all_messages_json(client, NULL, NULL, NULL, &out, &e_), "status");
    CHECK_INVALID(hb_replay_batch_messages_json(client, bad_ids, 2, &out, &e_), "message_ids[1]");
    CHECK_INVALID(hb_replay_batch_inbound_messages_json(client, NULL, 4, &out, &e_), "message_ids");
    CHECK_INVALID(hb_get_logs_json(client, BAD_UTF8, &out, &e_), "query_json");
    CHECK_INVALID(hb_create_export_json(client, NULL, &out, &e_), "options_json");
    CHECK_INVALID(hb_create_export_json(client, "{\"end_time\": \"2025\"}", &out, &e_), "missing field `start_time`");
    CHECK_INVALID(hb_create_checkout_json(client, "pro", NULL, &out, &e_), "interval");
    CHECK_INVALID(hb_get_inbound_logs_json(client, "{\"cursor\": 7}", &out, &e_), "query_json.cursor");
    CHECK(out == NULL);
}

/* JSON option objects are checked key by key before anything is sent. */
static void test_json_option_objects(void) {
    char *out = NULL;
    CHECK_INVALID(hb_update_endpoint(client, "ep", "[1]", &e_), "changes_json must be a JSON object");
    CHECK_INVALID(hb_update_endpoint(client, "ep", "{\"url\": 5}", &e_), "changes_json.url");
    CHECK_INVALID(hb_update_endpoint(client, "ep", "{\"burst\": \"9\"}", &e_), "changes_json.burst");
    CHECK_INVALID(hb_update_endpoint(client, "ep", "{\"headers\": {\"a\": 1}}", &e_), "changes_json.headers");
    CHECK_INVALID(hb_update_endpoint(client, "ep", "{\"descripton\": \"typo\"}", &e_), "descripton");
    CHECK_INVALID(hb_create_inbound_endpoint_json(client, "http://x", "{\"verify_hmac\": 1}", &out, &e_),
                  "settings_json.verify_hmac");
    CHECK_INVALID(hb_create_inbound_endpoint_json(client, "http://x", "{\"allowed_cidrs\": [1]}", &out, &e_),
                  "settings_json.allowed_cidrs");
    CHECK_INVALID(hb_update_inbound_endpoint_json(client, "ie", "{\"nope\": true}", &out, &e_), "nope");
    CHECK_INVALID(hb_get_logs_json(client, "{\"start_time\": 1700000000}", &out, &e_), "query_json.start_time");
    CHECK_INVALID(hb_list_inbound_rejections_json(client, "{\"endpoint_id\": \"x\"}", &out, &e_), "endpoint_id");
    CHECK_INVALID(hb_update_inbound_endpoint_fields_json(client, "ie", "\"str\"", &out, &e_), "fields_json");
    CHECK(out == NULL);
}

static void test_signing_arguments(void) {
    const uint8_t body[] = "{}";
    const char *secrets[] = {"whsec_a", NULL};
    char *sig = (char *)"sentinel";
    int64_t now = 1700000000;
    CHECK_INVALID(hb_sign(NULL, "1", body, 2, &sig, &e_), "secret");
    CHECK(sig == NULL);
    CHECK_INVALID(hb_sign("s", NULL, body, 2, &sig, &e_), "timestamp");
    CHECK_INVALID(hb_sign("s", "1", NULL, 2, &sig, &e_), "body");
    CHECK_INVALID(hb_sign("s", BAD_UTF8, body, 2, &sig, &e_), "timestamp");
    CHECK_INVALID(hb_sign("s", "1", body, 2, NULL, &e_), "out_signature");
    CHECK_INVALID(hb_signature_header(NULL, 1, "1", body, 2, &sig, &e_), "secrets");
    CHECK_INVALID(hb_signature_header(secrets, 2, "1", body, 2, &sig, &e_), "secrets[1]");
    CHECK_INVALID(hb_signature_header(secrets, 1, "1", body, 2, NULL, &e_), "out_header");
    CHECK_INVALID(hb_verify_signature(NULL, 5, "sha256=00", "1", secrets, 1, 300, &now, &e_), "body");
    CHECK_INVALID(hb_verify_signature(body, 2, NULL, "1", secrets, 1, 300, &now, &e_), "signature_header");
    CHECK_INVALID(hb_verify_signature(body, 2, "sha256=00", NULL, secrets, 1, 300, &now, &e_), "timestamp");
    CHECK_INVALID(hb_verify_signature(body, 2, BAD_UTF8, "1", secrets, 1, 300, &now, &e_), "signature_header");
    CHECK_INVALID(hb_verify_signature(body, 2, "sha256=00", "1", NULL, 1, 300, &now, &e_), "secrets");
    CHECK_INVALID(hb_verify_signature(body, 2, "sha256=00", "1", secrets, 2, 300, &now, &e_), "secrets[1]");
    /* A NULL secrets array with a count of 0 is "no secret": a verification failure, not a crash. */
    CHECK(hb_verify_signature(body, 2, "sha256=00", "1", NULL, 0, 300, &now, NULL) == HB_RESULT_VERIFY_MISSING);
}

/* Accessors and free functions accept NULL handles; err may be NULL; error objects say what failed. */
static void test_null_handles_and_error_objects(void) {
    CHECK(hb_message_id(NULL) == NULL && hb_message_status(NULL) == NULL && hb_message_json(NULL) == NULL);
    CHECK(hb_message_attempt_count(NULL) == -1 && hb_message_response_status(NULL) == -1);
    CHECK(hb_endpoint_id(NULL) == NULL && hb_endpoint_paused(NULL) == false && hb_endpoint_header_count(NULL) == 0);
    CHECK(hb_endpoint_header_name(NULL, 0) == NULL && hb_endpoint_rate_limit_rps(NULL) == -1);
    CHECK(hb_created_endpoint_signing_secret(NULL) == NULL && hb_created_endpoint_key_hint(NULL) == NULL);
    CHECK(hb_endpoint_list_len(NULL) == 0 && hb_endpoint_list_id(NULL, 0) == NULL);
    CHECK(hb_endpoint_list_has_more(NULL) == false && hb_endpoint_list_next_cursor(NULL) == NULL);
    CHECK(hb_metrics_window(NULL) == NULL && hb_metrics_total_messages(NULL) == -1);
    CHECK(hb_metrics_success_rate(NULL) == -1.0);
    CHECK(hb_error_code(NULL) == NULL && hb_error_message(NULL) == NULL && hb_error_request_id(NULL) == NULL);
    CHECK(hb_error_status(NULL) == 0 && hb_error_retry_after(NULL) == -1);
    CHECK(hb_error_result(NULL) == HB_RESULT_INVALID_ARGUMENT);
    hb_message_free(NULL);
    hb_endpoint_free(NULL);
    hb_created_endpoint_free(NULL);
    hb_endpoint_list_free(NULL);
    hb_metrics_free(NULL);
    hb_error_free(NULL);
    hb_string_free(NULL);

    /* err == NULL: the code is still returned. */
    CHECK(hb_get_message(client, NULL, NULL, NULL) == HB_RESULT_INVALID_ARGUMENT);
    /* On success *err is reset to NULL. */
    hb_error *err = (hb_error *)&ZERO;
    char *sig = NULL;
    CHECK(hb_sign("s", "1", NULL, 0, &sig, &err) == HB_RESULT_OK);
    CHECK(err == NULL);
    hb_string_free(sig);

    CHECK_STR(hb_result_name(HB_RESULT_OK), "HB_RESULT_OK");
    CHECK_STR(hb_result_name(HB_RESULT_NOT_FOUND), "HB_RESULT_NOT_FOUND");
    CHECK_STR(hb_result_name(HB_RESULT_PANIC), "HB_RESULT_PANIC");
    CHECK_STR(hb_result_name(-1), "HB_RESULT_UNKNOWN");
    CHECK_STR(hb_result_name(1000), "HB_RESULT_UNKNOWN");
    CHECK(hb_version() != NULL && strlen(hb_version()) > 0);
}

int main(void) {
    client = hb_test_client("http://127.0.0.1:9", "hb_test_offline", 0);
    RUN(test_options_and_client_creation);
    RUN(test_typed_calls);
    RUN(test_every_json_call);
    RUN(test_json_option_objects);
    RUN(test_signing_arguments);
    RUN(test_null_handles_and_error_objects);
    hb_client_free(client);
    return hb_test_finish("test_arguments");
}
