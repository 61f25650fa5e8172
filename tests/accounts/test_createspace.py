"""`fabflow createspace`: a product space for an organization, refused without a clear one."""

import pytest
from django.core.management import CommandError, call_command

from fabflow.accounts import services
from fabflow.accounts.models import ProductSpace


def create_space(*argv: str) -> None:
    call_command("createspace", *argv)


@pytest.mark.django_db
def test_the_only_organization_gets_the_space(capsys):
    organization = services.create_organization(name="Example Rings")
    create_space("rings", "--name", "Rings")
    assert capsys.readouterr().out == "Created product space rings of Example Rings\n"
    space = ProductSpace.objects.get()
    assert (space.organization, space.key, space.name) == (organization, "rings", "Rings")
    assert len(space.signing_secret) >= 32


@pytest.mark.django_db
def test_without_an_organization_nothing_is_made():
    with pytest.raises(CommandError, match="No such organization: create it with its first admin"):
        create_space("rings")
    assert not ProductSpace.objects.exists()


@pytest.mark.django_db
def test_among_several_organizations_one_must_be_named():
    services.create_organization(name="Example Rings")
    lamps = services.create_organization(name="Example Lamps")
    with pytest.raises(CommandError, match="Several organizations exist: pass --organization"):
        create_space("lamps")
    assert not ProductSpace.objects.exists()
    create_space("lamps", "--organization", "Example Lamps")
    assert ProductSpace.objects.get().organization == lamps


@pytest.mark.django_db
def test_a_key_taken_in_the_organization_is_refused_and_changes_nothing():
    organization = services.create_organization(name="Example Rings")
    services.create_space(organization=organization, name="Rings", key="rings")
    with pytest.raises(CommandError, match="A product space with key 'rings' already exists"):
        create_space("rings", "--name", "Other rings")
    assert list(ProductSpace.objects.values_list("name", flat=True)) == ["Rings"]
