"""The Users, Secret keys and Export targets pages in a real browser, and what non-admins get instead."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_flow_editor import ADMIN, PASSWORD, installation, sign_in, smtp  # noqa: F401

pytestmark = pytest.mark.timeout(240)

NEW_MEMBER = "nia@fabworks.test"


def highlighted(page) -> list[str]:
    """The names of the highlighted FW-… orders on the Orders page."""
    page.goto("/?search=FW-")
    page.wait_for_load_state("networkidle")
    names = page.locator("#table-region tbody tr.highlight td:nth-child(2)").all_inner_texts()
    return sorted(name.strip() for name in names)


def test_tags_highlight_orders_and_new_users_and_keys(page, installation):  # noqa: F811
    sign_in(page)
    assert highlighted(page) == []

    page.click(".sidebar >> text=Users")
    expect(page.locator("h1")).to_have_text("Users")
    rows = page.locator("#users-table tbody tr")
    expect(rows.locator("td:nth-child(2)")).to_have_text([ADMIN, "mo@fabworks.test"])
    tags = rows.first.locator("input[name=tags]")
    tags.fill(" printing , shipping,printing ")
    tags.press("Enter")
    expect(page.locator("#users-table tbody tr").first.locator("input[name=tags]")).to_have_value(
        "printing, shipping"
    )
    assert highlighted(page) == ["FW-1", "FW-2"]

    page.goto("/users/")
    tags = page.locator("#users-table tbody tr").first.locator("input[name=tags]")
    tags.fill("shipping")
    page.locator("h1").click()  # leaving the field saves it
    expect(page.locator("#users-table tbody tr").first.locator("input[name=tags]")).to_have_value(
        "shipping"
    )
    screenshot(page, "users")
    assert highlighted(page) == ["FW-2"]

    # Add a user: the form keeps what was typed and shows the error beside its field.
    page.goto("/users/")
    page.click("text=Add user")
    dialog = page.locator("dialog#add-user")
    dialog.locator("#id_email").fill(NEW_MEMBER)
    dialog.locator("#id_name").fill("Nia New")
    dialog.locator("input[name=access][value=password]").check()
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator(".field-error")).to_have_text(
        "Enter an initial password, or e-mail a link instead."
    )
    expect(dialog.locator("#id_email")).to_have_value(NEW_MEMBER)
    expect(dialog.locator("#id_name")).to_have_value("Nia New")
    screenshot(page, "users-add-error")
    dialog.locator("#id_password").fill(PASSWORD)
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".message.success")).to_contain_text(
        f"Nia New was added; they sign in as {NEW_MEMBER}."
    )
    expect(page.locator("#users-table tbody tr td:nth-child(2)")).to_have_text(
        [ADMIN, "mo@fabworks.test", NEW_MEMBER]
    )

    # A new key is shown once, works, and stops working once revoked.
    page.click(".sidebar >> text=Secret keys")
    section = page.locator("#space-made")
    section.locator("input[name$=name]").fill("Checkout")
    section.locator("button", has_text="Add key").click()
    secret = page.locator("#new-secret-value").inner_text().strip()
    assert re.fullmatch(r"ffk_[0-9a-f]{12}_\S+", secret)
    expect(page.locator("#new-secret .warning")).to_contain_text("shown only this once")
    expect(page.locator("#new-secret button", has_text="Copy")).to_be_visible()
    screenshot(page, "secret-keys-new")
    api = installation["url"] + "/api/v1/orders"
    headers = {"Authorization": f"Bearer {secret}"}
    answer = httpx.get(api, headers=headers, params={"search": "FW-"})
    assert answer.status_code == 200
    assert sorted(item["name"] for item in answer.json()["items"]) == ["FW-1", "FW-2", "FW-3"]

    page.goto("/secret-keys/")
    expect(page.locator("#new-secret")).to_have_count(0)
    assert secret not in page.content()
    row = section.locator("tbody tr", has_text="Checkout")
    expect(row.locator("td").nth(2)).to_have_text("Fiona Fab")
    screenshot(page, "secret-keys")
    row.locator("button", has_text="Revoke").click()
    page.locator("#confirm-dialog-accept").click()
    expect(page.locator(".message.success")).to_contain_text("The key Checkout is revoked")
    expect(section.locator("tbody tr", has_text="Checkout")).to_have_count(0)
    assert httpx.get(api, headers=headers).status_code == 401

    # A member sees no admin links and gets the 403 page on admin URLs.
    page.context.clear_cookies()
    sign_in(page, NEW_MEMBER)
    expect(page.locator(".sidebar nav a")).to_have_text(
        ["Orders", "Dashboard", "Products", "Parts", "Order flows"]
    )
    for url in ["/users/", "/secret-keys/"]:
        response = page.goto(url)
        assert response.status == 403
        expect(page.locator("h1")).to_have_text("Not allowed")
    screenshot(page, "forbidden")

    # Deactivated, the member can no longer sign in.
    page.context.clear_cookies()
    sign_in(page)
    page.goto("/users/")
    page.locator("#users-table tbody tr", has_text=NEW_MEMBER).locator(
        "button", has_text="Deactivate"
    ).click()
    page.locator("#confirm-dialog-accept").click()
    expect(page.locator(".message.success")).to_contain_text("Nia New can no longer sign in.")
    expect(page.locator("#users-table tbody tr", has_text=NEW_MEMBER)).to_have_count(0)
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.fill("#email", NEW_MEMBER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("do not match an account")


def test_an_export_target_is_refused_in_place_then_added_and_removed(page, installation):  # noqa: F811
    sign_in(page)
    page.click(".sidebar >> text=Export targets")
    expect(page.locator("h1")).to_have_text("Export targets")
    expect(page.locator("#no-targets")).to_be_visible()

    page.locator("[data-dialog-open=add-target]").click()
    dialog = page.locator("dialog#add-target")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=kind][value=folder]")).to_be_checked()
    dialog.locator("#id_name").fill("workshop")
    dialog.locator("#id_path").fill("/etc")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator(".field-error")).to_have_text(
        re.compile(r"^path: must lie inside one of the folders")
    )
    expect(dialog.locator("#id_name")).to_have_value("workshop")
    screenshot(page, "export-targets-refused")

    allowed = dialog.locator(".kind-fields code").first.inner_text()
    dialog.locator("#id_path").fill(f"{allowed}/jobs")
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".message.success")).to_contain_text("The export target workshop is added.")
    row = page.locator("#target-workshop")
    expect(row.locator("td").nth(1)).to_have_text("Local folder")
    expect(row.locator("td").nth(2)).to_have_text(f"{allowed}/jobs")
    screenshot(page, "export-targets")

    row.locator("button", has_text="Remove").click()
    page.locator("#confirm-dialog-accept").click()
    expect(page.locator(".message.success")).to_contain_text(
        "The export target workshop is removed"
    )
    expect(page.locator("#target-workshop")).to_have_count(0)


def test_a_set_password_link_waits_in_the_outbox_without_an_smtp_server(page, installation):  # noqa: F811
    sign_in(page)
    page.goto("/users/")
    page.locator("[data-dialog-open=add-user]").click()
    dialog = page.locator("dialog#add-user")
    dialog.locator("#id_email").fill("olga@fabworks.test")
    dialog.locator("#id_name").fill("Olga Outbox")
    dialog.locator("input[name=access][value=link]").check()
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".message.success")).to_contain_text("Olga Outbox")

    page.click(".sidebar >> text=Outbox")
    expect(page.locator("h1")).to_have_text("Outbox")
    row = page.locator("#outbox-table tbody tr", has_text="olga@fabworks.test")
    expect(row).to_have_count(1)
    row.locator("a", has_text="Your Fabflow account").click()
    expect(page.locator("h1")).to_have_text("Your Fabflow account")
    expect(page.locator("#mail-to")).to_have_text("olga@fabworks.test")
    expect(page.locator("#mail-body")).to_contain_text("/set-password/")
    screenshot(page, "outbox-message")
