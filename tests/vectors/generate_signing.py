#!/usr/bin/env python3
"""Rebuilds tests/vectors/signing.json, the shared webhook-signature test vectors.

The signatures are computed here with Python's own hmac/hashlib, independently of the
HookBridge implementation that the vectors check. The output is deterministic: running the
script twice gives the same bytes.

    python3 tests/vectors/generate_signing.py           # rewrite signing.json
    python3 tests/vectors/generate_signing.py --check   # exit 1 if signing.json is stale

The file format is described in tests/vectors/README.md.
"""

import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("signing.json")

NOW = 1_700_000_000
TOLERANCE = 300
SECRET = "whsec_k8Ds1yQe0pLz7mVb3nRt5wXa9cFg2hJu"
OLD_SECRET = "whsec_oldoldoldoldoldoldoldoldoldold12"
NEW_SECRET = "whsec_newnewnewnewnewnewnewnewnewnew34"
OTHER_SECRET = "whsec_0therSecretThatSignedNothing000"
BODY = b'{"event":"order.created","data":{"id":"ord_123","amount":4200}}'
MIB_SPEC = {"byte": 97, "count": 1024 * 1024}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=<lowercase hex HMAC-SHA256(secret as UTF-8, "<timestamp>.<body>")>."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_bytes(case: dict) -> bytes:
    if "body_repeat" in case:
        spec = case["body_repeat"]
        return bytes([spec["byte"]]) * spec["count"]
    return base64.b64decode(case["body_b64"])


def case(name, description, expected, *, secrets, header, timestamp=str(NOW), body=BODY, body_repeat=None,
         now=NOW, tolerance=TOLERANCE):
    entry = {
        "name": name,
        "description": description,
        "secrets": secrets,
        "timestamp": timestamp,
        "now": now,
        "tolerance_seconds": tolerance,
    }
    if body_repeat is not None:
        entry["body_repeat"] = body_repeat
    else:
        entry["body_b64"] = base64.b64encode(body).decode("ascii")
    entry["signature_header"] = header
    entry["expected"] = expected
    raw = body_bytes(entry)
    entry["expected_signatures"] = [sign(s, timestamp, raw) for s in secrets]
    return entry


# --- Standard Webhooks (https://www.standardwebhooks.com) -------------------------------------

SW_SECRET = "whsec_" + base64.b64encode(hashlib.sha256(b"standard-webhooks-secret").digest()).decode("ascii")
SW_OLD_SECRET = "whsec_" + base64.b64encode(hashlib.sha256(b"standard-webhooks-old").digest()).decode("ascii")
SW_NEW_SECRET = "whsec_" + base64.b64encode(hashlib.sha256(b"standard-webhooks-new").digest()).decode("ascii")
SW_OTHER_SECRET = "whsec_" + base64.b64encode(hashlib.sha256(b"standard-webhooks-other").digest()).decode("ascii")
SW_MSG_ID = "msg_2Ldbr7pFZ3tQe9YvXw1Ka8Hn"
# The specification's own example (secret, id, timestamp, body and signature).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TS = "1614265330"
SPEC_BODY = b'{"test": 2432232314}'


def sw_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: the base64 after whsec_, decoded."""
    encoded = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    return base64.b64decode(encoded, validate=True)


def sw_sign(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>."""
    data = msg_id.encode("utf-8") + b"." + timestamp.encode("utf-8") + b"." + body
    return "v1," + base64.b64encode(hmac.new(sw_key(secret), data, hashlib.sha256).digest()).decode("ascii")


def sw_case(name, description, expected, *, secrets, header, msg_id=SW_MSG_ID, timestamp=str(NOW), body=BODY, now=NOW,
            tolerance=TOLERANCE, signable=True):
    return {
        "name": name,
        "description": description,
        "secrets": secrets,
        "message_id": msg_id,
        "timestamp": timestamp,
        "now": now,
        "tolerance_seconds": tolerance,
        "body_b64": base64.b64encode(body).decode("ascii"),
        "signature_header": header,
        "expected": expected,
        "expected_signatures": [sw_sign(s, msg_id, timestamp, body) for s in secrets] if signable else [],
    }


def build_standard_webhooks() -> list:
    ts = str(NOW)
    good = sw_sign(SW_SECRET, SW_MSG_ID, ts, BODY)
    other = sw_sign(SW_OTHER_SECRET, SW_MSG_ID, ts, BODY)
    rotation = f"{sw_sign(SW_OLD_SECRET, SW_MSG_ID, ts, BODY)} {sw_sign(SW_NEW_SECRET, SW_MSG_ID, ts, BODY)}"
    stale_ts, edge_ts, future_ts = str(NOW - TOLERANCE - 1), str(NOW - TOLERANCE), str(NOW + TOLERANCE + 1)
    utf8_body = '{"name":"Zoë","emoji":"🚀"}'.encode("utf-8")
    # A secret in HookBridge's own form (whsec_ + 32 letters and digits) is also valid base64.
    hb_form = "whsec_k8ds1yqe0plz7mvb3nrt5wxa9cfg2hju"
    text_key = "v1," + base64.b64encode(hmac.new(hb_form.encode(), f"{SW_MSG_ID}.{ts}.".encode() + BODY,
                                                 hashlib.sha256).digest()).decode("ascii")
    return [
        sw_case("sw_spec_example", "The example of the Standard Webhooks specification.", "valid",
                secrets=[SPEC_SECRET], msg_id=SPEC_MSG_ID, timestamp=SPEC_TS, body=SPEC_BODY, now=int(SPEC_TS),
                header=sw_sign(SPEC_SECRET, SPEC_MSG_ID, SPEC_TS, SPEC_BODY)),
        sw_case("sw_valid_single_signature", "One v1 entry made with the one secret.", "valid",
                secrets=[SW_SECRET], header=good),
        sw_case("sw_two_entries_one_valid", "Two space-separated entries; only the second matches.", "valid",
                secrets=[SW_SECRET], header=f"{other} {good}"),
        sw_case("sw_rotation_both_valid", "Rotation: one entry per active key; both secrets known.", "valid",
                secrets=[SW_OLD_SECRET, SW_NEW_SECRET], header=rotation),
        sw_case("sw_rotation_only_new_secret_known", "Rotation header checked with only the new secret.", "valid",
                secrets=[SW_NEW_SECRET], header=rotation),
        sw_case("sw_unknown_version_ignored", "An entry of another version is skipped; the v1 entry matches.", "valid",
                secrets=[SW_SECRET], header="v1a,c29tZXRoaW5nIGVsc2U= " + good),
        sw_case("sw_extra_whitespace", "Several spaces between entries and around the header.", "valid",
                secrets=[SW_SECRET], header=f"  {other}   {good}  "),
        sw_case("sw_secret_without_prefix", "The secret given without whsec_ (the libraries accept both).", "valid",
                secrets=[SW_SECRET[len("whsec_"):]], header=good),
        sw_case("sw_hookbridge_form_secret_decoded", "A whsec_ + 32 alphanumerics secret used the spec's way: "
                "its text after whsec_ base64-decoded (24 bytes).", "valid",
                secrets=[hb_form], header=sw_sign(hb_form, SW_MSG_ID, ts, BODY)),
        sw_case("sw_secret_text_as_key", "Signed with the secret's text as the key (the whsec_ trap): no match.",
                "mismatch", secrets=[hb_form], header=text_key),
        sw_case("sw_tampered_body", "Signed over the original body, one byte of the delivered body changed.", "mismatch",
                secrets=[SW_SECRET], header=good, body=BODY.replace(b"4200", b"4201")),
        sw_case("sw_other_message_id", "The message id is signed: another id does not match.", "mismatch",
                secrets=[SW_SECRET], msg_id="msg_other", header=good),
        sw_case("sw_wrong_secret", "Signed with another secret.", "mismatch", secrets=[SW_SECRET], header=other),
        sw_case("sw_stale_timestamp", "Correctly signed, one second older than the tolerance.", "expired",
                secrets=[SW_SECRET], timestamp=stale_ts, header=sw_sign(SW_SECRET, SW_MSG_ID, stale_ts, BODY)),
        sw_case("sw_tolerance_edge_valid", "Exactly as old as the tolerance allows (inclusive).", "valid",
                secrets=[SW_SECRET], timestamp=edge_ts, header=sw_sign(SW_SECRET, SW_MSG_ID, edge_ts, BODY)),
        sw_case("sw_future_timestamp", "Correctly signed, one second further in the future than the tolerance.",
                "expired", secrets=[SW_SECRET], timestamp=future_ts,
                header=sw_sign(SW_SECRET, SW_MSG_ID, future_ts, BODY)),
        sw_case("sw_malformed_no_v1_entry", "No entry has the form v1,<base64 of 32 bytes>.", "malformed",
                secrets=[SW_SECRET], header="v2," + good[3:] + " v1,bm90MzJieXRlcw=="),
        sw_case("sw_malformed_timestamp", "The timestamp is not an integer.", "malformed",
                secrets=[SW_SECRET], timestamp="1700000000.5",
                header=sw_sign(SW_SECRET, SW_MSG_ID, "1700000000.5", BODY)),
        sw_case("sw_malformed_secret", "The secret is not whsec_ + base64.", "malformed",
                secrets=["whsec_not*base64!"], header=good, signable=False),
        sw_case("sw_missing_id", "The webhook-id header is absent (empty).", "missing",
                secrets=[SW_SECRET], msg_id="", header=good, signable=False),
        sw_case("sw_missing_timestamp", "The webhook-timestamp header is absent (empty).", "missing",
                secrets=[SW_SECRET], timestamp="", header=good, signable=False),
        sw_case("sw_missing_signature", "The webhook-signature header is absent (empty).", "missing",
                secrets=[SW_SECRET], header=""),
        sw_case("sw_no_secrets", "The receiver has no secret to check with.", "missing", secrets=[], header=good),
        sw_case("sw_empty_body", "An empty body is signed as \"<id>.<timestamp>.\".", "valid",
                secrets=[SW_SECRET], body=b"", header=sw_sign(SW_SECRET, SW_MSG_ID, ts, b"")),
        sw_case("sw_utf8_body", "A body with non-ASCII UTF-8 text.", "valid",
                secrets=[SW_SECRET], body=utf8_body, header=sw_sign(SW_SECRET, SW_MSG_ID, ts, utf8_body)),
    ]


def build() -> dict:
    ts = str(NOW)
    good = sign(SECRET, ts, BODY)
    other = sign(OTHER_SECRET, ts, BODY)
    stale_ts = str(NOW - TOLERANCE - 1)
    edge_ts = str(NOW - TOLERANCE)
    future_ts = str(NOW + TOLERANCE + 1)
    utf8_body = '{"name":"Zoë","city":"Zürich","emoji":"🚀","text":"日本語"}'.encode("utf-8")
    mib = bytes([MIB_SPEC["byte"]]) * MIB_SPEC["count"]
    bare_secret = SECRET[len("whsec_"):]
    cases = [
        case("valid_single_signature", "One signature made with the one secret.", "valid",
             secrets=[SECRET], header=good),
        case("two_signatures_one_valid", "Two entries; only the second matches the secret.", "valid",
             secrets=[SECRET], header=f"{other},{good}"),
        case("rotation_both_valid", "During rotation the header carries old and new signatures; both secrets are known.",
             "valid", secrets=[OLD_SECRET, NEW_SECRET],
             header=f"{sign(OLD_SECRET, ts, BODY)},{sign(NEW_SECRET, ts, BODY)}"),
        case("rotation_only_new_secret_known", "Rotation header checked by a receiver that only has the new secret.",
             "valid", secrets=[NEW_SECRET],
             header=f"{sign(OLD_SECRET, ts, BODY)},{sign(NEW_SECRET, ts, BODY)}"),
        case("tampered_body", "Signed over the original body, one byte of the delivered body changed.", "mismatch",
             secrets=[SECRET], header=good, body=BODY.replace(b"4200", b"4201")),
        case("wrong_secret", "Signed with another secret.", "mismatch",
             secrets=[SECRET], header=other),
        case("stale_timestamp", "Correctly signed, but one second older than the tolerance.", "expired",
             secrets=[SECRET], timestamp=stale_ts, header=sign(SECRET, stale_ts, BODY)),
        case("tolerance_edge_valid", "Exactly as old as the tolerance allows (the bound is inclusive).", "valid",
             secrets=[SECRET], timestamp=edge_ts, header=sign(SECRET, edge_ts, BODY)),
        case("future_timestamp", "Correctly signed, one second further in the future than the tolerance.", "expired",
             secrets=[SECRET], timestamp=future_ts, header=sign(SECRET, future_ts, BODY)),
        case("malformed_header_scheme", "No entry uses the sha256= scheme.", "malformed",
             secrets=[SECRET], header="v1=" + good[len("sha256="):]),
        case("malformed_header_not_hex", "The sha256= entry is not 64 hex digits.", "malformed",
             secrets=[SECRET], header="sha256=" + "zz" * 32),
        case("malformed_header_truncated", "The sha256= entry has 63 hex digits.", "malformed",
             secrets=[SECRET], header=good[:-1]),
        case("malformed_timestamp", "The timestamp header is not an integer.", "malformed",
             secrets=[SECRET], timestamp="1700000000.5", header=sign(SECRET, "1700000000.5", BODY)),
        case("missing_signature_header", "The signature header is absent (empty).", "missing",
             secrets=[SECRET], header=""),
        case("missing_timestamp", "The timestamp header is absent (empty).", "missing",
             secrets=[SECRET], timestamp="", header=sign(SECRET, "", BODY)),
        case("no_secrets", "The receiver has no secret to check with.", "missing",
             secrets=[], header=good),
        case("empty_body", "An empty body is signed as \"<timestamp>.\".", "valid",
             secrets=[SECRET], body=b"", header=sign(SECRET, ts, b"")),
        case("utf8_body", "A body with non-ASCII UTF-8 text; the HMAC covers its bytes.", "valid",
             secrets=[SECRET], body=utf8_body, header=sign(SECRET, ts, utf8_body)),
        case("one_mib_body", "A 1 MiB body of the byte 'a' (given as body_repeat).", "valid",
             secrets=[SECRET], body_repeat=MIB_SPEC, header=sign(SECRET, ts, mib)),
        case("whitespace_around_commas", "Spaces around the comma and at both ends of the header are ignored.", "valid",
             secrets=[SECRET], header=f" {other} ,  {good} "),
        case("whsec_prefix_kept", "The secret is used whole, whsec_ prefix included.", "valid",
             secrets=[SECRET], header=good),
        case("whsec_prefix_stripped", "The same signature checked with the prefix stripped from the secret.", "mismatch",
             secrets=[bare_secret], header=good),
        case("second_candidate_secret_matches", "Several candidate secrets; the second one signed the delivery.", "valid",
             secrets=[OTHER_SECRET, SECRET, NEW_SECRET], header=good),
    ]
    return {
        "version": 1,
        "description": "HookBridge webhook signature vectors: X-Webhook-Signature = comma-joined "
                       "sha256=<hex HMAC-SHA256(secret, \"<timestamp>.<raw body>\")>. Format: tests/vectors/README.md.",
        "generator": "tests/vectors/generate_signing.py (Python hmac/hashlib)",
        "cases": cases,
        "standard_webhooks_description": "Standard Webhooks vectors: webhook-signature = space-separated "
                                         "v1,<base64 HMAC-SHA256(base64-decoded secret after whsec_, "
                                         "\"<id>.<timestamp>.<raw body>\")>. Format: tests/vectors/README.md.",
        "standard_webhooks_cases": build_standard_webhooks(),
    }


def count() -> str:
    built = build()
    return f"{len(built['cases'])} + {len(built['standard_webhooks_cases'])} standard_webhooks"


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=True) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run python3 {Path(__file__).as_posix()}", file=sys.stderr)
            return 1
        print(f"{OUT.name} is up to date ({count()} cases)")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({count()} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
