/* The account-level and inbound JSON operations against a real hookbridge-server
 * (HB_TEST_URL, HB_TEST_API_KEY): API keys, projects, billing, inbound endpoints and their
 * observability, and log exports. */
#include "hb_test.h"
#include "mini_json.h"

static hb_client *client;

/* Parses a JSON output and frees the string (NULL stays NULL). */
static mj_value *parse_out(char *json) {
    mj_value *v = json ? mj_parse(json) : NULL;
    CHECK(json == NULL || v != NULL);
    hb_string_free(json);
    return v;
}

static bool array_has(const mj_value *arr, const char *key, const char *value) {
    for (size_t i = 0; arr && i < arr->count; i++) {
        const char *s = mj_get_str(mj_at(arr, i), key);
        if (s && strcmp(s, value) == 0) return true;
    }
    return false;
}

static void test_api_keys(void) {
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_api_key_json(client, "test", "c-binding", &out, &err), err);
    mj_value *created = parse_out(out);
    const char *key = mj_get_str(created, "key");
    const char *key_id = mj_get_str(created, "key_id");
    CHECK(key && strncmp(key, "hb_test_", 8) == 0);
    CHECK_STR(mj_get_str(created, "label"), "c-binding");

    CHECK_OK(hb_list_api_keys_json(client, &out, &err), err);
    mj_value *keys = parse_out(out);
    CHECK(array_has(keys, "key_id", key_id));
    mj_free(keys);

    /* The new key authenticates; once deleted it no longer does. */
    hb_client *other = hb_test_client(hb_test_env("HB_TEST_URL"), key, 0);
    char *projects = NULL;
    CHECK_OK(hb_list_api_keys_json(other, &projects, &err), err);
    hb_string_free(projects);
    CHECK_OK(hb_delete_api_key(client, key_id, &err), err);
    CHECK_RESULT(hb_list_api_keys_json(other, &projects, &err), HB_RESULT_AUTHENTICATION, err);
    CHECK(projects == NULL);
    hb_client_free(other);
    mj_free(created);
}

static void test_projects(void) {
    char *out = NULL;
    hb_error *err = NULL;
    int64_t rate = 120;
    CHECK_OK(hb_create_project_json(client, "c-project", &rate, &out, &err), err);
    mj_value *project = parse_out(out);
    const char *id = mj_get_str(project, "id");
    CHECK_STR(mj_get_str(project, "name"), "c-project");
    CHECK(mj_get_int(project, "rate_limit_default", -1) == 120);

    CHECK_OK(hb_get_project_json(client, id, &out, &err), err);
    mj_value *got = parse_out(out);
    CHECK_STR(mj_get_str(got, "id"), id);
    mj_free(got);
    CHECK_OK(hb_list_projects_json(client, &out, &err), err);
    mj_value *all = parse_out(out);
    CHECK(array_has(all, "id", id));
    mj_free(all);
    CHECK_OK(hb_update_project_json(client, id, "c-renamed", NULL, &out, &err), err);
    mj_value *updated = parse_out(out);
    CHECK_STR(mj_get_str(updated, "name"), "c-renamed");
    CHECK(mj_get_int(updated, "rate_limit_default", -1) == 120);
    mj_free(updated);
    CHECK_OK(hb_delete_project(client, id, &err), err);
    CHECK_RESULT(hb_get_project_json(client, id, &out, &err), HB_RESULT_NOT_FOUND, err);
    mj_free(project);
}

static void test_billing(void) {
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_get_subscription_json(client, &out, &err), err);
    mj_value *sub = parse_out(out);
    CHECK_STR(mj_get_str(sub, "plan"), "self_hosted");
    CHECK(mj_get(sub, "limits") && mj_get(sub, "usage"));
    mj_free(sub);

    CHECK_OK(hb_get_usage_history_json(client, 12, 0, &out, &err), err);
    mj_value *usage = parse_out(out);
    CHECK(mj_get(usage, "rows") && mj_get(usage, "rows")->type == MJ_ARRAY);
    CHECK(mj_get_int(usage, "limit", -1) == 12 && mj_get_int(usage, "offset", -1) == 0);
    mj_free(usage);

    CHECK_OK(hb_get_invoices_json(client, 12, NULL, &out, &err), err);
    mj_value *invoices = parse_out(out);
    CHECK(mj_get(invoices, "invoices") && mj_get(invoices, "invoices")->count == 0);
    CHECK(mj_get_bool(invoices, "has_more", true) == false);
    mj_free(invoices);

    /* Checkout and portal are disabled on a self-hosted server: an API error with its code. */
    CHECK(hb_create_checkout_json(client, "pro", "monthly", &out, &err) == HB_RESULT_API);
    CHECK(out == NULL);
    CHECK_STR(hb_error_code(err), "BILLING_DISABLED");
    CHECK(hb_error_status(err) == 403);
    CHECK(hb_error_request_id(err) != NULL);
    hb_error_free(err);
    err = NULL;
    CHECK(hb_create_portal_json(client, "https://example.com/back", &out, &err) == HB_RESULT_API);
    CHECK(hb_error_status(err) == 403);
    hb_error_free(err);
    err = NULL;

    bool received = false;
    CHECK_OK(hb_handle_stripe_webhook(client, "{\"type\":\"invoice.paid\"}", &received, &err), err);
    CHECK(received == true);
}

static void test_inbound_endpoints(void) {
    char *out = NULL;
    hb_error *err = NULL;
    const char *settings =
        "{\"name\": \"c-inbound\", \"description\": \"from C\", \"verify_static_token\": true,"
        " \"token_header_name\": \"X-Token\", \"token_value\": \"s3cret\","
        " \"idempotency_header_names\": [\"X-Request-Id\"], \"ingest_response_code\": 202}";
    CHECK_OK(hb_create_inbound_endpoint_json(client, "http://127.0.0.1:9/in", settings, &out, &err), err);
    mj_value *created = parse_out(out);
    const char *id = mj_get_str(created, "id");
    CHECK(id != NULL);
    CHECK(mj_get_str(created, "ingest_url") != NULL && mj_get_str(created, "secret_token") != NULL);

    CHECK_OK(hb_get_inbound_endpoint_json(client, id, &out, &err), err);
    mj_value *got = parse_out(out);
    CHECK_STR(mj_get_str(got, "name"), "c-inbound");
    CHECK(mj_get_bool(got, "verify_static_token", false) == true);
    CHECK(mj_get_int(got, "ingest_response_code", -1) == 202);
    mj_free(got);

    int64_t limit = 100;
    CHECK_OK(hb_list_inbound_endpoints_json(client, &limit, NULL, &out, &err), err);
    mj_value *list = parse_out(out);
    CHECK(array_has(mj_get(list, "endpoints"), "id", id));
    mj_free(list);

    CHECK_OK(hb_update_inbound_endpoint_json(client, id, "{\"name\": \"c-renamed\", \"verify_static_token\": false}", &out, &err), err);
    mj_value *upd = parse_out(out);
    CHECK(mj_get_bool(upd, "updated", false) == true);
    mj_free(upd);
    CHECK_OK(hb_update_inbound_endpoint_fields_json(client, id, "{\"description\": \"raw fields\"}", &out, &err), err);
    hb_string_free(out);
    CHECK_OK(hb_get_inbound_endpoint_json(client, id, &out, &err), err);
    got = parse_out(out);
    CHECK_STR(mj_get_str(got, "name"), "c-renamed");
    CHECK_STR(mj_get_str(got, "description"), "raw fields");
    CHECK(mj_get_bool(got, "verify_static_token", true) == false);
    mj_free(got);

    CHECK_OK(hb_pause_inbound_endpoint_json(client, id, &out, &err), err);
    mj_value *state = parse_out(out);
    CHECK(mj_get_bool(state, "paused", false) == true);
    mj_free(state);
    CHECK_OK(hb_resume_inbound_endpoint_json(client, id, &out, &err), err);
    state = parse_out(out);
    CHECK(mj_get_bool(state, "paused", true) == false);
    mj_free(state);

    /* Observability of the (empty) endpoint. */
    char query[256];
    snprintf(query, sizeof query, "{\"inbound_endpoint_id\": \"%s\", \"start_time\": \"2000-01-01T00:00:00Z\", \"limit\": %lld}", id,
             (long long)limit);
    CHECK_OK(hb_get_inbound_logs_json(client, query, &out, &err), err);
    mj_value *logs = parse_out(out);
    CHECK(mj_get(logs, "entries") && mj_get(logs, "entries")->count == 0);
    mj_free(logs);
    CHECK_OK(hb_get_inbound_metrics_json(client, "7d", id, &out, &err), err);
    mj_value *metrics = parse_out(out);
    CHECK_STR(mj_get_str(metrics, "window"), "7d");
    CHECK(mj_get_int(metrics, "total_messages", -1) == 0);
    CHECK(mj_get(metrics, "avg_delivery_time_ms") != NULL);
    mj_free(metrics);
    CHECK_OK(hb_get_inbound_timeseries_metrics_json(client, NULL, id, &out, &err), err);
    mj_value *series = parse_out(out);
    CHECK_STR(mj_get_str(series, "window"), "24h");
    mj_free(series);
    snprintf(query, sizeof query, "{\"inbound_endpoint_id\": \"%s\", \"limit\": %lld}", id, (long long)limit);
    CHECK_OK(hb_list_inbound_rejections_json(client, query, &out, &err), err);
    mj_value *rejections = parse_out(out);
    CHECK(mj_get(rejections, "entries") != NULL);
    mj_free(rejections);

    /* Inbound replays: nothing to replay; an unknown message is not found. */
    CHECK_OK(hb_replay_all_inbound_messages_json(client, "failed_permanent", id, NULL, &out, &err), err);
    mj_value *all = parse_out(out);
    CHECK(mj_get_int(all, "replayed", -1) == 0);
    mj_free(all);
    const char *ids[] = {"00000000-0000-0000-0000-000000000000"};
    CHECK_OK(hb_replay_batch_inbound_messages_json(client, ids, 1, &out, &err), err);
    mj_value *batch = parse_out(out);
    CHECK(mj_get_int(batch, "failed", -1) == 1);
    mj_free(batch);
    CHECK_RESULT(hb_replay_inbound_message_json(client, ids[0], &out, &err), HB_RESULT_NOT_FOUND, err);

    CHECK_OK(hb_delete_inbound_endpoint_json(client, id, &out, &err), err);
    mj_value *deleted = parse_out(out);
    CHECK(mj_get_bool(deleted, "deleted", false) == true);
    mj_free(deleted);
    CHECK_RESULT(hb_get_inbound_endpoint_json(client, id, &out, &err), HB_RESULT_NOT_FOUND, err);
    mj_free(created);
}

static void test_exports(void) {
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_export_json(client, "{\"start_time\": \"2000-01-01T00:00:00Z\", \"end_time\": \"2100-01-01T00:00:00Z\"}", &out, &err),
             err);
    mj_value *created = parse_out(out);
    const char *id = mj_get_str(created, "id");
    CHECK(id != NULL);

    CHECK_OK(hb_list_exports_json(client, &out, &err), err);
    mj_value *list = parse_out(out);
    CHECK(array_has(list, "id", id));
    mj_free(list);

    const char *status = NULL;
    mj_value *record = NULL;
    for (int i = 0; i < 200; i++) { /* the export runs in the background */
        mj_free(record);
        record = NULL;
        CHECK_OK(hb_get_export_json(client, id, &out, &err), err);
        record = parse_out(out);
        status = mj_get_str(record, "status");
        if (!status || strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0) break;
        hb_sleep_ms(50);
    }
    CHECK_STR(status, "completed");
    char *url = NULL;
    CHECK_OK(hb_download_export(client, id, &url, &err), err);
    CHECK(url && strncmp(url, "http", 4) == 0);
    hb_string_free(url);
    CHECK_RESULT(hb_download_export(client, "00000000-0000-0000-0000-000000000000", &url, &err), HB_RESULT_NOT_FOUND, err);
    mj_free(record);
    mj_free(created);
}

int main(void) {
    client = hb_test_server_client();
    RUN(test_api_keys);
    RUN(test_projects);
    RUN(test_billing);
    RUN(test_inbound_endpoints);
    RUN(test_exports);
    hb_client_free(client);
    return hb_test_finish("test_account");
}
