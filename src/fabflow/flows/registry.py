"""The handler registry: which `handlerKey`s exist, what payload each takes and how it runs.

A handler is a module (or any object) that declares:

    key = "send-email"                  # the handlerKey used in flow definitions
    kind = "automatic"                  # automatic | manual | wait (how the engine drives it)
    class Payload(PayloadModel): ...    # the typed payload; flow validation uses it
    def execute(context) -> dict: ...   # automatic handlers: do the work, return the result
    def describe(context) -> dict: ...  # what the task would do, for a dry run (PlanContext)
    accepts_feedback = True             # optional: its task may wait for a receiver's answer

The built-in handlers live in `fabflow.flows.handlers`. A Python package adds its own through
the `fabflow.handlers` entry point group, naming the module:

    [project.entry-points."fabflow.handlers"]
    print-label = "acme_labels.handler"

Loading is lazy and cached; a plugin that fails to import is logged and left out, so it can
only break the flows that use it.
"""

import functools
import importlib
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

ENTRY_POINT_GROUP = "fabflow.handlers"
BUILT_IN_MODULES = [
    "fabflow.flows.handlers.send_email",
    "fabflow.flows.handlers.manual_confirmation",
    "fabflow.flows.handlers.consume_rest_api",
    "fabflow.flows.handlers.wait",
    "fabflow.flows.handlers.generate_production_files",
    "fabflow.flows.handlers.export_files",
]
HandlerKind = Literal["automatic", "manual", "wait"]

logger = logging.getLogger(__name__)


class PayloadModel(BaseModel):
    """Base of every handler payload: camelCase in JSON, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class HandlerFailure(Exception):
    """A handler failed; `retryable` says whether another attempt may succeed."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass
class TaskContext:
    """What a handler sees when it runs: the task, its order and its rendered payload."""

    task: Any  # flows.models.TaskRun
    order: Any  # orders.models.Order
    payload: PayloadModel
    variables: dict
    delivery_id: str
    attempt: int
    # Handlers that wait for an outside answer set this to make the task wait after execute.
    waits_for_feedback: bool = False
    extra: dict = field(default_factory=dict)


@dataclass
class PlanContext:
    """What a handler sees when it describes a task for a dry run (`fabflow.flows.dryrun`): the
    rendered payload and what it was rendered over. Describing reads; it sends, writes and calls
    nothing."""

    payload: PayloadModel
    variables: dict
    space: Any  # accounts.models.ProductSpace: the flow's
    order: Any  # orders.models.Order, or None for a sample order that is not stored
    production_files: list[str]  # the names of the order's production files, as stored now


@dataclass(frozen=True)
class Handler:
    """One registered handler."""

    key: str
    kind: HandlerKind
    payload_model: type[PayloadModel]
    execute: Any  # Callable[[TaskContext], dict] | None for manual and wait handlers
    description: str = ""
    # Callable[[PlanContext], dict]: what a task would do, as a dry run shows it; None for a
    # plugin written before dry runs (tests/flows walk the handlers for it).
    describe: Any = None
    # Its task may wait, with a feedback token, until the receiver it called answers.
    accepts_feedback: bool = False


class UnknownHandler(KeyError):
    """No handler is registered under this key."""


def get_handler(key: str) -> Handler:
    """The handler registered as `key`; raises UnknownHandler."""
    try:
        return _handlers_by_key()[key]
    except KeyError:
        raise UnknownHandler(key) from None


def available_handlers() -> list[Handler]:
    """Every registered handler, sorted by key."""
    return sorted(_handlers_by_key().values(), key=lambda handler: handler.key)


def clear_handler_cache() -> None:
    """Forget loaded handlers, so newly installed plugins are found (tests, reloads)."""
    _handlers_by_key.cache_clear()


def as_handler(source) -> Handler:
    """A Handler from a module or object declaring key, kind, Payload and execute."""
    if isinstance(source, Handler):
        return source
    key = getattr(source, "key", None)
    payload_model = getattr(source, "Payload", None)
    if not isinstance(key, str) or not key:
        raise TypeError(f"{source!r} declares no handler key")
    if not (isinstance(payload_model, type) and issubclass(payload_model, BaseModel)):
        raise TypeError(f"handler {key!r} declares no pydantic Payload model")
    kind = getattr(source, "kind", "automatic")
    execute = getattr(source, "execute", None)
    if kind == "automatic" and not callable(execute):
        raise TypeError(f"automatic handler {key!r} declares no execute function")
    doc = (getattr(source, "__doc__", "") or "").strip().splitlines()
    return Handler(
        key=key,
        kind=kind,
        payload_model=payload_model,
        execute=execute,
        description=doc[0] if doc else "",
        describe=getattr(source, "describe", None),
        accepts_feedback=getattr(source, "accepts_feedback", False) is True,
    )


@functools.cache
def _handlers_by_key() -> dict[str, Handler]:
    handlers = {}
    for module_name in BUILT_IN_MODULES:
        handler = as_handler(importlib.import_module(module_name))
        handlers[handler.key] = handler
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            handler = as_handler(entry_point.load())
        except Exception:
            logger.exception("cannot load handler entry point %r", entry_point.value)
            continue
        handlers[handler.key] = handler
    return handlers
