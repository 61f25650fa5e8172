"""The bounds of the account forms (add user, user tags, secret key, set password) and services:
every field has a declared maximum, the error says what to fix, and a refusal writes nothing."""

import pytest

from fabflow import limits
from fabflow.accounts import services
from fabflow.accounts.models import SecretKey, User
from fabflow.errors import InvalidInput

PASSWORD = "a fine long secret"


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def user_rows() -> list[tuple]:
    return list(User.objects.order_by("email").values_list("email", "name", "tags", "password"))


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        (
            {"email": "a" * 250 + "@r.test"},
            "email",
            "Ensure this value has at most 254 characters (it has 257).",
        ),
        ({"name": "N" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        (
            {"password": "p" * (limits.MAX_PASSWORD_LENGTH + 1)},
            "password",
            "Ensure this value has at most 1024 characters (it has 1025).",
        ),
    ],
)
def test_add_user_fields_are_bounded(as_admin, member, fields, field, error):
    before = user_rows()
    body = {"email": "new@ringmakers.test", "name": "Nia", "access": "password"}
    body["password"] = PASSWORD
    response = as_admin.post("/users/add/", {**body, **fields})
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [error]
    assert user_rows() == before


def test_user_tags_are_bounded_in_count(as_admin, member):
    before = user_rows()
    typed = ", ".join(f"tag{index}" for index in range(limits.MAX_TAGS + 2))
    response = as_admin.post(f"/users/{member.pk}/tags/", {"tags": typed}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "A user has at most 50 tags; remove 2" in response.content.decode()
    assert user_rows() == before


def test_user_tags_are_bounded_in_length_as_typed(as_admin, member):
    before = user_rows()
    typed = "x" * (limits.MAX_TAGS * (limits.MAX_TAG_LENGTH + 2) + 1)
    response = as_admin.post(f"/users/{member.pk}/tags/", {"tags": typed}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Ensure this value has at most 2600 characters (it has 2601)." in (
        response.content.decode()
    )
    assert user_rows() == before


def test_a_secret_key_name_is_bounded(as_admin, space):
    response = as_admin.post(f"/secret-keys/{space.pk}/add/", {f"s{space.pk.hex}-name": "K" * 201})
    assert response.status_code == 422
    (section,) = response.context["sections"]
    assert section["form"].errors["name"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    assert SecretKey.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "loc", "message"),
    [
        (
            {"email": "a" * 250 + "@r.test"},
            ("email",),
            "An e-mail address is at most 254 characters",
        ),
        ({"name": "N" * 201}, ("name",), "A name is at most 200 characters"),
        ({"password": "p" * 1025}, ("password",), "A password is at most 1024 characters"),
        (
            {"tags": [f"t{index}" for index in range(51)]},
            ("tags",),
            "A user has at most 50 tags; remove 1",
        ),
    ],
)
def test_create_user_refuses_what_is_over_a_bound(organization, fields, loc, message):
    arguments = {"email": "new@ringmakers.test", "password": PASSWORD, **fields}
    with pytest.raises(InvalidInput) as refusal:
        services.create_user(organization=organization, **arguments)
    assert (refusal.value.field, refusal.value.message) == (loc, message)
    assert User.objects.count() == 0


def test_create_operator_refuses_a_taken_or_unbounded_address(admin):
    with pytest.raises(InvalidInput):
        services.create_operator(email="o" * 250 + "@f.test", password=PASSWORD)
    assert User.objects.filter(organization__isnull=True).count() == 0
