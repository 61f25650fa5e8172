"""Sending webhook deliveries from the worker: durable, retried, in order per order, bounded.

The `Delivery` row is the durable state: nothing about a delivery lives only in a process. A
worker takes a due delivery by leasing it (a conditional update, so two workers never take the
same one), sends it outside any transaction, and records the outcome. A worker killed mid-send
leaves its lease behind: the same worker releases its own leases when it starts again, and any
worker takes a delivery whose lease has run out. So a receiver gets every delivery once or more,
never zero times; the delivery id tells repeats apart.

A delivery goes out only when it is the first still pending of its order and subscription
(`rank`), so one order's events arrive in the order they happened. A failed attempt is retried
with exponential backoff and jitter until the delivery's `give_up_at`, a day after it was written.
A subscription whose deliveries have failed for a day is switched off and its organization's
admins are told by e-mail.

Bounds: each request has WEBHOOK_TIMEOUT_SECONDS, of the answer WEBHOOK_MAX_RESPONSE_BYTES are
read and kept (the subscription's page and API show them), and one organization has at most
WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION deliveries in flight in a worker, whose delivery threads
(FABFLOW_WEBHOOK_CONCURRENCY) are not the flows'.

No DBOS workflow is used: one row holds a delivery's whole state, and a workflow per delivery
would add the system database's transactions to each one for nothing it could recover better.
"""

import json
import logging
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import close_old_connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from fabflow import egress, outbox
from fabflow.bounds import storable_text
from fabflow.limits import (
    WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION,
    WEBHOOK_MAX_RESPONSE_BYTES,
    WEBHOOK_TIMEOUT_SECONDS,
)
from fabflow.webhooks.models import Delivery, DeliveryStatus, Subscription

logger = logging.getLogger(__name__)

# How often a worker looks for due deliveries while none of its sends ends.
POLL_INTERVAL_SECONDS = 0.1
# Longer than one attempt can take: connecting, sending and reading each have the timeout.
LEASE = timedelta(seconds=6 * WEBHOOK_TIMEOUT_SECONDS)
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600
# A subscription whose deliveries have failed this long without one success is switched off.
SWITCH_OFF_AFTER = timedelta(days=1)
# Finished deliveries are kept this long for the subscription's page, then deleted.
KEEP_FINISHED = timedelta(days=30)
PURGE_INTERVAL_SECONDS = 600
PURGE_BATCH = 1000
CANDIDATES_PER_SCAN = 200


def retry_delay(failures: int, *, jitter: float | None = None) -> timedelta:
    """The pause after the `failures`-th failed attempt: 30 s doubling up to an hour, each
    between 75 % and 100 % of that (`jitter` in [0, 1), random unless given), so deliveries
    that failed together do not come back together."""
    base = min(RETRY_BASE_SECONDS * 2 ** (failures - 1), RETRY_MAX_SECONDS)
    jitter = random.random() if jitter is None else jitter
    return timedelta(seconds=base * (0.75 + 0.25 * jitter))


def body_bytes(body: dict) -> bytes:
    """A delivery's body as sent and signed: compact JSON with sorted keys."""
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: `code` the receiver's status and `body` the start of its
    answer (`cut` when there was more), or `error` when no answer came."""

    code: int | None = None
    error: str = ""
    body: str = ""
    cut: bool = False

    @property
    def is_success(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


# --- taking due deliveries ---------------------------------------------------------------------


def due_candidates(now: datetime, limit: int = CANDIDATES_PER_SCAN) -> list[dict]:
    """Pending deliveries due by `now`, not leased, of an enabled subscription, each the first
    still pending of its order and subscription; oldest due first."""
    earlier = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        order_id=OuterRef("order_id"),
        rank__lt=OuterRef("rank"),
        status=DeliveryStatus.PENDING,
    )
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .filter(subscription__is_enabled=True)
        .filter(~Exists(earlier))
        .order_by("next_attempt_at")
        .values("id", "organization_id")[:limit]
    )


def lease(delivery_ids: list, *, executor_id: str, now: datetime) -> set:
    """Take due deliveries for this worker in one transaction; answer the ids it got (another
    worker may have taken some first). The lease's end, `now` + LEASE, marks this batch."""
    until = now + LEASE
    with transaction.atomic():
        Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lt=now)
        ).update(leased_until=until, leased_by=executor_id)
        return set(
            Delivery.objects.filter(
                pk__in=delivery_ids, leased_by=executor_id, leased_until=until
            ).values_list("pk", flat=True)
        )


def release_own_leases(executor_id: str) -> int:
    """Let go of the deliveries this worker held when it stopped (killed mid-send): they are
    sent again at once."""
    return Delivery.objects.filter(
        status=DeliveryStatus.PENDING, leased_by=executor_id, leased_until__isnull=False
    ).update(leased_until=None, leased_by="")


# --- one attempt ----------------------------------------------------------------------------


def attempt(delivery_id, *, executor_id: str, clock=timezone.now) -> Outcome | None:
    """Send a leased delivery once and record the outcome; None when it is no longer ours."""
    delivery = (
        Delivery.objects.select_related("subscription")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING, leased_by=executor_id)
        .first()
    )
    if delivery is None:
        return None
    outcome = send(delivery)
    record(delivery, outcome, executor_id=executor_id, now=clock())
    return outcome


def send(delivery: Delivery) -> Outcome:
    """POST the delivery to its subscription's URL, signed; never raises."""
    subscription = delivery.subscription
    body = body_bytes(delivery.body if isinstance(delivery.body, dict) else {})
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Fabflow",
        "X-Fabflow-Event": delivery.event_type,
        "X-Fabflow-Delivery": str(delivery.pk),
        "X-Fabflow-Signature": egress.sign(body, subscription.secret),
        # The answer is kept as received: asked for uncompressed, so that it can be read.
        "Accept-Encoding": "identity",
    }
    parts = urlsplit(subscription.url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return Outcome(error="The subscription's URL is not an http or https URL")
    client = egress.client(allow_private=egress.private_addresses_allowed(delivery.organization_id))
    try:
        with client.stream(
            "POST", subscription.url, content=body, headers=headers, timeout=WEBHOOK_TIMEOUT_SECONDS
        ) as response:
            answer, cut = _read_capped(response)
            return Outcome(code=response.status_code, body=storable_text(answer), cut=cut)
    except (egress.AddressNotAllowed, egress.HostNotResolved) as failure:
        return Outcome(error=str(failure))
    except httpx.HTTPError as error:
        return Outcome(error=f"{type(error).__name__}: {error}"[:500])


def _read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    """The first WEBHOOK_MAX_RESPONSE_BYTES of the answer as received, and whether it went on
    past them (or was still coming when the attempt's time ran out). Reading no more bounds
    what a receiver can make a worker take in."""
    read = bytearray()
    deadline = time.monotonic() + WEBHOOK_TIMEOUT_SECONDS
    for chunk in response.iter_raw():
        read += chunk
        if len(read) > WEBHOOK_MAX_RESPONSE_BYTES or time.monotonic() > deadline:
            return bytes(read[:WEBHOOK_MAX_RESPONSE_BYTES]), True
    return bytes(read), False


def record(delivery: Delivery, outcome: Outcome, *, executor_id: str, now: datetime) -> None:
    """Write an attempt's outcome: delivered, retried later, or given up; and what it means
    for the subscription (failing since when, switched off)."""
    switched_off = None
    with transaction.atomic():
        changes = {
            "attempts": delivery.attempts + 1,
            "last_attempt_at": now,
            "response_code": outcome.code,
            "last_error": outcome.error[:500],
            "response_body": outcome.body,
            "response_cut": outcome.cut,
            "leased_until": None,
            "leased_by": "",
        }
        if outcome.is_success:
            changes.update(status=DeliveryStatus.DELIVERED, finished_at=now)
        else:
            next_attempt = now + retry_delay(delivery.attempts + 1)
            if next_attempt > delivery.give_up_at:
                changes.update(status=DeliveryStatus.FAILED, finished_at=now)
            else:
                changes["next_attempt_at"] = next_attempt
        updated = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, leased_by=executor_id
        ).update(**changes)
        if not updated:
            return  # taken over after its lease ran out: the other worker records its own
        if outcome.is_success:
            if delivery.subscription.failing_since is not None:
                Subscription.objects.filter(pk=delivery.subscription_id).update(failing_since=None)
        else:
            switched_off = _note_failure(delivery.subscription_id, now)
    if switched_off is not None:
        tell_admins_switched_off(switched_off)


def _note_failure(subscription_id, now: datetime) -> Subscription | None:
    """Mark the subscription failing since `now` (if it was not yet); switch it off after a day
    of failures and answer it then."""
    Subscription.objects.filter(pk=subscription_id, failing_since__isnull=True).update(
        failing_since=now
    )
    reason = (
        f"Switched off by Fabflow on {now:%Y-%m-%d %H:%M} UTC: every delivery failed for a day "
        "(the latest answers are below). Fix the endpoint, then switch the subscription on."
    )
    switched = Subscription.objects.filter(
        pk=subscription_id, is_enabled=True, failing_since__lte=now - SWITCH_OFF_AFTER
    ).update(is_enabled=False, disabled_reason=reason, updated_at=now)
    if not switched:
        return None
    return Subscription.objects.get(pk=subscription_id)


def tell_admins_switched_off(subscription: Subscription) -> None:
    """E-mail the organization's admins that a subscription was switched off (the way every
    message of Fabflow goes: SMTP, or the outbox when none is set up)."""
    from fabflow.accounts.models import User

    recipients = list(
        User.objects.filter(
            organization_id=subscription.organization_id, is_admin=True, is_active=True
        ).values_list("email", flat=True)
    )
    if not recipients:
        return
    page = f"{settings.FABFLOW_PUBLIC_URL.rstrip('/')}/webhooks/{subscription.pk}/"
    message = EmailMessage(
        subject="A webhook subscription was switched off",
        body=(
            f"Every delivery to {subscription.url} has failed for a day, so Fabflow switched "
            f"this subscription off. No more events are sent to it until an admin switches it "
            f"on again.\n\nThe subscription and its latest deliveries: {page}\n"
        ),
        to=recipients,
        headers=outbox.headers(organization_id=subscription.organization_id),
    )
    try:
        message.send()
    except Exception:  # the page shows the notice too; a mail server away must not stop sending
        logger.exception("cannot e-mail the admins that subscription %s is off", subscription.pk)


# --- the worker's loop --------------------------------------------------------------------


class Deliverer:
    """The delivery loop of one worker: scans for due deliveries and sends them on threads of
    its own, at most WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION per organization at a time."""

    def __init__(self, executor_id: str, *, concurrency: int | None = None, clock=timezone.now):
        self.executor_id = executor_id
        self.concurrency = concurrency or settings.FABFLOW_WEBHOOK_CONCURRENCY
        self.clock = clock
        self.stop_event = threading.Event()
        # Set when a send ends (a thread is free, and the order it held may go on) or on stop.
        self.wake = threading.Event()
        self.in_flight: Counter = Counter()
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="fabflow-webhook")
        self.last_purge = 0.0

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="fabflow-webhooks", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def run(self) -> None:
        try:
            release_own_leases(self.executor_id)
        except Exception:
            logger.exception("cannot release this worker's webhook leases; they run out instead")
        while not self.stop_event.is_set():
            started = 0
            try:
                started = self.tick()
            except Exception:
                logger.exception("the webhook delivery scan failed; trying again")
            finally:
                close_old_connections()
            if not started:
                self.wake.wait(POLL_INTERVAL_SECONDS)
            self.wake.clear()

    def tick(self) -> int:
        """Lease and start what is due and fits the bounds; answer how many started."""
        if time.monotonic() - self.last_purge >= PURGE_INTERVAL_SECONDS:
            self.last_purge = time.monotonic()
            purge_finished(self.clock())
        taken = self.take_due()
        for delivery_id, organization_id in taken:
            self.pool.submit(self._send, delivery_id, organization_id)
        return len(taken)

    def take_due(self) -> list[tuple]:
        """Lease the due deliveries this worker has threads for, skipping organizations that
        have their share in flight; each counts as in flight from now on."""
        with self.lock:
            free = self.concurrency - sum(self.in_flight.values())
        if free <= 0:
            return []
        now = self.clock()
        chosen = []
        with self.lock:
            shares = Counter(self.in_flight)
        for candidate in due_candidates(now):
            if len(chosen) == free:
                break
            organization_id = candidate["organization_id"]
            if shares[organization_id] < WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION:
                shares[organization_id] += 1
                chosen.append((candidate["id"], organization_id))
        if not chosen:
            return []
        got = lease(
            [delivery_id for delivery_id, _ in chosen], executor_id=self.executor_id, now=now
        )
        taken = [
            (delivery_id, organization)
            for delivery_id, organization in chosen
            if delivery_id in got
        ]
        with self.lock:
            self.in_flight.update(organization for _, organization in taken)
        return taken

    def _send(self, delivery_id, organization_id) -> None:
        try:
            attempt(delivery_id, executor_id=self.executor_id, clock=self.clock)
        except Exception:  # its lease runs out and another attempt is made
            logger.exception("sending webhook delivery %s failed", delivery_id)
        finally:
            close_old_connections()
            with self.lock:
                self.in_flight[organization_id] -= 1
                if not self.in_flight[organization_id]:
                    del self.in_flight[organization_id]
            self.wake.set()


def deliver_due(*, executor_id: str = "local", now: datetime | None = None) -> int:
    """Send every delivery due by `now` one after another in this thread (one attempt each);
    answer how many were attempted. For the `fabflow` command and tests that bring their clock."""
    now = now or timezone.now()
    candidates = [candidate["id"] for candidate in due_candidates(now)]
    got = lease(candidates, executor_id=executor_id, now=now) if candidates else set()
    for delivery_id in candidates:
        if delivery_id in got:
            attempt(delivery_id, executor_id=executor_id, clock=lambda: now)
    return len(got)


def purge_finished(now: datetime) -> int:
    """Delete a batch of deliveries finished more than KEEP_FINISHED ago."""
    old = Delivery.objects.filter(
        status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED],
        finished_at__lt=now - KEEP_FINISHED,
    ).values_list("pk", flat=True)[:PURGE_BATCH]
    return Delivery.objects.filter(pk__in=list(old)).delete()[0]
