"""The client's `verify_signature` accepts the signature of a real connector call and refuses a
tampered body, another secret and a missing header."""

import json

import pytest
from fabflow_client import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    verify_signature,
)

from tests.clients.conftest import signed_call


def test_a_real_connector_call_verifies_and_a_tampered_one_does_not(
    client_server, connector_receiver
):
    order, call = signed_call(client_server, connector_receiver)
    header = call.headers.get(SIGNATURE_HEADER)
    tampered = call.body.replace(b'"Signed order', b'"Forged order', 1)

    assert json.loads(call.body)["order"]["id"] == str(order.id)
    assert header.startswith("sha256=")
    assert call.headers.get(EVENT_HEADER) == "task"
    assert call.headers.get(DELIVERY_HEADER)
    assert verify_signature(call.body, header, client_server.signing_secret) is True
    assert tampered != call.body
    assert verify_signature(tampered, header, client_server.signing_secret) is False
    assert verify_signature(call.body, header, client_server.signing_secret + "x") is False
    assert verify_signature(call.body, None, client_server.signing_secret) is False
    assert verify_signature(call.body, "sha256=", client_server.signing_secret) is False
    assert verify_signature(call.body, "sha256=ä", client_server.signing_secret) is False


def test_a_decoded_body_is_refused_rather_than_checked():
    with pytest.raises(TypeError, match="raw body"):
        verify_signature('{"order": {}}', "sha256=00", "secret")
