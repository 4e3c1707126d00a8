package io.hookbridge

import io.hookbridge.models.*
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.add
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import kotlinx.serialization.json.putJsonArray
import kotlinx.serialization.json.putJsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/**
 * JSON values are kotlinx.serialization `JsonElement`s both ways, against a real
 * `hookbridge-server --dev` and a real local receiver; the `*Json` variants take JSON text.
 */
class JsonValuesTest : AgainstServer() {
    /** A payload with every kind of JSON value, nested, and text outside ASCII. */
    private val order: JsonElement = buildJsonObject {
        put("event", "order.created")
        putJsonObject("order") {
            put("id", 42)
            put("total", "9.99")
            put("paid", true)
            put("note", JsonNull)
            put("customer", "Zoë ✓")
        }
        putJsonArray("tags") {
            add("new")
            add(7)
        }
    }

    private fun parse(body: ByteArray): JsonElement = Json.parseToJsonElement(body.decodeToString())

    @Test
    fun `send takes a JsonElement and the receiver gets the same JSON`() = runBlocking {
        LocalHttpServer().use { receiver ->
            val endpoint = client.createEndpoint("${receiver.url}/json")
            val sent = client.send(endpoint.id, order)
            val delivery = receiver.nextRequest()
            assertEquals(sent.messageId, delivery.header("X-Webhook-Id"))
            assertEquals(order, parse(delivery.body), delivery.body.decodeToString())
        }
    }

    @Test
    fun `sendJson takes JSON text and the receiver gets that JSON`() = runBlocking {
        LocalHttpServer().use { receiver ->
            val endpoint = client.createEndpoint("${receiver.url}/text")
            val text = """{ "event": "raw.text", "n": [1, 2, {"deep": null}] }"""
            val sent = client.sendJson(endpoint.id, text)
            val delivery = receiver.nextRequest()
            assertEquals(sent.messageId, delivery.header("X-Webhook-Id"))
            assertEquals(Json.parseToJsonElement(text), parse(delivery.body))
        }
    }

    @Test
    fun `a pull event's payload comes back as the JsonElement that was ingested`() = runBlocking {
        val created = client.createPullEndpoint(PullEndpointSettings(name = "kotlin json"))
        // The ingest URL names the server's configured address; post to the path on the real one.
        val ingest = server.url + URI(created.endpoint.ingestUrl).rawPath
        val request = HttpRequest.newBuilder(URI(ingest))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(order.toString()))
            .build()
        val answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString())
        assertTrue(answer.statusCode() in 200..299, "ingest answered ${answer.statusCode()}: ${answer.body()}")

        val deadline = System.nanoTime() + 30_000_000_000L
        var events = client.listPullEvents(created.endpoint.id).events
        while (events.isEmpty() && System.nanoTime() < deadline) {
            delay(50)
            events = client.listPullEvents(created.endpoint.id).events
        }
        assertEquals(1, events.size, "the ingested event is listed: $events")
        val event = client.getPullEvent(created.endpoint.id, events[0].id, preview = true)
        val payload: JsonElement = event.payload
        assertEquals(order, payload)
        // The raw JSON text is the element's toString().
        assertEquals(order, Json.parseToJsonElement(payload.toString()))
    }

    @Test
    fun `update fields take a JsonObject, or its text through the Json variant`() = runBlocking {
        val created = client.createPullEndpoint(PullEndpointSettings(name = "before"))
        val updated = client.updatePullEndpointFields(created.endpoint.id, buildJsonObject { put("name", "after") })
        assertEquals("after", updated.name)
        val again = client.updatePullEndpointFieldsJson(created.endpoint.id, """{"name":"again"}""")
        assertEquals("again", again.name)
        val e = expectThrows<HookBridgeException.Validation> {
            client.updatePullEndpointFields(created.endpoint.id, JsonArray(listOf(JsonPrimitive("name"))))
        }
        assertEquals("fields must be a JSON object", e.errorMessage)
        assertEquals("again", client.getPullEndpoint(created.endpoint.id).name, "nothing was changed")
    }
}
