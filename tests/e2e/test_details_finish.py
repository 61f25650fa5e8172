"""The finish of the details and admin pages in a real browser, at desktop and phone sizes: the
order page's order on a phone, its stage headers, history and "start another flow", the one
confirmation dialog of every action that cannot be taken back, the export-target dialog's
fields, and the status line of inline saves.

The tests work in an organization of their own, filled by the demo loader, so that nothing
they change shows in the other browser tests' organizations.
"""

import json
import os
import re
import subprocess
import sys
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPOSITORY, screenshot

pytestmark = pytest.mark.timeout(240)

# Enough for every status of the demo, among them two finished orders with generated files.
DEMO_ORDERS = 12
PASSWORD = "correct horse battery"
MAIL_FIRST = [
    {
        "key": "tell",
        "name": "Tell the shop",
        "tasks": [
            {
                "key": "mail",
                "handlerKey": "send-email",
                "payload": {"recipient": ["shop@finishers.test"], "subject": "Hello", "body": "."},
            }
        ],
    }
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def seed() -> None:
    """Create an organization with a unique name, an admin, a member and demo orders; print
    its facts as JSON. Run in its own process against the live server's database and data
    folder (the demo's files are kept there)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    django.setup()
    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.flows.services import create_flow, start_flow
    from fabflow.orders.demo import load_demo
    from fabflow.orders.models import Order, OrderEventType, OrderStatus

    mark = uuid.uuid4().hex[:8]
    organization = accounts.create_organization(name=f"Finishers {mark}")
    space = accounts.create_space(organization=organization, name="Finish", key="finish")
    people = {}
    for role, name, is_admin in [("admin", "Fin Admin", True), ("member", "Max Member", False)]:
        people[role] = accounts.create_user(
            organization=organization,
            email=f"{role}-{mark}@finishers.test",
            password=PASSWORD,
            name=name,
            is_admin=is_admin,
        ).email
    load_demo(space=space, count=DEMO_ORDERS)
    # No worker runs while the module does: this flow's first task, automatic, stays pending,
    # and the order's page keeps refreshing itself.
    actor = Actor.system(organization_id=organization.pk)
    create_flow(actor=actor, space=space, name="Mail first", definition=MAIL_FIRST)
    live = Order.objects.filter(space=space, status=OrderStatus.CREATED).order_by("name")[0]
    start_flow(actor=actor, order_id=live.pk, flow_key="mail-first")
    finished = (
        Order.objects.filter(space=space, status=OrderStatus.SUCCESS)
        .filter(events__type=OrderEventType.ASSET_ADDED, events__details__has_key="files")
        .order_by("name")
    )
    first, second = (str(order.pk) for order in finished[:2])
    waiting = Order.objects.filter(space=space, status=OrderStatus.IN_PROGRESS).order_by("name")
    failed = Order.objects.filter(space=space, status=OrderStatus.FAILURE).order_by("name")
    print(
        json.dumps(
            {
                **people,
                "finished": first,
                "restart": second,
                "waiting": str(waiting[0].pk),
                "failed": str(failed[0].pk),
                "live": str(live.pk),
            }
        )
    )


@pytest.fixture(scope="module")
def finishers(fabflow_server):
    """The live server and the Finishers organization's facts."""
    # The live server's environment: its database, and its data folder for the demo's files.
    printed = subprocess.run(
        [sys.executable, "-c", "from tests.e2e.test_details_finish import seed; seed()"],
        env=fabflow_server["environment"], cwd=REPOSITORY, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return {**fabflow_server, **json.loads(printed.strip().splitlines()[-1])}


def sign_in(page, finishers, role: str = "admin") -> None:
    page.goto("/sign-in/")
    page.fill("#email", finishers[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():  # the Orders page, scripts and all
        page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Orders")


def focused(page) -> str:
    """What has the focus: its id, or else its text."""
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


# -- the confirmation dialog -------------------------------------------------------------------


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_revoking_a_key_asks_in_a_dialog_that_escape_and_cancel_close(page, finishers, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    sign_in(page, finishers)
    page.goto("/secret-keys/")
    name = f"Till {size}"
    page.locator("#space-finish input[name$=name]").fill(name)
    page.locator("#space-finish button", has_text="Add key").click()
    secret = page.locator("#new-secret-value").inner_text().strip()
    page.goto("/secret-keys/")
    row = page.locator("#space-finish tbody tr", has_text=name)
    revoke = row.locator("button", has_text="Revoke")
    dialog = page.locator("dialog#confirm-dialog")
    api = finishers["url"] + "/api/v1/orders"
    headers = {"Authorization": f"Bearer {secret}"}

    revoke.click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(f"Revoke the key “{name}”?")
    expect(dialog.locator("p")).to_have_text(
        "Every request made with it will be refused from now on. This cannot be undone."
    )
    expect(dialog.locator("#confirm-dialog-accept")).to_have_text("Revoke key")
    assert focused(page) == "confirm-dialog-cancel"
    screenshot(page, f"finish-revoke-dialog-{size}")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert focused(page) == "Revoke"
    assert name in page.evaluate("document.activeElement.closest('tr').textContent")
    revoke.click()
    dialog.locator("#confirm-dialog-cancel").click()
    expect(dialog).to_be_hidden()
    assert focused(page) == "Revoke"
    page.reload()
    expect(row).to_have_count(1)
    assert httpx.get(api, headers=headers).status_code == 200

    revoke.click()
    dialog.locator("#confirm-dialog-accept").click()
    expect(page.locator(".message.success")).to_contain_text(f"The key {name} is revoked")
    expect(row).to_have_count(0)
    assert httpx.get(api, headers=headers).status_code == 401


def test_deactivating_a_user_and_removing_a_target_ask_in_the_same_dialog(page, finishers):
    page.set_viewport_size(DESKTOP)
    sign_in(page, finishers)
    page.goto("/users/")
    member = page.locator("#users-table tbody tr", has_text=finishers["member"])
    member.locator("button", has_text="Deactivate").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog.locator("h2")).to_have_text("Deactivate Max Member?")
    expect(dialog.locator("#confirm-dialog-accept")).to_have_text("Deactivate user")
    screenshot(page, "finish-deactivate-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(member).to_have_count(1)
    page.reload()
    expect(member).to_have_count(1)

    page.goto("/export-targets/")
    page.locator("[data-dialog-open=add-target]").click()
    add = page.locator("dialog#add-target")
    add.locator("#id_name").fill("bench")
    allowed = add.locator(".kind-fields code").first.inner_text()
    add.locator("#id_path").fill(f"{allowed}/bench")
    add.locator("button[type=submit]").click()
    expect(page.locator(".message.success")).to_contain_text("The export target bench is added.")
    page.locator("#target-bench button", has_text="Remove").click()
    expect(dialog.locator("h2")).to_have_text("Remove the export target “bench”?")
    dialog.locator("#confirm-dialog-cancel").click()
    expect(page.locator("#target-bench")).to_have_count(1)
    page.locator("#target-bench button", has_text="Remove").click()
    dialog.locator("#confirm-dialog-accept").click()
    expect(page.locator(".message.success")).to_contain_text("The export target bench is removed")
    expect(page.locator("#target-bench")).to_have_count(0)


# -- the export-target dialog ------------------------------------------------------------------


S3_FIELDS = ["#id_bucket", "#id_prefix", "#id_endpoint_url", "#id_region", "#id_credentials_env"]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_add_target_dialog_shows_only_the_chosen_kinds_fields(page, finishers, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    sign_in(page, finishers)
    page.goto("/export-targets/")
    page.locator("[data-dialog-open=add-target]").click()
    dialog = page.locator("dialog#add-target")
    expect(dialog.locator("input[name=kind][value=folder]")).to_be_checked()
    expect(dialog.locator("#id_path")).to_be_visible()
    for field in S3_FIELDS:
        expect(dialog.locator(field)).to_be_hidden()
    screenshot(page, f"finish-target-folder-{size}")

    dialog.locator("input[name=kind][value=s3]").check()
    expect(dialog.locator("#id_path")).to_be_hidden()
    for field in S3_FIELDS:
        expect(dialog.locator(field)).to_be_visible()
    screenshot(page, f"finish-target-s3-{size}")

    # Refused as before: the bucket's error shows beside it, nothing is added.
    dialog.locator("#id_name").fill("bucketless")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator(".field-error")).to_have_text("bucket: not a valid S3 bucket name")
    expect(dialog.locator("#id_bucket")).to_be_visible()
    expect(dialog.locator("#id_path")).to_be_hidden()
    expect(page.locator("#target-bucketless")).to_have_count(0)


# -- inline saves ------------------------------------------------------------------------------


def test_saving_tags_says_so_in_a_status_line(page, finishers):
    page.set_viewport_size(DESKTOP)
    sign_in(page, finishers)
    page.goto("/users/")
    status = page.locator("#save-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("")
    tags = page.locator("#users-table tbody tr", has_text=finishers["admin"]).locator(
        "input[name=tags]"
    )
    tags.fill("design, printing")
    tags.press("Enter")
    expect(status).to_have_text("Tags of Fin Admin saved: design, printing.")
    expect(status).to_be_visible()
    screenshot(page, "finish-tags-saved")

    tags = page.locator("#users-table tbody tr", has_text=finishers["admin"]).locator(
        "input[name=tags]"
    )
    tags.fill("x" * 51)
    tags.press("Enter")
    row = page.locator("#users-table tbody tr", has_text=finishers["admin"])
    expect(row.locator(".field-error")).to_have_text(
        f"Tag '{'x' * 20}'… is longer than 50 characters"
    )
    expect(status).to_have_text("")
    screenshot(page, "finish-tags-refused")
    page.reload()
    expect(
        page.locator("#users-table tbody tr", has_text=finishers["admin"]).locator(
            "input[name=tags]"
        )
    ).to_have_value("design, printing")

    tags = page.locator("#users-table tbody tr", has_text=finishers["admin"]).locator(
        "input[name=tags]"
    )
    tags.fill("")
    page.locator("h1").click()  # leaving the field saves it
    expect(status).to_have_text("Fin Admin has no tags now.")


# -- the order page ----------------------------------------------------------------------------


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_on_a_phone_the_orders_status_and_facts_come_first(page, finishers):
    page.set_viewport_size(PHONE)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['finished']}/")
    expect(page.locator("#order-status")).to_have_text("Success")
    facts = box(page, "#spec-card")
    assert facts["y"] + facts["height"] <= box(page, "#tasks-card")["y"]
    for later in [
        "#products-title",
        "#flow-card",
        "#files-title",
        "#thumbnail-title",
        "#history-card",
    ]:
        assert box(page, later)["y"] > facts["y"] + facts["height"]
    # The status shows without scrolling.
    assert box(page, "#order-status")["y"] + box(page, "#order-status")["height"] < PHONE["height"]
    screenshot(page, "finish-order-phone")

    page.set_viewport_size(DESKTOP)
    facts = box(page, "#spec-card")
    tasks = box(page, "#tasks-card")
    preview = box(page, "#thumbnail-title")
    assert facts["x"] > tasks["x"] + tasks["width"]  # beside the tasks, on the right
    assert preview["y"] < facts["y"] < box(page, "#history-card")["y"]
    screenshot(page, "finish-order-desktop")


def test_stage_headers_name_the_stage_once_and_its_tags_apart(page, finishers):
    page.set_viewport_size(DESKTOP)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['finished']}/")
    stages = page.locator("#flow-diagram .stage")
    expect(stages.locator("h3")).to_have_text(["Design check", "Printing", "Shipping"])
    expect(stages.locator(".stage-tags")).to_have_text(
        ["Tags design", "Tags printing", "Tags shipping"]
    )
    screenshot(page, "finish-order-stages")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_history_names_tasks_and_files_and_shows_whole_lines(page, finishers, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['finished']}/")
    timeline = page.locator("#timeline")
    expect(timeline.locator("> li")).to_have_count(10)
    expect(timeline).to_contain_text("Task confirmed: “Hand the parcel to the carrier” — Done")
    expect(timeline).not_to_contain_text("“hand-over”")
    assert_whole_lines(page)
    screenshot(page, f"finish-history-latest-{size}")

    page.locator("#history-all").click()
    expect(page).to_have_url(re.compile(r"\?history=all#history-card$"))
    expect(timeline.locator("> li").last).to_have_text(re.compile(r"^\s*Order created with"))
    expect(timeline).to_contain_text("Task confirmed: “Approve the design” — Done")
    expect(timeline.locator("> li", has_text="files added by the")).to_have_text(
        re.compile(
            r"\d+ files added by the (ring|box) generator: .+ \(Production file\), .+ \(Preview\)"
        )
    )
    expect(page.locator("#history-all")).to_have_count(0)
    assert_whole_lines(page)
    screenshot(page, f"finish-history-all-{size}")


def assert_whole_lines(page) -> None:
    """The History card scrolls nothing away: its box holds every line from top to bottom."""
    body = page.locator("#history-card .card-body")
    assert body.evaluate("element => element.scrollHeight <= element.clientHeight")
    card = box(page, "#history-card")
    last = box(page, "#timeline > li:last-child")
    assert last["y"] + last["height"] <= card["y"] + card["height"]


def test_starting_a_flow_again_says_what_it_does_and_asks_first(page, finishers):
    page.set_viewport_size(DESKTOP)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['restart']}/")
    form = page.locator("form.start-flow")
    expect(form.locator("label")).to_have_text("Start a flow again")
    expect(form.locator(".help")).to_have_text(
        "This order's flow has finished. Starting a flow runs all of its tasks again, for a "
        "remake or once the flow is put right."
    )
    started = page.locator("#timeline > li", has_text="Flow demo-production v1 started")
    page.locator("#history-all").click()
    expect(started).to_have_count(1)

    start = form.locator("button", has_text="Start…")
    start.click()
    dialog = page.locator("dialog#confirm-dialog")
    order_name = page.locator("h1").inner_text().removeprefix("Order ")
    expect(dialog.locator("h2")).to_have_text(f"Start “Demo production” on order {order_name}?")
    expect(dialog.locator("p")).to_contain_text("Every task of the flow runs again")
    expect(dialog.locator("#confirm-dialog-accept")).to_have_text("Start flow")
    screenshot(page, "finish-start-again-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert focused(page) == "Start…"
    page.reload()
    expect(started).to_have_count(1)
    expect(page.locator("#order-status")).to_have_text("Success")

    form.locator("button", has_text="Start…").click()
    dialog.locator("#confirm-dialog-accept").click()
    expect(page.locator(".message.success")).to_have_text(
        re.compile(r"^\s*Flow Demo production v1 started\.")
    )
    expect(page.locator("#order-status")).to_have_text("In progress")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_product_and_part_pages_show_their_facts_first(page, finishers, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['finished']}/")
    page.locator("#products a").first.click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^Product "))
    general = box(page, "#general-title")
    assert general["y"] < box(page, "#parts-title")["y"] < box(page, "#files-title")["y"]
    if size == "phone":
        assert box(page, "#files-title")["y"] < box(page, "#thumbnail-title")["y"]
    screenshot(page, f"finish-product-{size}")

    page.locator("#parts a").first.click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^Part "))
    assert box(page, "#general-title")["y"] < box(page, "#files-title")["y"]
    # A part without a preview image says so in one line, not in an empty picture's box.
    # (The demo's previews belong to products, never to parts.)
    expect(page.locator(".thumbnail .none")).to_have_text("No preview image yet")
    assert box(page, ".thumbnail")["height"] < 100
    screenshot(page, f"finish-part-{size}")


def test_the_reject_dialog_takes_the_focus_and_gives_it_back(page, finishers):
    page.set_viewport_size(DESKTOP)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['waiting']}/")
    reject = page.locator("#tasks-card button", has_text="Reject").first
    reject.click()
    dialog = page.locator("dialog#reject-dialog")
    expect(dialog).to_be_visible()
    assert focused(page) == "reject-reason"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert focused(page) == "Reject"
    expect(page.locator("#order-status")).to_have_text("In progress")


def test_skipping_a_failed_task_asks_in_the_dialog_first(page, finishers):
    page.set_viewport_size(PHONE)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['failed']}/")
    task = page.locator("#tasks-card li", has=page.locator("button", has_text="Skip"))
    title = task.locator(".task-title").inner_text()
    task.locator("button", has_text="Skip").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog.locator("h2")).to_have_text(f"Skip “{title}”?")
    expect(dialog.locator("#confirm-dialog-accept")).to_have_text("Skip task")
    screenshot(page, "finish-skip-dialog-phone")
    dialog.locator("#confirm-dialog-cancel").click()
    page.reload()
    expect(page.locator("#order-status")).to_have_text("Failure")

    page.locator("#tasks-card button", has_text="Skip").click()
    dialog.locator("#confirm-dialog-accept").click()
    expect(page.locator(".message.success")).to_contain_text(
        f"Task “{title}” skipped: the flow goes on without it."
    )


def test_a_page_that_refreshes_itself_waits_while_a_dialog_is_open(page, finishers):
    page.set_viewport_size(DESKTOP)
    sign_in(page, finishers)
    page.goto(f"/orders/{finishers['live']}/")
    expect(page.locator("#order-live")).to_have_attribute("hx-trigger", "every 2s")
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true"):
        pass  # it refreshes
    refreshes = []
    page.on("request", lambda request: refreshes.append(request.headers.get("hx-request")))
    page.evaluate("document.getElementById('reject-dialog').showModal()")
    page.wait_for_timeout(5_000)  # two refresh periods and more
    assert refreshes == []
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true"):
        page.keyboard.press("Escape")
