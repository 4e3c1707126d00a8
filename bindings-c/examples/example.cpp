// A small C++ program using libhookbridge through the RAII wrappers in hookbridge.hpp:
// create an endpoint, send a webhook, read it back, list endpoints, read metrics and logs,
// handle a not-found error, and sign/verify a delivery. Exits non-zero if anything is off.
//
// Run against a server:  HB_TEST_URL=http://127.0.0.1:8080 HB_TEST_API_KEY=hb_test_... ./example
#include <cstdlib>
#include <iostream>
#include <string>

#include <hookbridge.hpp>

namespace {

int failures = 0;

void expect(bool ok, const std::string &what) {
    if (!ok) {
        std::cerr << "unexpected: " << what << "\n";
        failures++;
    }
}

std::string env(const char *name) {
    const char *value = std::getenv(name);
    if (!value || !*value) {
        std::cerr << name << " is not set\n";
        std::exit(2);
    }
    return value;
}

}  // namespace

int main() {
    try {
        hookbridge::Options options;
        options.api_key = env("HB_TEST_API_KEY");
        options.base_url = env("HB_TEST_URL");
        options.send_url = options.base_url;
        options.timeout_ms = 10000;
        hookbridge::Client client(options);

        auto endpoint = client.create_endpoint("http://127.0.0.1:9/cpp-example", std::string("C++ example"));
        std::cout << "endpoint " << endpoint.id() << "\n";

        auto sent = client.send(endpoint.id(), R"({"event":"order.created","id":"ord_cpp"})",
                                {{"X-Source", "cpp"}}, std::string("cpp-example-") + endpoint.id());
        std::cout << "sent " << sent.message_id << " (" << sent.status << ")\n";
        expect(sent.status == "queued", "send status " + sent.status);

        auto message = client.get_message(sent.message_id);
        std::cout << "message " << message.id() << " is " << message.status() << "\n";
        expect(message.id() == sent.message_id, "message id");
        expect(message.endpoint_id() == endpoint.id(), "message endpoint");
        expect(message.idempotency_key().value_or("") == "cpp-example-" + endpoint.id(), "idempotency key");

        bool listed = false;
        for (const auto &e : client.list_endpoints(100)) listed = listed || e.id == endpoint.id();
        expect(listed, "endpoint listed");

        auto metrics = client.metrics("24h");
        std::cout << "24h: " << metrics.total_messages << " messages, success rate " << metrics.success_rate << "\n";
        expect(metrics.window == "24h" && metrics.total_messages >= 1, "metrics");

        std::string logs = client.json(hb_get_logs_json, R"({"limit": 10})");
        expect(logs.find(sent.message_id) != std::string::npos, "message in the logs");

        try {
            client.get_message("00000000-0000-7000-8000-000000000000");
            expect(false, "get_message of an unknown id succeeded");
        } catch (const hookbridge::Error &e) {
            std::cout << "unknown message: " << e.code() << " (HTTP " << e.status() << ")\n";
            expect(e.result() == HB_RESULT_NOT_FOUND && e.status() == 404, "not-found error");
        }

        // A receiver checks deliveries like this, on the raw body bytes.
        std::string body = R"({"event":"order.created"})";
        std::string signature = hookbridge::sign(endpoint.signing_secret(), "1700000000", body);
        hookbridge::verify_signature(body, signature, "1700000000", {endpoint.signing_secret()}, 300, 1700000000);
        try {
            hookbridge::verify_signature(body + " ", signature, "1700000000", {endpoint.signing_secret()}, 300, 1700000000);
            expect(false, "a tampered body verified");
        } catch (const hookbridge::Error &e) {
            expect(e.result() == HB_RESULT_VERIFY_MISMATCH, "tampered body: " + e.code());
        }

        client.delete_endpoint(endpoint.id());
    } catch (const hookbridge::Error &e) {
        std::cerr << "hookbridge error " << e.code() << ": " << e.what() << "\n";
        return 1;
    }
    std::cout << (failures == 0 ? "example: all good" : "example: FAILED") << "\n";
    return failures == 0 ? 0 : 1;
}
