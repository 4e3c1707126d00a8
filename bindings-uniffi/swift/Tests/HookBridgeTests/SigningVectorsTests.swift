import Foundation
import XCTest
import HookBridge

/// Every case of tests/vectors/signing.json (format: tests/vectors/README.md; mirrors the Kotlin
/// SigningVectorsTest).
final class SigningVectorsTests: XCTestCase {
    /// A JSON number as Int64, whatever type JSONSerialization gave it on this platform.
    private func integer(_ value: Any?) -> Int64? {
        guard let value = value else { return nil }
        switch value {
        case let v as Int: return Int64(v)
        case let v as Int64: return v
        case let v as NSNumber: return v.int64Value
        default: return nil
        }
    }

    private func loadCases(_ key: String = "cases") throws -> [[String: Any]] {
        let file = repositoryRoot().appendingPathComponent("tests/vectors/signing.json")
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        return try XCTUnwrap(root[key] as? [[String: Any]])
    }

    func testEveryStandardWebhooksVector() throws {
        let cases = try loadCases("standard_webhooks_cases")
        XCTAssertFalse(cases.isEmpty)
        for vector in cases {
            let name = try XCTUnwrap(vector["name"] as? String)
            let data = try body(of: vector)
            let secrets = try XCTUnwrap(vector["secrets"] as? [String], name)
            let id = try XCTUnwrap(vector["message_id"] as? String, name)
            let timestamp = try XCTUnwrap(vector["timestamp"] as? String, name)
            // Empty when the case cannot be signed (a secret that is not base64, an empty id or timestamp).
            let expectedSignatures = try XCTUnwrap(vector["expected_signatures"] as? [String], name)
            for (secret, expected) in zip(secrets, expectedSignatures) {
                XCTAssertEqual(try signStandardWebhook(secret: secret, webhookId: id, timestamp: timestamp, body: data),
                               expected, name)
            }
            let tolerance = try XCTUnwrap(integer(vector["tolerance_seconds"]), name)
            let now = try XCTUnwrap(integer(vector["now"]), name)
            let header = try XCTUnwrap(vector["signature_header"] as? String, name)
            var outcome = "valid"
            do {
                try verifyStandardWebhook(body: data, webhookId: id, webhookTimestamp: timestamp,
                                          webhookSignature: header, secrets: secrets,
                                          toleranceSeconds: UInt64(tolerance), now: now)
            } catch let error as WebhookVerificationError {
                let (kind, message) = kindAndMessage(of: error)
                XCTAssertFalse(message.isEmpty, "\(name): a failure names its problem")
                outcome = kind
            }
            XCTAssertEqual(outcome, vector["expected"] as? String, "\(name): \(vector["description"] ?? "")")
        }
    }

    private func body(of vector: [String: Any]) throws -> Data {
        if let encoded = vector["body_b64"] as? String {
            return try XCTUnwrap(Data(base64Encoded: encoded), "body_b64 is base64")
        }
        let repeatSpec = try XCTUnwrap(vector["body_repeat"] as? [String: Any])
        let byte = try XCTUnwrap(integer(repeatSpec["byte"]))
        let count = try XCTUnwrap(integer(repeatSpec["count"]))
        return Data(repeating: UInt8(byte), count: Int(count))
    }

    func testEverySigningVector() throws {
        let cases = try loadCases()
        XCTAssertFalse(cases.isEmpty)
        for vector in cases {
            let name = try XCTUnwrap(vector["name"] as? String)
            let data = try body(of: vector)
            let secrets = try XCTUnwrap(vector["secrets"] as? [String], name)
            let timestamp = try XCTUnwrap(vector["timestamp"] as? String, name)
            let expectedSignatures = try XCTUnwrap(vector["expected_signatures"] as? [String], name)
            XCTAssertEqual(secrets.count, expectedSignatures.count, name)
            for (secret, expected) in zip(secrets, expectedSignatures) {
                XCTAssertEqual(signWebhook(secret: secret, timestamp: timestamp, body: data), expected, name)
            }
            if !secrets.isEmpty {
                XCTAssertEqual(webhookSignatureHeader(secrets: secrets, timestamp: timestamp, body: data),
                               expectedSignatures.joined(separator: ","), name)
            }

            let tolerance = try XCTUnwrap(integer(vector["tolerance_seconds"]), name)
            let now = try XCTUnwrap(integer(vector["now"]), name)
            let header = try XCTUnwrap(vector["signature_header"] as? String, name)
            var outcome = "valid"
            do {
                try verifyWebhook(body: data, signatureHeader: header, timestamp: timestamp, secrets: secrets,
                                  toleranceSeconds: UInt64(tolerance), now: now)
            } catch let error as WebhookVerificationError {
                let (kind, message) = kindAndMessage(of: error)
                XCTAssertFalse(message.isEmpty, "\(name): a failure names its problem")
                outcome = kind
            }
            XCTAssertEqual(outcome, vector["expected"] as? String, "\(name): \(vector["description"] ?? "")")
        }
    }

    func testTheVectorsCoverEveryOutcome() throws {
        let outcomes = Set(try loadCases().compactMap { $0["expected"] as? String })
        XCTAssertEqual(outcomes, ["valid", "missing", "malformed", "expired", "mismatch"])
    }
}
