"""Make tests/fixtures/upgrade/: a small installation of this release with its flows part-way.

    python scripts/make_upgrade_fixture.py

Run it from a clean checkout of the release (its migrations are what the fixture records). It
migrates a new SQLite installation, creates one order in each of four flows, runs a worker until
every order stands where an upgrade would find it, stops the worker dead (SIGKILL, the state a
machine going down leaves), and writes the app database and DBOS's system database, compressed, with
`orders.json` naming the orders:

- `print`: a manual task waiting for a person;
- `late`: a manual task past its timeout (its order Unhealthy);
- `ship`: a connector that was called and waits for its feedback (`updateUrl`);
- `cure`: a `wait` task running (a durable sleep inside a workflow), a task after it.

tests/operations/test_upgrade.py migrates a copy with the current code and finishes every flow.
"""

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
FIXTURE = REPOSITORY / "tests" / "fixtures" / "upgrade"
SECRET_KEY = "upgrade-fixture-only"
CURE_SECONDS = 8
DATABASES = ["fabflow.sqlite3", "fabflow_dbos.sqlite3"]
CREATE_ORDERS = "--create-orders"


def flows(receiver_url: str) -> dict:
    """The four flows, by the name the fixture gives their order."""

    def then_done(first: dict) -> list:
        done = {"key": "done", "handlerKey": "wait", "payload": {"duration": 0}}
        return [{"key": "work", "tasks": [first]}, {"key": "finish", "tasks": [done]}]

    manual = {"key": "print", "handlerKey": "manual-confirmation", "next": []}
    return {
        "print": then_done({**manual, "payload": {"title": "Print the rings"}}),
        "late": then_done(
            {**manual, "payload": {"title": "Polish the rings"}, "timeoutDuration": 1000}
        ),
        "ship": then_done(
            {
                "key": "ship",
                "handlerKey": "consume-rest-api",
                "payload": {"uri": receiver_url, "sendsFeedback": True},
            }
        ),
        "cure": then_done(
            {"key": "cure", "handlerKey": "wait", "payload": {"duration": CURE_SECONDS * 1000}}
        ),
    }


def environment(data_dir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "SMTP_", "FABFLOW_", "DBOS_"))
    }
    env.update(
        FABFLOW_DATA_DIR=str(data_dir),
        SECRET_KEY=SECRET_KEY,
        FABFLOW_ALLOW_PRIVATE_WEBHOOKS="true",
        FABFLOW_PUBLIC_URL="http://fabflow.test",
        DJANGO_SETTINGS_MODULE="fabflow.settings",
        PYTHONPATH=str(REPOSITORY / "src"),
    )
    return env


def start_receiver() -> ThreadingHTTPServer:
    """An HTTP endpoint answering every connector call with 200."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def create_orders(receiver_url: str) -> dict:
    """In this process: an organization, a space, the flows and one order per flow."""
    from decimal import Decimal

    import django

    django.setup()
    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.flows import services
    from fabflow.orders.services import PartInput, ProductInput, create_order

    organization = accounts.create_organization(name="Ringmakers")
    space = accounts.create_space(organization=organization, name="Rings", key="rings")
    actor = Actor.system(organization.pk)
    orders = {}
    for name, definition in flows(receiver_url).items():
        flow = services.create_flow(
            actor=actor, space=space, name=f"Upgrade {name}", definition=definition
        )
        product = ProductInput(
            name="Ring", units=1, unit_value=Decimal("49.00"), parts=[PartInput(name="Band")]
        )
        order = create_order(actor=actor, space=space, name=f"Order {name}", products=[product])
        services.start_flow(actor=actor, order_id=order.order.pk, flow_key=flow.key)
        orders[name] = str(order.order.pk)
    return orders


def stands_where_wanted(database: Path, orders: dict) -> bool:
    """Whether every order stands where the fixture wants it (read with SQLite alone)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        tasks = {
            (order_id, key): (status, bool(is_overdue))
            for order_id, key, status, is_overdue in connection.execute(
                "SELECT order_id, task_key, status, is_overdue FROM flows_taskrun"
            )
        }
        late_order = connection.execute(
            "SELECT status FROM orders_order WHERE id = ?", [uuid.UUID(orders["late"]).hex]
        ).fetchone()
    finally:
        connection.close()

    def task(name, key):
        return tasks.get((uuid.UUID(orders[name]).hex, key), (None, False))

    return (
        task("print", "print")[0] == "waiting"
        and task("late", "print") == ("waiting", True)
        and late_order == ("unhealthy",)
        and task("ship", "ship")[0] == "waiting"
        and task("cure", "cure")[0] == "running"
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="fabflow-upgrade-fixture-") as scratch:
        data_dir = Path(scratch) / "var"
        env = environment(data_dir)
        command = [sys.executable, "-m", "fabflow.cli"]
        subprocess.run([*command, "migrate", "-v0"], env=env, check=True)
        receiver = start_receiver()
        # Django and DBOS's client run in a process of their own, so that no connection of
        # this one keeps the databases open when they are compacted below.
        created = subprocess.run(
            [sys.executable, __file__, CREATE_ORDERS, receiver_url(receiver)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        orders = json.loads(created.stdout.splitlines()[-1])
        worker = subprocess.Popen([*command, "worker"], env=env)
        try:
            deadline = time.monotonic() + 60
            while not stands_where_wanted(data_dir / DATABASES[0], orders):
                if time.monotonic() > deadline:
                    raise SystemExit("the flows did not reach their places within a minute")
                time.sleep(0.2)
        finally:
            # Stopped dead, as a machine going down leaves it: a worker told to stop (SIGTERM)
            # would first let the running `wait` task sleep to its end.
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            receiver.shutdown()
        FIXTURE.mkdir(parents=True, exist_ok=True)
        for name in DATABASES:
            write_compressed(data_dir / name, FIXTURE / f"{name}.gz")
        (FIXTURE / "orders.json").write_text(json.dumps(orders, indent=1, sort_keys=True) + "\n")
    print(f"wrote {FIXTURE}")
    return 0


def receiver_url(receiver: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{receiver.server_address[1]}/hook"


def write_compressed(database: Path, target: Path) -> None:
    """The database as one self-contained file (log checkpointed, vacuumed), gzipped."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=30)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("VACUUM")
    connection.close()
    # No time stamp in the header: the same database compresses to the same bytes.
    with (
        open(database, "rb") as source,
        open(target, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as sink,
    ):
        shutil.copyfileobj(source, sink)


if __name__ == "__main__":
    if sys.argv[1:2] == [CREATE_ORDERS]:
        print(json.dumps(create_orders(sys.argv[2])))
        sys.exit(0)
    sys.exit(main())
