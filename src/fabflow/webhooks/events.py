"""Which lines of an order's history are webhook events, and the deliveries they cause.

`HISTORY_EVENTS` is the one table: every type of history line (`orders.models.OrderEventType`,
named here by its stored value so that this app needs nothing of the orders app) is either an
event type subscribers may hear of or `INTERNAL`. A test fails when a history type is in neither.

`enqueue_deliveries` is called by the orders app wherever history lines are written, inside the
transaction that writes them: a delivery exists exactly when its change committed.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from fabflow.accounts.models import ProductSpace
from fabflow.ids import uuid7
from fabflow.webhooks.models import Delivery, EventType, Subscription

INTERNAL = None

HISTORY_EVENTS: dict[str, EventType | None] = {
    "created": EventType.ORDER_CREATED,
    "updated": EventType.ORDER_UPDATED,
    "status_changed": EventType.ORDER_STATUS_CHANGED,
    # Files: only production files (uploaded as such, or made by a generator) are announced.
    "asset_added": EventType.PRODUCTION_FILES_READY,
    "asset_replaced": EventType.PRODUCTION_FILES_READY,
    "flow_started": INTERNAL,  # the status change to In progress says it
    "stage_started": INTERNAL,
    "flow_finished": EventType.FLOW_FINISHED,
    "task_started": INTERNAL,
    "task_waiting": EventType.TASK_WAITING,
    "task_succeeded": INTERNAL,
    "task_failed": EventType.TASK_FAILED,
    "task_overdue": EventType.TASK_OVERDUE,
    "task_confirmed": INTERNAL,  # what follows (a waiting task, a finished flow) is announced
    "task_rejected": EventType.TASK_FAILED,  # a person failed it: its reason is the error
    "task_retried": INTERNAL,
    "task_skipped": INTERNAL,
}

# A delivery is retried for this long after it is written (or resent).
DELIVERY_WINDOW = timedelta(days=1)
# Of a file event, this many file names go into the body.
MAX_FILES_NAMED = 20
MAX_ERROR_CHARACTERS = 500
# History lines written together rank apart by their place among them (see Delivery.rank).
_RANK_SLOTS = 1024
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def event_type_of(history_type: str, details: dict) -> EventType | None:
    """The event type a history line announces, or None for an internal one."""
    event_type = HISTORY_EVENTS.get(history_type, INTERNAL)
    if event_type is EventType.PRODUCTION_FILES_READY and not _holds_production_files(details):
        return None
    return event_type


def _holds_production_files(details: dict) -> bool:
    return details.get("kind") == "production" or bool(details.get("generator"))


def enqueue_deliveries(events) -> int:
    """Write a delivery per history line and enabled subscription that hears of it, in the
    caller's transaction; answer how many. `events` are unsaved or just-saved `OrderEvent`s whose
    `order` is loaded. One indexed query per organization and space among them finds the
    subscriptions; an organization without subscriptions costs that query alone."""
    announced = defaultdict(list)
    for place, event in enumerate(events):
        event_type = event_type_of(event.type, event.details)
        if event_type is not None:
            order = event.order
            announced[order.organization_id, order.space_id].append((place, event, event_type))
    rows = []
    for (organization_id, space_id), items in announced.items():
        subscriptions = _subscriptions(organization_id, space_id)
        for place, event, event_type in items:
            rows.extend(
                _delivery(subscription, event, event_type, place)
                for subscription in subscriptions
                if _hears(subscription, event_type)
            )
    Delivery.objects.bulk_create(rows)
    return len(rows)


def _hears(subscription: Subscription, event_type: EventType) -> bool:
    # A list that reads as invalid hears of nothing: the change being recorded must not fail.
    return event_type in subscription.listed_event_types()


def _subscriptions(organization_id, space_id) -> list[Subscription]:
    space_key = ProductSpace.objects.filter(pk=space_id).values("key")[:1]
    return list(
        Subscription.objects.filter(organization_id=organization_id, is_enabled=True)
        .filter(Q(space_id=space_id) | Q(space_id__isnull=True))
        .annotate(event_space_key=space_key)
        .only("id", "event_types")
    )


def _delivery(subscription, event, event_type: EventType, place: int) -> Delivery:
    order = event.order
    delivery_id = uuid7()
    return Delivery(
        id=delivery_id,
        organization_id=order.organization_id,
        space_id=order.space_id,
        subscription_id=subscription.pk,
        order_id=order.pk,
        event_id=event.id,
        event_type=event_type,
        rank=(event.created_at - _EPOCH) // timedelta(microseconds=1) * _RANK_SLOTS
        + min(place, _RANK_SLOTS - 1),
        body=body_of(
            delivery_id=delivery_id,
            event_type=event_type,
            event=event,
            space_key=subscription.event_space_key,
        ),
        next_attempt_at=event.created_at,
        give_up_at=event.created_at + DELIVERY_WINDOW,
        created_at=event.created_at,
    )


def body_of(*, delivery_id, event_type: EventType, event, space_key: str) -> dict:
    """The JSON body of a delivery (docs/api.md, "Webhooks"): small and bounded, so a receiver
    that wants more reads the order through the API."""
    order = event.order
    return {
        "id": str(delivery_id),
        "type": str(event_type),
        "occurredAt": event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "order": {
            "id": str(order.pk),
            "name": order.name,
            "status": getattr(event, "order_status", order.status),
            "spaceKey": space_key,
        },
        "data": _data(event_type, event.details),
    }


def _data(event_type: EventType, details: dict) -> dict:
    if event_type is EventType.ORDER_CREATED:
        return {key: details.get(key) for key in ("products", "parts", "value")}
    if event_type is EventType.ORDER_UPDATED:
        return {"changed": sorted(details.get("changes", {}))}
    if event_type is EventType.ORDER_STATUS_CHANGED:
        return {"from": details.get("from"), "to": details.get("to")}
    if event_type is EventType.FLOW_FINISHED:
        return {"runId": details.get("runId"), "status": details.get("status")}
    if event_type is EventType.PRODUCTION_FILES_READY:
        files = details.get("files") or [details.get("filename")]
        return {"files": files[:MAX_FILES_NAMED], "generator": details.get("generator")}
    task = {
        "id": details.get("taskId"),
        "key": details.get("taskKey"),
        "stageKey": details.get("stageKey"),
        "handlerKey": details.get("handlerKey"),
        "title": details.get("title", ""),
        "attempt": details.get("attempt"),
    }
    if event_type is EventType.TASK_FAILED:
        return {"task": task, "error": str(details.get("error", ""))[:MAX_ERROR_CHARACTERS]}
    return {"task": task}
