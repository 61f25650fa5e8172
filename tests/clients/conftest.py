"""A live Fabflow (web server and worker) for the Python client, and an HTTP receiver that keeps
the raw connector calls it gets, for checking their signatures with the client's verifier."""

import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from email.message import Message

import pytest
from fabflow_client import Fabflow
from fabflow_client.generated.api.flows import create_flow
from fabflow_client.generated.api.orders import create_order
from fabflow_client.generated.models import FlowIn, OrderIn

from tests.api.live import LiveServer, live_server
from tests.flows.conftest import QuietHandler, serving

SIGNING_SECRET = """
import django
django.setup()
from fabflow.accounts.models import ProductSpace
print(ProductSpace.objects.get(key="demo").signing_secret)
"""


@dataclass(frozen=True)
class ConnectorCall:
    """One request the receiver got, as it came: path, headers (names case-insensitive) and raw
    body."""

    path: str
    headers: Message
    body: bytes


@dataclass
class RawReceiver:
    """An HTTP endpoint for connectors: it answers 400 on /refuse and 200 elsewhere."""

    port: int = 0
    calls: list[ConnectorCall] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def calls_to(self, path: str) -> list[ConnectorCall]:
        with self.arrived:
            return [call for call in self.calls if call.path == path]

    def first_call_to(self, path: str, timeout: float = 60.0) -> ConnectorCall | None:
        """The first call to `path`, once it came (None after `timeout` seconds)."""
        with self.arrived:
            self.arrived.wait_for(lambda: self.calls_to(path), timeout)
        calls = self.calls_to(path)
        return calls[0] if calls else None


@pytest.fixture(scope="session")
def connector_receiver():
    state = RawReceiver()

    class Handler(QuietHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.arrived:
                state.calls.append(ConnectorCall(self.path, self.headers, body))
                state.arrived.notify_all()
            self.send_response(400 if self.path == "/refuse" else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    with serving(Handler) as state.port:
        yield state


@dataclass(frozen=True)
class ClientServer:
    """The live server the client talks to, and its demo space's signing secret."""

    url: str
    secret: str
    signing_secret: str
    worker_log: object


@pytest.fixture(scope="session")
def client_server(tmp_path_factory):
    """`fabflow web` and `fabflow worker` over a new database; connectors may call loopback."""
    root = tmp_path_factory.mktemp("client-live")
    extra = {"FABFLOW_ALLOW_PRIVATE_WEBHOOKS": "true", "LOG_LEVEL": "WARNING"}
    with live_server(root, extra_env=extra) as running, open(root / "worker.log", "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "fabflow.cli", "worker", "--id", "client-tests"],
            env=running.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield ClientServer(
                url=running.url,
                secret=running.secret,
                signing_secret=signing_secret(running),
                worker_log=root / "worker.log",
            )
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def signing_secret(server: LiveServer) -> str:
    return subprocess.run(
        [sys.executable, "-c", SIGNING_SECRET],
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def timed_out(what: str, log_path) -> None:
    """Fail a wait, with the end of the worker's log."""
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log_path.read_text()[-4000:]}")


def signed_call(client_server, receiver):
    """The call a consume-rest-api task of a flow made to the receiver."""
    path = f"/signed-{uuid.uuid4().hex[:8]}"
    definition = [
        {
            "key": "tell",
            "tasks": [
                {
                    "key": "erp",
                    "handlerKey": "consume-rest-api",
                    "payload": {"uri": receiver.url(path)},
                }
            ],
        }
    ]
    with Fabflow(client_server.url, client_server.secret) as fabflow:
        flow = fabflow.call(create_flow, body=FlowIn(name=f"Signed {path}", definition=definition))
        order = fabflow.call(
            create_order,
            body=OrderIn.from_dict(
                {
                    "name": f"Signed order {path}",
                    "flowKey": flow.key,
                    "data": {"note": "ünïcode stays as sent"},
                    "products": [{"name": "Ring", "units": 1, "unitValue": "10.00"}],
                }
            ),
        )
    call = receiver.first_call_to(path)
    if call is None:
        timed_out(f"a call to {path}", client_server.worker_log)
    return order, call
