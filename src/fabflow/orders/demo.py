"""Realistic demo data: orders of configurable products over every status."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace
from fabflow.orders.models import Order, OrderEventType, OrderStatus
from fabflow.orders.services import PartInput, ProductInput, create_order, record_event

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


def load_demo(*, space: ProductSpace, count: int = 300, seed: int = 7) -> int:
    """Create `count` demo orders in `space`; returns how many were new."""
    rng = random.Random(seed)
    actor = Actor.system(space.organization_id)
    now = timezone.now()
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]
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
        with transaction.atomic():
            result = create_order(
                actor=actor,
                space=space,
                name=f"DEMO-{number:05d}",
                products=products,
                deadline=now + timedelta(days=rng.randint(-3, 21)),
                tags=rng.choice([[], ["printing"], ["design"], ["shipping"]]),
                data={"shop": "demo", "customer": f"customer-{rng.randint(1, 120)}"},
            )
            if not result.is_new:
                continue
            created += 1
            status = rng.choice(statuses)
            created_at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            Order.objects.filter(pk=result.order.pk).update(status=status, created_at=created_at)
            if status != OrderStatus.CREATED:
                record_event(
                    actor=actor,
                    order=result.order,
                    type=OrderEventType.STATUS_CHANGED,
                    details={"from": OrderStatus.CREATED, "to": status},
                )
    return created
