"""Reading the audit trail: admins only, their own organization's records.

Records are kept for as long as the organization exists (docs/ui.md, "Activity"): the trail is
evidence, and nothing a user does can remove it.
"""

from fabflow.accounts.actors import Actor
from fabflow.audit.filters import AuditFilterSet
from fabflow.audit.models import AuditRecord
from fabflow.errors import Forbidden, InvalidInput


def filter_records(*, actor: Actor, params) -> AuditFilterSet:
    """The actor's organization's audit records that `params` select, sorted; admins only."""
    if actor.user is None or not actor.user.is_admin:
        raise Forbidden("Only administrators see the organization's activity")
    filterset = AuditFilterSet(params, queryset=actor.restrict(AuditRecord.objects.all()))
    if not filterset.is_valid():
        name, messages = next(iter(filterset.errors.items()))
        raise InvalidInput(f"{name}: {' '.join(messages)}", loc=("query", name))
    return filterset
