package io.hookbridge

import com.sun.net.httpserver.HttpExchange
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import com.sun.net.httpserver.HttpServer
import java.io.File
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread

/** The API key `hookbridge-server --dev` accepts. */
const val DEV_API_KEY = "hb_test_dev00000000000000000000000000000"

/** The repository root (for tests/vectors), from the `hookbridge.root` system property. */
fun repoRoot(): File = File(System.getProperty("hookbridge.root") ?: "../..").canonicalFile

/** Runs [block] and returns the exception of type [T] it throws; fails on anything else. */
suspend inline fun <reified T : Throwable> expectThrows(block: suspend () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("expected ${T::class.qualifiedName}, got ${e::class.qualifiedName}: $e", e)
    }
    throw AssertionError("expected ${T::class.qualifiedName}, nothing was thrown")
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
fun closedPort(): Int = ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1")).use { it.localPort }

/**
 * A real `hookbridge-server --dev` on a free loopback port, started from the binary named by
 * the `hookbridge.serverBin` system property; [url] is read from its "listening on" line.
 */
class HookBridgeServer private constructor(private val process: Process, val url: String) : AutoCloseable {
    companion object {
        private val LISTENING = Regex("""^hookbridge-server listening on (http://\S+)$""")

        /** Starts the server and waits (at most 60 s) until it accepts requests. */
        fun start(): HookBridgeServer {
            val bin = File(System.getProperty("hookbridge.serverBin") ?: "../../target/debug/hookbridge-server")
            check(bin.canExecute()) { "hookbridge-server not found at $bin: build it with `cargo build -p hookbridge-server`" }
            val log = File("target/hookbridge-server.log").absoluteFile
            log.parentFile.mkdirs()
            val process = ProcessBuilder(bin.path, "--dev", "--listen", "127.0.0.1:0", "--retry-time-scale", "0.001")
                .redirectError(ProcessBuilder.Redirect.to(log))
                .start()
            val lines = LinkedBlockingQueue<String>()
            thread(isDaemon = true, name = "hookbridge-server-stdout") {
                process.inputStream.bufferedReader().forEachLine { lines.put(it) }
            }
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
            while (System.nanoTime() < deadline) {
                val line = lines.poll(100, TimeUnit.MILLISECONDS)
                if (line != null) {
                    LISTENING.matchEntire(line.trim())?.let { return HookBridgeServer(process, it.groupValues[1]) }
                } else if (!process.isAlive) {
                    error("hookbridge-server exited with ${process.exitValue()} before listening; see $log")
                }
            }
            process.destroyForcibly()
            error("hookbridge-server printed no 'listening on' line within 60 s; see $log")
        }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }
}

/** One HTTP request received by a [LocalHttpServer]. */
class ReceivedRequest(val method: String, val path: String, private val headers: Map<String, String>, val body: ByteArray) {
    /** The first value of header [name] (case-insensitive), or null. */
    fun header(name: String): String? = headers[name.lowercase()]
}

/**
 * A real HTTP server on 127.0.0.1:0 (the JDK's `com.sun.net.httpserver`) that records every
 * request and answers it with [respond] (default: 200 with an empty body).
 */
class LocalHttpServer(
    private val respond: (HttpExchange) -> Unit = { it.sendResponseHeaders(200, -1) },
) : AutoCloseable {
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)

    /** The requests received, in order. */
    val requests = LinkedBlockingQueue<ReceivedRequest>()

    /** Root URL, e.g. `http://127.0.0.1:41234`. */
    val url: String get() = "http://127.0.0.1:${server.address.port}"

    init {
        server.createContext("/") { exchange ->
            exchange.use {
                val body = it.requestBody.readAllBytes()
                val headers = it.requestHeaders.entries.associate { (k, v) -> k.lowercase() to v.first() }
                requests.put(ReceivedRequest(it.requestMethod, it.requestURI.path, headers, body))
                respond(it)
            }
        }
        server.executor = java.util.concurrent.Executors.newCachedThreadPool { r -> Thread(r).apply { isDaemon = true } }
        server.start()
    }

    /** The next request, waiting at most [seconds]; fails when none arrives. */
    fun nextRequest(seconds: Long = 30): ReceivedRequest =
        requests.poll(seconds, TimeUnit.SECONDS) ?: throw AssertionError("no request reached $url within $seconds s")

    override fun close() = server.stop(0)
}

/** Answers with [status], [body] as JSON and the given extra headers. */
fun HttpExchange.answerJson(status: Int, body: String, vararg headers: Pair<String, String>) {
    val bytes = body.toByteArray()
    responseHeaders.add("Content-Type", "application/json")
    headers.forEach { (k, v) -> responseHeaders.add(k, v) }
    sendResponseHeaders(status, bytes.size.toLong())
    responseBody.write(bytes)
}

/**
 * Base of the test classes that run against one real `hookbridge-server --dev` per class:
 * [server] and a [client] of it (10 s timeout, no retries).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgainstServer {
    protected lateinit var server: HookBridgeServer
    protected lateinit var client: HookBridgeClient

    @BeforeAll
    fun startServer() {
        server = HookBridgeServer.start()
        client = HookBridgeClient(DEV_API_KEY, baseUrl = server.url, sendUrl = server.url, timeoutMs = 10_000uL, retries = 0u)
    }

    @AfterAll
    fun stopServer() {
        if (::client.isInitialized) client.close()
        if (::server.isInitialized) server.close()
    }
}
