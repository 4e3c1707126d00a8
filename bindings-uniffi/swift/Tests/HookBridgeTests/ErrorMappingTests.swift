import Foundation
import XCTest
import HookBridge

/// Every field of HookBridgeError crosses the FFI: client-side validation, transport failures,
/// and HTTP error answers from a real local HTTP server standing in for the API
/// (mirrors the Kotlin ErrorMappingTest).
final class ErrorMappingTests: XCTestCase {
    func testAnEmptyApiKeyIsAValidationErrorBeforeAnyRequest() async {
        let error = await hookBridgeError { _ = try HookBridgeClient(apiKey: "") }
        XCTAssertEqual(error?.kind, "Validation")
        XCTAssertEqual(error?.code, "INVALID_REQUEST")
        XCTAssertEqual(error?.message, "API key is required")
        XCTAssertEqual(error?.status, 400)
    }

    func testABaseUrlThatIsNotHttpIsAValidationError() async {
        let error = await hookBridgeError { _ = try HookBridgeClient(apiKey: devApiKey, baseUrl: "ftp://x") }
        XCTAssertEqual(error?.kind, "Validation")
        XCTAssertTrue(error?.message.contains("base_url") ?? false, error?.message ?? "")
    }

    func testAPayloadThatIsNotJsonIsAValidationErrorAndSendsNothing() async throws {
        let api = try LocalHTTPServer()
        defer { api.stop() }
        let client = try HookBridgeClient(apiKey: devApiKey, baseUrl: api.url, sendUrl: api.url, retries: 0)
        let error = await hookBridgeError { _ = try await client.sendJson(endpointId: "ep_x", payloadJson: "{not json") }
        XCTAssertEqual(error?.kind, "Validation")
        XCTAssertTrue(error?.message.contains("payload is not valid JSON") ?? false, error?.message ?? "")
        // Data that is not UTF-8, not JSON, or empty: each fails the call before any request.
        for bad in [Data([0x22, 0xFF, 0x22]), Data("{not json".utf8), Data()] {
            let error = await hookBridgeError { _ = try await client.send(endpointId: "ep_x", payload: bad) }
            XCTAssertEqual(error?.kind, "Validation", "\(Array(bad))")
            XCTAssertTrue(error?.message.hasPrefix("payload is not valid JSON") ?? false, error?.message ?? "")
        }
        let stripe = await hookBridgeError { _ = try await client.handleStripeWebhook(payload: Data("nope".utf8)) }
        XCTAssertEqual(stripe?.kind, "Validation")
        XCTAssertTrue(api.requests.isEmpty, "nothing may be sent")
    }

    func testARefusedConnectionIsANetworkErrorWithoutStatus() async throws {
        let url = "http://127.0.0.1:\(try closedPort())"
        let client = try HookBridgeClient(apiKey: devApiKey, baseUrl: url, sendUrl: url, retries: 0)
        let error = await hookBridgeError { _ = try await client.getMessage(messageId: "m") }
        XCTAssertEqual(error?.kind, "Network")
        XCTAssertEqual(error?.code, "NETWORK_ERROR")
        XCTAssertNil(error?.status)
    }

    func testAServerThatDoesNotAnswerInTimeIsATimeoutError() async throws {
        let api = try LocalHTTPServer { _ in Reply(delay: 3) }
        defer { api.stop() }
        let client = try HookBridgeClient(apiKey: devApiKey, baseUrl: api.url, sendUrl: api.url, timeoutMs: 200, retries: 0)
        let error = await hookBridgeError { _ = try await client.getMessage(messageId: "m") }
        XCTAssertEqual(error?.kind, "Timeout")
        XCTAssertEqual(error?.code, "TIMEOUT")
    }

    func testA429CarriesRetryAfterAndA500KeepsTheServersCodeStatusAndRequestId() async throws {
        let limited = try LocalHTTPServer { _ in
            jsonReply(429, #"{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down"},"meta":{"request_id":"req_1"}}"#,
                      headers: ["Retry-After": "7"])
        }
        defer { limited.stop() }
        let client = try HookBridgeClient(apiKey: devApiKey, baseUrl: limited.url, sendUrl: limited.url, retries: 0)
        let rateLimit = await hookBridgeError { _ = try await client.getMetrics() }
        XCTAssertEqual(rateLimit?.kind, "RateLimit")
        XCTAssertEqual(rateLimit?.retryAfter, 7)
        XCTAssertEqual(rateLimit?.status, 429)
        XCTAssertEqual(rateLimit?.requestId, "req_1")
        XCTAssertEqual(rateLimit?.message, "slow down")
        let first = try await limited.request(0)
        XCTAssertEqual(first.path, "/v1/metrics")

        let broken = try LocalHTTPServer { _ in
            jsonReply(500, #"{"error":{"code":"INTERNAL","message":"boom"},"meta":{"request_id":"req_2"}}"#)
        }
        defer { broken.stop() }
        let retrying = try HookBridgeClient(apiKey: devApiKey, baseUrl: broken.url, sendUrl: broken.url, retries: 1)
        do {
            _ = try await retrying.listExports()
            XCTFail("expected an Api error")
        } catch let error as HookBridgeError {
            let api = fields(of: error)
            XCTAssertEqual(api.kind, "Api")
            XCTAssertEqual(api.status, 500)
            XCTAssertEqual(api.code, "INTERNAL")
            XCTAssertEqual(api.message, "boom")
            XCTAssertEqual(api.requestId, "req_2")
            XCTAssertNil(api.retryAfter)
            XCTAssertEqual(error.description, "boom code=INTERNAL request_id=req_2")
        }
        XCTAssertEqual(broken.requests.count, 2, "a 5xx is retried once with retries = 1")
    }

    func testA2xxAnswerWithoutThePromisedFieldsIsAnInvalidResponseError() async throws {
        let api = try LocalHTTPServer { _ in jsonReply(200, #"{"data":{"unexpected":true}}"#) }
        defer { api.stop() }
        let client = try HookBridgeClient(apiKey: devApiKey, baseUrl: api.url, sendUrl: api.url, retries: 0)
        let error = await hookBridgeError { _ = try await client.getMessage(messageId: "m") }
        XCTAssertEqual(error?.kind, "InvalidResponse")
        XCTAssertEqual(error?.code, "INVALID_RESPONSE")
    }
}
