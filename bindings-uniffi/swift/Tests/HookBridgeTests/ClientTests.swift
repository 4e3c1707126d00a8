import Foundation
import XCTest
import HookBridge

/// The client against a real `hookbridge-server --dev`, delivering to a real local receiver
/// (mirrors the Kotlin ClientTest).
final class ClientTests: ServerTestCase {
    /// Polls the message until it reaches `status` (at most 30 s).
    private func awaitStatus(_ messageId: String, _ status: String) async throws -> Message {
        let deadline = Date().addingTimeInterval(30)
        var message = try await client.getMessage(messageId: messageId)
        while message.status != status && Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
            message = try await client.getMessage(messageId: messageId)
        }
        XCTAssertEqual(message.status, status, "message \(messageId) never reached \(status): \(message)")
        return message
    }

    func testSendsAWebhookDeliversItSignedAndListsItInTheLogs() async throws {
        let receiver = try LocalHTTPServer()
        defer { receiver.stop() }
        let hookURL = "\(receiver.url)/hooks"
        let endpoint = try await client.createEndpoint(url: hookURL, options: CreateEndpointOptions(description: "swift test", headers: ["X-Tenant": "t1"]))
        XCTAssertTrue(endpoint.id.hasPrefix("ep_"), endpoint.id)
        XCTAssertTrue(endpoint.signingSecret.hasPrefix("whsec_"), endpoint.signingSecret)
        let fetched = try await client.getEndpoint(endpointId: endpoint.id)
        XCTAssertEqual(fetched.url, hookURL)
        XCTAssertEqual(fetched.headers, ["X-Tenant": "t1"], "header maps are Swift dictionaries")
        let listed = try await client.listEndpoints()
        XCTAssertTrue(listed.endpoints.contains(where: { $0.id == endpoint.id }))

        let payload = #"{"event":"order.created","order":{"id":42,"total":"9.99"}}"#
        let sent = try await client.sendJson(endpointId: endpoint.id, payloadJson: payload)
        XCTAssertEqual(sent.status, "queued")

        let message = try await awaitStatus(sent.messageId, "succeeded")
        XCTAssertEqual(message.endpointId, endpoint.id)
        XCTAssertGreaterThanOrEqual(message.attemptCount, 1)
        // Timestamps are Foundation Dates: the send happened within the last two minutes.
        XCTAssertLessThan(abs(message.createdAt.timeIntervalSinceNow), 120, "created_at is the send time: \(message.createdAt)")
        XCTAssertGreaterThanOrEqual(message.updatedAt, message.createdAt)

        let delivery = try await receiver.request(0)
        XCTAssertEqual(delivery.method, "POST")
        XCTAssertEqual(delivery.path, "/hooks")
        XCTAssertEqual(delivery.header("X-Webhook-Id"), sent.messageId)
        XCTAssertEqual(try canonicalJSON(Data(payload.utf8)), try canonicalJSON(delivery.body), "the receiver got the payload")
        let signature = try XCTUnwrap(delivery.header("X-Webhook-Signature"))
        let timestamp = try XCTUnwrap(delivery.header("X-Webhook-Timestamp"))
        XCTAssertNoThrow(try verifyWebhook(body: delivery.body, signatureHeader: signature, timestamp: timestamp, secrets: [endpoint.signingSecret]))
        XCTAssertThrowsError(try verifyWebhook(body: delivery.body, signatureHeader: signature, timestamp: timestamp, secrets: ["whsec_not_the_secret"])) { error in
            XCTAssertEqual(verificationKind(error), "mismatch")
        }
        let tampered = delivery.body + Data(" ".utf8)
        XCTAssertThrowsError(try verifyWebhook(body: tampered, signatureHeader: signature, timestamp: timestamp, secrets: [endpoint.signingSecret])) { error in
            XCTAssertEqual(verificationKind(error), "mismatch")
        }

        let logs = try await client.getLogs(query: LogsQuery(limit: 100))
        let row = try XCTUnwrap(logs.messages.first(where: { $0.messageId == sent.messageId }), "message not in the logs")
        XCTAssertEqual(row.status, "succeeded")
        let succeeded = try await client.getLogs(query: LogsQuery(status: "succeeded"))
        XCTAssertTrue(succeeded.messages.contains(where: { $0.messageId == sent.messageId }))
        let failed = try await client.getLogs(query: LogsQuery(status: "failed_permanent"))
        XCTAssertFalse(failed.messages.contains(where: { $0.messageId == sent.messageId }))
        // Time filters take a Date (or text sent verbatim).
        let lastHour = try await client.getLogs(query: LogsQuery(startTime: .at(Date().addingTimeInterval(-3600)), limit: 100))
        XCTAssertTrue(lastHour.messages.contains(where: { $0.messageId == sent.messageId }))
        let future = try await client.getLogs(query: LogsQuery(startTime: .at(Date().addingTimeInterval(3600))))
        XCTAssertFalse(future.messages.contains(where: { $0.messageId == sent.messageId }))
    }

    func testRequestsNameTheSwiftBindingAndThePackageVersionInTheUserAgent() async throws {
        let version = try workspaceVersion()
        XCTAssertNotNil(version.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression), "workspace version '\(version)'")
        // A recording server stands in for the API: only the request matters, not the answer.
        let api = try LocalHTTPServer { _ in jsonReply(200, #"{"data":[],"has_more":false}"#) }
        defer { api.stop() }
        let client = try HookBridgeClient(apiKey: devApiKey, baseUrl: api.url, sendUrl: api.url, retries: 0)
        _ = try? await client.listEndpoints()
        let request = try await api.request(0)
        XCTAssertEqual(request.header("User-Agent"), "hookbridge-swift/\(version)")
    }

    func testABadApiKeyIsAnAuthenticationErrorWithStatus401() async throws {
        let bad = try HookBridgeClient(apiKey: "hb_test_not_a_valid_key_000000000000000", baseUrl: server.url, sendUrl: server.url, retries: 0)
        let error = await hookBridgeError { _ = try await bad.getLogs() }
        XCTAssertEqual(error?.kind, "Authentication")
        XCTAssertEqual(error?.status, 401)
        XCTAssertEqual(error?.code, "UNAUTHORIZED")
        XCTAssertFalse(error?.message.isEmpty ?? true)
    }

    func testAnUnknownMessageIsANotFoundErrorWithStatus404() async throws {
        let error = await hookBridgeError { _ = try await self.client.getMessage(messageId: "01935abc-def0-7123-8567-890abcdef012") }
        XCTAssertEqual(error?.kind, "NotFound")
        XCTAssertEqual(error?.status, 404)
        XCTAssertEqual(error?.code, "NOT_FOUND")
        XCTAssertNotNil(error?.requestId, "the server sends meta.request_id")
    }

    func testReusingAnIdempotencyKeyWithAnotherPayloadIsAnIdempotencyErrorWithStatus409() async throws {
        let receiver = try LocalHTTPServer()
        defer { receiver.stop() }
        let endpoint = try await client.createEndpoint(url: "\(receiver.url)/idem")
        let key = "order-\(UUID().uuidString)"
        let first = try await client.sendJson(endpointId: endpoint.id, payloadJson: #"{"n":1}"#, options: SendOptions(idempotencyKey: key))
        let again = try await client.sendJson(endpointId: endpoint.id, payloadJson: #"{"n":1}"#, options: SendOptions(idempotencyKey: key))
        XCTAssertEqual(first.messageId, again.messageId, "an identical repeat returns the original message")
        let error = await hookBridgeError {
            _ = try await self.client.sendJson(endpointId: endpoint.id, payloadJson: #"{"n":2}"#, options: SendOptions(idempotencyKey: key))
        }
        XCTAssertEqual(error?.kind, "Idempotency")
        XCTAssertEqual(error?.status, 409)
        XCTAssertEqual(error?.code, "IDEMPOTENCY_MISMATCH")
        let other = try await client.sendJson(endpointId: endpoint.id, payloadJson: #"{"n":2}"#, options: SendOptions(idempotencyKey: key + "-other"))
        XCTAssertNotEqual(first.messageId, other.messageId)
    }
}

/// The vectors' name of a thrown verification failure, or nil for any other error.
private func verificationKind(_ error: Error) -> String? {
    guard let failure = error as? WebhookVerificationError else { return nil }
    return kindAndMessage(of: failure).0
}

/// The `version` of `[workspace.package]` in the repository's Cargo.toml (the package version).
private func workspaceVersion() throws -> String {
    let manifest = try String(contentsOf: repositoryRoot().appendingPathComponent("Cargo.toml"), encoding: .utf8)
    var inWorkspacePackage = false
    for line in manifest.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
        if line.hasPrefix("[") {
            inWorkspacePackage = line == "[workspace.package]"
        } else if inWorkspacePackage, line.hasPrefix("version"), let value = line.split(separator: "\"").dropFirst().first {
            return String(value)
        }
    }
    throw FixtureError("no version in [workspace.package] of Cargo.toml")
}
