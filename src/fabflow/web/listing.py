"""List pages of the UI: one FilterSet, one table class, one row source per page.

A `TablePage` ties together what a list page needs. `render_list` answers the page (or, for an
htmx request, only the table region), and `export_rows` answers the Export button. Filters,
sorting and paging all live in the URL, so a filtered view can be bookmarked and shared:

- the FilterSet's own parameters (`status`, `search`, `ordering`, ...; see orders/filters.py);
- `createdFrom` / `createdTo`: calendar days in the site's time zone, both included, which
  become the FilterSet's `createdAfter` / `createdBefore`;
- `mine=1`: only orders carrying one of the signed-in user's tags;
- `page`, `per_page`.
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
from fabflow.web import display
from fabflow.web.exports import MAX_EXPORT_ROWS, AssetFolder, csv_bytes, zip_with_assets
from fabflow.web.services import DEFAULT_PAGE_SIZE, PAGE_SIZES

TABLE_REGION = "table-region"
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
    has_status_filter: bool = False
    has_tag_filter: bool = False
    # For exports with assets: the folder of each exported row and its files.
    asset_folders: Callable[[list], list[AssetFolder]] | None = None
    table_kwargs: Callable[[HttpRequest], dict] = field(default=lambda request: {})

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
    """The FilterSet's parameters for the UI's query string `source`."""
    data = source.copy()
    tz = timezone.get_current_timezone()
    for ui_name, filter_name, shift in (
        ("createdFrom", "createdAfter", 0),
        ("createdTo", "createdBefore", 1),
    ):
        day = _parse_day(source.get(ui_name))
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


def build_table(request: HttpRequest, page: TablePage, rows, *, ordering: str = ""):
    """The table over `rows` with the user's columns, marked with the sort applied."""
    table = page.table_class.for_user(rows, user=request.user, **page.table_kwargs(request))
    table.ordering = ordering or page.filterset_class.DEFAULT_ORDERING
    table.available_orderings = frozenset(page.filterset_class.ORDERINGS)
    table.chosen_ordering = ordering  # "" when the default applies
    return table


def render_list(request: HttpRequest, page: TablePage) -> HttpResponse:
    """The list page, or only its table region when htmx asks for that."""
    actor = Actor.for_user(request.user)
    rows, ordering, error = filtered_rows(request, page, request.GET, actor=actor)
    table = build_table(request, page, rows, ordering=ordering)
    per_page = page_size(request.GET)
    RequestConfig(
        request, paginate={"paginator_class": LazyPaginator, "per_page": per_page}
    ).configure(table)
    page_obj = table.page
    first = (page_obj.number - 1) * per_page + 1 if len(page_obj.object_list) else 0
    pager = {
        "number": page_obj.number,
        "first": first,
        "last": first + len(page_obj.object_list) - 1,
        "has_previous": page_obj.has_previous(),
        "has_next": page_obj.has_next(),
        "previous": page_obj.number - 1,
        "next": page_obj.number + 1,
    }
    partial = is_table_request(request)
    context = {
        "page": page,
        "pager": pager,
        "partial": partial,
        "table": table,
        "filter_error": error,
        "query": request.GET,
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "statuses": _statuses(request) if page.has_status_filter else [],
        "choosable_columns": _column_choices(page, request.user),
        "max_export_rows": MAX_EXPORT_ROWS,
        "list_url": reverse(f"{page.key}_list"),
        "export_url": reverse(f"{page.key}_export"),
    }
    if partial:
        return render(request, "web/_table_region.html", context)
    return render(request, "web/list.html", context)


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
    back = f"{reverse(f'{page.key}_list')}?{request.GET.urlencode()}".rstrip("?")
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
        )
        return redirect(back)
    actor = Actor.for_user(request.user)
    rows, ordering, _error = filtered_rows(
        request, page, _without_filters(request.GET), actor=actor
    )
    records = list(rows.filter(pk__in=ids))
    table = build_table(request, page, records, ordering=ordering)
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
    """Keep only the sort: the selected rows are exported even if a filter now hides them."""
    data = QueryDict(mutable=True)
    if source.get("ordering"):
        data["ordering"] = source["ordering"]
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


def _parse_day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _statuses(request: HttpRequest) -> list[dict]:
    from fabflow.orders.models import OrderStatus

    chosen = {value for item in request.GET.getlist("status") for value in item.split(",")}
    return [
        {"value": value, "label": label, "checked": value in chosen}
        for value, label in OrderStatus.choices
    ]


def _column_choices(page: TablePage, user) -> list[dict]:
    visible = set(page.table_class.visible_column_names(user))
    return [
        {"name": name, "title": title, "visible": name in visible}
        for name, title in page.table_class.choosable_columns()
    ]
