"""The Users and Secret keys admin pages and the set-password page, through Django's test client."""

import re

import pytest

from fabflow.accounts.models import SecretKey, User
from fabflow.accounts.services import authenticate_secret_key
from tests.flows.conftest import smtp_server  # noqa: F401  (a fixture: a real SMTP server)

ADMIN_PAGES = ["/users/", "/secret-keys/"]


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def use_smtp(settings, smtp_server):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_server


def test_non_admins_get_the_403_page_and_no_links(client, member, space, admin):
    client.force_login(member)
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 403
        assert "This page is for the administrators" in response.content.decode()
    key_count = SecretKey.objects.count()
    tags = list(User.objects.values_list("email", "tags"))
    assert (
        client.post(f"/secret-keys/{space.pk}/add/", {f"s{space.pk.hex}-name": "Shop"}).status_code
        == 403
    )
    assert client.post(f"/users/{admin.pk}/tags/", {"tags": "x"}).status_code == 403
    assert client.post(f"/users/{admin.pk}/deactivate/").status_code == 403
    assert client.post("/users/add/", {"email": "x@ringmakers.test"}).status_code == 403
    assert SecretKey.objects.count() == key_count
    assert list(User.objects.values_list("email", "tags")) == tags
    assert User.objects.get(pk=admin.pk).is_active is True
    page = client.get("/").content.decode()
    assert 'href="/users/"' not in page
    assert 'href="/secret-keys/"' not in page


def test_admins_see_the_links(as_admin):
    page = as_admin.get("/").content.decode()
    assert 'href="/users/"' in page
    assert 'href="/secret-keys/"' in page


def test_users_page_lists_the_active_users_of_the_organization(as_admin, admin, member, stranger):
    User.objects.create_user(
        email="gone@ringmakers.test", organization=admin.organization, is_active=False
    )
    response = as_admin.get("/users/")
    assert response.status_code == 200
    assert [user.email for user in response.context["users"]] == [
        "admin@ringmakers.test",
        "maker@ringmakers.test",
    ]


def test_tags_are_trimmed_deduplicated_and_saved(as_admin, member):
    response = as_admin.post(
        f"/users/{member.pk}/tags/",
        {"tags": " printing, shipping ,printing,, "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.tags == ["printing", "shipping"]
    assert 'value="printing, shipping"' in response.content.decode()


def test_a_too_long_tag_is_refused_in_place_keeping_the_text(as_admin, member):
    typed = "ok, " + "x" * 51
    response = as_admin.post(f"/users/{member.pk}/tags/", {"tags": typed}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    page = response.content.decode()
    assert f'value="{typed}"' in page
    assert "longer than 50 characters" in page
    member.refresh_from_db()
    assert member.tags == ["printing"]


def test_adding_a_user_with_an_initial_password(as_admin, client):
    response = as_admin.post(
        "/users/add/",
        {
            "email": "New@Ringmakers.test",
            "name": "Nia New",
            "access": "password",
            "password": "a fine long secret",
        },
    )
    assert response.status_code == 303
    user = User.objects.get(email="new@ringmakers.test")
    assert (user.name, user.is_admin, user.check_password("a fine long secret")) == (
        "Nia New",
        False,
        True,
    )


def test_a_bad_add_user_form_shows_errors_in_place_and_keeps_the_input(as_admin, member):
    response = as_admin.post(
        "/users/add/",
        {
            "email": "maker@ringmakers.test",
            "name": "Twin",
            "access": "password",
            "password": "a fine long secret",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "email": ["A user with this e-mail address already exists"]
    }
    page = response.content.decode()
    assert 'value="Twin"' in page and "data-open-on-load" in page
    response = as_admin.post(
        "/users/add/", {"email": "short@ringmakers.test", "access": "password", "password": "12345"}
    )
    assert response.status_code == 422
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="short@ringmakers.test").exists()


def test_a_set_password_link_is_emailed_and_works_once(as_admin, client, use_smtp):
    response = as_admin.post(
        "/users/add/",
        {"email": "ivy@ringmakers.test", "name": "Ivy", "access": "link", "is_admin": "on"},
    )
    assert response.status_code == 303
    user = User.objects.get(email="ivy@ringmakers.test")
    assert (user.is_admin, user.has_usable_password()) == (True, False)
    assert len(use_smtp.messages) == 1
    message = use_smtp.messages[0]
    assert message["To"] == "ivy@ringmakers.test"
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/set-password/\S+/)", body).group(1)
    as_admin.logout()
    assert client.get(link).status_code == 200
    response = client.post(link, {"password": "my own good secret", "password_again": "different"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"password_again": ["The two passwords differ."]}
    response = client.post(
        link, {"password": "my own good secret", "password_again": "my own good secret"}
    )
    assert response.status_code == 303
    user.refresh_from_db()
    assert user.check_password("my own good secret")
    assert client.get(link).status_code == 404


def test_deactivating_a_user_and_not_oneself(as_admin, admin, member):
    assert as_admin.post(f"/users/{member.pk}/deactivate/").status_code == 303
    member.refresh_from_db()
    assert member.is_active is False
    response = as_admin.post(f"/users/{admin.pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active is True


def test_a_new_key_is_shown_once_then_revoked(as_admin, space, admin):
    posted = as_admin.post(f"/secret-keys/{space.pk}/add/", {f"s{space.pk.hex}-name": "Webshop"})
    assert (posted.status_code, posted["Location"]) == (303, "/secret-keys/")
    response = as_admin.get("/secret-keys/")
    assert response["Cache-Control"] == "no-store"
    secret = response.context["created"].secret
    assert secret in response.content.decode()
    assert "shown only this once" in response.content.decode()
    key = SecretKey.objects.get(name="Webshop")
    assert (key.space_id, key.created_by_id) == (space.pk, admin.pk)
    assert authenticate_secret_key(secret=secret) == key
    listing = as_admin.get("/secret-keys/").content.decode()
    assert secret not in listing
    assert f"ffk_{key.key_id}_…" in listing
    assert as_admin.post(f"/secret-keys/{key.pk}/revoke/").status_code == 303
    assert authenticate_secret_key(secret=secret) is None
    assert f"ffk_{key.key_id}_…" not in as_admin.get("/secret-keys/").content.decode()


def test_a_key_without_name_is_refused_in_place(as_admin, space):
    response = as_admin.post(f"/secret-keys/{space.pk}/add/", {f"s{space.pk.hex}-name": "  "})
    assert response.status_code == 422
    assert SecretKey.objects.count() == 0


def test_another_organizations_space_and_key_are_not_found(as_admin, stranger, stranger_space):
    from fabflow.accounts import services
    from fabflow.accounts.actors import Actor

    theirs = services.create_secret_key(
        actor=Actor.for_user(stranger), space=stranger_space, name="Theirs"
    )
    assert (
        as_admin.post(
            f"/secret-keys/{stranger_space.pk}/add/", {f"s{stranger_space.pk.hex}-name": "x"}
        ).status_code
        == 404
    )
    assert as_admin.post(f"/secret-keys/{theirs.key.pk}/revoke/").status_code == 404
    assert as_admin.get(f"/spaces/{stranger_space.pk}/signing-secret/").status_code == 404
    theirs.key.refresh_from_db()
    assert theirs.key.revoked_at is None
    assert SecretKey.objects.count() == 1


def test_the_signing_secret_is_revealed_on_demand_and_rotates(as_admin, space):
    assert space.signing_secret not in as_admin.get("/secret-keys/").content.decode()
    response = as_admin.get(f"/spaces/{space.pk}/signing-secret/")
    assert response.status_code == 200
    assert space.signing_secret in response.content.decode()
    old = space.signing_secret
    assert as_admin.post(f"/spaces/{space.pk}/signing-secret/rotate/").status_code == 303
    space.refresh_from_db()
    assert space.signing_secret != old and space.signing_secret.startswith("whsec_")
