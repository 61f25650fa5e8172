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

import json
from typing import Literal
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from pydantic import Field, field_validator

from fabflow import egress
from fabflow.egress import sign
from fabflow.flows.registry import HandlerFailure, PayloadModel

key = "consume-rest-api"
kind = "automatic"
# With `sendsFeedback` the task waits for the receiver's answer at its updateUrl.
accepts_feedback = True

FORBIDDEN_HEADERS = {
    "host",
    "content-length",
    "content-type",
    "x-fabflow-signature",
    "x-fabflow-delivery",
}

# Header values a dry run does not show: a payload's own credentials stay out of its answer.
HIDDEN = "(hidden)"
CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "cookie"}
CREDENTIAL_WORDS = ("token", "secret", "key", "password", "auth", "signature")


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


def execute(context) -> dict:
    payload = context.payload
    problem = _url_problem(payload.uri)
    if problem:
        raise HandlerFailure(problem, retryable=False)
    client = egress.client(allow_private=may_call_private_addresses(context.order))
    body = _body(context.variables, context.task.feedback_token)
    headers = _headers(
        payload,
        delivery_id=context.delivery_id,
        signature=sign(body, context.order.space.signing_secret),
    )
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


def describe(context) -> dict:
    """The request the task would send, its signature and delivery id left out, and whether it
    then waits for feedback; nothing is called, and the address is checked only when it runs."""
    payload = context.payload
    # A run's token is drawn when its task is created; only a task with feedback has one.
    body = _body(context.variables, "(token)" if payload.sends_feedback else None)
    headers = _headers(payload, delivery_id="(one per attempt)", signature="(signed)")
    problem = _url_problem(payload.uri)
    return {
        "request": {
            "method": payload.method,
            "url": payload.uri,
            "headers": {
                name: HIDDEN if name in payload.headers and _is_credential(name) else value
                for name, value in headers.items()
            },
            "body": json.loads(body),
        },
        "waitsFor": "feedback" if payload.sends_feedback else None,
        "problems": [problem] if problem else [],
    }


def _url_problem(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return f"{uri!r} is not an http or https URL"
    return None


def _body(variables: dict, token: str | None) -> bytes:
    order = dict(variables["order"])
    order["updateUrl"] = feedback_url(token)
    return json.dumps({"order": order}, separators=(",", ":"), sort_keys=True).encode()


def _headers(payload, *, delivery_id: str, signature: str) -> dict:
    return {
        **payload.headers,
        "Content-Type": "application/json",
        "User-Agent": "Fabflow",
        "X-Fabflow-Event": "task",
        "X-Fabflow-Delivery": delivery_id,
        "X-Fabflow-Signature": signature,
    }


def _is_credential(header: str) -> bool:
    name = header.lower()
    return name in CREDENTIAL_HEADERS or any(word in name for word in CREDENTIAL_WORDS)


def feedback_url(token: str | None) -> str:
    return f"{settings.FABFLOW_PUBLIC_URL.rstrip('/')}/api/v1/feedback/{token}"


def may_call_private_addresses(order) -> bool:
    """Whether connectors of `order`'s organization may call loopback and private addresses
    (`egress.private_addresses_allowed`)."""
    return egress.private_addresses_allowed(order.organization_id)
