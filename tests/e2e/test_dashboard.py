"""The Dashboard in a real browser: one click from the Orders table, every number equal to the
count of the Orders table it opens, nothing of another organization."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.timeout(180)


def listed_rows(page, href: str) -> int:
    """How many orders the Orders table lists at `href` (one page of 200 holds them all here)."""
    page.goto(f"{href}&per_page=200")
    return page.locator("#table-region tbody tr:not(:has(td.empty))").count()


def test_every_number_equals_the_count_of_the_table_it_opens(page):
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    screenshot(page, "dashboard-desktop")
    numbers = page.locator("a.dashboard-number")
    links = [
        (link.get_attribute("href"), int(link.get_attribute("data-count")))
        for link in numbers.all()
    ]
    # Five statuses, 30 days of created and finished orders, the orders that need attention,
    # the deadlines at risk and the tasks waiting for Ada's tag.
    assert len(links) == 5 + 60 + 3
    statuses = {href: count for href, count in links[:5]}
    assert sum(statuses.values()) == 60
    assert statuses["/?status=unhealthy"] == 12

    for href, count in links:
        assert listed_rows(page, href) == count, href


def test_another_organization_sees_only_its_own_numbers(page):
    sign_in(page, "boss@lampworks.test")
    page.goto("/dashboard/")
    created = page.locator("#dashboard-statuses a.dashboard-number").first
    expect(created).to_have_attribute("href", "/?status=created")
    expect(created).to_have_attribute("data-count", "1")
    expect(page.locator("#main")).not_to_contain_text("WEB-")


def test_on_a_phone_the_chart_keeps_its_size_and_opens_at_the_latest_days(page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)
    page.goto(page.url.split("?")[0].rstrip("/") + "/dashboard/")
    box = page.locator(".dashboard-chart-scroll")
    geometry = box.evaluate(
        "box => ({scrollLeft: box.scrollLeft, scrollWidth: box.scrollWidth,"
        " clientWidth: box.clientWidth, page: document.documentElement.scrollWidth})"
    )
    assert geometry["scrollWidth"] > geometry["clientWidth"]
    assert geometry["scrollLeft"] == geometry["scrollWidth"] - geometry["clientWidth"]
    assert geometry["page"] <= 390
    expect(page.locator(".dashboard-chart text.chart-text").last).to_be_in_viewport()
