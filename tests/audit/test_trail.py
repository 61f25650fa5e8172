"""`audit.trail.record`: what one record holds, its bounds, and that it never fails a change."""

from fabflow.accounts.actors import Actor
from fabflow.audit.models import Action, ActorKind, AuditRecord
from fabflow.audit.trail import TRUNCATED_MARKER, UNREADABLE, changes_between, record, snapshot
from fabflow.fields import InvalidValue
from fabflow.limits import (
    MAX_AUDIT_CHANGED_FIELDS,
    MAX_AUDIT_LABEL_LENGTH,
    MAX_AUDIT_VALUE_CHARACTERS,
)


def test_a_record_names_the_actor_the_object_and_only_the_changed_fields(admin_actor, member):
    before = snapshot(member, ["name", "tags", "is_admin"])
    member.name, member.tags = "Max Moulder", ["printing", "casting"]
    record(
        actor=admin_actor,
        action=Action.USER_CHANGED,
        obj=member,
        before=before,
        after=snapshot(member, ["name", "tags", "is_admin"]),
    )
    stored = AuditRecord.objects.get()
    assert (stored.organization_id, stored.space_id) == (member.organization_id, None)
    assert (stored.actor_kind, stored.actor_id, stored.actor_label) == (
        ActorKind.USER,
        admin_actor.user.pk,
        "Ada Admin",
    )
    assert (stored.action, stored.object_kind, stored.object_id, stored.object_label) == (
        "user.changed",
        "user",
        str(member.pk),
        "maker@ringmakers.test",
    )
    assert stored.changes == {
        "name": {"before": "Max Maker", "after": "Max Moulder"},
        "tags": {"before": ["printing"], "after": ["printing", "casting"]},
    }


def test_a_key_is_recorded_as_the_actor_with_its_space(key_actor, space):
    record(actor=key_actor, action=Action.SPACE_CHANGED, obj=space, after={"name": "Rings"})
    stored = AuditRecord.objects.get(action=Action.SPACE_CHANGED)
    assert (stored.actor_kind, stored.actor_id, stored.actor_label) == (
        ActorKind.KEY,
        key_actor.key.pk,
        "Secret key Webshop",
    )
    assert (stored.object_kind, stored.space_id) == ("product space", None)
    assert stored.changes == {"name": {"before": None, "after": "Rings"}}


def test_empty_values_of_a_new_object_are_no_changes():
    assert changes_between(None, {"tags": [], "flow_key": "", "data": {}, "name": "A"}) == {
        "name": {"before": None, "after": "A"}
    }
    assert changes_between({"tags": ["x"]}, {"tags": []}) == {
        "tags": {"before": ["x"], "after": []}
    }


def test_secrets_are_recorded_as_changed_never_with_their_values():
    changes = changes_between(
        {"password": "old secret", "secret": "whsec_a", "digest": "aa", "signing_secret": "x"},
        {"password": "new secret", "secret": "whsec_b", "digest": "bb", "signing_secret": "y"},
    )
    assert changes == {
        "password": {"changed": True},
        "secret": {"changed": True},
        "digest": {"changed": True},
        "signing_secret": {"changed": True},
    }


def test_long_values_are_cut_and_marked_and_many_fields_summed_up():
    long_text = "x" * (MAX_AUDIT_VALUE_CHARACTERS * 3)
    many = {f"field{i}": i for i in range(MAX_AUDIT_CHANGED_FIELDS + 7)}
    changes = changes_between({}, {"long": long_text, **many})
    assert changes["long"]["after"] == '"' + "x" * (MAX_AUDIT_VALUE_CHARACTERS - 1) + (
        TRUNCATED_MARKER
    )
    assert len(changes) == MAX_AUDIT_CHANGED_FIELDS + 1
    assert changes["…"] == {"after": "8 more fields changed"}


def test_unreadable_and_unstorable_values_never_fail_the_record(admin_actor, member):
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    label = "\ud800" + "y" * (MAX_AUDIT_LABEL_LENGTH * 2)
    record(
        actor=admin_actor,
        action=Action.USER_CHANGED,
        obj=member,
        before={"deep": None, "stored": "a", "lone": "a"},
        after={"deep": deep, "stored": InvalidValue("{not json"), "lone": "\udfff"},
        label=label,
    )
    stored = AuditRecord.objects.get()
    assert stored.changes == {
        "deep": {"before": None, "after": UNREADABLE},
        "stored": {"before": "a", "after": "invalid value"},
        "lone": {"before": "a", "after": "?"},
    }
    assert stored.object_label == "?" + "y" * (MAX_AUDIT_LABEL_LENGTH - 1)


def test_nothing_is_recorded_outside_an_organization(member):
    assert record(actor=Actor.system(), action=Action.ORDER_CHANGED, obj=member) is not None
    operator_made = Actor.system()
    organization = member.organization
    member.organization_id = None
    assert record(actor=operator_made, action=Action.USER_CHANGED, obj=member) is None
    assert AuditRecord.objects.filter(organization=organization).count() == 1
