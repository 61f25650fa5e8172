"""Managing subscriptions through the API and the Webhooks pages: who may, every bound refused
before anything is written, secrets shown once, post/redirect/get on every form."""

import json

import pytest
from django.test import Client

from fabflow.accounts import services as account_services
from fabflow.limits import MAX_WEBHOOK_SUBSCRIPTIONS_PER_ORGANIZATION, MAX_WEBHOOK_URL_LENGTH
from fabflow.orders.services import create_order
from fabflow.webhooks import delivery
from fabflow.webhooks.models import Delivery, DeliveryStatus, Subscription
from tests.conftest import ring_products

URL = "https://hooks.shop.test/fabflow"


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def key_client(secret_key):
    return Client(headers={"Authorization": f"Bearer {secret_key.secret}"})


def api(client, method, path, body=None):
    kwargs = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def rows() -> list:
    return list(Subscription.objects.order_by("pk").values())


# --- the API ---------------------------------------------------------------------------------


def test_an_admin_subscribes_reads_changes_and_deletes(admin_client, space):
    created = api(
        admin_client, "post", "/webhooks", {"url": URL, "eventTypes": ["order.status_changed"]}
    )
    assert created.status_code == 201
    body = created.json()
    subscription = Subscription.objects.get()
    assert body["secret"] == subscription.secret and body["secret"].startswith("whsec_")
    assert (body["url"], body["eventTypes"], body["spaceKey"], body["isEnabled"]) == (
        URL,
        ["order.status_changed"],
        None,
        True,
    )
    one = api(admin_client, "get", f"/webhooks/{subscription.pk}").json()
    assert "secret" not in one and one["id"] == str(subscription.pk)
    listed = api(admin_client, "get", "/webhooks").json()
    assert [item["id"] for item in listed["items"]] == [str(subscription.pk)]
    changed = api(
        admin_client,
        "patch",
        f"/webhooks/{subscription.pk}",
        {"eventTypes": ["task.failed", "flow.finished"], "isEnabled": False},
    )
    assert changed.status_code == 200
    assert (changed.json()["eventTypes"], changed.json()["isEnabled"]) == (
        ["task.failed", "flow.finished"],
        False,
    )
    rotated = api(admin_client, "post", f"/webhooks/{subscription.pk}/secret").json()
    assert rotated["secret"] != body["secret"]
    assert Subscription.objects.get().secret == rotated["secret"]
    assert api(admin_client, "delete", f"/webhooks/{subscription.pk}").status_code == 204
    assert Subscription.objects.count() == 0


def test_a_secret_key_manages_its_own_space_only(key_client, admin_client, other_space):
    mine = api(key_client, "post", "/webhooks", {"url": URL, "eventTypes": ["order.created"]})
    assert mine.status_code == 201 and mine.json()["spaceKey"] == "rings"
    before = rows()
    elsewhere = api(
        key_client,
        "post",
        "/webhooks",
        {"url": URL, "eventTypes": ["order.created"], "spaceKey": "lamps"},
    )
    assert elsewhere.status_code == 404
    assert rows() == before
    everywhere = api(
        admin_client, "post", "/webhooks", {"url": URL, "eventTypes": ["order.created"]}
    ).json()
    assert [item["id"] for item in api(key_client, "get", "/webhooks").json()["items"]] == [
        mine.json()["id"]
    ]
    assert api(key_client, "get", f"/webhooks/{everywhere['id']}").status_code == 404
    assert api(key_client, "delete", f"/webhooks/{everywhere['id']}").status_code == 404


def test_a_member_who_is_no_admin_is_refused(member, space):
    client = Client()
    client.force_login(member)
    answer = api(client, "post", "/webhooks", {"url": URL, "eventTypes": ["order.created"]})
    assert answer.status_code == 403
    assert api(client, "get", "/webhooks").status_code == 403
    assert client.get("/webhooks/").status_code == 403
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"url": "http://hooks.shop.test/x"}, 422, "The URL must start with https://"),
        ({"url": "ftp://hooks.shop.test/x"}, 422, "The URL must start with https://"),
        ({"url": "https://127.0.0.1/x"}, 422, "The address of host '127.0.0.1' is not allowed"),
        ({"url": "https://10.1.2.3:8443/x"}, 422, "The address of host '10.1.2.3' is not allowed"),
        ({"url": "https://me:pw@hooks.shop.test/"}, 422, "must not hold a user name"),
        ({"url": "https://x.test/" + "a" * MAX_WEBHOOK_URL_LENGTH}, 422, "at most 2000"),
        ({"url": "https://x.test/\x00"}, 422, ""),
        ({"eventTypes": []}, 422, ""),
        ({"eventTypes": ["order.shipped"]}, 422, "Unknown event type 'order.shipped'"),
        ({"eventTypes": ["task.failed", "task.failed"]}, 422, "Name each event type once"),
        ({"eventTypes": ["task.failed"] * 21}, 422, ""),
        ({"spaceKey": "nowhere"}, 404, "No product space 'nowhere'"),
    ],
)
def test_a_refused_subscription_writes_nothing(admin_client, space, body, status, message):
    answer = api(
        admin_client, "post", "/webhooks", {"url": URL, "eventTypes": ["order.created"], **body}
    )
    assert answer.status_code == status, answer.content
    assert message in answer.json()["detail"][0]["msg"]
    assert Subscription.objects.count() == 0


def test_plain_http_and_private_addresses_where_the_organization_allows_them(
    admin_client, admin_actor, organization, space
):
    account_services.set_private_addresses_allowed(actor=admin_actor, allowed=True)
    answer = api(
        admin_client,
        "post",
        "/webhooks",
        {"url": "http://127.0.0.1:8080/x", "eventTypes": ["order.created"]},
    )
    assert answer.status_code == 201


def test_an_organization_has_a_bounded_number_of_subscriptions(admin_client, space):
    for index in range(MAX_WEBHOOK_SUBSCRIPTIONS_PER_ORGANIZATION):
        body = {"url": f"{URL}/{index}", "eventTypes": ["order.created"]}
        assert api(admin_client, "post", "/webhooks", body).status_code == 201
    before = rows()
    over = api(admin_client, "post", "/webhooks", {"url": URL, "eventTypes": ["order.created"]})
    assert over.status_code == 409
    assert rows() == before


def test_a_refused_change_writes_nothing(admin_client, space):
    created = api(admin_client, "post", "/webhooks", {"url": URL, "eventTypes": ["task.failed"]})
    before = rows()
    path = f"/webhooks/{created.json()['id']}"
    assert api(admin_client, "patch", path, {"url": "http://plain.test/"}).status_code == 422
    assert api(admin_client, "patch", path, {"eventTypes": ["nope"]}).status_code == 422
    assert api(admin_client, "patch", path, {"secret": "mine"}).status_code == 422
    assert rows() == before


def test_deliveries_are_listed_and_resent(settings, admin_client, admin_actor, receiver, space):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    created = api(
        admin_client,
        "post",
        "/webhooks",
        {"url": receiver.url(), "eventTypes": ["order.created"]},
    ).json()
    create_order(actor=admin_actor, space=space, name="R-1", products=ring_products(1, 1))
    sent = Delivery.objects.get()
    path = f"/webhooks/{created['id']}/deliveries"
    early = api(admin_client, "post", f"{path}/{sent.pk}/resend")
    assert early.status_code == 409
    delivery.deliver_due()
    (item,) = api(admin_client, "get", path).json()["items"]
    assert (item["id"], item["status"], item["responseCode"], item["attempts"]) == (
        str(sent.pk),
        "delivered",
        200,
        1,
    )
    resent = api(admin_client, "post", f"{path}/{sent.pk}/resend")
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    delivery.deliver_due()
    assert [call["delivery"] for call in receiver.calls] == [str(sent.pk)] * 2


# --- the pages -------------------------------------------------------------------------------


def test_the_pages_post_redirect_get_and_show_a_secret_once(admin_client, space):
    listing = admin_client.get("/webhooks/")
    assert listing.status_code == 200
    assert b'href="/webhooks/"' in listing.content  # the navigation's entry
    added = admin_client.post(
        "/webhooks/add/", {"url": URL, "event_types": ["order.created"], "space_key": "rings"}
    )
    subscription = Subscription.objects.get()
    assert (added.status_code, added["Location"]) == (303, f"/webhooks/{subscription.pk}/")
    assert subscription.space == space
    shown = admin_client.get(added["Location"])
    assert subscription.secret in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    again = admin_client.get(added["Location"])
    assert subscription.secret not in again.content.decode()
    detail = f"/webhooks/{subscription.pk}/"
    for action in ["disable", "enable", "rotate-secret"]:
        answer = admin_client.post(f"{detail}{action}/")
        assert (answer.status_code, answer["Location"]) == (303, detail)
    subscription.refresh_from_db()
    assert subscription.is_enabled
    assert subscription.secret in admin_client.get(detail).content.decode()
    edited = admin_client.post(
        f"{detail}edit/", {"url": URL + "/v2", "event_types": ["task.waiting", "task.failed"]}
    )
    assert (edited.status_code, edited["Location"]) == (303, detail)
    subscription.refresh_from_db()
    assert (subscription.url, subscription.event_types) == (
        URL + "/v2",
        ["task.waiting", "task.failed"],
    )
    deleted = admin_client.post(f"{detail}delete/")
    assert (deleted.status_code, deleted["Location"]) == (303, "/webhooks/")
    assert Subscription.objects.count() == 0


def test_a_refused_form_answers_its_errors_and_writes_nothing(admin_client, space):
    answer = admin_client.post(
        "/webhooks/add/", {"url": "http://plain.test/", "event_types": ["order.created"]}
    )
    assert answer.status_code == 422
    assert "The URL must start with https://" in answer.content.decode()
    too_long = admin_client.post(
        "/webhooks/add/", {"url": "https://x.test/" + "a" * 2000, "event_types": ["task.failed"]}
    )
    assert too_long.status_code == 422
    assert Subscription.objects.count() == 0


def test_a_switched_off_subscription_shows_its_notice(admin_client, admin_actor, space):
    from fabflow.webhooks.services import create_subscription

    subscription = create_subscription(
        actor=admin_actor, url=URL, event_types=["task.failed"]
    ).subscription
    Subscription.objects.filter(pk=subscription.pk).update(
        is_enabled=False, disabled_reason="Switched off by Fabflow on 2026-12-04 10:00 UTC"
    )
    page = admin_client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert "Switched off by Fabflow on 2026-12-04 10:00 UTC" in page


def test_the_page_resends_a_delivery(settings, admin_client, admin_actor, receiver, space):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    from fabflow.webhooks.services import create_subscription

    subscription = create_subscription(
        actor=admin_actor, url=receiver.url(), event_types=["order.created"]
    ).subscription
    create_order(actor=admin_actor, space=space, name="R-1", products=ring_products(1, 1))
    delivery.deliver_due()
    sent = Delivery.objects.get()
    page = admin_client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert f"delivery-{sent.pk}" in page and "Delivered" in page
    answer = admin_client.post(f"/webhooks/{subscription.pk}/deliveries/{sent.pk}/resend/")
    assert answer.status_code == 303
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
