"""Flow engine throughput and latency, beside the bare DBOS floor measured in the same run.

    python bench/flows.py [--orders 300] [--burst 1000] [--workers 1]
    python scripts/with_postgres.py sh -c 'python bench/flows.py --database-url "$DATABASE_URL" --workers 2'

Measures, on a fresh installation in a temporary folder (SQLite unless DATABASE_URL is
PostgreSQL): orders/s completing a flow of three automatic tasks (e-mail to a local SMTP server →
connector to a local receiver → wait 0 ms); the latency from a task's end to its successor's
start (p50/p95) — until the successor's connector call reaches the receiver, after the e-mail
task and after a first stage's task (a flow of two stages) — idle (orders one at a time) and in
a burst; the lateness of timeouts (p99).
The floor is a bare DBOS workflow of 3 no-op steps on the same kind of database. The workers
run as bench/counted_worker.py, which counts the system database's transactions.

The engine's shape, a task's first automatic successor run inline in its workflow, was chosen
with this benchmark against a workflow per task (bench/NOTES.md has both sets of figures); the
product runs inline successors only, so there is no switch left to compare them.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTED_WORKER = str(Path(__file__).with_name("counted_worker.py"))
TARGETS = {"successor_idle_p95_ms": 50, "successor_burst_p95_ms": 250, "timeout_p99_s": 1.0}
FLOORS = {"sqlite": 128, "postgresql": 103}

FLOOR_SCRIPT = r"""
import os, sys, time, tempfile
import sqlalchemy as sa
from dbos import DBOS
url = sys.argv[1]; count = int(sys.argv[2]); start_at = float(sys.argv[3])
engine = None
if url.startswith("sqlite"):
    engine = sa.create_engine(url)
    @sa.event.listens_for(engine, "connect")
    def _p(c, r):
        c.isolation_level = "IMMEDIATE"
        c.execute("PRAGMA busy_timeout=30000"); c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
DBOS(config={"name": "floor", "system_database_url": url, "system_database_engine": engine,
             "application_version": "floor", "log_level": "ERROR"})
@DBOS.step()
def noop(i): return i
@DBOS.workflow()
def flow(i):
    for s in range(3): noop(s)
DBOS.launch()
flow(-1)
time.sleep(max(0.0, start_at - time.time()))
start = time.perf_counter()
for i in range(count): flow(i)
print(count / (time.perf_counter() - start))
DBOS.destroy()
"""


def percentile(values, fraction):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(fraction * (len(values) - 1)))]


def start_smtp():
    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def start_receiver():
    """A connector's receiver; `server.arrivals` holds when each order's call arrived."""
    arrivals = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrivals[json.loads(body)["order"]["id"]] = time.time()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.arrivals = arrivals
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def installation_env(tmp: Path, smtp_port: int, **extra: str) -> dict:
    """The environment of a fresh installation in `tmp` whose e-mail goes to `smtp_port`."""
    return {
        **os.environ,
        "FABFLOW_DATA_DIR": str(tmp / "var"),
        "SECRET_KEY": "bench",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "LOG_LEVEL": "ERROR",
        **extra,
    }


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_counters(paths):
    """(task transactions, polling transactions, time) summed over the workers' counter files."""
    import json

    tasks, polling, at = 0, 0, 0.0
    for path in paths:
        data = json.loads(Path(path).read_text())
        tasks += data["tasks"]
        polling += data["polling"]
        at = max(at, data["at"])
    return tasks, polling, at


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--idle", type=int, default=30)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--timeouts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL (scale-out); SQLite when not given")
    args = parser.parse_args()

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    tmp = Path(tempfile.mkdtemp(prefix="fabflow-bench-"))
    smtp, smtp_port = start_smtp()
    receiver = start_receiver()
    env = installation_env(tmp, smtp_port, FABFLOW_ALLOW_PRIVATE_WEBHOOKS="true")
    counters = [tmp / f"counters-{n}.json" for n in range(args.workers)]
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fabflow.settings"
    is_postgres = env.get("DATABASE_URL", "").startswith("postgres")
    subprocess.run([sys.executable, "-m", "fabflow.cli", "migrate", "-v0"], env=env, check=True)

    import django

    django.setup()
    from django.conf import settings

    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.flows import services
    from fabflow.flows.models import TaskRun
    from fabflow.orders.models import Order, OrderEvent
    from fabflow.orders.services import ProductInput

    organization = accounts.create_organization(name="Bench")
    space = accounts.create_space(organization=organization, name="Bench", key="bench")
    actor = Actor.system(organization.pk)
    uri = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    chain = [
        {
            "key": "work",
            "tasks": [
                {
                    "key": "mail",
                    "handlerKey": "send-email",
                    "payload": {
                        "recipient": ["a@example.com"],
                        "subject": "{{ order.name }}",
                        "body": "x",
                    },
                    "next": [
                        {
                            "key": "push",
                            "handlerKey": "consume-rest-api",
                            "payload": {"uri": uri},
                            "next": [
                                {"key": "pause", "handlerKey": "wait", "payload": {"duration": 0}}
                            ],
                        }
                    ],
                }
            ],
        }
    ]
    services.create_flow(actor=actor, space=space, name="Three tasks", definition=chain)
    services.create_flow(
        actor=actor,
        space=space,
        name="Timeout flow",
        definition=[
            {
                "key": "one",
                "tasks": [
                    {
                        "key": "late",
                        "handlerKey": "manual-confirmation",
                        "timeoutDuration": 1000,
                        "payload": {"title": "t"},
                    }
                ],
            }
        ],
    )

    services.create_flow(
        actor=actor,
        space=space,
        name="Two stages",
        definition=[
            {
                "key": "stage-first",
                "tasks": [{"key": "first", "handlerKey": "wait", "payload": {"duration": 0}}],
            },
            {
                "key": "stage-second",
                "tasks": [
                    {"key": "second", "handlerKey": "consume-rest-api", "payload": {"uri": uri}}
                ],
            },
        ],
    )

    def make_orders(count, prefix, flow_key="three-tasks", every_tenth=None):
        ids = []
        for index in range(count):
            flow_key_now = every_tenth if every_tenth and index % 10 == 9 else flow_key
            # As `POST /orders` with a flowKey does: the order and its run in one transaction.
            order = services.submit_order(
                actor=actor,
                space_key=space.key,
                flow_key=flow_key_now,
                name=f"{prefix} {index}",
                products=[ProductInput(name="Ring", units=1, unit_value=Decimal("1.00"))],
            ).order
            ids.append(order.pk)
        return ids

    def wait_done(ids, timeout=1200):
        deadline = time.monotonic() + timeout
        while Order.objects.filter(pk__in=ids, status="success").count() < len(ids):
            if time.monotonic() > deadline:
                raise SystemExit("the flows did not finish in time")
            time.sleep(0.05)

    def successor_latencies(ids, parent):
        """ms from the end of the task `parent` to its successor's handler at work: the
        successor's connector call reaching the receiver (a successor is begun in the
        transaction that finishes the task before it, so its recorded start tells nothing)."""
        gaps = []
        for task in TaskRun.objects.filter(order_id__in=ids, task_key=parent).only(
            "order_id", "finished_at"
        ):
            arrived = receiver.arrivals.get(str(task.order_id))
            if arrived is not None:
                gaps.append((arrived - task.finished_at.timestamp()) * 1000)
        return gaps

    workers = [
        subprocess.Popen(
            [sys.executable, COUNTED_WORKER, str(counters[n]), "--id", f"bench-{n}"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for n in range(args.workers)
    ]
    try:
        time.sleep(4)
        deadline = time.monotonic() + 120
        while not all(path.exists() for path in counters):  # every worker is up and sweeping
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")
            time.sleep(0.2)
        # One order of each flow first, not measured: a worker's first e-mail, connector call
        # and templates set up what later ones reuse.
        wait_done(make_orders(1, "Warm-up") + make_orders(1, "Warm-up stages", "two-stages"))
        # Idle: one order at a time.
        idle_gaps = []
        for index in range(args.idle):
            ids = make_orders(1, f"Idle {index}")
            wait_done(ids)
            idle_gaps += successor_latencies(ids, "mail")
        # A successor in the next stage (the worker goes on into it inline).
        idle_stage_gaps = []
        for index in range(max(1, args.idle // 3)):
            ids = make_orders(1, f"Idle stages {index}", "two-stages")
            wait_done(ids)
            idle_stage_gaps += successor_latencies(ids, "first")
        # Throughput: all orders created first, then the clock runs until all succeed.
        # DBOS's background transactions (notification polling, …) while idle, subtracted.
        idle_start = read_counters(counters)
        time.sleep(3)
        idle_end = read_counters(counters)
        background_rate = (idle_end[0] - idle_start[0]) / (idle_end[2] - idle_start[2])
        # The clock runs from the first order's creation (the workers start on it at once).
        before = read_counters(counters)
        cpu_before = sum(cpu_seconds(w.pid) for w in workers)
        own_cpu_before = time.process_time()
        start = time.perf_counter()
        ids = make_orders(args.orders, "Throughput")
        wait_done(ids)
        elapsed = time.perf_counter() - start
        cpu_per_flow = (sum(cpu_seconds(w.pid) for w in workers) - cpu_before) / args.orders
        own_cpu_per_flow = (time.process_time() - own_cpu_before) / args.orders
        flows_per_second = args.orders / elapsed
        time.sleep(0.6)
        after = read_counters(counters)
        background = background_rate * (after[2] - before[2])
        per_transition = (after[0] - before[0] - background) / (3 * args.orders)
        polling_per_transition = (after[1] - before[1]) / (3 * args.orders)
        polling_rate = (after[1] - before[1]) / (after[2] - before[2])
        # Burst: 1,000 orders created as fast as possible while workers run; every tenth runs
        # the two-stage flow, whose second stage starts while the burst's new runs are queued.
        burst_ids = make_orders(args.burst, "Burst", every_tenth="two-stages")
        wait_done(burst_ids)
        burst_gaps = successor_latencies(burst_ids, "mail")
        burst_stage_gaps = successor_latencies(burst_ids, "first")
        # Timeouts: how long after its deadline each order shows Unhealthy.
        timeout_ids = make_orders(args.timeouts, "Timeout", "timeout-flow")
        time.sleep(3)
        lateness = []
        for task in TaskRun.objects.filter(order_id__in=timeout_ids):
            event = OrderEvent.objects.filter(order_id=task.order_id, type="task_overdue").first()
            if event:
                lateness.append((event.created_at - task.deadline_at).total_seconds())
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        smtp.stop()
        receiver.shutdown()

    database = "postgresql" if is_postgres else "sqlite"
    floor_url = settings.DBOS_SYSTEM_DATABASE_URL.rsplit("/", 1)[0] + "/floor_dbos"
    if not is_postgres:
        floor_url = f"sqlite:///{tmp / 'floor.sqlite3'}"
    if is_postgres:
        from fabflow.durable import ensure_postgres_database

        ensure_postgres_database(floor_url)
    start_at = str(time.time() + 10)
    floor_runs = [
        subprocess.Popen(
            [sys.executable, "-c", FLOOR_SCRIPT, floor_url, "300", start_at],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(args.workers)
    ]
    floor = sum(float(p.communicate()[0].strip().splitlines()[-1]) for p in floor_runs)

    print(f"database: {database}, workers: {args.workers}")
    print(
        f"flows/s (3 automatic tasks): {flows_per_second:.1f}   floor (bare DBOS, 3 no-op steps, "
        f"{args.workers} process(es)): {floor:.1f}/s, documented {FLOORS[database]}/s   "
        f"ratio {flows_per_second / floor:.2f} (target ≥ 0.5)"
    )
    print(
        f"CPU per flow: workers {cpu_per_flow * 1000:.1f} ms, this benchmark (creating the orders, "
        f"polling for their status, the SMTP server and the receiver) {own_cpu_per_flow * 1000:.1f} ms"
    )
    print(
        f"system-database transactions per task transition: {per_transition:.2f}, plus "
        f"{polling_per_transition:.2f} of the queue's polling ({polling_rate:.0f}/s); "
        f"background {background_rate:.1f}/s subtracted"
    )
    print(
        f"successor start idle: p50 {percentile(idle_gaps, 0.5):.1f} ms, p95 {percentile(idle_gaps, 0.95):.1f} ms "
        f"(target ≤ {TARGETS['successor_idle_p95_ms']} ms)"
    )
    print(
        f"successor start in a burst of {args.burst}: p50 {percentile(burst_gaps, 0.5):.1f} ms, "
        f"p95 {percentile(burst_gaps, 0.95):.1f} ms (target ≤ {TARGETS['successor_burst_p95_ms']} ms)"
    )
    print(
        f"successor in the next stage: idle p50 {percentile(idle_stage_gaps, 0.5):.1f} ms, "
        f"p95 {percentile(idle_stage_gaps, 0.95):.1f} ms; in the burst p50 "
        f"{percentile(burst_stage_gaps, 0.5):.1f} ms, p95 {percentile(burst_stage_gaps, 0.95):.1f} ms"
    )
    print(
        f"timeout lateness: p50 {percentile(lateness, 0.5):.3f} s, p99 {percentile(lateness, 0.99):.3f} s "
        f"over {len(lateness)} tasks (target ≤ {TARGETS['timeout_p99_s']} s)"
    )


if __name__ == "__main__":
    main()
