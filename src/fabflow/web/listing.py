"""List pages of the UI: one FilterSet, one table class, one row source per page.

A `TablePage` ties together what a list page needs. `render_list` answers the page (or, for an
htmx request, only the table region), and `export_rows` answers the Export button. Filters,
sorting and paging all live in the URL, so a filtered view can be bookmarked and shared:

- the FilterSet's own parameters (`status`, `search`, `ordering`, ...; see orders/filters.py);
- `createdFrom` / `createdTo`: calendar days in the site's time zone, both included, which
  become the FilterSet's `createdAfter` / `createdBefore`;
- `mine=1`: only orders carrying one of the signed-in user's tags;
- `page`, `per_page`;
- `columns`: the visible columns in their order (`name,status,value`). When present it wins
  over the user's stored choice, so that a URL (a saved view's) shows the same columns to anyone.

Counting every matching row costs as much as reading them all, so a page counts at
most `COUNT_LIMIT` rows: "Rows 1–50 of 347", or "of more than 1,000". A text search or "my tags"
is not counted at all (their matches lie anywhere in the table, so even a bounded count may read
most of it): "Rows 1–50 of more than 50".
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from fabflow.accounts.actors import Actor
from fabflow.errors import InvalidInput
from fabflow.fields import printable
from fabflow.limits import MAX_SAVED_VIEW_NAME_LENGTH
from fabflow.web import display
from fabflow.web.exports import MAX_EXPORT_ROWS, AssetFolder, csv_bytes, zip_with_assets
from fabflow.web.saved_views import may_change, visible_views
from fabflow.web.services import DEFAULT_PAGE_SIZE, PAGE_SIZES, table_preferences

TABLE_REGION = "table-region"
# Marks the export refusal after which the page keeps the rows that were selected.
KEEPS_SELECTION = "keeps-selection"
# Parameters that choose how the rows are shown, not which: "Clear filters" keeps them.
VIEW_PARAMETERS = ("ordering", "per_page", "columns")
# The visible columns, in their order, when the URL names them.
COLUMNS_PARAMETER = "columns"
# The most rows counted; past it the total reads "more than".
COUNT_LIMIT = 1000
# Filters whose matches no index walks in order: with one of them set, rows are not counted.
UNCOUNTED_FILTERS = ("search", "mine")
# The calendar-day filters of the page and the FilterSet parameter each one becomes.
DAY_FILTERS = (
    ("createdFrom", "Created from", "createdAfter", 0),
    ("createdTo", "Created to", "createdBefore", 1),
)
_PAGES: dict[str, "TablePage"] = {}


@dataclass(frozen=True)
class TablePage:
    """Everything a list page is made of."""

    key: str  # "orders": names the URLs `<key>_list` / `<key>_export` and the column preference
    title: str
    table_class: type
    filterset_class: type
    # The service that filters and sorts: (actor=, params=) -> a valid FilterSet, or InvalidInput.
    filter_rows: Callable[..., object]
    # What the table shows of each row: select_related / only, applied to the FilterSet's rows.
    display: Callable[[QuerySet], QuerySet] = field(default=lambda rows: rows)
    # The statuses the page filters by, as (value, label) pairs; none: no status filter.
    status_choices: tuple[tuple[str, str], ...] = ()
    has_tag_filter: bool = False
    # For exports with assets: the folder of each exported row and its files.
    asset_folders: Callable[[list], list[AssetFolder]] | None = None
    table_kwargs: Callable[[HttpRequest], dict] = field(default=lambda request: {})
    # A template beside the Export form acting on the selected or filtered rows (a menu).
    actions_template: str = ""

    @property
    def exports_assets(self) -> bool:
        return self.asset_folders is not None


def register_page(page: TablePage) -> TablePage:
    """Make `page` known by its key (for the column-preference form)."""
    _PAGES[page.key] = page
    return page


def table_page(key: str) -> TablePage | None:
    """The list page registered under `key`, or None."""
    return _PAGES.get(key)


def filter_data(request: HttpRequest, source: QueryDict) -> QueryDict:
    """The FilterSet's parameters for the UI's query string `source`; InvalidInput for a day
    not written as YYYY-MM-DD."""
    data = source.copy()
    tz = timezone.get_current_timezone()
    for ui_name, label, filter_name, shift in DAY_FILTERS:
        day = _parse_day(source.get(ui_name), label=label)
        data.pop(ui_name, None)
        if day is not None:
            start = datetime.combine(day + timedelta(days=shift), time.min, tzinfo=tz)
            data[filter_name] = start.isoformat()
    data.pop("mine", None)
    if wants_my_tags(source):
        data["anyTag"] = ",".join(display.texts(request.user.tags))
    return data


def wants_my_tags(source: QueryDict) -> bool:
    return source.get("mine") in {"1", "on", "true"}


def page_size(source: QueryDict) -> int:
    try:
        size = int(source.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def filtered_rows(request: HttpRequest, page: TablePage, source: QueryDict, *, actor: Actor):
    """The rows the query string `source` selects, sorted; the ordering used; an error or ""."""
    try:
        filterset = page.filter_rows(actor=actor, params=filter_data(request, source))
    except InvalidInput as error:
        return page.filterset_class.Meta.model.objects.none(), "", error.message
    rows = page.display(filterset.qs)
    if wants_my_tags(source) and not display.texts(request.user.tags):
        # A user without tags has no orders of "my tags": never fall back to every order.
        rows = rows.none()
    return rows, filterset.form.cleaned_data.get("ordering") or "", ""


def chosen_columns(request: HttpRequest, page: TablePage, source: QueryDict):
    """The columns the page shows, in their order: those the URL names, else the user's
    stored choice; and a note on names in the URL the table has no column for, or ""."""
    raw = source.get(COLUMNS_PARAMETER)
    if raw is None:
        return page.table_class.visible_column_names(request.user), ""
    columns, unknown = page.table_class.columns_named(raw)
    if not unknown:
        return columns, ""
    names = ", ".join(f"“{printable(name[:40])}”" for name in unknown[:5])
    return columns, (
        f"This table has no column {names} (any more): the other columns are shown. "
        "Choose the columns again and save the view to update it."
    )


def build_table(request: HttpRequest, page: TablePage, rows, *, ordering: str = "", columns):
    """The table over `rows` with `columns`, marked with the sort applied."""
    table = page.table_class.showing(rows, columns=columns, **page.table_kwargs(request))
    table.ordering = ordering or page.filterset_class.DEFAULT_ORDERING
    table.available_orderings = frozenset(page.filterset_class.ORDERINGS)
    table.chosen_ordering = ordering  # "" when the default applies
    return table


def render_list(request: HttpRequest, page: TablePage) -> HttpResponse:
    """The list page, or only its table region when htmx asks for that."""
    actor = Actor.for_user(request.user)
    rows, ordering, error = filtered_rows(request, page, request.GET, actor=actor)
    columns, column_note = chosen_columns(request, page, request.GET)
    table = build_table(request, page, rows, ordering=ordering, columns=columns)
    per_page = page_size(request.GET)
    RequestConfig(
        request, paginate={"paginator_class": LazyPaginator, "per_page": per_page}
    ).configure(table)
    partial = is_table_request(request)
    # The query with the columns named: every link and filter of the page carries them, so
    # each state the browser's history keeps shows its own columns.
    state = request.GET.copy()
    state[COLUMNS_PARAMETER] = ",".join(columns)
    context = {
        "page": page,
        "pager": _pager(table.page, rows, per_page, is_counted=_is_counted(request.GET)),
        "is_filtered": is_filtered(request.GET),
        "clear_filters_url": _url(reverse(f"{page.key}_list"), _without_filters(request.GET)),
        "partial": partial,
        "table": table,
        "filter_error": error,
        "view_notes": [note for note in (column_note, _page_size_note(request.GET)) if note],
        "query": state,
        "state_url": _url(reverse(f"{page.key}_list"), state),
        "columns_value": state[COLUMNS_PARAMETER],
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "statuses": _statuses(request, page.status_choices),
        "day_filters": [
            {"name": name, "label": label, "value": request.GET.get(name, "")}
            for name, label, _filter_name, _shift in DAY_FILTERS
        ],
        "choosable_columns": _column_choices(page, columns, _menu_order(request, page)),
        "max_export_rows": MAX_EXPORT_ROWS,
        "list_url": reverse(f"{page.key}_list"),
        "export_url": reverse(f"{page.key}_export"),
        # The Views menu lies outside the table region: only a whole page shows it.
        "saved_views": [] if partial else _saved_views(actor, page),
        "max_view_name_length": MAX_SAVED_VIEW_NAME_LENGTH,
    }
    if partial:
        return render(request, "web/_table_region.html", context)
    return render(request, "web/list.html", context)


def _saved_views(actor: Actor, page: TablePage) -> list[dict]:
    """The Views menu: the user's views and the organization's, each with its URL."""
    return [
        {
            "view": view,
            "url": list_url(page, view.query),
            "is_mine": view.owner_id == actor.user.pk,
            "may_change": may_change(actor=actor, view=view),
        }
        for view in visible_views(actor=actor, table=page.key)
    ]


def view_state(request: HttpRequest, page: TablePage, source: QueryDict) -> str:
    """The query string that keeps the table state of `source`: its filters, sort and rows per
    page, with the columns shown named, and without the page number."""
    state = source.copy()
    state.pop("page", None)
    columns, _note = chosen_columns(request, page, source)
    state[COLUMNS_PARAMETER] = ",".join(columns)
    return state.urlencode()


def with_columns(url: str, columns: list[str]) -> str:
    """`url` (a list page's) with its `columns` parameter naming `columns`."""
    path, _mark, query = url.partition("?")
    state = QueryDict(query, mutable=True)
    state[COLUMNS_PARAMETER] = ",".join(columns)
    return _url(path, state)


def list_url(page: TablePage, query: str) -> str:
    """The list page's URL with the query string `query` (a saved view's: the page reads what
    it can of it, and says what it cannot)."""
    path = reverse(f"{page.key}_list")
    return f"{path}?{query}" if query else path


def _page_size_note(source: QueryDict) -> str:
    raw = source.get("per_page")
    if raw is None or page_size(source) == _integer(raw):
        return ""
    return (
        f"{DEFAULT_PAGE_SIZE} rows per page are shown: “{printable(raw[:20])}” is not one of "
        + (", ".join(str(size) for size in PAGE_SIZES) + ".")
    )


def _integer(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _pager(page_obj, rows, per_page: int, *, is_counted: bool) -> dict:
    """Where the page lies among the rows, with their total or the bound it exceeds."""
    shown = len(page_obj.object_list)
    first = (page_obj.number - 1) * per_page + 1 if shown else 0
    last = first + shown - 1 if shown else 0
    total, is_total_exact = last, True
    if page_obj.has_next():
        ceiling = max(COUNT_LIMIT, last) if is_counted else last
        # A count of a sliced query reads at most `ceiling + 1` rows.
        counted = rows.order_by()[: ceiling + 1].count() if is_counted else ceiling + 1
        total, is_total_exact = min(counted, ceiling), counted <= ceiling
    return {
        "number": page_obj.number,
        "first": first,
        "last": last,
        "total": total,
        "total_text": f"{total:,}",
        "is_total_exact": is_total_exact,
        "has_previous": page_obj.has_previous(),
        "has_next": page_obj.has_next(),
        "previous": page_obj.number - 1,
        "next": page_obj.number + 1,
    }


def is_filtered(source: QueryDict) -> bool:
    """Whether the query string `source` narrows the rows (beyond sorting and paging)."""
    return any(
        value.strip()
        for name, values in source.lists()
        if name not in VIEW_PARAMETERS and name != "page"
        for value in values
    )


def _is_counted(source: QueryDict) -> bool:
    return not any(source.get(name, "").strip() for name in UNCOUNTED_FILTERS)


def _url(path: str, query: QueryDict) -> str:
    return f"{path}?{query.urlencode()}" if query else path


def is_table_request(request: HttpRequest) -> bool:
    """Whether htmx asks for the table region only (not for a whole page from its history)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == TABLE_REGION
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def export_rows(request: HttpRequest, page: TablePage) -> HttpResponse:
    """Download the selected rows' visible columns as CSV, or as a zip with their files.

    The query string is the list page's, so the export is sorted as the page was. Ids of rows
    the user may not see are ignored; more than MAX_EXPORT_ROWS exports nothing.
    """
    back = _url(reverse(f"{page.key}_list"), request.GET)
    ids = _selected_ids(request.POST.get("ids", ""))
    if ids is None:
        messages.error(request, "The selection could not be read. Select the rows again.")
        return redirect(back)
    if not ids:
        messages.error(request, "Select the rows to export with the checkboxes first.")
        return redirect(back)
    if len(ids) > MAX_EXPORT_ROWS:
        messages.error(
            request,
            f"You selected {len(ids)} rows, but an export holds at most {MAX_EXPORT_ROWS}. "
            f"Nothing was exported: select {MAX_EXPORT_ROWS} rows or fewer and try again.",
            # The page sent back restores the selection it sent (app.js, "Row selection").
            extra_tags=KEEPS_SELECTION,
        )
        return redirect(back)
    actor = Actor.for_user(request.user)
    rows, ordering, _error = filtered_rows(
        request, page, _without_filters(request.GET), actor=actor
    )
    records = list(rows.filter(pk__in=ids))
    columns, _note = chosen_columns(request, page, request.GET)
    table = build_table(request, page, records, ordering=ordering, columns=columns)
    content = csv_bytes(table.export_rows())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    with_assets = request.POST.get("assets") == "1" and page.asset_folders is not None
    if not with_assets:
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{page.key}-{stamp}.csv"'
        return response
    stream = zip_with_assets(
        csv_name=f"{page.key}.csv", csv_content=content, folders=page.asset_folders(records)
    )
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{page.key}-{stamp}.zip"'
    return response


def _without_filters(source: QueryDict) -> QueryDict:
    """Keep only the sort and page size: the selected rows are exported even if a filter now
    hides them, and "Clear filters" shows every row the same way."""
    data = QueryDict(mutable=True)
    for name in VIEW_PARAMETERS:
        if source.get(name):
            data[name] = source[name]
    return data


def _selected_ids(raw: str) -> list[uuid.UUID] | None:
    ids: list[uuid.UUID] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = uuid.UUID(item)
        except ValueError:
            return None
        if value not in ids:
            ids.append(value)
    return ids


def _parse_day(raw: str | None, *, label: str) -> date | None:
    """The calendar day written as YYYY-MM-DD (the only way the UI writes days), or None."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        if len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(
        f"{label}: “{printable(text[:20])}” is not a day. "
        "Write it as YYYY-MM-DD, for example 2025-02-01."
    )


def _statuses(request: HttpRequest, choices) -> list[dict]:
    chosen = {value for item in request.GET.getlist("status") for value in item.split(",")}
    return [
        {"value": value, "label": label, "checked": value in chosen} for value, label in choices
    ]


def _menu_order(request: HttpRequest, page: TablePage) -> list[str]:
    """The order the user last gave the Columns menu of the page's table (empty when none)."""
    order = table_preferences(request.user, page.table_class.preference_key).get("order")
    return [name for name in order if isinstance(name, str)] if isinstance(order, list) else []


def _column_choices(page: TablePage, columns: list[str], order: list[str]) -> list[dict]:
    """The Columns menu: the visible columns in their order, then the hidden ones, in the order
    the user last gave them (`order`) and then in table order."""
    titles = dict(page.table_class.choosable_columns())
    arranged = dict.fromkeys([*order, *titles])
    hidden = [name for name in arranged if name in titles and name not in columns]
    return [
        {"name": name, "title": titles[name], "visible": name in columns}
        for name in [*columns, *hidden]
    ]
