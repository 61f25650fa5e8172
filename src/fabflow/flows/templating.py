"""Sandboxed `{{ … }}` rendering of payload text over the order, its products and parts, the flow
and the task.

Templates run in Jinja2's immutable sandbox: they can read the variables and use filters, but
cannot call methods that change data, reach Python internals, or run code.
"""

from decimal import Decimal
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from fabflow import records
from fabflow.flows.registry import HandlerFailure
from fabflow.orders.models import Part, Product

_environment = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
# Templates are short; a render may not produce more than this, so a loop cannot eat memory.
MAX_RENDERED_LENGTH = 1_000_000


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def render_text(text: str, variables: dict) -> str:
    """Render one template string; a template error fails the task without retries."""
    if not has_template(text):
        return text
    try:
        rendered = _compiled(text).render(variables)
    except TemplateError as error:
        raise HandlerFailure(
            f"The template {text[:80]!r} cannot be rendered: {error}", retryable=False
        ) from None
    if len(rendered) > MAX_RENDERED_LENGTH:
        raise HandlerFailure("A rendered template is too long", retryable=False)
    return rendered


@lru_cache(maxsize=1024)
def _compiled(text: str):
    # Compiling costs far more than rendering, and a flow's templates are few and fixed.
    return _environment.from_string(text)


def render_payload(payload, variables: dict):
    """Render every string inside a JSON payload (keys stay as they are)."""
    if isinstance(payload, str):
        return render_text(payload, variables)
    if isinstance(payload, list):
        return [render_payload(item, variables) for item in payload]
    if isinstance(payload, dict):
        return {key: render_payload(value, variables) for key, value in payload.items()}
    return payload


def check_template(text: str) -> str | None:
    """The syntax error of a template, or None: used when a flow is saved."""
    if not has_template(text):
        return None
    try:
        _environment.parse(text)
    except TemplateError as error:
        return str(error)
    return None


def order_document(order) -> dict:
    """The order as JSON, in the API's field names, with its products and their parts."""
    products = records.fetch(Product, order_id=order.pk, order_by=("position",))
    parts_by_product: dict = {}
    for part in records.fetch(Part, order_id=order.pk, order_by=("position",)):
        parts_by_product.setdefault(part.product_id, []).append(part)
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
    """The variables a payload template sees."""
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


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _time(value) -> str | None:
    return None if value is None else value.isoformat()
