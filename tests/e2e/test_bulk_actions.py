"""Bulk actions in the browser: confirming the waiting tasks of the ticked orders, and tagging
every order the table's filter matches; the job page follows the job until its outcomes."""

import pytest
from playwright.sync_api import expect

from tests.e2e.studio import api, session_cookies, start_flow_and_wait, studio  # noqa: F401
from tests.e2e.test_flow_editor import installation, smtp  # noqa: F401

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def admin_page(page, browser, studio):  # noqa: F811
    page.context.add_cookies(session_cookies(browser, studio, studio["admin"]))
    return page


def run_bulk_action(page, *, scope: str, action: str, **fields) -> None:
    page.locator("#bulk-menu summary").click()
    page.locator(f"#bulk-form input[name=scope][value={scope}]").check()
    page.locator("#bulk-form select[name=action]").select_option(action)
    for name, value in fields.items():
        page.locator(f"#bulk-form input[name={name}]").fill(value)
    with page.expect_navigation():
        page.locator("#bulk-form button[type=submit]").click()


def finished(page) -> None:
    """The job page refreshes itself until the job has finished."""
    expect(page.locator("[data-job-status]")).to_have_attribute(
        "data-job-status", "finished", timeout=60_000
    )


def test_confirm_the_waiting_tasks_of_the_ticked_orders(admin_page, studio, installation):  # noqa: F811
    page = admin_page
    for name in ["ST-1", "ST-2"]:
        start_flow_and_wait(studio, name)
    page.goto("/")
    for name in ["ST-1", "ST-2"]:
        page.locator("#table-region tbody tr", has_text=name).locator(
            "input[type=checkbox]"
        ).check()
    expect(page.locator("[data-selected-count=bulk-selected-ids]")).to_have_text("2")
    run_bulk_action(page, scope="selected", action="confirm", text="Checked in bulk")
    expect(page.locator("h1")).to_have_text("Confirm waiting tasks on 2 orders")
    finished(page)
    expect(page.locator("#bulk-counts [data-outcome=done] .count")).to_have_text("2")
    expect(page.locator("#bulk-items tbody td.outcome")).to_have_text(["Done", "Done"])
    expect(page.locator("#bulk-done-means")).to_contain_text(
        "its waiting manual tasks were confirmed"
    )
    with api(studio) as client:
        for name in ["ST-1", "ST-2"]:
            order_id = studio["orders"][name]
            assert client.get(f"/orders/{order_id}").json()["status"] == "success"
            events = client.get(f"/orders/{order_id}/events").json()["items"]
            assert [e["type"] for e in events].count("task_confirmed") == 1


def test_tag_every_order_the_filter_matches(admin_page, studio, installation):  # noqa: F811
    page = admin_page
    page.goto("/?status=created")
    created = page.locator("#table-region tbody tr").count()
    run_bulk_action(page, scope="filter", action="add_tag", tag="rush")
    expect(page.locator("h1")).to_have_text(f"Add a tag on {created} orders")
    finished(page)
    expect(page.locator("#bulk-counts [data-outcome=done] .count")).to_have_text(str(created))
    page.locator("#bulk-counts a", has_text="Refused").click()
    expect(page.locator("#bulk-items")).to_contain_text("No order has this outcome.")
    with api(studio) as client:
        orders = client.get("/orders?status=created").json()["items"]
    assert len(orders) == created
    assert all(order["tags"] == ["rush"] for order in orders)
