"""The start of a receiver's answer, kept with its delivery, against real receivers on 127.0.0.1:
exactly the first WEBHOOK_MAX_RESPONSE_BYTES as received, as text every database stores, marked
when the answer went on; nothing when no answer came. The subscription's page shows it as text
and the API answers it."""

import json
import threading

import pytest
from django.test import Client

from fabflow.limits import WEBHOOK_MAX_RESPONSE_BYTES
from fabflow.webhooks import delivery
from fabflow.webhooks.models import Delivery, DeliveryStatus
from fabflow.webhooks.services import create_subscription
from tests.flows.conftest import QuietHandler, serving
from tests.webhooks.test_delivery import new_order

TIMEOUT_SECONDS = 0.5
ERROR_JSON = json.dumps({"error": {"code": "db_down", "message": "The database is away"}}).encode()
# 1 MiB of numbered lines: its first bytes are told apart from any others.
LARGE = b"".join(b"%07d\n" % number for number in range(1024 * 1024 // 8))
# Bytes that are no UTF-8, NUL, and a character cut off at the end.
MANGLED = b"ok \xff\xfe\x00 done \xe2\x82"
MANGLED_TEXT = "ok \ufffd\ufffd\ufffd done \ufffd"
SCRIPT = b'<script>alert("answered")</script><b>bold</b>'
# A three-byte character across the cut: its first byte is kept, as U+FFFD.
STRADDLING = b"a" * (WEBHOOK_MAX_RESPONSE_BYTES - 1) + "€".encode() + b"b" * 100

ANSWERS = {
    "/error": (500, ERROR_JSON),
    "/large": (200, LARGE),
    "/mangled": (502, MANGLED),
    "/script": (500, SCRIPT),
    "/straddling": (500, STRADDLING),
    "/empty": (204, b""),
}


class Receivers:
    """Receivers by path: ANSWERS' code and body; `/slow` answers only once `release` is set;
    `/flaky` answers its first call as `/error`, then as `/slow`. `encodings` holds the
    Accept-Encoding of each call."""

    def __init__(self):
        self.release = threading.Event()
        self.encodings = []
        self.flaky_calls = 0

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receivers(settings, monkeypatch):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    monkeypatch.setattr(delivery, "WEBHOOK_TIMEOUT_SECONDS", TIMEOUT_SECONDS)
    state = Receivers()

    class Handler(QuietHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.encodings.append(self.headers.get("Accept-Encoding"))
            path = self.path
            if path == "/flaky":
                state.flaky_calls += 1
                path = "/error" if state.flaky_calls == 1 else "/slow"
            if path == "/slow":
                state.release.wait(timeout=60)
                self.answer(200, b"late")
            else:
                self.answer(*ANSWERS[path])

    with serving(Handler) as state.port:
        try:
            yield state
        finally:
            state.release.set()


def deliver_to(receivers, admin_actor, space, path) -> Delivery:
    """Subscribe `path`, create an order, send its delivery once; the delivery as stored."""
    create_subscription(actor=admin_actor, url=receivers.url(path), event_types=["order.created"])
    new_order(admin_actor, space)
    assert delivery.deliver_due() == 1
    return Delivery.objects.get()


def kept(sent: Delivery) -> tuple:
    return sent.response_code, sent.response_body, sent.response_cut, sent.last_error


def test_an_error_answer_is_kept_exactly(receivers, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/error")
    assert kept(sent) == (500, ERROR_JSON.decode(), False, "")
    assert sent.status == DeliveryStatus.PENDING
    # Asked for as received: uncompressed.
    assert receivers.encodings == ["identity"]


def test_a_large_answer_keeps_its_first_bytes_and_says_it_was_cut(receivers, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/large")
    assert kept(sent) == (200, LARGE[:WEBHOOK_MAX_RESPONSE_BYTES].decode(), True, "")
    assert len(sent.response_body) == WEBHOOK_MAX_RESPONSE_BYTES == 4096
    assert sent.status == DeliveryStatus.DELIVERED


def test_bytes_that_are_no_utf8_and_nul_are_stored_readably(receivers, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/mangled")
    assert kept(sent) == (502, MANGLED_TEXT, False, "")


def test_a_character_across_the_cut_keeps_its_place(receivers, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/straddling")
    assert kept(sent) == (500, "a" * (WEBHOOK_MAX_RESPONSE_BYTES - 1) + "\ufffd", True, "")


def test_an_empty_answer_keeps_nothing(receivers, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/empty")
    assert kept(sent) == (204, "", False, "")


def test_a_timeout_keeps_no_answer_not_even_the_last_attempts(receivers, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/flaky")
    assert kept(sent) == (500, ERROR_JSON.decode(), False, "")
    assert delivery.deliver_due(now=sent.next_attempt_at) == 1
    receivers.release.set()
    sent.refresh_from_db()
    assert kept(sent) == (None, "", False, "ReadTimeout: timed out")
    assert sent.attempts == 2


def test_a_connection_refused_keeps_no_answer(receivers, admin_actor, space):
    create_subscription(
        actor=admin_actor, url="http://127.0.0.1:9/hook", event_types=["order.created"]
    )
    new_order(admin_actor, space)
    assert delivery.deliver_due() == 1
    sent = Delivery.objects.get()
    assert kept(sent)[:3] == (None, "", False)
    assert sent.last_error.startswith("ConnectError: ")


def test_the_page_shows_the_answer_as_text(receivers, admin, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/script")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/webhooks/{sent.subscription_id}/").content.decode()
    assert (
        '<pre class="answer-body" tabindex="0">&lt;script&gt;alert(&quot;answered&quot;)'
        "&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;</pre>"
    ) in page
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "cut at" not in page


def test_the_page_says_when_the_answer_was_cut(receivers, admin, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/large")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/webhooks/{sent.subscription_id}/").content.decode()
    assert "<summary>The receiver's answer (cut at 4 KiB)</summary>" in page
    assert LARGE[:WEBHOOK_MAX_RESPONSE_BYTES].decode() + "</pre>" in page


def test_the_api_answers_the_answer(receivers, admin, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/large")
    client = Client()
    client.force_login(admin)
    listed = client.get(f"/api/v1/webhooks/{sent.subscription_id}/deliveries").json()
    (item,) = listed["items"]
    assert (item["responseCode"], item["responseBody"], item["responseCut"]) == (
        200,
        LARGE[:WEBHOOK_MAX_RESPONSE_BYTES].decode(),
        True,
    )


def test_the_api_answers_an_error_answer_uncut(receivers, admin, admin_actor, space):
    sent = deliver_to(receivers, admin_actor, space, "/mangled")
    client = Client()
    client.force_login(admin)
    (item,) = client.get(f"/api/v1/webhooks/{sent.subscription_id}/deliveries").json()["items"]
    assert (item["responseCode"], item["responseBody"], item["responseCut"]) == (
        502,
        MANGLED_TEXT,
        False,
    )
