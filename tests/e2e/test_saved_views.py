"""Saved views in a real browser: a view saved by one user opens with the same rows and columns
for another user of the organization, and Back and Forward restore the table's state."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.studio import session_cookies, sign_in, studio  # noqa: F401

pytestmark = pytest.mark.timeout(180)

HEADERS = "#table-region thead th"
NAMES = "#table-region tbody td:nth-child(2)"


def settled(page, url_part: str) -> None:
    """Wait until the URL holds `url_part` and htmx has swapped the table in."""
    page.wait_for_url(re.compile(re.escape(url_part)))
    page.wait_for_load_state("networkidle")


def toggle_column(page, title: str) -> None:
    menu = page.locator("#columns-menu")
    if not menu.evaluate("menu => menu.open"):
        menu.locator("summary").click()
    menu.locator("label", has_text=title).click()


def test_a_shared_view_opens_with_the_same_rows_and_columns_for_a_colleague(
    page,
    browser,
    studio,  # noqa: F811
):
    sign_in(page, studio["admin"])
    page.locator("label.chip", has_text="Created").click()
    settled(page, "status=created")
    page.click("th >> text=Order")
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Order")
    page.click("th >> text=Order")
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Order")
    toggle_column(page, "Order ID")
    expect(page.locator(HEADERS)).to_have_count(7)
    toggle_column(page, "Value")
    headers = ["", "Order", "Status", "Created at", "Deadline", "Order ID"]
    names = ["ST-5", "ST-4", "ST-3", "ST-2", "ST-1"]
    expect(page.locator(HEADERS)).to_have_text(headers)
    expect(page.locator(NAMES)).to_have_text(names)
    settled(page, "columns=status%2Ccreated_at%2Cdeadline%2Cid")

    page.locator("#views-menu summary").click()
    page.fill("#view-name", "Studio, newest names first")
    page.locator("#views-menu label", has_text="Share with my organization").click()
    page.locator("#save-view-form button").click()
    expect(page.locator("text=Saved the view “Studio, newest names first”.")).to_be_visible()
    saved_url = page.url
    expect(page.locator(HEADERS)).to_have_text(headers)
    expect(page.locator(NAMES)).to_have_text(names)
    screenshot(page, "saved-view-saved")

    colleague = browser.new_context(base_url=studio["url"])
    try:
        colleague.add_cookies(session_cookies(browser, studio, studio["member"]))
        other = colleague.new_page()
        other.goto(saved_url)
        expect(other.locator(HEADERS)).to_have_text(headers)
        expect(other.locator(NAMES)).to_have_text(names)
        expect(other.locator("label.chip", has_text="Created").locator("input")).to_be_checked()
        # The colleague's Views menu lists the view, by its owner, and opens it.
        other.goto("/")
        expect(other.locator(HEADERS)).to_have_count(6)
        other.locator("#views-menu summary").click()
        link = other.locator("#views-menu a", has_text="Studio, newest names first")
        expect(link).to_contain_text("Sam Studio")
        screenshot(other, "saved-view-menu")
        link.click()
        expect(other.locator(HEADERS)).to_have_text(headers)
        expect(other.locator(NAMES)).to_have_text(names)
    finally:
        colleague.close()


def test_back_and_forward_restore_the_filters_sort_and_columns(page, studio):  # noqa: F811
    sign_in(page, studio["admin"])
    page.goto("/")
    default_headers = page.locator(HEADERS).all_inner_texts()
    chip = page.locator("label.chip", has_text="Created")
    created = chip.locator("input")
    chip.click()
    settled(page, "status=created")
    expect(created).to_be_checked()
    page.locator("select[name=per_page]").select_option("25")
    settled(page, "per_page=25")
    page.click("th >> text=Order")
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Order")
    settled(page, "ordering=")
    toggle_column(page, "Tags")
    expect(page.locator(HEADERS)).to_have_count(len(default_headers) + 1)
    settled(page, "columns=")

    page.go_back()
    expect(page.locator(HEADERS)).to_have_count(len(default_headers))
    expect(page).not_to_have_url(re.compile("tags"))
    expect(page).to_have_url(re.compile("ordering=name"))
    page.go_back()
    expect(page).not_to_have_url(re.compile("ordering=name"))
    expect(page.locator("select[name=per_page]")).to_have_value("25")
    page.go_back()
    expect(page.locator("select[name=per_page]")).to_have_value("50")
    expect(created).to_be_checked()
    page.go_back()
    expect(created).not_to_be_checked()
    expect(page).not_to_have_url(re.compile("status="))

    page.go_forward()
    expect(created).to_be_checked()
    page.go_forward()
    expect(page.locator("select[name=per_page]")).to_have_value("25")
    page.go_forward()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Order")
    page.go_forward()
    expect(page.locator(HEADERS)).to_have_count(len(default_headers) + 1)
    expect(created).to_be_checked()
    expect(page.locator("select[name=per_page]")).to_have_value("25")
    # The Columns menu shows the columns of the state shown.
    expect(page.locator("#columns-menu input[name=columns][value=tags]")).to_be_checked()
