/* A tiny HTTP receiver for the tests: listens on 127.0.0.1 (free port), answers every request
 * with a fixed status, and records each request's headers and body so a test can check what the
 * server delivered. Requests must carry Content-Length (as webhook deliveries do). */
#ifndef RECEIVER_H
#define RECEIVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECEIVER_MAX_REQUESTS 64

typedef struct {
    char *head; /* request line and headers, NUL-terminated */
    char *body; /* body bytes, NUL-terminated for convenience */
    size_t body_len;
} received_request;

typedef struct {
    int fd;
    int port;
    int status;
    char url[64];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    received_request requests[RECEIVER_MAX_REQUESTS];
    int count;
} receiver;

static inline void receiver_handle(receiver *r, int conn) {
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    char *end = NULL;
    while (!end) {
        if (len == cap) { cap *= 2; buf = realloc(buf, cap + 1); }
        ssize_t n = recv(conn, buf + len, cap - len, 0);
        if (n <= 0) { free(buf); return; }
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - buf) + 4;
    size_t body_len = 0;
    for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, "content-length:", 15) == 0) body_len = strtoul(line + 17, NULL, 10);
    while (len < head_len + body_len) {
        if (len == cap) { cap = head_len + body_len; buf = realloc(buf, cap + 1); }
        ssize_t n = recv(conn, buf + len, cap - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
    }
    char reply[128];
    int reply_len = snprintf(reply, sizeof reply, "HTTP/1.1 %d Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", r->status);
    if (send(conn, reply, (size_t)reply_len, MSG_NOSIGNAL) < 0) { /* the sender gave up: still record it */ }

    received_request req;
    req.head = strndup(buf, head_len);
    req.body_len = len >= head_len ? (len - head_len < body_len ? len - head_len : body_len) : 0;
    req.body = malloc(req.body_len + 1);
    memcpy(req.body, buf + head_len, req.body_len);
    req.body[req.body_len] = '\0';
    free(buf);
    pthread_mutex_lock(&r->lock);
    if (r->count < RECEIVER_MAX_REQUESTS) r->requests[r->count++] = req;
    else { free(req.head); free(req.body); }
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static inline void *receiver_loop(void *arg) {
    receiver *r = arg;
    for (;;) {
        int conn = accept(r->fd, NULL, NULL);
        if (conn < 0) return NULL; /* closed by receiver_stop */
        receiver_handle(r, conn);
        close(conn);
    }
}

/* Starts a receiver answering `status` to every request; NULL if it cannot listen. */
static inline receiver *receiver_start(int status) {
    receiver *r = calloc(1, sizeof *r);
    struct sockaddr_in addr = {0};
    socklen_t addr_len = sizeof addr;
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(r->fd, 64) < 0 ||
        getsockname(r->fd, (struct sockaddr *)&addr, &addr_len) < 0) {
        if (r->fd >= 0) close(r->fd);
        free(r);
        return NULL;
    }
    r->port = ntohs(addr.sin_port);
    r->status = status;
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%d/hook", r->port);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    pthread_create(&r->thread, NULL, receiver_loop, r);
    return r;
}

/* Waits until at least `count` requests arrived (or `timeout_ms` passed); returns the count. */
static inline int receiver_wait(receiver *r, int count, int timeout_ms) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
    pthread_mutex_lock(&r->lock);
    while (r->count < count && pthread_cond_timedwait(&r->changed, &r->lock, &deadline) == 0) {}
    int n = r->count;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* Request `i` (valid once receiver_wait reported it). */
static inline const received_request *receiver_request(receiver *r, int i) {
    pthread_mutex_lock(&r->lock);
    const received_request *req = i < r->count ? &r->requests[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return req;
}

/* The value of header `name` (case-insensitive) of a request, copied into `out`; NULL if absent. */
static inline const char *request_header(const received_request *req, const char *name, char *out, size_t out_len) {
    size_t name_len = strlen(name);
    for (const char *line = strstr(req->head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, name_len) == 0 && h[name_len] == ':') {
            const char *v = h + name_len + 1;
            while (*v == ' ') v++;
            const char *e = strstr(v, "\r\n");
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= out_len) n = out_len - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
    }
    return NULL;
}

/* Stops listening, joins the thread and frees everything. */
static inline void receiver_stop(receiver *r) {
    if (!r) return;
    shutdown(r->fd, SHUT_RDWR);
    close(r->fd);
    pthread_join(r->thread, NULL);
    for (int i = 0; i < r->count; i++) {
        free(r->requests[i].head);
        free(r->requests[i].body);
    }
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
    free(r);
}

#endif /* RECEIVER_H */
