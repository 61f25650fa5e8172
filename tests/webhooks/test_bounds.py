"""The bounds of one delivery attempt, against real receivers on 127.0.0.1: a receiver slower
than the timeout fails the attempt, which is retried later, and holds the worker no longer; an
answer far larger than WEBHOOK_MAX_RESPONSE_BYTES counts by its status code, and one that never
ends is cut off (once that much is read, or once the attempt has had its time)."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from fabflow.orders.services import update_order
from fabflow.webhooks import delivery
from fabflow.webhooks.models import Delivery, DeliveryStatus
from fabflow.webhooks.services import create_subscription
from tests.flows.conftest import QuietHandler, serving
from tests.webhooks.test_delivery import new_order

TIMEOUT_SECONDS = 0.5
LARGE_ANSWER_BYTES = 1024 * 1024
# An endless answer is written in pieces this large, one every DRIP_SECONDS when dripped.
PIECE_BYTES = 1024
DRIP_SECONDS = 0.05
# After this long a receiver's endless answer ends on its own: then it was not cut off.
ENDLESS_GIVES_UP_SECONDS = 20


class AwkwardReceiver:
    """Receivers that answer badly, by path: `/slow` only when `release` is set, `/large/<code>`
    with `code` and a body of LARGE_ANSWER_BYTES, `/endless` a body without end, `/drip` one
    without end, slowly. `cut_off` holds, per endless answer that ended, whether the caller
    closed the connection in the middle of it."""

    def __init__(self):
        self.release = threading.Event()
        self.cut_off = []
        self.answered = threading.Event()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def endless(self, handler, pause: float) -> None:
        """Write a body piece after piece until the caller hangs up (or gives up waiting)."""
        handler.send_response(200)
        handler.end_headers()
        deadline = time.monotonic() + ENDLESS_GIVES_UP_SECONDS
        cut = False
        try:
            while time.monotonic() < deadline:
                handler.wfile.write(b"x" * PIECE_BYTES)
                handler.wfile.flush()
                time.sleep(pause)
        except OSError:
            cut = True
        self.cut_off.append(cut)
        self.answered.set()


@pytest.fixture
def awkward_receiver():
    state = AwkwardReceiver()

    class Handler(QuietHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/slow":
                state.release.wait(timeout=60)
                self.answer(200, b"{}")
            elif self.path.startswith("/large/"):
                self.answer(int(self.path.rsplit("/", 1)[1]), b"x" * LARGE_ANSWER_BYTES)
            elif self.path == "/endless":
                state.endless(self, pause=0)
            elif self.path == "/drip":
                state.endless(self, pause=DRIP_SECONDS)

    with serving(Handler) as state.port:
        try:
            yield state
        finally:
            state.release.set()


@pytest.fixture(autouse=True)
def short_timeout(settings, monkeypatch):
    """Private receivers allowed, and half a second for an attempt."""
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    monkeypatch.setattr(delivery, "WEBHOOK_TIMEOUT_SECONDS", TIMEOUT_SECONDS)


def subscribe(actor, url, event_type="order.created"):
    return create_subscription(actor=actor, url=url, event_types=[event_type]).subscription


def test_a_receiver_slower_than_the_timeout_fails_the_attempt_and_holds_up_no_other(
    awkward_receiver, receiver, admin_actor, space
):
    slow = subscribe(admin_actor, awkward_receiver.url("/slow"))
    fast = subscribe(admin_actor, receiver.url("/fabflow"), event_type="order.updated")
    receiver.secret_holder["secret"] = fast.secret
    order = new_order(admin_actor, space)
    update_order(actor=admin_actor, order_id=order.pk, tags=["rush"])
    now = timezone.now()

    # The slow receiver answers only once this run is over: the run ends all the same, and the
    # delivery after the slow one went out in it.
    assert delivery.deliver_due(now=now) == 2
    awkward_receiver.release.set()

    timed_out = Delivery.objects.get(subscription=slow)
    assert (timed_out.status, timed_out.attempts, timed_out.response_code) == (
        DeliveryStatus.PENDING,
        1,
        None,
    )
    assert timed_out.last_error == "ReadTimeout: timed out"
    assert timed_out.leased_until is None
    assert timedelta(seconds=22.5) <= timed_out.next_attempt_at - now <= timedelta(seconds=30)
    slow.refresh_from_db()
    assert slow.failing_since == now
    sent = Delivery.objects.get(subscription=fast)
    assert (sent.status, sent.attempts, sent.response_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert [call["delivery"] for call in receiver.calls] == [str(sent.pk)]


@pytest.mark.parametrize(
    ("code", "status"), [(200, DeliveryStatus.DELIVERED), (500, DeliveryStatus.PENDING)]
)
def test_an_answer_far_over_the_cap_counts_by_its_status_code(
    awkward_receiver, admin_actor, space, code, status
):
    subscription = subscribe(admin_actor, awkward_receiver.url(f"/large/{code}"))
    new_order(admin_actor, space)

    assert delivery.deliver_due() == 1

    sent = Delivery.objects.get(subscription=subscription)
    assert (sent.status, sent.attempts, sent.response_code, sent.last_error) == (
        status,
        1,
        code,
        "",
    )


@pytest.mark.parametrize("path", ["/endless", "/drip"])
def test_an_endless_answer_is_cut_off(awkward_receiver, admin_actor, space, path):
    # "/endless" is cut off once WEBHOOK_MAX_RESPONSE_BYTES are read, "/drip" (a piece every
    # 50 ms, each well within the timeout) once the attempt has had its time.
    subscription = subscribe(admin_actor, awkward_receiver.url(path))
    new_order(admin_actor, space)

    assert delivery.deliver_due() == 1

    sent = Delivery.objects.get(subscription=subscription)
    assert (sent.status, sent.attempts, sent.response_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert awkward_receiver.answered.wait(timeout=ENDLESS_GIVES_UP_SECONDS)
    assert awkward_receiver.cut_off == [True]
