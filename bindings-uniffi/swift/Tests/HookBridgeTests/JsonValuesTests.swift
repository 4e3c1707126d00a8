import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import HookBridge

/// JSON values are `Data` of UTF-8 JSON both ways, against a real `hookbridge-server --dev` and
/// a real local receiver; the `*Json` variants take JSON text (mirrors the Kotlin JsonValuesTest).
final class JsonValuesTests: XCTestCase {
    private var server: HookBridgeServer!
    private var client: HookBridgeClient!

    override func setUpWithError() throws {
        server = try HookBridgeServer.start()
        client = try HookBridgeClient(apiKey: devApiKey, baseUrl: server.url, sendUrl: server.url, timeoutMs: 10_000, retries: 0)
    }

    override func tearDown() {
        client = nil
        server?.stop()
        server = nil
    }

    /// A payload with every kind of JSON value, nested, and text outside ASCII.
    private func order() throws -> Data {
        let object: [String: Any] = [
            "event": "order.created",
            "order": ["id": 42, "total": "9.99", "paid": true, "note": NSNull(), "customer": "Zoë ✓"],
            "tags": ["new", 7],
        ]
        return try JSONSerialization.data(withJSONObject: object)
    }

    func testSendTakesDataAndTheReceiverGetsTheSameJson() async throws {
        let receiver = try LocalHTTPServer()
        defer { receiver.stop() }
        let endpoint = try await client.createEndpoint(url: "\(receiver.url)/json")
        let payload = try order()
        let sent = try await client.send(endpointId: endpoint.id, payload: payload)
        let delivery = try await receiver.request(0)
        XCTAssertEqual(delivery.header("X-Webhook-Id"), sent.messageId)
        XCTAssertEqual(try canonicalJSON(delivery.body), try canonicalJSON(payload), String(decoding: delivery.body, as: UTF8.self))
    }

    func testSendJsonTakesJsonTextAndTheReceiverGetsThatJson() async throws {
        let receiver = try LocalHTTPServer()
        defer { receiver.stop() }
        let endpoint = try await client.createEndpoint(url: "\(receiver.url)/text")
        let text = #"{ "event": "raw.text", "n": [1, 2, {"deep": null}] }"#
        let sent = try await client.sendJson(endpointId: endpoint.id, payloadJson: text)
        let delivery = try await receiver.request(0)
        XCTAssertEqual(delivery.header("X-Webhook-Id"), sent.messageId)
        XCTAssertEqual(try canonicalJSON(delivery.body), try canonicalJSON(Data(text.utf8)))
    }

    func testAPullEventsPayloadComesBackAsTheDataThatWasIngested() async throws {
        let created = try await client.createPullEndpoint(settings: PullEndpointSettings(name: "swift json"))
        // The ingest URL names the server's configured address; post to its path on the real one.
        let path = try XCTUnwrap(URLComponents(string: created.endpoint.ingestUrl)).percentEncodedPath
        var request = URLRequest(url: try XCTUnwrap(URL(string: server.url + path)))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let payload = try order()
        let status = try await post(request, payload)
        XCTAssertTrue((200..<300).contains(status), "ingest answered \(status)")

        let deadline = Date().addingTimeInterval(30)
        var events = try await client.listPullEvents(endpointId: created.endpoint.id).events
        while events.isEmpty && Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
            events = try await client.listPullEvents(endpointId: created.endpoint.id).events
        }
        XCTAssertEqual(events.count, 1, "the ingested event is listed: \(events)")
        let event = try await client.getPullEvent(endpointId: created.endpoint.id, eventId: try XCTUnwrap(events.first).id, preview: true)
        let received: Data = event.payload
        XCTAssertEqual(try canonicalJSON(received), try canonicalJSON(payload))
        // Data is what Codable reads.
        struct Order: Decodable { let event: String; let order: Details }
        struct Details: Decodable { let id: Int; let customer: String; let note: String? }
        let decoded = try JSONDecoder().decode(Order.self, from: received)
        XCTAssertEqual(decoded.event, "order.created")
        XCTAssertEqual(decoded.order.id, 42)
        XCTAssertEqual(decoded.order.customer, "Zoë ✓")
        XCTAssertNil(decoded.order.note)
    }

    func testUpdateFieldsTakeAJsonObjectOrItsTextThroughTheJsonVariant() async throws {
        let created = try await client.createPullEndpoint(settings: PullEndpointSettings(name: "before"))
        let updated = try await client.updatePullEndpointFields(endpointId: created.endpoint.id, fields: Data(#"{"name":"after"}"#.utf8))
        XCTAssertEqual(updated.name, "after")
        let again = try await client.updatePullEndpointFieldsJson(endpointId: created.endpoint.id, fieldsJson: #"{"name":"again"}"#)
        XCTAssertEqual(again.name, "again")
        let error = await hookBridgeError {
            _ = try await self.client.updatePullEndpointFields(endpointId: created.endpoint.id, fields: Data("[1]".utf8))
        }
        XCTAssertEqual(error?.kind, "Validation")
        XCTAssertEqual(error?.message, "fields must be a JSON object")
        let current = try await client.getPullEndpoint(endpointId: created.endpoint.id)
        XCTAssertEqual(current.name, "again", "nothing was changed")
    }

    func testDataThatIsNotJsonIsAValidationErrorAndNothingIsSent() async throws {
        let api = try LocalHTTPServer()
        defer { api.stop() }
        let client = try HookBridgeClient(apiKey: devApiKey, baseUrl: api.url, sendUrl: api.url, retries: 0)
        // Not UTF-8, not JSON text, empty: each fails the call before any request.
        for bad in [Data([0x22, 0xFF, 0x22]), Data("{not json".utf8), Data()] {
            let error = await hookBridgeError { _ = try await client.send(endpointId: "ep_x", payload: bad) }
            XCTAssertEqual(error?.kind, "Validation", "\(Array(bad))")
            XCTAssertTrue(error?.message.hasPrefix("payload is not valid JSON") ?? false, error?.message ?? "")
        }
        let text = await hookBridgeError { _ = try await client.sendJson(endpointId: "ep_x", payloadJson: "{not json") }
        XCTAssertEqual(text?.kind, "Validation")
        let stripe = await hookBridgeError { _ = try await client.handleStripeWebhook(payload: Data("nope".utf8)) }
        XCTAssertEqual(stripe?.kind, "Validation")
        XCTAssertTrue(api.requests.isEmpty, "nothing may be sent")
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
}

/// POSTs `body` with `request` and returns the HTTP status.
private func post(_ request: URLRequest, _ body: Data) async throws -> Int {
    try await withCheckedThrowingContinuation { continuation in
        URLSession.shared.uploadTask(with: request, from: body) { _, response, error in
            if let error {
                continuation.resume(throwing: error)
            } else {
                continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode ?? 0)
            }
        }.resume()
    }
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

/// JSON re-serialised with sorted keys, so equal documents compare equal.
private func canonicalJSON(_ data: Data) throws -> Data {
    let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
}
