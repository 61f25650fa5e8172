"""The machinery every data table of the UI shares: row selection, column choice, CSV values.

A table declares its columns with django-tables2, lists in `hidden_by_default` the columns a
user sees only after switching them on, and in `always_visible` those that cannot be hidden.
The same table class renders the page and the export, so an export holds exactly the columns
the user sees.
"""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from fabflow.accounts.models import User
from fabflow.web import display
from fabflow.web.services import table_preferences

SELECT_ALL = mark_safe(
    '<input type="checkbox" data-select-all aria-label="Select every row on this page">'
)


class DateTimeColumn(tables.Column):
    """A moment shown as `2025-03-01 14:05` in the site's time zone."""

    def render(self, value):
        return display.moment_html(value)

    def value(self, value):
        return display.moment_text(value)


class MoneyColumn(tables.Column):
    """An amount in euro, right-aligned with two decimals."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return display.money_html(value)

    def value(self, value):
        return display.money_text(value)


class IdColumn(tables.Column):
    """A UUID in a monospaced font."""

    def render(self, value):
        return format_html('<span class="mono">{}</span>', value)

    def value(self, value):
        return str(value)


class FabflowTable(tables.Table):
    """Base of the UI's tables: a checkbox per row and a select-all in the header."""

    select = tables.Column(
        accessor="pk",
        verbose_name=SELECT_ALL,
        orderable=False,
        exclude_from_export=True,
        attrs={"th": {"class": "check"}, "td": {"class": "check"}},
    )

    # The key the user's column choice is stored under, e.g. "orders".
    preference_key = ""
    hidden_by_default: tuple[str, ...] = ()
    always_visible: tuple[str, ...] = ()
    # Column name -> the FilterSet's `ordering` value that sorts by it; the sort is the
    # FilterSet's (server-side, index-backed), never django-tables2's own.
    orderings: dict[str, str] = {}
    # The `ordering` the rows were sorted with, e.g. "-createdAt" (set by the list page).
    ordering = ""
    # The orderings the FilterSet offers; a column outside it cannot be sorted.
    available_orderings: frozenset[str] = frozenset()

    class Meta:
        attrs = {"class": "table"}
        template_name = "web/_table.html"
        empty_text = "Nothing matches these filters."
        orderable = False

    def headers(self):
        """(column, next ordering or None, "asc"/"desc"/"") for each visible column."""
        current = self.ordering.lstrip("-")
        descending = self.ordering.startswith("-")
        for column in self.columns:
            key = self.orderings.get(column.name)
            if key is None or key not in self.available_orderings:
                yield column, None, ""
            elif key == current:
                yield column, (key if descending else f"-{key}"), ("desc" if descending else "asc")
            else:
                yield column, key, ""

    def body_rows(self):
        """The page's rows as (row, [(cell attributes, cell), ...]).

        No column computes its cell attributes from the record, so they are rendered once per
        column rather than once per cell (django-tables2 recomputes them, sort state included,
        for every cell).
        """
        cell_attrs = [column.attrs["td"].as_html() for column in self.columns]
        for row in self.paginated_rows:
            cells = [cell for _column, cell in row.items()]
            yield row, list(zip(cell_attrs, cells, strict=True))

    def render_select(self, record):
        return format_html(
            '<input type="checkbox" data-row-id="{}" aria-label="Select {}">', record.pk, record
        )

    @classmethod
    def choosable_columns(cls) -> list[tuple[str, str]]:
        """(name, title) of every column the user may show or hide, in table order."""
        return [
            (name, str(column.verbose_name))
            for name, column in cls.base_columns.items()
            if name != "select" and name not in cls.always_visible
        ]

    @classmethod
    def visible_column_names(cls, user: User) -> list[str]:
        """The choosable columns `user` sees, in their order: their saved choice, else the
        defaults in table order."""
        saved = table_preferences(user, cls.preference_key).get("columns")
        choosable = [name for name, _title in cls.choosable_columns()]
        if not isinstance(saved, list):
            return [name for name in choosable if name not in cls.hidden_by_default]
        return list(dict.fromkeys(name for name in saved if name in choosable))

    @classmethod
    def columns_named(cls, raw: str) -> tuple[list[str], list[str]]:
        """The choosable columns that `raw` (names separated by commas) names, in its order,
        and the names in it that the table has no choosable column for."""
        choosable = {name for name, _title in cls.choosable_columns()}
        names = dict.fromkeys(name.strip() for name in raw.split(",") if name.strip())
        return [n for n in names if n in choosable], [n for n in names if n not in choosable]

    @classmethod
    def showing(cls, data, *, columns: list[str], **kwargs) -> "FabflowTable":
        """The table over `data` showing the choosable `columns`, in that order, after the
        checkbox and the columns that are always visible."""
        hidden = [name for name, _title in cls.choosable_columns() if name not in columns]
        sequence = ("select", *cls.always_visible, *columns)
        return cls(data, exclude=hidden, sequence=sequence, **kwargs)

    def export_rows(self):
        """The header and the rows of the visible columns (without the checkbox), as text."""
        return self.as_values(exclude_columns=("select",))
