"""A flow's dry run: what the flow would do on an order, without doing any of it.

The plan follows the engine's rules (`fabflow.flows.engine`): stages one after another, a
stage's tasks all starting with it, a task's `next` tasks when it succeeds, a timeout counted
from the task's start. Each task's payload is rendered as a worker renders it
(`templating.render_payload`) and validated by its handler's payload model; the handler then
says what the task would do through its `describe` function (`registry.PlanContext`): the
e-mail it would send, the request it would make, the files it would generate or export, whether
it waits for a person or for feedback. Nothing is sent, written or called.

Every payload of the flow is rendered within one render budget (the time and output a worker
gives one task's payload), so a dry run costs at most what one task costs a worker; the tasks
past a spent budget say so. The answer keeps to MAX_ANSWER_BYTES: past it, the tasks' effects
are left out, each saying why.
"""

import json
import logging
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone
from pydantic import ValidationError

from fabflow.accounts.actors import Actor
from fabflow.errors import Conflict, InvalidInput
from fabflow.flows import services as flow_services
from fabflow.flows import templating
from fabflow.flows.error_codes import FlowErrorCode
from fabflow.flows.registry import PlanContext, get_handler
from fabflow.flows.schema import readable_definition, validate_definition
from fabflow.ids import uuid7
from fabflow.limits import MAX_PAGE_BYTES, MAX_UPLOADS_PER_ORDER
from fabflow.orders import services as order_services
from fabflow.orders.models import Asset, AssetKind, Order, OrderStatus, Part, Product

logger = logging.getLogger(__name__)

# An answer of the API stays within what a page of a list may hold.
MAX_ANSWER_BYTES = MAX_PAGE_BYTES
DURATION_UNITS = (("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000), ("second", 1000))
BUDGET_SPENT = (
    "Not rendered: the dry run's templates have spent their budget (the time and output a "
    "worker gives one task); try the tasks past this one in a shorter draft"
)
ANSWER_FULL = "Effects left out: the dry run's answer keeps to 2 MiB"
NO_DESCRIPTION = "The handler {key!r} does not describe what it would do in a dry run"


@dataclass(frozen=True)
class SampleOrder:
    """An order as `POST /orders` takes it, to dry-run a flow on without storing it."""

    name: str
    products: list[order_services.ProductInput]
    value: object = None
    deadline: object = None
    tags: list | None = None
    data: dict | None = None
    addresses: list | None = None


def dry_run_flow(
    *,
    actor: Actor,
    flow_key: str,
    space_key: str | None = None,
    definition=None,
    order_id=None,
    sample_order: SampleOrder | None = None,
) -> dict:
    """What `definition` (a draft; the flow's latest version when None) would do on the order
    `order_id`, or on `sample_order` validated as order creation validates it; writes nothing."""
    flow = flow_services.get_flow(actor=actor, flow_key=flow_key, space_key=space_key)
    if (order_id is None) == (sample_order is None):
        raise InvalidInput(
            "Give either orderId or order, the sample to run the flow on",
            code=FlowErrorCode.SAMPLE_CHOICE,
        )
    stages, version = _definition(flow, definition)
    if sample_order is not None:
        order, files = None, []
        document = templating.document_of(*_sample(flow, sample_order))
    else:
        order = _stored_order(actor, flow, order_id)
        document, files = _readable_document(order), _production_files(order)
    planner = _Planner(
        flow=flow,
        version=SimpleNamespace(flow=flow, number=version),
        order=order,
        document=document,
        files=files,
    )
    return {
        "flowKey": flow.key,
        "version": version,
        "isDraft": definition is not None,
        "order": document,
        "stages": [planner.stage(index, stage) for index, stage in enumerate(stages)],
        "errors": planner.errors,
    }


def _definition(flow, draft) -> tuple[list, int]:
    """The stages to plan (a draft checked as saving checks it) and the version they would be."""
    latest = flow.latest_version()
    number = latest.number if latest else 0
    if draft is not None:
        return validate_definition(draft), number + 1
    stored = readable_definition(latest.definition) if latest else None
    if stored is None:
        raise Conflict(
            f"The flow {flow.key!r} has no definition that can run; save one, or send a draft",
            field=("definition",),
        )
    try:
        # Checked again: a handler it names may have been uninstalled since it was saved.
        return validate_definition(stored), number
    except InvalidInput as error:
        raise Conflict(
            f"The flow {flow.key!r} as saved no longer passes the checks ({error.message}); "
            "save it again, or send a draft",
            field=("definition",),
        ) from None


def _stored_order(actor: Actor, flow, order_id) -> Order:
    order = order_services.get_order(actor=actor, order_id=order_id)
    if order.space_id != flow.space_id:
        raise InvalidInput(
            "The order is in another product space than the flow; it cannot run it",
            field=("order_id",),
        )
    return order


def _readable_document(order: Order) -> dict:
    try:
        return templating.order_document(order)
    except templating.UnreadableData as error:
        raise Conflict(f"No flow can run on this order: {error}", field=("order_id",)) from None


def _production_files(order: Order) -> list[str]:
    """The names of the order's production files, in the order an e-mail attaches them."""
    assets = Asset.objects.filter(
        Q(order=order) | Q(product__order=order) | Q(part__order=order), kind=AssetKind.PRODUCTION
    ).order_by("created_at")
    return list(assets.values_list("filename", flat=True)[:MAX_UPLOADS_PER_ORDER])


def _sample(flow, sample: SampleOrder) -> tuple[Order, list[Product], dict]:
    """The sample as the order creation would build it, checked by the same rules, with its
    products and their parts by product id; never saved."""
    try:
        tags = order_services.validate_new_order(
            name=sample.name,
            products=sample.products,
            value=sample.value,
            tags=sample.tags,
            data=sample.data,
            addresses=sample.addresses,
        )
    except InvalidInput as error:
        # Order creation's paths are of an order; here the order is the sample, `order`.
        raise InvalidInput(error.message, code=error.code, field=("order", *error.field)) from None
    now = timezone.now()
    value = sample.value
    if value is None:
        value = sum(product.unit_value * product.units for product in sample.products)
    order = Order(
        id=uuid7(),
        organization_id=flow.organization_id,
        space=flow.space,
        name=sample.name.strip(),
        status=OrderStatus.CREATED,
        value=value,
        deadline=sample.deadline,
        flow_key=flow.key,
        tags=tags,
        data=sample.data or {},
        addresses=sample.addresses or [],
        created_at=now,
        updated_at=now,
    )
    products, parts_by_product = [], {}
    for position, item in enumerate(sample.products):
        product = Product(
            id=uuid7(),
            order_id=order.pk,
            position=position,
            name=item.name.strip(),
            units=item.units,
            unit_value=item.unit_value,
            deadline=item.deadline,
            configuration=item.configuration,
            data=item.data,
            created_at=now,
        )
        products.append(product)
        parts_by_product[product.pk] = [
            Part(
                id=uuid7(),
                product_id=product.pk,
                order_id=order.pk,
                position=part_position,
                name=part.name.strip(),
                data=part.data,
                created_at=now,
            )
            for part_position, part in enumerate(item.parts)
        ]
    return order, products, parts_by_product


class _Planner:
    """Plans the tasks of one dry run, within one render budget and the answer's bound."""

    def __init__(self, *, flow, version, order, document: dict, files: list[str]):
        self.flow = flow
        self.version = version
        self.order = order
        self.document = document
        self.files = files
        self.budget = templating.RenderBudget()
        self.answer_left = MAX_ANSWER_BYTES - len(json.dumps(document, default=str))
        self.errors: list[dict] = []

    def stage(self, index: int, stage: dict) -> dict:
        path = f"stages[{index}]"
        tasks = []
        for task, parent, task_path in _tasks(stage["tasks"], f"{path}.tasks"):
            tasks.append(self.task(stage, task, parent, task_path))
        return {
            "key": stage["key"],
            "name": stage["name"],
            "tags": stage["tags"],
            "path": path,
            "tasks": tasks,
        }

    def task(self, stage: dict, task: dict, parent: str, path: str) -> dict:
        handler = get_handler(task["handlerKey"])
        timeout = task.get("timeoutDuration")
        planned = {
            "key": task["key"],
            "handlerKey": handler.key,
            "kind": handler.kind,
            "path": path,
            "startsAfter": parent or None,
            "title": task["key"],
            "tags": [],
            "retries": task["retries"] if handler.kind == "automatic" else 0,
            "timeoutMs": timeout,
            "timeout": f"{duration_text(timeout)} after the task starts" if timeout else None,
            "waitsFor": None,
            "effects": {},
            "problems": [],
            "error": None,
        }
        described = self._describe(handler, stage, task, path, planned)
        if described is not None:
            planned["waitsFor"] = described.pop("waitsFor", None)
            planned["problems"] = described.pop("problems", [])
            self._keep_effects(planned, described)
        return planned

    def _describe(self, handler, stage: dict, task: dict, path: str, planned: dict):
        """The handler's description of the task, or None with the task's error set."""
        payload = task["payload"]
        has_templates = templating.has_template(json.dumps(payload))
        if has_templates and self.budget.is_spent():
            return self._fail(planned, f"{path}.payload", None, BUDGET_SPENT)
        variables = self._variables(stage, task)
        try:
            rendered = templating.render_payload(payload, variables, self.budget)
        except templating.TemplateFailure as failure:
            return self._fail(
                planned, _json_path(f"{path}.payload", failure.path), failure.line, failure.message
            )
        try:
            model = handler.payload_model.model_validate(rendered)
        except ValidationError as error:
            first = error.errors()[0]
            message = f"The rendered payload is not valid: {first['msg']}"
            return self._fail(planned, _json_path(f"{path}.payload", first["loc"]), None, message)
        if handler.kind == "manual":
            planned["title"], planned["tags"] = model.title, list(model.tags)
        if handler.describe is None:
            return {"problems": [NO_DESCRIPTION.format(key=handler.key)]}
        context = PlanContext(
            payload=model,
            variables=variables,
            space=self.flow.space,
            order=self.order,
            production_files=self.files,
        )
        try:
            return dict(handler.describe(context))
        except Exception as error:  # a plugin's bug shows on its task, not as a failed dry run
            logger.exception("handler %s failed to describe task %s", handler.key, task["key"])
            return {"problems": [f"The handler could not describe the task: {error}"]}

    def _variables(self, stage: dict, task: dict) -> dict:
        planned_task = SimpleNamespace(
            pk="(task id)",
            task_key=task["key"],
            stage_key=stage["key"],
            handler_key=task["handlerKey"],
            attempt=1,
        )
        return templating.task_variables(
            order_doc=self.document, task=planned_task, flow_version=self.version
        )

    def _fail(self, planned: dict, path: str, line: int | None, message: str) -> None:
        planned["error"] = {"path": path, "line": line, "message": message}
        self.errors.append({"taskKey": planned["key"], **planned["error"]})
        return None

    def _keep_effects(self, planned: dict, effects: dict) -> None:
        size = len(json.dumps(effects, default=str))
        if size > self.answer_left:
            planned["problems"].append(ANSWER_FULL)
            self.answer_left = 0
            return
        self.answer_left -= size
        planned["effects"] = effects


def _tasks(tasks: list[dict], path: str, parent: str = ""):
    """Every task with its parent's key and its JSON path, `next` chains included, depth first."""
    for index, task in enumerate(tasks):
        task_path = f"{path}[{index}]"
        yield task, parent, task_path
        yield from _tasks(task.get("next", []), f"{task_path}.next", task["key"])


def _json_path(root: str, parts) -> str:
    """`root` followed by `parts` in JSON path notation: `.name` for keys, `[0]` for indexes."""
    path = root
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def duration_text(milliseconds: int) -> str:
    """A duration in words: "1 day 2 hours", "90 seconds" reads "1 minute 30 seconds"."""
    words = []
    left = milliseconds
    for name, size in DURATION_UNITS:
        count, left = divmod(left, size)
        if count:
            words.append(f"{count} {name}{'' if count == 1 else 's'}")
    if left or not words:
        words.append(f"{left} ms")
    return " ".join(words)
