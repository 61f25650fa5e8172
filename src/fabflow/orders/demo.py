"""Realistic demo data: orders of configurable products over every status."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace
from fabflow.orders.models import Order, OrderStatus
from fabflow.orders.services import PartInput, ProductInput, submit_order

CATALOGUE = [
    (
        "Engraved ring",
        Decimal("129.90"),
        lambda r: {
            "size": r.choice([48, 50, 52, 54, 56, 58, 60]),
            "width": r.choice([3, 4, 6]),
            "material": r.choice(["silver", "gold", "titanium"]),
            "engraving": r.choice(["Forever", "A & B", "2026", ""]),
        },
        ["Band"],
    ),
    (
        "Custom insole",
        Decimal("89.00"),
        lambda r: {
            "footLength": r.randint(220, 300),
            "archHeight": r.choice(["low", "mid", "high"]),
            "side": r.choice(["left", "right"]),
            "scanId": f"scan-{r.randint(1000, 9999)}",
        },
        ["Shell", "Top cover"],
    ),
    (
        "Name lamp",
        Decimal("59.50"),
        lambda r: {
            "text": r.choice(["LUNA", "Home", "Studio 9", "Max"]),
            "font": r.choice(["Sans", "Script"]),
            "colour": r.choice(["white", "amber"]),
        },
        ["Letters", "Base", "LED strip"],
    ),
    (
        "Storage box",
        Decimal("34.00"),
        lambda r: {
            "width": r.randint(60, 200),
            "depth": r.randint(60, 200),
            "height": r.randint(30, 120),
            "wall": 2,
        },
        ["Box", "Lid"],
    ),
]
STATUS_WEIGHTS = [
    (OrderStatus.CREATED, 30),
    (OrderStatus.IN_PROGRESS, 35),
    (OrderStatus.SUCCESS, 25),
    (OrderStatus.UNHEALTHY, 5),
    (OrderStatus.FAILURE, 5),
]
FLOW_NAME = "Demo production"
FLOW_KEY = "demo-production"
# Manual tasks only, so the demo reaches every status without a worker and without mail or
# outside systems: a design check that is due within two days, printing, shipping.
FLOW = [
    {
        "key": "check",
        "name": "Design check",
        "tags": ["design"],
        "tasks": [
            {
                "key": "approve-design",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 2 * 24 * 3600 * 1000,
                "payload": {
                    "title": "Approve the design",
                    "description": "Check each product's configuration and preview.",
                    "tags": ["design"],
                },
            }
        ],
    },
    {
        "key": "print",
        "name": "Printing",
        "tags": ["printing"],
        "tasks": [
            {
                "key": "confirm-printed",
                "handlerKey": "manual-confirmation",
                "payload": {"title": "Confirm the parts are printed", "tags": ["printing"]},
            }
        ],
    },
    {
        "key": "ship",
        "name": "Shipping",
        "tags": ["shipping"],
        "tasks": [
            {
                "key": "hand-over",
                "handlerKey": "manual-confirmation",
                "payload": {"title": "Hand the parcel to the carrier", "tags": ["shipping"]},
            }
        ],
    },
]
REJECTIONS = [
    "The foot scan is incomplete: ask the customer for a new one.",
    "The engraving does not fit the ring width.",
    "The print warped; the material batch is blocked.",
]


def load_demo(*, space: ProductSpace, count: int = 300, seed: int = 7) -> int:
    """Create `count` demo orders in `space`; returns how many were new.

    Every status comes from the flow engine, as in use: an order *Created* has no flow; the
    others run the demo flow (created once) and stop where their status says: waiting at a
    stage, done, rejected at a stage with a reason, or overdue at the design check."""
    # The engine is imported here: orders do not depend on flows, the demo uses both.
    from fabflow.flows import engine
    from fabflow.flows import services as flows
    from fabflow.flows.models import OrderFlow, TaskRun, TaskStatus

    rng = random.Random(seed)
    actor = Actor.system(space.organization_id)
    if not OrderFlow.objects.filter(space=space, key=FLOW_KEY).exists():
        flows.create_flow(actor=actor, space=space, name=FLOW_NAME, definition=FLOW)
    now = timezone.now()
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]

    def waiting_task(order_id):
        return TaskRun.objects.get(order_id=order_id, status=TaskStatus.WAITING).pk

    created = 0
    for number in range(1, count + 1):
        products = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            name, price, configure, parts = rng.choice(CATALOGUE)
            products.append(
                ProductInput(
                    name=name,
                    units=rng.choice([1, 1, 1, 2, 4]),
                    unit_value=price,
                    configuration=configure(rng),
                    parts=[PartInput(name=part) for part in parts],
                )
            )
        status = rng.choice(statuses)
        order = {
            "name": f"DEMO-{number:05d}",
            "products": products,
            "deadline": now + timedelta(days=rng.randint(-3, 21)),
            "tags": rng.choice([[], ["printing"], ["design"], ["shipping"]]),
            "data": {"shop": "demo", "customer": f"customer-{rng.randint(1, 120)}"},
        }
        created_at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
        confirmed = {
            OrderStatus.CREATED: 0,
            OrderStatus.IN_PROGRESS: rng.randint(0, 2),
            OrderStatus.SUCCESS: len(FLOW),
            OrderStatus.UNHEALTHY: 0,
            OrderStatus.FAILURE: rng.randint(0, 2),
        }[status]
        reason = rng.choice(REJECTIONS)
        # Loaded again, the demo keeps the orders it made (their deadlines were relative to
        # the day they were loaded) and adds the missing ones, drawn as a first load would.
        if Order.objects.filter(space=space, name=order["name"]).exists():
            continue
        flow_key = "" if status == OrderStatus.CREATED else FLOW_KEY
        order_id = submit_order(
            actor=actor, space_key=space.key, flow_key=flow_key, **order
        ).order.pk
        created += 1
        Order.objects.filter(pk=order_id).update(created_at=created_at)
        for _ in range(confirmed):
            flows.confirm_task(actor=actor, task_id=waiting_task(order_id), comment="Done")
        if status == OrderStatus.FAILURE:
            flows.reject_task(actor=actor, task_id=waiting_task(order_id), reason=reason)
        elif status == OrderStatus.UNHEALTHY:
            TaskRun.objects.filter(pk=waiting_task(order_id)).update(
                deadline_at=now - timedelta(hours=1 + number % 48)
            )
    engine.mark_overdue_tasks(now)
    return created
