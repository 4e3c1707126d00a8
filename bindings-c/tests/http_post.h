/* A tiny HTTP/1.1 client for the tests: POSTs a body to an `http://127.0.0.1:PORT/path` URL (as a
 * webhook sender would post to an ingest URL) and returns the answer's status code. */
#ifndef HTTP_POST_H
#define HTTP_POST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* POSTs `body` with `content_type` and one optional extra header line (`"Name: value"`, or NULL)
 * to `url`, which must be `http://127.0.0.1:PORT/...`. Returns the HTTP status, or -1 when the
 * URL is not of that form or no answer came. */
static inline int http_post(const char *url, const char *content_type, const char *extra_header, const char *body) {
    const char *prefix = "http://127.0.0.1:";
    if (strncmp(url, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "  http_post: unsupported URL %s\n", url);
        return -1;
    }
    char *path = NULL;
    long port = strtol(url + strlen(prefix), &path, 10);
    if (port <= 0 || port > 65535 || path == NULL || *path != '/') return -1;

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    size_t body_len = strlen(body);
    size_t cap = strlen(path) + strlen(content_type) + (extra_header ? strlen(extra_header) : 0) + body_len + 256;
    char *request = malloc(cap);
    int n = snprintf(request, cap,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%ld\r\nContent-Type: %s\r\n%s%sContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     path, port, content_type, extra_header ? extra_header : "", extra_header ? "\r\n" : "", body_len, body);
    int status = -1;
    if (n > 0 && (size_t)n < cap) {
        size_t sent = 0;
        while (sent < (size_t)n) {
            ssize_t w = write(fd, request + sent, (size_t)n - sent);
            if (w <= 0) break;
            sent += (size_t)w;
        }
        char answer[64] = {0};
        size_t got = 0;
        while (got < sizeof answer - 1) {
            ssize_t r = read(fd, answer + got, sizeof answer - 1 - got);
            if (r <= 0) break;
            got += (size_t)r;
        }
        int code = 0;
        if (sent == (size_t)n && sscanf(answer, "HTTP/1.%*d %d", &code) == 1) status = code;
    }
    free(request);
    close(fd);
    return status;
}

#endif /* HTTP_POST_H */
