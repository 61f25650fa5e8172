"""The Product spaces page and post/redirect/get in a real browser: a reload adds nothing."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_flow_editor import installation, sign_in, smtp  # noqa: F401

pytestmark = pytest.mark.timeout(240)


def test_a_reload_after_adding_a_key_adds_none_and_hides_the_secret(page, installation):  # noqa: F811
    sign_in(page)
    page.click(".sidebar >> text=Secret keys")
    # Counted once the page is there: a count taken during the navigation reads the old page.
    expect(page.locator("h1")).to_have_text("Secret keys")
    section = page.locator("#space-made")
    rows = section.locator("tbody tr")
    before = rows.count()
    section.locator("input[name$=name]").fill("Reloaded shop")
    section.locator("button", has_text="Add key").click()
    expect(page.locator(".message.success")).to_contain_text("The key Reloaded shop is added")
    secret = page.locator("#new-secret-value").inner_text().strip()
    assert re.fullmatch(r"ffk_[0-9a-f]{12}_\S+", secret)
    assert page.url.endswith("/secret-keys/")
    expect(rows).to_have_count(before + 1)

    page.reload()

    expect(page.locator("h1")).to_have_text("Secret keys")
    expect(page.locator("#new-secret")).to_have_count(0)
    assert secret not in page.content()
    expect(rows).to_have_count(before + 1)
    expect(section.locator("tbody tr", has_text="Reloaded shop")).to_have_count(1)


def test_an_admin_creates_a_space_and_chooses_its_generator(page, installation):  # noqa: F811
    sign_in(page)
    page.click(".sidebar >> text=Product spaces")
    expect(page.locator("h1")).to_have_text("Product spaces")
    expect(page.locator("#space-made td").nth(1)).to_have_text("made")

    form = page.locator("#add-space-form")
    form.locator("#id_key").fill("made")
    form.locator("#id_name").fill("Lamps")
    form.locator("#id_generator").select_option("ring")
    form.locator("button[type=submit]").click()
    expect(form.locator(".field-error")).to_have_text(
        "A product space with key 'made' already exists"
    )
    expect(form.locator("#id_name")).to_have_value("Lamps")
    expect(form.locator("#id_generator")).to_have_value("ring")
    screenshot(page, "spaces-add-error")

    form.locator("#id_key").fill("lamps")
    form.locator("button[type=submit]").click()
    expect(page.locator(".message.success")).to_contain_text("The product space Lamps (lamps)")
    expect(page.locator("h1")).to_contain_text("Lamps")
    page.reload()
    expect(page.locator(".message.success")).to_have_count(0)

    edit = page.locator("#edit-space-form")
    edit.locator("#id_name").fill("Lamp shades")
    edit.locator("#id_generator").select_option("box")
    edit.locator("button[type=submit]").click()
    expect(page.locator(".message.success")).to_contain_text("Lamp shades is saved")
    page.locator("#signing-secret button", has_text="Reveal").click()
    expect(page.locator("#signing-secret code.secret")).to_have_text(re.compile(r"^whsec_"))
    page.locator("#generator-box summary").click()
    expect(page.locator("#generator-box")).to_contain_text("lidHeight")
    screenshot(page, "spaces-detail")

    page.goto("/spaces/")
    expect(page.locator("#space-lamps td")).to_have_text(["Lamp shades", "lamps", "box", "0", "0"])
    screenshot(page, "spaces")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "spaces-phone")
