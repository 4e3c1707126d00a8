package io.hookbridge

import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.JsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * Every field of HookBridgeException crosses the FFI: client-side validation, transport
 * failures, and HTTP error answers from a real local HTTP server standing in for the API.
 */
class ErrorMappingTest {
    @Test
    fun `an empty API key is a Validation error before any request`() {
        val e = runBlocking { expectThrows<HookBridgeException.Validation> { HookBridgeClient("") } }
        assertEquals("INVALID_REQUEST", e.code)
        assertEquals("API key is required", e.errorMessage)
        assertEquals(400, e.status)
    }

    @Test
    fun `a base URL that is not http is a Validation error`() {
        val e = runBlocking { expectThrows<HookBridgeException.Validation> { HookBridgeClient(DEV_API_KEY, baseUrl = "ftp://x") } }
        assertTrue(e.errorMessage.contains("base_url"), e.errorMessage)
    }

    @Test
    fun `a payload that is not JSON is a Validation error and sends nothing`() = runBlocking {
        LocalHttpServer().use { api ->
            HookBridgeClient(DEV_API_KEY, baseUrl = api.url, sendUrl = api.url, retries = 0u).use { client ->
                val e = expectThrows<HookBridgeException.Validation> { client.sendJson("ep_x", "{not json") }
                assertTrue(e.errorMessage.contains("payload is not valid JSON"), e.errorMessage)
                // A JsonPrimitive can hold a number JSON cannot write.
                val nan = expectThrows<HookBridgeException.Validation> { client.send("ep_x", JsonPrimitive(Double.NaN)) }
                assertTrue(nan.errorMessage.startsWith("payload is not valid JSON"), nan.errorMessage)
                val stripe = expectThrows<HookBridgeException.Validation> { client.handleStripeWebhookJson("") }
                assertTrue(stripe.errorMessage.startsWith("payload is not valid JSON"), stripe.errorMessage)
                assertTrue(api.requests.isEmpty(), "nothing may be sent")
            }
        }
    }

    @Test
    fun `a refused connection is a Network error without status`() = runBlocking {
        val url = "http://127.0.0.1:${closedPort()}"
        HookBridgeClient(DEV_API_KEY, baseUrl = url, sendUrl = url, retries = 0u).use { client ->
            val e = expectThrows<HookBridgeException.Network> { client.getMessage("m") }
            assertEquals("NETWORK_ERROR", e.code)
            assertNull(e.status)
        }
    }

    @Test
    fun `a server that does not answer in time is a Timeout error`() = runBlocking {
        LocalHttpServer { Thread.sleep(3_000); it.sendResponseHeaders(200, -1) }.use { api ->
            HookBridgeClient(DEV_API_KEY, baseUrl = api.url, sendUrl = api.url, timeoutMs = 200uL, retries = 0u).use { client ->
                val e = expectThrows<HookBridgeException.Timeout> { client.getMessage("m") }
                assertEquals("TIMEOUT", e.code)
            }
        }
    }

    @Test
    fun `a 429 carries Retry-After and a 500 keeps the server's code, status and request id`() = runBlocking {
        val limited = LocalHttpServer {
            it.answerJson(429, """{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down"},"meta":{"request_id":"req_1"}}""", "Retry-After" to "7")
        }
        limited.use { api ->
            HookBridgeClient(DEV_API_KEY, baseUrl = api.url, sendUrl = api.url, retries = 0u).use { client ->
                val e = expectThrows<HookBridgeException.RateLimit> { client.getMetrics() }
                assertEquals(7L, e.retryAfter)
                assertEquals(429, e.status)
                assertEquals("req_1", e.requestId)
                assertEquals("slow down", e.errorMessage)
                assertEquals("/v1/metrics", api.nextRequest().path)
            }
        }
        val broken = LocalHttpServer {
            it.answerJson(500, """{"error":{"code":"INTERNAL","message":"boom"},"meta":{"request_id":"req_2"}}""")
        }
        broken.use { api ->
            HookBridgeClient(DEV_API_KEY, baseUrl = api.url, sendUrl = api.url, retries = 1u).use { client ->
                val e = expectThrows<HookBridgeException.Api> { client.listExports() }
                assertEquals(listOf(500, "INTERNAL", "boom", "req_2"), listOf(e.status, e.code, e.errorMessage, e.requestId))
                assertNull(e.retryAfter)
                assertEquals(2, api.requests.size, "a 5xx is retried once with retries = 1")
                assertEquals("boom code=INTERNAL request_id=req_2", e.toString())
            }
        }
    }

    @Test
    fun `a 2xx answer without the promised fields is an InvalidResponse error`() = runBlocking {
        LocalHttpServer { it.answerJson(200, """{"data":{"unexpected":true}}""") }.use { api ->
            HookBridgeClient(DEV_API_KEY, baseUrl = api.url, sendUrl = api.url, retries = 0u).use { client ->
                val e = expectThrows<HookBridgeException.InvalidResponse> { client.getMessage("m") }
                assertEquals("INVALID_RESPONSE", e.code)
            }
        }
    }
}
