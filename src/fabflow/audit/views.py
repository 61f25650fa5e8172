"""The Activity page: an organization's audit trail for its admins, and its CSV export."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from fabflow.accounts.actors import Actor
from fabflow.accounts.admin_views import admin_required
from fabflow.audit import services
from fabflow.audit.models import Action, ActorKind, AuditRecord
from fabflow.audit.tables import AuditTable
from fabflow.errors import InvalidInput
from fabflow.limits import MAX_AUDIT_EXPORT_ROWS
from fabflow.web.exports import csv_bytes
from fabflow.web.listing import is_table_request, page_size
from fabflow.web.services import PAGE_SIZES

# The kinds of object the filter offers (what services record).
OBJECT_KINDS = (
    "order",
    "order flow",
    "user",
    "secret key",
    "product space",
    "export target",
    "webhook subscription",
    "organization",
)


def _records(request: HttpRequest, actor: Actor):
    """The records the query string selects, sorted; the ordering chosen; an error or ""."""
    try:
        filterset = services.filter_records(actor=actor, params=request.GET)
    except InvalidInput as error:
        return AuditRecord.objects.none(), "", error.message
    return filterset.qs, filterset.form.cleaned_data.get("ordering") or "", ""


@admin_required
@require_GET
def activity(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows, ordering, error = _records(request, actor)
    table = AuditTable(rows, exclude=AuditTable.page_excludes)
    table.ordering = ordering or services.AuditFilterSet.DEFAULT_ORDERING
    table.available_orderings = frozenset(services.AuditFilterSet.ORDERINGS)
    table.chosen_ordering = ordering
    per_page = page_size(request.GET)
    RequestConfig(
        request, paginate={"paginator_class": LazyPaginator, "per_page": per_page}
    ).configure(table)
    shown = len(table.page.object_list)
    first = (table.page.number - 1) * per_page + 1
    context = {
        "table": table,
        "query": request.GET,
        "filter_error": error,
        "first": first if shown else 0,
        "last": first + shown - 1,
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "actions": Action.choices,
        "actor_kinds": ActorKind.choices,
        "object_kinds": OBJECT_KINDS,
        "chosen_actions": request.GET.getlist("action"),
        "max_export_rows": f"{MAX_AUDIT_EXPORT_ROWS:,}",
    }
    if is_table_request(request):
        return render(request, "audit/_activity_table.html", context)
    return render(request, "audit/activity.html", context)


@admin_required
@require_GET
def activity_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The filtered records as CSV; a filter matching more than MAX_AUDIT_EXPORT_ROWS exports
    nothing and says so, rather than cutting the trail short."""
    back = f"{reverse('activity')}?{request.GET.urlencode()}"
    rows, _ordering, error = _records(request, actor)
    if error:
        messages.error(request, error)
        return redirect(back)
    records = list(rows[: MAX_AUDIT_EXPORT_ROWS + 1])
    if len(records) > MAX_AUDIT_EXPORT_ROWS:
        messages.error(
            request,
            f"These filters match more than {MAX_AUDIT_EXPORT_ROWS:,} records, the most one "
            "export holds. Nothing was exported: narrow the time range and export again.",
        )
        return redirect(back)
    content = csv_bytes(AuditTable(records).export_rows())
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="activity.csv"'
    return response
