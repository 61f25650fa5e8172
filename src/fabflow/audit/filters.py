"""Filters of the Activity page and its CSV export (one FilterSet for both).

- `actor`: the id of a user or a secret key;
- `actorKind`: `user`, `key` or `system`;
- `objectKind`: the kind of object changed (`order`, `user`, …);
- `object`: an object's id, or the start of its label (case ignored);
- `action`: one or more actions, repeated or comma-separated;
- `after`, `before`: ISO 8601 times, as the order lists read them (no zone is UTC; `after`
  includes the instant, `before` excludes it);
- `ordering`: `at` or `-at` (default, newest first).
"""

import uuid

import django_filters
from django.db.models import Q

from fabflow.audit.models import Action, ActorKind, AuditRecord
from fabflow.limits import MAX_AUDIT_LABEL_LENGTH
from fabflow.orders.filters import CommaSeparatedSelectMultiple, SortedFilterSet, UtcDateTimeFilter


class AuditFilterSet(SortedFilterSet):
    """Filters and the time ordering of an organization's audit records."""

    ORDERINGS = {"at": "at"}
    DEFAULT_ORDERING = "-at"

    # The records' time is `at`: the order lists' creation filters do not apply.
    createdAfter = None
    createdBefore = None
    actor = django_filters.UUIDFilter(field_name="actor_id")
    actorKind = django_filters.ChoiceFilter(field_name="actor_kind", choices=ActorKind.choices)
    objectKind = django_filters.CharFilter(field_name="object_kind", max_length=50)
    object = django_filters.CharFilter(method="filter_object", max_length=MAX_AUDIT_LABEL_LENGTH)
    action = django_filters.MultipleChoiceFilter(
        field_name="action", choices=Action.choices, widget=CommaSeparatedSelectMultiple
    )
    after = UtcDateTimeFilter(field_name="at", lookup_expr="gte")
    before = UtcDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditRecord
        fields = ["actor", "actorKind", "objectKind", "object", "action", "after", "before"]

    def filter_object(self, queryset, name, value):
        value = value.strip()
        try:
            return queryset.filter(object_id=str(uuid.UUID(value)))
        except ValueError:
            return queryset.filter(Q(object_id=value) | Q(object_label__istartswith=value))
