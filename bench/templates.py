"""What a hostile template costs the flows of others: an unrelated flow's latency while templates
that spend their whole render budget run in the same worker.

    python bench/templates.py [--orders 30] [--hostile 4]
    python scripts/with_postgres.py sh -c 'python bench/templates.py --database-url "$DATABASE_URL"'

On a fresh installation in a temporary folder (SQLite unless a PostgreSQL URL is given), with one
worker and a local SMTP server: an unrelated flow (one e-mail task) runs `--orders` orders one at
a time, first alone, then while `--hostile` orders of a flow whose e-mail template loops until
its 1-second budget stops it are kept running. Prints, for each, the unrelated order's latency
from its creation to its e-mail task's end (p50 / p95 / max), and how long the hostile renders
ran before they were stopped. The target: the unrelated flow's p95 stays within a few times its
idle figure, far below the hostile renders' budget.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flows import installation_env, percentile, start_smtp  # the flow benchmark's helpers

LOOPS = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"


def mail_flow(body: str) -> list:
    return [
        {
            "key": "tell",
            "tasks": [
                {
                    "key": "mail",
                    "handlerKey": "send-email",
                    "retries": 0,
                    "payload": {"recipient": ["a@example.com"], "subject": "Order", "body": body},
                }
            ],
        }
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--hostile", type=int, default=4, help="hostile orders kept running")
    parser.add_argument("--database-url", help="PostgreSQL; SQLite when not given")
    args = parser.parse_args()

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    tmp = Path(tempfile.mkdtemp(prefix="fabflow-bench-templates-"))
    smtp, smtp_port = start_smtp()
    env = installation_env(tmp, smtp_port)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fabflow.settings"
    subprocess.run([sys.executable, "-m", "fabflow.cli", "migrate", "-v0"], env=env, check=True)

    import django

    django.setup()
    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.flows import services
    from fabflow.flows.models import TaskRun
    from fabflow.orders.models import Order
    from fabflow.orders.services import ProductInput

    organization = accounts.create_organization(name="Bench")
    space = accounts.create_space(organization=organization, name="Bench", key="bench")
    actor = Actor.system(organization.pk)
    services.create_flow(
        actor=actor, space=space, name="Unrelated", definition=mail_flow("{{ order.name }}")
    )
    services.create_flow(actor=actor, space=space, name="Hostile", definition=mail_flow(LOOPS))

    def make_order(flow_key: str, name: str):
        return services.submit_order(
            actor=actor,
            space_key=space.key,
            flow_key=flow_key,
            name=name,
            products=[ProductInput(name="Ring", units=1, unit_value=Decimal("1.00"))],
        ).order.pk

    def wait_finished(order_id, timeout=120):
        deadline = time.monotonic() + timeout
        while Order.objects.filter(pk=order_id, status__in=["success", "failure"]).count() == 0:
            if time.monotonic() > deadline:
                raise SystemExit("an order did not finish in time")
            time.sleep(0.01)

    def unrelated_latencies(prefix: str) -> list[float]:
        latencies = []
        for index in range(args.orders):
            order_id = make_order("unrelated", f"{prefix} {index}")
            wait_finished(order_id)
            order = Order.objects.get(pk=order_id)
            task = TaskRun.objects.get(order_id=order_id)
            latencies.append((task.finished_at - order.created_at).total_seconds() * 1000)
        return latencies

    worker = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "worker", "--id", "bench"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    stop = threading.Event()
    hostile_ids = []
    try:
        time.sleep(4)
        wait_finished(make_order("unrelated", "Warm-up"))
        idle = unrelated_latencies("Idle")

        def keep_hostile_running():
            from django.db import connection

            index = 0
            running = []
            while not stop.is_set():
                running = [
                    pk
                    for pk in running
                    if not Order.objects.filter(pk=pk, status="failure").exists()
                ]
                while len(running) < args.hostile:
                    index += 1
                    pk = make_order("hostile", f"Hostile {index}")
                    running.append(pk)
                    hostile_ids.append(pk)
                time.sleep(0.05)
            connection.close()

        feeder = threading.Thread(target=keep_hostile_running)
        feeder.start()
        time.sleep(2)  # the hostile renders are under way
        loaded = unrelated_latencies("Beside hostile")
        stop.set()
        feeder.join()
        for pk in hostile_ids:
            wait_finished(pk)
    finally:
        stop.set()
        worker.terminate()
        worker.wait(timeout=30)
        smtp.stop()

    renders = [
        (task.finished_at - task.started_at).total_seconds()
        for task in TaskRun.objects.filter(order_id__in=hostile_ids, status="failed")
    ]
    errors = set(TaskRun.objects.filter(order_id__in=hostile_ids).values_list("error", flat=True))
    print(f"unrelated flow, alone:          {summary(idle)}")
    print(f"unrelated flow, beside {args.hostile} hostile: {summary(loaded)}")
    print(
        f"hostile renders: {len(renders)} stopped after {min(renders):.2f}–{max(renders):.2f} s; "
        f"errors: {sorted(errors)}"
    )


def summary(latencies: list[float]) -> str:
    return (
        f"p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"max {max(latencies):.0f} ms ({len(latencies)} orders)"
    )


if __name__ == "__main__":
    main()
