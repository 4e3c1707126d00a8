// Signs and verifies a webhook and makes one API call, through HookBridge as a dependency.
// Exits non-zero on any failure; the last line is "consumer: ok" on success.
import Foundation
import HookBridge

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("consumer: \(message)\n".utf8))
    exit(1)
}

let environment = ProcessInfo.processInfo.environment
guard let serverURL = environment["HOOKBRIDGE_SERVER_URL"], let apiKey = environment["HOOKBRIDGE_API_KEY"] else {
    fail("set HOOKBRIDGE_SERVER_URL and HOOKBRIDGE_API_KEY")
}

// Signing: a signature made now verifies, and the same signature over another body does not.
let secret = "whsec_consumer0000000000000000000000"
let body = Data(#"{"event":"consumer.check"}"#.utf8)
let timestamp = String(Int(Date().timeIntervalSince1970))
let signature = signWebhook(secret: secret, timestamp: timestamp, body: body)
guard signature.hasPrefix("sha256="), signature.count == 71 else { fail("unexpected signature \(signature)") }
do {
    try verifyWebhook(body: body, signatureHeader: signature, timestamp: timestamp, secrets: [secret])
} catch {
    fail("a fresh signature did not verify: \(error)")
}
do {
    try verifyWebhook(body: Data(#"{"event":"tampered"}"#.utf8), signatureHeader: signature,
                      timestamp: timestamp, secrets: [secret])
    fail("a signature verified over another body")
} catch WebhookVerificationError.Mismatch {
    // expected
} catch {
    fail("a tampered body gave \(error), expected Mismatch")
}
print("signed and verified: \(signature)")

// One API call: create an endpoint and read it back.
let client: HookBridgeClient
do {
    client = try HookBridgeClient(apiKey: apiKey, baseUrl: serverURL, sendUrl: serverURL, timeoutMs: 10_000, retries: 0)
} catch {
    fail("could not create the client: \(error)")
}
let hookURL = "http://127.0.0.1:9/consumer-hooks"
do {
    let created = try await client.createEndpoint(url: hookURL, options: nil)
    let fetched = try await client.getEndpoint(endpointId: created.id)
    guard fetched.url == hookURL else { fail("endpoint \(created.id) has url \(fetched.url), expected \(hookURL)") }
    print("created endpoint \(created.id) on \(serverURL)")
} catch {
    fail("API call failed: \(error)")
}
print("consumer: ok")
