"""Which history lines become webhook deliveries, written in the transaction of the change."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fabflow.orders.models import OrderEvent, OrderEventType
from fabflow.orders.services import create_order, update_order
from fabflow.webhooks import events
from fabflow.webhooks.models import Delivery, DeliveryStatus, EventType
from fabflow.webhooks.services import create_subscription
from tests.conftest import ring_products


@pytest.fixture
def subscribed(settings, admin_actor, space):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    return create_subscription(
        actor=admin_actor,
        url="http://127.0.0.1:9/hook",
        event_types=["order.created", "order.updated"],
    ).subscription


def test_every_history_type_is_an_event_type_or_internal():
    assert set(events.HISTORY_EVENTS) == set(OrderEventType.values)
    announced = {value for value in events.HISTORY_EVENTS.values() if value is not None}
    assert announced == set(EventType)


def test_only_production_files_are_announced():
    production = events.event_type_of("asset_added", {"kind": "production"})
    generated = events.event_type_of("asset_replaced", {"generator": "ring", "files": ["a.stl"]})
    assert production == generated == EventType.PRODUCTION_FILES_READY
    assert events.event_type_of("asset_added", {"kind": "preview"}) is None
    assert events.event_type_of("asset_added", {"kind": "other"}) is None
    assert events.event_type_of("task_started", {}) is None


def test_a_new_order_writes_one_delivery_with_its_snapshot(subscribed, admin_actor, space):
    order = create_order(
        actor=admin_actor, space=space, name="R-1", products=ring_products(2, 1)
    ).order
    delivery = Delivery.objects.get()
    event = OrderEvent.objects.get(order=order)
    assert (delivery.subscription_id, delivery.order_id, delivery.event_id) == (
        subscribed.pk,
        order.pk,
        event.pk,
    )
    assert (delivery.status, delivery.attempts, delivery.event_type) == (
        DeliveryStatus.PENDING,
        0,
        "order.created",
    )
    assert delivery.body == {
        "id": str(delivery.pk),
        "type": "order.created",
        "occurredAt": event.created_at.isoformat().replace("+00:00", "Z"),
        "order": {"id": str(order.pk), "name": "R-1", "status": "created", "spaceKey": "rings"},
        "data": {"products": 2, "parts": 2, "value": "31.50"},
    }
    assert delivery.give_up_at == event.created_at + events.DELIVERY_WINDOW


def test_a_rolled_back_change_leaves_no_delivery(subscribed, admin_actor, space):
    order = create_order(actor=admin_actor, space=space, name="R-1", products=ring_products()).order
    before = list(Delivery.objects.values_list("pk", flat=True))
    with pytest.raises(RuntimeError), transaction.atomic():
        update_order(actor=admin_actor, order_id=order.pk, tags=["rush"])
        assert Delivery.objects.count() == 2
        raise RuntimeError("the change fails after its history line")
    assert list(Delivery.objects.values_list("pk", flat=True)) == before


def test_finding_subscriptions_takes_one_query_and_none_without_any(
    subscribed, admin_actor, space, other_space
):
    order = create_order(actor=admin_actor, space=space, name="R-1", products=ring_products()).order
    with CaptureQueriesContext(connection) as queries:
        update_order(actor=admin_actor, order_id=order.pk, tags=["rush"])
    asked = [q["sql"] for q in queries if "webhooks_subscription" in q["sql"]]
    assert len(asked) == 1
    assert Delivery.objects.filter(event_type="order.updated").count() == 1
    subscribed.delete()
    Delivery.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        update_order(actor=admin_actor, order_id=order.pk, tags=["calm"])
    assert len([q for q in queries if "webhooks_" in q["sql"]]) == 1
    assert Delivery.objects.count() == 0


def test_a_space_subscription_hears_of_its_space_only(settings, admin_actor, space, other_space):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    lamps = create_subscription(
        actor=admin_actor,
        url="http://127.0.0.1:9/lamps",
        event_types=["order.created"],
        space_key="lamps",
    ).subscription
    create_order(actor=admin_actor, space=space, name="R-1", products=ring_products())
    assert Delivery.objects.count() == 0
    create_order(actor=admin_actor, space=other_space, name="L-1", products=ring_products())
    assert list(Delivery.objects.values_list("subscription_id", flat=True)) == [lamps.pk]


def test_a_disabled_subscription_hears_nothing(subscribed, admin_actor, space):
    subscribed.is_enabled = False
    subscribed.save()
    create_order(actor=admin_actor, space=space, name="R-1", products=ring_products())
    assert Delivery.objects.count() == 0


FLOW = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {
                "key": "print",
                "handlerKey": "manual-confirmation",
                "payload": {"title": "Print the rings"},
            }
        ],
    }
]


def test_a_flow_announces_waiting_and_failed_tasks_and_status_changes(settings, admin_actor, space):
    from fabflow.flows import services as flow_services
    from fabflow.flows.models import TaskRun

    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    subscription = create_subscription(
        actor=admin_actor,
        url="http://127.0.0.1:9/hook",
        event_types=["task.waiting", "task.failed", "order.status_changed", "flow.finished"],
    ).subscription
    flow = flow_services.create_flow(
        actor=admin_actor, space=space, name="Make rings", definition=FLOW
    )
    order = create_order(actor=admin_actor, space=space, name="R-1", products=ring_products()).order
    flow_services.start_flow(actor=admin_actor, order_id=order.pk, flow_key=flow.key)
    task = TaskRun.objects.get(order=order)
    flow_services.reject_task(actor=admin_actor, task_id=task.pk, reason="The band is cracked")
    sent = Delivery.objects.filter(subscription=subscription).order_by("rank")
    assert [(d.event_type, d.body["order"]["status"]) for d in sent] == [
        ("task.waiting", "created"),
        ("order.status_changed", "in_progress"),
        ("task.failed", "in_progress"),
        ("order.status_changed", "failure"),
    ]
    waiting, started, failed, failure = (d.body["data"] for d in sent)
    assert waiting == {
        "task": {
            "id": str(task.pk),
            "key": "print",
            "stageKey": "make",
            "handlerKey": "manual-confirmation",
            "title": "Print the rings",
            "attempt": 1,
        }
    }
    assert started == {"from": "created", "to": "in_progress"}
    assert failed == {"task": waiting["task"], "error": "The band is cracked"}
    assert failure == {"from": "in_progress", "to": "failure"}
