/* The common path against a real hookbridge-server (HB_TEST_URL, HB_TEST_API_KEY): send and
 * get with a real delivery to a local receiver (checked with hb_verify_signature), idempotent
 * sends, the endpoint lifecycle, replay, metrics, and the outbound JSON operations; and the
 * User-Agent the library sends (seen by a local receiver standing in for the API). */
#include "hb_test.h"
#include "mini_json.h"
#include "receiver.h"

static hb_client *client;

/* Polls a message until its status is `status`; returns it or NULL. */
static hb_message *wait_for_status(const char *message_id, const char *status, int timeout_ms) {
    return hb_test_wait_status(client, message_id, status, timeout_ms);
}

/* Creates an endpoint delivering to `url`; exits the test program if it cannot. */
static hb_created_endpoint *make_endpoint(const char *url) {
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    if (hb_create_endpoint(client, url, NULL, 0, 0, NULL, NULL, 0, &ep, &err) != HB_RESULT_OK) {
        fprintf(stderr, "cannot create an endpoint: %s\n", hb_error_message(err));
        exit(2);
    }
    return ep;
}

/* Sends `payload` to an endpoint; returns the message id (free with hb_string_free) or NULL. */
static char *send_one(const char *endpoint_id, const char *payload) {
    char *id = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_send(client, endpoint_id, payload, NULL, NULL, 0, NULL, &id, NULL, &err), err);
    return id;
}

/* Parses a JSON output and frees the string. */
static mj_value *parse_out(char *json) {
    mj_value *v = mj_parse(json);
    CHECK(v != NULL);
    hb_string_free(json);
    return v;
}

/* Whether a JSON array of objects has one whose `key` equals `value`. */
static bool array_has(const mj_value *arr, const char *key, const char *value) {
    for (size_t i = 0; arr && i < arr->count; i++) {
        const char *s = mj_get_str(mj_at(arr, i), key);
        if (s && strcmp(s, value) == 0) return true;
    }
    return false;
}

static void test_send_and_get_delivers_a_signed_webhook(void) {
    receiver *rx = receiver_start(200);
    const char *names[] = {"X-Custom"};
    const char *values[] = {"c-42"};
    const char *payload = "{\"event\":\"order.created\",\"data\":{\"id\":\"ord_1\",\"amount\":4200}}";
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    const char *ep_names[] = {"X-Endpoint"};
    const char *ep_values[] = {"ep-1"};
    CHECK_OK(hb_create_endpoint(client, rx->url, "c delivery", 0, 0, ep_names, ep_values, 1, &ep, &err), err);
    char *id = NULL, *status = NULL;
    CHECK_OK(hb_send(client, hb_created_endpoint_id(ep), payload, names, values, 1, NULL, &id, &status, &err), err);
    CHECK(id != NULL && strlen(id) > 0);
    CHECK_STR(status, "queued");

    hb_message *m = wait_for_status(id, "succeeded", 20000);
    CHECK(m != NULL);
    if (m) {
        CHECK_STR(hb_message_id(m), id);
        CHECK_STR(hb_message_endpoint_id(m), hb_created_endpoint_id(ep));
        CHECK(hb_message_attempt_count(m) >= 1);
        CHECK(hb_message_size_bytes(m) == (int64_t)strlen(payload));
        CHECK(strlen(hb_message_payload_sha256(m)) == 64);
        CHECK(hb_message_response_status(m) == 200);
        CHECK(hb_message_idempotency_key(m) == NULL);
        CHECK(hb_message_created_at(m) != NULL && strncmp(hb_message_created_at(m), "20", 2) == 0);
        mj_value *json = mj_parse(hb_message_json(m));
        CHECK_STR(mj_get_str(json, "id"), id);
        CHECK_STR(mj_get_str(json, "status"), "succeeded");
        mj_free(json);
    }

    CHECK(receiver_wait(rx, 1, 5000) >= 1);
    const received_request *req = receiver_request(rx, 0);
    if (req) {
        char sig[512], ts[64], hid[128], custom[64], ep_header[64];
        CHECK_STR(req->body, payload);
        CHECK_STR(request_header(req, "X-Webhook-Id", hid, sizeof hid), id);
        CHECK_STR(request_header(req, "X-Custom", custom, sizeof custom), "c-42");
        CHECK_STR(request_header(req, "X-Endpoint", ep_header, sizeof ep_header), "ep-1");
        CHECK(request_header(req, "X-Webhook-Signature", sig, sizeof sig) != NULL);
        CHECK(request_header(req, "X-Webhook-Timestamp", ts, sizeof ts) != NULL);
        const char *secrets[] = {hb_created_endpoint_signing_secret(ep)};
        const char *wrong[] = {"whsec_wrong"};
        CHECK_OK(hb_verify_signature((const uint8_t *)req->body, req->body_len, sig, ts, secrets, 1,
                                     HB_DEFAULT_TOLERANCE_SECONDS, NULL, &err), err);
        CHECK_RESULT(hb_verify_signature((const uint8_t *)req->body, req->body_len, sig, ts, wrong, 1,
                                         HB_DEFAULT_TOLERANCE_SECONDS, NULL, &err),
                     HB_RESULT_VERIFY_MISMATCH, err);
    }
    hb_message_free(m);
    hb_string_free(id);
    hb_string_free(status);
    CHECK_OK(hb_delete_endpoint(client, hb_created_endpoint_id(ep), &err), err);
    hb_created_endpoint_free(ep);
    receiver_stop(rx);
}

static void test_idempotent_send_returns_the_original_message(void) {
    hb_created_endpoint *ep = make_endpoint("http://127.0.0.1:9/never");
    char key[64];
    snprintf(key, sizeof key, "c-idem-%ld", (long)time(NULL));
    char *first = NULL, *second = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_send(client, hb_created_endpoint_id(ep), "{\"n\":1}", NULL, NULL, 0, key, &first, NULL, &err), err);
    CHECK_OK(hb_send(client, hb_created_endpoint_id(ep), "{\"n\":1}", NULL, NULL, 0, key, &second, NULL, &err), err);
    CHECK_STR(second, first);
    hb_message *m = NULL;
    CHECK_OK(hb_get_message(client, first, &m, &err), err);
    CHECK_STR(hb_message_idempotency_key(m), key);
    hb_message_free(m);
    hb_string_free(first);
    hb_string_free(second);
    CHECK_OK(hb_delete_endpoint(client, hb_created_endpoint_id(ep), &err), err);
    hb_created_endpoint_free(ep);
}

static void test_endpoint_lifecycle(void) {
    const char *names[] = {"X-Team", "X-Env"};
    const char *values[] = {"payments", "test"};
    hb_created_endpoint *ep = NULL, *other = NULL;
    hb_endpoint *got = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_endpoint(client, "http://127.0.0.1:9/lifecycle", "lifecycle", 5, 10, names, values, 2, &ep, &err), err);
    const char *id = hb_created_endpoint_id(ep);
    const char *secret = hb_created_endpoint_signing_secret(ep);
    CHECK(strncmp(id, "ep_", 3) == 0);
    CHECK(strncmp(secret, "whsec_", 6) == 0);
    CHECK_STR(hb_created_endpoint_url(ep), "http://127.0.0.1:9/lifecycle");
    CHECK_STR(hb_created_endpoint_description(ep), "lifecycle");
    CHECK_STR(hb_created_endpoint_key_hint(ep), secret + strlen(secret) - 4);

    CHECK_OK(hb_get_endpoint(client, id, &got, &err), err);
    CHECK_STR(hb_endpoint_id(got), id);
    CHECK_STR(hb_endpoint_description(got), "lifecycle");
    CHECK(hb_endpoint_rate_limit_rps(got) == 5 && hb_endpoint_burst(got) == 10);
    CHECK(hb_endpoint_paused(got) == false);
    CHECK(hb_endpoint_header_count(got) == 2);
    CHECK_STR(hb_endpoint_header_name(got, 0), "X-Team");
    CHECK_STR(hb_endpoint_header_value(got, 1), "test");
    CHECK(hb_endpoint_header_name(got, 2) == NULL);
    hb_endpoint_free(got);

    /* Paging: with a page size of 1 and two endpoints there is a next page, with another id. */
    CHECK_OK(hb_create_endpoint(client, "http://127.0.0.1:9/other", NULL, 0, 0, NULL, NULL, 0, &other, &err), err);
    int64_t one = 1, many = 100;
    hb_endpoint_list *page1 = NULL, *page2 = NULL, *all = NULL;
    CHECK_OK(hb_list_endpoints(client, &one, NULL, &page1, &err), err);
    CHECK(hb_endpoint_list_len(page1) == 1);
    CHECK(hb_endpoint_list_has_more(page1));
    CHECK(hb_endpoint_list_next_cursor(page1) != NULL);
    CHECK_OK(hb_list_endpoints(client, &one, hb_endpoint_list_next_cursor(page1), &page2, &err), err);
    CHECK(hb_endpoint_list_len(page2) == 1);
    CHECK(hb_endpoint_list_id(page2, 0) && strcmp(hb_endpoint_list_id(page1, 0), hb_endpoint_list_id(page2, 0)) != 0);
    CHECK_OK(hb_list_endpoints(client, &many, NULL, &all, &err), err);
    bool found = false;
    for (size_t i = 0; i < hb_endpoint_list_len(all); i++)
        if (strcmp(hb_endpoint_list_id(all, i), id) == 0) {
            found = true;
            CHECK_STR(hb_endpoint_list_url(all, i), "http://127.0.0.1:9/lifecycle");
            CHECK_STR(hb_endpoint_list_description(all, i), "lifecycle");
            CHECK(hb_endpoint_list_created_at(all, i) != NULL);
        }
    CHECK(found);
    CHECK(hb_endpoint_list_id(all, hb_endpoint_list_len(all)) == NULL);
    mj_value *all_json = mj_parse(hb_endpoint_list_json(all));
    CHECK(mj_get(all_json, "endpoints") && mj_get(all_json, "endpoints")->count == hb_endpoint_list_len(all));
    mj_free(all_json);
    hb_endpoint_list_free(page1);
    hb_endpoint_list_free(page2);
    hb_endpoint_list_free(all);

    /* Update through a JSON object: new description, headers cleared. */
    CHECK_OK(hb_update_endpoint(client, id, "{\"description\": \"renamed\", \"headers\": {}}", &err), err);
    CHECK_OK(hb_get_endpoint(client, id, &got, &err), err);
    CHECK_STR(hb_endpoint_description(got), "renamed");
    CHECK(hb_endpoint_header_count(got) == 0);
    hb_endpoint_free(got);

    /* Pause and resume. */
    char *json = NULL;
    CHECK_OK(hb_pause_endpoint_json(client, id, &json, &err), err);
    mj_value *state = parse_out(json);
    CHECK(mj_get_bool(state, "paused", false) == true);
    mj_free(state);
    CHECK_OK(hb_get_endpoint(client, id, &got, &err), err);
    CHECK(hb_endpoint_paused(got));
    hb_endpoint_free(got);
    CHECK_OK(hb_resume_endpoint_json(client, id, &json, &err), err);
    state = parse_out(json);
    CHECK(mj_get_bool(state, "paused", true) == false);
    mj_free(state);

    /* Signing keys: add one, list two, delete it, rotate. */
    CHECK_OK(hb_create_endpoint_signing_key_json(client, id, &json, &err), err);
    mj_value *key = parse_out(json);
    const char *key_id = mj_get_str(key, "id");
    CHECK(key_id && strncmp(mj_get_str(key, "signing_secret"), "whsec_", 6) == 0);
    CHECK_OK(hb_list_endpoint_signing_keys_json(client, id, &json, &err), err);
    mj_value *keys = parse_out(json);
    CHECK(keys && keys->type == MJ_ARRAY && keys->count == 2);
    CHECK(array_has(keys, "id", key_id));
    mj_free(keys);
    CHECK_OK(hb_delete_endpoint_signing_key(client, id, key_id, &err), err);
    CHECK_OK(hb_list_endpoint_signing_keys_json(client, id, &json, &err), err);
    keys = parse_out(json);
    CHECK(keys && keys->count == 1 && !array_has(keys, "id", key_id));
    mj_free(keys);
    mj_free(key);
    CHECK_OK(hb_rotate_endpoint_secret_json(client, id, &json, &err), err);
    key = parse_out(json);
    CHECK(mj_get_str(key, "signing_secret") != NULL);
    mj_free(key);

    /* Delete: then it is gone. */
    CHECK_OK(hb_delete_endpoint(client, id, &err), err);
    CHECK_RESULT(hb_get_endpoint(client, id, &got, &err), HB_RESULT_NOT_FOUND, err);
    CHECK(got == NULL);
    CHECK_RESULT(hb_delete_endpoint(client, id, &err), HB_RESULT_NOT_FOUND, err);
    CHECK_OK(hb_delete_endpoint(client, hb_created_endpoint_id(other), &err), err);
    hb_created_endpoint_free(ep);
    hb_created_endpoint_free(other);
}

static void test_replay_redelivers(void) {
    receiver *rx = receiver_start(200);
    hb_created_endpoint *ep = make_endpoint(rx->url);
    char *id = send_one(hb_created_endpoint_id(ep), "{\"replay\":true}");
    hb_message *m = wait_for_status(id, "succeeded", 20000);
    CHECK(m != NULL && hb_message_replay_count(m) == 0);
    hb_message_free(m);
    hb_error *err = NULL;
    CHECK_OK(hb_replay(client, id, &err), err);
    CHECK(receiver_wait(rx, 2, 20000) >= 2);
    m = wait_for_status(id, "succeeded", 20000);
    CHECK(m != NULL && hb_message_replay_count(m) == 1);
    hb_message_free(m);
    const received_request *again = receiver_request(rx, 1);
    CHECK(again && strcmp(again->body, "{\"replay\":true}") == 0);
    hb_string_free(id);
    CHECK_OK(hb_delete_endpoint(client, hb_created_endpoint_id(ep), &err), err);
    hb_created_endpoint_free(ep);
    receiver_stop(rx);
}

static void test_metrics(void) {
    hb_metrics *metrics = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_get_metrics(client, "24h", &metrics, &err), err);
    CHECK_STR(hb_metrics_window(metrics), "24h");
    CHECK(hb_metrics_total_messages(metrics) >= 3); /* the tests above sent at least 3 */
    CHECK(hb_metrics_succeeded(metrics) >= 2);
    CHECK(hb_metrics_success_rate(metrics) > 0.0 && hb_metrics_success_rate(metrics) <= 1.0);
    CHECK(hb_metrics_failed(metrics) >= 0 && hb_metrics_retries(metrics) >= 0 && hb_metrics_avg_latency_ms(metrics) >= 0);
    mj_value *json = mj_parse(hb_metrics_json(metrics));
    CHECK(mj_get_int(json, "total_messages", -1) == hb_metrics_total_messages(metrics));
    mj_free(json);
    hb_metrics_free(metrics);
    metrics = NULL;
    CHECK_OK(hb_get_metrics(client, NULL, &metrics, &err), err);
    CHECK_STR(hb_metrics_window(metrics), "24h");
    hb_metrics_free(metrics);
    metrics = NULL;
    CHECK_OK(hb_get_metrics(client, "1h", &metrics, &err), err);
    CHECK_STR(hb_metrics_window(metrics), "1h");
    hb_metrics_free(metrics);

    char *out = NULL;
    CHECK_OK(hb_get_timeseries_metrics_json(client, "24h", NULL, &out, &err), err);
    mj_value *series = parse_out(out);
    CHECK_STR(mj_get_str(series, "window"), "24h");
    CHECK(mj_get(series, "buckets") && mj_get(series, "buckets")->count > 0);
    mj_free(series);
}

static void test_logs_and_replay_json(void) {
    hb_created_endpoint *ep = make_endpoint("http://127.0.0.1:9/logs");
    char *id = send_one(hb_created_endpoint_id(ep), "{\"logs\":1}");
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_get_logs_json(client, "{\"limit\": 200}", &out, &err), err);
    mj_value *logs = parse_out(out);
    CHECK(array_has(mj_get(logs, "messages"), "message_id", id));
    CHECK(mj_get(logs, "has_more") != NULL);
    mj_free(logs);
    CHECK_OK(hb_get_logs_json(client, "{\"status\": \"succeeded\", \"start_time\": \"2000-01-01T00:00:00Z\", \"limit\": 200}",
                              &out, &err),
             err);
    logs = parse_out(out);
    CHECK(!array_has(mj_get(logs, "messages"), "message_id", id)); /* not delivered: port 9 */
    mj_free(logs);

    const char *ids[] = {id, "00000000-0000-0000-0000-000000000000"};
    CHECK_OK(hb_replay_batch_messages_json(client, ids, 2, &out, &err), err);
    mj_value *batch = parse_out(out);
    CHECK(mj_get(batch, "results") && mj_get(batch, "results")->count == 2);
    CHECK(mj_get_int(batch, "replayed", -1) + mj_get_int(batch, "failed", -1) + mj_get_int(batch, "stuck", -1) == 2);
    mj_free(batch);
    CHECK_OK(hb_replay_all_messages_json(client, "failed_permanent", hb_created_endpoint_id(ep), NULL, &out, &err), err);
    mj_value *all = parse_out(out);
    CHECK(mj_get_int(all, "replayed", -1) >= 0);
    mj_free(all);
    hb_string_free(id);
    CHECK_OK(hb_delete_endpoint(client, hb_created_endpoint_id(ep), &err), err);
    hb_created_endpoint_free(ep);
}

/* A receiver answering 500: the message waits for a retry; cancel it into the dead letter
 * queue, find it there, replay it from the queue, then make its next retry due now. */
static void test_failed_delivery_and_dead_letter_queue(void) {
    receiver *rx = receiver_start(500);
    hb_created_endpoint *ep = make_endpoint(rx->url);
    char *id = send_one(hb_created_endpoint_id(ep), "{\"fail\":true}");
    hb_error *err = NULL;
    hb_message *m = wait_for_status(id, "pending_retry", 20000);
    CHECK(m != NULL && hb_message_response_status(m) == 500);
    CHECK(m != NULL && hb_message_last_error(m) != NULL);
    hb_message_free(m);

    hb_result r = HB_RESULT_API;
    for (int i = 0; i < 50 && r != HB_RESULT_OK; i++) { /* the retry may be in flight: try again */
        r = hb_cancel_retry(client, id, &err);
        hb_error_free(err);
        err = NULL;
        if (r != HB_RESULT_OK) hb_sleep_ms(20);
    }
    CHECK(r == HB_RESULT_OK);
    m = wait_for_status(id, "failed_permanent", 5000);
    CHECK(m != NULL);
    hb_message_free(m);

    char *out = NULL;
    int64_t limit = 500;
    CHECK_OK(hb_get_dlq_messages_json(client, &limit, NULL, &out, &err), err);
    mj_value *dlq = parse_out(out);
    CHECK(array_has(mj_get(dlq, "messages"), "message_id", id));
    mj_free(dlq);

    int before = receiver_wait(rx, 0, 0);
    CHECK_OK(hb_replay_from_dlq(client, id, &err), err);
    CHECK(receiver_wait(rx, before + 1, 20000) > before);
    m = wait_for_status(id, "pending_retry", 20000);
    CHECK(m != NULL);
    hb_message_free(m);
    r = HB_RESULT_API;
    for (int i = 0; i < 50 && r != HB_RESULT_OK; i++) {
        r = hb_retry_now(client, id, &err);
        hb_error_free(err);
        err = NULL;
        if (r != HB_RESULT_OK) hb_sleep_ms(20);
    }
    CHECK(r == HB_RESULT_OK);
    hb_string_free(id);
    CHECK_OK(hb_delete_endpoint(client, hb_created_endpoint_id(ep), &err), err);
    hb_created_endpoint_free(ep);
    receiver_stop(rx);
}

/* Every request names this binding and the library version: `hookbridge-c/<hb_version()>`, which
 * is also the header's HB_VERSION_STRING. A receiver plays the API so the header can be read. */
static void test_requests_carry_the_c_user_agent(void) {
    receiver *rx = receiver_start(200);
    CHECK(rx != NULL);
    if (!rx) return;
    hb_client *c = hb_test_client(rx->url, "hb_test_ua0000000000000000000000000000000", 0);
    hb_endpoint_list *list = NULL;
    hb_error *err = NULL;
    /* The receiver's empty answer is not a valid list: only the request matters here. */
    hb_list_endpoints(c, NULL, NULL, &list, &err);
    hb_endpoint_list_free(list);
    hb_error_free(err);
    CHECK(receiver_wait(rx, 1, 10000) >= 1);
    const received_request *req = receiver_request(rx, 0);
    char ua[128];
    CHECK(req != NULL && request_header(req, "User-Agent", ua, sizeof ua) != NULL);
    if (req && request_header(req, "User-Agent", ua, sizeof ua)) {
        char expected[64];
        snprintf(expected, sizeof expected, "hookbridge-c/%s", hb_version());
        CHECK_STR(ua, expected);
        CHECK_STR(ua, "hookbridge-c/" HB_VERSION_STRING);
    }
    hb_client_free(c);
    receiver_stop(rx);
}

int main(void) {
    client = hb_test_server_client();
    RUN(test_requests_carry_the_c_user_agent);
    RUN(test_send_and_get_delivers_a_signed_webhook);
    RUN(test_idempotent_send_returns_the_original_message);
    RUN(test_endpoint_lifecycle);
    RUN(test_replay_redelivers);
    RUN(test_metrics);
    RUN(test_logs_and_replay_json);
    RUN(test_failed_delivery_and_dead_letter_queue);
    hb_client_free(client);
    return hb_test_finish("test_client");
}
