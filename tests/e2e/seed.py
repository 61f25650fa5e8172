"""Fill an empty database for the browser tests; run as `python -m tests.e2e.seed`.

The browser tests drive a real server in another process, so the data is written by this
separate process against the same database and its ids printed as JSON.
"""

import json
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.orders import status_counts
    from fabflow.orders.models import Asset, Order, OrderStatus, Part, Product
    from fabflow.orders.services import PartInput, ProductInput, create_order

    organization = accounts.create_organization(name="Ringmakers")
    space = accounts.create_space(organization=organization, name="Rings", key="rings")
    admin = accounts.create_user(
        organization=organization,
        email="ada@ringmakers.test",
        password="correct horse battery",
        name="Ada Admin",
        is_admin=True,
        tags=["printing"],
    )
    actor = Actor.for_user(admin)
    statuses = list(OrderStatus)
    start = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    for number in range(1, 61):
        name = "=SUM(1+1)" if number == 60 else f"WEB-{1000 + number}"
        order = create_order(
            actor=actor,
            space=space,
            name=name,
            value=Decimal(number * 10) + Decimal("0.50"),
            tags=["printing"] if number % 10 == 0 else ["shipping"] if number % 10 == 5 else [],
            products=[
                ProductInput(
                    name=f"Ring {number}",
                    units=1 + number % 3,
                    unit_value=Decimal("12.50"),
                    parts=[PartInput(name=f"Band {number}"), PartInput(name=f"Stone {number}")],
                )
            ],
        ).order
        created = start + timedelta(days=number - 1)
        Order.objects.filter(pk=order.pk).update(
            created_at=created, status=statuses[number % len(statuses)]
        )
        Product.objects.filter(order=order).update(created_at=created)
        Part.objects.filter(order=order).update(created_at=created)
    # The statuses above are written around the flow engine: count them again for the dashboard.
    status_counts.recount()

    ring = Product.objects.get(name="Ring 7")
    band = Part.objects.get(name="Band 7")
    for owner, filename, content in [
        ({"product": ring}, "ring-7.stl", b"solid ring7\nendsolid ring7\n"),
        ({"product": ring}, "preview.png", b"\x89PNG fake preview"),
        ({"part": band}, "band-7.3mf", b"3mf band 7"),
    ]:
        storage_name = default_storage.save(f"assets/{filename}", ContentFile(content))
        Asset.objects.create(
            organization=organization,
            space=space,
            filename=filename,
            content_type="application/octet-stream",
            size=len(content),
            sha256="0" * 64,
            kind="production",
            storage_name=storage_name,
            **owner,
        )

    stranger_organization = accounts.create_organization(name="Lampworks")
    stranger_space = accounts.create_space(
        organization=stranger_organization, name="Lamps", key="lamps"
    )
    stranger = accounts.create_user(
        organization=stranger_organization,
        email="boss@lampworks.test",
        password="correct horse battery",
        name="Bo Boss",
        is_admin=True,
        tags=["printing"],
    )
    lamp = create_order(
        actor=Actor.for_user(stranger),
        space=stranger_space,
        name="LAMP-1",
        tags=["printing"],
        products=[ProductInput(name="Lamp", units=1, unit_value=Decimal("50.00"))],
    ).order
    print(
        json.dumps(
            {
                "ring_7": str(ring.pk),
                "band_7": str(band.pk),
                "web_1001": str(Order.objects.get(name="WEB-1001").pk),
                "lamp_1": str(lamp.pk),
            }
        )
    )


if __name__ == "__main__":
    main()
