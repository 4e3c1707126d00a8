package io.hookbridge

import io.hookbridge.models.*
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration
import java.time.Instant
import java.util.UUID

/** The client against a real `hookbridge-server --dev`, delivering to a real local receiver. */
class ClientTest : AgainstServer() {

    /** Polls the message until it reaches [status] (at most 30 s). */
    private suspend fun awaitStatus(messageId: String, status: String): Message {
        val deadline = System.nanoTime() + 30_000_000_000L
        var message = client.getMessage(messageId)
        while (message.status != status && System.nanoTime() < deadline) {
            delay(50)
            message = client.getMessage(messageId)
        }
        assertEquals(status, message.status, "message $messageId never reached $status: $message")
        return message
    }

    @Test
    fun `sends a webhook, delivers it signed to the receiver and lists it in the logs`() = runBlocking {
        LocalHttpServer().use { receiver ->
            val endpoint = client.createEndpoint("${receiver.url}/hooks", CreateEndpointOptions(description = "kotlin test", headers = mapOf("X-Tenant" to "t1")))
            assertTrue(endpoint.id.startsWith("ep_"), endpoint.id)
            assertTrue(endpoint.signingSecret.startsWith("whsec_"), endpoint.signingSecret)
            val fetched = client.getEndpoint(endpoint.id)
            assertEquals("${receiver.url}/hooks", fetched.url)
            assertEquals(mapOf("X-Tenant" to "t1"), fetched.headers, "header maps are Kotlin maps")
            assertTrue(client.listEndpoints().endpoints.any { it.id == endpoint.id })

            val payload = """{"event":"order.created","order":{"id":42,"total":"9.99"}}"""
            val sent = client.sendJson(endpoint.id, payload)
            assertEquals("queued", sent.status)

            val message = awaitStatus(sent.messageId, "succeeded")
            assertEquals(endpoint.id, message.endpointId)
            assertTrue(message.attemptCount >= 1)
            // Timestamps are java.time.Instant: the send happened within the last two minutes.
            val age = Duration.between(message.createdAt, Instant.now())
            assertTrue(age.abs() < Duration.ofMinutes(2), "created_at is the send time: ${message.createdAt}")
            assertTrue(!message.updatedAt.isBefore(message.createdAt))

            val delivery = receiver.nextRequest()
            assertEquals("POST", delivery.method)
            assertEquals("/hooks", delivery.path)
            assertEquals(sent.messageId, delivery.header("X-Webhook-Id"))
            assertTrue(JSONObject(payload).similar(JSONObject(String(delivery.body))), String(delivery.body))
            val signature = delivery.header("X-Webhook-Signature") ?: throw AssertionError("no X-Webhook-Signature")
            val timestamp = delivery.header("X-Webhook-Timestamp") ?: throw AssertionError("no X-Webhook-Timestamp")
            verifyWebhook(delivery.body, signature, timestamp, listOf(endpoint.signingSecret))
            expectThrows<WebhookVerificationException.Mismatch> {
                verifyWebhook(delivery.body, signature, timestamp, listOf("whsec_not_the_secret"))
            }
            expectThrows<WebhookVerificationException.Mismatch> {
                verifyWebhook(delivery.body + ' '.code.toByte(), signature, timestamp, listOf(endpoint.signingSecret))
            }

            val logs = client.getLogs(LogsQuery(limit = 100))
            val row = logs.messages.firstOrNull { it.messageId == sent.messageId }
                ?: throw AssertionError("message ${sent.messageId} not in the logs: ${logs.messages}")
            assertEquals("succeeded", row.status)
            assertTrue(client.getLogs(LogsQuery(status = "succeeded")).messages.any { it.messageId == sent.messageId })
            assertTrue(client.getLogs(LogsQuery(status = "failed_permanent")).messages.none { it.messageId == sent.messageId })
            // Time filters take an Instant (or text sent verbatim).
            val lastHour = LogsQuery(startTime = TimeArg.At(Instant.now().minusSeconds(3600)), limit = 100)
            assertTrue(client.getLogs(lastHour).messages.any { it.messageId == sent.messageId })
            val future = LogsQuery(startTime = TimeArg.At(Instant.now().plusSeconds(3600)))
            assertTrue(client.getLogs(future).messages.none { it.messageId == sent.messageId })
        }
    }

    @Test
    fun `requests name the Kotlin binding and the package version in the User-Agent`() = runBlocking {
        // The POM's version, which build.sh checks against the workspace version in Cargo.toml.
        val version = System.getProperty("hookbridge.version") ?: ""
        assertTrue(Regex("""\d+\.\d+\.\d+""").matches(version), "hookbridge.version is '$version'")
        // A recording server stands in for the API: only the request matters, not the answer.
        LocalHttpServer { it.answerJson(200, """{"data":[],"has_more":false}""") }.use { api ->
            HookBridgeClient(DEV_API_KEY, baseUrl = api.url, sendUrl = api.url, retries = 0u).use { c ->
                runCatching { c.listEndpoints() }
            }
            assertEquals("hookbridge-kotlin/$version", api.nextRequest().header("User-Agent"))
        }
    }

    @Test
    fun `a bad API key is an Authentication error with status 401`() = runBlocking {
        HookBridgeClient("hb_test_not_a_valid_key_000000000000000", baseUrl = server.url, sendUrl = server.url, retries = 0u).use { bad ->
            val e = expectThrows<HookBridgeException.Authentication> { bad.getLogs() }
            assertEquals(401, e.status)
            assertEquals("UNAUTHORIZED", e.code)
            assertTrue(e.errorMessage.isNotEmpty())
        }
    }

    @Test
    fun `an unknown message is a NotFound error with status 404`() = runBlocking {
        val unknown = "01935abc-def0-7123-8567-890abcdef012"
        val e = expectThrows<HookBridgeException.NotFound> { client.getMessage(unknown) }
        assertEquals(404, e.status)
        assertEquals("NOT_FOUND", e.code)
        assertNotNull(e.requestId, "the server sends meta.request_id")
    }

    @Test
    fun `reusing an idempotency key with another payload is an Idempotency error with status 409`() = runBlocking {
        LocalHttpServer().use { receiver ->
            val endpoint = client.createEndpoint("${receiver.url}/idem")
            val key = "order-${UUID.randomUUID()}"
            val first = client.sendJson(endpoint.id, """{"n":1}""", SendOptions(idempotencyKey = key))
            val again = client.sendJson(endpoint.id, """{"n":1}""", SendOptions(idempotencyKey = key))
            assertEquals(first.messageId, again.messageId, "an identical repeat returns the original message")
            val e = expectThrows<HookBridgeException.Idempotency> {
                client.sendJson(endpoint.id, """{"n":2}""", SendOptions(idempotencyKey = key))
            }
            assertEquals(409, e.status)
            assertEquals("IDEMPOTENCY_MISMATCH", e.code)
            val other = client.sendJson(endpoint.id, """{"n":2}""", SendOptions(idempotencyKey = "$key-other"))
            assertNotEquals(first.messageId, other.messageId)
        }
    }
}
