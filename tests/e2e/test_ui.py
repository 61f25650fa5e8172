"""The web UI in a real browser: sign-in, filters, search, sorting, columns, exports, tags."""

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.timeout(180)

PASSWORD = "correct horse battery"


def sign_in(page, email="ada@ringmakers.test", password=PASSWORD):
    page.goto("/sign-in/")
    page.fill("#email", email)
    page.fill("#password", password)
    # Wait for the page the form leads to, scripts and all: a click on a control that a script
    # drives (the phone menu, say) before the script has run would be lost.
    with page.expect_navigation():
        page.click("button[type=submit]")


def sign_out(page):
    page.click("text=Sign out")
    expect(page.locator("text=You are signed out.")).to_be_visible()


def expect_names(page, names: list[str], *, exact: bool = False):
    """The first rows' names (every row's with `exact`), waiting for htmx to settle."""
    rows = "tr" if exact else f"tr:nth-child(-n+{len(names)})"
    expect(page.locator(f"#table-region tbody {rows} td:nth-child(2)")).to_have_text(names)


def row_of(page, name: str):
    cell = page.locator("td:nth-child(2)", has_text=re.compile(f"^{re.escape(name)}$"))
    return page.locator("#table-region tbody tr", has=cell)


def wait_for_table(page, url_part: str):
    page.wait_for_url(re.compile(re.escape(url_part)))
    page.wait_for_load_state("networkidle")


def test_sign_in_refuses_a_wrong_password_then_lets_the_user_in(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    sign_in(page, password="not the password")
    expect(page.locator("[role=alert]")).to_have_text(
        "That e-mail address and password do not match an account. Check both and try again."
    )
    sign_in(page)
    expect(page.locator("h1")).to_have_text("Orders")
    expect(page.locator(".sidebar nav a")).to_have_text(
        [
            "Orders",
            "Dashboard",
            "Products",
            "Parts",
            "Order flows",
            "Users",
            "Product spaces",
            "Secret keys",
            "Export targets",
            "Webhooks",
            "Outbox",
            "Activity",
            "Organization",
        ]
    )
    expect(page.locator(".sidebar .user-name")).to_have_text("Ada Admin")
    expect(page.locator("#table-region tbody tr")).to_have_count(50)
    expect_names(page, ["=SUM(1+1)", "WEB-1059"])
    screenshot(page, "orders-after-sign-in-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "orders-after-sign-in-phone")


def test_filter_search_and_sort(page):
    sign_in(page)
    page.locator("label.chip", has_text="Failure").click()
    wait_for_table(page, "status=failure")
    names = [f"WEB-{1000 + n}" for n in range(59, 0, -1) if n % 5 == 4]
    expect_names(page, names, exact=True)
    expect(page.locator("#table-region .badge")).to_have_text(["Failure"] * len(names))

    page.fill("#search", "1054")
    wait_for_table(page, "search=1054")
    expect(page.locator("#table-region tbody tr")).to_have_count(1)
    expect_names(page, ["WEB-1054"], exact=True)

    page.fill("#search", "")
    wait_for_table(page, "search=&")
    page.locator("label.chip", has_text="Failure").click()
    page.wait_for_url(lambda url: "status=" not in url)
    expect_names(page, ["=SUM(1+1)", "WEB-1059"])
    page.click("th >> text=Value (€)")
    wait_for_table(page, "ordering=value")
    expect_names(page, ["WEB-1001", "WEB-1002", "WEB-1003"])
    page.click("th >> text=Value (€)")
    wait_for_table(page, "ordering=-value")
    expect_names(page, ["=SUM(1+1)", "WEB-1059", "WEB-1058"])
    # The sort survives a change of filter, and the whole view is in the URL.
    page.fill("input[name=createdFrom]", "2025-02-01")
    page.locator("input[name=createdFrom]").dispatch_event("change")
    wait_for_table(page, "createdFrom=2025-02-01")
    assert "ordering=-value" in page.url
    bookmarked = page.url
    page.goto(bookmarked)
    expect_names(page, ["=SUM(1+1)", "WEB-1059"])
    expect(page.locator("#table-region tbody tr")).to_have_count(29)


def test_hidden_column_choice_is_remembered_across_sign_ins(page):
    sign_in(page)
    headers = page.locator("#table-region thead th")
    expect(headers).to_have_count(6)
    page.click("#columns-menu summary")
    page.locator("#columns-menu label", has_text="Order ID").click()
    expect(headers).to_have_count(7)
    expect(headers.nth(6)).to_have_text("Order ID")
    page.locator("#columns-menu label", has_text="Deadline").click()
    expect(headers).to_have_count(6)
    sign_out(page)
    sign_in(page)
    expect(page.locator("#table-region thead th")).to_have_text(
        ["", "Order", "Status", "Value (€)", "Created at", "Order ID"]
    )
    # Back to the defaults, for the other tests.
    page.click("#columns-menu summary")
    page.locator("#columns-menu label", has_text="Order ID").click()
    expect(page.locator("#table-region thead th")).to_have_count(5)
    page.locator("#columns-menu label", has_text="Deadline").click()
    expect(page.locator("#table-region thead th")).to_have_text(
        ["", "Order", "Status", "Value (€)", "Created at", "Deadline"]
    )


def test_export_selected_rows_as_csv(page, fabflow_server):
    sign_in(page)
    page.click("th >> text=Order")
    wait_for_table(page, "ordering=name")
    rows = page.locator("#table-region tbody tr")
    rows.nth(0).locator("input[type=checkbox]").check()  # =SUM(1+1)
    rows.nth(1).locator("input[type=checkbox]").check()  # WEB-1001
    expect(page.locator("[data-selected-count=selected-ids]")).to_have_text("2")
    with page.expect_download() as download_info:
        page.click("button:has-text('Export')")
    download = download_info.value
    assert re.fullmatch(r"orders-\d{8}-\d{6}\.csv", download.suggested_filename)
    content = Path(download.path()).read_bytes().decode("utf-8")
    assert content == (
        "Order,Status,Value (€),Created at,Deadline\r\n"
        "'=SUM(1+1),Created,600.50,2025-03-01 09:00,\r\n"
        "WEB-1001,In progress,10.50,2025-01-01 09:00,\r\n"
    )


def test_exporting_51_rows_explains_the_limit_and_exports_nothing(page):
    sign_in(page)
    page.select_option("select[name=per_page]", "100")
    wait_for_table(page, "per_page=100")
    expect(page.locator("#table-region tbody tr")).to_have_count(60)
    page.check("thead input[data-select-all]")
    expect(page.locator("[data-selected-count=selected-ids]")).to_have_text("60")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("button:has-text('Export')")
    expect(page.locator(".message.error")).to_have_text(
        re.compile(r"You selected 60 rows, but an export holds at most 50\. Nothing was exported")
    )
    assert downloads == []
    screenshot(page, "orders-export-limit")


def test_export_products_and_parts_with_assets(page, fabflow_server):
    sign_in(page)
    page.goto("/products/?search=ring 7")
    expect_names(
        page, ["Ring 57", "Ring 47", "Ring 37", "Ring 27", "Ring 17", "Ring 7"], exact=True
    )
    row_of(page, "Ring 7").locator("input[type=checkbox]").check()
    page.locator("label.chip", has_text="Include assets").click()
    with page.expect_download() as download_info:
        page.click("button:has-text('Export')")
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    folder = f"Ring 7 ({fabflow_server['ring_7'].replace('-', '')[-8:]})"
    assert archive.namelist() == ["products.csv", f"{folder}/ring-7.stl", f"{folder}/preview.png"]
    assert archive.read(f"{folder}/ring-7.stl") == b"solid ring7\nendsolid ring7\n"
    assert list(csv.reader(io.StringIO(archive.read("products.csv").decode()))) == [
        ["Product", "Order", "Amount of units", "Value (€ per unit)", "Created at"],
        ["Ring 7", "WEB-1007", "2", "12.50", "2025-01-07 09:00"],
    ]
    screenshot(page, "products-desktop")

    page.goto("/parts/?search=band 7")
    row_of(page, "Band 7").locator("input[type=checkbox]").check()
    page.locator("label.chip", has_text="Include assets").click()
    with page.expect_download() as download_info:
        page.click("button:has-text('Export')")
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    folder = f"Band 7 ({fabflow_server['band_7'].replace('-', '')[-8:]})"
    assert archive.namelist() == ["parts.csv", f"{folder}/band-7.3mf"]
    assert archive.read("parts.csv").decode().splitlines() == [
        "Part,Product,Order,Created at",
        "Band 7,Ring 7,WEB-1007,2025-01-07 09:00",
    ]
    page.goto("/parts/")
    screenshot(page, "parts-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "parts-phone")
    page.goto("/products/")
    screenshot(page, "products-phone")


def test_orders_with_my_tags_are_highlighted_and_filterable(page):
    sign_in(page)
    highlighted = page.locator("#table-region tbody tr.highlight td:nth-child(2)")
    expect(highlighted).to_have_text(["=SUM(1+1)", "WEB-1050", "WEB-1040", "WEB-1030", "WEB-1020"])
    page.locator("label.chip", has_text="My tags").click()
    wait_for_table(page, "mine=1")
    expect_names(
        page, ["=SUM(1+1)", "WEB-1050", "WEB-1040", "WEB-1030", "WEB-1020", "WEB-1010"], exact=True
    )
    expect(page.locator("#table-region tbody tr:not(.highlight)")).to_have_count(0)


def test_a_user_of_another_organization_sees_none_of_it(page, fabflow_server):
    sign_in(page, email="boss@lampworks.test")
    expect_names(page, ["LAMP-1"], exact=True)
    page.goto("/products/")
    expect_names(page, ["Lamp"], exact=True)
    page.goto("/parts/")
    expect(page.locator("#table-region tbody td.empty")).to_have_text(
        "Nothing matches these filters."
    )
    page.goto("/?search=WEB")
    expect(page.locator("#table-region tbody td.empty")).to_be_visible()
    response = page.goto(f"/orders/{fabflow_server['web_1001']}/")
    assert response.status == 404
    response = page.goto(f"/products/{fabflow_server['ring_7']}/")
    assert response.status == 404
    response = page.request.post(
        "/orders/export/",
        form={"ids": fabflow_server["web_1001"]},
        headers={"X-CSRFToken": page.context.cookies()[0]["value"]},
    )
    assert response.status == 200
    assert response.text() == "Order,Status,Value (€),Created at,Deadline\r\n"
