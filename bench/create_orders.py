"""Benchmark: `create_order` called directly, against the raw-SQL floor on the same database.

    python bench/create_orders.py [--orders 10000] [--database-url postgres://…]

Without --database-url it uses a new SQLite file in a temporary folder. It prints orders per
second for `create_order` (one transaction per order, as the API does), the floor (the same rows
written by one raw `executemany` per table in one transaction), their ratio, and the targets:
at least 1,000 orders/s on SQLite and within 3× of the floor.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

TARGET_ORDERS_PER_SECOND = 1000
TARGET_RATIO = 3.0


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["FABFLOW_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    from fabflow import config

    config.prepare_data_dir()  # as a `fabflow` command does: the database's folder, the key
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def products_for(index: int):
    from fabflow.orders.services import PartInput, ProductInput

    return [
        ProductInput(
            name=f"Ring {index}-{product}",
            units=1 + product,
            unit_value=Decimal("129.90"),
            configuration={"size": 52 + product, "width": 4, "engraving": "Forever"},
            parts=[PartInput(name=f"Band {product}.{part}") for part in range(2)],
        )
        for product in range(3)
    ]


def measure_service(space, count: int) -> float:
    from fabflow.accounts.actors import Actor
    from fabflow.orders.services import create_order

    actor = Actor.system(space.organization_id)
    inputs = [products_for(index) for index in range(count)]
    started = time.perf_counter()
    for index, products in enumerate(inputs):
        create_order(actor=actor, space=space, name=f"SVC-{index:06d}", products=products)
    return count / (time.perf_counter() - started)


def measure_floor(space, count: int) -> float:
    """The same rows (order, 3 products, 6 parts, 1 event) by raw executemany in one transaction."""
    import json

    from django.db import connection, transaction
    from django.utils import timezone

    is_sqlite = connection.vendor == "sqlite"

    def uid():
        return uuid.uuid4().hex if is_sqlite else uuid.uuid4()

    now = timezone.now()
    org, sp = (
        (space.organization_id.hex, space.pk.hex)
        if is_sqlite
        else (space.organization_id, space.pk)
    )
    orders, products, parts, events = [], [], [], []
    for index in range(count):
        order_id = uid()
        orders.append(
            (
                order_id,
                org,
                sp,
                f"RAW-{index:06d}",
                "created",
                "779.40",
                now,
                "[]",
                "{}",
                "[]",
                "",
                "0" * 64,
                now,
                now,
            )
        )
        events.append((uid(), order_id, "created", "Fabflow", '{"products": 3}', now))
        for product in range(3):
            product_id = uid()
            products.append(
                (
                    product_id,
                    org,
                    sp,
                    order_id,
                    product,
                    f"Ring {product}",
                    1 + product,
                    "129.90",
                    json.dumps({"size": 52}),
                    "{}",
                    now,
                )
            )
            for part in range(2):
                parts.append(
                    (uid(), org, sp, product_id, order_id, part, f"Band {part}", "{}", now)
                )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO orders_order (id, organization_id, space_id, name, status, value, "
            "created_at, tags, data, addresses, flow_key, request_digest, updated_at, deadline) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL)",
            [(*row[:12], row[13]) for row in orders],
        )
        cursor.executemany(
            "INSERT INTO orders_product (id, organization_id, space_id, order_id, position, name, "
            "units, unit_value, configuration, data, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            products,
        )
        cursor.executemany(
            "INSERT INTO orders_part (id, organization_id, space_id, product_id, order_id, "
            "position, name, data, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            parts,
        )
        cursor.executemany(
            "INSERT INTO orders_orderevent (id, order_id, type, actor_label, details, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            events,
        )
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fabflow-bench-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        setup_django(url, Path(folder))
        from django.db import connection

        from fabflow.accounts import services

        organization = services.create_organization(name=f"Bench {uuid.uuid4().hex[:6]}")
        space = services.create_space(organization=organization, name="Bench")
        floor = measure_floor(space, args.orders)
        service = measure_service(space, args.orders)
        ratio = floor / service
        engine = connection.vendor
        print(f"database: {engine}; {args.orders} orders of 3 products x 2 parts each")
        print(f"create_order:        {service:8.0f} orders/s   (one transaction per order)")
        print(f"floor (executemany): {floor:8.0f} orders/s   (one transaction for all)")
        print(
            f"ratio floor/service: {ratio:8.2f}x          target <= {TARGET_RATIO:.0f}x: "
            f"{'PASS' if ratio <= TARGET_RATIO else 'MISS'}"
        )
        if engine == "sqlite":
            verdict = "PASS" if service >= TARGET_ORDERS_PER_SECOND else "MISS"
            print(f"target >= {TARGET_ORDERS_PER_SECOND} orders/s on SQLite: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
