"""The OpenAPI description documents every call, parameter and answer of REST API v1."""

import json

import pytest
from ninja.responses import NinjaJSONEncoder

from fabflow.urls import api


@pytest.fixture(scope="module")
def schema():
    # As served: through JSON, where response codes become strings.
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_contract_endpoint_is_described(schema):
    described = {(method.upper(), path) for path, method, _ in operations(schema)}

    assert described == {
        ("POST", "/api/v1/orders"),
        ("GET", "/api/v1/orders"),
        ("GET", "/api/v1/orders/{order_id}"),
        ("PATCH", "/api/v1/orders/{order_id}"),
        ("POST", "/api/v1/orders/{order_id}/flow"),
        ("GET", "/api/v1/orders/{order_id}/tasks"),
        ("GET", "/api/v1/orders/{order_id}/events"),
        ("GET", "/api/v1/webhooks"),
        ("POST", "/api/v1/webhooks"),
        ("GET", "/api/v1/webhooks/{webhook_id}"),
        ("PATCH", "/api/v1/webhooks/{webhook_id}"),
        ("DELETE", "/api/v1/webhooks/{webhook_id}"),
        ("POST", "/api/v1/webhooks/{webhook_id}/secret"),
        ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"),
        ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/resend"),
        ("GET", "/api/v1/products"),
        ("GET", "/api/v1/products/{product_id}"),
        ("GET", "/api/v1/parts"),
        ("GET", "/api/v1/parts/{part_id}"),
        ("POST", "/api/v1/orders/{order_id}/assets"),
        ("POST", "/api/v1/products/{product_id}/assets"),
        ("POST", "/api/v1/parts/{part_id}/assets"),
        ("GET", "/api/v1/assets/{asset_id}/content"),
        ("POST", "/api/v1/tasks/{task_id}/confirm"),
        ("POST", "/api/v1/tasks/{task_id}/reject"),
        ("POST", "/api/v1/tasks/{task_id}/retry"),
        ("POST", "/api/v1/tasks/{task_id}/skip"),
        ("GET", "/api/v1/flows"),
        ("POST", "/api/v1/flows"),
        ("GET", "/api/v1/flows/{flow_key}"),
        ("PUT", "/api/v1/flows/{flow_key}"),
        ("POST", "/api/v1/flows/{flow_key}/dry-run"),
        ("POST", "/api/v1/feedback/{token}"),
        ("GET", "/api/v1/schemas/flow.json"),
        ("POST", "/api/v1/bulk-jobs"),
        ("GET", "/api/v1/bulk-jobs/{job_id}"),
        ("GET", "/api/v1/bulk-jobs/{job_id}/items"),
    }


def test_every_operation_documents_its_refusals(schema):
    public = {"/api/v1/feedback/{token}", "/api/v1/schemas/flow.json"}
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"400", "414", "422"} <= codes, (method, path, codes)
        if path not in public:
            assert "401" in codes, (method, path)
            assert operation["security"], (method, path)
        if "{" in path and path not in public:
            assert "404" in codes, (method, path)
        if method in {"post", "patch", "put"}:
            assert "413" in codes or not operation.get("requestBody"), (method, path)
        for code, answer in operation["responses"].items():
            if code.startswith(("4", "5")):
                content = answer["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/Error"}, (method, path, code)


def test_list_parameters_are_described(schema):
    parameters = {
        parameter["name"] for parameter in schema["paths"]["/api/v1/orders"]["get"]["parameters"]
    }

    assert parameters == {
        "limit",
        "cursor",
        "createdAfter",
        "createdBefore",
        "search",
        "status",
        "tag",
        "anyTag",
        "finishedAfter",
        "finishedBefore",
        "deadlineAfter",
        "deadlineBefore",
        "flow",
        "waitingFor",
        "ordering",
    }


def test_request_bodies_refuse_unknown_fields(schema):
    order = schema["components"]["schemas"]["OrderIn"]

    assert order["additionalProperties"] is False
    assert order["required"] == ["name", "products"]


def test_links_lead_from_an_answer_to_the_calls_its_ids_open(schema):
    operation_ids = {operation["operationId"] for _, _, operation in operations(schema)}
    links = {
        (method, path, code, name): link
        for path, method, operation in operations(schema)
        for code, answer in operation["responses"].items()
        for name, link in answer.get("links", {}).items()
    }

    assert {link["operationId"] for link in links.values()} <= operation_ids
    created = {name for method, path, code, name in links if path == "/api/v1/orders"}
    assert created == {
        "GetOrder",
        "UpdateOrder",
        "StartFlow",
        "ListOrderTasks",
        "ListOrderEvents",
        "UploadOrderAsset",
        "GetProduct",
        "UploadProductAsset",
        "GetPart",
        "UploadPartAsset",
    }
    assert links[("post", "/api/v1/orders", "201", "GetPart")]["parameters"] == {
        "part_id": "$response.body#/products/0/parts/0/id"
    }


def test_amounts_are_described_as_bounded_decimal_strings(schema):
    unit_value = schema["components"]["schemas"]["ProductIn"]["properties"]["unitValue"]

    assert unit_value["type"] == "string"
    assert unit_value["pattern"] == r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
