"""The Order flows page and the JSON editor in a real browser.

This module also holds what the other part-2 browser tests share: an organization of their own
(seeded by a separate process into the live server's database, so the seeded data of the list
tests stays as they expect it), a real `fabflow worker` beside the live web server, and a real
SMTP server the worker's e-mail tasks deliver to.
"""

import json
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPOSITORY, screenshot
from tests.flows.conftest import MailBox, free_port

pytestmark = pytest.mark.timeout(240)

PASSWORD = "correct horse battery"
ADMIN = "fiona@fabworks.test"
MEMBER = "mo@fabworks.test"


def seed() -> None:
    """Create (once) the organization the part-2 browser tests work in; print its facts as JSON.

    Run in its own process against the live server's database. Each run adds a fresh secret key,
    since a key's secret cannot be read back.
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    django.setup()
    from decimal import Decimal

    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.accounts.models import Organization, ProductSpace, User
    from fabflow.orders.services import ProductInput, create_order

    organization = Organization.objects.filter(name="Fabworks").first()
    if organization is None:
        organization = accounts.create_organization(name="Fabworks")
        space = accounts.create_space(organization=organization, name="Made to order", key="made")
        accounts.create_user(
            organization=organization,
            email=ADMIN,
            password=PASSWORD,
            name="Fiona Fab",
            is_admin=True,
        )
        accounts.create_user(
            organization=organization, email=MEMBER, password=PASSWORD, name="Mo Maker"
        )
        actor = Actor.for_user(User.objects.get(email=ADMIN))
        for name, tags in [("FW-1", ["printing"]), ("FW-2", ["shipping"]), ("FW-3", [])]:
            create_order(
                actor=actor,
                space=space,
                name=name,
                tags=tags,
                products=[ProductInput(name=f"Lamp {name}", units=1, unit_value=Decimal("20.00"))],
            )
    space = ProductSpace.objects.get(organization=organization, key="made")
    admin = User.objects.get(email=ADMIN)
    created = accounts.create_secret_key(actor=Actor.for_user(admin), space=space, name="E2E shop")
    print(json.dumps({"secret": created.secret, "space": space.key}))


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    mailbox = MailBox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def installation(fabflow_server, server_database, smtp, tmp_path_factory):
    """The live web server plus a worker of its own, and the seeded organization's facts."""
    data_dir = tmp_path_factory.mktemp("e2e-worker")
    env = dict(
        os.environ,
        DATABASE_URL=server_database,
        FABFLOW_DATA_DIR=str(data_dir),
        SECRET_KEY="e2e-secret-key-not-for-production",
        TIME_ZONE="UTC",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        FABFLOW_PUBLIC_URL=fabflow_server["url"],
    )
    env.pop("DEBUG", None)
    seeded = json.loads(
        subprocess.run(
            [sys.executable, "-c", "from tests.e2e.test_flow_editor import seed; seed()"],
            env=env, cwd=REPOSITORY, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    log_path = data_dir / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "worker", "--id", f"e2e-{uuid.uuid4().hex[:8]}"],
        env=env, cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "is running" not in log_path.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The worker did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield {**fabflow_server, **seeded, "smtp": smtp}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def sign_in(page, email: str = ADMIN) -> None:
    page.goto("/sign-in/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():  # the Orders page, scripts and all
        page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Orders")


# Line 9 holds the handler key the schema does not know.
UNKNOWN_HANDLER = """[
  {
    "key": "make",
    "name": "Make",
    "tasks": [
      {
        "key": "print",
        "timeoutDuration": 3600000,
        "handlerKey": "print-it-please",
        "payload": {"title": "Print the parts"}
      }
    ]
  }
]"""

# Valid against the schema; the server refuses the second "print" (line 17): keys are unique.
DUPLICATE_KEY = """[
  {
    "key": "make",
    "name": "Make",
    "tasks": [
      {
        "key": "print",
        "handlerKey": "manual-confirmation",
        "payload": {"title": "Print the parts"}
      }
    ]
  },
  {
    "key": "check",
    "tasks": [
      {
        "key": "print",
        "handlerKey": "manual-confirmation",
        "payload": {"title": "Check the parts"}
      }
    ]
  }
]"""


def test_create_a_flow_see_errors_at_their_lines_fix_and_save(page, installation):
    sign_in(page)
    page.click(".sidebar >> text=Order flows")
    expect(page.locator("h1")).to_have_text("Order flows")
    screenshot(page, "flows-list-empty")

    page.click("button.fab")
    dialog = page.locator("dialog#new-flow")
    expect(dialog).to_be_visible()
    dialog.locator("#id_name").fill("Lamp")
    screenshot(page, "flows-new-dialog")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator(".field-error")).to_have_text("A flow name has at least 5 characters.")
    expect(dialog.locator("#id_name")).to_have_value("Lamp")
    screenshot(page, "flows-new-dialog-error")
    dialog.locator("#id_name").fill("Lamps made to order")
    dialog.locator("#id_space").select_option(label="Made to order")
    dialog.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/flows/made/lamps-made-to-order/$"))
    expect(page.locator("h1")).to_have_text("Lamps made to order")
    expect(page.locator(".cm-content")).to_be_visible()
    expect(page.locator("#validity")).to_have_text("Valid")
    expect(page.locator("#versions > li")).to_have_count(1)

    page.evaluate("text => window.flowEditor.setValue(text)", UNKNOWN_HANDLER)
    first = page.locator("#diagnostics li").first
    expect(first).to_have_attribute("data-line", "9")
    expect(first).to_contain_text("Line 9")
    expect(page.locator("#validity")).to_have_text(re.compile(r"^\d+ problems?$"))
    expect(page.locator(".cm-lintRange-error").first).to_be_visible()
    screenshot(page, "flow-editor-live-error")

    page.evaluate("text => window.flowEditor.setValue(text)", DUPLICATE_KEY)
    expect(page.locator("#validity")).to_have_text("Valid")
    expect(page.locator("#diagnostics li")).to_have_count(0)
    page.click("#save-flow")
    server = page.locator("#diagnostics li").first
    expect(server).to_have_attribute("data-line", "17")
    expect(server).to_contain_text("print")
    # Said once, at its line: the form's own message is for pages without scripts.
    expect(page.get_by_text(re.compile("is used twice"))).to_have_count(1)
    expect(page.locator(".server-error")).to_have_count(0)
    expect(page.locator("#versions > li")).to_have_count(1)
    screenshot(page, "flow-editor-server-error")

    page.evaluate(
        "text => window.flowEditor.setValue(text)",
        DUPLICATE_KEY.replace(
            '"key": "print",\n        "handlerKey": "manual-confirmation",\n        "payload": {"title": "Check',
            '"key": "check-parts",\n        "handlerKey": "manual-confirmation",\n        "payload": {"title": "Check',
        ),
    )
    expect(page.locator("#validity")).to_have_text("Valid")
    page.click("#save-flow")
    expect(page.locator(".message.success")).to_have_text(
        re.compile("Saved version 2 of Lamps made to order.")
    )
    expect(page.locator("#versions > li")).to_have_count(2)
    expect(page.locator("#versions summary strong")).to_have_text(["Version 2", "Version 1"])
    expect(page.locator("#version-2")).to_contain_text('"check-parts"')
    screenshot(page, "flow-editor-saved")

    page.click(".sidebar >> text=Order flows")
    row = page.locator("#flows-table tbody tr", has_text="Lamps made to order")
    expect(row.locator("td")).to_have_text(
        [
            "Made to order",
            "Lamps made to order",
            "lamps-made-to-order",
            "v2",
            re.compile(r"\d{4}-"),
            "",
        ]
    )
    screenshot(page, "flows-list")
    row.locator("a[aria-label^=Edit]").click()
    expect(page.locator("h1")).to_have_text("Lamps made to order")


DRY_RUN_DRAFT = """[
  {
    "key": "make",
    "name": "Make",
    "tags": ["printing"],
    "tasks": [
      {
        "key": "tell-customer",
        "handlerKey": "send-email",
        "timeoutDuration": 600000,
        "payload": {
          "recipient": ["{{ order.data.email|default('shop@fabworks.test') }}"],
          "subject": "Order {{ order.name }} is being made",
          "body": "{{ products|length }} product(s)."
        },
        "next": [
          {
            "key": "tell-erp",
            "handlerKey": "consume-rest-api",
            "payload": {"uri": "https://erp.example.com/hooks", "sendsFeedback": true}
          }
        ]
      },
      {
        "key": "check",
        "handlerKey": "manual-confirmation",
        "timeoutDuration": 86400000,
        "payload": {"title": "Check {{ order.name }}"}
      }
    ]
  }
]"""

# The same draft with a template that cannot render, on line 2 of the subject.
BROKEN_DRAFT = DRY_RUN_DRAFT.replace(
    '"subject": "Order {{ order.name }} is being made"',
    '"subject": "Order\\n{{ order.missing.name }}"',
)


def test_the_dry_run_panel_shows_what_a_draft_would_do_and_does_nothing(page, installation):
    created = page.request.post(
        "/api/v1/flows",
        headers={"Authorization": f"Bearer {installation['secret']}"},
        data={"name": f"Dry runs {uuid.uuid4().hex[:6]}", "definition": json.loads(DRY_RUN_DRAFT)},
    )
    assert created.status == 201, created.text()
    flow = created.json()
    order_name = f"DRY-{uuid.uuid4().hex[:6]}"
    order = page.request.post(
        "/api/v1/orders",
        headers={"Authorization": f"Bearer {installation['secret']}"},
        data={"name": order_name, "products": [{"name": "Lamp", "units": 1, "unitValue": "20"}]},
    )
    assert order.status == 201, order.text()
    sign_in(page)
    page.goto(f"/flows/{flow['spaceKey']}/{flow['key']}/")
    expect(page.locator(".cm-content")).to_be_visible()
    panel = page.locator("#dry-run")
    expect(panel).to_be_visible()
    mails_before = len(installation["smtp"].messages)

    page.click("#dry-run-button")
    result = page.locator("#dry-run-result")
    expect(result.locator(".summary")).to_have_text("The draft on order SAMPLE-1001")
    expect(result.locator("h3")).to_have_text(["Make (tags printing)"])
    email = result.locator("[data-task=tell-customer]")
    expect(email.locator("pre")).to_contain_text("To: customer@example.com")
    expect(email.locator("pre")).to_contain_text("Subject: Order SAMPLE-1001 is being made")
    expect(email.locator(".meta")).to_have_text(
        "starts with the stage · overdue 10 minutes after the task starts"
    )
    request = result.locator("[data-task=tell-erp]")
    expect(request.locator(".waits")).to_have_text("waits for feedback")
    expect(request.locator(".meta")).to_have_text("starts when tell-customer succeeds")
    expect(request.locator("pre")).to_contain_text("POST https://erp.example.com/hooks")
    expect(request.locator("pre")).to_contain_text("X-Fabflow-Signature: (signed)")
    check = result.locator("[data-task=check]")
    expect(check.locator("strong")).to_have_text("Check SAMPLE-1001")
    expect(check.locator(".waits")).to_have_text("waits for a person")
    screenshot(page, "flow-editor-dry-run")

    page.evaluate("text => window.flowEditor.setValue(text)", BROKEN_DRAFT)
    page.click("#dry-run-button")
    expect(result.locator(".summary")).to_have_text(
        "The draft on order SAMPLE-1001: 1 template error"
    )
    error = result.locator("[data-task=tell-customer] .error")
    expect(error).to_contain_text("stages[0].tasks[0].payload.subject, line 2:")
    expect(error).to_contain_text("UndefinedError")
    expect(page.locator("#diagnostics li").first).to_contain_text("line 2")
    screenshot(page, "flow-editor-dry-run-error")

    page.select_option("#dry-run-order", label=order_name)
    expect(page.locator("#dry-run-sample")).to_be_hidden()
    page.evaluate("text => window.flowEditor.setValue(text)", DRY_RUN_DRAFT)
    page.click("#dry-run-button")
    expect(result.locator(".summary")).to_have_text(f"The draft on order {order_name}")
    expect(result.locator("[data-task=check] strong")).to_have_text(f"Check {order_name}")
    expect(result.locator("[data-task=tell-customer] pre")).to_contain_text(
        "To: shop@fabworks.test"
    )

    page.reload()
    expect(page.locator("#versions > li")).to_have_count(1)
    assert len(installation["smtp"].messages) == mails_before
