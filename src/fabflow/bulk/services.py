"""Bulk jobs: creating one over chosen orders or over what a filter matches, confirming,
cancelling and reading it, and the worker's part: acting on one order, and settling its outcome.

Each order's action is the single-order service the order page's buttons call (flows/services.py,
orders/services.py), run as the job's creator, so tenancy, state checks and bounds are the same;
a refused order records that service's reason. An order's action and its item's outcome are
written in one transaction: a job run again after a crash skips the orders it already acted on.

What "done" means per action (the job page says it too, from `DONE_MEANS`):
- retry: every retried task ran again and succeeded, or waits for a person or for feedback; a
  retried task that fails again makes the order "failed", with the task's error;
- start a flow: the flow started and its automatic tasks ran without a failure (the flow
  succeeded, or waits for a person or for feedback);
- skip, confirm, reject, add or remove a tag: the change was made.
"""

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.accounts.services import normalize_tags
from fabflow.audit import trail
from fabflow.audit.models import Action
from fabflow.bounds import check_text
from fabflow.bulk.models import BulkAction, BulkJob, BulkJobItem, BulkJobStatus, ItemOutcome
from fabflow.errors import Conflict, FabflowError, InvalidInput, NotFound
from fabflow.flows import services as flow_services
from fabflow.flows.models import OrderFlow, TaskRun, TaskStatus
from fabflow.flows.registry import UnknownHandler, get_handler
from fabflow.limits import MAX_BULK_JOBS_WAITING_PER_ORGANIZATION, MAX_BULK_SELECTION_LENGTH
from fabflow.orders import services as order_services
from fabflow.orders.models import Order

# The arguments each action takes; any other is refused.
ARGUMENTS = {
    BulkAction.RETRY: (),
    BulkAction.SKIP: (),
    BulkAction.CONFIRM: ("comment",),
    BulkAction.REJECT: ("reason",),
    BulkAction.START_FLOW: ("flowKey",),
    BulkAction.ADD_TAG: ("tag",),
    BulkAction.REMOVE_TAG: ("tag",),
}
DONE_MEANS = {
    BulkAction.RETRY: "every retried task ran again and succeeded, or now waits for a person or "
    "for feedback; a retried task that failed again counts as failed",
    BulkAction.SKIP: "its failed or overdue tasks were skipped and the flow went on",
    BulkAction.CONFIRM: "its waiting manual tasks were confirmed",
    BulkAction.REJECT: "its waiting manual tasks were rejected (the order is in Failure)",
    BulkAction.START_FLOW: "the flow started and its automatic tasks ran without failing (the "
    "flow succeeded, or waits for a person or for feedback)",
    BulkAction.ADD_TAG: "the order carries the tag",
    BulkAction.REMOVE_TAG: "the order no longer carries the tag",
}
# Actions that set flows going, whose tasks may call the organization's connectors: their jobs
# act on at most FABFLOW_BULK_ORDERS_PER_SECOND orders a second.
FLOW_ACTIONS = {BulkAction.RETRY, BulkAction.SKIP, BulkAction.CONFIRM, BulkAction.START_FLOW}
UNFINISHED = (BulkJobStatus.QUEUED, BulkJobStatus.RUNNING, BulkJobStatus.SETTLING)
ACTIVE_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.WAITING)
# Ids are checked against the orders the actor sees this many at a time.
ID_CHUNK = 500


class ConfirmationRequired(Conflict):
    """A job over more than FABFLOW_BULK_CONFIRM_OVER orders, sent without the exact count."""

    def __init__(self, count: int):
        super().__init__(
            f"This bulk action covers {count} orders; send confirmCount: {count} to start it",
            field=("confirm_count",),
        )
        self.count = count


@dataclass(frozen=True)
class Effect:
    """What acting on one order did: its outcome, what to say, and what to watch until done."""

    outcome: str
    reason: str
    tasks: list = field(default_factory=list)
    run_id: object = None


# --- creating, confirming and reading jobs ----------------------------------------------------


def create_job(
    *,
    actor: Actor,
    action: str,
    arguments: dict,
    order_ids: list | None = None,
    filter_params: QueryDict | None = None,
    selection: str = "",
    confirm_count: int | None = None,
    keep_unconfirmed: bool = False,
) -> BulkJob:
    """Create a job over `order_ids` or over every order `filter_params` matches now (the list's
    filters). Over FABFLOW_BULK_CONFIRM_OVER orders without `confirm_count` equal to their
    number, it is refused (ConfirmationRequired), or kept awaiting confirmation when
    `keep_unconfirmed`; otherwise it is queued for a worker."""
    action, arguments = validate_action(actor=actor, action=action, arguments=arguments)
    ids = _resolve_orders(actor=actor, order_ids=order_ids, filter_params=filter_params)
    is_confirmed = len(ids) <= settings.FABFLOW_BULK_CONFIRM_OVER or confirm_count == len(ids)
    if not is_confirmed and not keep_unconfirmed:
        raise ConfirmationRequired(len(ids))
    with transaction.atomic():
        if is_confirmed:
            _check_waiting_jobs(actor)
        now = timezone.now()
        job = BulkJob.objects.create(
            organization_id=actor.organization_id,
            space_id=actor.space_id,
            action=action,
            arguments=arguments,
            selection=selection[:MAX_BULK_SELECTION_LENGTH],
            order_count=len(ids),
            status=BulkJobStatus.QUEUED if is_confirmed else BulkJobStatus.AWAITING_CONFIRMATION,
            created_by_user=actor.user,
            created_by_key=actor.key,
            created_by_label=actor.label,
            created_at=now,
        )
        BulkJobItem.objects.bulk_create(
            [
                BulkJobItem(job=job, order_id=order_id, position=position)
                for position, order_id in enumerate(ids)
            ],
            batch_size=1000,
        )
        if is_confirmed:
            _start(actor, job)
    return job


def confirm_job(*, actor: Actor, job_id) -> BulkJob:
    """Start a job that awaits confirmation; a job already started is left as it is."""
    with transaction.atomic():
        job = _lock_job(actor=actor, job_id=job_id)
        if job.status == BulkJobStatus.AWAITING_CONFIRMATION:
            _check_waiting_jobs(actor)
            job.status = BulkJobStatus.QUEUED
            job.save(update_fields=["status"])
            _start(actor, job)
        elif job.status == BulkJobStatus.CANCELLED:
            raise Conflict("This bulk action was cancelled; choose the orders again")
    return job


def cancel_job(*, actor: Actor, job_id) -> BulkJob:
    """Drop a job that awaits confirmation; one already started runs to its end."""
    with transaction.atomic():
        job = _lock_job(actor=actor, job_id=job_id)
        if job.status == BulkJobStatus.AWAITING_CONFIRMATION:
            job.status = BulkJobStatus.CANCELLED
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "finished_at"])
            trail.record(actor=actor, action=Action.BULK_JOB_CANCELLED, obj=job)
        elif job.status != BulkJobStatus.CANCELLED:
            raise Conflict("This bulk action has started; it runs to its end")
    return job


def get_job(*, actor: Actor, job_id) -> BulkJob:
    """A job the actor may see: a user sees the organization's, a key those of its space."""
    job = actor.restrict(BulkJob.objects.all()).filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such bulk action")
    return job


def list_jobs(*, actor: Actor) -> QuerySet:
    """The jobs the actor may see, newest first."""
    return actor.restrict(BulkJob.objects.all()).order_by("-created_at")


def outcome_counts(job: BulkJob) -> dict[str, int]:
    """How many of the job's orders have each outcome (every outcome named, 0 when none)."""
    counted = dict(
        BulkJobItem.objects.filter(job=job)
        .values_list("outcome")
        .annotate(count=Count("id"))
        .values_list("outcome", "count")
    )
    return {outcome: counted.get(outcome, 0) for outcome in ItemOutcome.values}


def job_items(*, job: BulkJob, outcome: str = "") -> QuerySet:
    """The job's items in the job's order, those of one outcome when given."""
    if outcome and outcome not in ItemOutcome.values:
        raise InvalidInput(f"outcome is one of {', '.join(ItemOutcome.values)}", field=("outcome",))
    items = BulkJobItem.objects.filter(job=job)
    return items.filter(outcome=outcome) if outcome else items


def validate_action(*, actor: Actor, action: str, arguments: dict) -> tuple[str, dict]:
    """The action and its arguments, checked and normalised; InvalidInput naming the field."""
    if action not in BulkAction.values:
        raise InvalidInput(f"action is one of {', '.join(BulkAction.values)}", field=("action",))
    allowed = ARGUMENTS[action]
    if not isinstance(arguments, dict):
        raise InvalidInput("arguments must be an object", field=("arguments",))
    for name in arguments:
        if name not in allowed:
            raise InvalidInput(
                f"The action {action} takes no argument {str(name)[:50]!r}",
                field=("arguments", str(name)[:50]),
            )
    try:
        return action, _checked_arguments(actor, action, arguments)
    except InvalidInput as error:
        # The arguments are a document of their own: its fields are named below "arguments".
        raise InvalidInput(
            error.message, code=error.code, field=("arguments", *error.field)
        ) from None


def _checked_arguments(actor: Actor, action: str, arguments: dict) -> dict:
    checked = {}
    if action == BulkAction.CONFIRM:
        comment = _text_argument(arguments, "comment")
        checked["comment"] = flow_services.operator_text(comment, field="comment")
    elif action == BulkAction.REJECT:
        reason = flow_services.operator_text(_text_argument(arguments, "reason"), field="reason")
        if not reason:
            raise InvalidInput("Give a reason for rejecting the tasks", field=("reason",))
        checked["reason"] = reason
    elif action == BulkAction.START_FLOW:
        checked["flowKey"] = _flow_key(actor, _text_argument(arguments, "flowKey"))
    elif action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG):
        checked["tag"] = _tag(_text_argument(arguments, "tag"))
    return checked


def _text_argument(arguments: dict, name: str) -> str:
    value = arguments.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", field=(name,))
    return value


def _flow_key(actor: Actor, flow_key: str) -> str:
    flow_key = flow_key.strip()
    if not flow_key:
        raise InvalidInput("Choose the flow to start", field=("flowKey",))
    if not actor.restrict(OrderFlow.objects.filter(key=flow_key[:100])).exists():
        raise InvalidInput(f"No flow {flow_key[:100]!r}", field=("flowKey",))
    return flow_key


def _tag(tag: str) -> str:
    try:
        tags = normalize_tags([tag])
    except InvalidInput as error:
        raise InvalidInput(error.message, field=("tag",)) from None
    if not tags:
        raise InvalidInput("Give the tag", field=("tag",))
    check_text(tags[0], field=("tag",))
    return tags[0]


def _resolve_orders(*, actor: Actor, order_ids, filter_params) -> list:
    """The ids of the job's orders, fixed now: the chosen ones, or what the filter matches."""
    if (order_ids is None) == (filter_params is None):
        raise InvalidInput("Send either orderIds or filter", field=("order_ids",))
    limit = settings.FABFLOW_BULK_MAX_ORDERS
    if filter_params is not None:
        try:
            filterset = order_services.filter_orders(actor=actor, params=filter_params)
        except InvalidInput as error:
            # In the job's body, not the list's query: the filter's own code would say query.
            raise InvalidInput(error.message, field=("filter", *error.field)) from None
        ids = list(filterset.qs.values_list("pk", flat=True)[: limit + 1])
        if len(ids) > limit:
            raise InvalidInput(
                f"The filter matches more than {limit} orders, the most one bulk action covers; "
                "narrow it",
                field=("filter",),
            )
        if not ids:
            raise InvalidInput("No order matches the filter", field=("filter",))
        return ids
    ids = list(dict.fromkeys(_uuid(order_id) for order_id in order_ids))
    if not ids:
        raise InvalidInput("Choose at least one order", field=("order_ids",))
    if len(ids) > limit:
        raise InvalidInput(
            f"{len(ids)} orders chosen; one bulk action covers at most {limit}",
            field=("order_ids",),
        )
    visible = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        visible.update(
            actor.restrict(Order.objects.filter(pk__in=chunk)).values_list("pk", flat=True)
        )
    unknown = [position for position, order_id in enumerate(ids) if order_id not in visible]
    if unknown:
        raise InvalidInput(
            f"{len(unknown)} of the ids are no orders you can see (the first is number "
            f"{unknown[0] + 1} of the list)",
            field=("order_ids",),
        )
    return ids


def _uuid(order_id) -> uuid.UUID:
    try:
        return order_id if isinstance(order_id, uuid.UUID) else uuid.UUID(str(order_id))
    except ValueError:
        raise InvalidInput(
            f"{str(order_id)[:40]!r} is not an order id", field=("order_ids",)
        ) from None


def _check_waiting_jobs(actor: Actor) -> None:
    waiting = BulkJob.objects.filter(
        organization_id=actor.organization_id, status__in=UNFINISHED
    ).count()
    if waiting >= MAX_BULK_JOBS_WAITING_PER_ORGANIZATION:
        raise Conflict(
            f"{waiting} bulk actions of your organization are queued or running, the most at "
            "once; start this one when one of them has finished"
        )


def _lock_job(*, actor: Actor, job_id) -> BulkJob:
    job = actor.restrict(BulkJob.objects.select_for_update()).filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such bulk action")
    return job


def _start(actor: Actor, job: BulkJob) -> None:
    """Queue a confirmed job for a worker, and record who started it over which orders."""
    trail.record(
        actor=actor,
        action=Action.BULK_JOB_STARTED,
        obj=job,
        after={
            "action": job.action,
            "arguments": job.arguments,
            "order_count": job.order_count,
            "selection": job.selection,
        },
    )
    _enqueue_after_commit(job)


def _enqueue_after_commit(job: BulkJob) -> None:
    from fabflow.bulk import runner

    transaction.on_commit(lambda: runner.enqueue(job), robust=True)


# --- the worker's part ------------------------------------------------------------------------


def job_actor(job: BulkJob) -> Actor:
    """Who the job acts as: the user or key that created it."""
    if job.created_by_key is not None:
        return Actor.for_key(job.created_by_key)
    if job.created_by_user is not None:
        return Actor.for_user(job.created_by_user)
    return Actor.system(job.organization_id)


def begin_job(job_id) -> BulkJob | None:
    """Mark a queued job running; the job, or None when it is finished, cancelled or unknown."""
    with transaction.atomic():
        job = (
            BulkJob.objects.select_for_update(of=("self",))
            .select_related("created_by_user", "created_by_key__space")
            .filter(pk=job_id, status__in=UNFINISHED)
            .first()
        )
        if job is None:
            return None
        if job.status == BulkJobStatus.QUEUED:
            job.status = BulkJobStatus.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["status", "started_at"])
    return job


def pending_items(job: BulkJob, limit: int) -> list[int]:
    """The ids of the next items the job has not acted on, in the job's order."""
    return list(
        BulkJobItem.objects.filter(job=job, outcome=ItemOutcome.PENDING)
        .order_by("position")
        .values_list("pk", flat=True)[:limit]
    )


def act_on_item(*, job: BulkJob, actor: Actor, item_id) -> bool:
    """Act on one order of the job and record the outcome in the same transaction; False when
    the item had already been acted on (by an earlier run of the job)."""
    with transaction.atomic():
        item = (
            BulkJobItem.objects.select_for_update()
            .filter(pk=item_id, outcome=ItemOutcome.PENDING)
            .first()
        )
        if item is None:
            return False
        try:
            with transaction.atomic():
                effect = ACTIONS[job.action](
                    actor=actor, order_id=item.order_id, arguments=job.arguments
                )
        except FabflowError as error:
            effect = Effect(outcome=ItemOutcome.REFUSED, reason=error.message)
        except (InterfaceError, OperationalError):
            raise  # the database is away: the item stays pending and is taken again
        except Exception as error:
            effect = Effect(outcome=ItemOutcome.FAILED, reason=f"{type(error).__name__}: {error}")
        now = timezone.now()
        item.outcome = effect.outcome
        item.reason = effect.reason
        item.tasks = effect.tasks
        item.run_id = effect.run_id
        item.acted_at = now
        if effect.outcome != ItemOutcome.WORKING:
            item.finished_at = now
        item.save(update_fields=["outcome", "reason", "tasks", "run_id", "acted_at", "finished_at"])
    return True


def mark_settling(job: BulkJob) -> None:
    """Every order was acted on: the job now waits for the tasks it set going."""
    BulkJob.objects.filter(pk=job.pk, status=BulkJobStatus.RUNNING).update(
        status=BulkJobStatus.SETTLING
    )


def settle_items(job: BulkJob, limit: int = 1000) -> int:
    """Give the working items whose tasks have finished their final outcome; how many are left
    working."""
    working = list(
        BulkJobItem.objects.filter(job=job, outcome=ItemOutcome.WORKING).order_by("position")[
            :limit
        ]
    )
    left = 0
    for item in working:
        settled = _settled(item)
        if settled is None:
            left += 1
            continue
        outcome, reason = settled
        BulkJobItem.objects.filter(pk=item.pk, outcome=ItemOutcome.WORKING).update(
            outcome=outcome, reason=reason, finished_at=timezone.now()
        )
    if len(working) == limit:
        left += BulkJobItem.objects.filter(job=job, outcome=ItemOutcome.WORKING).count() - left
    return left


def finish_job(job: BulkJob, *, gave_up_after_seconds: float) -> None:
    """End the job; orders whose tasks still run count as failed, saying so."""
    now = timezone.now()
    with transaction.atomic():
        BulkJobItem.objects.filter(job=job, outcome=ItemOutcome.WORKING).update(
            outcome=ItemOutcome.FAILED,
            reason=f"Its tasks were still running {round(gave_up_after_seconds)} s after the "
            "job acted on it; see the order",
            finished_at=now,
        )
        BulkJob.objects.filter(pk=job.pk, status__in=UNFINISHED).update(
            status=BulkJobStatus.FINISHED, finished_at=now
        )


def unstarted_jobs(older_than_seconds: float) -> list[BulkJob]:
    """Jobs queued for a while: their enqueue may have been lost."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    return list(
        BulkJob.objects.filter(status=BulkJobStatus.QUEUED, created_at__lt=cutoff).only(
            "id", "organization_id"
        )[:100]
    )


def _settled(item: BulkJobItem) -> tuple[str, str] | None:
    """The final outcome of a working item, or None while its tasks still run."""
    if item.run_id is not None:
        tasks = list(TaskRun.objects.filter(run_id=item.run_id))
    else:
        tasks = list(TaskRun.objects.filter(pk__in=[task_id for task_id, _attempt in item.tasks]))
    failed = [task for task in tasks if task.status == TaskStatus.FAILED]
    if failed:
        task = failed[0]
        return ItemOutcome.FAILED, f"Task “{task.title or task.task_key}” failed: {task.error}"
    if any(task.status in (TaskStatus.PENDING, TaskStatus.RUNNING) for task in tasks):
        return None
    return ItemOutcome.DONE, item.reason


# --- the actions on one order -----------------------------------------------------------------


def _recoverable_tasks(actor: Actor, order_id) -> list[TaskRun]:
    """The failed or overdue tasks of the order's latest run (those retry and skip take)."""
    tasks = flow_services.list_tasks(actor=actor, order_id=order_id)
    return list(
        tasks.filter(
            Q(status=TaskStatus.FAILED) | Q(is_overdue=True, status__in=ACTIVE_TASK_STATUSES)
        )
    )


def _waiting_manual_tasks(actor: Actor, order_id) -> list[TaskRun]:
    tasks = flow_services.list_tasks(actor=actor, order_id=order_id).filter(
        status=TaskStatus.WAITING
    )
    return [task for task in tasks if _is_manual(task.handler_key)]


def _is_manual(handler_key: str) -> bool:
    try:
        return get_handler(handler_key).kind == "manual"
    except UnknownHandler:
        return False


def _retry(*, actor: Actor, order_id, arguments: dict) -> Effect:
    retried = _on_each(
        _recoverable_tasks(actor, order_id),
        lambda task: flow_services.retry_task(actor=actor, task_id=task.pk),
        missing="The order has no failed or overdue task to retry",
    )
    return Effect(
        outcome=ItemOutcome.WORKING,
        reason=_tasks_text(retried, "retried"),
        tasks=[[str(task.pk), task.attempt] for task in retried],
    )


def _skip(*, actor: Actor, order_id, arguments: dict) -> Effect:
    skipped = _on_each(
        _recoverable_tasks(actor, order_id),
        lambda task: flow_services.skip_task(actor=actor, task_id=task.pk),
        missing="The order has no failed or overdue task to skip",
    )
    return Effect(outcome=ItemOutcome.DONE, reason=_tasks_text(skipped, "skipped"))


def _confirm(*, actor: Actor, order_id, arguments: dict) -> Effect:
    confirmed = _on_each(
        _waiting_manual_tasks(actor, order_id),
        lambda task: flow_services.confirm_task(
            actor=actor, task_id=task.pk, comment=arguments["comment"]
        ),
        missing="No manual task of the order is waiting",
    )
    return Effect(outcome=ItemOutcome.DONE, reason=_tasks_text(confirmed, "confirmed"))


def _reject(*, actor: Actor, order_id, arguments: dict) -> Effect:
    rejected = _on_each(
        _waiting_manual_tasks(actor, order_id),
        lambda task: flow_services.reject_task(
            actor=actor, task_id=task.pk, reason=arguments["reason"]
        ),
        missing="No manual task of the order is waiting",
    )
    return Effect(outcome=ItemOutcome.DONE, reason=_tasks_text(rejected, "rejected"))


def _on_each(tasks: list[TaskRun], service, *, missing: str) -> list[TaskRun]:
    """Call a task service on each of `tasks`; Conflict (`missing`) when there is none."""
    if not tasks:
        raise Conflict(missing)
    return [service(task) for task in tasks]


def _start_flow(*, actor: Actor, order_id, arguments: dict) -> Effect:
    run = flow_services.start_flow(actor=actor, order_id=order_id, flow_key=arguments["flowKey"])
    version = run.flow_version
    return Effect(
        outcome=ItemOutcome.WORKING,
        reason=f"Flow {version.flow.name} v{version.number} started",
        run_id=run.pk,
    )


def _add_tag(*, actor: Actor, order_id, arguments: dict) -> Effect:
    tag = arguments["tag"]
    order = _lock_order(actor, order_id)
    if tag in order.tags:
        raise Conflict(f"The order already carries the tag {tag!r}")
    order_services.update_order(actor=actor, order_id=order_id, tags=[*order.tags, tag])
    return Effect(outcome=ItemOutcome.DONE, reason=f"Tag {tag!r} added")


def _remove_tag(*, actor: Actor, order_id, arguments: dict) -> Effect:
    tag = arguments["tag"]
    order = _lock_order(actor, order_id)
    if tag not in order.tags:
        raise Conflict(f"The order does not carry the tag {tag!r}")
    kept = [existing for existing in order.tags if existing != tag]
    order_services.update_order(actor=actor, order_id=order_id, tags=kept)
    return Effect(outcome=ItemOutcome.DONE, reason=f"Tag {tag!r} removed")


def _lock_order(actor: Actor, order_id) -> Order:
    order = actor.restrict(Order.objects.select_for_update()).filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order")
    if not isinstance(order.tags, list):
        raise Conflict("The order's stored tags cannot be read; set them on the order first")
    return order


def _tasks_text(tasks: list[TaskRun], verb: str) -> str:
    titles = ", ".join(f"“{task.title or task.task_key}”" for task in tasks)
    return f"{verb.capitalize()}: {titles}"


ACTIONS = {
    BulkAction.RETRY: _retry,
    BulkAction.SKIP: _skip,
    BulkAction.CONFIRM: _confirm,
    BulkAction.REJECT: _reject,
    BulkAction.START_FLOW: _start_flow,
    BulkAction.ADD_TAG: _add_tag,
    BulkAction.REMOVE_TAG: _remove_tag,
}
