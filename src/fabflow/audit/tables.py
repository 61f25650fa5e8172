"""The Activity table of the web UI (and of its CSV export)."""

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from fabflow.audit.models import Action, AuditRecord
from fabflow.fields import InvalidValue
from fabflow.web import display
from fabflow.web.tables import DateTimeColumn, FabflowTable

ACTION_LABELS = dict(Action.choices)
NO_VALUE = "—"


def change_lines(changes) -> list[tuple[str, str]]:
    """A record's changes as (field, "before → after") pairs; a secret reads "changed"."""
    if isinstance(changes, InvalidValue):
        return [("changes", display.invalid_text(changes))]
    lines = []
    for field, change in display.mapping(changes).items():
        change = display.mapping(change)
        if change.get("changed") is True:
            lines.append((field, "changed"))
        else:
            before, after = _shown(change.get("before")), _shown(change.get("after"))
            lines.append((field, f"{before} → {after}"))
    return lines


def _shown(value) -> str:
    if value is None or value == [] or value == "":
        return NO_VALUE
    return display.json_text(value)


class AuditTable(FabflowTable):
    """An organization's audit records, newest first."""

    at = DateTimeColumn(verbose_name="When")
    actor_label = tables.Column(verbose_name="Who")
    action = tables.Column(verbose_name="Action")
    object_label = tables.Column(verbose_name="Object")
    object_kind = tables.Column(verbose_name="Kind")
    changes = tables.Column(verbose_name="Changes", orderable=False, empty_values=())
    object_id = tables.Column(verbose_name="Object ID")

    preference_key = "activity"
    orderings = {"at": "at"}
    # The page shows the kind under the object's name; the export has both as columns.
    page_excludes = ("object_kind", "object_id")

    class Meta(FabflowTable.Meta):
        model = AuditRecord
        fields = ()
        exclude = ("select",)
        sequence = (
            "at",
            "actor_label",
            "action",
            "object_label",
            "object_kind",
            "changes",
            "object_id",
        )
        empty_text = "No activity matches these filters."

    def render_actor_label(self, record):
        return record.actor_label  # a key's label names it as a key already

    def value_actor_label(self, record):
        return f"{record.actor_label} ({record.get_actor_kind_display()})"

    def render_action(self, record):
        return display.choice_html(record, "action", ACTION_LABELS)

    def value_action(self, record):
        return display.choice_text(record, "action", ACTION_LABELS)

    def render_object_label(self, record):
        kind = format_html('<br><span class="muted">{}</span>', record.object_kind)
        if record.object_kind != "order":
            return format_html("{}{}", record.object_label, kind)
        try:
            url = reverse("order_detail", kwargs={"pk": record.object_id})
        except NoReverseMatch:  # a stored id that is not an order's
            return format_html("{}{}", record.object_label, kind)
        return format_html('<a href="{}">{}</a>{}', url, record.object_label, kind)

    def value_object_label(self, record):
        return record.object_label

    def render_changes(self, record):
        lines = change_lines(record.changes)
        if not lines:
            return NO_VALUE
        items = format_html_join("", "<li><strong>{}</strong>: {}</li>", lines)
        return format_html('<ul class="changes">{}</ul>', items)

    def value_changes(self, record):
        return "; ".join(f"{field}: {text}" for field, text in change_lines(record.changes))
