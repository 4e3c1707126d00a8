/* Error mapping against a real hookbridge-server (HB_TEST_URL, HB_TEST_API_KEY): 401 for a wrong
 * key, 404 for an unknown message or endpoint, 409 for an idempotency key reused with another
 * payload, 429 for the replay limit, and a 400 API error; each with its code, status and
 * request id. */
#include "hb_test.h"
#include "receiver.h"

static hb_client *client;
static char endpoint_id[128];

/* Checks an error object's code string, HTTP status and request id. */
static void check_error(hb_error *err, hb_result result, const char *code, int status) {
    CHECK(err != NULL);
    if (!err) return;
    CHECK(hb_error_result(err) == result);
    CHECK_STR(hb_error_code(err), code);
    CHECK(hb_error_status(err) == status);
    CHECK(hb_error_message(err) != NULL && strlen(hb_error_message(err)) > 0);
    const char *request_id = hb_error_request_id(err);
    CHECK(request_id != NULL && strncmp(request_id, "req_", 4) == 0);
    CHECK(hb_error_retry_after(err) == -1);
}

static void test_wrong_api_key_is_401(void) {
    hb_client *bad = hb_test_client(hb_test_env("HB_TEST_URL"), "hb_test_wrong000000000000000000000000000", 3);
    hb_endpoint_list *list = NULL;
    hb_error *err = NULL;
    CHECK(hb_list_endpoints(bad, NULL, NULL, &list, &err) == HB_RESULT_AUTHENTICATION);
    CHECK(list == NULL);
    check_error(err, HB_RESULT_AUTHENTICATION, "UNAUTHORIZED", 401);
    hb_error_free(err);
    err = NULL;
    char *id = NULL;
    CHECK(hb_send(bad, endpoint_id, "{}", NULL, NULL, 0, NULL, &id, NULL, &err) == HB_RESULT_AUTHENTICATION);
    CHECK(id == NULL);
    hb_error_free(err);
    hb_client_free(bad);
}

static void test_unknown_resources_are_404(void) {
    hb_message *message = NULL;
    hb_error *err = NULL;
    CHECK(hb_get_message(client, "00000000-0000-7000-8000-000000000000", &message, &err) == HB_RESULT_NOT_FOUND);
    CHECK(message == NULL);
    check_error(err, HB_RESULT_NOT_FOUND, "NOT_FOUND", 404);
    hb_error_free(err);
    err = NULL;
    hb_endpoint *endpoint = NULL;
    CHECK(hb_get_endpoint(client, "ep_00000000000000000000000000000000", &endpoint, &err) == HB_RESULT_NOT_FOUND);
    check_error(err, HB_RESULT_NOT_FOUND, "NOT_FOUND", 404);
    hb_error_free(err);
    err = NULL;
    char *id = NULL;
    CHECK(hb_send(client, "ep_00000000000000000000000000000000", "{}", NULL, NULL, 0, NULL, &id, NULL, &err) ==
          HB_RESULT_NOT_FOUND);
    hb_error_free(err);
    /* Ids with path characters stay one path segment. */
    err = NULL;
    CHECK(hb_get_message(client, "../endpoints", &message, &err) == HB_RESULT_NOT_FOUND);
    hb_error_free(err);
}

static void test_idempotency_mismatch_is_409(void) {
    char key[64];
    snprintf(key, sizeof key, "c-mismatch-%ld", (long)time(NULL));
    char *first = NULL, *second = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_send(client, endpoint_id, "{\"amount\":1}", NULL, NULL, 0, key, &first, NULL, &err), err);
    CHECK(hb_send(client, endpoint_id, "{\"amount\":2}", NULL, NULL, 0, key, &second, NULL, &err) == HB_RESULT_IDEMPOTENCY);
    CHECK(second == NULL);
    check_error(err, HB_RESULT_IDEMPOTENCY, "IDEMPOTENCY_MISMATCH", 409);
    hb_error_free(err);
    hb_string_free(first);
}

/* Ten manual replays are allowed; the eleventh is refused. Each replay is delivered to a local
 * receiver first, since a replay is refused while an attempt is in flight. */
static void test_replay_limit_is_429(void) {
    receiver *rx = receiver_start(200);
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_create_endpoint(client, rx->url, NULL, 0, 0, NULL, NULL, 0, &ep, &err), err);
    char *id = NULL;
    CHECK_OK(hb_send(client, hb_created_endpoint_id(ep), "{\"replays\":true}", NULL, NULL, 0, NULL, &id, NULL, &err), err);
    int replays = 0;
    hb_result r = HB_RESULT_OK;
    while (id && replays <= 10) {
        hb_message *m = hb_test_wait_status(client, id, "succeeded", 20000);
        CHECK(m != NULL);
        hb_message_free(m);
        if (!m) break;
        r = hb_replay(client, id, &err);
        if (r != HB_RESULT_OK) break;
        replays++;
    }
    CHECK(replays == 10);
    CHECK(r == HB_RESULT_REPLAY_LIMIT);
    check_error(err, HB_RESULT_REPLAY_LIMIT, "REPLAY_LIMIT_EXCEEDED", 429);
    hb_error_free(err);
    err = NULL;
    CHECK(receiver_wait(rx, 11, 20000) == 11); /* the original delivery and 10 replays */
    hb_string_free(id);
    CHECK_OK(hb_delete_endpoint(client, hb_created_endpoint_id(ep), &err), err);
    hb_created_endpoint_free(ep);
    receiver_stop(rx);
}

static void test_server_validation_is_an_api_error(void) {
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    CHECK(hb_create_endpoint(client, "not a url", NULL, 0, 0, NULL, NULL, 0, &ep, &err) == HB_RESULT_API);
    CHECK(ep == NULL);
    CHECK(hb_error_status(err) == 400);
    CHECK(hb_error_code(err) != NULL && strlen(hb_error_code(err)) > 0);
    CHECK(hb_error_request_id(err) != NULL);
    hb_error_free(err);
}

int main(void) {
    client = hb_test_server_client();
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    if (hb_create_endpoint(client, "http://127.0.0.1:9/errors", NULL, 0, 0, NULL, NULL, 0, &ep, &err) != HB_RESULT_OK) {
        fprintf(stderr, "cannot create an endpoint: %s\n", hb_error_message(err));
        return 2;
    }
    snprintf(endpoint_id, sizeof endpoint_id, "%s", hb_created_endpoint_id(ep));
    RUN(test_wrong_api_key_is_401);
    RUN(test_unknown_resources_are_404);
    RUN(test_idempotency_mismatch_is_409);
    RUN(test_replay_limit_is_429);
    RUN(test_server_validation_is_an_api_error);
    hb_delete_endpoint(client, endpoint_id, NULL);
    hb_created_endpoint_free(ep);
    hb_client_free(client);
    return hb_test_finish("test_errors");
}
