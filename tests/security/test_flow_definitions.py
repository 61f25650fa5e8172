"""Flow definitions are refused at save when they cannot run safely, and a stored definition
beyond the bounds (written by hand, or before them) takes no list or page down."""

import json

import pytest
from django.db import connection
from django.test import Client

from fabflow import limits
from fabflow.errors import InvalidInput
from fabflow.flows import services
from fabflow.flows.models import FlowRun, FlowVersion, OrderFlow, TaskRun
from fabflow.orders.models import Order
from tests.api.conftest import ApiClient, bearer
from tests.conftest import ring_products

LOC = ("definition",)


def wait_task(key: str, next_tasks=()) -> dict:
    return {"key": key, "handlerKey": "wait", "payload": {"duration": 0}, "next": list(next_tasks)}


def chain(levels: int) -> list:
    """One stage whose task has `levels` levels of tasks below it through `next`."""
    task = wait_task(f"t{levels}")
    for level in range(levels - 1, -1, -1):
        task = wait_task(f"t{level}", [task])
    return [{"key": "deep", "tasks": [task]}]


def mail(body: str, key="mail") -> dict:
    return {
        "key": key,
        "handlerKey": "send-email",
        "payload": {"recipient": ["shop@example.com"], "subject": "Order", "body": body},
    }


def rows() -> tuple:
    return (OrderFlow.objects.count(), FlowVersion.objects.count())


def refusal(admin_actor, space, definition) -> tuple:
    before = rows()
    with pytest.raises(InvalidInput) as caught:
        services.create_flow(actor=admin_actor, space=space, name="Hostile", definition=definition)
    assert rows() == before
    return caught.value.field, caught.value.message


@pytest.fixture
def key_client(secret_key):
    return ApiClient(Client(), bearer(secret_key.secret))


def test_next_chains_nest_at_most_sixteen_levels(admin_actor, space):
    assert services.create_flow(
        actor=admin_actor, space=space, name="Sixteen levels", definition=chain(16)
    )
    path_to_17 = (*LOC, 0, "tasks", 0, *(["next", 0] * 17))
    expected = (path_to_17, "Tasks nest at most 16 levels deep through next")
    assert refusal(admin_actor, space, chain(17)) == expected
    # Far deeper than Python's recursion limit: refused at the same place, not a crash.
    assert refusal(admin_actor, space, chain(5000)) == expected


def test_a_deep_chain_through_the_api_is_a_422_and_writes_nothing(key_client, space):
    for levels in (17, 300):
        response = key_client.post("/flows", {"name": "Deep chain", "definition": chain(levels)})
        assert response.status_code == 422, response.content
        assert rows() == (0, 0)
    response = key_client.post("/flows", {"name": "Deep chain", "definition": chain(17)})
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "definition", 0, "tasks", 0, *(["next", 0] * 17)]
    assert detail["msg"] == "Tasks nest at most 16 levels deep through next"


def test_tasks_in_total_nesting_and_size_are_bounded(admin_actor, space):
    many = [{"key": "many", "tasks": [wait_task(f"w{index}") for index in range(501)]}]
    assert refusal(admin_actor, space, many) == (
        (*LOC, 0, "tasks", 500),
        "A flow has at most 500 tasks",
    )
    headers = "x"
    for _ in range(40):
        headers = {"h": headers}
    call = {"key": "call", "handlerKey": "consume-rest-api", "payload": {"headers": headers}}
    assert refusal(admin_actor, space, [{"key": "s", "tasks": [call]}]) == (
        (*LOC, 0, "tasks", 0, "payload", "headers", *["h"] * 34),
        f"A flow definition nests at most {limits.MAX_FLOW_DEFINITION_DEPTH} levels deep",
    )
    large = [{"key": "s", "tasks": [mail("x" * 90_000, key=f"m{i}") for i in range(3)]}]
    assert refusal(admin_actor, space, large) == (
        LOC,
        "A flow definition has at most 262,144 bytes of JSON",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{{ order.__class__ }}",
            "line 1: '__class__' starts with '_'; such names are not reachable",
        ),
        (
            "{{ order['_secret'] }}",
            "line 1: '_secret' starts with '_'; such names are not reachable",
        ),
        ("{{ order.name|shout }}", "line 1: No filter named 'shout'."),
        ("{% if order.name is loud %}!{% endif %}", "line 1: No test named 'loud'."),
        (
            "Hi\n{{ order.name ",
            "line 2: unexpected end of template, expected 'end of print statement'.",
        ),
        ("{% include 'other' %}", "line 1: a template cannot include, import or extend another"),
        ("{{ " + "(" * 2000 + "1" + ")" * 2000 + " }}", "the template nests too deeply"),
        ("{{ order.name }}" * 1500, "a template has at most 20,000 characters"),
        (
            "{{ " + "a ~ " * 2000 + "a }}",
            "a template has at most 2,000 parts (names, filters, tags, texts)",
        ),
    ],
)
def test_templates_are_compiled_at_save_and_refused_with_their_path(
    admin_actor, space, body, message
):
    definition = [{"key": "s", "tasks": [{**wait_task("first"), "next": [mail(body)]}]}]
    assert refusal(admin_actor, space, definition) == (
        (*LOC, 0, "tasks", 0, "next", 0, "payload", "body"),
        f"Template error: {message}",
    )


def test_a_template_error_through_the_api_names_its_path(key_client):
    definition = [
        {"key": "s", "tasks": [{**wait_task("first"), "next": [mail("{{ x.__dict__ }}")]}]}
    ]
    response = key_client.post("/flows", {"name": "Bad template", "definition": definition})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == [
        "body",
        "definition",
        0,
        "tasks",
        0,
        "next",
        0,
        "payload",
        "body",
    ]
    assert rows() == (0, 0)


def store_by_hand(version: FlowVersion, text: str) -> None:
    """Write a version's definition as raw JSON text, past every check."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE flows_flowversion SET definition = %s{'::jsonb' if connection.vendor == 'postgresql' else ''} WHERE id = %s",
            [text, version.pk.hex if connection.vendor == "sqlite" else version.pk],
        )


def deep_text(levels: int) -> str:
    task = '{"key": "t", "handlerKey": "wait", "payload": {"duration": 0}, "next": []}'
    for _ in range(levels):
        task = (
            f'{{"key": "t", "handlerKey": "wait", "payload": {{"duration": 0}}, "next": [{task}]}}'
        )
    return f'[{{"key": "deep", "tasks": [{task}]}}]'


# 490 levels make JSON 984 deep: as deep as SQLite stores, deeper than Python decodes.
@pytest.mark.parametrize("levels", [300, 490])
def test_a_stored_deep_definition_takes_no_list_page_or_order_down(
    admin, admin_actor, space, key_client, levels
):
    services.create_flow(actor=admin_actor, space=space, name="Kept flow", definition=chain(1))
    flow = services.create_flow(
        actor=admin_actor, space=space, name="Deep flow", definition=chain(1)
    )
    store_by_hand(flow.latest_version(), deep_text(levels))

    listed = key_client.get("/flows")
    assert listed.status_code == 200
    assert [(item["key"], item["definition"] == []) for item in listed.json()["items"]] == [
        ("deep-flow", True),
        ("kept-flow", False),
    ]
    assert key_client.get("/flows/deep-flow").json()["definition"] == []
    browser = Client()
    browser.force_login(admin)
    assert browser.get("/flows/").status_code == 200
    assert browser.get("/flows/rings/deep-flow/").status_code == 200

    # Starting it is refused with a reason, and the order is not created half-way.
    response = key_client.post(
        "/orders",
        {
            "name": "R-1",
            "flowKey": "deep-flow",
            "products": [{"name": "Ring", "units": 1, "unitValue": "1.00"}],
        },
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"][0]["msg"] == (
        "The flow 'deep-flow' cannot run: its stored definition is beyond the bounds of a flow; "
        "save it again"
    )
    assert (Order.objects.count(), FlowRun.objects.count(), TaskRun.objects.count()) == (0, 0, 0)
    from fabflow.orders.services import create_order

    order = create_order(actor=admin_actor, space=space, name="R-2", products=ring_products()).order
    response = key_client.post(f"/orders/{order.pk}/flow", {"flowKey": "deep-flow"})
    assert response.status_code == 409
    assert FlowRun.objects.count() == 0
    assert browser.get(f"/orders/{order.pk}/").status_code == 200
    assert json.loads(key_client.get(f"/orders/{order.pk}").content)["status"] == "created"
