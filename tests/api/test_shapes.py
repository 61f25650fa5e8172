"""Every answer about orders, products, parts, their files and tasks, and the variables of a
flow's templates, hold exactly the fields their shape declares (fabflow.orders.shapes), each of
its declared kind and nullability; and the declaration agrees with the models it reads."""

import re
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest
from django.db import models

from fabflow.flows import templating
from fabflow.flows.models import FlowVersion, TaskRun
from fabflow.orders.models import Asset, Order, Part, Product
from fabflow.orders.shapes import ASSET, ORDER, PART, PRODUCT, TASK, Kind, Shape
from tests.api.conftest import order_body
from tests.api.test_assets import png, upload
from tests.api.test_flows import DEFINITION

FLOWS_DOC = Path(__file__).resolve().parents[2] / "docs" / "flows.md"
MONEY = re.compile(r"[0-9]+\.[0-9]{2}")
# The model field classes a column of each kind may be.
COLUMN_TYPES = {
    Kind.ID: (models.UUIDField, models.ForeignKey),
    Kind.TEXT: (models.CharField, models.TextField),
    Kind.INTEGER: (models.IntegerField,),
    Kind.BOOLEAN: (models.BooleanField,),
    Kind.MONEY: (models.DecimalField,),
    Kind.TIME: (models.DateTimeField,),
    Kind.OBJECT: (models.JSONField,),
    Kind.ARRAY: (models.JSONField,),
    Kind.WORDS: (models.JSONField,),
    Kind.CHOICE: (models.CharField,),
}
MODELS = {ASSET: Asset, TASK: TaskRun, PART: Part, PRODUCT: Product, ORDER: Order}


def is_time(value) -> bool:
    try:
        return datetime.fromisoformat(value).utcoffset() is not None
    except (TypeError, ValueError):
        return False


def is_of_kind(value, field) -> bool:
    match field.kind:
        case Kind.ID:
            return isinstance(value, str) and str(UUID(value)) == value
        case Kind.TEXT | Kind.URL:
            return isinstance(value, str)
        case Kind.INTEGER:
            return isinstance(value, int) and not isinstance(value, bool)
        case Kind.BOOLEAN:
            return isinstance(value, bool)
        case Kind.MONEY:
            return isinstance(value, str) and MONEY.fullmatch(value) is not None
        case Kind.TIME:
            return is_time(value)
        case Kind.OBJECT:
            return isinstance(value, dict)
        case Kind.ARRAY | Kind.MANY:
            return isinstance(value, list)
        case Kind.WORDS:
            return isinstance(value, list) and all(isinstance(word, str) for word in value)
        case Kind.CHOICE:
            return value in field.choices.values


def shape_problems(document: dict, shape: Shape, *, in_templates: bool = False) -> list[str]:
    """How `document` differs from `shape` (the fields templates see, with `in_templates`),
    its documents of other shapes included; [] when it is as declared."""
    fields = shape.template_fields if in_templates else shape.fields
    names = tuple(field.name for field in fields)
    if tuple(document) != names:
        return [f"{shape.name} has {tuple(document)}, declared {names}"]
    problems = []
    for field in fields:
        value = document[field.name]
        if value is None:
            if not field.is_nullable:
                problems.append(f"{shape.name}.{field.name} is null")
        elif not is_of_kind(value, field):
            problems.append(f"{shape.name}.{field.name} is no {field.kind}: {value!r}")
        elif field.kind == Kind.MANY:
            for item in value:
                problems += shape_problems(item, field.of, in_templates=in_templates)
    return problems


@pytest.fixture
def flow(key_client):
    response = key_client.post("/flows", {"name": "Make it", "definition": DEFINITION})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def order(key_client, flow):
    """An order running its flow, with a preview image on the order, a product and a part."""
    response = key_client.post("/orders", order_body(flowKey=flow["key"], deadline=None))
    assert response.status_code == 201, response.content
    created = response.json()
    product = created["products"][0]
    for path in (
        f"/orders/{created['id']}",
        f"/products/{product['id']}",
        f"/parts/{product['parts'][0]['id']}",
    ):
        assert upload(key_client, f"{path}/assets", png(), "view.png", "preview").status_code == 201
    return created


def test_the_creation_answer_without_a_flow_is_as_declared(key_client):
    response = key_client.post("/orders", order_body())

    assert response.status_code == 201
    assert shape_problems(response.json(), ORDER) == []


def test_the_creation_answer_with_a_flow_is_as_declared(order):
    assert order["flowKey"] == "make-it" and len(order["tasks"]) == 1
    assert shape_problems(order, ORDER) == []


def test_orders_products_and_parts_read_and_listed_are_as_declared(key_client, order):
    product = key_client.get(f"/orders/{order['id']}").json()["products"][0]
    answers = {
        ORDER: [key_client.get(f"/orders/{order['id']}").json()],
        PRODUCT: [key_client.get(f"/products/{product['id']}").json()],
        PART: [key_client.get(f"/parts/{product['parts'][0]['id']}").json()],
        TASK: key_client.get(f"/orders/{order['id']}/tasks").json()["items"],
    }
    for shape, path in ((ORDER, "/orders"), (PRODUCT, "/products"), (PART, "/parts")):
        answers[shape] += key_client.get(path).json()["items"]

    assert answers[ORDER][0]["thumbnailUrl"] is not None and answers[ORDER][0]["tasks"]
    assert answers[PRODUCT][0]["thumbnailUrl"] is not None and answers[PRODUCT][0]["assets"]
    assert answers[PART][0]["thumbnailUrl"] is not None and answers[PART][0]["assets"]
    assert [len(documents) for documents in answers.values()] == [2, 4, 7, 1]
    for shape, documents in answers.items():
        for document in documents:
            assert shape_problems(document, shape) == []


def test_the_variables_of_a_task_are_as_declared(order):
    task = TaskRun.objects.select_related("order__space").get()
    version = FlowVersion.objects.select_related("flow").get()

    variables = templating.task_variables(
        order_doc=templating.order_document(task.order), task=task, flow_version=version
    )

    assert list(variables) == ["order", "products", "parts", "flow", "task"]
    assert shape_problems(variables["order"], ORDER, in_templates=True) == []
    assert variables["products"] == variables["order"]["products"]
    assert [part["name"] for part in variables["parts"]] == [
        f"Band {product}.{part}" for product in (1, 2, 3) for part in (1, 2)
    ]
    assert shape_problems(variables["task"], TASK, in_templates=True) == []
    assert variables["flow"] == {"key": "make-it", "name": "Make it", "version": 1}


def test_the_order_of_a_dry_run_on_a_sample_is_as_templates_see_it(key_client, flow):
    response = key_client.post(f"/flows/{flow['key']}/dry-run", {"order": order_body()})

    assert response.status_code == 200, response.content
    assert shape_problems(response.json()["order"], ORDER, in_templates=True) == []


def documented_variables() -> dict[str, list[str]]:
    """The variables docs/flows.md lists ("Variables"), each with the fields it names."""
    section = FLOWS_DOC.read_text().split("\n## Variables\n")[1].split("\n#")[0]
    listed = {}
    for item in re.findall(r"^- (.*?)(?=\n- |\n\n)", section, flags=re.S | re.M):
        for clause in item.split("; "):
            name, fields = clause.split(" — ")
            listed[name.strip("`")] = re.findall(r"`(\w+)`", fields)
    return listed


def test_the_documented_variables_are_those_declared():
    assert documented_variables() == {
        "order": [field.name for field in ORDER.template_fields],
        "products": [field.name for field in PRODUCT.template_fields],
        "parts": [field.name for field in PART.template_fields],
        "flow": ["key", "name", "version"],
        "task": [field.name for field in TASK.template_fields],
    }


@pytest.mark.parametrize("shape", list(MODELS), ids=lambda shape: shape.name)
def test_the_declared_columns_are_the_models_columns_of_that_kind(shape):
    columns = {field.attname: field for field in MODELS[shape]._meta.concrete_fields}
    for field in shape.fields:
        if field.column is None:
            assert field.kind in (Kind.URL, Kind.MANY, Kind.TEXT, Kind.ID), field.name
            continue
        column = columns[field.column]
        expected = COLUMN_TYPES[field.kind]
        if field.kind == Kind.ID and field.column != "id":
            column = column.target_field
        assert isinstance(column, expected), (shape.name, field.name)
        assert not column.null or field.is_nullable, (shape.name, field.name)
        if field.kind == Kind.CHOICE:
            assert column.choices == field.choices.choices, (shape.name, field.name)


def test_an_upload_and_a_task_call_answer_as_declared(key_client, order):
    uploaded = upload(key_client, f"/orders/{order['id']}/assets", png(), "side.png", "preview")
    confirmed = key_client.post(f"/tasks/{order['tasks'][0]['id']}/confirm", {})

    assert (uploaded.status_code, confirmed.status_code) == (201, 200)
    assert shape_problems(uploaded.json(), ASSET) == []
    assert confirmed.json()["status"] == "succeeded"
    assert shape_problems(confirmed.json(), TASK) == []
