"""The Organization page: admins allow or forbid private addresses for their connectors."""

import pytest

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import Organization
from fabflow.accounts.services import set_private_addresses_allowed
from fabflow.errors import Forbidden


def allowances() -> dict[str, bool]:
    return dict(Organization.objects.values_list("name", "allow_private_addresses"))


def test_the_page_warns_and_starts_off(client, admin, stranger):
    client.force_login(admin)
    response = client.get("/organization/")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Allow private addresses only if your flows must call systems on your own network" in page
    )
    assert 'name="allow_private_addresses" id="allow-private-addresses">' in page
    assert "FABFLOW_ALLOW_PRIVATE_WEBHOOKS" not in page
    assert 'href="/organization/"' in page


def test_an_admin_allows_then_forbids_private_addresses_for_their_organization_only(
    client, admin, stranger
):
    client.force_login(admin)
    response = client.post(
        "/organization/private-addresses/", {"allow_private_addresses": "on"}, follow=True
    )
    assert response.redirect_chain == [("/organization/", 303)]
    assert allowances() == {"Ringmakers": True, "Lampworks": False}
    page = response.content.decode()
    assert "Connectors of this organization may now call private addresses." in page
    assert 'id="allow-private-addresses" checked>' in page

    response = client.post("/organization/private-addresses/", {}, follow=True)
    assert response.redirect_chain == [("/organization/", 303)]
    assert allowances() == {"Ringmakers": False, "Lampworks": False}
    assert "Connectors of this organization call public addresses only." in (
        response.content.decode()
    )


def test_the_page_says_when_the_installation_allows_private_addresses(client, admin, settings):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    client.force_login(admin)
    assert "FABFLOW_ALLOW_PRIVATE_WEBHOOKS" in client.get("/organization/").content.decode()


def test_members_get_the_403_page_change_nothing_and_see_no_link(client, member, stranger):
    client.force_login(member)
    assert client.get("/organization/").status_code == 403
    response = client.post("/organization/private-addresses/", {"allow_private_addresses": "on"})
    assert response.status_code == 403
    assert allowances() == {"Ringmakers": False, "Lampworks": False}
    assert 'href="/organization/"' not in client.get("/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in_and_change_nothing(client, organization):
    response = client.post("/organization/private-addresses/", {"allow_private_addresses": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert allowances() == {"Ringmakers": False}


def test_the_service_refuses_members_and_keys(member, key_actor):
    for actor in (Actor.for_user(member), key_actor):
        with pytest.raises(Forbidden):
            set_private_addresses_allowed(actor=actor, allowed=True)
    assert allowances() == {"Ringmakers": False}
