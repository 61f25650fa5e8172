"""Benchmark: the time one `/metrics` scrape takes on a database of N orders and their tasks.

    python bench/metrics.py --orders 100000 [--database-url sqlite:///var/bench/metrics.sqlite3]
    python scripts/with_postgres.py python bench/metrics.py --orders 100000   (a throwaway cluster)

Builds the orders with bench/dataset.py, gives each order a flow run of three tasks (two
finished automatic tasks and a manual one, some of them overdue or failed; 30,000 of them
created in the last 10 minutes, what 50 tasks a second leave in the histograms' window), then scrapes
`/metrics` through Django's test client and prints the median and the slowest scrape, and the
plan of each query the scrape makes. Target: a scrape under 1 s at 100,000 orders on 2 cores
(Prometheus scrapes every 15 to 60 s).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import dataset  # noqa: E402

TOKEN = "bench-metrics-token"
CHUNK = 10_000
TARGET_SECONDS = 1.0
RECENT_WINDOW = timedelta(minutes=10)


def add_tasks(recent: int) -> int:
    """A run of three tasks for every order (written anew); the first `recent` tasks are
    created in the last 10 minutes, the others when their order was. Returns the tasks written."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from fabflow.accounts.models import ProductSpace
    from fabflow.flows.models import FlowRun, FlowVersion, OrderFlow, TaskRun, TaskStatus
    from fabflow.orders.models import Order

    space = ProductSpace.objects.get(key=dataset.SPACE_KEY)
    flow, _ = OrderFlow.objects.get_or_create(
        space=space, key="bench", defaults={"organization": space.organization, "name": "Bench"}
    )
    version = FlowVersion.objects.filter(flow=flow).first() or FlowVersion.objects.create(
        flow=flow, number=1, definition=[]
    )
    FlowRun.objects.filter(flow_version=version).delete()
    rng = random.Random(1)
    now = timezone.now()
    written = 0
    for offset in range(0, Order.objects.filter(space=space).count(), CHUNK):
        orders = list(
            Order.objects.filter(space=space)
            .order_by("id")
            .values_list("id", "created_at")[offset : offset + CHUNK]
        )
        runs, tasks = [], []
        for number, (order_id, created_at) in enumerate(orders):
            run = FlowRun(
                organization_id=space.organization_id,
                space=space,
                order_id=order_id,
                flow_version=version,
                started_at=created_at,
            )
            runs.append(run)
            for index, (key, handler, status, seconds) in enumerate(
                [
                    ("mail", "send-email", TaskStatus.SUCCEEDED, 0.05 + number % 7 / 10),
                    (
                        "call",
                        "consume-rest-api",
                        TaskStatus.FAILED if number % 50 == 0 else TaskStatus.SUCCEEDED,
                        0.2 + number % 5,
                    ),
                    ("check", "manual-confirmation", TaskStatus.WAITING, None),
                ]
            ):
                if written + len(tasks) < recent:
                    created_at = now - RECENT_WINDOW * (written + len(tasks)) / recent
                started = created_at + timedelta(milliseconds=3 * index)
                tasks.append(
                    TaskRun(
                        id=dataset.uuid7_at(created_at, rng),
                        organization_id=space.organization_id,
                        space=space,
                        run=run,
                        order_id=order_id,
                        stage_key="make",
                        stage_index=index,
                        task_key=key,
                        parent_task_key="mail" if key == "call" else "",
                        handler_key=handler,
                        status=status,
                        created_at=created_at,
                        started_at=started,
                        finished_at=None
                        if seconds is None
                        else started + timedelta(seconds=seconds),
                        is_overdue=seconds is None and number % 20 == 0,
                    )
                )
        with transaction.atomic():
            FlowRun.objects.bulk_create(runs)
            TaskRun.objects.bulk_create(tasks)
        written += len(tasks)
        print(f"  {written:,} tasks written", flush=True)
    return written


def explain_queries() -> None:
    """Print the plan of every query one scrape makes."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for query in captured.captured_queries:
        print(f"\n{query['sql'][:160]}…" if len(query["sql"]) > 160 else f"\n{query['sql']}")
        with connection.cursor() as cursor:
            cursor.execute(prefix + query["sql"])
            for row in cursor.fetchall():
                print("   ", " ".join(str(cell) for cell in row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--recent-tasks",
        type=int,
        default=30_000,
        help="tasks created in the last 10 minutes (30,000: 50 a second)",
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path('var/bench/metrics.sqlite3').resolve()}"
    os.environ["FABFLOW_METRICS_TOKEN"] = TOKEN
    os.environ["ALLOWED_HOSTS"] = "testserver"
    dataset.build(database_url=url, orders=args.orders, quiet=False)
    written = add_tasks(args.recent_tasks)
    from django.test import Client

    print(f"{args.orders:,} orders, {written:,} tasks, {args.recent_tasks:,} of them recent")
    client = Client()
    seconds = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    explain_queries()
    median, slowest = statistics.median(seconds), max(seconds)
    print(
        f"\n/metrics scrape at {args.orders:,} orders: median {median * 1000:.0f} ms, "
        f"slowest {slowest * 1000:.0f} ms of {args.rounds} (target < {TARGET_SECONDS * 1000:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
