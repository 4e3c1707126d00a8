import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let socketStream = Int32(SOCK_STREAM.rawValue)
private let noSignalFlag = Int32(MSG_NOSIGNAL)
#else
private let socketStream = SOCK_STREAM
private let noSignalFlag: Int32 = 0
#endif

/// Closes a descriptor (named apart from any `close` method in scope).
private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

/// One HTTP request received by a `LocalHTTPServer`.
struct ReceivedRequest {
    let method: String
    let path: String
    /// Header names in lower case.
    let headers: [String: String]
    let body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What a `LocalHTTPServer` answers.
struct Reply {
    var status: Int = 200
    var headers: [String: String] = [:]
    var body = Data()
    /// Seconds to wait before answering (to provoke client timeouts).
    var delay: TimeInterval = 0
}

/// A real HTTP/1.1 server on 127.0.0.1 (POSIX sockets, one request per connection) that records
/// every request and answers it with `respond`.
final class LocalHTTPServer {
    let port: UInt16
    var url: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let respond: (ReceivedRequest) -> Reply
    private let state = Locked<(requests: [ReceivedRequest], stopped: Bool)>((requests: [], stopped: false))

    init(respond: @escaping (ReceivedRequest) -> Reply = { _ in Reply() }) throws {
        self.respond = respond
        let fd = socket(AF_INET, socketStream, 0)
        guard fd >= 0 else { throw FixtureError("socket() failed, errno \(errno)") }
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 32) == 0 else {
            closeDescriptor(fd)
            throw FixtureError("bind/listen on 127.0.0.1 failed, errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        Thread.detachNewThread { [self] in self.acceptLoop() }
    }

    /// The requests received so far, in order.
    var requests: [ReceivedRequest] { state.get().requests }

    /// Stops accepting connections (the listening socket closes within 100 ms).
    func stop() {
        state.update { $0.stopped = true }
    }

    /// The request number `index` (0-based), waiting at most `timeout` seconds for it.
    func request(_ index: Int, timeout: TimeInterval = 30) async throws -> ReceivedRequest {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let received = requests
            if received.count > index { return received[index] }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw FixtureError("request #\(index) did not reach \(url) within \(timeout) s")
    }

    private var isStopped: Bool { state.get().stopped }

    /// Whether `fd` becomes readable within 100 ms.
    private func readable(_ fd: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 100) > 0
    }

    private func acceptLoop() {
        defer { closeDescriptor(listener) }
        while !isStopped {
            guard readable(listener) else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            #if canImport(Darwin)
            var on: Int32 = 1
            _ = setsockopt(connection, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            #endif
            Thread.detachNewThread { [self] in self.serve(connection) }
        }
    }

    /// The next bytes of a connection; nil once it is closed (or after 30 s of silence).
    private func receive(_ fd: Int32) -> [UInt8]? {
        var waited = 0
        while !readable(fd) {
            waited += 1
            if waited > 300 { return nil }
        }
        let capacity = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: capacity)
        let count = recv(fd, &buffer, capacity, 0)
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    private func serve(_ fd: Int32) {
        defer { closeDescriptor(fd) }
        guard let request = readRequest(fd) else { return }
        state.update { $0.requests.append(request) }
        let reply = respond(request)
        if reply.delay > 0 { Thread.sleep(forTimeInterval: reply.delay) }
        var head = "HTTP/1.1 \(reply.status) Status\r\n"
        for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(reply.body.count)\r\nConnection: close\r\n\r\n"
        sendAll(fd, Array(head.utf8) + Array(reply.body))
    }

    private func readRequest(_ fd: Int32) -> ReceivedRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var buffer: [UInt8] = []
        var headerEnd: Int?
        while headerEnd == nil {
            guard let chunk = receive(fd) else { return nil }
            buffer += chunk
            if buffer.count >= 4 {
                headerEnd = (0...(buffer.count - 4)).first { Array(buffer[$0..<($0 + 4)]) == separator }
            }
        }
        guard let end = headerEnd else { return nil }
        var lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            if headers[name] == nil {
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        var body = Array(buffer[(end + 4)...])
        let length = Int(headers["content-length"] ?? "") ?? 0
        while body.count < length {
            guard let chunk = receive(fd) else { return nil }
            body += chunk
        }
        let path = requestLine[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? requestLine[1]
        return ReceivedRequest(method: requestLine[0], path: path, headers: headers, body: Data(body.prefix(length)))
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBufferPointer { buffer in
                send(fd, buffer.baseAddress! + offset, bytes.count - offset, noSignalFlag)
            }
            if sent <= 0 { return }
            offset += sent
        }
    }
}

/// A reply with a JSON body.
func jsonReply(_ status: Int, _ json: String, headers: [String: String] = [:]) -> Reply {
    var all = headers
    all["Content-Type"] = "application/json"
    return Reply(status: status, headers: all, body: Data(json.utf8))
}
