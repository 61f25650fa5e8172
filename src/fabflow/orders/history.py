"""An order's history as people read it: which events, in which order, told in words, by whom.

The order page's History card and the API's `GET /orders/{id}/events` both read it from here,
so they list the same lines, newest first, with the same words and actor labels.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from fabflow.accounts.actors import Actor
from fabflow.fields import InvalidValue, printable
from fabflow.orders import services
from fabflow.orders.filters import SortKey
from fabflow.orders.models import Asset, AssetKind, OrderEvent, OrderEventType, OrderStatus
from fabflow.web import display

STATUS_LABELS = dict(OrderStatus.choices)
EVENT_LABELS = dict(OrderEventType.choices)
KIND_LABELS = dict(AssetKind.choices)
# A line names at most this many of the files one event made; it counts the others.
MAX_FILES_NAMED = 10
# Newest first; the id (a UUIDv7, in time order) settles events written in the same instant.
NEWEST_FIRST = [SortKey("created_at", descending=True), SortKey("id", descending=True)]
# What the history says of an installation operator, whose e-mail is no organization's business.
OPERATOR_LABEL = "Fabflow operator"


@dataclass(frozen=True)
class EventActor:
    """Who wrote a line of the history: a user, a secret key or Fabflow itself."""

    kind: str  # user | key | system
    label: str


def history(order) -> QuerySet:
    """The events of `order`, newest first."""
    ordering = [f"-{key.field}" if key.descending else key.field for key in NEWEST_FIRST]
    return OrderEvent.objects.filter(order=order).order_by(*ordering)


def list_order_events(*, actor: Actor, order_id) -> QuerySet:
    """The history of an order the actor may see, newest first."""
    return history(services.get_order(actor=actor, order_id=order_id))


def event_actor(event: OrderEvent, *, organization_id) -> EventActor:
    """Who wrote `event` on an order of `organization_id`, by the label stored with it, unless
    that names a user outside the organization (an operator), whose address stays unsaid."""
    if event.actor_user_id is not None:
        user = event.actor_user
        if user is not None and user.organization_id != organization_id:
            return EventActor(kind="user", label=OPERATOR_LABEL)
        return EventActor(kind="user", label=printable(event.actor_label))
    if event.actor_key_id is not None:
        return EventActor(kind="key", label=printable(event.actor_label))
    return EventActor(kind="system", label=printable(event.actor_label))


@dataclass(frozen=True)
class EventNames:
    """What the history calls things that its events store by id or by file name only: the
    titles of the order's tasks (by task id, as the task card shows them) and the kinds of the
    order's files (by file name). A line whose task or file is not named here says what its
    event stored."""

    task_titles: Mapping[str, str] = field(default_factory=dict)
    file_kinds: Mapping[str, str] = field(default_factory=dict)


def task_titles(tasks) -> dict[str, str]:
    """The titles of an order's task runs by id, as the task card shows them (its key when a
    task has no title)."""
    return {str(task.pk): task.title or task.task_key for task in tasks}


def event_names(order, *, task_titles: Mapping[str, str]) -> EventNames:
    """The names the history of `order` (an order or its id) reads by: the task titles given,
    the kinds of its files."""
    assets = Asset.objects.filter(Q(order=order) | Q(product__order=order) | Q(part__order=order))
    return EventNames(
        task_titles=task_titles,
        file_kinds={
            filename: KIND_LABELS.get(kind, "")
            for filename, kind in assets.order_by("created_at").values_list("filename", "kind")
        },
    )


NO_NAMES = EventNames()


def describe_event(event: OrderEvent, names: EventNames = NO_NAMES) -> str:
    """One line saying what happened, in words; what is stored is shown as far as it reads."""
    text = _event_text(event.type, display.mapping(event.details), names)
    if isinstance(event.details, InvalidValue):
        text += f" — details: {display.invalid_text(event.details)}"
    elif event.type not in EVENT_LABELS:
        text = display.choice_text(event, "type", EVENT_LABELS)
    return text


def _event_text(kind: str, details: dict, names: EventNames) -> str:
    # What is stored as text; a key stored empty or null is as good as none.
    said = {
        name: printable(value)
        for name, value in details.items()
        if name != "changes" and value is not None and value != ""
    }
    if kind == OrderEventType.CREATED:
        return _created_text(details, said)
    if kind == OrderEventType.UPDATED:
        changes = details.get("changes")
        changed = ", ".join(sorted(printable(name) for name in changes or ()))
        return (
            f"Changed {changed}"
            if changed and isinstance(changes, dict | list)
            else "Order updated"
        )
    if kind == OrderEventType.STATUS_CHANGED:
        return _status_text(details)
    if kind in (OrderEventType.ASSET_ADDED, OrderEventType.ASSET_REPLACED):
        return _files_text(kind, details, names)
    if kind == OrderEventType.FLOW_STARTED:
        version = f" v{said['version']}" if said.get("version") else ""
        return f"Flow {said['flowKey']}{version} started" if said.get("flowKey") else "Flow started"
    if kind == OrderEventType.STAGE_STARTED:
        stage = said.get("stageName") or said.get("stageKey")
        return f"Stage {stage} started" if stage else "Stage started"
    if kind == OrderEventType.FLOW_FINISHED:
        return "Flow finished"
    return _task_text(kind, details, said, names)


def _counted(number, noun: str) -> str:
    """`number noun`, in the plural unless the number is one; a stored count that is no number
    shows as it is, the noun left open ("(s)")."""
    if isinstance(number, int) and not isinstance(number, bool):
        return f"{number} {noun}{'' if number == 1 else 's'}"
    return f"{printable(number)} {noun}(s)"


def _created_text(details: dict, said: dict) -> str:
    text = "Order created"
    if said.get("products"):
        text += f" with {_counted(details['products'], 'product')}"
        if said.get("parts"):
            text += f" and {_counted(details['parts'], 'part')}"
    if said.get("value"):
        text += f", worth € {said['value']}"
    return text


def _status_text(details: dict) -> str:
    words = ["Status changed"]
    for side in ("from", "to"):
        if details.get(side) is not None:
            words.append(f"{side} {_status_label(details[side])}")
    return " ".join(words)


def _task_text(kind: str, details: dict, said: dict, names: EventNames) -> str:
    """A task's line: what happened to it, by its title; its attempt, and what a person or
    the task said."""
    task_id = details.get("taskId")
    title = (names.task_titles.get(task_id) if isinstance(task_id, str) else None) or said.get(
        "taskKey"
    )
    label = EVENT_LABELS.get(kind, "Task")
    text = f"{label}: “{printable(title)}”" if title else label
    attempt = details.get("attempt", 1)
    if isinstance(attempt, int) and attempt > 1:
        text += f" (attempt {attempt})"
    for extra in ("reason", "comment", "error", "feedback"):
        if details.get(extra):
            text += f" — {said[extra]}"
    return text


def _files_text(kind: str, details: dict, names: EventNames) -> str:
    """A file line: each file by its name and kind, and which generator made them, if one did.
    An upload stores one `filename` and its `kind`; a generator its `files` by name."""
    verb = "added" if kind == OrderEventType.ASSET_ADDED else "replaced"
    files = details.get("files")
    if isinstance(files, list):
        files = [filename for filename in files if filename]
        named = [_file_name(filename, None, names) for filename in files[:MAX_FILES_NAMED]]
        more = len(files) - len(named)
    elif details.get("filename"):
        named, more = [_file_name(details["filename"], details.get("kind"), names)], 0
    else:
        named, more = [], 0
    maker = (
        f" by the {printable(details['generator'])} generator" if details.get("generator") else ""
    )
    if not named:
        replaced = details.get("replaced")
        if isinstance(replaced, int) and replaced > 0:
            return f"{_counted(replaced, 'earlier file')} removed{maker}, none made"
        return f"Files {verb}{maker}"
    listed = ", ".join(named) + (f" and {more} more" if more else "")
    if len(named) == 1 and not more:
        return f"File {listed} {verb}{maker}"
    return f"{len(named) + more} files {verb}{maker}: {listed}"


def _file_name(filename, kind, names: EventNames) -> str:
    """A file as the history names it: its name, and its kind's label where it is known."""
    name = printable(filename)
    label = KIND_LABELS.get(kind) if isinstance(kind, str) else None
    if label is None and isinstance(filename, str):
        label = names.file_kinds.get(filename)
    return f"{name} ({label})" if label else name


def _status_label(value) -> str:
    return (
        STATUS_LABELS[value]
        if isinstance(value, str) and value in STATUS_LABELS
        else printable(value)
    )
