package io.hookbridge

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.util.Base64

/** Every case of tests/vectors/signing.json, both schemes (format: tests/vectors/README.md). */
class SigningVectorsTest {
    private val cases: List<JSONObject> by lazy {
        val file = File(repoRoot(), "tests/vectors/signing.json")
        val array = JSONObject(file.readText()).getJSONArray("cases")
        (0 until array.length()).map { array.getJSONObject(it) }
    }

    private val standardWebhooksCases: List<JSONObject> by lazy {
        val file = File(repoRoot(), "tests/vectors/signing.json")
        val array = JSONObject(file.readText()).getJSONArray("standard_webhooks_cases")
        (0 until array.length()).map { array.getJSONObject(it) }
    }

    /** The failure kind of a verification error, as the vectors name it. */
    private fun kindOf(e: WebhookVerificationException): String = when (e) {
        is WebhookVerificationException.Missing -> "missing"
        is WebhookVerificationException.Malformed -> "malformed"
        is WebhookVerificationException.Expired -> "expired"
        is WebhookVerificationException.Mismatch -> "mismatch"
    }

    private fun bodyOf(case: JSONObject): ByteArray =
        if (case.has("body_b64")) {
            Base64.getDecoder().decode(case.getString("body_b64"))
        } else {
            val repeat = case.getJSONObject("body_repeat")
            ByteArray(repeat.getInt("count")) { repeat.getInt("byte").toByte() }
        }

    private fun strings(case: JSONObject, key: String): List<String> {
        val array = case.getJSONArray(key)
        return (0 until array.length()).map { array.getString(it) }
    }

    private fun check(case: JSONObject) {
        val body = bodyOf(case)
        val secrets = strings(case, "secrets")
        val timestamp = case.getString("timestamp")
        val expectedSignatures = strings(case, "expected_signatures")
        assertEquals(secrets.size, expectedSignatures.size)
        secrets.zip(expectedSignatures).forEach { (secret, expected) ->
            assertEquals(expected, signWebhook(secret, timestamp, body))
        }
        if (secrets.isNotEmpty()) {
            assertEquals(expectedSignatures.joinToString(","), webhookSignatureHeader(secrets, timestamp, body))
        }

        val outcome = try {
            verifyWebhook(
                body,
                case.getString("signature_header"),
                timestamp,
                secrets,
                toleranceSeconds = case.getLong("tolerance_seconds").toULong(),
                now = case.getLong("now"),
            )
            "valid"
        } catch (e: WebhookVerificationException) {
            assertTrue(!e.message.isNullOrBlank(), "a failure names its problem")
            kindOf(e)
        }
        assertEquals(case.getString("expected"), outcome, case.getString("description"))
    }

    private fun checkStandardWebhooks(case: JSONObject) {
        val body = bodyOf(case)
        val secrets = strings(case, "secrets")
        val id = case.getString("message_id")
        val timestamp = case.getString("timestamp")
        // Empty when the case cannot be signed (a secret that is not base64, an empty id or timestamp).
        strings(case, "expected_signatures").zip(secrets).forEach { (expected, secret) ->
            assertEquals(expected, signStandardWebhook(secret, id, timestamp, body))
        }
        val outcome = try {
            verifyStandardWebhook(
                body,
                id,
                timestamp,
                case.getString("signature_header"),
                secrets,
                toleranceSeconds = case.getLong("tolerance_seconds").toULong(),
                now = case.getLong("now"),
            )
            "valid"
        } catch (e: WebhookVerificationException) {
            assertTrue(!e.message.isNullOrBlank(), "a failure names its problem")
            kindOf(e)
        }
        assertEquals(case.getString("expected"), outcome, case.getString("description"))
    }

    @TestFactory
    fun `every Standard Webhooks vector`(): List<DynamicTest> =
        standardWebhooksCases.map { case -> DynamicTest.dynamicTest(case.getString("name")) { checkStandardWebhooks(case) } }

    @TestFactory
    fun `every signing vector`(): List<DynamicTest> =
        cases.map { case -> DynamicTest.dynamicTest(case.getString("name")) { check(case) } }

    @Test
    fun `the vectors cover every outcome`() {
        val outcomes = cases.map { it.getString("expected") }.toSet()
        assertEquals(setOf("valid", "missing", "malformed", "expired", "mismatch"), outcomes)
    }
}
