"""Flow definitions are validated with the JSON path of each fault; flows are versioned."""

import pytest

from fabflow.errors import Conflict, InvalidInput, NotFound
from fabflow.flows import services
from fabflow.flows.models import FlowVersion, OrderFlow
from fabflow.flows.schema import flow_json_schema, validate_definition

MAIL = {
    "key": "mail",
    "handlerKey": "send-email",
    "payload": {"recipient": ["a@example.com"], "subject": "Hi {{ order.name }}", "body": "x"},
}


def stage(*tasks, key="one"):
    return {"key": key, "tasks": list(tasks)}


def refusal(definition):
    with pytest.raises(InvalidInput) as caught:
        validate_definition(definition)
    return caught.value.field, caught.value.message


def test_a_definition_is_normalised():
    assert validate_definition([stage(MAIL)]) == [
        {
            "key": "one",
            "name": "one",
            "tags": [],
            "tasks": [
                {
                    "key": "mail",
                    "handlerKey": "send-email",
                    "payload": {
                        "recipient": ["a@example.com"],
                        "subject": "Hi {{ order.name }}",
                        "body": "x",
                        "attachFiles": False,
                    },
                    "retries": 3,
                    "next": [],
                }
            ],
        }
    ]


def test_faults_are_reported_with_their_path():
    assert refusal([stage({**MAIL, "handlerKey": "fax"})])[0] == (
        "definition",
        0,
        "tasks",
        0,
        "handlerKey",
    )
    nested = {**MAIL, "key": "first", "next": [dict(MAIL)]}
    assert refusal([stage(MAIL), stage(nested, key="two")]) == (
        ("definition", 1, "tasks", 0, "next", 0, "key"),
        "The task key 'mail' is used twice; task keys are unique in the whole flow",
    )
    missing = {**MAIL, "payload": {"recipient": ["a@example.com"], "body": "x"}}
    assert refusal([stage(missing)]) == (
        ("definition", 0, "tasks", 0, "payload", "subject"),
        "send-email: subject is required",
    )
    assert refusal([stage({**MAIL, "timeoutDuration": -5})])[0] == (
        "definition",
        0,
        "tasks",
        0,
        "timeoutDuration",
    )
    assert refusal([stage({**MAIL, "timeoutDuration": "soon"})])[0][-1] == "timeoutDuration"
    bad_template = {**MAIL, "payload": {**MAIL["payload"], "body": "{{ order.name "}}
    assert refusal([stage(bad_template)])[0] == (
        "definition",
        0,
        "tasks",
        0,
        "payload",
        "body",
    )
    assert refusal([])[0] == ("definition",)


def test_the_json_schema_names_every_handler_payload():
    schema = flow_json_schema()
    assert set(schema["$defs"]["task"]["properties"]["handlerKey"]["enum"]) == {
        "consume-rest-api",
        "export-files",
        "generate-production-files",
        "manual-confirmation",
        "send-email",
        "wait",
    }
    assert schema["$defs"]["payload:send-email"]["required"] == ["recipient", "subject", "body"]


def test_flows_are_created_versioned_and_kept_apart(admin_actor, key_actor, space, stranger):
    from fabflow.accounts.actors import Actor

    flow = services.create_flow(
        actor=admin_actor, space=space, name="Ring production", definition=[stage(MAIL)]
    )
    assert (flow.key, flow.latest_version().number) == ("ring-production", 1)
    with pytest.raises(Conflict):
        services.create_flow(
            actor=key_actor, space=space, name="Ring Production", definition=[stage(MAIL)]
        )
    with pytest.raises(InvalidInput) as caught:
        services.create_flow(actor=admin_actor, space=space, name="Ring", definition=[stage(MAIL)])
    assert caught.value.field == ("name",)
    version = services.save_flow_version(
        actor=key_actor, flow_key="ring-production", definition=[stage(MAIL, key="two")]
    )
    assert version.number == 2
    assert [f.key for f in services.list_flows(actor=key_actor)] == ["ring-production"]
    with pytest.raises(NotFound):
        services.get_flow(actor=Actor.for_user(stranger), flow_key="ring-production")
    with pytest.raises(InvalidInput):
        services.save_flow_version(actor=admin_actor, flow_key="ring-production", definition=[])
    assert FlowVersion.objects.filter(flow=flow).count() == 2
    assert OrderFlow.objects.count() == 1
