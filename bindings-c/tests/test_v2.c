/* The 2.0.0 operations of the C binding against a real hookbridge-server (HB_TEST_URL,
 * HB_TEST_API_KEY): attempts, soft deletion, inbound message detail, CLI-mode endpoints and
 * listen, inbound signing keys, pull endpoints and their events, actors and export deletion.
 * Each function is called at least once with success and once with an error, and the bad
 * inputs (NULL, invalid JSON, unknown keys) give HB_RESULT_INVALID_ARGUMENT naming the argument. */
#include "hb_test.h"
#include "http_post.h"
#include "mini_json.h"
#include "receiver.h"

#define UNKNOWN_UUID "00000000-0000-7000-8000-000000000000"

static hb_client *client;

/* Parses a JSON output and frees the string (NULL stays NULL). */
static mj_value *parse_out(char *json) {
    mj_value *v = json ? mj_parse(json) : NULL;
    CHECK(json == NULL || v != NULL);
    hb_string_free(json);
    return v;
}

/* The number of elements of array `key` of `obj` (-1 when it is not an array). */
static long count_of(const mj_value *obj, const char *key) {
    const mj_value *arr = mj_get(obj, key);
    return arr && arr->type == MJ_ARRAY ? (long)arr->count : -1;
}

/* Checks a failed call: its result, error code, and that the message contains `text`; frees
 * `err`. Prints what came instead on a mismatch. */
#define CHECK_FAILS(call, expected, code, text)                                                   \
    do {                                                                                          \
        hb_error *e_ = NULL;                                                                      \
        char *o_ = NULL;                                                                          \
        hb_result r_ = (call);                                                                    \
        (void)o_;                                                                                 \
        if (r_ != (expected) || e_ == NULL || strcmp(hb_error_code(e_), (code)) != 0 ||            \
            strstr(hb_error_message(e_), (text)) == NULL) {                                       \
            hb_test_current_failures++;                                                           \
            fprintf(stderr, "  %s:%d: %s gave %s %s \"%s\", expected %s %s \"...%s...\"\n",       \
                    __FILE__, __LINE__, #call, hb_result_name((int)r_), e_ ? hb_error_code(e_) : "-", \
                    e_ ? hb_error_message(e_) : "-", hb_result_name((int)(expected)), (code), (text)); \
        }                                                                                         \
        hb_error_free(e_);                                                                        \
    } while (0)
/* In CHECK_FAILS, the call's error and output arguments. */
#define ERR (&e_)
#define OUT (&o_)

/* Creates an endpoint delivering to `url` and returns its id (free with hb_string_free). */
static char *make_endpoint(const char *url) {
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    if (hb_create_endpoint(client, url, "c v2", 0, 0, NULL, NULL, 0, &ep, &err) != HB_RESULT_OK) {
        fprintf(stderr, "cannot create an endpoint: %s\n", hb_error_message(err));
        exit(2);
    }
    char *id = strdup(hb_created_endpoint_id(ep));
    hb_created_endpoint_free(ep);
    return id;
}

/* Sends `payload` and returns the message id (free with hb_string_free), or NULL. */
static char *send_one(const char *endpoint_id, const char *payload) {
    char *id = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_send(client, endpoint_id, payload, NULL, NULL, 0, NULL, &id, NULL, &err), err);
    return id;
}

static void test_bad_input(void) {
    /* NULL handles, arguments and out-parameters. */
    CHECK_FAILS(hb_get_message_attempts_json(NULL, "m", OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "client must not be NULL");
    CHECK_FAILS(hb_get_message_attempts_json(client, NULL, OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "message_id must not be NULL");
    CHECK_FAILS(hb_get_inbound_message_attempts_json(client, "m", NULL, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "out_json must not be NULL");
    CHECK_FAILS(hb_delete_messages_batch_json(client, NULL, 2, OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "message_ids must not be NULL when its count is 2");
    const char *with_null[] = {"a", NULL};
    CHECK_FAILS(hb_delete_inbound_messages_batch_json(client, with_null, 2, OUT, ERR), HB_RESULT_INVALID_ARGUMENT,
                "INVALID_ARGUMENT", "message_ids[1] must not be NULL");
    CHECK_FAILS(hb_ack_pull_events_json(client, "pe", NULL, 1, OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "event_ids must not be NULL");
    CHECK_FAILS(hb_lookup_actors_json(client, NULL, 1, NULL, 0, OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "user_ids must not be NULL");
    CHECK_FAILS(hb_delete_inbound_signing_key(client, "ie", NULL, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "key_id must not be NULL");
    CHECK_FAILS(hb_delete_export(client, NULL, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "export_id must not be NULL");
    CHECK_FAILS(hb_update_pull_endpoint_json(client, "pe", NULL, OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "settings_json must not be NULL");
    const char bad_utf8[] = {'a', (char)0xff, 0};
    CHECK_FAILS(hb_listen_inbound_endpoint_json(client, "ie", bad_utf8, OUT, ERR), HB_RESULT_INVALID_ARGUMENT,
                "INVALID_ARGUMENT", "after is not valid UTF-8");

    /* Invalid JSON, a wrong type, an unknown key: named, and nothing is sent. */
    CHECK_FAILS(hb_delete_messages_all_json(client, "{nope", OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "filter_json is not valid JSON");
    CHECK_FAILS(hb_delete_inbound_messages_all_json(client, "{\"limit\": \"ten\"}", OUT, ERR), HB_RESULT_INVALID_ARGUMENT,
                "INVALID_ARGUMENT", "filter_json.limit");
    CHECK_FAILS(hb_create_pull_endpoint_json(client, "{\"nmae\": \"x\"}", OUT, ERR), HB_RESULT_INVALID_ARGUMENT,
                "INVALID_ARGUMENT", "unknown field `nmae`");
    CHECK_FAILS(hb_list_pull_events_json(client, "pe", "[1]", OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "query_json must be a JSON object");
    CHECK_FAILS(hb_get_pull_logs_json(client, "{\"cursor\": 5}", OUT, ERR), HB_RESULT_INVALID_ARGUMENT, "INVALID_ARGUMENT",
                "query_json.cursor");
    CHECK_FAILS(hb_delete_pull_events_all_json(client, "pe", "{\"state\": \"stored\"}", OUT, ERR), HB_RESULT_INVALID_ARGUMENT,
                "INVALID_ARGUMENT", "unknown field `state`");
    CHECK_FAILS(hb_update_pull_endpoint_fields_json(client, "pe", "\"name\"", OUT, ERR), HB_RESULT_INVALID_ARGUMENT,
                "INVALID_ARGUMENT", "fields_json must be a JSON object");
}

static void test_attempts_and_deletion(void) {
    char *out = NULL;
    hb_error *err = NULL;
    receiver *rx = receiver_start(200);
    char *endpoint_id = make_endpoint(rx->url);
    char *ids[4];
    for (int i = 0; i < 4; i++) {
        char payload[32];
        snprintf(payload, sizeof payload, "{\"n\": %d}", i);
        ids[i] = send_one(endpoint_id, payload);
    }
    hb_message *m = hb_test_wait_status(client, ids[0], "succeeded", 30000);
    CHECK(m != NULL);
    hb_message_free(m);

    /* The delivered message has one attempt, answered 200 by the receiver. */
    CHECK_OK(hb_get_message_attempts_json(client, ids[0], &out, &err), err);
    mj_value *attempts = parse_out(out);
    CHECK(count_of(attempts, "attempts") == 1);
    const mj_value *first = mj_at(mj_get(attempts, "attempts"), 0);
    CHECK(mj_get_int(first, "attempt_no", -1) == 1);
    CHECK(mj_get_int(first, "response_status", -1) == 200);
    CHECK(mj_get_bool(attempts, "has_more", true) == false);
    mj_free(attempts);
    /* An unknown message has no attempts (the server answers an empty list, not 404). */
    CHECK_OK(hb_get_message_attempts_json(client, "msg_unknown", &out, &err), err);
    attempts = parse_out(out);
    CHECK(count_of(attempts, "attempts") == 0);
    mj_free(attempts);

    /* One message, twice: the second call reports the first deletion. */
    CHECK_OK(hb_delete_message_json(client, ids[0], &out, &err), err);
    mj_value *deleted = parse_out(out);
    CHECK_STR(mj_get_str(deleted, "message_id"), ids[0]);
    CHECK(mj_get_bool(deleted, "already_deleted", true) == false);
    CHECK(mj_get_str(deleted, "deleted_at") != NULL);
    CHECK_OK(hb_delete_message_json(client, ids[0], &out, &err), err);
    mj_value *again = parse_out(out);
    CHECK(mj_get_bool(again, "already_deleted", false) == true);
    CHECK_STR(mj_get_str(again, "deleted_at"), mj_get_str(deleted, "deleted_at"));
    mj_free(again);
    mj_free(deleted);
    CHECK_FAILS(hb_delete_message_json(client, "msg_unknown", OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");

    /* A batch: one outcome per id, in order. */
    const char *batch[] = {ids[1], ids[0], "msg_unknown"};
    CHECK_OK(hb_delete_messages_batch_json(client, batch, 3, &out, &err), err);
    mj_value *result = parse_out(out);
    CHECK(mj_get_int(result, "deleted_count", -1) == 1);
    CHECK(mj_get_int(result, "already_deleted_count", -1) == 1);
    CHECK(mj_get_int(result, "not_found_count", -1) == 1);
    CHECK_STR(mj_get_str(mj_at(mj_get(result, "results"), 2), "outcome"), "not_found");
    mj_free(result);
    CHECK_FAILS(hb_delete_messages_batch_json(client, NULL, 0, OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "message_ids");

    /* Everything left of this endpoint: the two messages not deleted yet. */
    char filter[160];
    snprintf(filter, sizeof filter, "{\"endpoint_id\": \"%s\", \"limit\": 100, \"status\": null}", endpoint_id);
    CHECK_OK(hb_delete_messages_all_json(client, filter, &out, &err), err);
    result = parse_out(out);
    CHECK(mj_get_int(result, "deleted", -1) == 2);
    CHECK(count_of(result, "deleted_message_ids") == 2);
    mj_free(result);
    CHECK_OK(hb_delete_messages_all_json(client, filter, &out, &err), err);
    result = parse_out(out);
    CHECK(mj_get_int(result, "deleted", -1) == 0);
    mj_free(result);
    CHECK_FAILS(hb_delete_messages_all_json(client, "{\"status\": \"bogus\"}", OUT, ERR), HB_RESULT_API, "INVALID_REQUEST",
                "status");

    for (int i = 0; i < 4; i++) hb_string_free(ids[i]);
    free(endpoint_id);
    receiver_stop(rx);
}

/* Posts `body` to an ingest URL and checks the sender got `expected`. */
static void ingest(const char *url, const char *body, int expected) {
    int status = http_post(url, "application/json", NULL, body);
    if (status != expected) fprintf(stderr, "  ingest %s answered %d, expected %d\n", url, status, expected);
    CHECK(status == expected);
}

static void test_cli_endpoint_listen_and_inbound_messages(void) {
    char *out = NULL;
    hb_error *err = NULL;
    /* A cli-mode endpoint needs no URL; a forward-mode one does. */
    CHECK_OK(hb_create_inbound_endpoint_json(client, NULL, "{\"name\": \"c-cli\", \"mode\": \"cli\"}", &out, &err), err);
    mj_value *created = parse_out(out);
    const char *id = mj_get_str(created, "id");
    const char *ingest_url = mj_get_str(created, "ingest_url");
    CHECK(id != NULL && ingest_url != NULL);
    CHECK_FAILS(hb_create_inbound_endpoint_json(client, NULL, "{\"name\": \"c-forward\"}", OUT, ERR), HB_RESULT_API,
                "INVALID_REQUEST", "url");

    for (int i = 0; i < 3; i++) {
        char body[32];
        snprintf(body, sizeof body, "{\"n\": %d}", i);
        ingest(ingest_url, body, 202);
    }
    /* Listen: oldest first, bodies as JSON, then an empty page after the cursor. */
    CHECK_OK(hb_listen_inbound_endpoint_json(client, id, NULL, &out, &err), err);
    mj_value *page = parse_out(out);
    CHECK(count_of(page, "messages") == 3);
    const mj_value *messages = mj_get(page, "messages");
    for (long i = 0; i < count_of(page, "messages"); i++)
        CHECK(mj_get_int(mj_get(mj_at(messages, (size_t)i), "body"), "n", -1) == i);
    const char *cursor = mj_get_str(page, "next_cursor");
    CHECK(cursor != NULL);
    const char *message_ids[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < 3 && messages && i < messages->count; i++) message_ids[i] = mj_get_str(mj_at(messages, i), "message_id");
    CHECK(message_ids[2] != NULL && cursor != NULL && strcmp(cursor, message_ids[2]) == 0);
    CHECK_OK(hb_listen_inbound_endpoint_json(client, id, message_ids[0], &out, &err), err);
    mj_value *rest = parse_out(out);
    CHECK(count_of(rest, "messages") == 2);
    mj_free(rest);
    CHECK_OK(hb_listen_inbound_endpoint_json(client, id, cursor, &out, &err), err);
    rest = parse_out(out);
    CHECK(count_of(rest, "messages") == 0);
    mj_free(rest);
    CHECK_FAILS(hb_listen_inbound_endpoint_json(client, id, "not-a-uuid", OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "after");
    CHECK_FAILS(hb_listen_inbound_endpoint_json(client, UNKNOWN_UUID, NULL, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");

    if (message_ids[2] == NULL) {
        mj_free(page);
        mj_free(created);
        return;
    }
    /* Message detail and attempts of a stored (never forwarded) message. */
    CHECK_OK(hb_get_inbound_message_json(client, message_ids[0], &out, &err), err);
    mj_value *message = parse_out(out);
    CHECK_STR(mj_get_str(message, "status"), "stored");
    CHECK(mj_get(message, "deleted_at") == NULL || mj_get(message, "deleted_at")->type == MJ_NULL);
    mj_free(message);
    CHECK_FAILS(hb_get_inbound_message_json(client, UNKNOWN_UUID, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    CHECK_OK(hb_get_inbound_message_attempts_json(client, message_ids[0], &out, &err), err);
    mj_value *attempts = parse_out(out);
    CHECK(count_of(attempts, "attempts") == 0);
    CHECK(mj_get_bool(attempts, "has_more", true) == false);
    mj_free(attempts);

    /* Deletion: one, a batch, then everything left of the endpoint. */
    CHECK_OK(hb_delete_inbound_message_json(client, message_ids[0], &out, &err), err);
    mj_value *deleted = parse_out(out);
    CHECK(mj_get_bool(deleted, "already_deleted", true) == false);
    mj_free(deleted);
    CHECK_OK(hb_get_inbound_message_json(client, message_ids[0], &out, &err), err);
    message = parse_out(out);
    CHECK(mj_get_str(message, "deleted_at") != NULL);
    mj_free(message);
    CHECK_FAILS(hb_delete_inbound_message_json(client, UNKNOWN_UUID, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    const char *batch[] = {message_ids[1], UNKNOWN_UUID};
    CHECK_OK(hb_delete_inbound_messages_batch_json(client, batch, 2, &out, &err), err);
    mj_value *result = parse_out(out);
    CHECK(mj_get_int(result, "deleted_count", -1) == 1 && mj_get_int(result, "not_found_count", -1) == 1);
    mj_free(result);
    const char *too_many[101];
    for (int i = 0; i < 101; i++) too_many[i] = UNKNOWN_UUID;
    CHECK_FAILS(hb_delete_inbound_messages_batch_json(client, too_many, 101, OUT, ERR), HB_RESULT_API, "INVALID_REQUEST",
                "message_ids");
    char filter[160];
    snprintf(filter, sizeof filter, "{\"inbound_endpoint_id\": \"%s\"}", id);
    CHECK_OK(hb_delete_inbound_messages_all_json(client, filter, &out, &err), err);
    result = parse_out(out);
    CHECK(mj_get_int(result, "deleted", -1) == 1);
    const mj_value *deleted_ids = mj_get(result, "deleted_message_ids");
    CHECK(deleted_ids && deleted_ids->count == 1 && strcmp(mj_at(deleted_ids, 0)->string, message_ids[2]) == 0);
    mj_free(result);
    CHECK_FAILS(hb_delete_inbound_messages_all_json(client, "{\"inbound_endpoint_id\": \"nope\"}", OUT, ERR), HB_RESULT_API,
                "INVALID_REQUEST", "inbound_endpoint_id");

    /* Listening to a forward-mode endpoint is refused with its own code. */
    CHECK_OK(hb_create_inbound_endpoint_json(client, "http://127.0.0.1:9/in", NULL, &out, &err), err);
    mj_value *forward = parse_out(out);
    CHECK_FAILS(hb_listen_inbound_endpoint_json(client, mj_get_str(forward, "id"), NULL, OUT, ERR), HB_RESULT_API,
                "ENDPOINT_NOT_CLI_MODE", "");
    CHECK_OK(hb_delete_inbound_endpoint_json(client, mj_get_str(forward, "id"), &out, &err), err);
    hb_string_free(out);
    mj_free(forward);
    CHECK_OK(hb_delete_inbound_endpoint_json(client, id, &out, &err), err);
    hb_string_free(out);
    mj_free(page);
    mj_free(created);
}

static void test_inbound_signing_keys(void) {
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_inbound_endpoint_json(client, "http://127.0.0.1:9/in", "{\"signing_enabled\": true}", &out, &err), err);
    mj_value *endpoint = parse_out(out);
    const char *id = mj_get_str(endpoint, "id");
    const char *first_key = mj_get_str(endpoint, "signing_key_id");
    CHECK(first_key != NULL);

    CHECK_OK(hb_create_inbound_signing_key_json(client, id, &out, &err), err);
    mj_value *key = parse_out(out);
    const char *second_key = mj_get_str(key, "id");
    const char *secret = mj_get_str(key, "signing_secret");
    CHECK(second_key != NULL && secret != NULL && strncmp(secret, "whsec_", 6) == 0);
    /* At most two active keys. */
    CHECK_FAILS(hb_create_inbound_signing_key_json(client, id, OUT, ERR), HB_RESULT_API, "MAX_SIGNING_KEYS_REACHED", "");

    CHECK_OK(hb_list_inbound_signing_keys_json(client, id, &out, &err), err);
    mj_value *keys = parse_out(out);
    CHECK(keys && keys->type == MJ_ARRAY && keys->count == 2);
    CHECK(keys && keys->count == 2 && mj_get(mj_at(keys, 0), "signing_secret") == NULL);
    CHECK_STR(mj_get_str(mj_at(keys, 1), "id"), second_key);
    mj_free(keys);
    CHECK_FAILS(hb_list_inbound_signing_keys_json(client, UNKNOWN_UUID, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");

    /* Rotation: delete the old key; the last one cannot be deleted. */
    CHECK_OK(hb_delete_inbound_signing_key(client, id, first_key, &err), err);
    CHECK_FAILS(hb_delete_inbound_signing_key(client, id, second_key, ERR), HB_RESULT_API, "CANNOT_DELETE_LAST_SIGNING_KEY", "");
    CHECK_FAILS(hb_delete_inbound_signing_key(client, id, first_key, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    CHECK_OK(hb_list_inbound_signing_keys_json(client, id, &out, &err), err);
    keys = parse_out(out);
    CHECK(keys && keys->count == 1);
    CHECK_STR(mj_get_str(mj_at(keys, 0), "id"), second_key);
    mj_free(keys);

    CHECK_OK(hb_delete_inbound_endpoint_json(client, id, &out, &err), err);
    hb_string_free(out);
    mj_free(key);
    mj_free(endpoint);
}

static void test_pull_endpoints(void) {
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_pull_endpoint_json(client, "{\"name\": \"c-pull\", \"event_type_path\": \"type\", \"retention_days\": 3}", &out,
                                          &err),
             err);
    mj_value *created = parse_out(out);
    const char *id = mj_get_str(created, "id");
    const char *ingest_url = mj_get_str(created, "ingest_url");
    CHECK(id != NULL && ingest_url != NULL && mj_get_str(created, "secret_token") != NULL);
    CHECK(mj_get_int(created, "retention_days", -1) == 3);
    if (id == NULL || ingest_url == NULL) {
        mj_free(created);
        return;
    }

    /* Management. */
    CHECK_OK(hb_get_pull_endpoint_json(client, id, &out, &err), err);
    mj_value *got = parse_out(out);
    CHECK_STR(mj_get_str(got, "name"), "c-pull");
    mj_free(got);
    CHECK_FAILS(hb_get_pull_endpoint_json(client, "pe_unknown", OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    int64_t limit = 100;
    CHECK_OK(hb_list_pull_endpoints_json(client, &limit, NULL, &out, &err), err);
    mj_value *list = parse_out(out);
    bool listed = false;
    const mj_value *endpoints = mj_get(list, "endpoints");
    for (size_t i = 0; endpoints && i < endpoints->count; i++)
        listed = listed || strcmp(mj_get_str(mj_at(endpoints, i), "id"), id) == 0;
    CHECK(listed);
    mj_free(list);
    int64_t bad_limit = 0;
    CHECK_FAILS(hb_list_pull_endpoints_json(client, &bad_limit, NULL, OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "limit");
    CHECK_OK(hb_update_pull_endpoint_json(client, id, "{\"description\": \"from C\", \"retention_days\": 5}", &out, &err), err);
    mj_value *updated = parse_out(out);
    CHECK_STR(mj_get_str(updated, "description"), "from C");
    CHECK(mj_get_int(updated, "retention_days", -1) == 5);
    mj_free(updated);
    CHECK_FAILS(hb_update_pull_endpoint_json(client, id, "{\"retention_days\": 0}", OUT, ERR), HB_RESULT_API, "INVALID_REQUEST",
                "retention_days");
    CHECK_OK(hb_update_pull_endpoint_fields_json(client, id, "{\"name\": \"c-pull-2\", \"description\": null}", &out, &err), err);
    updated = parse_out(out);
    CHECK_STR(mj_get_str(updated, "name"), "c-pull-2");
    CHECK_STR(mj_get_str(updated, "description"), "from C");
    mj_free(updated);
    CHECK_FAILS(hb_update_pull_endpoint_fields_json(client, "pe_unknown", "{\"name\": \"x\"}", OUT, ERR), HB_RESULT_NOT_FOUND,
                "NOT_FOUND", "");

    /* Pause refuses ingest; resume accepts it again. */
    CHECK_OK(hb_pause_pull_endpoint_json(client, id, &out, &err), err);
    mj_value *state = parse_out(out);
    CHECK(mj_get_bool(state, "paused", false) == true);
    mj_free(state);
    CHECK(http_post(ingest_url, "application/json", NULL, "{\"type\": \"paused\"}") == 503);
    CHECK_FAILS(hb_pause_pull_endpoint_json(client, "pe_unknown", OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    CHECK_OK(hb_resume_pull_endpoint_json(client, id, &out, &err), err);
    state = parse_out(out);
    CHECK(mj_get_bool(state, "paused", true) == false);
    mj_free(state);
    CHECK_FAILS(hb_resume_pull_endpoint_json(client, "pe_unknown", OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");

    /* Events: ingest four, list (newest first: event_ids[0] is the last sent, order.shipped),
     * read (preview and not), acknowledge. */
    const char *types[] = {"order.created", "order.paid", "order.created", "order.shipped"};
    for (int i = 0; i < 4; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"type\": \"%s\", \"n\": %d}", types[i], i);
        ingest(ingest_url, body, 202);
    }
    CHECK_OK(hb_list_pull_events_json(client, id, "{\"event_type\": \"order.created\", \"limit\": 10}", &out, &err), err);
    mj_value *events = parse_out(out);
    CHECK(count_of(events, "events") == 2);
    mj_free(events);
    CHECK_OK(hb_list_pull_events_json(client, id, NULL, &out, &err), err);
    events = parse_out(out);
    CHECK(count_of(events, "events") == 4);
    const mj_value *items = mj_get(events, "events");
    const char *event_ids[4] = {NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < 4 && items && i < items->count; i++) event_ids[i] = mj_get_str(mj_at(items, i), "id");
    CHECK_FAILS(hb_list_pull_events_json(client, id, "{\"status\": \"bogus\"}", OUT, ERR), HB_RESULT_API, "INVALID_REQUEST",
                "status");
    if (event_ids[3] == NULL) {
        mj_free(events);
        mj_free(created);
        return;
    }

    CHECK_OK(hb_get_pull_event_json(client, id, event_ids[0], true, &out, &err), err);
    mj_value *event = parse_out(out);
    CHECK_STR(mj_get_str(event, "status"), "stored");
    CHECK(mj_get(event, "payload") != NULL && mj_get_str(mj_get(event, "payload"), "type") != NULL);
    mj_free(event);
    CHECK_OK(hb_get_pull_event_json(client, id, event_ids[0], false, &out, &err), err);
    event = parse_out(out);
    CHECK_STR(mj_get_str(event, "status"), "fetched");
    mj_free(event);
    CHECK_FAILS(hb_get_pull_event_json(client, id, UNKNOWN_UUID, false, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");

    const char *ack[] = {event_ids[0], event_ids[1]};
    CHECK_OK(hb_ack_pull_events_json(client, id, ack, 2, &out, &err), err);
    mj_value *acked = parse_out(out);
    CHECK(mj_get_int(acked, "acknowledged", -1) == 2);
    mj_free(acked);
    CHECK_OK(hb_ack_pull_events_json(client, id, ack, 2, &out, &err), err);
    acked = parse_out(out);
    CHECK(mj_get_int(acked, "acknowledged", -1) == 0); /* already delivered: not counted again */
    mj_free(acked);
    CHECK_FAILS(hb_ack_pull_events_json(client, "pe_unknown", ack, 2, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    CHECK_OK(hb_get_pull_endpoint_json(client, id, &out, &err), err);
    got = parse_out(out);
    CHECK(mj_get_int(mj_get(got, "counts"), "delivered", -1) == 2);
    CHECK(mj_get_int(mj_get(got, "counts"), "stored", -1) == 2);
    mj_free(got);

    /* Logs and metrics. */
    char query[160];
    snprintf(query, sizeof query, "{\"pull_endpoint_id\": \"%s\", \"status\": \"delivered\"}", id);
    CHECK_OK(hb_get_pull_logs_json(client, query, &out, &err), err);
    mj_value *logs = parse_out(out);
    CHECK(count_of(logs, "entries") == 2);
    mj_free(logs);
    CHECK_FAILS(hb_get_pull_logs_json(client, "{\"start_time\": \"yesterday\"}", OUT, ERR), HB_RESULT_API, "INVALID_REQUEST",
                "start_time");
    CHECK_OK(hb_get_pull_metrics_json(client, NULL, id, &out, &err), err);
    mj_value *metrics = parse_out(out);
    CHECK_STR(mj_get_str(metrics, "window"), "24h");
    mj_free(metrics);
    CHECK_FAILS(hb_get_pull_metrics_json(client, "3 weeks", id, OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "window");
    CHECK_OK(hb_get_pull_timeseries_metrics_json(client, "7d", id, &out, &err), err);
    mj_value *series = parse_out(out);
    CHECK_STR(mj_get_str(series, "window"), "7d");
    mj_free(series);
    CHECK_FAILS(hb_get_pull_timeseries_metrics_json(client, "3 weeks", NULL, OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "window");

    /* Deletion: one (twice), a batch, then everything left. */
    CHECK_OK(hb_delete_pull_event_json(client, id, event_ids[0], &out, &err), err);
    mj_value *deleted = parse_out(out);
    CHECK(mj_get_str(deleted, "deleted_at") != NULL);
    mj_free(deleted);
    CHECK_OK(hb_get_pull_event_json(client, id, event_ids[0], true, &out, &err), err);
    event = parse_out(out);
    CHECK(mj_get(event, "payload") != NULL && mj_get(event, "payload")->type == MJ_NULL);
    CHECK(mj_get_str(event, "deleted_at") != NULL);
    mj_free(event);
    CHECK_FAILS(hb_delete_pull_event_json(client, id, UNKNOWN_UUID, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    const char *batch[] = {event_ids[1], UNKNOWN_UUID};
    CHECK_OK(hb_delete_pull_events_batch_json(client, id, batch, 2, &out, &err), err);
    mj_value *result = parse_out(out);
    CHECK(count_of(result, "results") == 2);
    mj_free(result);
    CHECK_FAILS(hb_delete_pull_events_batch_json(client, id, NULL, 0, OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "");
    CHECK_OK(hb_delete_pull_events_all_json(client, id, "{\"event_type\": \"order.created\"}", &out, &err), err);
    result = parse_out(out); /* the first sent (event_ids[3]); event_ids[1] is already deleted */
    CHECK(mj_get_int(result, "deleted", -1) == 1);
    CHECK(count_of(result, "deleted_event_ids") == 1);
    CHECK_STR(mj_at(mj_get(result, "deleted_event_ids"), 0) ? mj_at(mj_get(result, "deleted_event_ids"), 0)->string : NULL,
              event_ids[3]);
    mj_free(result);
    CHECK_OK(hb_delete_pull_events_all_json(client, id, NULL, &out, &err), err);
    result = parse_out(out);
    CHECK(mj_get_int(result, "deleted", -1) == 1); /* the last one left, order.paid */
    mj_free(result);
    CHECK_FAILS(hb_delete_pull_events_all_json(client, id, "{\"limit\": 0}", OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "limit");

    /* Deleting the endpoint: it is gone, and its ingest URL stops accepting. */
    CHECK_OK(hb_delete_pull_endpoint_json(client, id, &out, &err), err);
    deleted = parse_out(out);
    CHECK(mj_get_bool(deleted, "deleted", false) == true);
    mj_free(deleted);
    CHECK_FAILS(hb_delete_pull_endpoint_json(client, id, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    CHECK(http_post(ingest_url, "application/json", NULL, "{\"type\": \"late\"}") == 410);
    mj_free(events);
    mj_free(created);
}

static void test_actors(void) {
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_api_key_json(client, "test", "c-actor", &out, &err), err);
    mj_value *key = parse_out(out);
    const char *key_id = mj_get_str(key, "key_id");
    CHECK(key_id != NULL);
    const char *users[] = {"user_1"};
    const char *api_keys[] = {key_id, "key_unknown"};
    CHECK_OK(hb_lookup_actors_json(client, users, 1, api_keys, 2, &out, &err), err);
    mj_value *found = parse_out(out);
    const mj_value *keys = mj_get(found, "api_keys");
    CHECK(keys && keys->type == MJ_OBJECT && keys->count == 1);
    CHECK_STR(mj_get_str(mj_get(keys, key_id), "label"), "c-actor");
    const mj_value *found_users = mj_get(found, "users");
    CHECK(found_users == NULL || found_users->type == MJ_NULL || found_users->count == 0);
    mj_free(found);
    char long_id[102];
    memset(long_id, 'k', 101);
    long_id[101] = '\0';
    const char *too_long[] = {long_id};
    CHECK_FAILS(hb_lookup_actors_json(client, NULL, 0, too_long, 1, OUT, ERR), HB_RESULT_API, "INVALID_REQUEST", "api_key_id");
    CHECK_OK(hb_delete_api_key(client, key_id, &err), err);
    mj_free(key);
}

static void test_delete_export(void) {
    char *out = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_export_json(client, "{\"start_time\": \"2000-01-01T00:00:00Z\", \"end_time\": \"2100-01-01T00:00:00Z\"}", &out, &err),
             err);
    mj_value *created = parse_out(out);
    const char *id = mj_get_str(created, "id");
    CHECK(id != NULL);
    CHECK_OK(hb_delete_export(client, id, &err), err);
    CHECK_FAILS(hb_get_export_json(client, id, OUT, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    CHECK_FAILS(hb_delete_export(client, id, ERR), HB_RESULT_NOT_FOUND, "NOT_FOUND", "");
    mj_free(created);
}

int main(void) {
    client = hb_test_server_client();
    RUN(test_bad_input);
    RUN(test_attempts_and_deletion);
    RUN(test_cli_endpoint_listen_and_inbound_messages);
    RUN(test_inbound_signing_keys);
    RUN(test_pull_endpoints);
    RUN(test_actors);
    RUN(test_delete_export);
    hb_client_free(client);
    return hb_test_finish("test_v2");
}
