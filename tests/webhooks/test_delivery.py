"""Sending deliveries to a real HTTP receiver: signed, retried with backoff, in order per order,
given up after a day, a failing subscription switched off with its admins told by e-mail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fabflow.orders.services import create_order, update_order
from fabflow.webhooks import delivery
from fabflow.webhooks.models import Delivery, DeliveryStatus, Subscription
from fabflow.webhooks.services import resend_delivery
from tests.conftest import ring_products


def new_order(actor, space, name="R-1"):
    return create_order(actor=actor, space=space, name=name, products=ring_products(1, 1)).order


def test_a_delivery_reaches_the_receiver_signed_once(subscription, receiver, admin_actor, space):
    order = new_order(admin_actor, space)
    sent = Delivery.objects.get()
    assert delivery.deliver_due() == 1
    (call,) = receiver.calls
    assert call["signed"] is True
    assert call["delivery"] == str(sent.pk)
    assert call["headers"]["X-Fabflow-Event"] == "order.created"
    assert call["body"]["order"]["id"] == str(order.pk)
    assert call["raw"] == delivery.body_bytes(sent.body)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.response_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.deliver_due() == 0
    assert len(receiver.calls) == 1


def test_a_failed_attempt_is_retried_with_backoff(subscription, receiver, admin_actor, space):
    new_order(admin_actor, space)
    receiver.answers = [500, 503]
    now = timezone.now()
    assert delivery.deliver_due(now=now) == 1
    sent = Delivery.objects.get()
    assert (sent.status, sent.attempts, sent.response_code) == (DeliveryStatus.PENDING, 1, 500)
    first_pause = sent.next_attempt_at - now
    assert timedelta(seconds=22.5) <= first_pause <= timedelta(seconds=30)
    assert delivery.deliver_due(now=sent.next_attempt_at - timedelta(seconds=1)) == 0
    later = sent.next_attempt_at
    assert delivery.deliver_due(now=later) == 1
    sent.refresh_from_db()
    assert (sent.attempts, sent.response_code) == (2, 503)
    assert timedelta(seconds=45) <= sent.next_attempt_at - later <= timedelta(seconds=60)
    assert delivery.deliver_due(now=sent.next_attempt_at) == 1
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.response_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert [call["delivery"] for call in receiver.calls] == [str(sent.pk)] * 3


def test_the_retry_schedule_doubles_to_an_hour_with_jitter():
    assert delivery.retry_delay(1, jitter=0) == timedelta(seconds=22.5)
    assert delivery.retry_delay(1, jitter=0.999999) < timedelta(seconds=30)
    assert delivery.retry_delay(3, jitter=0) == timedelta(seconds=90)
    assert delivery.retry_delay(30, jitter=0) == timedelta(seconds=2700)


def test_deliveries_of_one_order_go_out_in_order(subscription, receiver, admin_actor, space):
    order = new_order(admin_actor, space)
    other = new_order(admin_actor, space, name="R-2")
    update_order(actor=admin_actor, order_id=order.pk, tags=["rush"])
    receiver.answers = [500]
    now = timezone.now()
    # The first order's creation fails; its update waits behind it, the other order goes on.
    assert delivery.deliver_due(now=now) == 2
    assert [(c["body"]["type"], c["body"]["order"]["name"]) for c in receiver.calls] == [
        ("order.created", "R-1"),
        ("order.created", "R-2"),
    ]
    created = Delivery.objects.get(order_id=order.pk, event_type="order.created")
    assert delivery.deliver_due(now=created.next_attempt_at) == 1
    assert delivery.deliver_due(now=created.next_attempt_at) == 1
    assert [(c["body"]["type"], c["body"]["order"]["name"]) for c in receiver.calls[2:]] == [
        ("order.created", "R-1"),
        ("order.updated", "R-1"),
    ]
    assert receiver.calls[3]["body"]["data"] == {"changed": ["tags"]}
    assert other.pk != order.pk
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_a_delivery_is_given_up_after_a_day(subscription, receiver, admin_actor, space):
    new_order(admin_actor, space)
    sent = Delivery.objects.get()
    receiver.answers = [500] * 100
    now = sent.created_at
    while sent.status == DeliveryStatus.PENDING:
        assert delivery.deliver_due(now=now) == 1
        sent.refresh_from_db()
        now = sent.next_attempt_at
    assert sent.status == DeliveryStatus.FAILED
    assert sent.finished_at <= sent.give_up_at == sent.created_at + timedelta(days=1)
    assert 25 <= sent.attempts <= 35
    assert len(receiver.calls) == sent.attempts


def test_a_subscription_failing_for_a_day_is_switched_off_and_its_admins_told(
    settings, subscription, receiver, smtp_server, admin_actor, member, space
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    receiver.answers = [500] * 1000
    new_order(admin_actor, space, name="R-first")
    start = timezone.now()
    for hour in range(25):
        new_order(admin_actor, space, name=f"R-{hour}")
        delivery.deliver_due(now=start + timedelta(hours=hour))
        subscription.refresh_from_db()
        if not subscription.is_enabled:
            break
    assert hour == 24
    assert subscription.disabled_reason.startswith("Switched off by Fabflow")
    assert subscription.failing_since == start
    (message,) = smtp_server.messages
    assert message["To"] == "admin@ringmakers.test"
    assert message["Subject"] == "A webhook subscription was switched off"
    assert receiver.url("/fabflow") in message.get_payload()
    # Switched off, it sends nothing more, and hears of no new change.
    calls = len(receiver.calls)
    new_order(admin_actor, space, name="R-late")
    assert delivery.deliver_due(now=start + timedelta(hours=26)) == 0
    assert len(receiver.calls) == calls
    assert not Delivery.objects.filter(body__order__name="R-late").exists()


def test_a_success_clears_the_failing_mark(subscription, receiver, admin_actor, space):
    new_order(admin_actor, space)
    receiver.answers = [500]
    now = timezone.now()
    delivery.deliver_due(now=now)
    assert Subscription.objects.get().failing_since == now
    delivery.deliver_due(now=now + timedelta(minutes=1))
    assert Subscription.objects.get().failing_since is None


def test_resend_sends_the_same_delivery_again(subscription, receiver, admin_actor, space):
    new_order(admin_actor, space)
    delivery.deliver_due()
    sent = Delivery.objects.get()
    resent = resend_delivery(
        actor=admin_actor, subscription_id=subscription.pk, delivery_id=sent.pk
    )
    assert resent.status == DeliveryStatus.PENDING
    assert delivery.deliver_due() == 1
    assert [call["delivery"] for call in receiver.calls] == [str(sent.pk)] * 2
    assert receiver.calls[0]["raw"] == receiver.calls[1]["raw"]
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_private_address_is_refused_unless_allowed(
    settings, subscription, receiver, admin_actor, space
):
    new_order(admin_actor, space)
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = False
    delivery.deliver_due()
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.PENDING
    assert sent.response_code is None
    assert sent.last_error == "The address of host '127.0.0.1' is not allowed: it is not public"
    assert receiver.calls == []


def test_a_busy_organization_takes_at_most_its_share_of_the_threads(
    subscription, receiver, admin_actor, space, stranger, stranger_space
):
    from fabflow.accounts.actors import Actor
    from fabflow.limits import WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION as SHARE
    from fabflow.webhooks.services import create_subscription

    for index in range(SHARE + 2):
        new_order(admin_actor, space, name=f"R-{index}")
    deliverer = delivery.Deliverer("test", concurrency=SHARE + 4)
    try:
        taken = deliverer.take_due()
        assert len(taken) == SHARE
        assert {organization for _, organization in taken} == {space.organization_id}
        # While those are in flight (a slow receiver), the rest of the organization waits and
        # another organization's delivery goes out.
        stranger_actor = Actor.for_user(stranger)
        create_subscription(
            actor=stranger_actor, url=receiver.url("/lamps"), event_types=["order.created"]
        )
        new_order(stranger_actor, stranger_space, name="L-1")
        assert [organization for _, organization in deliverer.take_due()] == [
            stranger_space.organization_id
        ]
        assert deliverer.take_due() == []
        leased = Delivery.objects.filter(leased_by="test", leased_until__isnull=False)
        assert leased.count() == SHARE + 1
    finally:
        deliverer.stop()


@pytest.fixture
def stranger_space(stranger_organization):
    from fabflow.accounts import services

    return services.create_space(organization=stranger_organization, name="Lamps", key="lamps")
