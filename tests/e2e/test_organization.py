"""The Organization page in a real browser: an admin allows private addresses, then forbids them."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_ui import sign_in


def test_an_admin_allows_and_forbids_private_addresses(page):
    sign_in(page)
    page.click(".sidebar >> text=Organization")
    expect(page.locator("h1")).to_have_text("Organization")
    expect(page.locator(".notice-warning")).to_contain_text(
        "Allow private addresses only if your flows must call systems on your own network."
    )
    box = page.locator("#allow-private-addresses")
    expect(box).not_to_be_checked()

    box.check()
    page.click("#private-addresses button[type=submit]")
    expect(page.locator(".message > span")).to_have_text(
        "Connectors of this organization may now call private addresses."
    )
    expect(page.locator("#allow-private-addresses")).to_be_checked()
    screenshot(page, "organization")

    page.locator("#allow-private-addresses").uncheck()
    page.click("#private-addresses button[type=submit]")
    expect(page.locator(".message > span")).to_have_text(
        "Connectors of this organization call public addresses only."
    )
    expect(page.locator("#allow-private-addresses")).not_to_be_checked()
