"""Calls an outside REST API with the order, signed with the space's signing secret.

The body is `{"order": {…, "updateUrl"}}`. Headers: `X-Fabflow-Signature: sha256=<hex HMAC of
the body>`, `X-Fabflow-Delivery: <id>` (the same on every retry of one task attempt, so the
receiver can ignore a repeat) and `X-Fabflow-Event: task`. A 2xx answer succeeds; with
`sendsFeedback` the task then waits until the receiver posts to `updateUrl`. 5xx, 429 and
network errors are retried; other answers fail the task.
"""

import functools
import hashlib
import hmac
import ipaddress
import json
import socket
from typing import Literal
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from pydantic import Field, field_validator

from fabflow.flows.registry import HandlerFailure, PayloadModel

key = "consume-rest-api"
kind = "automatic"

TIMEOUT_SECONDS = 30
FORBIDDEN_HEADERS = {
    "host",
    "content-length",
    "content-type",
    "x-fabflow-signature",
    "x-fabflow-delivery",
}


class Payload(PayloadModel):
    uri: str = Field(min_length=1, max_length=2000, description="http(s) URL to call")
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    sends_feedback: bool = Field(
        default=False, description="wait for the receiver to POST to updateUrl"
    )

    @field_validator("uri")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if "{{" in value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("uri must be an http or https URL")
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.lower() in FORBIDDEN_HEADERS:
                raise ValueError(f"the header {name!r} is set by Fabflow")
        return value


@functools.cache
def _client() -> httpx.Client:
    """One client per worker process: building one (and its TLS context) per call cost more
    than the call itself. httpx clients are safe to share between threads."""
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)


def sign(body: bytes, secret: str) -> str:
    """The X-Fabflow-Signature value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def execute(context) -> dict:
    payload = context.payload
    parts = urlsplit(payload.uri)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HandlerFailure(f"{payload.uri!r} is not an http or https URL", retryable=False)
    check_destination(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    order = dict(context.variables["order"])
    order["updateUrl"] = feedback_url(context.task.feedback_token)
    body = json.dumps({"order": order}, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        **payload.headers,
        "Content-Type": "application/json",
        "User-Agent": "Fabflow",
        "X-Fabflow-Event": "task",
        "X-Fabflow-Delivery": context.delivery_id,
        "X-Fabflow-Signature": sign(body, context.order.space.signing_secret),
    }
    try:
        response = _client().request(payload.method, payload.uri, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise HandlerFailure(f"{payload.method} {payload.uri} failed: {error}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise HandlerFailure(f"{payload.method} {payload.uri} answered {response.status_code}")
    if not 200 <= response.status_code < 300:
        raise HandlerFailure(
            f"{payload.method} {payload.uri} answered {response.status_code}", retryable=False
        )
    context.waits_for_feedback = payload.sends_feedback
    return {"statusCode": response.status_code, "deliveryId": context.delivery_id}


def feedback_url(token: str | None) -> str:
    return f"{settings.FABFLOW_PUBLIC_URL.rstrip('/')}/api/v1/feedback/{token}"


def check_destination(host: str, port: int) -> None:
    """Refuse loopback, private, link-local and reserved addresses unless settings allow them."""
    if settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS:
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise HandlerFailure(f"Cannot resolve {host!r}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise HandlerFailure(
                f"{host!r} resolves to the non-public address {address}; an admin can allow "
                "private addresses with FABFLOW_ALLOW_PRIVATE_WEBHOOKS",
                retryable=False,
            )
