/* One client shared by 8 threads against a real hookbridge-server: each thread sends messages,
 * reads them back and signs/verifies, concurrently; every message must come back intact and the
 * ids must all differ. */
#include <pthread.h>

#include "hb_test.h"

#define THREADS 8
#define PER_THREAD 10

static hb_client *client;
static char endpoint_id[128];
static char ids[THREADS][PER_THREAD][64];

static void *worker(void *arg) {
    int t = (int)(long)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char payload[128], key[64];
        snprintf(payload, sizeof payload, "{\"thread\":%d,\"i\":%d}", t, i);
        snprintf(key, sizeof key, "t%d-i%d-%p", t, i, (void *)&ids);
        char *id = NULL;
        hb_error *err = NULL;
        CHECK_OK(hb_send(client, endpoint_id, payload, NULL, NULL, 0, key, &id, NULL, &err), err);
        if (!id) continue;
        snprintf(ids[t][i], sizeof ids[t][i], "%s", id);
        hb_message *m = NULL;
        CHECK_OK(hb_get_message(client, id, &m, &err), err);
        CHECK_STR(hb_message_id(m), id);
        CHECK_STR(hb_message_endpoint_id(m), endpoint_id);
        CHECK_STR(hb_message_idempotency_key(m), key);
        CHECK(hb_message_size_bytes(m) == (int64_t)strlen(payload));
        hb_message_free(m);

        char *sig = NULL;
        int64_t now = 1700000000;
        const char *secrets[] = {key};
        CHECK_OK(hb_sign(key, "1700000000", (const uint8_t *)payload, strlen(payload), &sig, &err), err);
        CHECK_OK(hb_verify_signature((const uint8_t *)payload, strlen(payload), sig, "1700000000", secrets, 1, 300, &now, &err), err);
        hb_string_free(sig);
        hb_string_free(id);
    }
    return NULL;
}

static void test_eight_threads_share_one_client(void) {
    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; t++) CHECK(pthread_create(&threads[t], NULL, worker, (void *)t) == 0);
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    int distinct = 0;
    for (int a = 0; a < THREADS * PER_THREAD; a++) {
        const char *id = ids[a / PER_THREAD][a % PER_THREAD];
        int seen = 0;
        for (int b = 0; b < a; b++)
            if (strcmp(ids[b / PER_THREAD][b % PER_THREAD], id) == 0) seen = 1;
        if (id[0] && !seen) distinct++;
    }
    CHECK(distinct == THREADS * PER_THREAD);

    /* The log lists every message the threads sent. */
    char *json = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_get_logs_json(client, "{\"limit\": 500}", &json, &err), err);
    for (int a = 0; json && a < THREADS * PER_THREAD; a++)
        CHECK(strstr(json, ids[a / PER_THREAD][a % PER_THREAD]) != NULL);
    hb_string_free(json);
}

int main(void) {
    client = hb_test_server_client();
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    if (hb_create_endpoint(client, "http://127.0.0.1:9/threads", NULL, 0, 0, NULL, NULL, 0, &ep, &err) != HB_RESULT_OK) {
        fprintf(stderr, "cannot create an endpoint: %s\n", hb_error_message(err));
        return 2;
    }
    snprintf(endpoint_id, sizeof endpoint_id, "%s", hb_created_endpoint_id(ep));
    RUN(test_eight_threads_share_one_client);
    hb_delete_endpoint(client, endpoint_id, NULL);
    hb_created_endpoint_free(ep);
    hb_client_free(client);
    return hb_test_finish("test_threads");
}
