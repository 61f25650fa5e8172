"""The Order flows page, its "+" dialog and the JSON editor, through Django's test client."""

import json

import pytest

from fabflow.flows import services as flow_services
from fabflow.flows.models import FlowVersion, OrderFlow
from fabflow.flows.views import STARTER_DEFINITION

MANUAL = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {"key": "print", "handlerKey": "manual-confirmation", "payload": {"title": "Print it"}}
        ],
    }
]


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def flow(admin_actor, space):
    return flow_services.create_flow(
        actor=admin_actor, space=space, name="Print and ship", definition=MANUAL
    )


def test_the_page_lists_the_flows_of_the_organization_only(
    signed_in, flow, stranger, stranger_space
):
    from fabflow.accounts.actors import Actor

    flow_services.create_flow(
        actor=Actor.for_user(stranger), space=stranger_space, name="Their flow", definition=MANUAL
    )
    response = signed_in.get("/flows/")
    assert response.status_code == 200
    assert [(f.space.key, f.name, f.version) for f in response.context["flows"]] == [
        ("rings", "Print and ship", 1)
    ]
    page = response.content.decode()
    assert 'href="/flows/rings/print-and-ship/"' in page
    assert "Their flow" not in page
    assert 'data-dialog-open="new-flow"' in page


def test_the_dialog_creates_a_flow_and_opens_it_in_the_editor(signed_in, space):
    response = signed_in.post("/flows/new/", {"name": "Rings made to order", "space": space.pk})
    assert response.status_code == 303
    assert response["Location"] == "/flows/rings/rings-made-to-order/"
    flow = OrderFlow.objects.get()
    assert (flow.name, flow.space_id, flow.key) == (
        "Rings made to order",
        space.pk,
        "rings-made-to-order",
    )
    assert flow.latest_version().number == 1
    editor = signed_in.get(response["Location"])
    assert editor.status_code == 200
    assert json.loads(editor.context["form"].initial["definition"]) == json.loads(
        json.dumps(flow.latest_version().definition)
    )
    assert flow.latest_version().definition[0]["key"] == STARTER_DEFINITION[0]["key"]


def test_a_short_name_is_refused_in_place_and_keeps_what_was_typed(signed_in, space):
    response = signed_in.post("/flows/new/", {"name": "Ring", "space": space.pk})
    assert response.status_code == 422
    assert response.context["form"].errors == {"name": ["A flow name has at least 5 characters."]}
    page = response.content.decode()
    assert 'value="Ring"' in page
    assert "data-open-on-load" in page
    assert OrderFlow.objects.count() == 0


def test_a_duplicate_name_is_refused_in_place(signed_in, space, flow):
    response = signed_in.post("/flows/new/", {"name": "Print and ship", "space": space.pk})
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "name": ["A flow with the key 'print-and-ship' already exists in this space"]
    }
    assert OrderFlow.objects.count() == 1


def test_another_organizations_space_cannot_be_chosen(signed_in, stranger_space):
    response = signed_in.post("/flows/new/", {"name": "Sneaky flow", "space": stranger_space.pk})
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["space"]
    assert OrderFlow.objects.count() == 0


def test_saving_makes_a_new_version_and_keeps_the_history(signed_in, flow):
    changed = [{**MANUAL[0], "name": "Make it"}]
    response = signed_in.post("/flows/rings/print-and-ship/", {"definition": json.dumps(changed)})
    assert response.status_code == 303
    assert [v.number for v in FlowVersion.objects.filter(flow=flow).order_by("number")] == [1, 2]
    assert flow.latest_version().definition[0]["name"] == "Make it"
    page = signed_in.get("/flows/rings/print-and-ship/")
    assert [item["version"].number for item in page.context["versions"]] == [2, 1]
    assert "Saved version 2 of Print and ship." in page.content.decode()


def test_the_server_check_reports_the_path_of_the_error_and_keeps_the_text(signed_in, flow):
    broken = [
        {
            "key": "make",
            "tasks": [{"key": "print", "handlerKey": "manual-confirmation", "payload": {}}],
        }
    ]
    text = json.dumps(broken, indent=2)
    response = signed_in.post("/flows/rings/print-and-ship/", {"definition": text})
    assert response.status_code == 422
    assert response.context["server_errors"] == [
        {
            "path": [0, "tasks", 0, "payload", "title"],
            "message": "manual-confirmation: title is required",
        }
    ]
    assert response.context["form"]["definition"].value() == text
    assert FlowVersion.objects.filter(flow=flow).count() == 1


def test_text_that_is_not_json_is_refused_with_its_line(signed_in, flow):
    response = signed_in.post("/flows/rings/print-and-ship/", {"definition": '[\n  {"key": }\n]'})
    assert response.status_code == 422
    assert response.context["form"].errors["definition"] == [
        "Line 2, column 11: this is not valid JSON (Expecting value)"
    ]
    assert FlowVersion.objects.filter(flow=flow).count() == 1


def test_the_editor_embeds_the_published_schema(signed_in, flow):
    from fabflow.flows.schema import flow_json_schema

    response = signed_in.get("/flows/rings/print-and-ship/")
    assert response.context["schema"] == flow_json_schema()
    assert 'id="flow-schema"' in response.content.decode()
    assert "vendor/flow-editor.js" in response.content.decode()


def test_another_organizations_flow_is_not_found(client, stranger, flow):
    client.force_login(stranger)
    assert client.get("/flows/rings/print-and-ship/").status_code == 404
    response = client.post("/flows/rings/print-and-ship/", {"definition": json.dumps(MANUAL)})
    assert response.status_code == 404
    assert FlowVersion.objects.filter(flow=flow).count() == 1


def test_the_pages_need_a_signed_in_user(client, flow):
    assert client.get("/flows/")["Location"] == "/sign-in/?next=/flows/"
    assert client.post("/flows/new/", {"name": "Anonymous flow"}).status_code == 302
    assert OrderFlow.objects.count() == 1


def test_the_editor_shows_a_definition_s_text_as_written(signed_in, admin_actor, space):
    """≥ and é read as themselves in the editor and the version history, not as \\u escapes."""
    written = [
        {
            **MANUAL[0],
            "tasks": [{**MANUAL[0]["tasks"][0], "payload": {"title": "Wall ≥ 1 mm, café"}}],
        }
    ]
    flow_services.create_flow(actor=admin_actor, space=space, name="Thin walls", definition=written)
    page = signed_in.get("/flows/rings/thin-walls/").content.decode()
    assert page.count("Wall ≥ 1 mm, café") == 2  # the editor and version 1
    assert "\\u2265" not in page


@pytest.mark.django_db(transaction=True)
def test_a_definition_stored_with_a_lone_surrogate_does_not_take_the_editor_down(signed_in, flow):
    """SQLite keeps JSON as text, so a definition written by hand can hold a lone surrogate,
    which no UTF-8 page can carry (a PostgreSQL jsonb column refuses it): it reads as invalid."""
    from django.db import connection

    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    broken = json.dumps(MANUAL).replace("Print it", "\\ud800")
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{FlowVersion._meta.db_table}" SET definition = %s', [broken])
    response = signed_in.get("/flows/rings/print-and-ship/")
    assert response.status_code == 200
    assert "Print it" not in response.content.decode()
