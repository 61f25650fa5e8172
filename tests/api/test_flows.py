"""REST API v1: flows, their versions and JSON Schema, starting flows and the task calls."""

import pytest

from fabflow.flows.models import FlowRun, FlowVersion, OrderFlow, TaskRun
from fabflow.orders.models import Order, OrderEvent
from tests.api.conftest import order_body

DEFINITION = [
    {
        "key": "make",
        "name": "Make",
        "tags": ["printing"],
        "tasks": [
            {
                "key": "print",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 86400000,
                "payload": {"title": "Print and check the parts"},
            }
        ],
    }
]


def flow_rows() -> tuple[int, int, int, int]:
    return (
        OrderFlow.objects.count(),
        FlowVersion.objects.count(),
        FlowRun.objects.count(),
        TaskRun.objects.count(),
    )


@pytest.fixture
def flow(key_client):
    response = key_client.post("/flows", {"name": "Make it", "definition": DEFINITION})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_read_list_and_version_a_flow(key_client, flow):
    assert flow["key"] == "make-it"
    assert flow["name"] == "Make it"
    assert flow["spaceKey"] == "rings"
    assert flow["version"] == 1
    assert flow["definition"][0]["tasks"][0]["key"] == "print"
    assert key_client.get("/flows/make-it").json() == flow
    assert key_client.get("/flows").json() == {"items": [flow], "nextCursor": None}

    changed = [dict(DEFINITION[0], name="Make and check")]
    response = key_client.put("/flows/make-it", {"definition": changed})

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["definition"][0]["name"] == "Make and check"
    assert response.json()["name"] == "Make it"
    assert FlowVersion.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"handlerKey": "teleport"}, ["body", "definition", 0, "tasks", 0, "handlerKey"]),
        ({"timeoutDuration": -5}, ["body", "definition", 0, "tasks", 0, "timeoutDuration"]),
        ({"timeoutDuration": "soon"}, ["body", "definition", 0, "tasks", 0, "timeoutDuration"]),
        ({"payload": {}}, ["body", "definition", 0, "tasks", 0, "payload", "title"]),
    ],
)
def test_bad_definitions_name_the_json_path(key_client, change, loc):
    definition = [dict(DEFINITION[0], tasks=[dict(DEFINITION[0]["tasks"][0], **change)])]

    response = key_client.post("/flows", {"name": "Make it", "definition": definition})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert flow_rows() == (0, 0, 0, 0)


def test_duplicate_task_keys_are_refused(key_client, flow):
    task = DEFINITION[0]["tasks"][0]
    definition = [dict(DEFINITION[0], tasks=[task, task])]

    response = key_client.put("/flows/make-it", {"definition": definition})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "definition", 0, "tasks", 1, "key"]
    assert FlowVersion.objects.count() == 1


def test_name_and_space_cannot_change_and_there_is_no_delete(key_client, flow):
    response = key_client.put("/flows/make-it", {"definition": DEFINITION, "name": "Other"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert key_client.call("delete", "/flows/make-it").status_code == 405
    assert (
        key_client.post("/flows", {"name": "Make it", "definition": DEFINITION}).status_code == 409
    )
    assert OrderFlow.objects.get().name == "Make it"


def test_the_flow_json_schema_is_published(client, db):
    response = client.get("/api/v1/schemas/flow.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "array"


def test_an_order_created_with_a_flow_starts_it(key_client, flow):
    response = key_client.post("/orders", order_body(flowKey="make-it"))

    assert response.status_code == 201
    body = response.json()
    assert body["flowKey"] == "make-it"
    assert body["status"] == "in_progress"
    assert [(task["key"], task["stageKey"], task["handlerKey"]) for task in body["tasks"]] == [
        ("print", "make", "manual-confirmation")
    ]
    tasks = key_client.get(f"/orders/{body['id']}/tasks").json()["items"]
    assert tasks == body["tasks"]
    assert tasks[0]["status"] == "waiting" and tasks[0]["overdue"] is False

    again = key_client.post(f"/orders/{body['id']}/flow", {"flowKey": "make-it"})
    assert again.status_code == 409
    assert FlowRun.objects.count() == 1


def test_an_unknown_flow_creates_no_order(key_client, flow):
    response = key_client.post("/orders", order_body(flowKey="no-such-flow"))

    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "flowKey"]
    assert Order.objects.count() == 0
    assert OrderEvent.objects.count() == 0


def test_start_a_flow_on_an_existing_order(key_client, flow):
    order = key_client.post("/orders", order_body()).json()

    response = key_client.post(f"/orders/{order['id']}/flow", {"flowKey": "make-it"})

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert len(response.json()["tasks"]) == 1
    assert order["flowKey"] is None
    assert key_client.get(f"/orders/{order['id']}").json()["flowKey"] == "make-it"


def test_confirm_a_waiting_task(key_client, flow):
    order = key_client.post("/orders", order_body(flowKey="make-it")).json()
    task_id = order["tasks"][0]["id"]

    response = key_client.post(f"/tasks/{task_id}/confirm", {"comment": "Looks good"})

    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"
    assert key_client.get(f"/orders/{order['id']}").json()["status"] == "success"
    before = list(TaskRun.objects.values())
    assert key_client.post(f"/tasks/{task_id}/confirm", {}).status_code == 409
    assert key_client.post(f"/tasks/{task_id}/reject", {"reason": "late"}).status_code == 409
    assert key_client.post(f"/tasks/{task_id}/skip").status_code == 409
    assert list(TaskRun.objects.values()) == before


def test_reject_then_skip_a_task(key_client, flow):
    order = key_client.post("/orders", order_body(flowKey="make-it")).json()
    task_id = order["tasks"][0]["id"]
    assert key_client.post(f"/tasks/{task_id}/reject", {}).status_code == 422

    rejected = key_client.post(f"/tasks/{task_id}/reject", {"reason": "Cracked band"})

    assert rejected.status_code == 200
    assert rejected.json()["status"] == "failed"
    assert rejected.json()["error"] == "Cracked band"
    assert key_client.get(f"/orders/{order['id']}").json()["status"] == "failure"
    skipped = key_client.post(f"/tasks/{task_id}/skip")
    assert skipped.status_code == 200
    assert skipped.json()["status"] == "skipped"
    assert key_client.get(f"/orders/{order['id']}").json()["status"] == "success"


def test_flows_and_tasks_of_other_tenants_are_not_found(
    key_client, flow, other_space_client, stranger_client, stranger_user_client
):
    order = key_client.post("/orders", order_body(flowKey="make-it")).json()
    task_id = order["tasks"][0]["id"]
    before = flow_rows()

    for client in (other_space_client, stranger_client, stranger_user_client):
        assert client.get("/flows/make-it").status_code == 404
        assert client.get("/flows").json() == {"items": [], "nextCursor": None}
        assert client.get(f"/orders/{order['id']}/tasks").status_code == 404
    for client in (other_space_client, stranger_client):
        assert client.put("/flows/make-it", {"definition": DEFINITION}).status_code == 404
        assert client.post(f"/tasks/{task_id}/confirm", {}).status_code == 404
        assert client.post(f"/tasks/{task_id}/skip").status_code == 404
    assert flow_rows() == before


def test_feedback_with_an_unknown_token_is_not_found(client, db):
    response = client.post(
        "/api/v1/feedback/not-a-token", {"status": "success"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert response.json()["detail"][0]["type"] == "not_found"


def test_feedback_needs_a_known_status(client, db):
    response = client.post(
        "/api/v1/feedback/abc", {"status": "maybe"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]


def test_orders_are_listed_by_flow_finish_deadline_and_waiting_tags(key_client):
    packing = [dict(DEFINITION[0], tasks=[dict(DEFINITION[0]["tasks"][0])])]
    packing[0]["tasks"][0]["payload"] = {"title": "Pack the rings", "tags": ["packing"]}
    assert key_client.post("/flows", {"name": "Pack it", "definition": packing}).status_code == 201
    key_client.post(
        "/orders", order_body("Waiting", flowKey="pack-it", deadline="2030-01-02T00:00:00Z")
    )
    done = key_client.post("/orders", order_body("Done", flowKey="pack-it")).json()
    key_client.post("/orders", order_body("Idle", deadline="2030-01-05T00:00:00Z"))
    assert key_client.post(f"/tasks/{done['tasks'][0]['id']}/confirm", {}).status_code == 200

    def listed(**params) -> list[str]:
        response = key_client.get("/orders", data={"ordering": "name", **params})
        assert response.status_code == 200
        return [order["name"] for order in response.json()["items"]]

    assert listed(flow="pack-it") == ["Done", "Waiting"]
    assert listed(waitingFor="packing") == ["Waiting"]
    assert listed(waitingFor="printing,packing") == ["Waiting"]
    assert listed(waitingFor="printing") == []
    assert listed(finishedAfter="2000-01-01T00:00:00Z") == ["Done"]
    assert listed(finishedBefore="2000-01-01T00:00:00Z") == []
    window = {"deadlineAfter": "2030-01-01T00:00:00Z", "deadlineBefore": "2030-01-03T00:00:00Z"}
    assert listed(**window) == ["Waiting"]
    assert listed(deadlineAfter="2030-01-02T00:00:00Z") == ["Idle", "Waiting"]
    assert listed(anyTag="silver,gold") == ["Done", "Idle", "Waiting"]
