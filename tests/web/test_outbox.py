"""The Outbox admin pages: e-mails kept as files while no SMTP server is configured."""

import re
from decimal import Decimal

import pytest
from django.core.mail import EmailMessage

from fabflow import outbox
from fabflow.accounts.actors import Actor
from fabflow.errors import Forbidden
from fabflow.orders.services import ProductInput, create_order


@pytest.fixture
def kept(settings, tmp_path):
    settings.EMAIL_BACKEND = outbox.FILE_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return settings.EMAIL_FILE_PATH


@pytest.fixture
def order(admin_actor, space):
    products = [ProductInput(name="Ring", units=1, unit_value=Decimal("129.90"))]
    return create_order(actor=admin_actor, space=space, name="Order 1", products=products).order


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def send(subject, organization_id, order_id=None, attachment=None) -> None:
    message = EmailMessage(
        subject=subject,
        body=f"About {subject}.\nSecond line.",
        to=["shop@example.com", "floor@example.com"],
        headers=outbox.headers(organization_id=organization_id, order_id=order_id),
    )
    if attachment:
        message.attach(attachment, b"solid ring\nendsolid\n", "model/stl")
    message.send()


def listed(response) -> list[str]:
    return [kept.subject for kept in response.context["messages_kept"]]


def test_members_get_the_403_page_and_no_link(client, member, kept):
    client.force_login(member)

    assert client.get("/outbox/").status_code == 403
    assert 'href="/outbox/"' not in client.get("/").content.decode()


def test_an_admin_sees_the_organizations_mail_newest_first(as_admin, kept, organization, order):
    send("First", organization.pk)
    send("Order started", organization.pk, order_id=order.pk, attachment="Ring.stl")

    assert 'href="/outbox/"' in as_admin.get("/").content.decode()
    response = as_admin.get("/outbox/")
    assert response.status_code == 200
    assert listed(response) == ["Order started", "First"]
    page = response.content.decode()
    assert f'href="/orders/{order.pk}/"' in page
    assert "shop@example.com, floor@example.com" in page

    newest = response.context["messages_kept"][0]
    detail = as_admin.get(f"/outbox/{newest.file}/{newest.index}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "About Order started.\nSecond line." in body
    assert re.search(r'id="mail-attachments">Ring\.stl<', body)


def test_another_organizations_mail_is_neither_listed_nor_shown(
    as_admin, kept, organization, stranger
):
    send("Ours", organization.pk)
    send("Theirs", stranger.organization_id)

    response = as_admin.get("/outbox/")
    assert listed(response) == ["Ours"]
    [theirs] = outbox.kept_messages(actor=Actor.for_user(stranger))
    assert as_admin.get(f"/outbox/{theirs.file}/{theirs.index}/").status_code == 404
    assert as_admin.get(f"/outbox/{theirs.file}/7/").status_code == 404
    assert as_admin.get("/outbox/..%2Fsecret_key/0/").status_code == 404


def test_a_new_users_set_password_link_is_kept_for_the_admins(as_admin, kept, admin):
    response = as_admin.post(
        "/users/add/", {"email": "nia@ringmakers.test", "name": "Nia", "access": "link"}
    )
    assert response.status_code == 303

    [mail] = outbox.kept_messages(actor=Actor.for_user(admin))
    assert (mail.subject, mail.recipients) == ("Your Fabflow account", "nia@ringmakers.test")
    assert re.search(r"http://testserver/set-password/\S+/\S+/", mail.body)


def test_with_an_smtp_server_nothing_is_kept_and_the_page_says_so(
    as_admin, admin, kept, settings, organization
):
    send("Kept before", organization.pk)
    [before] = outbox.kept_messages(actor=Actor.for_user(admin))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "mail.example.com"
    del settings.EMAIL_FILE_PATH

    assert 'href="/outbox/"' not in as_admin.get("/").content.decode()
    page = as_admin.get("/outbox/").content.decode()
    assert "sent through the SMTP server mail.example.com" in page
    assert as_admin.get(f"/outbox/{before.file}/{before.index}/").status_code == 404


def test_only_admins_read_the_outbox(kept, organization, member, key_actor):
    send("Ours", organization.pk)

    for actor in (Actor.for_user(member), key_actor, Actor.system(organization.pk)):
        with pytest.raises(Forbidden):
            outbox.kept_messages(actor=actor)
