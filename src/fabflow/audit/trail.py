"""Writing the audit trail: `record` is the one way a change is recorded.

A service calls `record(actor=..., action=..., obj=..., before=..., after=...)` inside the
transaction of its change, with `before` and `after` as snapshots (`snapshot`) of the fields it
may change. Only the fields that differ are kept; a secret (a password, a key's or a signing
secret) is recorded as changed, never with its value. Every value is cut to a declared size and
nothing about it is checked, so a record can never fail the change it records.
"""

import json

from django.db.models import Model

from fabflow.audit.models import Action, ActorKind, AuditRecord
from fabflow.limits import (
    MAX_AUDIT_CHANGED_FIELDS,
    MAX_AUDIT_LABEL_LENGTH,
    MAX_AUDIT_VALUE_CHARACTERS,
)
from fabflow.records import insert_rows

# Fields whose values are never written to the trail, whatever the object: that they changed is.
SECRET_FIELDS = frozenset({"password", "secret", "signing_secret", "digest"})
TRUNCATED_MARKER = " …(cut)"
UNREADABLE = "(unreadable value)"
MORE_FIELDS = "…"
# Kinds whose model's name says less than the UI calls them.
OBJECT_KINDS = {"webhooks.Subscription": "webhook subscription"}


def record(
    *,
    actor,
    action: Action,
    obj: Model,
    before: dict | None = None,
    after: dict | None = None,
    label: str | None = None,
) -> AuditRecord | None:
    """Write one audit record of `actor` doing `action` to `obj` (one INSERT, in the caller's
    transaction). `before` is None for a creation, `after` None for a removal; `label` names the
    object when `str(obj)` does not. Nothing is recorded outside an organization (the operators'
    own admin site)."""
    organization_id = _organization_id(actor, obj)
    if organization_id is None:
        return None
    audit_record = AuditRecord(
        organization_id=organization_id,
        space_id=getattr(obj, "space_id", None),
        actor_kind=_actor_kind(actor),
        actor_id=_actor_id(actor),
        actor_label=_cut(actor.label),
        action=action,
        object_kind=OBJECT_KINDS.get(obj._meta.label, obj._meta.verbose_name),
        object_id=str(obj.pk)[:100],
        object_label=_cut(str(obj) if label is None else label),
        changes=changes_between(before, after),
    )
    insert_rows(
        AuditRecord,
        [{f.attname: getattr(audit_record, f.attname) for f in AuditRecord._meta.concrete_fields}],
    )
    return audit_record


def snapshot(obj: Model, names) -> dict:
    """The values of `obj`'s fields `names`, to pass as `before` or `after`."""
    return {name: getattr(obj, name) for name in names}


def changes_between(before: dict | None, after: dict | None) -> dict:
    """The fields whose values differ (from no value to an empty one is no change), each
    `{"before": …, "after": …}` cut to size (secrets: `{"changed": true}`); past
    MAX_AUDIT_CHANGED_FIELDS, one line counts the rest."""
    before, after = before or {}, after or {}
    changed = [
        name
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
        and not (_is_empty(before.get(name)) and _is_empty(after.get(name)))
    ]
    changes = {
        name: (
            {"changed": True}
            if name in SECRET_FIELDS
            else {"before": _bounded(before.get(name)), "after": _bounded(after.get(name))}
        )
        for name in changed[:MAX_AUDIT_CHANGED_FIELDS]
    }
    if len(changed) > MAX_AUDIT_CHANGED_FIELDS:
        omitted = len(changed) - MAX_AUDIT_CHANGED_FIELDS
        changes[MORE_FIELDS] = {"after": f"{omitted} more fields changed"}
    return changes


def _is_empty(value) -> bool:
    """No value: a new object's empty fields are not changes worth a line."""
    return value is None or value == "" or value == [] or value == {}


def _bounded(value):
    """`value` as JSON, or its JSON text cut to MAX_AUDIT_VALUE_CHARACTERS and marked."""
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return UNREADABLE
    # A lone surrogate cannot be stored as UTF-8: it becomes a replacement character.
    text = text.encode(errors="replace").decode()
    if len(text) > MAX_AUDIT_VALUE_CHARACTERS:
        return text[:MAX_AUDIT_VALUE_CHARACTERS] + TRUNCATED_MARKER
    return json.loads(text)


def _cut(text: str) -> str:
    text = str(text).encode(errors="replace").decode()
    return text[:MAX_AUDIT_LABEL_LENGTH]


def _organization_id(actor, obj: Model):
    if obj._meta.label == "accounts.Organization":
        return obj.pk
    return getattr(obj, "organization_id", None) or actor.organization_id


def _actor_kind(actor) -> ActorKind:
    if actor.user is not None:
        return ActorKind.USER
    if actor.key is not None:
        return ActorKind.KEY
    return ActorKind.SYSTEM


def _actor_id(actor):
    if actor.user is not None:
        return actor.user.pk
    return actor.key.pk if actor.key is not None else None
