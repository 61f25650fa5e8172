"""Connectors call only addresses they checked, under their organization's address policy.

The consume-rest-api handler runs in the test process against the real HTTP receiver of the
flow tests and a real TLS server; a patched resolver stands in for DNS, so that a name can
answer differently from one lookup to the next.
"""

import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import trustme
from django.utils.html import escape

from fabflow import egress
from fabflow.accounts.actors import Actor
from fabflow.accounts.services import set_private_addresses_allowed
from fabflow.flows.handlers import consume_rest_api
from fabflow.flows.registry import HandlerFailure, TaskContext
from fabflow.orders.services import create_order
from tests.conftest import ring_products
from tests.flows.conftest import (  # noqa: F401  (fixtures: an installation with real workers)
    installation,
    receiver,
    smtp_server,
)

PUBLIC_ADDRESS = "93.184.215.14"
REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture(autouse=True)
def strict_installation(settings):
    """Private addresses are refused unless a test allows them; each test gets new clients."""
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = False
    egress.client.cache_clear()
    yield
    egress.client.cache_clear()


class Resolver:
    """A stand-in for DNS: each test name answers the addresses of its list, one list per
    lookup (the last one repeats); every other name goes to the real resolver."""

    def __init__(self, answers: dict[str, list[list[str]]]):
        self.answers = answers
        self.lookups: list[str] = []

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.lookups.append(host)
        rounds = self.answers[host]
        addresses = rounds[min(self.lookups.count(host), len(rounds)) - 1]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in addresses
        ]


@pytest.fixture
def resolver(monkeypatch):
    def install(answers):
        fake = Resolver(answers)
        monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
        return fake

    return install


def run_connector(order, uri: str) -> dict:
    """Run the consume-rest-api handler once for `order`, as a worker would."""
    context = TaskContext(
        task=SimpleNamespace(feedback_token="feedback-token"),
        order=order,
        payload=consume_rest_api.Payload(uri=uri),
        variables={"order": {"name": order.name}},
        delivery_id="delivery-1",
        attempt=1,
    )
    return consume_rest_api.execute(context)


def new_order(space, name="WEB-1"):
    actor = Actor.system(space.organization_id)
    return create_order(actor=actor, space=space, name=name, products=ring_products(1, 1)).order


def refusal(host: str) -> str:
    return (
        f"The address of host {host!r} is not allowed: it is not public; an organization admin "
        "can allow private addresses on the Organization page"
    )


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
        "64:ff9b::a00:1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_recognised(address):
    assert egress.is_public(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize(
    "address", [PUBLIC_ADDRESS, "8.8.8.8", "2606:4700:4700::1111", "2002:5db8:d70e::1"]
)
def test_public_addresses_are_recognised(address):
    assert egress.is_public(ipaddress.ip_address(address)) is True


def test_a_name_of_a_loopback_address_is_refused_and_nothing_is_sent(space, receiver):  # noqa: F811
    order = new_order(space)
    with pytest.raises(HandlerFailure) as failure:
        run_connector(order, f"http://localhost:{receiver.port}/hook")
    assert failure.value.message == refusal("localhost")
    assert failure.value.retryable is False
    assert "127.0.0.1" not in failure.value.message
    assert receiver.calls == []


def test_one_private_address_among_public_ones_refuses_the_host(space, receiver, resolver):  # noqa: F811
    resolver({"mixed.test": [[PUBLIC_ADDRESS, "127.0.0.1"]]})
    with pytest.raises(HandlerFailure) as failure:
        run_connector(new_order(space), f"http://mixed.test:{receiver.port}/hook")
    assert failure.value.message == refusal("mixed.test")
    assert receiver.calls == []


def test_an_organization_that_allows_private_addresses_reaches_them_and_no_other_does(
    space,
    stranger_space,
    admin,
    receiver,  # noqa: F811
):
    receiver.secret_holder["secret"] = space.signing_secret
    set_private_addresses_allowed(actor=Actor.for_user(admin), allowed=True)
    uri = f"http://localhost:{receiver.port}/hook"

    assert run_connector(new_order(space), uri) == {"statusCode": 200, "deliveryId": "delivery-1"}
    with pytest.raises(HandlerFailure) as failure:
        run_connector(new_order(stranger_space, "LAMP-1"), uri)

    assert failure.value.message == refusal("localhost")
    assert [
        (call["path"], call["signed"], call["body"]["order"]["name"]) for call in receiver.calls
    ] == [("/hook", True, "WEB-1")]


def test_the_installation_setting_allows_private_addresses_for_everyone(
    settings,
    stranger_space,
    receiver,  # noqa: F811
):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    receiver.secret_holder["secret"] = stranger_space.signing_secret
    result = run_connector(new_order(stranger_space), f"http://localhost:{receiver.port}/hook")
    assert result["statusCode"] == 200
    assert len(receiver.calls) == 1


def test_a_name_that_answers_loopback_on_a_second_lookup_is_still_called_at_the_checked_address(
    space,
    receiver,  # noqa: F811
    resolver,
    monkeypatch,
):
    dns = resolver({"rebind.test": [[PUBLIC_ADDRESS], ["127.0.0.1"]]})
    connections = []
    real_create_connection = socket.create_connection

    def create_connection(address, *args, **kwargs):
        connections.append(address)
        if address[0] == PUBLIC_ADDRESS:  # no network in the tests: the public host is down
            raise ConnectionRefusedError(111, "Connection refused")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)

    with pytest.raises(HandlerFailure) as failure:
        run_connector(new_order(space), f"http://rebind.test:{receiver.port}/hook")

    assert failure.value.message == (
        f"POST http://rebind.test:{receiver.port}/hook failed: [Errno 111] Connection refused"
    )
    assert failure.value.retryable is True
    assert connections == [(PUBLIC_ADDRESS, receiver.port)]
    assert dns.lookups == ["rebind.test"]
    assert receiver.calls == []


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """A real HTTPS server on 127.0.0.1 with a certificate for `connector.test` from a test
    authority that the connector's clients trust; it records the SNI names and Host headers."""
    authority = trustme.CA()
    bundle = tmp_path / "authority.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    server_names, hosts = [], []

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("connector.test").configure_cert(context)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hosts.append(self.headers.get("Host"))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(port=server.server_address[1], server_names=server_names, hosts=hosts)
    finally:
        server.shutdown()
        server.server_close()


def test_tls_is_checked_against_the_host_name_and_sends_it_as_sni_and_host(
    settings, space, tls_server, resolver
):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    resolver({"connector.test": [["127.0.0.1"]]})

    result = run_connector(new_order(space), f"https://connector.test:{tls_server.port}/hook")

    assert result["statusCode"] == 200
    assert tls_server.server_names == ["connector.test"]
    assert tls_server.hosts == [f"connector.test:{tls_server.port}"]


def test_a_certificate_for_another_name_fails_the_call(settings, space, tls_server, resolver):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    resolver({"impostor.test": [["127.0.0.1"]]})

    with pytest.raises(HandlerFailure) as failure:
        run_connector(new_order(space), f"https://impostor.test:{tls_server.port}/hook")

    assert "certificate verify failed" in failure.value.message
    assert "Hostname mismatch" in failure.value.message
    assert tls_server.hosts == []


def test_a_refused_call_fails_its_task_with_the_host_and_no_address_on_the_order_page(
    installation,  # noqa: F811
    receiver,  # noqa: F811
):
    installation.env["FABFLOW_ALLOW_PRIVATE_WEBHOOKS"] = "false"
    definition = [
        {
            "key": "sync",
            "tasks": [
                {
                    "key": "push",
                    "handlerKey": "consume-rest-api",
                    "retries": 3,
                    "payload": {"uri": f"http://localhost:{receiver.port}/hook"},
                }
            ],
        }
    ]
    setup = installation.call("setup", definition=definition)
    [order_id] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    installation.start_worker()
    installation.wait_for(lambda: installation.order_status(order_id) == "failure")

    [push] = installation.call("tasks", order_id=order_id)
    assert (push["status"], push["attempt"], push["error"]) == (
        "failed",
        1,
        refusal("localhost"),
    )
    status, page = installation.call("order_page", order_id=order_id)
    assert status == 200
    assert escape(refusal("localhost")) in page
    assert "127.0.0.1" not in page
    assert receiver.calls == []


@pytest.fixture
def redirecting_server():
    """An HTTP server on 127.0.0.1 that sends every POST to /elsewhere with a 307 and records
    the paths it was asked for."""
    paths = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            paths.append(self.path)
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield SimpleNamespace(port=server.server_address[1], paths=paths)
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed_and_fails_the_task(settings, space, redirecting_server):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    uri = f"http://localhost:{redirecting_server.port}/hook"
    with pytest.raises(HandlerFailure) as failure:
        run_connector(new_order(space), uri)
    assert (failure.value.message, failure.value.retryable) == (f"POST {uri} answered 307", False)
    assert redirecting_server.paths == ["/hook"]
