"""Order, product and part details in a real browser, with a live worker running the flow."""

import io
import re
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_flow_editor import installation, sign_in, smtp  # noqa: F401

pytestmark = pytest.mark.timeout(240)

FLOW = {
    "name": "Lamps with a mail",
    "spaceKey": "made",
    "definition": [
        {
            "key": "prepare",
            "name": "Prepare",
            "tasks": [
                {
                    "key": "tell-shop",
                    "handlerKey": "send-email",
                    "payload": {
                        "recipient": ["shop@fabworks.test"],
                        "subject": "Order {{ order.name }} started",
                        "body": "{{ order.name }} has {{ products|length }} product(s).",
                    },
                }
            ],
        },
        {
            "key": "make",
            "name": "Make",
            "tags": ["printing"],
            "tasks": [
                {
                    "key": "print",
                    "handlerKey": "manual-confirmation",
                    "timeoutDuration": 3600000,
                    "payload": {
                        "title": "Print the lamp shade",
                        "description": "Printer 2, white PLA",
                        "tags": ["printing"],
                    },
                }
            ],
        },
    ],
}
STL = b"solid shade\nfacet normal 0 0 1\nendsolid shade\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def api(installation):  # noqa: F811
    return httpx.Client(
        base_url=installation["url"] + "/api/v1",
        headers={"Authorization": f"Bearer {installation['secret']}"},
        timeout=30,
    )


def create_order(client, name: str) -> dict:
    answer = client.post(
        "/orders",
        json={
            "name": name,
            "flowKey": "lamps-with-a-mail",
            "products": [
                {
                    "name": "Lamp shade",
                    "units": 2,
                    "unitValue": "35.00",
                    "configuration": {"diameter": 30, "colour": "white"},
                    "parts": [{"name": "Shade", "data": {"layer": 0.2}}],
                }
            ],
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def wait_for_mail(mailbox, subject: str) -> None:
    deadline = time.monotonic() + 30
    while not any(message["Subject"] == subject for message in mailbox.messages):
        assert time.monotonic() < deadline, [m["Subject"] for m in mailbox.messages]
        time.sleep(0.1)


def expect_task(page, key: str, state: str) -> None:
    expect(page.locator(f"#flow-diagram .task[data-task-key={key}]")).to_have_attribute(
        "data-state", state, timeout=30_000
    )


@pytest.fixture
def client(installation):  # noqa: F811
    with api(installation) as client:
        yield client


def test_watch_confirm_reject_retry_and_open_product_and_part(page, installation, client, tmp_path):  # noqa: F811
    answer = client.post("/flows", json=FLOW)
    assert answer.status_code == 201, answer.text
    order = create_order(client, "FW-100")
    product = order["products"][0]
    part = product["parts"][0]
    upload = client.post(
        f"/products/{product['id']}/assets",
        files={"file": ("shade.png", png(), "image/png")},
        data={"kind": "preview"},
    )
    assert upload.status_code == 201, upload.text
    upload = client.post(
        f"/parts/{part['id']}/assets",
        files={"file": ("shade.stl", STL, "model/stl")},
        data={"kind": "production"},
    )
    assert upload.status_code == 201, upload.text

    sign_in(page)
    page.goto(f"/orders/{order['id']}/")
    expect(page.locator("h1")).to_have_text("Order FW-100")
    expect_task(page, "tell-shop", "succeeded")
    expect_task(page, "print", "waiting")
    wait_for_mail(installation["smtp"], "Order FW-100 started")
    task = page.locator("#tasks-card li[data-task-key=print]")
    expect(task.locator(".task-title")).to_have_text("Print the lamp shade")
    expect(task.locator(".description")).to_have_text("Printer 2, white PLA")
    expect(task.locator(".meta")).to_contain_text("Deadline")
    expect(page.locator("#order-status")).to_have_text("In progress")
    # The stage's tag is written by the worker as the stage starts; the page shows it at its next
    # refresh, which a loaded machine may take longer than the default wait to answer.
    expect(page.locator("#specifications")).to_contain_text("printing", timeout=20_000)
    expect(page.locator("#thumbnail-image")).to_be_visible()
    expect(page.locator(".files-table tbody tr td:first-child")).to_have_text(
        ["shade.png", "shade.stl"]
    )
    expect(page.locator("#flow-card .card-header")).to_contain_text(
        "Lamps with a mail · version 1 · Running"
    )
    screenshot(page, "order-waiting")

    task.locator("button", has_text="Confirm").click()
    expect(page.locator(".message.success")).to_contain_text(
        "Task “Print the lamp shade” confirmed."
    )
    expect(page.locator("#order-status")).to_have_text("Success")
    expect_task(page, "print", "succeeded")
    expect(page.locator("#timeline li").first).to_contain_text(
        "Status changed from In progress to Success"
    )
    expect(page.locator("#timeline")).to_contain_text("Task confirmed: “Print the lamp shade”")
    expect(page.locator("#timeline")).to_contain_text("Fiona Fab")
    screenshot(page, "order-success")

    # The product and part pages, and a file downloaded from the part.
    page.click("#products a >> text=Lamp shade")
    expect(page.locator("h1")).to_have_text("Product Lamp shade")
    expect(page.locator("#product-fields dd")).to_have_text(
        [
            "Lamp shade",
            re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
            "2",
            "€ 35.00",
            "—",
            "FW-100",
            product["id"],
        ]
    )
    expect(page.locator("#configuration tbody tr")).to_have_text(["colourwhite", "diameter30"])
    expect(page.locator("#thumbnail-image")).to_be_visible()
    screenshot(page, "product")
    page.click("#parts >> text=Shade")
    expect(page.locator("h1")).to_have_text("Part Shade")
    expect(page.locator("#part-fields dd")).to_have_text(
        ["Shade", "Lamp shade", "FW-100", re.compile(r"\d{4}-"), part["id"]]
    )
    expect(page.locator("#part-data tbody tr")).to_have_text(["layer0.2"])
    screenshot(page, "part")
    with page.expect_download() as download_info:
        page.click("a.file-link >> text=shade.stl")
    download = download_info.value
    target = tmp_path / "shade.stl"
    download.save_as(target)
    assert download.suggested_filename == "shade.stl"
    assert Path(target).read_bytes() == STL

    # Rejected: Failure, then Retry brings the task back.
    second = create_order(client, "FW-101")
    page.goto(f"/orders/{second['id']}/")
    expect_task(page, "print", "waiting")
    task = page.locator("#tasks-card li[data-task-key=print]")
    task.locator("button", has_text="Reject").click()
    dialog = page.locator("dialog#reject-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator(".field-error")).to_have_text("Give a reason for rejecting the task")
    screenshot(page, "order-reject-error")
    dialog.locator("textarea").fill("The shade came out warped")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("#order-status")).to_have_text("Failure")
    task = page.locator("#tasks-card li[data-task-key=print]")
    expect(task.locator(".error-text")).to_have_text("The shade came out warped")
    expect_task(page, "print", "failed")
    screenshot(page, "order-failure")
    task.locator("button", has_text="Retry").click()
    expect(page.locator(".message.success")).to_contain_text("(attempt 2)")
    expect(page.locator("#order-status")).to_have_text("In progress")
    expect_task(page, "print", "waiting")
    expect(
        page.locator("#tasks-card li[data-task-key=print] button", has_text="Confirm")
    ).to_be_visible()
