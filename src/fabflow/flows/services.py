"""Flows and their versions, starting a flow on an order, and the operator's task actions.

Every function runs in one transaction and writes an OrderEvent for each change of an order;
work for the engine's workers is enqueued only once that transaction has committed.
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from fabflow import records
from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace
from fabflow.audit import trail as audit
from fabflow.audit.models import Action
from fabflow.bounds import check_text
from fabflow.errors import Conflict, InvalidInput, NotFound
from fabflow.flows import engine
from fabflow.flows.error_codes import FlowErrorCode
from fabflow.flows.models import (
    FLOW_NAME_MIN_LENGTH,
    FlowRun,
    FlowRunStatus,
    FlowVersion,
    OrderFlow,
    TaskRun,
    TaskStatus,
)
from fabflow.flows.schema import readable_definition, validate_definition
from fabflow.limits import MAX_REASON_LENGTH
from fabflow.orders.models import Order
from fabflow.orders.services import CreatedOrder, create_order, resolve_space

MAX_FLOW_NAME_LENGTH = 200


def create_flow(*, actor: Actor, space: ProductSpace, name: str, definition) -> OrderFlow:
    """Create a flow in `space` with its first version; the key is the slugified name."""
    name = (name or "").strip()
    if len(name) < FLOW_NAME_MIN_LENGTH:
        raise InvalidInput(
            f"A flow name has at least {FLOW_NAME_MIN_LENGTH} characters", field=("name",)
        )
    if len(name) > MAX_FLOW_NAME_LENGTH:
        raise InvalidInput(
            f"A flow name has at most {MAX_FLOW_NAME_LENGTH} characters", field=("name",)
        )
    key = slugify(name)[:100].strip("-")
    if not key:
        raise InvalidInput("The name needs letters or digits to make a key", field=("name",))
    if not actor.spaces().filter(pk=space.pk).exists():
        raise NotFound("No such product space", field=("space_key",))
    normalised = validate_definition(definition)
    try:
        with transaction.atomic():
            if OrderFlow.objects.filter(space=space, key=key).exists():
                raise Conflict(
                    f"A flow with the key {key!r} already exists in this space",
                    code=FlowErrorCode.DUPLICATE_KEY,
                    field=("name",),
                )
            now = timezone.now()
            flow = OrderFlow.objects.create(
                organization_id=space.organization_id,
                space=space,
                key=key,
                name=name,
                created_at=now,
                updated_at=now,
            )
            FlowVersion.objects.create(
                flow=flow, number=1, definition=normalised, created_by=actor.user, created_at=now
            )
            audit.record(
                actor=actor,
                action=Action.FLOW_CREATED,
                obj=flow,
                after={"key": key, "name": name, "space": space.key, "version": 1},
            )
    except IntegrityError:
        raise Conflict(
            f"A flow with the key {key!r} already exists in this space",
            code=FlowErrorCode.DUPLICATE_KEY,
            field=("name",),
        ) from None
    return flow


def save_flow_version(
    *, actor: Actor, flow_key: str, space_key: str | None = None, definition
) -> FlowVersion:
    """Save a new version of a flow's definition; orders already running keep theirs."""
    normalised = validate_definition(definition)
    with transaction.atomic():
        flow = _find_flow(actor=actor, flow_key=flow_key, space_key=space_key, for_update=True)
        latest = flow.versions.order_by("-number").first()
        number = (latest.number if latest else 0) + 1
        now = timezone.now()
        version = FlowVersion.objects.create(
            flow=flow, number=number, definition=normalised, created_by=actor.user, created_at=now
        )
        flow.updated_at = now
        flow.save(update_fields=["updated_at"])
        audit.record(
            actor=actor,
            action=Action.FLOW_VERSION_SAVED,
            obj=flow,
            before={"version": number - 1, "definition": latest.definition if latest else None},
            after={"version": number, "definition": normalised},
        )
    return version


def get_flow(*, actor: Actor, flow_key: str, space_key: str | None = None) -> OrderFlow:
    """A flow the actor may see, by key (and space when the actor sees several)."""
    return _find_flow(actor=actor, flow_key=flow_key, space_key=space_key)


def list_flows(*, actor: Actor) -> QuerySet:
    """The flows the actor may see, with their space."""
    return actor.restrict(OrderFlow.objects.select_related("space")).order_by("space__key", "key")


def start_flow(*, actor: Actor, order_id, flow_key: str) -> FlowRun:
    """Start the latest version of a flow on an order; refused while a run is active."""
    with transaction.atomic():
        order = records.fetch_one(Order, for_update=True, id=order_id, **actor.visible(Order))
        if order is None:
            raise NotFound("No such order")
        version = latest_version(space_id=order.space_id, flow_key=flow_key)
        status = order.status
        run = engine.start_run(actor=actor, order=order, version=version)
        audit.record(
            actor=actor,
            action=Action.FLOW_STARTED,
            obj=order,
            before={"status": status},
            after={"status": order.status, "flow": flow_key, "version": version.number},
        )
        return run


def latest_version(*, space_id, flow_key: str) -> FlowVersion:
    """The version a run of the flow `flow_key` in a space starts with: the flow's latest.

    Read by prepared statements: creating an order with its flow calls this on every create.
    """
    flow = records.fetch_one(OrderFlow, space_id=space_id, key=flow_key)
    if flow is None:
        raise NotFound(
            f"No flow {flow_key!r} in the order's product space",
            code=FlowErrorCode.FLOW_NOT_FOUND,
            field=("flow_key",),
        )
    version = flow.latest_version()
    if version is None:
        raise NotFound(
            f"The flow {flow_key!r} has no version",
            code=FlowErrorCode.NO_VERSION,
            field=("flow_key",),
        )
    if readable_definition(version.definition) is None:
        raise Conflict(
            f"The flow {flow_key!r} cannot run: its stored definition is beyond the bounds of a "
            "flow; save it again",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=("flow_key",),
        )
    return version


def submit_order(
    *, actor: Actor, space_key: str | None, flow_key: str = "", **order
) -> CreatedOrder:
    """Create an order in the actor's (or the named) space and start its flow, in one transaction.

    The order's arguments are those of `orders.services.create_order`.
    """
    space = resolve_space(actor=actor, space_key=space_key)
    if not flow_key:
        return create_order(actor=actor, space=space, **order)
    # Looked up before the transaction: an unknown flow is refused without a write, and the
    # write lock is held for the writes alone.
    version = latest_version(space_id=space.pk, flow_key=flow_key)
    return create_order(
        actor=actor,
        space=space,
        flow_key=flow_key,
        in_transaction=lambda new: engine.start_run(actor=actor, order=new, version=version),
        **order,
    )


def list_tasks(*, actor: Actor, order_id) -> QuerySet:
    """The task runs of an order's latest flow run, in flow order."""
    order = actor.restrict(Order.objects.all()).filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order")
    run = order.flow_runs.order_by("-started_at").first()
    if run is None:
        return TaskRun.objects.none()
    return TaskRun.objects.filter(run=run).order_by("stage_index", "created_at", "task_key")


def engine_at_work(*, actor: Actor, order_id) -> bool:
    """Whether the engine is working on the order: a task of its running flow run is pending or
    running (a waiting task changes only by a person's hand or a connector's feedback).

    A page that refreshes itself while this holds asks it before it reads what it shows, so
    that a page that stops refreshing shows at least all the engine had done by then."""
    tasks = TaskRun.objects.filter(
        order_id=order_id,
        run__status=FlowRunStatus.RUNNING,
        status__in=(TaskStatus.PENDING, TaskStatus.RUNNING),
    )
    return actor.restrict(tasks).exists()


def get_task(*, actor: Actor, task_id) -> TaskRun:
    """A task run the actor may see."""
    task = actor.restrict(TaskRun.objects.all()).filter(pk=task_id).first()
    if task is None:
        raise NotFound("No such task")
    return task


def confirm_task(*, actor: Actor, task_id, comment: str = "") -> TaskRun:
    """Confirm a waiting manual task; the flow moves on."""
    comment = operator_text(comment, field="comment")
    return _act_on_task(
        actor=actor,
        task_id=task_id,
        action=Action.TASK_CONFIRMED,
        perform=engine.confirm,
        comment=comment,
    )


def reject_task(*, actor: Actor, task_id, reason: str) -> TaskRun:
    """Reject a waiting manual task: it fails with the reason and the order becomes Failure."""
    reason = operator_text(reason, field="reason")
    if not reason:
        raise InvalidInput(
            "Give a reason for rejecting the task",
            code=FlowErrorCode.REASON_REQUIRED,
            field=("reason",),
        )
    return _act_on_task(
        actor=actor,
        task_id=task_id,
        action=Action.TASK_REJECTED,
        perform=engine.reject,
        reason=reason,
    )


def operator_text(text: str, *, field: str) -> str:
    """An operator's comment or reason, stripped; refused, not cut, when it cannot be stored
    or is longer than MAX_REASON_LENGTH, so the API and the order page answer alike."""
    text = (text or "").strip()
    check_text(text, field=(field,))
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(f"A {field} has at most {MAX_REASON_LENGTH} characters", field=(field,))
    return text


def retry_task(*, actor: Actor, task_id) -> TaskRun:
    """Run a failed or overdue task again, as a new attempt."""
    return _act_on_task(
        actor=actor, task_id=task_id, action=Action.TASK_RETRIED, perform=engine.retry
    )


def skip_task(*, actor: Actor, task_id) -> TaskRun:
    """Let the flow move on without a failed or overdue task."""
    return _act_on_task(
        actor=actor, task_id=task_id, action=Action.TASK_SKIPPED, perform=engine.skip
    )


def _act_on_task(*, actor: Actor, task_id, action: Action, perform, **said) -> TaskRun:
    """Lock a task, `perform` an operator's action on it, and record it in the audit trail as a
    change of its order: the task's and the order's status before and after, and what was said."""
    with transaction.atomic():
        task = _lock_task(actor=actor, task_id=task_id)
        order, task_field = task.order, f"task {task.task_key}"
        before = {task_field: task.status, "status": order.status}
        done = perform(actor=actor, task=task, **said)
        after = {task_field: done.status, "status": order.status, **said}
        audit.record(actor=actor, action=action, obj=order, before=before, after=after)
        return done


def receive_feedback(*, token: str, status: str, message: str = "", data=None) -> TaskRun:
    """A connector reports the outcome of a task that waits for its feedback."""
    if status not in {"success", "failure"}:
        raise InvalidInput(
            "status is 'success' or 'failure'",
            code=FlowErrorCode.INVALID_FEEDBACK,
            field=("status",),
        )
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("data must be an object", field=("data",))
    message = (message or "").strip()[:MAX_REASON_LENGTH]
    with transaction.atomic():
        task_id = (
            TaskRun.objects.filter(feedback_token=token).values_list("pk", flat=True).first()
            if token
            else None
        )
        locked = engine.lock(task_id) if task_id else None
        if locked is None:
            raise NotFound("No task waits for this feedback")
        task = locked[1]
        actor = Actor.system(organization_id=task.organization_id)
        return engine.feedback(
            actor=actor, task=task, is_success=status == "success", message=message, data=data or {}
        )


def _find_flow(*, actor: Actor, flow_key: str, space_key: str | None, for_update=False):
    flows = actor.restrict(OrderFlow.objects.select_related("space")).filter(key=flow_key)
    if space_key:
        flows = flows.filter(space__key=space_key)
    if for_update:
        flows = flows.select_for_update(of=("self",))
    found = list(flows[:2])
    if not found:
        raise NotFound(f"No flow {flow_key!r}")
    if len(found) > 1:
        raise InvalidInput(
            "Several product spaces have a flow with this key; name the space (spaceKey)",
            code=FlowErrorCode.AMBIGUOUS_FLOW_KEY,
            field=("space_key",),
        )
    return found[0]


def _lock_task(*, actor: Actor, task_id) -> TaskRun:
    visible = actor.restrict(TaskRun.objects.all()).filter(pk=task_id).exists()
    locked = engine.lock(task_id) if visible else None
    if locked is None:
        raise NotFound("No such task")
    return locked[1]
