/* Transport failures: HB_TEST_URL points at a server that has been stopped (the harness runs this
 * after killing it), so calls fail with HB_RESULT_NETWORK, also after retries; a listener that
 * accepts but never answers gives HB_RESULT_TIMEOUT. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hb_test.h"

static void check_network_error(hb_client *client) {
    hb_message *message = NULL;
    hb_error *err = NULL;
    CHECK(hb_get_message(client, "00000000-0000-7000-8000-000000000000", &message, &err) == HB_RESULT_NETWORK);
    CHECK(message == NULL);
    CHECK(err != NULL);
    if (err) {
        CHECK(hb_error_result(err) == HB_RESULT_NETWORK);
        CHECK_STR(hb_error_code(err), "NETWORK_ERROR");
        CHECK(hb_error_status(err) == 0);
        CHECK(hb_error_request_id(err) == NULL);
        CHECK(hb_error_retry_after(err) == -1);
        CHECK(strlen(hb_error_message(err)) > 0);
    }
    hb_error_free(err);
    err = NULL;
    char *id = NULL;
    CHECK(hb_send(client, "ep_x", "{}", NULL, NULL, 0, NULL, &id, NULL, &err) == HB_RESULT_NETWORK);
    CHECK(id == NULL);
    hb_error_free(err);
}

static void test_stopped_server_without_retries(void) {
    hb_client *client = hb_test_client(hb_test_env("HB_TEST_URL"), "hb_test_dev00000000000000000000000000000", 0);
    check_network_error(client);
    hb_client_free(client);
}

static void test_stopped_server_after_retries(void) {
    hb_client *client = hb_test_client(hb_test_env("HB_TEST_URL"), "hb_test_dev00000000000000000000000000000", 2);
    check_network_error(client);
    hb_client_free(client);
}

static void test_silent_server_times_out(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    socklen_t len = sizeof addr;
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(fd, 16) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(addr.sin_port));

    hb_client_options *options = NULL;
    hb_client *client = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_client_options_new(&options, &err), err);
    CHECK_OK(hb_client_options_set_api_key(options, "hb_test_dev00000000000000000000000000000", &err), err);
    CHECK_OK(hb_client_options_set_base_url(options, url, &err), err);
    CHECK_OK(hb_client_options_set_timeout_ms(options, 300, &err), err);
    CHECK_OK(hb_client_options_set_retries(options, 0, &err), err);
    CHECK_OK(hb_client_new(options, &client, &err), err);
    hb_client_options_free(options);

    hb_metrics *metrics = NULL;
    CHECK(hb_get_metrics(client, "24h", &metrics, &err) == HB_RESULT_TIMEOUT);
    CHECK(metrics == NULL);
    CHECK(err && strcmp(hb_error_code(err), "TIMEOUT") == 0 && hb_error_status(err) == 0);
    hb_error_free(err);
    hb_client_free(client);
    close(fd);
}

int main(void) {
    RUN(test_stopped_server_without_retries);
    RUN(test_stopped_server_after_retries);
    RUN(test_silent_server_times_out);
    return hb_test_finish("test_network");
}
