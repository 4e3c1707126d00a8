"""One type set: the result dataclasses of ``hookbridge.types`` against the models the server
describes in its OpenAPI document (``components.schemas`` of ``/openapi.json``, generated from
the core's models with schemars). For every dataclass that mirrors a model, the field names are
the model's JSON property names, except the differences listed below, each with its reason. A
field added to (or renamed in) a core model thus fails here until the dataclass follows or the
difference is listed; a new dataclass fails until it is classified."""

import dataclasses
import json
import urllib.request
from typing import Any

import pytest

from conftest import Server
from hookbridge import types

# Dataclasses whose model the document names differently.
SCHEMA_NAMES = {
    "DLQMessagesResponse": "DlqPage",
    "DeleteAllResult": "DeletedAll",
    "DeletePartialError": "PullDeletePartialError",
    "ExportRecord": "ExportView",
    "ListenMessage": "ListenItem",
    "MessageSummary": "LogEntry",
}

# Dataclasses with no model in the document, and why.
NOT_DESCRIBED = {
    "CheckoutSession": "hosted-service session of the official 1.4.0 package; no route of this server",
    "PortalSession": "hosted-service session of the official 1.4.0 package; no route of this server",
}
# Page wrappers: the document describes the items and the route's answer, not a named page model
# (the core derives `has_more` and the list key from the answer).
PAGES = {
    "AttemptsResponse",
    "InboundLogsResponse",
    "InboundRejectionsResponse",
    "InvoicesResponse",
    "ListEndpointsResponse",
    "ListInboundEndpointsResponse",
    "ListPullEndpointsResponse",
    "ListPullEventsResponse",
    "ListenInboundEndpointResponse",
    "LogsResponse",
    "PullLogsResponse",
    "UsageHistoryResponse",
}

# Fields the official package declares and the server never returns (they stay None here).
PYTHON_ONLY = {
    ("InboundMessage", "deleted_by_user_id"): "official 2.0.0 field the server's inbound message does not carry",
    ("InboundMessage", "queue_wait_ms"): "official 2.0.0 field the server's inbound message does not carry",
    ("DeleteAllResult", "error"): "official 2.0.0 field the server's delete-all answer does not carry",
}
# Model fields the official package has no field for (kept out so its shapes stay identical;
# read them through the raw JSON).
MODEL_ONLY = {
    ("AttemptRecord", "response_body"): "not in the official 2.0.0 attempt record",
    ("MessageSummary", "endpoint_id"): "not in the official log entry, which names the endpoint by URL (endpoint)",
    ("ExportRecord", "direction"): "not in the official 2.0.0 export record",
}


def result_dataclasses() -> dict[str, type]:
    return {
        name: obj
        for name, obj in vars(types).items()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == types.__name__
    }


@pytest.fixture(scope="module")
def schemas(server: Server) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/openapi.json", timeout=30) as answer:
        document = json.loads(answer.read())
    found = document["components"]["schemas"]
    assert isinstance(found, dict) and len(found) > 50
    return found


def test_every_dataclass_is_classified(schemas: dict[str, Any]) -> None:
    unclassified = [
        name
        for name in result_dataclasses()
        if SCHEMA_NAMES.get(name, name) not in schemas and name not in NOT_DESCRIBED and name not in PAGES
    ]
    assert not unclassified, f"dataclasses with no model in /openapi.json and no reason listed: {unclassified}"
    for name, schema in SCHEMA_NAMES.items():
        assert schema in schemas, f"{name}: the document has no {schema} (renamed again?)"


@pytest.mark.parametrize("name", sorted(set(result_dataclasses()) - set(NOT_DESCRIBED) - PAGES))
def test_dataclass_fields_are_the_model_fields(name: str, schemas: dict[str, Any]) -> None:
    schema = schemas[SCHEMA_NAMES.get(name, name)]
    properties = set(schema.get("properties", {}))
    assert properties, f"{name}: its model has no properties in the document"
    fields = {f.name for f in dataclasses.fields(result_dataclasses()[name])}
    python_only = {f for f in fields - properties if (name, f) not in PYTHON_ONLY}
    model_only = {p for p in properties - fields if (name, p) not in MODEL_ONLY}
    assert not python_only, f"{name}: fields the server's model lacks: {sorted(python_only)}"
    assert not model_only, f"{name}: model fields the dataclass lacks: {sorted(model_only)}"


def test_listed_differences_are_still_differences(schemas: dict[str, Any]) -> None:
    """A listed difference that no longer exists is removed from the list, not kept as noise."""
    classes = result_dataclasses()
    for (name, field), _reason in {**PYTHON_ONLY, **MODEL_ONLY}.items():
        properties = set(schemas[SCHEMA_NAMES.get(name, name)].get("properties", {}))
        fields = {f.name for f in dataclasses.fields(classes[name])}
        assert (field in fields) != (field in properties), f"{name}.{field} is listed as a difference but is not one"

