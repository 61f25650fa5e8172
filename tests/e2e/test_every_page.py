"""Every page of the web UI, at a desktop's and a phone's size: no serious or critical
accessibility violation (axe-core), a full-page screenshot, and on the phone no page wider than
the screen (a table may scroll inside its own box, the page itself may not).

The routes of Django's URL resolver are classified below, so a new page route that this walk
does not visit fails it.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import blocking_violations, describe, horizontal_overflow
from tests.e2e.conftest import screenshot
from tests.e2e.studio import (  # noqa: F401
    RECEIVER_ANSWER,
    session_cookies,
    start_flow_and_wait,
    studio,
)
from tests.e2e.test_flow_editor import installation, smtp  # noqa: F401
from tests.security.test_tenancy import routes

pytestmark = pytest.mark.timeout(240)

SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def at(address_of):
    """Reach a page by its address, made from the studio's facts."""
    return lambda page, facts: page.goto(address_of(facts))


def outbox_message(page, facts):
    page.goto("/outbox/")
    page.locator("#outbox-table tbody tr", has_text=facts["newcomer"]).locator("a").first.click()
    expect(page.locator("#mail-to")).to_have_text(facts["newcomer"])


def bulk_job(page, facts):
    """A bulk action's page: one started from the Orders table over its first row."""
    page.goto("/")
    page.locator("#table-region tbody input[type=checkbox]").first.check()
    expect(page.locator("[data-selected-count=bulk-selected-ids]")).to_have_text("1")
    page.locator("#bulk-menu summary").click()
    page.locator("#bulk-form select[name=action]").select_option("add_tag")
    page.locator("#bulk-form input[name=tag]").fill("walked")
    with page.expect_navigation():
        page.locator("#bulk-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Add a tag on 1 order")


def saved_views(page, facts):
    """The saved views of the Orders table, one of them saved from the table first."""
    page.goto("/?status=created")
    page.locator("#views-menu summary").click()
    page.locator("#view-name").fill("Waiting orders")
    with page.expect_navigation():
        page.locator("#save-view-form button").click()
    page.goto("/tables/orders/views/")
    expect(page.locator("#saved-views tbody tr")).not_to_have_count(0)


def webhook_answer(page, facts):
    """A subscription's page with its receiver's answer to a delivery open: shown as text,
    wrapped and scrolling inside its own box, within the window."""
    page.goto(f"/webhooks/{facts['webhook']}/")
    answer = page.locator(".delivery-answer details")
    expect(answer.locator("summary")).to_have_text("The receiver's answer (cut at 4 KiB)")
    answer.locator("summary").click()
    body = answer.locator("pre")
    expect(body).to_have_text(RECEIVER_ANSWER)
    box = body.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box
    sizes = body.evaluate(
        "pre => [pre.scrollWidth, pre.clientWidth, pre.scrollHeight, pre.clientHeight]"
    )
    assert sizes[0] <= sizes[1] and sizes[2] > sizes[3], sizes


# Each page: who looks at it ("anonymous", "admin", "member" or "operator"), and how to reach it.
PAGES = {
    "sign-in": ("anonymous", at(lambda s: "/sign-in/")),
    "set-password": ("anonymous", at(lambda s: s["set_password"])),
    "orders": ("admin", at(lambda s: "/")),
    "dashboard": ("admin", at(lambda s: "/dashboard/")),
    "products": ("admin", at(lambda s: "/products/")),
    "parts": ("admin", at(lambda s: "/parts/")),
    "saved-views": ("admin", saved_views),
    "order": ("admin", at(lambda s: f"/orders/{s['orders']['ST-1']}/")),
    "product": ("admin", at(lambda s: f"/products/{s['product']}/")),
    "part": ("admin", at(lambda s: f"/parts/{s['part']}/")),
    "flows": ("admin", at(lambda s: "/flows/")),
    "flow-editor": ("admin", at(lambda s: "/flows/studio/studio-production/")),
    "users": ("admin", at(lambda s: "/users/")),
    "secret-keys": ("admin", at(lambda s: "/secret-keys/")),
    "export-targets": ("admin", at(lambda s: "/export-targets/")),
    "spaces": ("admin", at(lambda s: "/spaces/")),
    "space": ("admin", at(lambda s: f"/spaces/{s['space_id']}/")),
    "organization": ("admin", at(lambda s: "/organization/")),
    "webhooks": ("admin", at(lambda s: "/webhooks/")),
    "webhook": ("admin", webhook_answer),
    "outbox": ("admin", at(lambda s: "/outbox/")),
    "outbox-message": ("admin", outbox_message),
    "activity": ("admin", at(lambda s: "/activity/")),
    "bulk-job": ("admin", bulk_job),
    "forbidden": ("member", at(lambda s: "/users/")),
    "not-found": ("admin", at(lambda s: f"/orders/{uuid.uuid4()}/")),
    "operator-admin": ("operator", at(lambda s: "/django-admin/")),
}

# The route of each page above.
PAGE_ROUTES = {
    "sign-in/": "sign-in",
    "set-password/<str:encoded_id>/<str:token>/": "set-password",
    "": "orders",
    "dashboard/": "dashboard",
    "products/": "products",
    "parts/": "parts",
    "tables/<slug:table>/views/": "saved-views",
    "orders/<uuid:pk>/": "order",
    "products/<uuid:pk>/": "product",
    "parts/<uuid:pk>/": "part",
    "flows/": "flows",
    "flows/<slug:space_key>/<slug:flow_key>/": "flow-editor",
    "users/": "users",
    "secret-keys/": "secret-keys",
    "export-targets/": "export-targets",
    "spaces/": "spaces",
    "spaces/<uuid:space_id>/": "space",
    "organization/": "organization",
    "webhooks/": "webhooks",
    "webhooks/<uuid:pk>/": "webhook",
    "outbox/": "outbox",
    "outbox/<str:file>/<int:index>/": "outbox-message",
    "activity/": "activity",
    "django-admin/": "operator-admin",
    "bulk-actions/<uuid:pk>/": "bulk-job",
}

# Routes that are no page of their own: what a form posts to (tests/e2e/test_reload_after_post.py
# walks those), a download, or a fragment another page loads.
NOT_PAGES = {
    "favicon.ico": "the site's icon",
    "sign-out/": "a form's target",
    "tables/<slug:table>/columns/": "a form's target",
    "tables/<slug:table>/views/save/": "a form's target",
    "tables/<slug:table>/views/<uuid:pk>/": "a redirect to the table",
    "tables/<slug:table>/views/<uuid:pk>/change/": "a form's target",
    "tables/<slug:table>/views/<uuid:pk>/delete/": "a form's target",
    "orders/export/": "a download",
    "products/export/": "a download",
    "parts/export/": "a download",
    "orders/<uuid:pk>/flow/": "a form's target",
    "orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/": "a form's target",
    "flows/new/": "a form's target",
    "users/add/": "a form's target",
    "users/<uuid:pk>/tags/": "a form's target",
    "users/<uuid:pk>/deactivate/": "a form's target",
    "secret-keys/<uuid:space_id>/add/": "a form's target",
    "secret-keys/<uuid:pk>/revoke/": "a form's target",
    "export-targets/add/": "a form's target",
    "export-targets/<slug:name>/remove/": "a form's target",
    "organization/private-addresses/": "a form's target",
    "spaces/add/": "a form's target",
    "spaces/<uuid:space_id>/edit/": "a form's target",
    "spaces/<uuid:space_id>/signing-secret/": "a fragment of the space's page",
    "spaces/<uuid:space_id>/signing-secret/rotate/": "a form's target",
    "webhooks/add/": "a form's target",
    "webhooks/<uuid:pk>/edit/": "a form's target",
    "webhooks/<uuid:pk>/enable/": "a form's target",
    "webhooks/<uuid:pk>/disable/": "a form's target",
    "webhooks/<uuid:pk>/delete/": "a form's target",
    "webhooks/<uuid:pk>/rotate-secret/": "a form's target",
    "webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/resend/": "a form's target",
    "bulk-actions/new/": "a form's target",
    "activity/export/": "a download",
    "bulk-actions/<uuid:pk>/confirm/": "a form's target",
    "bulk-actions/<uuid:pk>/cancel/": "a form's target",
}
# Served beside the web UI, not by it: the REST API, the operations probes, and the admin
# site's own pages behind its index (Django's, reviewed by Django).
OUTSIDE_THE_UI = re.compile(r"^(api/|healthz$|readyz$|metrics$|django-admin/.)")


def test_every_page_route_is_walked():
    unclassified = [
        route
        for route in routes()
        if not OUTSIDE_THE_UI.match(route) and route not in PAGE_ROUTES and route not in NOT_PAGES
    ]
    assert unclassified == [], "classify these routes in PAGE_ROUTES or NOT_PAGES"
    assert sorted(set(PAGE_ROUTES.values())) == sorted(
        name for name in PAGES if name not in {"forbidden", "not-found"}
    )


@pytest.fixture(scope="module")
def sessions(browser, studio, installation):  # noqa: F811
    """The cookies of each role, signed in once for the module; the order ST-1 has a task
    waiting for a person (the worker of `installation` runs its flow)."""
    start_flow_and_wait(studio, "ST-1")
    cookies = {"anonymous": []}
    for role in ["admin", "member", "operator"]:
        cookies[role] = session_cookies(browser, studio, studio[role])
    return cookies


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible_and_fits(page, studio, sessions, name, size):  # noqa: F811
    role, reach = PAGES[name]
    page.context.add_cookies(sessions[role])
    page.set_viewport_size(SIZES[size])
    reach(page, studio)
    page.wait_for_load_state("networkidle")
    violations = blocking_violations(page)
    screenshot(page, f"{name}-{size}")
    assert violations == [], describe(violations)
    if size == "phone":
        overflow = horizontal_overflow(page)
        assert overflow == [], "wider than the screen: " + ", ".join(overflow)
