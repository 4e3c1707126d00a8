// hookbridge.hpp: header-only C++17 RAII wrappers over libhookbridge (hookbridge.h).
//
// Every handle is owned by a std::unique_ptr with the matching *_free function, every string the
// library hands out is copied into a std::string and freed at once, and every failure is thrown
// as hookbridge::Error (carrying the result code, code string, HTTP status, request id and
// Retry-After). A Client is thread-safe, like the hb_client it wraps.
#ifndef HOOKBRIDGE_HPP
#define HOOKBRIDGE_HPP

#include <hookbridge.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookbridge {

/// A failed call: what hb_error said, copied before the error object is freed.
class Error : public std::runtime_error {
public:
    /// Takes ownership of `err` (may be NULL) and frees it.
    Error(hb_result result, hb_error *err)
        : std::runtime_error(err ? hb_error_message(err) : hb_result_name(result)),
          result_(result),
          code_(err ? hb_error_code(err) : hb_result_name(result)),
          request_id_(err && hb_error_request_id(err) ? std::optional<std::string>(hb_error_request_id(err)) : std::nullopt),
          status_(err ? hb_error_status(err) : 0),
          retry_after_(err ? hb_error_retry_after(err) : -1) {
        hb_error_free(err);
    }

    hb_result result() const noexcept { return result_; }
    /// `NOT_FOUND`, `UNAUTHORIZED`, `IDEMPOTENCY_MISMATCH`, `NETWORK_ERROR`, `VERIFY_MISMATCH`, ...
    const std::string &code() const noexcept { return code_; }
    const std::optional<std::string> &request_id() const noexcept { return request_id_; }
    /// HTTP status, 0 when there was no answer.
    uint16_t status() const noexcept { return status_; }
    /// Seconds to wait before retrying a rate-limited call, -1 when not given.
    int64_t retry_after() const noexcept { return retry_after_; }

private:
    hb_result result_;
    std::string code_;
    std::optional<std::string> request_id_;
    uint16_t status_;
    int64_t retry_after_;
};

namespace detail {

/// Throws for a failed call. `err` is taken by reference so it is read after the call that sets
/// it, whatever order the arguments of `check(hb_x(..., &err), err)` are evaluated in.
inline void check(hb_result result, hb_error *&err) {
    if (result != HB_RESULT_OK) {
        hb_error *owned = err;
        err = nullptr;
        throw Error(result, owned);
    }
}

template <class T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};

template <class T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

/// Copies a string returned through `char **` and frees the original.
inline std::string take(char *s) {
    Handle<char, hb_string_free> owned(s);
    return s ? std::string(s) : std::string();
}

inline std::optional<std::string> optional(const char *s) {
    return s ? std::optional<std::string>(s) : std::nullopt;
}

inline const char *c_str(const std::optional<std::string> &s) { return s ? s->c_str() : nullptr; }

}  // namespace detail

/// Custom headers, in order.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// Client settings; unset values take the library defaults.
struct Options {
    std::string api_key;
    std::optional<std::string> base_url;
    std::optional<std::string> send_url;
    std::optional<uint64_t> timeout_ms;
    std::optional<uint32_t> retries;
};

/// The answer to a send.
struct SendResult {
    std::string message_id;
    std::string status;
};

/// Aggregate metrics over a window.
struct Metrics {
    std::string window;
    int64_t total_messages, succeeded, failed, retries, avg_latency_ms;
    double success_rate;
};

/// One endpoint of a list page.
struct EndpointSummary {
    std::string id, url;
    bool paused;
};

/// The full state of one message.
class Message {
public:
    explicit Message(hb_message *m) : m_(m) {}
    std::string id() const { return hb_message_id(m_.get()); }
    std::string endpoint_id() const { return hb_message_endpoint_id(m_.get()); }
    std::string status() const { return hb_message_status(m_.get()); }
    int64_t attempt_count() const { return hb_message_attempt_count(m_.get()); }
    int64_t size_bytes() const { return hb_message_size_bytes(m_.get()); }
    std::string created_at() const { return hb_message_created_at(m_.get()); }
    std::optional<std::string> idempotency_key() const { return detail::optional(hb_message_idempotency_key(m_.get())); }
    std::optional<std::string> last_error() const { return detail::optional(hb_message_last_error(m_.get())); }
    std::string json() const { return hb_message_json(m_.get()); }

private:
    detail::Handle<hb_message, hb_message_free> m_;
};

/// A newly created endpoint, with its signing secret (shown only once).
class CreatedEndpoint {
public:
    explicit CreatedEndpoint(hb_created_endpoint *e) : e_(e) {}
    std::string id() const { return hb_created_endpoint_id(e_.get()); }
    std::string url() const { return hb_created_endpoint_url(e_.get()); }
    std::string signing_secret() const { return hb_created_endpoint_signing_secret(e_.get()); }

private:
    detail::Handle<hb_created_endpoint, hb_created_endpoint_free> e_;
};

/// A HookBridge client (thread-safe; calls block).
class Client {
public:
    explicit Client(const Options &options) {
        hb_client_options *raw = nullptr;
        hb_error *err = nullptr;
        detail::check(hb_client_options_new(&raw, &err), err);
        detail::Handle<hb_client_options, hb_client_options_free> opts(raw);
        detail::check(hb_client_options_set_api_key(raw, options.api_key.c_str(), &err), err);
        if (options.base_url) detail::check(hb_client_options_set_base_url(raw, options.base_url->c_str(), &err), err);
        if (options.send_url) detail::check(hb_client_options_set_send_url(raw, options.send_url->c_str(), &err), err);
        if (options.timeout_ms) detail::check(hb_client_options_set_timeout_ms(raw, *options.timeout_ms, &err), err);
        if (options.retries) detail::check(hb_client_options_set_retries(raw, *options.retries, &err), err);
        hb_client *client = nullptr;
        detail::check(hb_client_new(raw, &client, &err), err);
        client_.reset(client);
    }

    /// Sends a JSON payload to an endpoint.
    SendResult send(const std::string &endpoint_id, const std::string &payload_json, const Headers &headers = {},
                    const std::optional<std::string> &idempotency_key = std::nullopt) const {
        std::vector<const char *> names, values;
        for (const auto &h : headers) {
            names.push_back(h.first.c_str());
            values.push_back(h.second.c_str());
        }
        char *id = nullptr, *status = nullptr;
        hb_error *err = nullptr;
        hb_result r = hb_send(client_.get(), endpoint_id.c_str(), payload_json.c_str(), names.data(), values.data(),
                              names.size(), detail::c_str(idempotency_key), &id, &status, &err);
        detail::check(r, err);
        return SendResult{detail::take(id), detail::take(status)};
    }

    Message get_message(const std::string &message_id) const {
        hb_message *m = nullptr;
        hb_error *err = nullptr;
        detail::check(hb_get_message(client_.get(), message_id.c_str(), &m, &err), err);
        return Message(m);
    }

    void replay(const std::string &message_id) const {
        hb_error *err = nullptr;
        detail::check(hb_replay(client_.get(), message_id.c_str(), &err), err);
    }

    CreatedEndpoint create_endpoint(const std::string &url, const std::optional<std::string> &description = std::nullopt) const {
        hb_created_endpoint *e = nullptr;
        hb_error *err = nullptr;
        detail::check(hb_create_endpoint(client_.get(), url.c_str(), detail::c_str(description), 0, 0, nullptr, nullptr, 0, &e, &err), err);
        return CreatedEndpoint(e);
    }

    /// One page of endpoints.
    std::vector<EndpointSummary> list_endpoints(std::optional<int64_t> limit = std::nullopt) const {
        hb_endpoint_list *raw = nullptr;
        hb_error *err = nullptr;
        detail::check(hb_list_endpoints(client_.get(), limit ? &*limit : nullptr, nullptr, &raw, &err), err);
        detail::Handle<hb_endpoint_list, hb_endpoint_list_free> list(raw);
        std::vector<EndpointSummary> out;
        for (size_t i = 0; i < hb_endpoint_list_len(raw); i++)
            out.push_back({hb_endpoint_list_id(raw, i), hb_endpoint_list_url(raw, i), hb_endpoint_list_paused(raw, i)});
        return out;
    }

    void delete_endpoint(const std::string &endpoint_id) const {
        hb_error *err = nullptr;
        detail::check(hb_delete_endpoint(client_.get(), endpoint_id.c_str(), &err), err);
    }

    Metrics metrics(const std::string &window = "24h") const {
        hb_metrics *raw = nullptr;
        hb_error *err = nullptr;
        detail::check(hb_get_metrics(client_.get(), window.c_str(), &raw, &err), err);
        detail::Handle<hb_metrics, hb_metrics_free> m(raw);
        return Metrics{hb_metrics_window(raw),    hb_metrics_total_messages(raw), hb_metrics_succeeded(raw),
                       hb_metrics_failed(raw),    hb_metrics_retries(raw),        hb_metrics_avg_latency_ms(raw),
                       hb_metrics_success_rate(raw)};
    }

    /// Calls any `hb_*_json` function: `client.json(hb_get_logs_json, R"({"limit": 10})")` passes the
    /// client first and the output and error pointers last, and returns the JSON text.
    template <class Fn, class... Args>
    std::string json(Fn fn, Args... args) const {
        char *out = nullptr;
        hb_error *err = nullptr;
        detail::check(fn(client_.get(), args..., &out, &err), err);
        return detail::take(out);
    }

    /// The underlying handle, for calls this wrapper does not cover.
    hb_client *get() const noexcept { return client_.get(); }

private:
    detail::Handle<hb_client, hb_client_free> client_;
};

/// `sha256=<hex>` signature of `body` at `timestamp` with `secret`.
inline std::string sign(const std::string &secret, const std::string &timestamp, std::string_view body) {
    char *sig = nullptr;
    hb_error *err = nullptr;
    detail::check(hb_sign(secret.c_str(), timestamp.c_str(), reinterpret_cast<const uint8_t *>(body.data()), body.size(), &sig, &err), err);
    return detail::take(sig);
}

/// Verifies a delivery's raw body and headers; throws Error (HB_RESULT_VERIFY_*) when it does not verify.
inline void verify_signature(std::string_view body, const std::string &signature_header, const std::string &timestamp,
                             const std::vector<std::string> &secrets,
                             uint64_t tolerance_seconds = HB_DEFAULT_TOLERANCE_SECONDS,
                             std::optional<int64_t> now = std::nullopt) {
    std::vector<const char *> raw;
    for (const auto &s : secrets) raw.push_back(s.c_str());
    hb_error *err = nullptr;
    detail::check(hb_verify_signature(reinterpret_cast<const uint8_t *>(body.data()), body.size(), signature_header.c_str(),
                                      timestamp.c_str(), raw.data(), raw.size(), tolerance_seconds, now ? &*now : nullptr, &err),
                  err);
}

}  // namespace hookbridge

#endif  // HOOKBRIDGE_HPP
