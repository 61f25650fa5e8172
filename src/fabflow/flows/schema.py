"""The flow definition format: its JSON Schema, and validation against it and the handlers.

A definition is a list of stages; each stage holds tasks; each task may hold `next` tasks that
start when it succeeds. `validate_definition` returns the definition normalised (defaults
filled in, payloads in their canonical form, templates compiled) or raises InvalidInput pointing
at the first fault, e.g. ("body", "definition", 0, "tasks", 1, "payload", "subject"). Its bounds
(`fabflow.limits`) are checked first, by a loop that no shape of JSON can overflow.
"""

import json
import re

from pydantic import ValidationError

from fabflow import limits
from fabflow.accounts.services import normalize_tags
from fabflow.errors import InvalidInput
from fabflow.flows import templating
from fabflow.flows.error_codes import FlowErrorCode
from fabflow.flows.registry import available_handlers, get_handler

DEFINITION = ("definition",)
KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,99}$"
DEFAULT_RETRIES = 3
MAX_RETRIES = 20
MAX_TIMEOUT_MS = 366 * 24 * 3600 * 1000
MAX_STAGES = limits.MAX_FLOW_STAGES
MAX_TASKS = limits.MAX_FLOW_TASKS


def flow_json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a flow definition, with every handler's payload."""
    handlers = available_handlers()
    payload_defs = {}
    conditions = []
    for handler in handlers:
        schema = handler.payload_model.model_json_schema(
            by_alias=True, ref_template="#/$defs/{model}"
        )
        nested = schema.pop("$defs", {})
        payload_defs.update(nested)
        name = f"payload:{handler.key}"
        payload_defs[name] = schema
        conditions.append(
            {
                "if": {
                    "properties": {"handlerKey": {"const": handler.key}},
                    "required": ["handlerKey"],
                },
                "then": {"properties": {"payload": {"$ref": f"#/$defs/{name}"}}},
            }
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "flow.json",
        "title": "Fabflow order-flow definition",
        "description": "A list of stages run one after another; each stage's tasks run in parallel.",
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_STAGES,
        "items": {"$ref": "#/$defs/stage"},
        "$defs": {
            "key": {"type": "string", "pattern": KEY_PATTERN},
            "stage": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "tasks"],
                "properties": {
                    "key": {"$ref": "#/$defs/key"},
                    "name": {"type": "string", "maxLength": 200},
                    "tags": {"type": "array", "items": {"type": "string", "maxLength": 50}},
                    "tasks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/task"}},
                },
            },
            "task": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "handlerKey", "payload"],
                "properties": {
                    "key": {"$ref": "#/$defs/key"},
                    "handlerKey": {"type": "string", "enum": [h.key for h in handlers]},
                    "payload": {"type": "object"},
                    "timeoutDuration": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_TIMEOUT_MS,
                        "description": "milliseconds after its start when the task is overdue",
                    },
                    "retries": {"type": "integer", "minimum": 0, "maximum": MAX_RETRIES},
                    "next": {"type": "array", "items": {"$ref": "#/$defs/task"}},
                },
                "allOf": conditions,
            },
            **payload_defs,
        },
    }


def validate_definition(definition) -> list:
    """The normalised definition, or InvalidInput naming the first fault and where it is."""
    if not isinstance(definition, list):
        raise InvalidInput(
            "A flow definition is a list of stages",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=DEFINITION,
        )
    if not definition:
        raise InvalidInput(
            "A flow needs at least one stage",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=DEFINITION,
        )
    if len(definition) > MAX_STAGES:
        raise InvalidInput(
            f"A flow has at most {MAX_STAGES} stages",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=DEFINITION,
        )
    check_bounds(definition)
    seen_stage_keys: set[str] = set()
    seen_task_keys: dict[str, tuple] = {}
    stages = []
    for index, stage in enumerate(definition):
        path = (*DEFINITION, index)
        if not isinstance(stage, dict):
            raise InvalidInput(
                "A stage is an object with a key and tasks",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=path,
            )
        _refuse_unknown(stage, {"key", "name", "tags", "tasks"}, path, "A stage")
        key = _key(stage.get("key"), (*path, "key"))
        if key in seen_stage_keys:
            raise InvalidInput(
                f"The stage key {key!r} is used twice",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=(*path, "key"),
            )
        seen_stage_keys.add(key)
        name = stage.get("name", key)
        if not isinstance(name, str) or len(name) > 200:
            raise InvalidInput(
                "name must be text of at most 200 characters",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=(*path, "name"),
            )
        tags = _tags(stage.get("tags", []), (*path, "tags"))
        tasks = stage.get("tasks")
        if not isinstance(tasks, list) or not tasks:
            raise InvalidInput(
                "A stage needs a list of at least one task",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=(*path, "tasks"),
            )
        stages.append(
            {
                "key": key,
                "name": name.strip() or key,
                "tags": tags,
                "tasks": [
                    _task(task, (*path, "tasks", task_index), seen_task_keys)
                    for task_index, task in enumerate(tasks)
                ],
            }
        )
    return stages


def check_bounds(definition: list) -> None:
    """Refuse a definition beyond the flow bounds: tasks in total, `next` levels, nesting and
    size. Walked with a stack of its own, so a definition of any depth is refused, not a crash."""
    tasks = 0
    # (value, path, nesting level, what it is, `next` levels above it)
    stack = [(definition, DEFINITION, 1, "stages", 0)]
    while stack:
        value, path, level, role, next_level = stack.pop()
        if level > limits.MAX_FLOW_DEFINITION_DEPTH:
            raise InvalidInput(
                f"A flow definition nests at most {limits.MAX_FLOW_DEFINITION_DEPTH} levels deep",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=path,
            )
        if role == "task":
            tasks += 1
            if tasks > MAX_TASKS:
                raise InvalidInput(
                    f"A flow has at most {MAX_TASKS} tasks",
                    code=FlowErrorCode.INVALID_DEFINITION,
                    field=path,
                )
            if next_level > limits.MAX_FLOW_NEXT_DEPTH:
                raise InvalidInput(
                    f"Tasks nest at most {limits.MAX_FLOW_NEXT_DEPTH} levels deep through next",
                    code=FlowErrorCode.INVALID_DEFINITION,
                    field=path,
                )
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in reversed(list(children)):  # reversed: the first fault is found first
            if isinstance(child, (dict, list)):
                child_role, child_next = _child_role(role, key), next_level
                if child_role == "next":
                    child_next += 1
                stack.append((child, (*path, key), level + 1, child_role, child_next))
    try:
        size = len(json.dumps(definition, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError):
        raise InvalidInput(
            "A flow definition is JSON", code=FlowErrorCode.INVALID_DEFINITION, field=DEFINITION
        ) from None
    if size > limits.MAX_FLOW_DEFINITION_BYTES:
        raise InvalidInput(
            f"A flow definition has at most {limits.MAX_FLOW_DEFINITION_BYTES:,} bytes of JSON",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=DEFINITION,
        )


def readable_definition(definition) -> list | None:
    """A stored definition if it is within the bounds (so it can be shown and run), else None:
    one stored before the bounds, or written by hand, never takes a page or a list down."""
    if not isinstance(definition, list) or not definition:
        return None
    try:
        check_bounds(definition)
    except InvalidInput:
        return None
    return definition


def _child_role(role: str, key) -> str:
    """What a value inside a definition is, from what holds it and under which key."""
    if role == "stages":
        return "stage"
    if role in ("tasks", "next"):
        return "task"
    if role == "stage" and key == "tasks":
        return "tasks"
    if role == "task" and key == "next":
        return "next"
    return "other"


def iter_tasks(tasks: list[dict], parent_key: str = ""):
    """Every task of a stage with its parent's key, the `next` chains included, depth first."""
    for task in tasks:
        yield task, parent_key
        yield from iter_tasks(task.get("next", []), task["key"])


def find_task(definition: list, task_key: str) -> tuple[int, dict] | None:
    """(stage index, task definition) of `task_key` in a normalised definition."""
    for index, stage in enumerate(definition):
        for task, _parent in iter_tasks(stage["tasks"]):
            if task["key"] == task_key:
                return index, task
    return None


def _task(task, path: tuple, seen: dict) -> dict:
    if not isinstance(task, dict):
        raise InvalidInput(
            "A task is an object with a key, a handlerKey and a payload",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=path,
        )
    _refuse_unknown(
        task, {"key", "handlerKey", "payload", "timeoutDuration", "retries", "next"}, path, "A task"
    )
    key = _key(task.get("key"), (*path, "key"))
    if key in seen:
        raise InvalidInput(
            f"The task key {key!r} is used twice; task keys are unique in the whole flow",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=(*path, "key"),
        )
    seen[key] = path
    handler_key = task.get("handlerKey")
    if not isinstance(handler_key, str) or not handler_key:
        raise InvalidInput(
            "A task needs a handlerKey",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=(*path, "handlerKey"),
        )
    try:
        handler = get_handler(handler_key)
    except KeyError:
        known = ", ".join(h.key for h in available_handlers())
        raise InvalidInput(
            f"Unknown handlerKey {handler_key!r}; the handlers are: {known}",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=(*path, "handlerKey"),
        ) from None
    payload = task.get("payload", {})
    if not isinstance(payload, dict):
        raise InvalidInput(
            "payload must be an object",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=(*path, "payload"),
        )
    normalised_payload = _payload(handler, payload, (*path, "payload"))
    normalised = {"key": key, "handlerKey": handler_key, "payload": normalised_payload}
    if "timeoutDuration" in task and task["timeoutDuration"] is not None:
        timeout = task["timeoutDuration"]
        if not _is_int(timeout) or not 1 <= timeout <= MAX_TIMEOUT_MS:
            raise InvalidInput(
                "timeoutDuration is a whole number of milliseconds, at least 1",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=(*path, "timeoutDuration"),
            )
        normalised["timeoutDuration"] = timeout
    retries = task.get("retries", DEFAULT_RETRIES)
    if not _is_int(retries) or not 0 <= retries <= MAX_RETRIES:
        raise InvalidInput(
            f"retries is a whole number from 0 to {MAX_RETRIES}",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=(*path, "retries"),
        )
    normalised["retries"] = retries
    next_tasks = task.get("next", [])
    if not isinstance(next_tasks, list):
        raise InvalidInput(
            "next must be a list of tasks",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=(*path, "next"),
        )
    normalised["next"] = [
        _task(child, (*path, "next", child_index), seen)
        for child_index, child in enumerate(next_tasks)
    ]
    return normalised


def _payload(handler, payload: dict, payload_path: tuple) -> dict:
    for path, text in _strings(payload, ()):
        error = templating.template_error(text)
        if error:
            raise InvalidInput(
                f"Template error: {error}",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=(*payload_path, *path),
            )
    try:
        model = handler.payload_model.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"]
        if first["type"] == "missing":
            message = f"{first['loc'][-1]} is required"
        raise InvalidInput(
            f"{handler.key}: {message}",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=(*payload_path, *first["loc"]),
        ) from None
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _strings(value, path: tuple):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))


def _key(value, path: tuple) -> str:
    if not isinstance(value, str) or not re.match(KEY_PATTERN, value):
        raise InvalidInput(
            "A key is 1 to 100 lowercase letters, digits, '-' or '_', starting with a letter or digit",
            code=FlowErrorCode.INVALID_DEFINITION,
            field=path,
        )
    return value


def _tags(value, path: tuple) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInput(
            "tags must be a list of text", code=FlowErrorCode.INVALID_DEFINITION, field=path
        )
    try:
        return normalize_tags(value)
    except InvalidInput as error:
        raise InvalidInput(
            error.message, code=FlowErrorCode.INVALID_DEFINITION, field=path
        ) from None


def _refuse_unknown(item: dict, allowed: set[str], path: tuple, what: str) -> None:
    for name in item:
        if name not in allowed:
            raise InvalidInput(
                f"{what} has no field {name!r}; it takes {', '.join(sorted(allowed))}",
                code=FlowErrorCode.INVALID_DEFINITION,
                field=(*path, name),
            )


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
