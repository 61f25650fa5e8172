"""The order of a table's columns, changed from its Columns menu in a real browser.

Each row of the menu moves up or down by its buttons, by keyboard or by click; the table, the
address (`columns=`) and the user's stored choice follow, a reload and a fresh visit show the
same order, and so does a view saved after the move. The buttons are touch-sized, the open menu
passes axe-core's checks and fits a phone; without JavaScript the buttons are not shown and the
checkboxes work as before.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import blocking_violations, describe
from tests.e2e.conftest import screenshot
from tests.e2e.studio import sign_in, studio  # noqa: F401
from tests.e2e.test_tables_layout import DESKTOP, PHONE

pytestmark = pytest.mark.timeout(180)

HEADERS = "#table-region thead th"
MENU_COLUMNS = "#columns-menu input[name=columns]"
TITLES = {
    "status": "Status",
    "value": "Value (€)",
    "created_at": "Created at",
    "deadline": "Deadline",
}
DEADLINE_FIRST = ["deadline", "value", "status", "created_at"]


def open_columns_menu(page) -> None:
    menu = page.locator("#columns-menu")
    if not menu.evaluate("menu => menu.open"):
        menu.locator("summary").click()


def headers_of(columns: list[str]) -> list[str]:
    """The Orders table's headers when it shows `columns`: the checkbox and Order come first."""
    return ["", "Order", *(TITLES[name] for name in columns)]


def expect_order(page, columns: list[str]) -> None:
    """The table shows `columns` in order, the address names them and the menu lists them first."""
    expect(page.locator(HEADERS)).to_have_text(headers_of(columns))
    expect(page).to_have_url(re.compile("columns=" + re.escape("%2C".join(columns)) + "(&|$)"))
    assert menu_columns(page)[: len(columns)] == columns


def test_a_column_moves_by_keyboard_and_by_click_and_keeps_its_place(page, studio):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    sign_in(page, studio["admin"])
    page.goto("/")
    expect_order(page, ["status", "value", "created_at", "deadline"])
    open_columns_menu(page)
    move_up = page.get_by_role("button", name="Move Deadline up")
    expect(page.get_by_role("button", name="Move Status up")).to_be_disabled()
    expect(page.get_by_role("button", name="Move Order ID down")).to_be_disabled()

    # By keyboard: Tab from the Deadline checkbox reaches its Move up button; Enter or Space
    # moves the column, and the button keeps the focus, at the top too, where it cannot move.
    page.locator("#columns-menu input[name=columns][value=deadline]").focus()
    page.keyboard.press("Tab")
    expect(move_up).to_be_focused()
    for key, columns in [
        ("Enter", ["status", "value", "deadline", "created_at"]),
        ("Enter", ["status", "deadline", "value", "created_at"]),
        ("Space", ["deadline", "status", "value", "created_at"]),
    ]:
        page.keyboard.press(key)
        expect_order(page, columns)
        expect(move_up).to_be_focused()
    expect(move_up).to_be_disabled()
    expect(page.locator("#columns-menu")).to_have_attribute("open", "")

    # By click.
    page.get_by_role("button", name="Move Status down").click()
    expect_order(page, DEADLINE_FIRST)
    expect(page.get_by_role("button", name="Move Status down")).to_be_focused()
    screenshot(page, "columns-menu-reordered")

    page.reload()
    expect_order(page, DEADLINE_FIRST)
    # A fresh visit without `columns=` shows the stored order, and names it in the address.
    fresh = page.context.new_page()
    fresh.goto("/")
    expect_order(fresh, DEADLINE_FIRST)
    fresh.close()

    # A hidden column moved in the menu keeps its place there after a reload, and shows there
    # once ticked.
    open_columns_menu(page)
    hidden = menu_columns(page)[len(DEADLINE_FIRST) :]
    last = hidden[-1]
    title = (
        page.locator(f"#columns-menu input[name=columns][value={last}]")
        .locator("xpath=..")
        .inner_text()
    )
    page.get_by_role("button", name=f"Move {title.strip()} up").click()
    arranged = [*hidden[:-2], last, hidden[-2]]
    expect(page.locator(MENU_COLUMNS)).to_have_count(len(DEADLINE_FIRST) + len(hidden))
    page.wait_for_load_state("networkidle")
    page.reload()
    open_columns_menu(page)
    assert menu_columns(page) == [*DEADLINE_FIRST, *arranged]
    expect_order(page, DEADLINE_FIRST)


def menu_columns(page) -> list[str]:
    """The columns the Columns menu lists, in its order."""
    return page.locator(MENU_COLUMNS).evaluate_all("boxes => boxes.map((box) => box.value)")


def test_a_view_saved_after_a_move_keeps_the_order(page, studio):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    sign_in(page, studio["member"])
    page.goto("/")
    open_columns_menu(page)
    move_down = page.get_by_role("button", name="Move Value (€) down")
    move_down.click()
    move_down.click()
    saved = ["status", "created_at", "deadline", "value"]
    expect_order(page, saved)

    page.locator("#views-menu summary").click()
    page.fill("#view-name", "Value last")
    page.locator("#save-view-form button").click()
    expect(page.locator("text=Saved the view “Value last”.")).to_be_visible()
    # The stored choice changes afterwards; the view keeps the order it was saved with.
    open_columns_menu(page)
    page.get_by_role("button", name="Move Deadline up").click()
    moved = headers_of(["status", "deadline", "created_at", "value"])
    expect(page.locator(HEADERS)).to_have_text(moved)

    other = page.context.new_page()
    other.goto("/")
    expect(other.locator(HEADERS)).to_have_text(moved)
    other.locator("#views-menu summary").click()
    other.locator("#views-menu a", has_text="Value last").click()
    expect_order(other, saved)


@pytest.mark.parametrize("path", ["/", "/products/", "/parts/"])
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_move_buttons_are_touch_sized_and_the_menu_fits(page, studio, size, path):  # noqa: F811
    page.set_viewport_size(size)
    sign_in(page, studio["admin"])
    page.goto(path)
    open_columns_menu(page)
    menu = page.locator("#columns-menu .dropdown-menu")
    expect(menu).to_be_visible()
    buttons = page.locator("#columns-menu [data-move-column]")
    count = 2 * page.locator(MENU_COLUMNS).count()
    expect(buttons).to_have_count(count)
    for index in range(count):
        button = buttons.nth(index).bounding_box()
        assert button["height"] >= 32
        assert button["width"] >= 32
    frame = menu.bounding_box()
    assert frame["x"] >= 0
    assert frame["x"] + frame["width"] <= size["width"]
    # Nothing in the menu sticks out sideways, and the page does not widen.
    assert menu.evaluate("menu => menu.scrollWidth <= menu.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") == size["width"]
    violations = blocking_violations(page)
    assert not violations, describe(violations)
    name = path.strip("/") or "orders"
    screenshot(page, f"columns-menu-move-buttons-{name}-{size['width']}")


def test_without_javascript_the_menu_shows_only_its_checkboxes(browser, studio):  # noqa: F811
    context = browser.new_context(base_url=studio["url"], java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, studio["admin"])
        page.goto("/")
        headers = [text.strip() for text in page.locator(HEADERS).all_text_contents()]
        page.locator("#columns-menu summary").click()
        expect(page.locator("#columns-menu input[name=columns][value=id]")).to_be_visible()
        expect(page.locator("#columns-menu [data-move-column]").first).to_be_hidden()
        page.locator("#columns-menu label", has_text="Order ID").click()
        page.locator("#columns-menu button[type=submit]").click()
        expect(page.locator(HEADERS)).to_have_text([*headers, "Order ID"])
    finally:
        context.close()
