/* fork() after the library has been used, against a real hookbridge-server: the child creates
 * its own client and sends a message (a real request through the child's own runtime), then
 * reports the message id through a pipe; the parent checks the child's exit status and reads
 * that message back with the client it created before the fork. */
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb_test.h"

static hb_client *client;
static char endpoint_id[128];

/* Sends one message on `c` and returns its id (free with hb_string_free), or NULL. */
static char *send_one(hb_client *c, const char *from) {
    char payload[64];
    snprintf(payload, sizeof payload, "{\"from\":\"%s\"}", from);
    char *id = NULL;
    char *status = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_send(c, endpoint_id, payload, NULL, NULL, 0, NULL, &id, &status, &err), err);
    CHECK_STR(status, "queued");
    hb_string_free(status);
    return id;
}

/* The child's work; returns its exit status (0 = success). */
static int child(int out_fd) {
    hb_client *own = hb_test_server_client();
    char *id = send_one(own, "child");
    int ok = id != NULL && hb_test_current_failures == 0;
    if (ok) {
        hb_message *m = NULL;
        hb_error *err = NULL;
        ok = hb_get_message(own, id, &m, &err) == HB_RESULT_OK && strcmp(hb_message_endpoint_id(m), endpoint_id) == 0;
        if (!ok) fprintf(stderr, "  child: reading its message back failed: %s\n", err ? hb_error_message(err) : "wrong endpoint");
        hb_message_free(m);
        hb_error_free(err);
    }
    if (ok) {
        size_t len = strlen(id);
        ok = write(out_fd, id, len) == (ssize_t)len;
    }
    hb_string_free(id);
    hb_client_free(own);
    close(out_fd);
    return ok ? 0 : 1;
}

static void test_child_of_fork_makes_its_own_client(void) {
    /* The parent uses its client (and so starts the runtime) before forking. */
    char *before = send_one(client, "parent-before");
    CHECK(before != NULL);

    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid < 0) {
        hb_string_free(before);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        hb_string_free(before);
        exit(child(fds[1]));
    }
    close(fds[1]);
    char child_id[128] = {0};
    size_t got = 0;
    for (ssize_t n; got < sizeof child_id - 1 && (n = read(fds[0], child_id + got, sizeof child_id - 1 - got)) > 0;)
        got += (size_t)n;
    close(fds[0]);

    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(got > 0);

    /* The parent's pre-fork client still works, and sees the child's message on the server. */
    hb_message *m = NULL;
    hb_error *err = NULL;
    CHECK_OK(hb_get_message(client, child_id, &m, &err), err);
    CHECK_STR(hb_message_id(m), child_id);
    CHECK_STR(hb_message_endpoint_id(m), endpoint_id);
    hb_message_free(m);
    char *after = send_one(client, "parent-after");
    CHECK(after != NULL && before != NULL && strcmp(after, before) != 0);
    hb_string_free(before);
    hb_string_free(after);
}

int main(void) {
    client = hb_test_server_client();
    hb_created_endpoint *ep = NULL;
    hb_error *err = NULL;
    if (hb_create_endpoint(client, "http://127.0.0.1:9/fork", NULL, 0, 0, NULL, NULL, 0, &ep, &err) != HB_RESULT_OK) {
        fprintf(stderr, "cannot create an endpoint: %s\n", hb_error_message(err));
        return 2;
    }
    snprintf(endpoint_id, sizeof endpoint_id, "%s", hb_created_endpoint_id(ep));
    RUN(test_child_of_fork_makes_its_own_client);
    hb_delete_endpoint(client, endpoint_id, NULL);
    hb_created_endpoint_free(ep);
    hb_client_free(client);
    return hb_test_finish("test_fork");
}
