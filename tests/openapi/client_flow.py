"""Uses the client that openapi-python-client GENERATED from /openapi.json (package
hookbridge_openapi_client, on PYTHONPATH) against a real hookbridge-server: creates an endpoint,
sends a message to it and reads the message back. Usage: client_flow.py BASE_URL API_KEY"""

import sys

from hookbridge_openapi_client import AuthenticatedClient
from hookbridge_openapi_client.api.default import create_endpoint, get_endpoint, get_message, send
from hookbridge_openapi_client.models import CreateEndpointRequest, SendWebhookRequest
from hookbridge_openapi_client.types import Unset


def main(base_url: str, api_key: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=api_key, raise_on_unexpected_status=True)
    with client:
        created = create_endpoint.sync_detailed(
            client=client,
            body=CreateEndpointRequest(url="http://127.0.0.1:9/hook", description="openapi stage"),
        )
        assert created.status_code == 201, (created.status_code, created.content)
        endpoint = created.parsed.data
        assert endpoint.id.startswith("ep_"), endpoint.id
        assert endpoint.signing_secret.startswith("whsec_"), "the secret is shown once, at creation"
        fetched = get_endpoint.sync(client=client, endpoint_id=endpoint.id)
        assert fetched.data.url == "http://127.0.0.1:9/hook", fetched.data.url

        body = SendWebhookRequest.from_dict({"endpoint_id": endpoint.id, "payload": {"event": "order.paid", "n": 1}})
        sent = send.sync_detailed(client=client, body=body)
        assert sent.status_code == 202, (sent.status_code, sent.content)
        message_id = sent.parsed.data.message_id
        assert len(message_id) == 36, message_id

        message = get_message.sync(client=client, message_id=message_id)
        assert message is not None
        assert message.data.id == message_id, message.data.id
        assert message.data.endpoint_id == endpoint.id
        assert not isinstance(message.meta.request_id, Unset) and message.meta.request_id
        print(f"generated client: endpoint {endpoint.id}, message {message_id} ({message.data.status})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
