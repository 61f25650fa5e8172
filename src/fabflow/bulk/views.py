"""The bulk action pages: starting one from the Orders table, its confirmation, and the job page.

The Orders table's Actions menu posts here with the rows it selected or with its filter (its
query string); a job over more than FABFLOW_BULK_CONFIRM_OVER orders is kept awaiting
confirmation and its page asks first, naming the count. The job page refreshes itself over htmx
while the job runs, then shows each order's outcome. Every form answers with a redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from fabflow.accounts.actors import Actor
from fabflow.bulk import services
from fabflow.bulk.models import BulkAction, BulkJobStatus, ItemOutcome
from fabflow.errors import FabflowError
from fabflow.web import live
from fabflow.web.errors import refusals_redirect_to
from fabflow.web.listing import KEEPS_SELECTION, filter_data
from fabflow.web.redirects import see_other

# The part of a job's page that refreshes itself while the job runs.
LIVE_REGION = "bulk-job-live"
ITEMS_PER_PAGE = 100
# The form's fields that carry each action's argument.
ARGUMENT_FIELDS = {
    BulkAction.CONFIRM: ("comment", "text"),
    BulkAction.REJECT: ("reason", "text"),
    BulkAction.START_FLOW: ("flowKey", "flow_key"),
    BulkAction.ADD_TAG: ("tag", "tag"),
    BulkAction.REMOVE_TAG: ("tag", "tag"),
}
SCOPE_FILTER = "filter"


@login_required
@require_POST
def job_create(request: HttpRequest) -> HttpResponse:
    """Create a job from the Orders table's Actions menu; its query string is the table's."""
    actor = Actor.for_user(request.user)
    action = request.POST.get("action", "")
    name, field = ARGUMENT_FIELDS.get(action, (None, None))
    arguments = {name: request.POST.get(field, "")} if name else {}
    try:
        if request.POST.get("scope") == SCOPE_FILTER:
            choice = {
                "filter_params": filter_data(request, request.GET),
                "selection": f"All orders matching: {request.GET.urlencode() or 'no filter'}",
            }
        else:
            ids = [part.strip() for part in request.POST.get("ids", "").split(",") if part.strip()]
            choice = {
                "order_ids": ids,
                "selection": f"{len(ids)} selected order{pluralize(len(ids))}",
            }
        job = services.create_job(
            actor=actor, action=action, arguments=arguments, keep_unconfirmed=True, **choice
        )
    except FabflowError as error:
        messages.error(request, f"Nothing was started: {error.message}", extra_tags=KEEPS_SELECTION)
        return see_other(_orders_url(request))
    return see_other("bulk_job_detail", pk=job.pk)


@login_required
@require_GET
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    """The job: its confirmation while it awaits one, its progress, then each order's outcome."""
    job = services.get_job(actor=Actor.for_user(request.user), job_id=pk)
    outcome = request.GET.get("outcome", "")
    if outcome not in ItemOutcome.values:
        outcome = ""
    items = (
        services.job_items(job=job, outcome=outcome)
        .select_related("order")
        .only("order__name", "order__status", "outcome", "reason", "position", "finished_at")
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    counts = services.outcome_counts(job)
    context = {
        "job": job,
        "counts": [
            {"value": value, "label": label, "count": counts[value]}
            for value, label in ItemOutcome.choices
        ],
        "acted": job.order_count - counts[ItemOutcome.PENDING],
        "done_means": services.DONE_MEANS[job.action],
        "outcome": outcome,
        "items": page,
        "is_live": job.status in services.UNFINISHED,
        "awaits_confirmation": job.status == BulkJobStatus.AWAITING_CONFIRMATION,
        **live.region(LIVE_REGION),
    }
    if live.is_refresh(request, LIVE_REGION):
        return render(request, "bulk/_job_live.html", context)
    return render(request, "bulk/job.html", context)


@login_required
@require_POST
@refusals_redirect_to("bulk_job_detail", "pk")
def job_confirm(request: HttpRequest, pk) -> HttpResponse:
    """Start a job that asked for confirmation."""
    services.confirm_job(actor=Actor.for_user(request.user), job_id=pk)
    return see_other("bulk_job_detail", pk=pk)


@login_required
@require_POST
@refusals_redirect_to("bulk_job_detail", "pk")
def job_cancel(request: HttpRequest, pk) -> HttpResponse:
    """Drop a job that asked for confirmation; back to the orders."""
    services.cancel_job(actor=Actor.for_user(request.user), job_id=pk)
    messages.success(request, "Cancelled: nothing was done to the orders.")
    return see_other("orders_list")


def _orders_url(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return f"{reverse('orders_list')}?{query}" if query else reverse("orders_list")
