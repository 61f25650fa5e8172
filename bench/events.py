"""Benchmark: webhook deliveries per second to a local receiver, and the delay from a status
change to its delivery.

    python bench/events.py [--orders 2000] [--changes 200] [--database-url postgres://…]

Without --database-url it uses a new SQLite file in a temporary folder. A receiver on loopback
answers 200 to every delivery. First `--orders` orders are created with the delivery loop
stopped (one `order.created` delivery each, on one subscription); then a worker's delivery loop
(`webhooks.delivery.Deliverer`, its default threads) starts and the time until the last one
arrives gives deliveries per second. Then, with the loop running, `--changes` status changes are
committed 20 ms apart, and for each the time from its commit to its arrival at the receiver
is taken: p50 and p95 are printed beside their targets.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TARGET_DELIVERIES_PER_SECOND = 200
TARGET_P95_DELAY_SECONDS = 0.5


class Arrivals:
    """When each delivery first reached the receiver, by its id."""

    def __init__(self):
        self.times = {}
        self.lock = threading.Lock()
        self.all_in = threading.Event()
        self.expected = 0

    def record(self, delivery_id: str, body: dict) -> None:
        now = time.perf_counter()
        with self.lock:
            self.times.setdefault(delivery_id, (now, body))
            if len(self.times) >= self.expected:
                self.all_in.set()


def start_receiver(arrivals: Arrivals) -> str:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrivals.record(self.headers["X-Fabflow-Delivery"], json.loads(body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/fabflow"


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["FABFLOW_DATA_DIR"] = str(data_dir)
    os.environ["FABFLOW_ALLOW_PRIVATE_WEBHOOKS"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    from fabflow import config

    config.prepare_data_dir()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def prepare(url: str):
    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.webhooks.services import create_subscription

    organization = accounts.create_organization(name="Bench")
    space = accounts.create_space(organization=organization, name="Rings", key="rings")
    actor = Actor.system(organization.pk)
    create_subscription(actor=actor, url=url, event_types=["order.created", "order.status_changed"])
    return actor, space


def create_orders(actor, space, count: int, prefix: str) -> list:
    from fabflow.orders.services import ProductInput, create_order

    products = [ProductInput(name="Ring", units=1, unit_value=Decimal("129.90"))]
    return [
        create_order(actor=actor, space=space, name=f"{prefix}-{index}", products=products).order
        for index in range(count)
    ]


def change_status(actor, order, status: str) -> None:
    """Commit a status change and its history line, as the flow engine does."""
    from django.db import transaction

    from fabflow.orders.models import Order, OrderEventType
    from fabflow.orders.services import record_event

    with transaction.atomic():
        previous = order.status
        order.status = status
        Order.objects.filter(pk=order.pk).update(status=status)
        record_event(
            actor=actor,
            order=order,
            type=OrderEventType.STATUS_CHANGED,
            details={"from": previous, "to": status},
        )


def measure_throughput(actor, space, arrivals: Arrivals, count: int) -> tuple[float, object]:
    from fabflow.webhooks.delivery import Deliverer

    create_orders(actor, space, count, "Burst")
    arrivals.expected = count
    deliverer = Deliverer("bench")
    started = time.perf_counter()
    deliverer.start()
    if not arrivals.all_in.wait(timeout=600):
        sys.exit(f"only {len(arrivals.times)} of {count} deliveries arrived in 10 minutes")
    return count / (time.perf_counter() - started), deliverer


def measure_delays(actor, space, arrivals: Arrivals, changes: int) -> list[float]:
    from fabflow.webhooks.models import Delivery

    with arrivals.lock:
        arrivals.expected = len(arrivals.times) + 2 * changes  # their creations, their changes
        arrivals.all_in.clear()
    orders = create_orders(actor, space, changes, "Change")
    committed = {}
    for order in orders:
        change_status(actor, order, "in_progress")
        committed[str(order.pk)] = time.perf_counter()
        time.sleep(0.02)
    if not arrivals.all_in.wait(timeout=300):
        from collections import Counter

        statuses = Counter(Delivery.objects.values_list("event_type", "status", "last_error"))
        sys.exit(f"not every status change arrived in 5 minutes: {statuses}")
    ids = dict(
        Delivery.objects.filter(event_type="order.status_changed").values_list("id", "order_id")
    )
    return sorted(
        arrivals.times[str(delivery_id)][0] - committed[str(order_id)]
        for delivery_id, order_id in ids.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        database_url = args.database_url or f"sqlite:///{data_dir / 'bench.sqlite3'}"
        setup_django(database_url, data_dir)
        arrivals = Arrivals()
        actor, space = prepare(start_receiver(arrivals))
        per_second, deliverer = measure_throughput(actor, space, arrivals, args.orders)
        try:
            delays = measure_delays(actor, space, arrivals, args.changes)
        finally:
            deliverer.stop()
        p50 = statistics.median(delays)
        p95 = delays[int(len(delays) * 0.95) - 1]
        database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"database: {database}, {os.cpu_count()} cores")
        print(
            f"deliveries per second ({args.orders}, one subscription): {per_second:,.0f}"
            f"   target >= {TARGET_DELIVERIES_PER_SECOND}"
        )
        print(
            f"status change to delivery ({args.changes} changes): p50 {p50 * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms   target p95 <= {TARGET_P95_DELAY_SECONDS * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
