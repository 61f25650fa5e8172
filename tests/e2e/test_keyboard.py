"""The keyboard alone: sign in, reach the Orders table, open an order, look at the Reject dialog
and leave it, and confirm the task that waits, with Tab, Shift+Tab, Enter, Space and Escape, and
a visible focus ring on every control reached; an order page that refreshes itself while its
flow runs keeps the keyboard's place."""

import time

import pytest
from playwright.sync_api import expect

from fabflow.web.live import REFRESH_SECONDS
from tests.e2e.conftest import screenshot
from tests.e2e.studio import FLOW, PASSWORD, api, sign_in, start_flow_and_wait, studio  # noqa: F401
from tests.e2e.test_flow_editor import installation, smtp  # noqa: F401

pytestmark = pytest.mark.timeout(240)

# What has the focus: its tag, id and text, and whether it shows a focus ring (an outline or a
# box shadow) as :focus-visible, that is as keyboard users see it.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    text: (element.innerText || element.value || "").trim(),
    ringed: element.matches(":focus-visible") && (outlined || style.boxShadow !== "none"),
  };
}"""
# Whether the focused element matches a CSS selector and, unless it is null, shows a text.
IS_FOCUSED = """([selector, text]) => {
  const element = document.activeElement;
  return element.matches(selector) && (text === null || element.innerText.trim() === text);
}"""
# Resolves at the next refresh of a live region (every few seconds while a flow's engine works).
NEXT_REFRESH = """() => new Promise((resolve) => {
  document.addEventListener("htmx:afterSwap", () => resolve(true), { once: true });
})"""
# Counts the refreshes from now on, in window.refreshes.
COUNT_REFRESHES = """() => {
  window.refreshes = 0;
  document.addEventListener("htmx:afterSwap", () => { window.refreshes += 1; });
}"""
# A stage where a person checks the design while the engine works on beside it (a long durable
# wait): the order's page refreshes itself all the while.
CURE = {
    "key": "cure",
    "handlerKey": "wait",
    "timeoutDuration": 86_400_000,
    "payload": {"duration": 600_000},
}
CHECK_WHILE_CURING = [{**FLOW[0], "tasks": [*FLOW[0]["tasks"], CURE]}]
# Tab presses allowed to reach a control: the sidebar, the filters and a page of rows fit.
MOST_PRESSES = 80


def is_focused(page, selector: str, text: str | None = None) -> bool:
    return page.evaluate(IS_FOCUSED, [selector, text])


def tab_to(page, selector: str, text: str | None = None, *, key: str = "Tab") -> None:
    """Press `key` until the element matching `selector` (showing `text`) has the focus; it must
    show a focus ring."""
    for _press in range(MOST_PRESSES):
        page.keyboard.press(key)
        if is_focused(page, selector, text):
            break
    else:
        pytest.fail(f"{key} never reached {selector} {text or ''}")
    assert_focus_ring(page)


def assert_focus_ring(page) -> None:
    focused = page.evaluate(FOCUSED)
    assert focused["ringed"], f"no visible focus ring on {focused}"


def test_sign_in_open_an_order_and_confirm_its_task_by_keyboard(page, studio, installation):  # noqa: F811
    task_id = start_flow_and_wait(studio, "ST-2")
    page.goto("/sign-in/")
    tab_to(page, "#email")
    page.keyboard.type(studio["admin"])
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Orders")

    tab_to(page, "#table-region tbody a", "ST-2")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Order ST-2")

    # The Reject dialog opens with Space, holds the focus, and Escape closes it unchanged.
    tab_to(page, "#tasks-card button", "Reject")
    page.keyboard.press("Space")
    dialog = page.locator("#reject-dialog")
    expect(dialog).to_be_visible()
    assert is_focused(page, "#reject-dialog *")
    screenshot(page, "keyboard-reject-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert is_focused(page, "#tasks-card button", "Reject")

    tab_to(page, "#tasks-card button", "Confirm", key="Shift+Tab")
    screenshot(page, "keyboard-confirm")
    with page.expect_navigation():  # the confirmation is posted, and the page shown again
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Order ST-2")
    expect(page.locator("#tasks-card button:text-is('Confirm')")).to_have_count(0)
    with api(studio) as client:
        tasks = client.get(f"/orders/{studio['orders']['ST-2']}/tasks").json()["items"]
    assert [(task["id"], task["status"]) for task in tasks] == [(task_id, "succeeded")]


def test_a_refresh_keeps_the_focus_and_waits_while_a_dialog_is_open(page, studio, installation):  # noqa: F811
    order_id = start_flow_while_curing(studio, "ST-4")
    sign_in(page, studio["admin"])
    page.goto(f"/orders/{order_id}/")
    expect(page.locator("[hx-trigger^='every']")).to_have_count(1)

    # The control that has the focus has it again after a refresh, with its ring.
    tab_to(page, "#tasks-card button", "Confirm")
    assert page.evaluate(NEXT_REFRESH)
    assert is_focused(page, "#tasks-card button", "Confirm")
    assert_focus_ring(page)

    # No refresh while the Reject dialog is open (more than two refresh periods pass), so the
    # reason being written and the button that opened it stay; refreshes go on once it is closed.
    tab_to(page, "#tasks-card button", "Reject")
    page.evaluate(COUNT_REFRESHES)
    page.keyboard.press("Space")
    expect(page.locator("#reject-dialog")).to_be_visible()
    page.keyboard.type("Too thin")
    page.wait_for_timeout(2.5 * REFRESH_SECONDS * 1000)
    assert page.evaluate("() => window.refreshes") == 0
    expect(page.locator("#reject-dialog textarea")).to_have_value("Too thin")
    page.keyboard.press("Escape")
    assert is_focused(page, "#tasks-card button", "Reject")
    assert page.evaluate(NEXT_REFRESH)
    assert is_focused(page, "#tasks-card button", "Reject")


def start_flow_while_curing(studio, order_name: str) -> str:  # noqa: F811
    """Start a flow on an order whose manual check waits while a long wait runs beside it; the
    order's id, once both are under way."""
    order_id = studio["orders"][order_name]
    with api(studio) as client:
        flow = client.post(
            "/flows", json={"name": "Check while curing", "definition": CHECK_WHILE_CURING}
        )
        assert flow.status_code == 201, flow.text
        started = client.post(f"/orders/{order_id}/flow", json={"flowKey": flow.json()["key"]})
        assert started.status_code == 200, started.text
        deadline = time.monotonic() + 60
        while True:
            tasks = client.get(f"/orders/{order_id}/tasks").json()["items"]
            statuses = {task["key"]: task["status"] for task in tasks}
            if statuses == {"check": "waiting", "cure": "running"}:
                return order_id
            assert time.monotonic() < deadline, statuses
            time.sleep(0.2)
