"""The order-flow engine: how a flow run moves, in the application database.

Every transition (start a run, begin, finish or fail a task, an operator's action, a timeout)
is one transaction that locks the order first, updates the task runs, the run and the order's
status and tags, and writes the OrderEvents. Transitions are idempotent: they name the task
*and its attempt*, and do nothing when the task has moved on, so a replayed DBOS workflow or a
late worker can never apply one twice. Work for automatic tasks is handed to DBOS (see
`fabflow.flows.worker`) only after the transaction has committed.
"""

import functools
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from fabflow import records
from fabflow.accounts.actors import Actor
from fabflow.errors import Conflict
from fabflow.flows import templating
from fabflow.flows.error_codes import FlowErrorCode
from fabflow.flows.models import FlowRun, FlowRunStatus, FlowVersion, TaskRun, TaskStatus
from fabflow.flows.registry import get_handler
from fabflow.flows.schema import DEFAULT_RETRIES, find_task, iter_tasks
from fabflow.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from fabflow.orders.services import events_written_together, record_event, write_history
from fabflow.orders.status_counts import count_status_change

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.WAITING)
DONE_STATUSES = (TaskStatus.SUCCEEDED, TaskStatus.SKIPPED)


# --- what the engine and the worker hand each other ----------------------------------------


class WorkItem(NamedTuple):
    """An automatic task attempt for a worker to run: its workflow is named after both."""

    task_id: str
    attempt: int


@dataclass(frozen=True)
class TaskPlan:
    """What a worker needs to run a task: its handler's kind, how many times a failed try is
    retried and, for a `wait` task, how long it waits."""

    kind: str
    retries: int
    duration_ms: int = 0


@dataclass(frozen=True)
class Successor:
    """The inline successor of a finished task, begun in the same transaction: the finished
    task's workflow goes on with it."""

    task_id: str
    attempt: int
    plan: TaskPlan


@dataclass(frozen=True)
class Continuation:
    """What finishing a task led to (`finish_and_continue`)."""

    # Whether the transition took place: False when the task attempt had moved on already.
    applied: bool
    # The other new automatic tasks, each to run as a workflow of its own.
    work: list[WorkItem] = field(default_factory=list)
    next: Successor | None = None


# --- reading the pinned definition ---------------------------------------------------------


@functools.lru_cache(maxsize=512)
def flow_version(version_id) -> FlowVersion:
    """A flow version with its flow; kept, since neither a version nor a flow's key and name
    ever change."""
    return FlowVersion.objects.select_related("flow").get(pk=version_id)


def _definition(version_id) -> list:
    return flow_version(version_id).definition


@functools.lru_cache(maxsize=4096)
def _task_definition(version_id, task_key: str) -> dict:
    found = find_task(_definition(version_id), task_key)
    if found is None:  # pragma: no cover - a version never changes under a run
        raise LookupError(f"task {task_key} is not in its flow version")
    return found[1]


def task_definition(task: TaskRun) -> dict:
    """The definition of `task` in the version its run pinned."""
    return _task_definition(task.run.flow_version_id, task.task_key)


def task_plan(task: TaskRun) -> TaskPlan:
    """What a worker needs to run `task`: its handler kind, retries and wait duration."""
    definition = task_definition(task)
    handler = get_handler(task.handler_key)
    return TaskPlan(
        kind=handler.kind,
        retries=definition.get("retries", DEFAULT_RETRIES),
        duration_ms=definition["payload"].get("duration", 0) if handler.kind == "wait" else 0,
    )


# --- starting a run ------------------------------------------------------------------------


def start_run(*, actor: Actor, order: Order, version: FlowVersion) -> FlowRun:
    """Start `version` on `order` (locked by the caller); refused while a run is active."""
    with events_written_together():
        return _start_run(actor=actor, order=order, version=version)


def _start_run(*, actor: Actor, order: Order, version: FlowVersion) -> FlowRun:
    latest = next(
        iter(records.fetch(FlowRun, order_id=order.pk, order_by=("-started_at",), limit=1)), None
    )
    now = timezone.now()
    if latest is not None and latest.status == FlowRunStatus.RUNNING:
        raise Conflict(
            "A flow is already running on this order; it can start again once it has finished",
            code=FlowErrorCode.FLOW_ACTIVE,
            field=("flow_key",),
        )
    if latest is not None and latest.status == FlowRunStatus.FAILED:
        # A failed run that nobody retried or skipped is replaced by the new one.
        latest.tasks.filter(status__in=ACTIVE_STATUSES).update(
            status=TaskStatus.SKIPPED, finished_at=now, error="Replaced by a new run"
        )
        latest.status = FlowRunStatus.CANCELLED
        latest.finished_at = now
        _take_off_tags(order, latest)
        latest.save(update_fields=["status", "finished_at", "added_tags"])
    run = records.insert_instance(
        FlowRun(
            organization_id=order.organization_id,
            space_id=order.space_id,
            order=order,
            flow_version=version,
            status=FlowRunStatus.RUNNING,
            started_at=now,
        )
    )
    if order.flow_key != version.flow.key:
        # An order names the flow of its latest run (flowKey in its documents).
        order.flow_key = version.flow.key
        records.update_fields(order, "flow_key")
    record_event(
        actor=actor,
        order=order,
        type=OrderEventType.FLOW_STARTED,
        details={"flowKey": version.flow.key, "version": version.number, "runId": str(run.pk)},
    )
    work = _enter_stage(actor=actor, order=order, run=run, index=0, now=now)
    _refresh_order_status(actor=actor, order=order, run=run)
    enqueue_after_commit(work, new_run=True)
    return run


def _enter_stage(*, actor, order, run, index, now, created=None, inline_from=None) -> list:
    definition = _definition(run.flow_version_id)
    stage = definition[index]
    run.stage_index = index
    added = [tag for tag in stage.get("tags", []) if tag not in order.tags]
    run.added_tags = added
    records.update_fields(run, "stage_index", "added_tags")
    if added:
        order.tags = [*order.tags, *added]
        order.updated_at = now
        records.update_fields(order, "tags", "updated_at")
    record_event(
        actor=actor,
        order=order,
        type=OrderEventType.STAGE_STARTED,
        details={"stageKey": stage["key"], "stageName": stage.get("name", stage["key"])},
    )
    return _create_tasks(
        actor=actor,
        order=order,
        run=run,
        index=index,
        tasks=stage["tasks"],
        parent="",
        now=now,
        created=created,
        inline_from=inline_from,
    )


def _create_tasks(
    *, actor, order, run, index, tasks, parent, now, created=None, inline_from=None
) -> list:
    """Create the task runs of `tasks` not yet in the run; returns the automatic ones as work
    items. With `inline_from` (the task whose workflow goes on into the first
    of them), that first automatic task is created running already (see `_go_on`)."""
    if not tasks:
        return []
    stage = _definition(run.flow_version_id)[index]
    existing = {
        task.task_key
        for task in records.fetch(TaskRun, run_id=run.pk, task_key=[t["key"] for t in tasks])
    }
    work = []
    for definition in tasks:
        if definition["key"] in existing:
            continue
        handler = get_handler(definition["handlerKey"])
        payload = definition["payload"]
        is_manual = handler.kind == "manual"
        waits_at_once = waits_for_a_person_at_once(handler, payload)
        begins_inline = inline_from is not None and not waits_at_once and not work
        starts_now = waits_at_once or begins_inline
        task = TaskRun(
            organization_id=run.organization_id,
            space_id=run.space_id,
            run=run,
            order=order,
            stage_key=stage["key"],
            stage_index=index,
            task_key=definition["key"],
            parent_task_key=parent,
            handler_key=handler.key,
            # A title or description with templates is rendered by a worker, which then
            # makes the task wait: until then it shows the task's key.
            title=(payload.get("title") if waits_at_once else "") or definition["key"],
            description=payload.get("description", "") if waits_at_once else "",
            tags=payload.get("tags", []) if is_manual else [],
            status=(
                TaskStatus.WAITING
                if waits_at_once
                else TaskStatus.RUNNING
                if begins_inline
                else TaskStatus.PENDING
            ),
            created_at=now,
            started_at=now if starts_now else None,
            continues_from=inline_from if begins_inline else None,
            # A timeout runs from the task's start: a pending task gets its deadline when a
            # worker begins it.
            deadline_at=_deadline(definition, now) if starts_now else None,
            feedback_token=_feedback_token(definition),
        )
        records.insert_instance(task)
        if created is not None:
            created.append(task)
        if starts_now:
            record_event(
                actor=actor,
                order=order,
                type=OrderEventType.TASK_WAITING if waits_at_once else OrderEventType.TASK_STARTED,
                details=_task_details(task),
            )
        if not waits_at_once:
            work.append(WorkItem(str(task.pk), task.attempt))
    return work


def waits_for_a_person_at_once(handler, payload: dict) -> bool:
    """Whether a new task of `handler` waits for a person as soon as it is created: a manual
    task whose title and description hold no template (those are rendered by a worker, under
    the template budget, never inside a transition that holds the order's lock)."""
    if handler.kind != "manual":
        return False
    shown = (payload.get("title", ""), payload.get("description", ""))
    return not any(templating.has_template(text) for text in shown)


def _deadline(definition: dict, started_at):
    """When a task that started at `started_at` is overdue (None without a timeout)."""
    timeout = definition.get("timeoutDuration")
    return started_at + timedelta(milliseconds=timeout) if timeout else None


def _feedback_token(definition: dict) -> str | None:
    """The token a receiver answers with, for a task of a handler that takes feedback and is
    asked to wait for it."""
    if get_handler(definition["handlerKey"]).accepts_feedback and definition["payload"].get(
        "sendsFeedback"
    ):
        return secrets.token_urlsafe(32)
    return None


# --- transitions a worker makes --------------------------------------------------------------


def lock(task_id) -> tuple[Order, TaskRun] | None:
    """Lock a task's order, and read the task and its run under that lock.

    The order's row lock guards all of its flow runs and tasks: every transition takes it first
    (no deadlocks). On SQLite the transaction holds the database's write lock from its start, so
    the task read first is already current."""
    task = records.fetch_one(TaskRun, id=task_id)
    if task is None:
        return None
    order = records.fetch_one(Order, id=task.order_id, for_update=True)
    if connection.features.has_select_for_update:
        # Read again now that the order is locked: every change to an order's runs and tasks
        # is made under that lock, so these are current and stay so until the commit.
        task = records.fetch_one(TaskRun, id=task_id)
    task.run = records.fetch_one(FlowRun, id=task.run_id)
    task.order = order
    return order, task


def begin_task(task_id, attempt: int) -> TaskPlan | None:
    """Mark an automatic task running; None when the attempt is no longer current."""
    with transaction.atomic():
        locked = lock(task_id)
        if locked is None:
            return None
        order, task = locked
        if task.attempt != attempt or task.status not in (TaskStatus.PENDING, TaskStatus.RUNNING):
            return None
        plan = _begin(actor=_system(task), order=order, task=task)
        _hand_over(task)
        return plan


def _begin(*, actor, order, task) -> TaskPlan:
    if task.status == TaskStatus.PENDING:
        task.status = TaskStatus.RUNNING
        task.started_at = timezone.now()
        task.deadline_at = _deadline(task_definition(task), task.started_at)
        records.update_fields(task, "status", "started_at", "deadline_at", "continues_from")
        record_event(
            actor=actor,
            order=order,
            type=OrderEventType.TASK_STARTED,
            details=_task_details(task),
        )
    return task_plan(task)


def finish_task(task_id, attempt: int, *, result: dict, waits_for_feedback: bool) -> list:
    """An automatic task's handler succeeded: the task succeeds (or waits for feedback), and
    the tasks that follow are created, in one transaction. Returns the work to enqueue."""
    return finish_and_continue(
        task_id, attempt, result=result, waits_for_feedback=waits_for_feedback, inline=False
    ).work


def finish_and_continue(
    task_id,
    attempt: int,
    *,
    result: dict,
    waits_for_feedback: bool,
    inline: bool = True,
    shown: dict | None = None,
) -> Continuation:
    """`finish_task`, and with `inline` also begin the task's *inline successor* in the same
    transaction, so the calling workflow runs it at once: the first automatic task the
    transition created (of the task's `next` list, or of the stage it entered). A successor
    that waits 0 ms is finished right there, and the one after it begun instead. A manual
    task whose worker rendered its title and description (`shown`) waits for a person."""
    nothing = Continuation(applied=False)
    with transaction.atomic(), events_written_together():
        locked = lock(task_id)
        if locked is None:
            return nothing
        order, task = locked
        if task.attempt != attempt or task.status != TaskStatus.RUNNING:
            return nothing
        actor = _system(task)
        if waits_for_feedback:
            task.status = TaskStatus.WAITING
            task.result = result
            if shown is not None:
                task.title, task.description = shown["title"], shown["description"]
            records.update_fields(task, "status", "result", "title", "description")
            record_event(
                actor=actor,
                order=order,
                type=OrderEventType.TASK_WAITING,
                details=_task_details(task),
            )
            return Continuation(applied=True)
        created = []
        work = _succeed(
            actor=actor,
            order=order,
            task=task,
            result=result,
            event=OrderEventType.TASK_SUCCEEDED,
            created=created,
            inline=inline,
        )
        if not inline:
            return Continuation(applied=True, work=work)
        follow, others = _go_on(actor=actor, order=order, work=work, created=created)
    return Continuation(applied=True, work=others, next=follow)


def _go_on(*, actor, order, work, created) -> tuple[Successor | None, list[WorkItem]]:
    """Go on with the inline successor of a finished task: the first of the `work` its
    transition created, created running and `continues_from` that task. Successors that wait
    0 ms are finished at once. Returns (the successor to run, the other work)."""
    others = []
    while work:
        first, *rest = work
        others += rest
        successor = next(t for t in created if (str(t.pk), t.attempt) == first)
        plan = task_plan(successor)
        if plan.kind != "wait" or plan.duration_ms:
            _hand_over(successor)
            return Successor(first.task_id, first.attempt, plan), others
        created = []
        work = _succeed(
            actor=actor,
            order=order,
            task=successor,
            result={"waitedMs": 0},
            event=OrderEventType.TASK_SUCCEEDED,
            created=created,
            inline=True,
        )
    return None, others


# A worker's workflow thread begins a task, then runs its handler's step at once: the task it
# began is handed to that step, which need not read the task, its run and its order again.
_handed = threading.local()


def _hand_over(task: TaskRun) -> None:
    """Once the transaction commits, keep `task` (read under its order's lock, with its run
    and order) for this thread's next step: see `take_begun`."""
    transaction.on_commit(functools.partial(setattr, _handed, "task", task))


def take_begun(task_id, attempt: int) -> TaskRun | None:
    """The task this thread's last transition began, if it is the attempt asked for (once)."""
    task, _handed.task = getattr(_handed, "task", None), None
    if task is not None and str(task.pk) == str(task_id) and task.attempt == attempt:
        return task
    return None


def replay_plan(task_id, attempt: int) -> TaskPlan | None:
    """The plan of a task attempt whatever its status (a replayed workflow re-plans a task it
    already finished, so that it calls the same steps again); None for another attempt."""
    task = records.fetch_one(TaskRun, id=task_id)
    if task is None or task.attempt != attempt:
        return None
    task.run = records.fetch_one(FlowRun, id=task.run_id)
    return task_plan(task)


def resume_after(task_id, attempt: int) -> WorkItem | None:
    """For a replayed workflow: the inline successor its first execution went on to after
    finishing this task attempt, as (task id, attempt), or None (the task failed, was retried
    or skipped, waited for feedback, or nothing automatic followed it)."""
    task = records.fetch_one(TaskRun, id=task_id)
    if task is None or task.attempt != attempt or task.status != TaskStatus.SUCCEEDED:
        return None
    successor = records.fetch_one(TaskRun, run_id=task.run_id, continues_from=task.pk)
    return WorkItem(str(successor.pk), successor.attempt) if successor else None


def fail_task(task_id, attempt: int, *, error: str) -> None:
    """An automatic task failed after its retries (or for good), or could not begin: the
    order becomes Failure."""
    with transaction.atomic():
        locked = lock(task_id)
        if locked is None:
            return
        order, task = locked
        if task.attempt != attempt or task.status not in (TaskStatus.PENDING, TaskStatus.RUNNING):
            return
        _fail(
            actor=_system(task),
            order=order,
            task=task,
            error=error,
            event=OrderEventType.TASK_FAILED,
        )


def fail_task_at_last(task_id, attempt: int, *, error: str) -> None:
    """Fail an active task attempt when its ordinary transition cannot run (its order, run or
    flow version holds data the engine cannot read): plain updates of the task, its run and its
    order, and one history line, reading nothing but ids. So no task stays active silently."""
    now = timezone.now()
    active = TaskRun.objects.filter(pk=task_id, attempt=attempt, status__in=ACTIVE_STATUSES)
    with transaction.atomic():
        ids = active.values("order_id", "run_id", "organization_id").first()
        if ids is None:
            return
        # The order's lock first, as every transition takes it.
        locked = (
            Order.objects.select_for_update()
            .only("organization_id", "space_id", "status")
            .get(pk=ids["order_id"])
        )
        if not active.update(status=TaskStatus.FAILED, finished_at=now, error=error):
            return
        FlowRun.objects.filter(pk=ids["run_id"], status=FlowRunStatus.RUNNING).update(
            status=FlowRunStatus.FAILED
        )
        Order.objects.filter(pk=ids["order_id"]).update(
            status=OrderStatus.FAILURE, updated_at=now, finished_at=None
        )
        count_status_change(locked, previous=locked.status, status=OrderStatus.FAILURE)
        actor = Actor.system(organization_id=ids["organization_id"])
        # Plain columns only, for the webhooks' snapshot of the order.
        order = Order.objects.only("organization_id", "space_id", "name", "status")
        write_history(
            [
                OrderEvent(
                    order=order.get(pk=ids["order_id"]),
                    type=OrderEventType.TASK_FAILED,
                    details={"taskId": str(task_id), "attempt": attempt, "error": error},
                    **actor.event_fields(),
                )
            ]
        )


def mark_overdue_tasks(now=None) -> int:
    """Mark the active tasks past their deadline overdue; their orders become Unhealthy."""
    now = now or timezone.now()
    due = list(
        TaskRun.objects.filter(
            status__in=ACTIVE_STATUSES, is_overdue=False, deadline_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    marked = 0
    for task_id in due:
        try:
            marked += _mark_overdue(task_id)
        except (InterfaceError, OperationalError):
            raise  # the database is away: the next sweep tries again
        except Exception as error:  # one unreadable task must not keep the others from timing out
            logger.exception("cannot mark task %s overdue", task_id)
            attempt = TaskRun.objects.filter(pk=task_id).values_list("attempt", flat=True).first()
            fail_task_at_last(task_id, attempt, error=unexpected_error("marking it overdue", error))
    return marked


def _mark_overdue(task_id) -> int:
    with transaction.atomic():
        locked = lock(task_id)
        if locked is None:
            return 0
        order, task = locked
        if task.is_overdue or task.status not in ACTIVE_STATUSES:
            return 0
        task.is_overdue = True
        task.save(update_fields=["is_overdue"])
        actor = _system(task)
        record_event(
            actor=actor,
            order=order,
            type=OrderEventType.TASK_OVERDUE,
            details={**_task_details(task), "deadlineAt": task.deadline_at.isoformat()},
        )
        _refresh_order_status(actor=actor, order=order, run=task.run)
        return 1


def unexpected_error(doing: str, error: BaseException) -> str:
    """The message a task fails with when the engine itself failed while `doing` something."""
    return f"The flow engine failed while {doing}: {type(error).__name__}: {error}"


def pending_work(older_than_seconds: float, limit: int = 1000) -> list[WorkItem]:
    """Automatic tasks still pending after a while: their enqueue may have been lost.

    A running task always has a workflow (it is begun by one), which DBOS recovers."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    rows = TaskRun.objects.filter(status=TaskStatus.PENDING, created_at__lte=cutoff).values_list(
        "pk", "attempt"
    )[:limit]
    return [WorkItem(str(pk), attempt) for pk, attempt in rows]


# --- operator actions (the services lock the task and call these) ----------------------------


def confirm(*, actor: Actor, task: TaskRun, comment: str) -> TaskRun:
    _require_manual_waiting(task, "confirmed")
    work = _succeed(
        actor=actor,
        order=task.order,
        task=task,
        result={"comment": comment} if comment else {},
        event=OrderEventType.TASK_CONFIRMED,
        details={"comment": comment} if comment else {},
    )
    enqueue_after_commit(work)
    return task


def reject(*, actor: Actor, task: TaskRun, reason: str) -> TaskRun:
    _require_manual_waiting(task, "rejected")
    _fail(
        actor=actor, order=task.order, task=task, error=reason, event=OrderEventType.TASK_REJECTED
    )
    return task


def retry(*, actor: Actor, task: TaskRun) -> TaskRun:
    _require_current_run(task)
    if not _is_failed_or_overdue(task):
        raise Conflict(
            f"Only a failed or overdue task can be retried; this one is {task.get_status_display().lower()}"
        )
    now = timezone.now()
    definition = task_definition(task)
    waits_at_once = waits_for_a_person_at_once(get_handler(task.handler_key), definition["payload"])
    task.attempt += 1
    task.status = TaskStatus.WAITING if waits_at_once else TaskStatus.PENDING
    task.started_at = now if waits_at_once else None
    task.finished_at = None
    task.deadline_at = _deadline(definition, now) if waits_at_once else None
    task.is_overdue = False
    task.error = ""
    task.result = {}
    task.feedback_token = _feedback_token(definition)
    task.save()
    order = task.order
    record_event(
        actor=actor, order=order, type=OrderEventType.TASK_RETRIED, details=_task_details(task)
    )
    run = task.run
    _reopen_run_if_clear(run)
    _refresh_order_status(actor=actor, order=order, run=run)
    if not waits_at_once:
        enqueue_after_commit([WorkItem(str(task.pk), task.attempt)])
    return task


def skip(*, actor: Actor, task: TaskRun) -> TaskRun:
    _require_current_run(task)
    if not _is_failed_or_overdue(task):
        raise Conflict(
            f"Only a failed or overdue task can be skipped; this one is {task.get_status_display().lower()}"
        )
    now = timezone.now()
    task.status = TaskStatus.SKIPPED
    task.finished_at = now
    task.save(update_fields=["status", "finished_at"])
    order = task.order
    record_event(
        actor=actor, order=order, type=OrderEventType.TASK_SKIPPED, details=_task_details(task)
    )
    _reopen_run_if_clear(task.run)
    work = _advance(actor=actor, order=order, task=task, now=now)
    enqueue_after_commit(work)
    return task


def feedback(*, actor: Actor, task: TaskRun, is_success: bool, message: str, data: dict) -> TaskRun:
    if not get_handler(task.handler_key).accepts_feedback or task.status != TaskStatus.WAITING:
        raise Conflict(
            f"This task does not wait for feedback; it is {task.get_status_display().lower()}"
        )
    if is_success:
        result = {**task.result, "feedback": {"message": message, "data": data}}
        work = _succeed(
            actor=actor,
            order=task.order,
            task=task,
            result=result,
            event=OrderEventType.TASK_SUCCEEDED,
            details={"feedback": message} if message else {},
        )
        enqueue_after_commit(work)
    else:
        task.result = {**task.result, "feedback": {"message": message, "data": data}}
        _fail(
            actor=actor,
            order=task.order,
            task=task,
            error=message or "The receiver reported a failure",
            event=OrderEventType.TASK_FAILED,
        )
    return task


# --- shared steps of the transitions ---------------------------------------------------------


def _succeed(
    *, actor, order, task, result, event, details=None, created=None, inline=False
) -> list:
    now = timezone.now()
    task.status = TaskStatus.SUCCEEDED
    task.finished_at = now
    task.result = result
    records.update_fields(task, "status", "finished_at", "result")
    record_event(
        actor=actor, order=order, type=event, details={**_task_details(task), **(details or {})}
    )
    return _advance(actor=actor, order=order, task=task, now=now, created=created, inline=inline)


def _advance(*, actor, order, task, now, created=None, inline=False) -> list:
    """Start the `next` tasks of `task`; when its stage is done, enter the next stage or finish.
    With `inline`, the first new automatic task is created running, `task`'s workflow going on
    into it."""
    # `lock` locked the run with the task (on PostgreSQL FOR UPDATE covers the joined row).
    run = task.run
    definition = task_definition(task)
    created = [] if created is None else created
    work = _create_tasks(
        actor=actor,
        order=order,
        run=run,
        index=task.stage_index,
        tasks=definition["next"],
        parent=task.task_key,
        now=now,
        created=created,
        inline_from=task.pk if inline else None,
    )
    # A stage that just got a new task is not done.
    if not created and run.status == FlowRunStatus.RUNNING and run.stage_index == task.stage_index:
        stage = _definition(run.flow_version_id)[run.stage_index]
        expected = {t["key"] for t, _parent in iter_tasks(stage["tasks"])}
        done = {
            done.task_key
            for done in records.fetch(
                TaskRun, run_id=run.pk, stage_index=run.stage_index, status=DONE_STATUSES
            )
        }
        if expected <= done:
            _take_off_tags(order, run)
            if run.stage_index + 1 < len(_definition(run.flow_version_id)):
                work += _enter_stage(
                    actor=actor,
                    order=order,
                    run=run,
                    index=run.stage_index + 1,
                    now=now,
                    created=created,
                    inline_from=task.pk if inline else None,
                )
            else:
                run.status = FlowRunStatus.SUCCEEDED
                run.finished_at = now
                records.update_fields(run, "status", "finished_at", "added_tags")
                record_event(
                    actor=actor,
                    order=order,
                    type=OrderEventType.FLOW_FINISHED,
                    details={"runId": str(run.pk), "status": run.status},
                )
    # Finishing a task marks no task overdue: an order In progress stays so while its run goes.
    _refresh_order_status(
        actor=actor, order=order, run=run, check_overdue=order.status != OrderStatus.IN_PROGRESS
    )
    return work


def _fail(*, actor, order, task, error, event) -> None:
    now = timezone.now()
    task.status = TaskStatus.FAILED
    task.finished_at = now
    task.error = error
    records.update_fields(task, "status", "finished_at", "error", "result")
    record_event(
        actor=actor, order=order, type=event, details={**_task_details(task), "error": error}
    )
    run = records.fetch_one(FlowRun, id=task.run_id, for_update=True)
    if run.status == FlowRunStatus.RUNNING:
        run.status = FlowRunStatus.FAILED
        records.update_fields(run, "status")
    _refresh_order_status(actor=actor, order=order, run=run)


def _reopen_run_if_clear(run: FlowRun) -> None:
    run.refresh_from_db()
    if (
        run.status == FlowRunStatus.FAILED
        and not run.tasks.filter(status=TaskStatus.FAILED).exists()
    ):
        run.status = FlowRunStatus.RUNNING
        run.save(update_fields=["status"])


def _take_off_tags(order: Order, run: FlowRun) -> None:
    if run.added_tags:
        order.tags = [tag for tag in order.tags if tag not in run.added_tags]
        order.updated_at = timezone.now()
        records.update_fields(order, "tags", "updated_at")
        run.added_tags = []


def _refresh_order_status(*, actor, order, run, check_overdue=True) -> None:
    """Order status follows from its run: Failure, Success, Unhealthy or In progress."""
    if run.status == FlowRunStatus.FAILED:
        status = OrderStatus.FAILURE
    elif run.status == FlowRunStatus.SUCCEEDED:
        status = OrderStatus.SUCCESS
    elif not check_overdue:
        status = OrderStatus.IN_PROGRESS
    elif records.exists(TaskRun, run_id=run.pk, status=ACTIVE_STATUSES, is_overdue=True):
        status = OrderStatus.UNHEALTHY
    else:
        status = OrderStatus.IN_PROGRESS
    if status != order.status:
        previous = order.status
        order.status = status
        order.updated_at = timezone.now()
        order.finished_at = order.updated_at if status == OrderStatus.SUCCESS else None
        records.update_fields(order, "status", "updated_at", "finished_at")
        count_status_change(order, previous=previous, status=status)
        record_event(
            actor=actor,
            order=order,
            type=OrderEventType.STATUS_CHANGED,
            details={"from": previous, "to": status},
        )


def _require_manual_waiting(task: TaskRun, verb: str) -> None:
    _require_current_run(task)
    if get_handler(task.handler_key).kind != "manual":
        raise Conflict(f"Only a manual task can be {verb}; this one runs automatically")
    if task.status != TaskStatus.WAITING:
        raise Conflict(
            f"Only a waiting task can be {verb}; this one is {task.get_status_display().lower()}"
        )


def _require_current_run(task: TaskRun) -> None:
    if task.run.status in (FlowRunStatus.CANCELLED,):
        raise Conflict("This task belongs to a flow run that was replaced")


def _is_failed_or_overdue(task: TaskRun) -> bool:
    return task.status == TaskStatus.FAILED or (task.is_overdue and task.status in ACTIVE_STATUSES)


def _task_details(task: TaskRun) -> dict:
    return {
        "taskId": str(task.pk),
        "taskKey": task.task_key,
        "stageKey": task.stage_key,
        "handlerKey": task.handler_key,
        "title": task.title,
        "attempt": task.attempt,
    }


def _system(task: TaskRun) -> Actor:
    return Actor.system(organization_id=task.organization_id)


# --- handing work to the workers --------------------------------------------------------------


def enqueue_after_commit(work: list[WorkItem], *, new_run: bool = False) -> None:
    """Enqueue the DBOS workflows of `work` once the transaction commits.

    If the process dies before that, the workers' sweep finds the pending tasks and enqueues
    them (workflow ids are deterministic, so enqueuing twice runs a task once).
    """
    if not work:
        return
    from fabflow.flows import worker

    transaction.on_commit(
        functools.partial(worker.enqueue, list(work), new_run=new_run), robust=True
    )
