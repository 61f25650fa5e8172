"""The order, product and part details pages, and the operator's actions on an order's tasks.

The order page shows what a person needs to move the order on: its products, the manual tasks
waiting for someone (confirm or reject), failed or overdue tasks (retry or skip), its files, its
history and its flow drawn stage by stage with each task's live state. While a flow works on the
order, the live part of the page refreshes itself over htmx. Every action calls one service of
`flows/services.py` and comes back to the page.
"""

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from fabflow.accounts.actors import Actor
from fabflow.errors import InvalidInput, NotFound
from fabflow.fields import InvalidValue, printable
from fabflow.flows import services as flow_services
from fabflow.flows.models import FlowRunStatus, TaskRun, TaskStatus
from fabflow.flows.registry import UnknownHandler, get_handler
from fabflow.limits import MAX_FLOW_NEXT_DEPTH, MAX_FLOW_STAGES, MAX_FLOW_TASKS
from fabflow.orders import history, services
from fabflow.orders.api import thumbnail_url
from fabflow.orders.documents import asset_url
from fabflow.orders.models import Asset, OrderEventType, OrderStatus
from fabflow.web import display, live
from fabflow.web.errors import refusals_redirect_to
from fabflow.web.redirects import see_other

logger = logging.getLogger(__name__)

STATUS_LABELS = dict(OrderStatus.choices)
# The part of the order page that refreshes itself while a flow works on the order.
LIVE_REGION = "order-live"
MAX_TIMELINE_EVENTS = 200
# The History card shows the latest lines whole, and all of them (up to the bound) when asked.
HISTORY_PREVIEW_EVENTS = 10
HISTORY_ALL = "all"
ACTIVE_TASK_STATUSES = {TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.WAITING}
TASK_ACTIONS = {
    "confirm": flow_services.confirm_task,
    "reject": flow_services.reject_task,
    "retry": flow_services.retry_task,
    "skip": flow_services.skip_task,
}
DONE_MESSAGES = {
    "confirm": "Task “{title}” confirmed.",
    "reject": "Task “{title}” rejected: the order is in Failure until it is retried or skipped.",
    "retry": "Task “{title}” runs again (attempt {attempt}).",
    "skip": "Task “{title}” skipped: the flow goes on without it.",
}
SUCCESS_EVENTS = {
    OrderEventType.TASK_SUCCEEDED,
    OrderEventType.TASK_CONFIRMED,
    OrderEventType.FLOW_FINISHED,
}
FAILURE_EVENTS = {
    OrderEventType.TASK_FAILED,
    OrderEventType.TASK_REJECTED,
    OrderEventType.TASK_OVERDUE,
}


@dataclass(frozen=True)
class FlowNode:
    """One task of the drawn flow: its definition and, once created, its task run."""

    key: str
    title: str
    handler_key: str
    after: str
    task: TaskRun | None

    @property
    def state(self) -> str:
        return self.task.status if self.task is not None else "not-started"


# -- order -------------------------------------------------------------------------------------


@login_required
@require_GET
def order_detail(request: HttpRequest, pk) -> HttpResponse:
    actor = Actor.for_user(request.user)
    context = _order_context(request, actor, pk)
    if live.is_refresh(request, LIVE_REGION):
        return render(request, "orders/details/_order_live.html", context)
    return render(request, "orders/details/order.html", context)


@login_required
@require_POST
@refusals_redirect_to("order_detail", "pk")
def task_action(request: HttpRequest, pk, task_id, action: str) -> HttpResponse:
    """Confirm, reject, retry or skip one task of the order, then come back to the order."""
    service = TASK_ACTIONS.get(action)
    if service is None:
        raise Http404("No such action")
    actor = Actor.for_user(request.user)
    arguments = {"actor": actor, "task_id": task_id}
    if action == "reject":
        arguments["reason"] = request.POST.get("reason", "")
    elif action == "confirm":
        arguments["comment"] = request.POST.get("comment", "")
    try:
        _task_of_order(actor, pk, task_id)
        task = service(**arguments)
    except InvalidInput as error:
        if action not in {"confirm", "reject"}:
            raise
        return _task_form_refused(request, actor, pk, task_id, action, error)
    title = task.title or task.task_key
    messages.success(request, DONE_MESSAGES[action].format(title=title, attempt=task.attempt))
    return see_other("order_detail", pk=pk)


def _task_form_refused(request, actor, pk, task_id, action: str, error) -> HttpResponse:
    """The order page again with 422: a refused reason shows in the reject dialog beside its
    field, keeping what was typed; a refused comment (the confirm form has no field for it)
    shows as the page's error message. Nothing was written."""
    context = _order_context(request, actor, pk)
    if action == "reject":
        context["reject"] = {
            "task_id": str(task_id),
            "reason": request.POST.get("reason", ""),
            "error": error.message,
        }
    else:
        messages.error(request, error.message)
    return render(request, "orders/details/order.html", context, status=422)


@login_required
@require_POST
@refusals_redirect_to("order_detail", "pk")
def start_flow(request: HttpRequest, pk) -> HttpResponse:
    """Start the chosen flow on an order that has none running (a flow the space does not
    have is refused with a message; an order the user cannot see is the 404 page)."""
    actor = Actor.for_user(request.user)
    flow_key = request.POST.get("flow_key", "")
    run = flow_services.start_flow(actor=actor, order_id=pk, flow_key=flow_key)
    version = run.flow_version
    messages.success(request, f"Flow {version.flow.name} v{version.number} started.")
    return see_other("order_detail", pk=pk)


def _task_of_order(actor: Actor, order_id, task_id) -> TaskRun:
    task = flow_services.get_task(actor=actor, task_id=task_id)
    if task.order_id != order_id:
        raise NotFound("No such task")
    return task


def _order_context(request: HttpRequest, actor: Actor, order_id) -> dict:
    # Read first: whatever is read after it is at least as new, so a page that stops refreshing
    # never shows an order, run or task older than the engine's last change.
    is_live = flow_services.engine_at_work(actor=actor, order_id=order_id)
    order = services.get_order(actor=actor, order_id=order_id)
    products = list(order.products.order_by("position").prefetch_related("assets"))
    order_assets = list(order.assets.all())
    thumbnail = _thumbnail(order_assets) or next(
        (url for url in (_thumbnail(p.assets.all()) for p in products) if url), None
    )
    run = (
        order.flow_runs.select_related("flow_version__flow", "flow_version__created_by")
        .order_by("-started_at")
        .first()
    )
    tasks = list(flow_services.list_tasks(actor=actor, order_id=order.pk))
    user_tags = set(display.texts(request.user.tags))
    for task in tasks:
        task.is_manual = _is_manual(task.handler_key)
        task.is_mine = bool(user_tags.intersection(display.texts(task.tags)))
        task.can_answer = task.is_manual and task.status == TaskStatus.WAITING
        task.can_recover = task.status == TaskStatus.FAILED or (
            task.is_overdue and task.status in ACTIVE_TASK_STATUSES
        )
    action_tasks = [task for task in tasks if task.can_answer or task.can_recover]
    manual_done = [
        task
        for task in tasks
        if task.is_manual and task not in action_tasks and task.status != TaskStatus.PENDING
    ]
    return {
        "order": order,
        "status_label": display.choice(order, "status", STATUS_LABELS),
        "products": products,
        "thumbnail": thumbnail,
        "run": run,
        "stages": _flow_stages(run, tasks) if run is not None else None,
        "action_tasks": action_tasks,
        "manual_done": manual_done,
        "files": _files(actor, order),
        "history": _history(request, order, tasks),
        "flows": (
            list(flow_services.list_flows(actor=actor).filter(space_id=order.space_id))
            if run is None or run.status != FlowRunStatus.RUNNING
            else []
        ),
        # Refresh while the engine works; a waiting manual task changes only by a person's hand.
        "is_live": is_live,
        **live.region(LIVE_REGION),
        "reject": None,
    }


def _is_manual(handler_key: str) -> bool:
    try:
        return get_handler(handler_key).kind == "manual"
    except UnknownHandler:
        return False


def _flow_stages(run, tasks: list[TaskRun]) -> list[dict] | None:
    """The run's pinned definition drawn stage by stage; None, logged, when what is stored is
    not a definition this page can draw (written by hand or by an older version)."""
    by_key = {task.task_key: task for task in tasks}
    definition = run.flow_version.definition
    stages = []
    try:
        if not isinstance(definition, list) or len(definition) > MAX_FLOW_STAGES:
            raise _Undrawable
        for index, stage in enumerate(definition):
            nodes = [
                FlowNode(
                    key=task["key"],
                    title=display.json_text(
                        _mapping(task.get("payload")).get("title") or task["key"]
                    ),
                    handler_key=str(task["handlerKey"]),
                    after=parent,
                    task=by_key.get(task["key"]),
                )
                for task, parent in _stage_tasks(_mapping(stage).get("tasks"))
            ]
            stages.append(
                {
                    "key": stage["key"],
                    "name": display.json_text(stage.get("name") or stage["key"]),
                    "tags": display.texts(stage.get("tags")),
                    "state": _stage_state(run, index),
                    "nodes": nodes,
                }
            )
    except (_Undrawable, KeyError, TypeError):
        logger.warning(
            "Stored flow definition not drawable: flow version %s, on order %s",
            run.flow_version.pk,
            run.order_id,
        )
        return None
    return stages


class _Undrawable(Exception):
    """A stored flow definition that is not made of stages of tasks, within the bounds."""


def _mapping(value) -> dict:
    if not isinstance(value, dict):
        raise _Undrawable
    return value


def _stage_tasks(tasks) -> list[tuple[dict, str]]:
    """Every task of a stage with its parent's key, `next` chains included, depth first, as
    far as the flow format's bounds allow (a stored definition may nest without end)."""
    if not isinstance(tasks, list):
        raise _Undrawable
    found: list[tuple[dict, str]] = []
    stack = [(task, "", 0) for task in reversed(tasks)]
    while stack:
        task, parent, depth = stack.pop()
        task = _mapping(task)
        found.append((task, parent))
        children = task.get("next") or []
        if len(found) > MAX_FLOW_TASKS or not isinstance(children, list):
            raise _Undrawable
        if children and depth >= MAX_FLOW_NEXT_DEPTH:
            raise _Undrawable
        stack.extend((child, task["key"], depth + 1) for child in reversed(children))
    return found


def _stage_state(run, index: int) -> str:
    if index < run.stage_index or run.status == FlowRunStatus.SUCCEEDED:
        return "done"
    if index == run.stage_index:
        return "current"
    return "later"


@dataclass(frozen=True)
class FileRow:
    """A downloadable file of the order, with what it belongs to."""

    asset: Asset
    owner: str
    url: str


def _files(actor: Actor, order) -> list[FileRow]:
    assets = actor.restrict(
        Asset.objects.filter(Q(order=order) | Q(product__order=order) | Q(part__order=order))
    ).select_related("product", "part")
    rows = []
    for asset in assets.order_by("created_at", "filename"):
        if asset.part_id:
            owner = f"Part {asset.part.name}"
        elif asset.product_id:
            owner = f"Product {asset.product.name}"
        else:
            owner = "Order"
        rows.append(FileRow(asset=asset, owner=owner, url=asset_url(asset.pk)))
    return rows


def _history(request: HttpRequest, order, tasks: list[TaskRun]) -> dict:
    """The History card: its latest lines, or all of them up to the bound when the page's
    address asks (`?history=all`, kept by the live refresh), and whether more are left out."""
    is_all = request.GET.get("history") == HISTORY_ALL
    limit = MAX_TIMELINE_EVENTS if is_all else HISTORY_PREVIEW_EVENTS
    names = history.event_names(order, task_titles=history.task_titles(tasks))
    # One more than shown says whether lines are left out, without counting them all.
    events = list(history.history(order).select_related("actor_user")[: limit + 1])
    return {
        "items": _timeline(order, events[:limit], names),
        "is_all": is_all,
        "has_more": len(events) > limit,
    }


def _timeline(order, events, names: history.EventNames) -> list[dict]:
    return [
        {
            "event": event,
            "text": history.describe_event(event, names),
            "actor": history.event_actor(event, organization_id=order.organization_id),
            "tone": "success"
            if event.type in SUCCESS_EVENTS
            else ("failure" if event.type in FAILURE_EVENTS else "info"),
        }
        for event in events
    ]


# -- product and part ---------------------------------------------------------------------------


@login_required
@require_GET
def product_detail(request: HttpRequest, pk) -> HttpResponse:
    actor = Actor.for_user(request.user)
    product = services.get_product(actor=actor, product_id=pk)
    assets = list(product.assets.order_by("created_at", "filename"))
    context = {
        "product": product,
        "parts": list(product.parts.order_by("position")),
        "configuration": _value_rows(product.configuration),
        "data": _value_rows(product.data),
        "thumbnail": _thumbnail(assets),
        "files": [FileRow(asset=a, owner="Product", url=asset_url(a.pk)) for a in assets],
    }
    return render(request, "orders/details/product.html", context)


@login_required
@require_GET
def part_detail(request: HttpRequest, pk) -> HttpResponse:
    actor = Actor.for_user(request.user)
    part = services.get_part(actor=actor, part_id=pk)
    assets = list(part.assets.order_by("created_at", "filename"))
    context = {
        "part": part,
        "product": part.product,
        "data": _value_rows(part.data),
        "thumbnail": _thumbnail(assets),
        "files": [FileRow(asset=a, owner="Part", url=asset_url(a.pk)) for a in assets],
    }
    return render(request, "orders/details/part.html", context)


def _thumbnail(assets) -> str | None:
    """The address of an owner's thumbnail, by the rule the API's documents follow too; a file
    whose stored time cannot be read is no candidate (it cannot be compared)."""
    return thumbnail_url(
        [asset for asset in assets if not isinstance(asset.created_at, InvalidValue)]
    )


def _value_rows(values) -> list[tuple[str, str]]:
    """A parameter → value object as rows of text; nested values are shown as JSON."""
    if isinstance(values, InvalidValue):
        return [("", display.invalid_html(values))]
    return [
        (printable(name), display.json_text(value))
        # PostgreSQL's jsonb does not keep the order of keys: sort them so every database agrees.
        for name, value in sorted(display.mapping(values).items())
    ]
