import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import HookBridge

/// JSON values are `Data` of UTF-8 JSON both ways, against a real `hookbridge-server --dev` and
/// a real local receiver; the `*Json` variants take JSON text (mirrors the Kotlin JsonValuesTest).
final class JsonValuesTests: ServerTestCase {
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
