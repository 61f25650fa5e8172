"""Users, spaces and secret keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace, SecretKey, User
from fabflow.errors import Conflict, Forbidden, InvalidInput, NotFound


def test_create_space_derives_the_key_and_a_signing_secret(organization):
    space = services.create_space(organization=organization, name="Custom Insoles")
    assert space.key == "custom-insoles"
    assert space.signing_secret.startswith("whsec_")


def test_duplicate_space_key_is_a_conflict(space):
    with pytest.raises(Conflict):
        services.create_space(organization=space.organization, name="Rings")
    assert ProductSpace.objects.count() == 1


def test_create_user_normalizes_email_and_tags(organization):
    user = services.create_user(
        organization=organization,
        email=" Maker@Example.TEST ",
        password="correct horse battery",
        tags="printing, design ,printing,",
    )
    assert user.email == "maker@example.test"
    assert user.tags == ["printing", "design"]
    assert user.check_password("correct horse battery")


def test_duplicate_user_email_is_a_conflict(member, organization):
    with pytest.raises(Conflict) as error:
        services.create_user(organization=organization, email=member.email, password="x")
    assert error.value.field == ("email",)
    assert User.objects.count() == 1


def test_invalid_email_is_refused(organization):
    with pytest.raises(InvalidInput):
        services.create_user(organization=organization, email="not-an-address", password="x")


def test_secret_key_is_shown_once_and_stored_only_as_a_digest(secret_key):
    assert secret_key.secret.startswith(f"ffk_{secret_key.key.key_id}_")
    stored = SecretKey.objects.get(pk=secret_key.key.pk)
    assert secret_key.secret not in stored.digest
    assert len(stored.digest) == 64


def test_authenticate_accepts_the_secret_and_records_last_use(secret_key):
    key = services.authenticate_secret_key(secret=secret_key.secret)
    assert key.pk == secret_key.key.pk
    assert SecretKey.objects.get(pk=key.pk).last_used_at is not None


def test_last_use_is_not_rewritten_on_every_request(secret_key):
    earlier = timezone.now() - timedelta(seconds=5)
    SecretKey.objects.filter(pk=secret_key.key.pk).update(last_used_at=earlier)
    services.authenticate_secret_key(secret=secret_key.secret)
    assert SecretKey.objects.get(pk=secret_key.key.pk).last_used_at == earlier


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),
        lambda s: "ffk_000000000000_" + s.split("_", 2)[2],
        lambda s: "Bearer " + s,
        lambda s: "",
        lambda s: "ffk__",
    ],
)
def test_authenticate_refuses_wrong_secrets(secret_key, mangle):
    assert services.authenticate_secret_key(secret=mangle(secret_key.secret)) is None


def test_revoked_key_no_longer_authenticates(admin_actor, secret_key):
    services.revoke_secret_key(actor=admin_actor, key_id=secret_key.key.pk)
    assert services.authenticate_secret_key(secret=secret_key.secret) is None
    with pytest.raises(Conflict):
        services.revoke_secret_key(actor=admin_actor, key_id=secret_key.key.pk)


def test_only_admins_manage_keys(member, space, secret_key):
    actor = Actor.for_user(member)
    with pytest.raises(Forbidden):
        services.create_secret_key(actor=actor, space=space, name="Mine")
    with pytest.raises(Forbidden):
        services.revoke_secret_key(actor=actor, key_id=secret_key.key.pk)
    assert SecretKey.objects.get(pk=secret_key.key.pk).revoked_at is None


def test_admins_of_another_organization_cannot_touch_our_keys(stranger, space, secret_key):
    outsider = Actor.for_user(stranger)
    with pytest.raises(NotFound):
        services.revoke_secret_key(actor=outsider, key_id=secret_key.key.pk)
    with pytest.raises(NotFound):
        services.create_secret_key(actor=outsider, space=space, name="Sneaky")
    assert SecretKey.objects.count() == 1


def test_set_user_tags_and_deactivate(admin_actor, member):
    assert services.set_user_tags(actor=admin_actor, user_id=member.pk, tags="a, b, a").tags == [
        "a",
        "b",
    ]
    services.deactivate_user(actor=admin_actor, user_id=member.pk)
    assert User.objects.get(pk=member.pk).is_active is False
    with pytest.raises(Conflict):
        services.deactivate_user(actor=admin_actor, user_id=admin_actor.user.pk)


def test_rotate_signing_secret(admin_actor, space):
    before = space.signing_secret
    rotated = services.rotate_signing_secret(actor=admin_actor, space_id=space.pk)
    assert rotated.signing_secret != before
