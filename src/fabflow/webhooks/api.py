"""REST API v1: webhook subscriptions and their deliveries (docs/api.md, "Webhooks").

Handlers parse, call one service of `webhooks/services.py` and render; organization admins (with
their session) reach every subscription of the organization, a secret key those of its space.
"""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from django.http import HttpResponse
from ninja import Router
from pydantic import Field

from fabflow.api.schemas import Input, Output, render, responses
from fabflow.limits import (
    MAX_WEBHOOK_EVENT_TYPES,
    MAX_WEBHOOK_URL_LENGTH,
    WEBHOOK_MAX_RESPONSE_BYTES,
)
from fabflow.webhooks import services
from fabflow.webhooks.models import Delivery, Subscription

router = Router(tags=["webhooks"])

Url = Annotated[str, Field(min_length=1, max_length=MAX_WEBHOOK_URL_LENGTH)]
EventTypes = Annotated[
    list[Annotated[str, Field(max_length=100)]],
    Field(min_length=1, max_length=MAX_WEBHOOK_EVENT_TYPES),
]


class WebhookIn(Input):
    url: Url
    eventTypes: EventTypes
    spaceKey: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class WebhookPatch(Input):
    url: Url | None = None
    eventTypes: EventTypes | None = None
    isEnabled: bool | None = None


class WebhookOut(Output):
    id: UUID
    url: str
    eventTypes: list[str]
    spaceKey: str | None
    isEnabled: bool
    disabledReason: str
    createdAt: datetime
    updatedAt: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="signs every delivery; shown in this answer only")


class WebhookPage(Output):
    items: list[WebhookOut]
    nextCursor: None = None


class DeliveryOut(Output):
    id: UUID
    eventType: str
    orderId: UUID
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    responseCode: int | None
    lastError: str
    responseBody: str = Field(
        description=(
            f"the start of the last attempt's answer: at most {WEBHOOK_MAX_RESPONSE_BYTES} bytes "
            "as received, as UTF-8 text (U+FFFD for bytes that are no UTF-8 and for NUL); empty "
            "when no answer came (lastError says why)"
        )
    )
    responseCut: bool = Field(description="whether the answer went on past responseBody")
    createdAt: datetime
    lastAttemptAt: datetime | None
    nextAttemptAt: datetime | None


class DeliveryPage(Output):
    items: list[DeliveryOut]
    nextCursor: None = None


def render_subscription(subscription: Subscription) -> dict:
    return {
        "id": subscription.pk,
        "url": subscription.url,
        "eventTypes": subscription.listed_event_types(),
        "spaceKey": subscription.space.key if subscription.space_id else None,
        "isEnabled": subscription.is_enabled,
        "disabledReason": subscription.disabled_reason,
        "createdAt": subscription.created_at,
        "updatedAt": subscription.updated_at,
    }


def render_delivery(delivery: Delivery) -> dict:
    return {
        "id": delivery.pk,
        "eventType": delivery.event_type,
        "orderId": delivery.order_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "responseCode": delivery.response_code,
        "lastError": delivery.last_error,
        "responseBody": delivery.response_body,
        "responseCut": delivery.response_cut is True,
        "createdAt": delivery.created_at,
        "lastAttemptAt": delivery.last_attempt_at,
        "nextAttemptAt": delivery.next_attempt_at if delivery.status == "pending" else None,
    }


def _with_secret(created: services.SubscriptionWithSecret, status: int = 200) -> HttpResponse:
    body = {**render_subscription(created.subscription), "secret": created.secret}
    return render(WebhookWithSecret, body, status=status)


@router.get("/webhooks", response=responses({200: WebhookPage}, 403))
def list_webhooks(request):
    """List the webhook subscriptions the caller manages."""
    subscriptions = services.list_subscriptions(actor=request.auth)
    return render(WebhookPage, {"items": [render_subscription(s) for s in subscriptions]})


@router.post("/webhooks", response=responses({201: WebhookWithSecret}, 403, 404, 409, 413))
def create_webhook(request, payload: WebhookIn):
    """Subscribe an endpoint to event types; the answer holds its signing secret, this once."""
    created = services.create_subscription(
        actor=request.auth,
        url=payload.url,
        event_types=payload.eventTypes,
        space_key=payload.spaceKey,
    )
    return _with_secret(created, status=201)


@router.get("/webhooks/{webhook_id}", response=responses({200: WebhookOut}, 403, 404))
def get_webhook(request, webhook_id: UUID):
    """Read a webhook subscription."""
    subscription = services.get_subscription(actor=request.auth, subscription_id=webhook_id)
    return render(WebhookOut, render_subscription(subscription))


@router.patch("/webhooks/{webhook_id}", response=responses({200: WebhookOut}, 403, 404, 413))
def update_webhook(request, webhook_id: UUID, payload: WebhookPatch):
    """Change a subscription's URL or event types, or switch it on or off."""
    subscription = services.update_subscription(
        actor=request.auth,
        subscription_id=webhook_id,
        **_given(url=payload.url, event_types=payload.eventTypes, enabled=payload.isEnabled),
    )
    return render(WebhookOut, render_subscription(subscription))


def _given(**values) -> dict:
    return {name: value for name, value in values.items() if value is not None}


@router.delete("/webhooks/{webhook_id}", response=responses({204: None}, 403, 404))
def delete_webhook(request, webhook_id: UUID):
    """Delete a subscription; its deliveries still waiting are not sent."""
    services.delete_subscription(actor=request.auth, subscription_id=webhook_id)
    return HttpResponse(status=204)


@router.post(
    "/webhooks/{webhook_id}/secret", response=responses({200: WebhookWithSecret}, 403, 404)
)
def rotate_webhook_secret(request, webhook_id: UUID):
    """Give a subscription a new signing secret; the answer holds it, this once."""
    return _with_secret(services.rotate_secret(actor=request.auth, subscription_id=webhook_id))


@router.get("/webhooks/{webhook_id}/deliveries", response=responses({200: DeliveryPage}, 403, 404))
def list_deliveries(request, webhook_id: UUID):
    """The subscription's 100 most recent deliveries, newest first."""
    deliveries = services.recent_deliveries(actor=request.auth, subscription_id=webhook_id)
    return render(DeliveryPage, {"items": [render_delivery(d) for d in deliveries]})


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/resend",
    response=responses({200: DeliveryOut}, 403, 404, 409),
)
def resend_delivery(request, webhook_id: UUID, delivery_id: UUID):
    """Send a delivered or given-up delivery again, with its id and body."""
    delivery = services.resend_delivery(
        actor=request.auth, subscription_id=webhook_id, delivery_id=delivery_id
    )
    return render(DeliveryOut, render_delivery(delivery))
