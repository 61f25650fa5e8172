"""Sandboxed `{{ … }}` rendering of payload text over the order, its products and parts, the flow
and the task, under a budget.

Templates run in Jinja2's immutable sandbox: they read the variables and use filters, but cannot
change data, reach Python internals, include other templates or run code. On top of the sandbox,
every operation that could take a long time or much memory in one step is bounded
(`fabflow.limits`, "Order flows and their templates"): `range`, `*`, `**`, `+`, `%` and `~`, the
filters that take a size (center, indent, format, join, replace, batch, slice, wordwrap), and the
methods of text, lists and objects (only those that build nothing large may be called). What is
left, loops and recursion, runs in steps the clock can stop: a render writes at most
TEMPLATE_MAX_OUTPUT_CHARACTERS and runs at most TEMPLATE_RENDER_SECONDS, checked at every line of
the compiled template (a trace function of the rendering thread), after which it fails its task
for good. Every step being short, and the trace function giving the interpreter up every few
lines, a render never holds it for long: a worker's other threads keep running their flows.

`template_error` finds at save what can be known then: syntax errors, unknown filters and tests,
names with underscores, includes, and texts too long.
"""

import re
import sys
import time
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, nodes, pass_environment, pass_eval_context
from jinja2.compiler import CodeGenerator
from jinja2.filters import (
    do_batch,
    do_center,
    do_format,
    do_indent,
    do_replace,
    do_wordwrap,
    sync_do_join,
    sync_do_slice,
    sync_do_sum,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from fabflow import limits, records
from fabflow.flows.registry import HandlerFailure
from fabflow.orders import shapes
from fabflow.orders.models import Part, Product
from fabflow.orders.shapes import Kind

# Methods a template may call on text, lists, numbers and objects: none builds large values.
# (str.format is left out: its widths are unbounded; the `format` filter is bounded.)
SAFE_METHODS = frozenset(
    {
        "get",
        "items",
        "keys",
        "values",
        "lower",
        "upper",
        "title",
        "capitalize",
        "strip",
        "lstrip",
        "rstrip",
        "startswith",
        "endswith",
        "split",
        "rsplit",
        "splitlines",
        "count",
        "index",
        "find",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
    }
)
DATA_TYPES = (str, bytes, dict, list, tuple, int, float, Decimal)
TEMPLATE_FILENAME = "<template>"
# A render gives up the interpreter every this many lines of its template (bench/templates.py).
YIELD_EVERY_LINES = 10
# A `%` conversion's flags, width and precision, in a format string.
PERCENT_SPEC = re.compile(r"%[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateRefused(SecurityError):
    """An operation inside a template went beyond a bound."""


class _OverBudget(BaseException):
    """Raised inside a render at the first line past its deadline. A BaseException, so that no
    `except Exception` of a filter on the way can swallow it."""


def _refuse(message: str):
    raise TemplateRefused(message)


def _check_text_size(size: int, what: str) -> None:
    if size > limits.TEMPLATE_MAX_TEXT:
        _refuse(
            f"{what} would make {size:,} characters or items; at most {limits.TEMPLATE_MAX_TEXT:,}"
        )


def _check_width(width, what: str) -> None:
    if isinstance(width, str):
        width = len(width)
    if not isinstance(width, int) or width > limits.TEMPLATE_MAX_WIDTH:
        _refuse(f"{what} takes a width of at most {limits.TEMPLATE_MAX_WIDTH}")


def _check_integer(bits: int, what: str) -> None:
    if bits > limits.TEMPLATE_MAX_INTEGER_BITS:
        _refuse(f"{what} would make an integer beyond {limits.TEMPLATE_MAX_INTEGER_BITS} bits")


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_sized(value) -> bool:
    return isinstance(value, (str, bytes, list, tuple))


def _check_binop(operator: str, left, right) -> None:
    """Refuse an operation whose result would be beyond the bounds, before computing it."""
    if operator == "**" and _is_integer(left) and _is_integer(right) and right > 0:
        _check_integer(right * max(abs(left).bit_length(), 1), "**")
    elif operator == "*":
        if _is_integer(left) and _is_integer(right):
            _check_integer(abs(left).bit_length() + abs(right).bit_length(), "*")
        elif _is_sized(left) and _is_integer(right):
            _check_text_size(len(left) * right, "*")
        elif _is_sized(right) and _is_integer(left):
            _check_text_size(len(right) * left, "*")
    elif operator == "+" and _is_sized(left) and _is_sized(right):
        _check_text_size(len(left) + len(right), "+")
    elif operator == "%" and isinstance(left, str):
        _check_format(left)


def _check_format(text: str) -> None:
    for width, precision in PERCENT_SPEC.findall(text):
        for number in (width, precision):
            if number == "*" or (number and int(number) > limits.TEMPLATE_MAX_WIDTH):
                _refuse(f"a format takes widths of at most {limits.TEMPLATE_MAX_WIDTH}")


def bounded_range(*args) -> range:
    """`range`, of at most TEMPLATE_MAX_RANGE items."""
    numbers = range(*args)
    if len(numbers) > limits.TEMPLATE_MAX_RANGE:
        _refuse(f"range() gives at most {limits.TEMPLATE_MAX_RANGE:,} items")
    return numbers


def _center(value, width=80):
    _check_width(width, "center")
    return do_center(value, width)


def _indent(s, width=4, first=False, blank=False):
    _check_width(width, "indent")
    step = len(width) if isinstance(width, str) else width
    _check_text_size(len(str(s)) + (str(s).count("\n") + 1) * step, "indent")
    return do_indent(s, width, first, blank)


def _format(value, *args, **kwargs):
    _check_format(str(value))
    return do_format(value, *args, **kwargs)


@pass_eval_context
def _join(eval_ctx, value, d="", attribute=None):
    items = list(value)
    _check_text_size(len(str(d)) * max(len(items) - 1, 0), "join")
    return sync_do_join(eval_ctx, items, d, attribute)


@pass_eval_context
def _replace(eval_ctx, s, old, new, count=None):
    text, old, new = str(s), str(old), str(new)
    found = text.count(old) if count is None or count < 0 else min(text.count(old), count)
    _check_text_size(len(text) + found * max(len(new) - len(old), 0), "replace")
    return do_replace(eval_ctx, s, old, new, count)


def _batch(value, linecount, fill_with=None):
    _check_width(linecount if fill_with is not None else 0, "batch")
    return do_batch(value, linecount, fill_with)


def _slice(value, slices, fill_with=None):
    if not _is_integer(slices) or slices > limits.TEMPLATE_MAX_RANGE:
        _refuse(f"slice takes at most {limits.TEMPLATE_MAX_RANGE:,} slices")
    return sync_do_slice(list(value), slices, fill_with)


@pass_environment
def _sum(environment, iterable, attribute=None, start=0):
    # Adding lists or text is one step of C as long as all of them together: numbers only.
    if not isinstance(start, (int, float, Decimal)):
        _refuse("sum adds numbers only")
    return sync_do_sum(environment, iterable, attribute, start)


@pass_environment
def _wordwrap(environment, s, width=79, break_long_words=True, wrapstring=None, **kwargs):
    _check_width(wrapstring or "", "wordwrap's wrapstring")
    return do_wordwrap(environment, s, width, break_long_words, wrapstring, **kwargs)


BOUNDED_FILTERS = {
    "center": _center,
    "indent": _indent,
    "format": _format,
    "join": _join,
    "replace": _replace,
    "batch": _batch,
    "slice": _slice,
    "wordwrap": _wordwrap,
    "sum": _sum,
}


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles `~` into the environment's `concatenate`, which checks the length first
    (Jinja joins the parts in one step of C that a doubling loop would make huge)."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.concatenate((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with every operation bounded (see the module's docstring)."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self):
        super().__init__(autoescape=False, undefined=StrictUndefined)
        # lipsum, cycler and joiner are left out: lipsum's size is unbounded, and none of them
        # is of use in a message.
        self.globals = {"range": bounded_range, "dict": dict, "namespace": Namespace}
        self.filters.update(BOUNDED_FILTERS)

    def call_binop(self, context, operator, left, right):
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return not (callable(value) and isinstance(obj, DATA_TYPES) and attr not in SAFE_METHODS)

    def wrap_str_format(self, value):
        return None  # str.format is not a safe method; `is_safe_attribute` refuses it

    def concatenate(self, parts) -> str:
        texts = [str(part) for part in parts]
        _check_text_size(sum(len(text) for text in texts), "~")
        return "".join(texts)


_environment = BudgetedEnvironment()


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text


@lru_cache(maxsize=1024)
def _compiled(text: str):
    # Compiling costs far more than rendering, and a flow's templates are few and fixed.
    return _environment.from_string(text)


# --- checking a template when its flow is saved --------------------------------------------

FORBIDDEN_STATEMENTS = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


def template_error(text: str) -> str | None:
    """What is wrong with a payload text as a template, or None: used when a flow is saved."""
    if not has_template(text):
        return None
    if len(text) > limits.MAX_TEMPLATE_CHARACTERS:
        return f"a template has at most {limits.MAX_TEMPLATE_CHARACTERS:,} characters"
    try:
        tree = _environment.parse(text)
        problem = _forbidden_node(tree)
        if problem is None:
            _compiled(text)  # unknown filters and tests are found when compiling
    except TemplateError as error:
        return (
            f"line {error.lineno}: {error.message}"
            if getattr(error, "lineno", None)
            else str(error)
        )
    except RecursionError:
        return "the template nests too deeply"
    return problem


def _forbidden_node(tree) -> str | None:
    stack = [tree]
    parts = 0
    while stack:  # a loop, not recursion: the parser has already bounded the depth, barely
        node = stack.pop()
        parts += 1
        if parts > limits.MAX_TEMPLATE_PARTS:  # compiling takes time in their number
            return f"a template has at most {limits.MAX_TEMPLATE_PARTS:,} parts (names, filters, tags, texts)"
        if isinstance(node, FORBIDDEN_STATEMENTS):
            return f"line {node.lineno}: a template cannot include, import or extend another"
        # Compiling finds most unknown filters and tests, but not those inside a condition.
        if isinstance(node, nodes.Filter) and node.name not in _environment.filters:
            return f"line {node.lineno}: No filter named {node.name!r}."
        if isinstance(node, nodes.Test) and node.name not in _environment.tests:
            return f"line {node.lineno}: No test named {node.name!r}."
        name = _private_name(node)
        if name is not None:
            return f"line {node.lineno}: {name!r} starts with '_'; such names are not reachable"
        stack.extend(node.iter_child_nodes())
    return None


def _private_name(node) -> str | None:
    if isinstance(node, nodes.Getattr):
        name = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        name = node.arg.value
    else:
        return None
    return name if isinstance(name, str) and name.startswith("_") else None


# --- rendering under the budget ------------------------------------------------------------


class TemplateFailure(HandlerFailure):
    """A payload template that cannot be rendered, never retried: where in the payload it is
    (`path`, from the payload's root) and at which line of the template (`line`, when known)."""

    def __init__(self, message: str, *, path: tuple, line: int | None):
        super().__init__(message, retryable=False)
        self.path = path
        self.line = line


class RenderBudget:
    """What is left of a render's time and output. One budget serves one task's payload when a
    worker runs it; a dry run spends one on every payload of its flow."""

    def __init__(self):
        # CPU time of the rendering thread: what the template spends, not what a busy machine
        # or the worker's other threads take from it meanwhile.
        self.deadline = time.thread_time() + limits.TEMPLATE_RENDER_SECONDS
        self.output_left = limits.TEMPLATE_MAX_OUTPUT_CHARACTERS
        self.lines = 0
        self.path: tuple = ()  # of the text being rendered, for an error past the deadline

    def is_spent(self) -> bool:
        """Whether the budget has no time or output left for another template."""
        return time.thread_time() > self.deadline or self.output_left <= 0

    def trace(self, frame, event, argument):
        # Called at each Python call in the rendering thread; template frames are then
        # followed line by line, so a loop stops at its first line past the deadline.
        if time.thread_time() > self.deadline:
            raise _OverBudget
        return self.trace_line if frame.f_code.co_filename == TEMPLATE_FILENAME else None

    def trace_line(self, frame, event, argument):
        if time.thread_time() > self.deadline:
            raise _OverBudget
        self.lines += 1
        if self.lines % YIELD_EVERY_LINES == 0:
            # Let the worker's other threads have the interpreter: otherwise each of their
            # database calls and e-mails waits up to a switch interval to get it back, and a
            # few hostile renders had slowed an unrelated flow from 0.15 s to over 1 s.
            time.sleep(0)
        return self.trace_line

    def render(self, text: str, variables: dict) -> str:
        chunks = []
        for chunk in _compiled(text).generate(variables):
            self.output_left -= len(chunk)
            if self.output_left < 0:
                _refuse(
                    f"the rendered payload would pass {limits.TEMPLATE_MAX_OUTPUT_CHARACTERS:,} characters"
                )
            chunks.append(chunk)
        return "".join(chunks)


def render_payload(payload, variables: dict, budget: RenderBudget | None = None):
    """Every string inside a JSON payload rendered (keys stay as they are), within `budget` (a
    new one by default); a template that fails or runs over the budget raises TemplateFailure,
    which fails the task at once, without retries."""
    budget = budget or RenderBudget()
    budget.path = ()
    previous = sys.gettrace()
    sys.settrace(budget.trace)
    try:
        return _render_value(payload, variables, budget, ())
    except _OverBudget:
        raise TemplateFailure(
            f"The payload's templates ran past their budget of {limits.TEMPLATE_RENDER_SECONDS:g} s "
            "and were stopped",
            path=budget.path,
            line=None,
        ) from None
    finally:
        sys.settrace(previous)


def _render_value(value, variables: dict, budget: RenderBudget, path: tuple):
    if isinstance(value, str):
        return _render_text(value, variables, budget, path)
    if isinstance(value, list):
        return [
            _render_value(item, variables, budget, (*path, index))
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        return {
            key: _render_value(item, variables, budget, (*path, key)) for key, item in value.items()
        }
    return value


def _render_text(text: str, variables: dict, budget: RenderBudget, path: tuple) -> str:
    if not has_template(text):
        return text
    budget.path = path
    try:
        return budget.render(text, variables)
    except Exception as error:  # any error of a template is the template's, never transient
        where = ".".join(str(part) for part in ("payload", *path))
        raise TemplateFailure(
            f"The template of {where} cannot be rendered: {type(error).__name__}: {error}",
            path=path,
            line=_template_line(error),
        ) from None


def _template_line(error: Exception) -> int | None:
    """The line of the template where `error` was raised: Jinja rewrites a render's traceback
    so that its frames carry the template's lines."""
    line = getattr(error, "lineno", None)
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = frame.tb_lineno
        frame = frame.tb_next
    return line


# --- the variables --------------------------------------------------------------------------


class UnreadableData(Exception):
    """A stored value of the order that cannot be read as its type: no task can use it."""


def order_document(order) -> dict:
    """The order as JSON, in the API's field names, with its products and their parts;
    UnreadableData when a stored value cannot be read (written by hand, or by a past bug)."""
    _check_readable(order, "order")
    products = records.fetch(Product, order_id=order.pk, order_by=("position",))
    parts_by_product: dict = {}
    for part in records.fetch(Part, order_id=order.pk, order_by=("position",)):
        parts_by_product.setdefault(part.product_id, []).append(part)
    for row in (*products, *(part for parts in parts_by_product.values() for part in parts)):
        _check_readable(row, type(row).__name__.lower())
    return document_of(order, products, parts_by_product)


def document_of(order, products: list, parts_by_product: dict) -> dict:
    """The variables' document of `order` with `products` and their parts (by product id), as
    rows or as rows not saved (a dry run's sample order). Its fields are those of the answer
    shapes that templates see (`in_templates` in fabflow.orders.shapes), in their order; a test
    holds both to it."""
    return {
        "id": str(order.pk),
        "name": order.name,
        "status": order.status,
        "value": _decimal(order.value),
        "deadline": _time(order.deadline),
        "createdAt": _time(order.created_at),
        "updatedAt": _time(order.updated_at),
        "spaceKey": order.space.key,
        "flowKey": order.flow_key,
        "tags": list(order.tags),
        "data": order.data,
        "addresses": order.addresses,
        "products": [
            {
                "id": str(product.pk),
                "orderId": str(order.pk),
                "name": product.name,
                "units": product.units,
                "unitValue": _decimal(product.unit_value),
                "deadline": _time(product.deadline or order.deadline),
                "configuration": product.configuration,
                "data": product.data,
                "createdAt": _time(product.created_at),
                "parts": [
                    {
                        "id": str(part.pk),
                        "productId": str(product.pk),
                        "orderId": str(order.pk),
                        "name": part.name,
                        "data": part.data,
                        "createdAt": _time(part.created_at),
                    }
                    for part in parts_by_product.get(product.pk, [])
                ],
            }
            for product in products
        ],
    }


def task_variables(*, order_doc: dict, task, flow_version) -> dict:
    """The variables a payload template sees (docs/flows.md, "Variables"); `task` holds the
    task shape's fields that templates see."""
    return {
        "order": order_doc,
        "products": order_doc["products"],
        "parts": [part for product in order_doc["products"] for part in product["parts"]],
        "flow": {
            "key": flow_version.flow.key,
            "name": flow_version.flow.name,
            "version": flow_version.number,
        },
        "task": {
            "id": str(task.pk),
            "key": task.task_key,
            "stageKey": task.stage_key,
            "handlerKey": task.handler_key,
            "attempt": task.attempt,
        },
    }


# What a stored value of each kind must read as for the variables to hold it (JSON that is no
# object where one is declared is still readable: templates read it as it is).
KIND_READS_AS = {
    Kind.MONEY: Decimal,
    Kind.TIME: datetime,
    Kind.OBJECT: (dict, list),
    Kind.ARRAY: (dict, list),
}
# What each stored value of an order, product or part that templates see must read as.
READABLE_TYPES = {
    field.column: KIND_READS_AS[field.kind]
    for shape in (shapes.ORDER, shapes.PRODUCT, shapes.PART)
    for field in shape.template_fields
    if field.kind in KIND_READS_AS
}


def _check_readable(row, what: str) -> None:
    for name, expected in READABLE_TYPES.items():
        value = getattr(row, name, None)
        if value is not None and not isinstance(value, expected):
            raise UnreadableData(f"the {what}'s {name} is not readable as stored")


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _time(value) -> str | None:
    return None if value is None else value.isoformat()
