/* A tiny JSON reader for the tests (test vectors and the library's JSON outputs): parses a whole
 * document into a tree, with string escapes (including \u surrogate pairs) decoded to UTF-8.
 * Not part of the library. */
#ifndef MINI_JSON_H
#define MINI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { MJ_NULL, MJ_BOOL, MJ_NUMBER, MJ_STRING, MJ_ARRAY, MJ_OBJECT } mj_type;

typedef struct mj_value {
    mj_type type;
    bool boolean;
    double number;
    long long integer;     /* the number, when it is an integer */
    char *string;          /* MJ_STRING: decoded, NUL-terminated */
    size_t string_len;     /* MJ_STRING: length in bytes (may contain NUL) */
    struct mj_value *items; /* MJ_ARRAY elements or MJ_OBJECT values */
    char **keys;           /* MJ_OBJECT keys, parallel to items */
    size_t count;
} mj_value;

typedef struct {
    const char *p;
    bool ok;
} mj_parser;

static inline void mj_release(mj_value *v) {
    if (v->type == MJ_STRING) free(v->string);
    for (size_t i = 0; i < v->count; i++) {
        mj_release(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

static inline void mj_skip_ws(mj_parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t') ps->p++;
}

static inline int mj_hex4(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    return v;
}

static inline size_t mj_put_utf8(char *out, unsigned long cp) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Parses a string token at ps->p (which is at the opening quote). */
static inline char *mj_string(mj_parser *ps, size_t *len_out) {
    const char *start = ++ps->p;
    size_t cap = 0;
    while (start[cap] && start[cap] != '"') cap += (start[cap] == '\\' && start[cap + 1]) ? 2 : 1;
    char *out = malloc(cap + 1);
    size_t n = 0;
    if (!out) { ps->ok = false; return NULL; }
    while (*ps->p && *ps->p != '"') {
        char c = *ps->p++;
        if (c != '\\') { out[n++] = c; continue; }
        char e = *ps->p++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            int hi = mj_hex4(ps->p);
            if (hi < 0) { ps->ok = false; break; }
            ps->p += 4;
            unsigned long cp = (unsigned long)hi;
            if (hi >= 0xD800 && hi <= 0xDBFF && ps->p[0] == '\\' && ps->p[1] == 'u') {
                int lo = mj_hex4(ps->p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                    ps->p += 6;
                }
            }
            n += mj_put_utf8(out + n, cp); /* at most 4 bytes for 6 or 12 input bytes */
            break;
        }
        default: ps->ok = false; break;
        }
    }
    if (*ps->p != '"') ps->ok = false; else ps->p++;
    out[n] = '\0';
    *len_out = n;
    return out;
}

static inline void mj_value_at(mj_parser *ps, mj_value *v, int depth);

static inline void mj_push(mj_value *v, size_t *cap) {
    if (v->count == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        v->items = realloc(v->items, *cap * sizeof *v->items);
        if (v->type == MJ_OBJECT) v->keys = realloc(v->keys, *cap * sizeof *v->keys);
    }
    memset(&v->items[v->count], 0, sizeof *v->items);
    if (v->type == MJ_OBJECT) v->keys[v->count] = NULL;
    v->count++;
}

static inline void mj_value_at(mj_parser *ps, mj_value *v, int depth) {
    memset(v, 0, sizeof *v);
    mj_skip_ws(ps);
    if (depth > 64) { ps->ok = false; return; }
    char c = *ps->p;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        size_t cap = 0;
        v->type = c == '{' ? MJ_OBJECT : MJ_ARRAY;
        ps->p++;
        mj_skip_ws(ps);
        if (*ps->p == close) { ps->p++; return; }
        while (ps->ok) {
            mj_push(v, &cap);
            mj_skip_ws(ps);
            if (v->type == MJ_OBJECT) {
                size_t klen;
                if (*ps->p != '"') { ps->ok = false; return; }
                v->keys[v->count - 1] = mj_string(ps, &klen);
                mj_skip_ws(ps);
                if (*ps->p != ':') { ps->ok = false; return; }
                ps->p++;
            }
            mj_value_at(ps, &v->items[v->count - 1], depth + 1);
            mj_skip_ws(ps);
            if (*ps->p == ',') { ps->p++; continue; }
            if (*ps->p == close) { ps->p++; return; }
            ps->ok = false;
        }
    } else if (c == '"') {
        v->type = MJ_STRING;
        v->string = mj_string(ps, &v->string_len);
    } else if (strncmp(ps->p, "true", 4) == 0) {
        v->type = MJ_BOOL; v->boolean = true; ps->p += 4;
    } else if (strncmp(ps->p, "false", 5) == 0) {
        v->type = MJ_BOOL; ps->p += 5;
    } else if (strncmp(ps->p, "null", 4) == 0) {
        v->type = MJ_NULL; ps->p += 4;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        v->type = MJ_NUMBER;
        v->number = strtod(ps->p, &end);
        v->integer = strtoll(ps->p, NULL, 10);
        if (end == ps->p) ps->ok = false;
        ps->p = end;
    } else {
        ps->ok = false;
    }
}

/* Parses a whole document; NULL when it is not valid JSON. Free with mj_free. */
static inline mj_value *mj_parse(const char *text) {
    mj_parser ps = {text, true};
    mj_value *v = malloc(sizeof *v);
    if (!v || !text) { free(v); return NULL; }
    mj_value_at(&ps, v, 0);
    mj_skip_ws(&ps);
    if (!ps.ok || *ps.p != '\0') { mj_release(v); free(v); return NULL; }
    return v;
}

static inline void mj_free(mj_value *v) {
    if (v) { mj_release(v); free(v); }
}

/* The value of `key` in an object, or NULL. */
static inline const mj_value *mj_get(const mj_value *obj, const char *key) {
    if (!obj || obj->type != MJ_OBJECT) return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (obj->keys[i] && strcmp(obj->keys[i], key) == 0) return &obj->items[i];
    return NULL;
}

/* Element `i` of an array, or NULL. */
static inline const mj_value *mj_at(const mj_value *arr, size_t i) {
    if (!arr || arr->type != MJ_ARRAY || i >= arr->count) return NULL;
    return &arr->items[i];
}

/* The string of `key` in an object, or NULL when absent or not a string. */
static inline const char *mj_get_str(const mj_value *obj, const char *key) {
    const mj_value *v = mj_get(obj, key);
    return v && v->type == MJ_STRING ? v->string : NULL;
}

/* The integer of `key` in an object, or `fallback`. */
static inline long long mj_get_int(const mj_value *obj, const char *key, long long fallback) {
    const mj_value *v = mj_get(obj, key);
    return v && v->type == MJ_NUMBER ? v->integer : fallback;
}

/* The boolean of `key` in an object, or `fallback`. */
static inline bool mj_get_bool(const mj_value *obj, const char *key, bool fallback) {
    const mj_value *v = mj_get(obj, key);
    return v && v->type == MJ_BOOL ? v->boolean : fallback;
}

#endif /* MINI_JSON_H */
