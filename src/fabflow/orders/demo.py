"""Realistic demo data: orders of configurable products over every status, flows and files.

The demo seeds every app, so it sits above them all, as the pages do (docs/CONTRIBUTING.md).
"""

import functools
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace
from fabflow.files.generation import attach_files, build_files
from fabflow.flows import engine
from fabflow.flows import services as flows
from fabflow.flows.models import FlowRun, OrderFlow, TaskRun, TaskStatus
from fabflow.generators import generate_meshes, get_generator
from fabflow.orders.models import (
    Asset,
    Order,
    OrderEvent,
    OrderEventType,
    OrderStatus,
    Part,
    Product,
)
from fabflow.orders.services import PartInput, ProductInput


class CatalogueItem(NamedTuple):
    """A configurable product of the demo shop, and how a built-in generator makes it."""

    name: str
    price: Decimal
    configure: Callable[[random.Random], dict]
    parts: list[str]
    generator: str = ""
    # The generator's parameters for a configuration (the shop's ring size is a circumference).
    parameters: Callable[[dict], dict] | None = None


CATALOGUE = [
    CatalogueItem(
        "Engraved ring",
        Decimal("129.90"),
        lambda r: {
            "size": r.choice([48, 50, 52, 54, 56, 58, 60]),
            "width": r.choice([3, 4, 6]),
            "material": r.choice(["silver", "gold", "titanium"]),
            "engraving": r.choice(["Forever", "A & B", "2026", ""]),
        },
        ["Band"],
        generator="ring",
        parameters=lambda c: {
            "size": round(c["size"] / math.pi, 1),
            "width": c["width"],
            "thickness": 1.8,
        },
    ),
    CatalogueItem(
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
    CatalogueItem(
        "Name lamp",
        Decimal("59.50"),
        lambda r: {
            "text": r.choice(["LUNA", "Home", "Studio 9", "Max"]),
            "font": r.choice(["Sans", "Script"]),
            "colour": r.choice(["white", "amber"]),
        },
        ["Letters", "Base", "LED strip"],
    ),
    CatalogueItem(
        "Storage box",
        Decimal("34.00"),
        lambda r: dict(
            zip(
                ["width", "depth", "height"],
                r.choice([(80, 60, 40), (120, 80, 60), (160, 120, 80), (200, 150, 100)]),
                strict=True,
            ),
            wall=2,
        ),
        ["Box", "Lid"],
        generator="box",
        parameters=lambda c: {key: c[key] for key in ["width", "depth", "height", "wall"]},
    ),
]
CATALOGUE_BY_NAME = {item.name: item for item in CATALOGUE}
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
# The longest time between two steps of a demo order's history (shorter for a younger order).
HISTORY_STEP = timedelta(minutes=20)
FILE_FORMAT = "stl"
REJECTIONS = [
    "The foot scan is incomplete: ask the customer for a new one.",
    "The engraving does not fit the ring width.",
    "The print warped; the material batch is blocked.",
]


def load_demo(*, space: ProductSpace, count: int = 300, seed: int = 7) -> int:
    """Create `count` demo orders in `space`; returns how many were new.

    Every status comes from the flow engine, as in use: an order *Created* has no flow; the
    others run the demo flow (created once) and stop where their status says: waiting at a
    stage, done, rejected at a stage with a reason, or overdue at the design check. Their rings
    and boxes carry the built-in generators' production files and previews, as the design check
    would see them. Every time of an order's history lies between its creation and now."""
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
            item = rng.choice(CATALOGUE)
            products.append(
                ProductInput(
                    name=item.name,
                    units=rng.choice([1, 1, 1, 2, 4]),
                    unit_value=item.price,
                    configuration=item.configure(rng),
                    parts=[PartInput(name=part) for part in item.parts],
                )
            )
        status = rng.choice(statuses)
        created_at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
        order = {
            "name": f"DEMO-{number:05d}",
            "products": products,
            "deadline": created_at + timedelta(days=rng.randint(3, 24)),
            "tags": rng.choice([[], ["printing"], ["design"], ["shipping"]]),
            "data": {"shop": "demo", "customer": f"customer-{rng.randint(1, 120)}"},
        }
        confirmed = {
            OrderStatus.CREATED: 0,
            OrderStatus.IN_PROGRESS: rng.randint(0, 2),
            OrderStatus.SUCCESS: len(FLOW),
            OrderStatus.UNHEALTHY: 0,
            OrderStatus.FAILURE: rng.randint(0, 2),
        }[status]
        reason = rng.choice(REJECTIONS)
        # Loaded again, the demo keeps the orders it made and adds the missing ones, drawn as
        # a first load would.
        if Order.objects.filter(space=space, name=order["name"]).exists():
            continue
        flow_key = "" if status == OrderStatus.CREATED else FLOW_KEY
        order_id = flows.submit_order(
            actor=actor, space_key=space.key, flow_key=flow_key, **order
        ).order.pk
        created += 1
        if status != OrderStatus.CREATED:
            attach_generated_files(actor=actor, order_id=order_id)
        for _ in range(confirmed):
            flows.confirm_task(actor=actor, task_id=waiting_task(order_id), comment="Done")
        if status == OrderStatus.FAILURE:
            flows.reject_task(actor=actor, task_id=waiting_task(order_id), reason=reason)
        elif status == OrderStatus.UNHEALTHY:
            TaskRun.objects.filter(pk=waiting_task(order_id)).update(
                deadline_at=now - timedelta(hours=1 + number % 48)
            )
        date_history(order_id=order_id, created_at=created_at, now=now)
    engine.mark_overdue_tasks(now)
    return created


def attach_generated_files(*, actor: Actor, order_id) -> None:
    """Attach to each ring and box of the order the files its built-in generator makes for
    its configuration: production files (on the part a mesh names) and a preview image."""
    order = Order.objects.get(pk=order_id)
    products = order.products.order_by("position").prefetch_related("parts")
    by_generator: dict[str, list] = {}
    for product in products:
        item = CATALOGUE_BY_NAME[product.name]
        if item.generator:
            parameters = tuple(sorted(item.parameters(product.configuration).items()))
            files = built_files(item.name, item.generator, parameters)
            by_generator.setdefault(item.generator, []).append((product, files))
    for generator_key, built in by_generator.items():
        attach_files(
            actor=actor,
            order=order,
            built=built,
            source=f"demo:{generator_key}",
            generator_key=generator_key,
        )


@functools.cache
def built_files(product_name: str, generator_key: str, parameters: tuple) -> list:
    """The generator's files for one configuration: built once, then attached as copies (a
    few dozen configurations cover every demo ring and box)."""
    meshes = generate_meshes(get_generator(generator_key), dict(parameters))
    return build_files(product_name, meshes, FILE_FORMAT)


def date_history(*, order_id, created_at: datetime, now: datetime) -> None:
    """Move the order's creation back to `created_at`, with its products and parts, and spread
    its history from there (each step after the one before, the last no later than `now`);
    a file, and each time its flow run and tasks recorded, take the time of the history line
    written with them. Deadlines stay: they are after the load, so after the creation."""
    Order.objects.filter(pk=order_id).update(created_at=created_at)
    Product.objects.filter(order_id=order_id).update(created_at=created_at)
    Part.objects.filter(order_id=order_id).update(created_at=created_at)
    events = list(OrderEvent.objects.filter(order_id=order_id).order_by("created_at", "id"))
    step = min(HISTORY_STEP, (now - created_at) / (len(events) + 1))
    moves = [(event.created_at, created_at + index * step) for index, event in enumerate(events)]

    def moved(moment: datetime | None) -> datetime | None:
        """The new time of the last history line written at or before `moment`."""
        if moment is None:
            return None
        return max((new for old, new in moves if old <= moment), default=created_at)

    for event, (_, new) in zip(events, moves, strict=True):
        event.created_at = new
    OrderEvent.objects.bulk_update(events, ["created_at"])
    for event in events:
        if event.type == OrderEventType.ASSET_ADDED:
            Asset.objects.filter(
                Q(product__order_id=order_id) | Q(part__order_id=order_id),
                source=event.details["source"],
            ).update(created_at=event.created_at)
    for model, fields in [
        (FlowRun, ["started_at", "finished_at"]),
        (TaskRun, ["created_at", "started_at", "finished_at"]),
    ]:
        runs = list(model.objects.filter(order_id=order_id))
        for run in runs:
            for field in fields:
                setattr(run, field, moved(getattr(run, field)))
        model.objects.bulk_update(runs, fields)
