"""Subscribing endpoints to events, and resending deliveries; every rule of webhooks is here.

Organization admins manage every subscription of their organization; a secret key manages
those of its own product space (`Actor.restrict`); other users may not. Every bound is checked
before anything is written.
"""

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from fabflow import egress
from fabflow.accounts.actors import Actor
from fabflow.audit import trail as audit
from fabflow.audit.models import Action
from fabflow.bounds import check_text
from fabflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from fabflow.limits import (
    MAX_WEBHOOK_EVENT_TYPES,
    MAX_WEBHOOK_SUBSCRIPTIONS_PER_ORGANIZATION,
    MAX_WEBHOOK_URL_LENGTH,
)
from fabflow.webhooks.error_codes import WebhookErrorCode
from fabflow.webhooks.events import DELIVERY_WINDOW
from fabflow.webhooks.models import Delivery, DeliveryStatus, EventType, Subscription

UNSET = object()
# The deliveries a subscription's page and the API list: the most recent ones.
RECENT_DELIVERIES = 100


@dataclass(frozen=True)
class SubscriptionWithSecret:
    """A subscription just created or given a new secret, with that secret: shown this once."""

    subscription: Subscription
    secret: str


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def list_subscriptions(*, actor: Actor):
    """The subscriptions the actor manages, oldest first."""
    _require_manager(actor)
    return actor.restrict(Subscription.objects.select_related("space")).order_by("created_at")


def get_subscription(*, actor: Actor, subscription_id) -> Subscription:
    """One subscription the actor manages."""
    _require_manager(actor)
    subscription = (
        actor.restrict(Subscription.objects.select_related("space"))
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise NotFound("No such webhook subscription")
    return subscription


def create_subscription(
    *, actor: Actor, url: str, event_types: list, space_key: str | None = None
) -> SubscriptionWithSecret:
    """Subscribe `url` to `event_types`, for one product space or (no key) all of them; a
    secret key subscribes for its own space only."""
    _require_manager(actor)
    space = _space(actor, space_key)
    url = _checked_url(actor, url)
    event_types = _checked_event_types(event_types)
    secret = new_secret()
    with transaction.atomic():
        # Counted under the organization's lock, so two requests cannot both take the last place.
        _lock_organization(actor)
        count = Subscription.objects.filter(organization_id=actor.organization_id).count()
        if count >= MAX_WEBHOOK_SUBSCRIPTIONS_PER_ORGANIZATION:
            raise Conflict(
                f"An organization has at most {MAX_WEBHOOK_SUBSCRIPTIONS_PER_ORGANIZATION} "
                "webhook subscriptions: delete one first",
                field=("url",),
            )
        subscription = Subscription.objects.create(
            organization_id=actor.organization_id,
            space=space,
            url=url,
            event_types=event_types,
            secret=secret,
            created_by=actor.user,
        )
        audit.record(
            actor=actor,
            action=Action.SUBSCRIPTION_CREATED,
            obj=subscription,
            after={**_audited(subscription), "secret": secret},
        )
    return SubscriptionWithSecret(subscription=subscription, secret=secret)


def _audited(subscription: Subscription) -> dict:
    """What the audit trail records of a subscription (its secret only as changed)."""
    return {
        "url": subscription.url,
        "event_types": subscription.event_types,
        "space": subscription.space.key if subscription.space_id else None,
        "is_enabled": subscription.is_enabled,
    }


def update_subscription(
    *, actor: Actor, subscription_id, url=UNSET, event_types=UNSET, enabled=UNSET
) -> Subscription:
    """Change a subscription's URL or event types, or switch it on or off; what is left UNSET
    stays. Switched on, it starts afresh: its deliveries that wait go out, and a day of
    failures counts from then."""
    subscription = get_subscription(actor=actor, subscription_id=subscription_id)
    before = _audited(subscription)
    if url is not UNSET:
        subscription.url = _checked_url(actor, url)
    if event_types is not UNSET:
        subscription.event_types = _checked_event_types(event_types)
    if enabled is not UNSET and enabled != subscription.is_enabled:
        subscription.is_enabled = bool(enabled)
        subscription.disabled_reason = ""
        subscription.failing_since = None
    subscription.updated_at = timezone.now()
    with transaction.atomic():
        subscription.save()
        audit.record(
            actor=actor,
            action=Action.SUBSCRIPTION_CHANGED,
            obj=subscription,
            before=before,
            after=_audited(subscription),
        )
    return subscription


def set_subscription_enabled(*, actor: Actor, subscription_id, enabled: bool) -> Subscription:
    """Switch a subscription on or off (`update_subscription`)."""
    return update_subscription(actor=actor, subscription_id=subscription_id, enabled=enabled)


def delete_subscription(*, actor: Actor, subscription_id) -> None:
    """Delete a subscription with its deliveries (those still waiting are not sent)."""
    subscription = get_subscription(actor=actor, subscription_id=subscription_id)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=Action.SUBSCRIPTION_DELETED,
            obj=subscription,
            before=_audited(subscription),
        )
        Delivery.objects.filter(subscription=subscription).delete()
        subscription.delete()


def rotate_secret(*, actor: Actor, subscription_id) -> SubscriptionWithSecret:
    """Give a subscription a new signing secret; the deliveries from now on are signed with it."""
    subscription = get_subscription(actor=actor, subscription_id=subscription_id)
    before = {"secret": subscription.secret}
    subscription.secret = new_secret()
    subscription.updated_at = timezone.now()
    with transaction.atomic():
        subscription.save(update_fields=["secret", "updated_at"])
        audit.record(
            actor=actor,
            action=Action.SUBSCRIPTION_SECRET_ROTATED,
            obj=subscription,
            before=before,
            after={"secret": subscription.secret},
        )
    return SubscriptionWithSecret(subscription=subscription, secret=subscription.secret)


def recent_deliveries(*, actor: Actor, subscription_id) -> list[Delivery]:
    """A subscription's most recent deliveries, newest first."""
    subscription = get_subscription(actor=actor, subscription_id=subscription_id)
    return list(
        Delivery.objects.filter(subscription=subscription)
        .defer("body")
        .order_by("-created_at", "-id")[:RECENT_DELIVERIES]
    )


def resend_delivery(*, actor: Actor, subscription_id, delivery_id) -> Delivery:
    """Send a delivered or given-up delivery again, with its id and body, retried for a day."""
    subscription = get_subscription(actor=actor, subscription_id=subscription_id)
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .filter(pk=delivery_id, subscription=subscription)
            .first()
        )
        if delivery is None:
            raise NotFound("No such delivery")
        if delivery.status == DeliveryStatus.PENDING:
            raise Conflict("This delivery is still being sent; it cannot be resent yet")
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now
        delivery.give_up_at = now + DELIVERY_WINDOW
        delivery.finished_at = None
        delivery.save(update_fields=["status", "next_attempt_at", "give_up_at", "finished_at"])
        audit.record(
            actor=actor,
            action=Action.DELIVERY_RESENT,
            obj=subscription,
            after={"delivery": str(delivery.pk), "event_type": delivery.event_type},
        )
    return delivery


def _require_manager(actor: Actor) -> None:
    if actor.user is not None and not actor.user.is_admin:
        raise Forbidden("Only organization admins manage webhook subscriptions")
    if actor.organization_id is None:
        raise Forbidden("Webhook subscriptions belong to an organization")


def _lock_organization(actor: Actor) -> None:
    from fabflow.accounts.models import Organization

    list(Organization.objects.select_for_update().filter(pk=actor.organization_id).values("pk"))


def _space(actor: Actor, space_key: str | None):
    if actor.key is not None:
        if space_key and space_key != actor.key.space.key:
            raise NotFound(f"No product space {space_key!r}", field=("space_key",))
        return actor.key.space
    if not space_key:
        return None
    space = actor.spaces().filter(key=space_key).first()
    if space is None:
        raise NotFound(f"No product space {space_key!r}", field=("space_key",))
    return space


def _checked_url(actor: Actor, url) -> str:
    """An https URL (or http where private addresses are allowed) whose host, if it resolves,
    resolves to addresses the organization may call: the connectors' rule (`fabflow.egress`)."""
    path = ("url",)
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput(
            "Enter the URL of the endpoint", code=WebhookErrorCode.INVALID_URL, field=path
        )
    url = url.strip()
    if len(url) > MAX_WEBHOOK_URL_LENGTH:
        raise InvalidInput(
            f"A URL has at most {MAX_WEBHOOK_URL_LENGTH} characters",
            code=WebhookErrorCode.INVALID_URL,
            field=path,
        )
    check_text(url, field=path)
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput(
            "This is not a valid URL", code=WebhookErrorCode.INVALID_URL, field=path
        ) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(
            "The URL must start with https://", code=WebhookErrorCode.INVALID_URL, field=path
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "The URL must not hold a user name or password",
            code=WebhookErrorCode.INVALID_URL,
            field=path,
        )
    allow_private = egress.private_addresses_allowed(actor.organization_id)
    if parts.scheme == "http" and not allow_private:
        raise InvalidInput(
            "The URL must start with https:// (plain http is allowed only where an admin "
            "allows private addresses on the Organization page)",
            code=WebhookErrorCode.INVALID_URL,
            field=path,
        )
    try:
        egress.checked_addresses(parts.hostname, port, allow_private=allow_private)
    except egress.AddressNotAllowed as refusal:
        raise InvalidInput(
            f"{refusal}; an organization admin can allow private addresses on the "
            "Organization page",
            code=WebhookErrorCode.ADDRESS_REFUSED,
            field=path,
        ) from None
    except egress.HostNotResolved:
        pass  # a name not yet in the DNS: each delivery checks again, and retries for a day
    return url


def _checked_event_types(event_types) -> list[str]:
    path = ("event_types",)
    if not isinstance(event_types, list | tuple) or not event_types:
        raise InvalidInput(
            "Choose at least one event type", code=WebhookErrorCode.INVALID_EVENT_TYPES, field=path
        )
    if len(event_types) > MAX_WEBHOOK_EVENT_TYPES:
        raise InvalidInput(
            f"Name at most {MAX_WEBHOOK_EVENT_TYPES} event types",
            code=WebhookErrorCode.INVALID_EVENT_TYPES,
            field=path,
        )
    known = set(EventType.values)
    for index, event_type in enumerate(event_types):
        if not isinstance(event_type, str) or event_type not in known:
            raise InvalidInput(
                f"Unknown event type {str(event_type)[:100]!r}; known: {', '.join(EventType.values)}",
                field=(*path, index),
            )
    if len(set(event_types)) != len(event_types):
        raise InvalidInput(
            "Name each event type once", code=WebhookErrorCode.INVALID_EVENT_TYPES, field=path
        )
    return [str(event_type) for event_type in event_types]
