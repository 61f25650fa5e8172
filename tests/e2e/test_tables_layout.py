"""The list pages' layout in a real browser, at a desktop (1440×900) and a phone (390×844) size.

The page scrolls (no box of rows inside it), a wide table scrolls sideways with its first
columns kept in view, the phone's navigation and filters fold behind buttons, menus close by
Escape, a click elsewhere and their own button, the Export button tells its limit before the
click, dates read YYYY-MM-DD, an empty result offers to clear the filters, and /favicon.ico is
an icon.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_ui import expect_names, sign_in, wait_for_table

pytestmark = pytest.mark.timeout(180)

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# The list pages besides Orders, Products and Parts (the seeded admin sees them all).
OTHER_LIST_PAGES = {
    "flows": "/flows/",
    "users": "/users/",
    "secret-keys": "/secret-keys/",
    "export-targets": "/export-targets/",
    "spaces": "/spaces/",
    "outbox": "/outbox/",
}


def page_geometry(page) -> dict:
    """What decides whether the page or a box inside it scrolls."""
    return page.evaluate(
        """() => {
          const wrap = document.querySelector(".table-wrap");
          const style = wrap && getComputedStyle(wrap);
          return {
            documentHeight: document.documentElement.scrollHeight,
            documentWidth: document.documentElement.scrollWidth,
            viewportHeight: window.innerHeight,
            viewportWidth: window.innerWidth,
            sidebarHeight: document.querySelector(".sidebar").getBoundingClientRect().height,
            wrapOverflowY: style && style.overflowY,
            wrapMaxHeight: style && style.maxHeight,
            wrapScrollsDown: wrap && wrap.scrollHeight > wrap.clientHeight,
          };
        }"""
    )


def box(locator) -> dict:
    return locator.bounding_box()


def test_the_page_scrolls_not_a_box_and_the_sidebar_runs_its_whole_height(page):
    page.set_viewport_size(DESKTOP)
    sign_in(page)
    expect(page.locator("#table-region tbody tr")).to_have_count(50)
    geometry = page_geometry(page)
    assert geometry["documentHeight"] > geometry["viewportHeight"]
    assert geometry["wrapMaxHeight"] == "none"
    assert geometry["wrapOverflowY"] == "hidden"
    assert geometry["wrapScrollsDown"] is False
    assert geometry["documentWidth"] == geometry["viewportWidth"]
    assert round(geometry["sidebarHeight"]) == geometry["documentHeight"]
    expect(page.locator(".nav-toggle")).to_be_hidden()
    expect(page.locator(".filters-toggle")).to_be_hidden()
    expect(page.locator("#filters")).to_be_visible()
    # Scrolled to the bottom, the navigation is still in view.
    page.mouse.wheel(0, 5000)
    page.wait_for_function("() => window.scrollY > 0")
    expect(page.locator(".sidebar nav a", has_text="Parts")).to_be_in_viewport()
    expect(page.locator(".rows-shown")).to_have_text("Rows 1–50 of 60")
    screenshot(page, "layout-orders-desktop")


def test_id_columns_fit_or_scroll_the_table_alone_on_the_desktop(page):
    # The user of the other organization: changing their columns leaves the other tests alone.
    page.set_viewport_size(DESKTOP)
    sign_in(page, email="boss@lampworks.test")
    page.goto("/products/")
    page.click("#columns-menu summary")
    for column in ["Product ID", "Order ID"]:
        page.locator("#columns-menu label", has_text=column).click()
    headers = page.locator("#table-region thead th")
    expect(headers).to_have_count(8)
    page.keyboard.press("Escape")
    geometry = page_geometry(page)
    assert geometry["documentWidth"] == geometry["viewportWidth"]
    # Scrolled to its end, the table shows its last header whole, inside its frame.
    page.locator(".table-wrap").evaluate("wrap => { wrap.scrollLeft = wrap.scrollWidth; }")
    last = box(headers.nth(7))
    wrap = box(page.locator(".table-wrap"))
    assert wrap["x"] <= last["x"]
    assert last["x"] + last["width"] <= wrap["x"] + wrap["width"]
    screenshot(page, "layout-products-id-columns-desktop")
    page.click("#columns-menu summary")
    for column in ["Product ID", "Order ID"]:
        page.locator("#columns-menu label", has_text=column).click()
    expect(headers).to_have_count(6)


def test_the_phone_menu_opens_closes_and_navigates(page):
    page.set_viewport_size(PHONE)
    sign_in(page)
    toggle = page.locator(".nav-toggle")
    products = page.locator(".sidebar nav a", has_text="Products")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(products).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(products).to_be_visible()
    screenshot(page, "layout-phone-menu-open")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(products).to_be_hidden()
    expect(toggle).to_be_focused()

    toggle.click()
    expect(products).to_be_visible()
    sidebar = page.locator(".sidebar").bounding_box()
    below = sidebar["y"] + sidebar["height"] + 40
    assert below < PHONE["height"]
    page.mouse.click(200, below)  # on the table, below the open menu
    expect(products).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    toggle.click()
    expect(products).to_be_hidden()
    expect(toggle).to_be_focused()

    toggle.click()
    products.click()
    expect(page.locator("h1")).to_have_text("Products")
    expect(page).to_have_url(re.compile(r"/products/(\?columns=[^&]+)?$"))
    expect(page.locator(".nav-toggle")).to_have_attribute("aria-expanded", "false")


def test_the_phone_folds_the_filters_behind_a_button_that_counts_them(page):
    page.set_viewport_size(PHONE)
    sign_in(page)
    page.goto("/?status=failure&search=WEB")
    filters = page.locator("#filters")
    toggle = page.locator(".filters-toggle")
    expect(filters).to_be_hidden()
    expect(toggle).to_have_text(re.compile(r"^\s*Filters\s+2\s*$"))
    # The rows start within the first screen, not below the filters.
    assert box(page.locator("#table-region tbody tr").first)["y"] < PHONE["height"]
    screenshot(page, "layout-phone-filters-folded")

    toggle.click()
    expect(filters).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.locator("label.chip", has_text="My tags").click()
    wait_for_table(page, "mine=1")
    expect(toggle).to_have_text(re.compile(r"^\s*Filters\s+3\s*$"))
    screenshot(page, "layout-phone-filters-open")
    toggle.click()
    expect(filters).to_be_hidden()


def test_the_activity_page_folds_its_filters_on_a_phone_too(page):
    page.set_viewport_size(PHONE)
    sign_in(page)
    page.goto("/activity/?action=order.created")
    filters = page.locator("#filters")
    toggle = page.locator(".filters-toggle")
    expect(filters).to_be_hidden()
    expect(toggle).to_have_text(re.compile(r"^\s*Filters\s+1\s*$"))
    toggle.click()
    expect(filters).to_be_visible()
    expect(page.get_by_label("Action")).to_have_value("order.created")


def test_the_first_columns_stay_in_view_when_the_table_scrolls_sideways(page):
    page.set_viewport_size(PHONE)
    sign_in(page)
    wrap = page.locator(".table-wrap")
    first_row = page.locator("#table-region tbody tr").first
    checkbox, name, status = (first_row.locator("td").nth(index) for index in range(3))
    expect(name).to_have_text("=SUM(1+1)")
    before = {cell: box(locator) for cell, locator in [("check", checkbox), ("name", name)]}
    status_before = box(status)
    geometry = page_geometry(page)
    assert geometry["documentWidth"] == geometry["viewportWidth"]
    assert page.evaluate("document.querySelector('.table-wrap').scrollWidth") > PHONE["width"]

    wrap.evaluate("wrap => { wrap.scrollLeft = 150; }")
    page.wait_for_function("() => document.querySelector('.table-wrap').scrollLeft === 150")
    assert box(checkbox)["x"] == before["check"]["x"]
    assert box(name)["x"] == before["name"]["x"]
    assert box(status)["x"] < status_before["x"]
    screenshot(page, "layout-phone-scrolled-sideways")


def test_the_columns_menu_closes_by_escape_a_click_elsewhere_and_its_button(page):
    page.set_viewport_size(DESKTOP)
    sign_in(page)
    menu = page.locator("#columns-menu")
    summary = menu.locator("summary")
    options = menu.locator(".dropdown-menu")

    summary.click()
    expect(options).to_be_visible()
    screenshot(page, "layout-columns-menu-open")
    page.keyboard.press("Escape")
    expect(options).to_be_hidden()
    expect(summary).to_be_focused()

    summary.click()
    expect(options).to_be_visible()
    page.locator("h1").click()
    expect(options).to_be_hidden()
    expect(summary).to_be_focused()

    summary.click()
    expect(options).to_be_visible()
    summary.click()
    expect(options).to_be_hidden()
    expect(summary).to_be_focused()


def test_export_over_the_limit_warns_before_the_click_and_keeps_the_selection(page):
    page.set_viewport_size(DESKTOP)
    sign_in(page)
    limit = page.locator("#export-limit")
    expect(limit).to_have_text("At most 50 rows")
    page.select_option("select[name=per_page]", "100")
    wait_for_table(page, "per_page=100")
    page.check("thead input[data-select-all]")
    expect(page.locator("[data-selected-count=selected-ids]")).to_have_text("60")
    expect(limit).to_have_text(
        "60 rows selected: an export holds at most 50. Unselect 10 to export."
    )
    expect(limit).to_have_class(re.compile(r"\bis-over\b"))
    screenshot(page, "layout-export-limit-warning")

    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("button:has-text('Export')")
    expect(page.locator(".message.error")).to_contain_text("Nothing was exported")
    assert downloads == []
    expect(page).to_have_url(re.compile(r"[?&]per_page=100(&|$)"))
    expect(page.locator("[data-selected-count=selected-ids]")).to_have_text("60")
    expect(page.locator("#table-region tbody input[data-row-id]:checked")).to_have_count(60)
    expect(page.locator("thead input[data-select-all]")).to_be_checked()
    expect(limit).to_have_class(re.compile(r"\bis-over\b"))
    screenshot(page, "layout-export-refused-selection-kept")

    # Ten fewer, and the warning goes.
    for row in range(10):
        page.locator("#table-region tbody tr").nth(row).locator("input[data-row-id]").uncheck()
    expect(page.locator("[data-selected-count=selected-ids]")).to_have_text("50")
    expect(limit).to_have_text("At most 50 rows")
    # A later visit starts with nothing selected.
    page.goto("/?per_page=100")
    expect(page.locator("[data-selected-count=selected-ids]")).to_have_text("0")
    expect(page.locator("#table-region tbody input[data-row-id]:checked")).to_have_count(0)


def test_dates_read_yyyy_mm_dd_in_the_table_and_the_filters(page):
    page.set_viewport_size(DESKTOP)
    sign_in(page)
    created = page.locator("#table-region tbody tr td:nth-child(5)")
    expect(created.first).to_have_text("2025-03-01 09:00")
    expect(created.nth(1)).to_have_text("2025-02-28 09:00")
    day = page.locator("input[name=createdFrom]")
    expect(day).to_have_attribute("placeholder", "YYYY-MM-DD")
    assert day.get_attribute("type") == "text"

    day.fill("02/01/2025")
    day.dispatch_event("change")
    page.wait_for_load_state("networkidle")
    assert day.evaluate("input => input.validity.patternMismatch") is True
    assert day.evaluate("input => input.validationMessage") != ""
    # The browser refused it: no request went out, the table is as it was.
    assert "createdFrom" not in page.url
    expect(page.locator("#table-region tbody tr")).to_have_count(50)
    expect(page.locator("#table-region [role=alert]")).to_have_count(0)
    screenshot(page, "layout-date-filter-refused")

    day.fill("2025-02-01")
    day.dispatch_event("change")
    wait_for_table(page, "createdFrom=2025-02-01")
    expect(page.locator("#table-region tbody tr")).to_have_count(29)
    expect(page.locator(".rows-shown")).to_have_text("Rows 1–29 of 29")

    page.goto("/?createdFrom=1.2.2025")
    expect(page.locator("#table-region [role=alert]")).to_have_text(
        "Created from: “1.2.2025” is not a day. Write it as YYYY-MM-DD, for example 2025-02-01."
    )
    expect(page.locator("#table-region tbody td.empty")).to_be_visible()
    screenshot(page, "layout-date-filter-error")


def test_an_empty_result_offers_to_clear_the_filters(page):
    page.set_viewport_size(DESKTOP)
    sign_in(page)
    page.goto("/?search=nothing-like-this&status=failure&ordering=name")
    expect(page.locator("#table-region tbody td.empty")).to_have_text(
        "Nothing matches these filters. Clear filters"
    )
    screenshot(page, "layout-empty-result")
    page.click("text=Clear filters")
    # The sort and the columns are kept: they choose how rows show, not which.
    expect(page).to_have_url(re.compile(r"/\?ordering=name&columns=status%2Cvalue%2C[\w%]+$"))
    expect(page.locator("#search")).to_have_value("")
    expect(page.locator("#filters input[name=status]:checked")).to_have_count(0)
    expect_names(page, ["=SUM(1+1)", "WEB-1001", "WEB-1002"])
    expect(page.locator("#table-region tbody tr")).to_have_count(50)


def test_the_favicon_is_an_icon(page):
    failures = []
    page.on(
        "response",
        lambda response: failures.append(response.url) if response.status >= 400 else None,
    )
    sign_in(page)
    expect(page.locator("h1")).to_have_text("Orders")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.body()[:4] == b"\x00\x00\x01\x00"
    linked = page.request.get(icon)
    assert linked.status == 200
    assert linked.headers["content-type"].startswith("image/svg+xml")
    assert failures == []


@pytest.mark.parametrize("name", OTHER_LIST_PAGES)
def test_the_other_list_pages_fit_a_phone(page, name):
    page.set_viewport_size(PHONE)
    sign_in(page)
    page.goto(OTHER_LIST_PAGES[name])
    expect(page.locator(".nav-toggle")).to_be_visible()
    screenshot(page, f"layout-{name}-phone")
    geometry = page_geometry(page)
    assert geometry["documentWidth"] == geometry["viewportWidth"]
    if geometry["wrapOverflowY"] is not None:
        assert geometry["wrapOverflowY"] == "hidden"
        assert geometry["wrapScrollsDown"] is False


def test_without_javascript_the_phone_shows_the_links_and_the_filters(browser, fabflow_server):
    context = browser.new_context(
        base_url=fabflow_server["url"], viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page)
        expect(page.locator("h1")).to_have_text("Orders")
        expect(page.locator(".nav-toggle")).to_be_hidden()
        expect(page.locator(".filters-toggle")).to_be_hidden()
        expect(page.locator(".sidebar nav a", has_text="Products")).to_be_visible()
        expect(page.locator("#filters")).to_be_visible()
        # The unfolded links scroll away with the page instead of covering it.
        assert page.evaluate("getComputedStyle(document.querySelector('.sidebar')).position") == (
            "static"
        )
        screenshot(page, "layout-phone-without-javascript")
    finally:
        context.close()


def test_the_columns_menu_fits_a_phone(page):
    page.set_viewport_size(PHONE)
    sign_in(page)
    page.click("#columns-menu summary")
    options = box(page.locator("#columns-menu .dropdown-menu"))
    assert options["x"] >= 0
    assert options["x"] + options["width"] <= PHONE["width"]
    screenshot(page, "layout-phone-columns-menu")
    page.keyboard.press("Escape")
    expect(page.locator("#columns-menu .dropdown-menu")).to_be_hidden()


def test_the_menu_works_for_a_tap_as_soon_as_it_is_shown(page):
    """A slow network delivers the page's script late: the Menu button is not shown before the
    script that drives it has run, so a tap on it is never lost."""
    page.set_viewport_size(PHONE)
    sign_in(page)

    def late(route):
        time.sleep(1.5)
        route.continue_()

    page.route(re.compile(r"/static/fabflow/app[^/]*\.js$"), late)
    page.goto("/products/", wait_until="commit")
    toggle = page.locator(".nav-toggle")
    toggle.click()  # as soon as it can be clicked
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".sidebar nav a", has_text="Products")).to_be_visible()
