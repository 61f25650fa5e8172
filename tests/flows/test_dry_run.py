"""A flow's dry run (`POST /api/v1/flows/{key}/dry-run`): what a flow would do on an order,
with nothing sent, written or called."""

import json
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from fabflow.flows import services as flow_services
from fabflow.flows.dryrun import duration_text
from fabflow.flows.registry import available_handlers
from fabflow.limits import TEMPLATE_RENDER_SECONDS
from fabflow.orders.services import create_order
from tests.api.conftest import ApiClient, bearer, order_body
from tests.conftest import ring_products

DEFINITION = [
    {
        "key": "prepare",
        "name": "Prepare",
        "tags": ["design"],
        "tasks": [
            {
                "key": "files",
                "handlerKey": "generate-production-files",
                "payload": {"fileFormat": "stl", "generator": "ring"},
                "timeoutDuration": 600000,
                "next": [
                    {
                        "key": "tell-shop",
                        "handlerKey": "send-email",
                        "payload": {
                            "recipient": ["shop@example.com", "{{ order.data.contact }}"],
                            "subject": "Order {{ order.name }}\n in production",
                            "body": "{{ order.name }}: {{ products|length }} products.",
                            "attachFiles": True,
                        },
                    }
                ],
            },
            {
                "key": "notify",
                "handlerKey": "consume-rest-api",
                "payload": {
                    "uri": "{{ order.data.hook }}",
                    "headers": {"Authorization": "Bearer shop-secret", "X-Shop": "rings"},
                    "sendsFeedback": True,
                },
                "timeoutDuration": 90061001,
            },
        ],
    },
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {
                "key": "print",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 86400000,
                "payload": {"title": "Print {{ order.name }}", "tags": ["printing"]},
                "next": [
                    {"key": "cool", "handlerKey": "wait", "payload": {"duration": 60000}},
                    {"key": "ship", "handlerKey": "export-files", "payload": {"target": "floor"}},
                ],
            }
        ],
    },
]


def table_counts() -> dict:
    """The number of rows of every table of the flows, orders and files apps."""
    return {
        model._meta.db_table: model.objects.count()
        for label in ("flows", "orders", "files")
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def outside(settings, smtp_server, receiver):
    """Mail goes to the real SMTP server and connectors may reach the real receiver: a dry run
    that sent or called anything would be seen there."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True
    settings.FABFLOW_PUBLIC_URL = "https://fabflow.example"
    settings.DEFAULT_FROM_EMAIL = "Fabflow <orders@fabflow.example>"
    return SimpleNamespace(mail=smtp_server, receiver=receiver)


@pytest.fixture
def flow(admin_actor, space):
    return flow_services.create_flow(
        actor=admin_actor, space=space, name="Ring production", definition=DEFINITION
    )


@pytest.fixture
def key_client(secret_key):
    return ApiClient(Client(), bearer(secret_key.secret))


def sample(receiver) -> dict:
    return order_body(
        "WEB-1001", data={"contact": "ada@example.com", "hook": receiver.url("/orders")}
    )


def dry_run(client, body, flow_key="ring-production"):
    return client.post(f"/flows/{flow_key}/dry-run", body)


def test_a_sample_order_shows_every_task_and_nothing_is_done(outside, flow, key_client):
    smtp_server, receiver = outside.mail, outside.receiver
    before = table_counts()

    response = dry_run(key_client, {"order": sample(receiver)})

    assert response.status_code == 200, response.content
    plan = response.json()
    assert table_counts() == before
    assert smtp_server.messages == [] and mail.outbox == []
    assert receiver.calls == []
    assert (plan["flowKey"], plan["version"], plan["isDraft"], plan["errors"]) == (
        "ring-production",
        1,
        False,
        [],
    )
    assert [(stage["key"], stage["tags"]) for stage in plan["stages"]] == [
        ("prepare", ["design"]),
        ("make", []),
    ]
    tasks = {task["key"]: task for stage in plan["stages"] for task in stage["tasks"]}
    assert [
        (task["key"], task["path"], task["startsAfter"], task["kind"], task["waitsFor"])
        for stage in plan["stages"]
        for task in stage["tasks"]
    ] == [
        ("files", "stages[0].tasks[0]", None, "automatic", None),
        ("tell-shop", "stages[0].tasks[0].next[0]", "files", "automatic", None),
        ("notify", "stages[0].tasks[1]", None, "automatic", "feedback"),
        ("print", "stages[1].tasks[0]", None, "manual", "person"),
        ("cool", "stages[1].tasks[0].next[0]", "print", "wait", None),
        ("ship", "stages[1].tasks[0].next[1]", "print", "automatic", None),
    ]
    assert tasks["tell-shop"]["effects"] == {
        "email": {
            "from": "Fabflow <orders@fabflow.example>",
            "to": ["shop@example.com", "ada@example.com"],
            "subject": "Order WEB-1001 in production",
            "body": "WEB-1001: 3 products.",
            "attachments": [],
        }
    }
    request = tasks["notify"]["effects"]["request"]
    assert (request["method"], request["url"]) == ("POST", receiver.url("/orders"))
    assert request["headers"] == {
        "Authorization": "(hidden)",
        "X-Shop": "rings",
        "Content-Type": "application/json",
        "User-Agent": "Fabflow",
        "X-Fabflow-Event": "task",
        "X-Fabflow-Delivery": "(one per attempt)",
        "X-Fabflow-Signature": "(signed)",
    }
    assert request["body"]["order"]["name"] == "WEB-1001"
    assert request["body"]["order"]["value"] == "63.00"
    assert request["body"]["order"]["updateUrl"] == (
        "https://fabflow.example/api/v1/feedback/(token)"
    )
    assert [product["name"] for product in request["body"]["order"]["products"]] == [
        "Ring 1",
        "Ring 2",
        "Ring 3",
    ]
    assert "shop-secret" not in response.content.decode()
    assert (tasks["files"]["timeoutMs"], tasks["files"]["timeout"]) == (
        600000,
        "10 minutes after the task starts",
    )
    assert tasks["notify"]["timeout"] == "1 day 1 hour 1 minute 1 second 1 ms after the task starts"
    assert tasks["tell-shop"]["timeout"] is None
    assert tasks["files"]["effects"] == {
        "generates": {
            "fileFormat": "stl",
            "generator": "ring",
            "products": ["Ring 1", "Ring 2", "Ring 3"],
        }
    }
    assert (tasks["print"]["title"], tasks["print"]["tags"]) == ("Print WEB-1001", ["printing"])
    assert tasks["print"]["effects"] == {
        "title": "Print WEB-1001",
        "description": "",
        "tags": ["printing"],
    }
    assert tasks["cool"]["effects"] == {"waits": {"durationMs": 60000}}
    assert tasks["ship"]["effects"] == {"exports": {"target": "floor", "files": []}}
    assert tasks["ship"]["problems"] == ["No export target is named 'floor'"]


def test_an_existing_order_lists_its_production_files_as_attachments(
    outside, flow, admin_actor, space, key_client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fabflow.files.services import add_asset

    smtp_server, receiver = outside.mail, outside.receiver
    order = create_order(
        actor=admin_actor,
        space=space,
        name="WEB-7",
        products=ring_products(1, 1),
        data={"contact": "bo@example.com", "hook": receiver.url()},
    ).order
    add_asset(
        actor=admin_actor,
        owner_type="product",
        owner_id=order.products.get().pk,
        upload=SimpleUploadedFile("ring-1.stl", b"solid ring\nendsolid\n"),
        kind="production",
    )
    before = table_counts()

    response = dry_run(key_client, {"orderId": str(order.pk)})

    assert response.status_code == 200, response.content
    assert table_counts() == before
    assert smtp_server.messages == [] and receiver.calls == []
    tasks = {task["key"]: task for stage in response.json()["stages"] for task in stage["tasks"]}
    assert tasks["tell-shop"]["effects"]["email"]["attachments"] == ["ring-1.stl"]
    assert tasks["tell-shop"]["effects"]["email"]["to"] == ["shop@example.com", "bo@example.com"]
    assert tasks["ship"]["effects"]["exports"]["files"] == ["ring-1.stl"]
    assert response.json()["order"]["id"] == str(order.pk)


def test_a_draft_is_planned_instead_of_the_saved_version(outside, flow, key_client):
    receiver = outside.receiver
    draft = [
        {"key": "only", "tasks": [{"key": "nap", "handlerKey": "wait", "payload": {"duration": 5}}]}
    ]

    plan = dry_run(key_client, {"definition": draft, "order": sample(receiver)}).json()

    assert (plan["version"], plan["isDraft"]) == (2, True)
    assert [[task["key"] for task in stage["tasks"]] for stage in plan["stages"]] == [["nap"]]
    assert plan["stages"][0]["tasks"][0]["effects"] == {"waits": {"durationMs": 5}}
    assert flow.versions.count() == 1


def test_a_template_error_names_the_task_path_and_the_line(outside, flow, key_client):
    receiver = outside.receiver
    draft = [
        {"key": "one", "tasks": [{"key": "nap", "handlerKey": "wait", "payload": {"duration": 5}}]},
        {
            "key": "two",
            "tasks": [
                {
                    "key": "mail",
                    "handlerKey": "send-email",
                    "payload": {
                        "recipient": ["a@example.com"],
                        "subject": "Order\n{{ order.name }}\n{{ order.missing.deeper }}",
                        "body": "",
                    },
                }
            ],
        },
    ]
    before = table_counts()

    response = dry_run(key_client, {"definition": draft, "order": sample(receiver)})

    assert response.status_code == 200
    assert table_counts() == before
    errors = response.json()["errors"]
    assert [(error["taskKey"], error["path"], error["line"]) for error in errors] == [
        ("mail", "stages[1].tasks[0].payload.subject", 3)
    ]
    assert "UndefinedError" in errors[0]["message"]
    mail_task = response.json()["stages"][1]["tasks"][0]
    assert mail_task["error"] == {key: errors[0][key] for key in ("path", "line", "message")}
    assert mail_task["effects"] == {}


def test_a_rendered_payload_its_handler_refuses_is_an_error_at_its_field(outside, flow, key_client):
    receiver = outside.receiver
    draft = [
        {
            "key": "one",
            "tasks": [
                {
                    "key": "ask",
                    "handlerKey": "manual-confirmation",
                    "payload": {"title": "{{ '' }}"},
                }
            ],
        }
    ]

    errors = dry_run(key_client, {"definition": draft, "order": sample(receiver)}).json()["errors"]

    assert [(error["path"], error["line"]) for error in errors] == [
        ("stages[0].tasks[0].payload.title", None)
    ]
    assert errors[0]["message"].startswith("The rendered payload is not valid:")


def test_templates_run_under_one_render_budget(outside, flow, key_client, settings):
    receiver = outside.receiver
    endless = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}x"
    draft = [
        {
            "key": "one",
            "tasks": [
                {
                    "key": f"slow-{index}",
                    "handlerKey": "manual-confirmation",
                    "payload": {"title": endless},
                }
                for index in range(3)
            ],
        }
    ]

    response = dry_run(key_client, {"definition": draft, "order": sample(receiver)})

    assert response.status_code == 200
    errors = response.json()["errors"]
    assert [(error["taskKey"], error["path"]) for error in errors] == [
        ("slow-0", "stages[0].tasks[0].payload.title"),
        ("slow-1", "stages[0].tasks[1].payload"),
        ("slow-2", "stages[0].tasks[2].payload"),
    ]
    assert errors[0]["message"] == (
        f"The payload's templates ran past their budget of {TEMPLATE_RENDER_SECONDS:g} s "
        "and were stopped"
    )
    assert errors[1]["message"].startswith("Not rendered: the dry run's templates have spent")


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"name": ""}, ["body", "order", "name"]),
        ({"products": []}, ["body", "order", "products"]),
        ({"value": "1.001"}, ["body", "order", "value"]),
        ({"tags": ["x" * 51]}, ["body", "order", "tags", 0]),
        ({"addresses": [{"city": "Gent"}] * 21}, ["body", "order", "addresses"]),
    ],
)
def test_a_sample_order_is_validated_as_order_creation_validates(
    outside, flow, key_client, change, loc
):
    receiver = outside.receiver
    body = {**sample(receiver), **change}
    before = table_counts()

    created = key_client.post("/orders", body)
    response = dry_run(key_client, {"order": body})

    assert created.status_code == response.status_code == 422
    assert created.json()["detail"][0]["loc"] == [loc[0], *loc[2:]]
    assert response.json()["detail"][0]["loc"] == loc
    assert response.json()["detail"][0]["msg"] == created.json()["detail"][0]["msg"]
    assert table_counts() == before


def test_a_product_the_service_refuses_is_named_inside_the_sample(outside, flow, key_client):
    receiver = outside.receiver
    body = sample(receiver)
    body["products"][1]["parts"][0]["name"] = "   "

    response = dry_run(key_client, {"order": body})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == [
        "body",
        "order",
        "products",
        1,
        "parts",
        0,
        "name",
    ]


@pytest.mark.parametrize(
    ("body", "status", "loc"),
    [
        ({}, 422, ["body"]),
        ({"orderId": "01939d7e-0000-7000-8000-000000000000", "order": {}}, 422, None),
        ({"orderId": "01939d7e-0000-7000-8000-000000000000"}, 404, []),
        ({"definition": [], "order": None}, 422, ["body", "definition"]),
    ],
)
def test_refusals_write_nothing(outside, flow, key_client, body, status, loc):
    smtp_server, receiver = outside.mail, outside.receiver
    if body.get("order", "") is None:
        body = {**body, "order": sample(receiver)}
    before = table_counts()

    response = dry_run(key_client, body)

    assert response.status_code == status, response.content
    if loc is not None:
        assert response.json()["detail"][0]["loc"] == loc
    assert table_counts() == before
    assert smtp_server.messages == [] and receiver.calls == []


def test_a_draft_keeps_to_the_bounds_of_a_saved_flow(outside, flow, key_client):
    receiver = outside.receiver
    too_many = [{"key": f"s{index}", "tasks": []} for index in range(101)]

    response = dry_run(key_client, {"definition": too_many, "order": sample(receiver)})

    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body", "definition"],
        "msg": "A flow has at most 100 stages",
        "type": "invalid_input",
    }


def test_another_organization_or_space_gets_404(outside, flow, key_client, stranger_client):
    receiver = outside.receiver

    assert dry_run(stranger_client, {"order": sample(receiver)}).status_code == 404
    elsewhere = ApiClient(key_client.client, {})  # no key at all
    assert dry_run(elsewhere, {"order": sample(receiver)}).status_code == 401


def test_an_order_of_another_space_cannot_run_the_flow(outside, flow, admin_actor, other_space):
    from fabflow.errors import InvalidInput
    from fabflow.flows.dryrun import dry_run_flow

    lamp = create_order(
        actor=admin_actor, space=other_space, name="LAMP-1", products=ring_products(1, 0)
    ).order
    before = table_counts()

    with pytest.raises(InvalidInput) as refused:
        dry_run_flow(actor=admin_actor, flow_key=flow.key, order_id=lamp.pk)

    assert refused.value.field == ("order_id",)
    assert table_counts() == before


@pytest.fixture
def stranger_client(stranger, stranger_space):
    from fabflow.accounts import services as account_services
    from fabflow.accounts.actors import Actor

    stranger_key = account_services.create_secret_key(
        actor=Actor.for_user(stranger), space=stranger_space, name="Stranger shop"
    )
    return ApiClient(Client(), bearer(stranger_key.secret))


def test_every_handler_describes_itself_for_a_dry_run():
    missing = [handler.key for handler in available_handlers() if handler.describe is None]

    assert missing == []


@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [(1, "1 ms"), (1000, "1 second"), (90000, "1 minute 30 seconds"), (172800000, "2 days")],
)
def test_durations_read_in_words(milliseconds, text):
    assert duration_text(milliseconds) == text


def test_the_editor_offers_the_newest_orders_of_the_flow_s_space(
    flow, admin, admin_actor, space, other_space
):
    for name in ("WEB-1", "WEB-2"):
        create_order(actor=admin_actor, space=space, name=name, products=ring_products(1, 0))
    create_order(actor=admin_actor, space=other_space, name="LAMP-1", products=ring_products(1, 0))
    client = Client()
    client.force_login(admin)

    page = client.get(f"/flows/{space.key}/{flow.key}/").content.decode()

    panel = page[page.index('id="dry-run"') : page.index('id="dry-run-result"')]
    assert 'data-url="/api/v1/flows/ring-production/dry-run?spaceKey=rings"' in panel
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', panel)
    assert [name for _, name in options] == ["A sample order (below)", "WEB-2", "WEB-1"]
    assert "&quot;name&quot;: &quot;SAMPLE-1001&quot;" in panel


def test_a_saved_version_that_no_longer_passes_the_checks_is_a_conflict(outside, flow, key_client):
    receiver = outside.receiver
    version = flow.versions.get()
    stored = json.loads(json.dumps(version.definition))
    stored[1]["tasks"][0]["handlerKey"] = "uninstalled-plugin"
    type(version).objects.filter(pk=version.pk).update(definition=stored)
    before = table_counts()

    response = dry_run(key_client, {"order": sample(receiver)})

    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"].startswith(
        "The flow 'ring-production' as saved no longer passes the checks (Unknown handlerKey"
    )
    assert table_counts() == before


def test_a_handler_whose_description_fails_shows_it_on_its_task(
    outside, flow, key_client, monkeypatch
):
    from fabflow.flows.handlers import wait
    from fabflow.flows.registry import clear_handler_cache

    def broken(context):
        raise RuntimeError("no idea")

    monkeypatch.setattr(wait, "describe", broken)
    clear_handler_cache()
    try:
        response = dry_run(key_client, {"order": sample(outside.receiver)})
    finally:
        monkeypatch.undo()
        clear_handler_cache()

    assert response.status_code == 200
    tasks = {task["key"]: task for stage in response.json()["stages"] for task in stage["tasks"]}
    assert tasks["cool"]["problems"] == ["The handler could not describe the task: no idea"]
    assert tasks["cool"]["effects"] == {}
    assert tasks["print"]["waitsFor"] == "person"
