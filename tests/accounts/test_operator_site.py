"""Django's admin site in an operator's hands: users stay members or operators, never both."""

import pytest

from fabflow.accounts import services
from fabflow.accounts.models import User

PASSWORD = "correct horse battery"


@pytest.fixture
def operator(db):
    return services.create_operator(email="ops@fabflow.test", password=PASSWORD)


@pytest.fixture
def as_operator(client, operator):
    client.force_login(operator)
    return client


def change_form(user: User, **fields) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "tags": "[]",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **fields,
    }


def users() -> list[tuple]:
    return list(
        User.objects.order_by("email").values_list(
            "email", "name", "organization", "is_admin", "is_staff", "is_superuser"
        )
    )


def test_an_operator_edits_a_member_who_stays_a_member(as_operator, member, organization):
    response = as_operator.post(
        f"/django-admin/accounts/user/{member.pk}/change/",
        change_form(member, name="Max Renamed", is_admin="on"),
    )
    assert response.status_code == 302
    assert (member.email, "Max Renamed", organization.pk, True, False, False) in users()


def test_an_operator_can_never_become_an_organization_admin(as_operator, operator):
    page = as_operator.get(f"/django-admin/accounts/user/{operator.pk}/change/")
    assert "is_admin" not in page.context["adminform"].form.fields
    response = as_operator.post(
        f"/django-admin/accounts/user/{operator.pk}/change/",
        change_form(operator, name="Ops", is_admin="on"),
    )
    assert response.status_code == 302
    assert users() == [("ops@fabflow.test", "Ops", None, False, True, True)]


def test_a_user_added_on_the_admin_site_needs_an_organization(as_operator):
    before = users()
    response = as_operator.post(
        "/django-admin/accounts/user/add/",
        {"email": "new@fabflow.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["organization"] == ["This field is required."]
    assert users() == before
