"""Calls an outside REST API with the order, signed with the space's signing secret.

The body is `{"order": {…, "updateUrl"}}`. Headers: `X-Fabflow-Signature: sha256=<hex HMAC of
the body>`, `X-Fabflow-Delivery: <id>` (the same on every retry of one task attempt, so the
receiver can ignore a repeat) and `X-Fabflow-Event: task`. A 2xx answer succeeds; with
`sendsFeedback` the task then waits until the receiver posts to `updateUrl`. 5xx, 429 and
network errors are retried; other answers fail the task, and redirects are not followed.

The call goes through `fabflow.egress`: the host is resolved once, every address it resolves to
must be public unless the installation or the order's organization allows private addresses, and
the connection is made to one of those checked addresses.
"""

import hashlib
import hmac
import json
from typing import Literal
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from pydantic import Field, field_validator

from fabflow import egress
from fabflow.accounts.models import Organization
from fabflow.flows.registry import HandlerFailure, PayloadModel

key = "consume-rest-api"
kind = "automatic"

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


def sign(body: bytes, secret: str) -> str:
    """The X-Fabflow-Signature value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def execute(context) -> dict:
    payload = context.payload
    parts = urlsplit(payload.uri)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HandlerFailure(f"{payload.uri!r} is not an http or https URL", retryable=False)
    client = egress.client(allow_private=may_call_private_addresses(context.order))
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
        response = client.request(payload.method, payload.uri, content=body, headers=headers)
    except egress.AddressNotAllowed as refusal:
        raise HandlerFailure(
            f"{refusal}; an organization admin can allow private addresses on the "
            "Organization page",
            retryable=False,
        ) from None
    except egress.HostNotResolved as failure:
        raise HandlerFailure(str(failure)) from None
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


def may_call_private_addresses(order) -> bool:
    """Whether connectors of `order`'s organization may call loopback and private addresses:
    allowed for the whole installation, or by the organization's admin."""
    if settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS:
        return True
    return Organization.objects.filter(
        pk=order.organization_id, allow_private_addresses=True
    ).exists()
