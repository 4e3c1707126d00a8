import Foundation
import XCTest
import HookBridge
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The API key `hookbridge-server --dev` accepts.
let devApiKey = "hb_test_dev00000000000000000000000000000"

/// A failure of the test fixtures themselves.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The repository root: HOOKBRIDGE_ROOT, or five levels above this file
/// (Tests/HookBridgeTests/TestSupport.swift in bindings-uniffi/swift).
func repositoryRoot() -> URL {
    if let root = ProcessInfo.processInfo.environment["HOOKBRIDGE_ROOT"] {
        return URL(fileURLWithPath: root)
    }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<5 { url.deleteLastPathComponent() }
    return url
}

/// HOOKBRIDGE_SERVER_BIN, or hookbridge-server in cargo's target directory.
func serverBinary() -> URL {
    let environment = ProcessInfo.processInfo.environment
    if let bin = environment["HOOKBRIDGE_SERVER_BIN"] {
        return URL(fileURLWithPath: bin)
    }
    let target = environment["CARGO_TARGET_DIR"].map { URL(fileURLWithPath: $0) }
        ?? repositoryRoot().appendingPathComponent("target")
    return target.appendingPathComponent("debug/hookbridge-server")
}

/// Every field of a `HookBridgeError`, with its case name as `kind`.
struct ErrorFields {
    let kind: String
    let code: String
    let message: String
    let requestId: String?
    let status: Int32?
    let retryAfter: Int64?
}

func fields(of error: HookBridgeError) -> ErrorFields {
    switch error {
    case let .Authentication(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "Authentication", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .NotFound(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "NotFound", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .Validation(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "Validation", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .RateLimit(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "RateLimit", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .Idempotency(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "Idempotency", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .ReplayLimit(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "ReplayLimit", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .Network(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "Network", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .Timeout(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "Timeout", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .Api(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "Api", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    case let .InvalidResponse(code, message, requestId, status, retryAfter):
        return ErrorFields(kind: "InvalidResponse", code: code, message: message, requestId: requestId, status: status, retryAfter: retryAfter)
    }
}

/// Runs `body` and returns the fields of the `HookBridgeError` it throws; records a failure
/// (and returns nil) when it throws nothing or something else.
func hookBridgeError(
    file: StaticString = #filePath,
    line: UInt = #line,
    _ body: () async throws -> Void
) async -> ErrorFields? {
    do {
        try await body()
        XCTFail("expected a HookBridgeError, nothing was thrown", file: file, line: line)
    } catch let error as HookBridgeError {
        return fields(of: error)
    } catch {
        XCTFail("expected a HookBridgeError, got \(error)", file: file, line: line)
    }
    return nil
}

/// The vectors' name of a verification failure (`missing`, `malformed`, `expired`, `mismatch`)
/// and its message.
func kindAndMessage(of error: WebhookVerificationError) -> (String, String) {
    switch error {
    case let .Missing(message): return ("missing", message)
    case let .Malformed(message): return ("malformed", message)
    case let .Expired(message): return ("expired", message)
    case let .Mismatch(message): return ("mismatch", message)
    }
}

/// Thread-safe storage for values handed between threads in the fixtures.
final class Locked<Value> {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    func update(_ change: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&value)
    }
}

/// A real `hookbridge-server --dev` on a free loopback port; `url` comes from its
/// "hookbridge-server listening on <url>" line.
final class HookBridgeServer {
    let url: String
    private let process: Process

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    /// Starts the server and waits (at most 60 s) until it accepts requests.
    static func start() throws -> HookBridgeServer {
        let binary = serverBinary()
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw FixtureError("hookbridge-server not found at \(binary.path): build it with `cargo build -p hookbridge-server`")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--dev", "--listen", "127.0.0.1:0", "--retry-time-scale", "0.001"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()

        let prefix = "hookbridge-server listening on "
        let found = Locked<String?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let reader = stdout.fileHandleForReading
        // Reads stdout line by line for the server's whole life, so its pipe never fills up.
        Thread.detachNewThread {
            var pending = Data()
            var signalled = false
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                    pending.removeSubrange(pending.startIndex...newline)
                    if !signalled, line.hasPrefix(prefix) {
                        found.update { $0 = String(line.dropFirst(prefix.count)) }
                        signalled = true
                        ready.signal()
                    }
                }
            }
            if !signalled { ready.signal() }
        }

        if ready.wait(timeout: .now() + 60) == .timedOut {
            process.terminate()
            throw FixtureError("hookbridge-server printed no 'listening on' line within 60 s")
        }
        guard let url = found.get() else {
            process.waitUntilExit()
            throw FixtureError("hookbridge-server exited with \(process.terminationStatus) before listening")
        }
        return HookBridgeServer(process: process, url: url)
    }

    /// Stops the server and waits for it to exit.
    func stop() {
        if process.isRunning {
            process.terminate()
        }
        process.waitUntilExit()
    }
}

/// A port on 127.0.0.1 where nothing listens.
func closedPort() throws -> UInt16 {
    let server = try LocalHTTPServer()
    let port = server.port
    server.stop()
    // The accept loop closes the socket within one poll interval.
    Thread.sleep(forTimeInterval: 0.3)
    return port
}

/// Base of the test cases that run against a real `hookbridge-server --dev`, started for each
/// test: `server` and a `client` of it (10 s timeout, no retries).
class ServerTestCase: XCTestCase {
    var server: HookBridgeServer!
    var client: HookBridgeClient!

    override func setUpWithError() throws {
        server = try HookBridgeServer.start()
        client = try HookBridgeClient(apiKey: devApiKey, baseUrl: server.url, sendUrl: server.url, timeoutMs: 10_000, retries: 0)
    }

    override func tearDown() {
        client = nil
        server?.stop()
        server = nil
    }
}

/// JSON re-serialised with sorted keys, so equal documents compare equal.
func canonicalJSON(_ data: Data) throws -> Data {
    let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
}
