"""How the pages answer a service's error (fabflow.web.errors): a message, a form error beside
its field, the 403 page, the 404 page; and a refusal no view expected is a message, not a 500."""

import pytest
from django.contrib.messages import get_messages

from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.models import SecretKey, User


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def users_state() -> list:
    return list(User.objects.order_by("email").values_list("email", "is_active", "name"))


def shown_messages(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def test_a_refusal_is_a_message_on_the_page_the_view_names(as_admin, admin):
    before = users_state()
    response = as_admin.post(f"/users/{admin.pk}/deactivate/")
    assert (response.status_code, response["Location"]) == (303, "/users/")
    assert shown_messages(response) == ["You cannot deactivate your own account"]
    assert users_state() == before


def test_a_refusal_naming_a_field_shows_beside_that_field(as_admin, member):
    before = users_state()
    response = as_admin.post(
        "/users/add/",
        {"email": member.email, "name": "Twin", "access": "password", "password": "x" * 16},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "email": ["A user with this e-mail address already exists"]
    }
    assert users_state() == before


def test_an_object_the_user_cannot_see_is_the_404_page(as_admin, stranger, stranger_space):
    key = services.create_secret_key(
        actor=Actor.for_user(stranger), space=stranger_space, name="Theirs"
    ).key
    response = as_admin.post(f"/secret-keys/{key.pk}/revoke/")
    assert response.status_code == 404
    assert SecretKey.objects.get(pk=key.pk).revoked_at is None


@pytest.mark.urls("tests.web.refusing_urls")
def test_a_forbidden_action_is_the_403_page(as_admin):
    response = as_admin.post("/refusals/forbidden/")
    assert response.status_code == 403
    assert shown_messages(response) == []


@pytest.mark.urls("tests.web.refusing_urls")
def test_a_refusal_no_view_expects_is_a_message_not_a_500(as_admin):
    response = as_admin.post("/refusals/unexpected/", HTTP_REFERER="http://testserver/orders/")
    assert (response.status_code, response["Location"]) == (303, "http://testserver/orders/")
    assert shown_messages(response) == ["The order changed meanwhile; try again"]
    without_referer = as_admin.get("/refusals/unexpected/")
    assert (without_referer.status_code, without_referer["Location"]) == (303, "/")
