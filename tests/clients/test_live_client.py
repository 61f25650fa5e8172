"""The Python client against a live Fabflow: every operation of the API through `Fabflow` and
through `AsyncFabflow`, the list helpers across several pages, and refusals raised with the
API's error body."""

import asyncio
import importlib
import io
import json
import pkgutil
import time
import uuid
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from fabflow_client import (
    SIGNATURE_HEADER,
    AsyncFabflow,
    Conflict,
    Fabflow,
    InvalidInput,
    NotFound,
    Unauthorized,
    verify_signature,
)
from fabflow_client.generated import api as generated_api
from fabflow_client.generated.api.assets import (
    download_asset,
    upload_order_asset,
    upload_part_asset,
    upload_product_asset,
)
from fabflow_client.generated.api.bulk_actions import (
    create_bulk_job,
    get_bulk_job,
    list_bulk_job_items,
)
from fabflow_client.generated.api.flows import (
    create_flow,
    dry_run_flow,
    flow_schema,
    get_flow,
    list_flows,
    save_flow_version,
)
from fabflow_client.generated.api.orders import (
    create_order,
    get_order,
    list_order_events,
    list_order_tasks,
    list_orders,
    start_flow,
    update_order,
)
from fabflow_client.generated.api.parts import get_part, list_parts
from fabflow_client.generated.api.products import get_product, list_products
from fabflow_client.generated.api.tasks import (
    confirm_task,
    receive_feedback,
    reject_task,
    retry_task,
    skip_task,
)
from fabflow_client.generated.api.webhooks import (
    create_webhook,
    delete_webhook,
    get_webhook,
    list_deliveries,
    list_webhooks,
    resend_delivery,
    rotate_webhook_secret,
    update_webhook,
)
from fabflow_client.generated.models import (
    BulkJobIn,
    ConfirmIn,
    DryRunIn,
    FeedbackIn,
    FlowDefinitionIn,
    FlowIn,
    OrderIn,
    OrderPatch,
    RejectIn,
    StartFlowIn,
    UploadOrderAssetBody,
    UploadPartAssetBody,
    UploadProductAssetBody,
    WebhookIn,
    WebhookPatch,
)
from fabflow_client.generated.types import File

from tests.clients.conftest import timed_out

Call = Callable[..., Awaitable[Any]]


def every_generated_operation() -> set[str]:
    """The name of each operation module the generated client has."""
    names = set()
    for tag in pkgutil.iter_modules(generated_api.__path__):
        package = importlib.import_module(f"{generated_api.__name__}.{tag.name}")
        names |= {module.name for module in pkgutil.iter_modules(package.__path__)}
    return names


def order_in(name: str, **fields) -> OrderIn:
    return OrderIn.from_dict(
        {
            "name": name,
            "tags": ["client"],
            "products": [
                {
                    "name": "Signet ring",
                    "units": 2,
                    "unitValue": "64.95",
                    "configuration": {"size": 54},
                    "parts": [{"name": "Band"}, {"name": "Signet plate"}],
                }
            ],
            **fields,
        }
    )


def stage(task: dict) -> list[dict]:
    return [{"key": "only", "name": "Only", "tasks": [{"next": [], **task}]}]


def manual_check(title: str) -> list[dict]:
    return stage(
        {
            "key": "look",
            "handlerKey": "manual-confirmation",
            "timeoutDuration": 3_600_000,
            "payload": {"title": title},
        }
    )


def connector(uri: str, *, sends_feedback: bool) -> list[dict]:
    return stage(
        {
            "key": "tell",
            "handlerKey": "consume-rest-api",
            "retries": 0,
            "payload": {"uri": uri, "sendsFeedback": sends_feedback},
        }
    )


class Recorder:
    """Runs calls through a facade (sync or async) and notes which operations ran."""

    def __init__(self, run: Call):
        self.run = run
        self.operations: set[str] = set()

    async def __call__(self, operation: ModuleType, *args, **arguments):
        self.operations.add(operation.__name__.rsplit(".", 1)[-1])
        return await self.run(operation, *args, **arguments)

    async def task_of(self, order_id, status: str, log_path):
        """The order's first task once it has `status` (the worker runs it meanwhile)."""

        async def first():
            tasks = (await self(list_order_tasks, order_id)).items
            return tasks[0] if tasks and tasks[0].status == status else None

        return await async_wait_until(first, f"a {status} task", log_path)


async def async_wait_until(predicate, what: str, log_path, timeout: float = 60.0):
    """The first true value of `await predicate()`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            timed_out(what, log_path)
        await asyncio.sleep(0.1)


async def flows_of(call: Recorder, suffix: str, receiver) -> dict[str, Any]:
    """Create the scenario's three flows and a second version of one."""
    schema = await call(flow_schema)
    assert schema.to_dict()["type"] == "array"
    definitions = {
        "checks": manual_check("Look at it"),
        "feedback": connector(receiver.url(f"/feedback-{suffix}"), sends_feedback=True),
        "refused": connector(receiver.url("/refuse"), sends_feedback=False),
    }
    flows = {}
    for purpose, definition in definitions.items():
        flows[purpose] = await call(
            create_flow, body=FlowIn(name=f"Client {purpose} {suffix}", definition=definition)
        )
        assert flows[purpose].version == 1
    second = await call(
        save_flow_version,
        flows["checks"].key,
        body=FlowDefinitionIn(definition=manual_check("Look at it twice")),
    )
    assert second.version == 2
    read = await call(get_flow, flows["checks"].key)
    assert read.version == 2
    assert read.definition[0]["tasks"][0]["payload"]["title"] == "Look at it twice"
    listed = {flow.key for flow in (await call(list_flows, limit=500)).items}
    assert {flow.key for flow in flows.values()} <= listed
    return flows


async def orders_and_files(call: Recorder, suffix: str) -> None:
    """Create, read, change and list an order; upload to it, its product and its part."""
    created = await call(create_order, body=order_in(f"Client order {suffix}"))
    assert (created.name, created.status, created.value) == (
        f"Client order {suffix}",
        "created",
        "129.90",
    )
    changed = await call(update_order, created.id, body=OrderPatch(tags=["client", "rush"]))
    assert changed.tags == ["client", "rush"]
    assert (await call(get_order, created.id)).tags == ["client", "rush"]
    listed = await call(list_orders, search=f"client order {suffix}")
    assert [order.id for order in listed.items] == [created.id]
    history = await call(list_order_events, created.id)
    assert len(history.items) >= 2
    product = created.products[0]
    part = product.parts[0]
    assert (await call(get_product, product.id)).name == "Signet ring"
    assert (await call(get_part, part.id)).name == "Band"
    products = await call(list_products, search=f"client order {suffix}")
    assert [item.id for item in products.items] == [product.id]
    parts = await call(list_parts, search=f"client order {suffix} band")
    assert [item.id for item in parts.items] == [part.id]
    uploads = [
        (upload_order_asset, created.id, UploadOrderAssetBody),
        (upload_product_asset, product.id, UploadProductAssetBody),
        (upload_part_asset, part.id, UploadPartAssetBody),
    ]
    for operation, owner_id, body_class in uploads:
        content = f"solid {operation.__name__}\nendsolid\n".encode()
        upload = File(payload=io.BytesIO(content), file_name="ring.stl", mime_type="model/stl")
        asset = await call(operation, owner_id, body=body_class(file=upload, kind="production"))
        assert (asset.filename, asset.size, asset.kind) == ("ring.stl", len(content), "production")
        downloaded = await call(download_asset, asset.id)
        assert downloaded.payload.read() == content


async def tasks_of_flows(call: Recorder, suffix: str, flows: dict, receiver, log_path) -> None:
    """Confirm, reject, retry, skip and report feedback on the tasks the worker runs."""
    confirmed = await call(
        create_order, body=order_in(f"Client confirm {suffix}", flowKey=flows["checks"].key)
    )
    waiting = await call.task_of(confirmed.id, "waiting", log_path)
    assert waiting.title == "Look at it twice"
    done = await call(confirm_task, waiting.id, body=ConfirmIn(comment="fine"))
    assert done.status == "succeeded"

    rejected = await call(create_order, body=order_in(f"Client reject {suffix}"))
    started = await call(start_flow, rejected.id, body=StartFlowIn(flow_key=flows["checks"].key))
    assert started.status == "in_progress"
    waiting = await call.task_of(rejected.id, "waiting", log_path)
    with pytest.raises(Conflict) as running:
        await call(start_flow, rejected.id, body=StartFlowIn(flow_key=flows["checks"].key))
    assert running.value.status_code == 409
    refused = await call(reject_task, waiting.id, body=RejectIn(reason="scratched"))
    assert refused.status == "failed"

    failing = await call(
        create_order, body=order_in(f"Client retry {suffix}", flowKey=flows["refused"].key)
    )
    failed = await call.task_of(failing.id, "failed", log_path)
    again = await call(retry_task, failed.id)
    assert again.attempt == 2
    failed = await call.task_of(failing.id, "failed", log_path)
    skipped = await call(skip_task, failed.id)
    assert skipped.status == "skipped"

    reporting = await call(
        create_order, body=order_in(f"Client feedback {suffix}", flowKey=flows["feedback"].key)
    )
    await call.task_of(reporting.id, "waiting", log_path)
    connector_call = receiver.calls_to(f"/feedback-{suffix}")[0]
    token = httpx.URL(json.loads(connector_call.body)["order"]["updateUrl"]).path.rsplit("/", 1)[-1]
    accepted = await call(receive_feedback, token, body=FeedbackIn(status="success"))
    assert accepted.status == "accepted"
    await call.task_of(reporting.id, "succeeded", log_path)


async def dry_run(call: Recorder, suffix: str, flows: dict) -> None:
    """Try a flow on a sample order: its plan, nothing stored."""
    plan = await call(
        dry_run_flow,
        flows["checks"].key,
        body=DryRunIn(order=order_in(f"Client sample {suffix}")),
    )
    assert (plan.flow_key, plan.version, plan.errors) == (flows["checks"].key, 2, [])
    assert [task.key for stage in plan.stages for task in stage.tasks] == ["look"]
    listed = await call(list_orders, search=f"client sample {suffix}")
    assert listed.items == []


async def webhooks(call: Recorder, suffix: str, receiver, log_path) -> None:
    """Subscribe the receiver, change and re-key the subscription, verify a delivery it gets
    with the new secret, send it again, and delete the subscription."""
    path = f"/webhook-{suffix}"
    created = await call(
        create_webhook, body=WebhookIn(url=receiver.url(path), event_types=["order.updated"])
    )
    assert created.secret
    changed = await call(
        update_webhook, created.id, body=WebhookPatch(event_types=["order.created"])
    )
    assert changed.event_types == ["order.created"]
    assert (await call(get_webhook, created.id)).url == receiver.url(path)
    assert created.id in {webhook.id for webhook in (await call(list_webhooks)).items}
    rotated = await call(rotate_webhook_secret, created.id)
    assert rotated.secret != created.secret
    order = await call(create_order, body=order_in(f"Client webhook {suffix}"))

    async def delivered():
        deliveries = (await call(list_deliveries, created.id)).items
        return [d for d in deliveries if d.status == "delivered" and d.order_id == order.id]

    [delivery] = await async_wait_until(delivered, "a delivered webhook", log_path)
    sent = receiver.first_call_to(path)
    header = sent.headers.get(SIGNATURE_HEADER)
    assert verify_signature(sent.body, header, rotated.secret) is True
    assert verify_signature(sent.body, header, created.secret) is False
    again = await call(resend_delivery, created.id, delivery.id)
    assert again.id == delivery.id
    assert await call(delete_webhook, created.id) is None
    with pytest.raises(NotFound):
        await call(get_webhook, created.id)


async def bulk_actions(call: Recorder, suffix: str, log_path) -> None:
    """Tag two orders with one bulk action, follow it until it has finished, read each order's
    outcome."""
    first = await call(create_order, body=order_in(f"Client bulk A {suffix}"))
    second = await call(create_order, body=order_in(f"Client bulk B {suffix}"))
    job = await call(
        create_bulk_job,
        body=BulkJobIn.from_dict(
            {
                "action": "add_tag",
                "arguments": {"tag": f"bulk-{suffix}"},
                "orderIds": [str(first.id), str(second.id)],
            }
        ),
    )
    assert (job.status, job.order_count) == ("queued", 2)

    async def finished():
        read = await call(get_bulk_job, job.id)
        return read if read.status == "finished" else None

    done = await async_wait_until(finished, "a finished bulk action", log_path)
    assert (done.counts.done, done.counts.refused, done.counts.failed) == (2, 0, 0)
    outcomes = await call(list_bulk_job_items, job.id)
    assert [(item.order_id, item.outcome) for item in outcomes.items] == [
        (first.id, "done"),
        (second.id, "done"),
    ]
    assert (await call(get_order, first.id)).tags == ["client", f"bulk-{suffix}"]


async def every_operation(call: Recorder, receiver, log_path) -> None:
    suffix = uuid.uuid4().hex[:8]
    flows = await flows_of(call, suffix, receiver)
    await orders_and_files(call, suffix)
    await tasks_of_flows(call, suffix, flows, receiver, log_path)
    await dry_run(call, suffix, flows)
    await webhooks(call, suffix, receiver, log_path)
    await bulk_actions(call, suffix, log_path)


def test_every_operation_through_the_sync_client(client_server, connector_receiver):
    with Fabflow(client_server.url, client_server.secret) as fabflow:

        async def run(operation, *args, **arguments):
            return fabflow.call(operation, *args, **arguments)

        call = Recorder(run)
        asyncio.run(every_operation(call, connector_receiver, client_server.worker_log))

    assert call.operations == every_generated_operation()


def test_every_operation_through_the_async_client(client_server, connector_receiver):
    async def scenario():
        async with AsyncFabflow(client_server.url, client_server.secret) as fabflow:
            call = Recorder(fabflow.call)
            await every_operation(call, connector_receiver, client_server.worker_log)
            return call.operations

    assert asyncio.run(scenario()) == every_generated_operation()


def create_orders(fabflow: Fabflow, word: str, count: int) -> list[str]:
    names = [f"{word} {index}" for index in range(count)]
    for name in names:
        fabflow.call(create_order, body=order_in(name))
    return names


def test_the_list_helpers_follow_the_cursors_across_pages(client_server):
    word = f"paged{uuid.uuid4().hex[:8]}"
    with Fabflow(client_server.url, client_server.secret) as fabflow:
        names = create_orders(fabflow, word, 7)
        pages = list(fabflow.pages(list_orders, search=word, limit=3, ordering="name"))
        orders = [order.name for order in fabflow.orders(search=word, limit=3, ordering="name")]
        products = list(fabflow.products(search=word, limit=2))
        parts = list(fabflow.parts(search=f"{word} band", limit=4))
        flows = [flow.key for flow in fabflow.flows()]
        every_flow = [flow.key for flow in fabflow.call(list_flows, limit=500).items]

    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert pages[-1].next_cursor is None
    assert orders == names
    assert len(products) == 7 and len({product.id for product in products}) == 7
    assert len(parts) == 7 and {part.name for part in parts} == {"Band"}
    assert flows == every_flow


def test_the_async_list_helpers_follow_the_cursors_across_pages(client_server):
    word = f"asyncpaged{uuid.uuid4().hex[:8]}"
    with Fabflow(client_server.url, client_server.secret) as fabflow:
        names = create_orders(fabflow, word, 5)

    async def read():
        async with AsyncFabflow(client_server.url, client_server.secret) as fabflow:
            sizes = [
                len(page.items) async for page in fabflow.pages(list_orders, search=word, limit=2)
            ]
            orders = [
                order.name async for order in fabflow.orders(search=word, limit=2, ordering="-name")
            ]
            return sizes, orders

    sizes, orders = asyncio.run(read())

    assert sizes == [2, 2, 1]
    assert orders == sorted(names, reverse=True)


def test_a_refusal_raises_with_the_error_body_and_writes_nothing(client_server):
    name = f"Refused {uuid.uuid4().hex[:8]}"
    body = order_in(name)
    body.products[0].units = 0
    with Fabflow(client_server.url, client_server.secret) as fabflow:
        with pytest.raises(InvalidInput) as refusal:
            fabflow.call(create_order, body=body)
        listed = fabflow.call(list_orders, search=name)

    error = refusal.value
    assert error.status_code == 422
    assert error.locations == [("body", "products", 0, "units")]
    assert error.body == {
        "detail": [
            {
                "loc": ["body", "products", 0, "units"],
                "msg": "Input should be greater than or equal to 1",
                "type": "greater_than_equal",
            }
        ]
    }
    assert error.messages == ["Input should be greater than or equal to 1"]
    assert error.request_id
    assert str(error) == (
        "422 unprocessable entity: body.products.0.units: "
        "Input should be greater than or equal to 1"
    )
    assert listed.items == []


def test_an_unknown_object_and_a_bad_key_raise_their_errors(client_server):
    fabflow = Fabflow(client_server.url, client_server.secret)
    stranger = Fabflow(client_server.url, "ffk_unknown_key")

    with fabflow, pytest.raises(NotFound) as missing:
        fabflow.call(get_order, uuid.uuid4())
    with stranger, pytest.raises(Unauthorized) as unknown:
        list(stranger.orders())

    assert missing.value.status_code == 404
    assert missing.value.detail and missing.value.detail[0]["msg"]
    assert unknown.value.status_code == 401


def test_async_refusals_raise_the_same_errors(client_server):
    async def refused():
        async with AsyncFabflow(client_server.url, client_server.secret) as fabflow:
            await fabflow.call(get_order, uuid.uuid4())

    with pytest.raises(NotFound) as missing:
        asyncio.run(refused())

    assert missing.value.status_code == 404
