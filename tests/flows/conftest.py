"""Real outside parts for the engine tests: an SMTP server, an HTTP receiver, and an
installation of its own (database, DBOS system database, worker processes, a service driver)."""

import contextlib
import email
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing."""

    def log_message(self, *args):
        pass

    def answer(self, code: int, body: bytes) -> None:
        """Answer `code` with `body`, as far as the caller listens (it may hang up once it has
        read what it keeps, or given up waiting)."""
        try:
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]):
    """Serve `handler` on 127.0.0.1 from a thread while in the block; yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class MailBox:
    """What the SMTP server received: one parsed message per delivery."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = MailBox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    try:
        yield mailbox
    finally:
        controller.stop()


class Receiver:
    """An HTTP endpoint that records connector calls and checks their signatures.

    `answers` is a list of status codes to give, in order (then 200 for ever); `holds` a list
    of events, each holding back the answer to one call until it is set.
    """

    def __init__(self, secret_holder):
        self.calls = []
        self.answers = []
        self.holds = []
        self.secret_holder = secret_holder
        self.lock = threading.Lock()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receiver():
    holder = {}
    state = Receiver(holder)

    class Handler(QuietHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            secret = state.secret_holder.get("secret", "")
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            with state.lock:
                state.calls.append(
                    {
                        "path": self.path,
                        "delivery": self.headers.get("X-Fabflow-Delivery"),
                        "signed": hmac.compare_digest(
                            expected, self.headers.get("X-Fabflow-Signature", "")
                        ),
                        "body": json.loads(body),
                        "raw": body,
                        "headers": dict(self.headers),
                    }
                )
                code = state.answers.pop(0) if state.answers else 200
                hold = state.holds.pop(0) if state.holds else None
            if hold is not None:
                hold.wait(timeout=60)
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    with serving(Handler) as state.port:
        yield state


class Installation:
    """A Fabflow installation for one test: its database, workers and a driver process."""

    def __init__(self, root: Path, env: dict):
        self.root = root
        self.env = env
        self.workers: dict[str, subprocess.Popen] = {}
        self.driver = None

    def run(self, *argv):
        subprocess.run(
            [sys.executable, "-m", "fabflow.cli", *argv], env=self.env, check=True, cwd=self.root
        )

    def call(self, fn, **kwargs):
        if self.driver is None:
            self.driver = subprocess.Popen(
                [sys.executable, "-m", "tests.flows.driver"],
                env={**self.env, "PYTHONPATH": self.python_path()},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=self.root,
            )
        self.driver.stdin.write(json.dumps({"fn": fn, "kwargs": kwargs}) + "\n")
        self.driver.stdin.flush()
        answer = json.loads(self.driver.stdout.readline())
        if "exception" in answer:
            raise AssertionError(answer["exception"])
        return answer["ok"]

    def stop_driver(self):
        """End the driver process; the next call starts a fresh one."""
        if self.driver is not None:
            self.driver.stdin.close()
            self.driver.wait(timeout=15)
            self.driver.stdout.close()
            self.driver = None

    def python_path(self) -> str:
        """The repository, after the folders the test put on the path (plugins)."""
        return os.pathsep.join(filter(None, [self.env.get("PYTHONPATH"), str(REPOSITORY)]))

    def start_worker(self, worker_id="local"):
        with open(self.root / f"worker-{worker_id}.log", "a") as log:
            self.workers[worker_id] = subprocess.Popen(
                [sys.executable, "-m", "fabflow.cli", "worker", "--id", worker_id],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )
        return self.workers[worker_id]

    def kill_worker(self, worker_id="local"):
        process = self.workers.pop(worker_id)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self):
        for process in self.workers.values():
            process.terminate()
        for process in self.workers.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.workers.clear()
        self.stop_driver()

    def wait_for(self, predicate, timeout=30.0, interval=0.1):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                logs = "".join(p.read_text()[-3000:] for p in self.root.glob("worker-*.log"))
                raise AssertionError(f"timed out waiting; worker logs:\n{logs}")
            time.sleep(interval)

    def order_status(self, order_id):
        return self.call("orders")[order_id]["status"]


def one_connector_flow(receiver_url: str) -> list:
    """A flow of one stage whose one task calls `receiver_url` (consume-rest-api)."""
    return [
        {
            "key": "sync",
            "tasks": [
                {"key": "push", "handlerKey": "consume-rest-api", "payload": {"uri": receiver_url}}
            ],
        }
    ]


def is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def installation(tmp_path, smtp_server, receiver):
    """A migrated installation whose e-mail goes to `smtp_server`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "SMTP_", "FABFLOW_", "DBOS_"))
    }
    env.update(
        FABFLOW_DATA_DIR=str(tmp_path / "var"),
        SECRET_KEY="engine-tests-only",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        SMTP_TIMEOUT="5",
        FABFLOW_ALLOW_PRIVATE_WEBHOOKS="true",
        FABFLOW_PUBLIC_URL="http://fabflow.test",
        LOG_LEVEL="WARNING",
    )
    databases = []
    if is_postgres():
        import psycopg

        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        name = f"flows_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        databases = [name, f"{name}_dbos"]
        env["DATABASE_URL"] = f"{base}/{name}"
    installation = Installation(tmp_path, env)
    installation.run("migrate", "-v0")
    try:
        yield installation
    finally:
        installation.stop()
        if databases:
            import psycopg

            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                for name in databases:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def crashing_plugin(installation):
    """The installation's processes load the `crash` handler (tests/flows/crashing_handler.py)
    through the `fabflow.handlers` entry point of a distribution put on their path."""
    plugins = installation.root / "plugins"
    dist_info = plugins / "fabflow_crash_tests-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fabflow-crash-tests\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[fabflow.handlers]\ncrash = tests.flows.crashing_handler\n"
    )
    installation.env["PYTHONPATH"] = os.pathsep.join([str(plugins), str(REPOSITORY)])
    installation.env["CRASH_TRIES_FILE"] = str(installation.root / "crash-tries.txt")
    return installation
