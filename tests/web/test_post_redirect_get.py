"""Post/redirect/get on every form of the web UI.

Each form is posted once with valid input: it answers 303 to a GET page, that page answers 200
and shows the outcome, and fetching it again ("reloading") writes nothing more. The database is
read before and after as one snapshot, so every row a form writes, or a reload would, is seen.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from fabflow.accounts import services as account_services
from fabflow.accounts.actors import Actor
from fabflow.accounts.models import Organization, ProductSpace, SecretKey, User
from fabflow.files import export_targets
from fabflow.files.models import ExportTarget
from fabflow.flows import services as flow_services
from fabflow.flows.models import FlowVersion, OrderFlow, TaskRun
from fabflow.orders.models import Order, OrderEvent
from fabflow.orders.services import create_order
from fabflow.web import saved_views
from fabflow.web.models import SavedView
from tests.conftest import ring_products

PASSWORD = "correct horse battery"
MANUAL = [
    {
        "key": "make",
        "tasks": [
            {"key": "print", "handlerKey": "manual-confirmation", "payload": {"title": "Print"}}
        ],
    }
]
SHIP = {
    "key": "ship",
    "tasks": [{"key": "pack", "handlerKey": "manual-confirmation", "payload": {"title": "Pack"}}],
}


def snapshot() -> dict:
    """Every row the forms can write, as comparable values (sessions and sign-in times aside)."""
    return {
        "users": sorted(
            User.objects.values_list(
                "email", "name", "tags", "is_active", "password", "preferences"
            )
        ),
        "keys": sorted(SecretKey.objects.values_list("name", "revoked_at")),
        "spaces": sorted(
            ProductSpace.objects.values_list("key", "name", "generator", "signing_secret")
        ),
        "organizations": sorted(
            Organization.objects.values_list("name", "allow_private_addresses")
        ),
        "export_targets": sorted(ExportTarget.objects.values_list("name", "kind", "path")),
        "flows": sorted(OrderFlow.objects.values_list("key", "name")),
        "flow_versions": FlowVersion.objects.count(),
        "orders": sorted(Order.objects.values_list("name", "status")),
        "tasks": sorted(TaskRun.objects.values_list("task_key", "status", "attempt")),
        "order_events": OrderEvent.objects.count(),
        "saved_views": sorted(SavedView.objects.values_list("name", "query", "is_shared")),
    }


@dataclass
class World:
    """What the forms act on: an organization with a space, users, a flow and two orders."""

    admin: User
    member: User
    space: ProductSpace
    key: SecretKey
    idle_order: Order
    running_order: Order
    task: TaskRun
    export_root: str
    view: SavedView


@pytest.fixture
def world(admin, member, space, export_root) -> World:
    actor = Actor.for_user(admin)
    key = account_services.create_secret_key(actor=actor, space=space, name="Old shop").key
    flow_services.create_flow(actor=actor, space=space, name="Print", definition=MANUAL)
    idle = create_order(actor=actor, space=space, name="IDLE-1", products=ring_products(1, 1))
    running = create_order(actor=actor, space=space, name="RUN-1", products=ring_products(1, 1))
    flow_services.start_flow(actor=actor, order_id=running.order.pk, flow_key="print")
    export_targets.create_export_target(
        actor=actor, name="old-share", kind="folder", path=str(export_root / "old")
    )
    return World(
        admin=admin,
        member=member,
        space=space,
        key=key,
        idle_order=idle.order,
        running_order=running.order,
        task=TaskRun.objects.get(order=running.order),
        export_root=str(export_root),
        view=saved_views.save_view(
            actor=actor, table="orders", name="Running", query="status=in_progress", is_shared=False
        ),
    )


@dataclass(frozen=True)
class Form:
    """One form: where it posts, what, what the page after it says, and what it changes."""

    url: Callable[[World], str]
    data: Callable[[World], dict]
    shows: str  # the outcome, as the GET page after the redirect shows it
    changes: set = field(default_factory=set)  # the snapshot's keys the post changes
    signed_in: bool = True


FORMS = {
    "add user": Form(
        lambda w: "/users/add/",
        lambda w: {
            "email": "nia@ringmakers.test",
            "name": "Nia",
            "access": "password",
            "password": "a long enough password 42",
        },
        "Nia was added; they sign in as nia@ringmakers.test.",
        {"users"},
    ),
    "user tags": Form(
        lambda w: f"/users/{w.member.pk}/tags/",
        lambda w: {"tags": "printing, shipping"},
        "Users",
        {"users"},
    ),
    "deactivate user": Form(
        lambda w: f"/users/{w.member.pk}/deactivate/",
        lambda w: {},
        "Max Maker can no longer sign in.",
        {"users"},
    ),
    "add secret key": Form(
        lambda w: f"/secret-keys/{w.space.pk}/add/",
        lambda w: {f"s{w.space.pk.hex}-name": "Webshop"},
        "Copy the key now: it is shown only this once.",
        {"keys"},
    ),
    "revoke secret key": Form(
        lambda w: f"/secret-keys/{w.key.pk}/revoke/",
        lambda w: {},
        "The key Old shop is revoked",
        {"keys"},
    ),
    "rotate signing secret": Form(
        lambda w: f"/spaces/{w.space.pk}/signing-secret/rotate/",
        lambda w: {},
        "Rings has a new signing secret",
        {"spaces"},
    ),
    "add space": Form(
        lambda w: "/spaces/add/",
        lambda w: {"key": "boxes", "name": "Boxes", "generator": "box"},
        "The product space Boxes (boxes) is created.",
        {"spaces"},
    ),
    "edit space": Form(
        lambda w: f"/spaces/{w.space.pk}/edit/",
        lambda w: {"name": "Fine rings", "generator": "ring"},
        "The product space Fine rings is saved.",
        {"spaces"},
    ),
    "add export target": Form(
        lambda w: "/export-targets/add/",
        lambda w: {"name": "workshop", "kind": "folder", "path": f"{w.export_root}/jobs"},
        "The export target workshop is added.",
        {"export_targets"},
    ),
    "remove export target": Form(
        lambda w: "/export-targets/old-share/remove/",
        lambda w: {},
        "The export target old-share is removed",
        {"export_targets"},
    ),
    "private addresses": Form(
        lambda w: "/organization/private-addresses/",
        lambda w: {"allow_private_addresses": "on"},
        "Connectors of this organization may now call private addresses.",
        {"organizations"},
    ),
    "new flow": Form(
        lambda w: "/flows/new/",
        lambda w: {"name": "Boxes made to order", "space": w.space.pk},
        "The flow Boxes made to order was created.",
        {"flows", "flow_versions"},
    ),
    "save flow version": Form(
        lambda w: "/flows/rings/print/",
        lambda w: {"definition": json.dumps([*MANUAL, SHIP])},
        "Saved version 2 of Print.",
        {"flow_versions"},
    ),
    "start flow": Form(
        lambda w: f"/orders/{w.idle_order.pk}/flow/",
        lambda w: {"flow_key": "print"},
        "Flow Print v1 started.",
        {"orders", "tasks", "order_events"},
    ),
    "confirm task": Form(
        lambda w: f"/orders/{w.running_order.pk}/tasks/{w.task.pk}/confirm/",
        lambda w: {"comment": "Printed"},
        "RUN-1",
        {"orders", "tasks", "order_events"},
    ),
    "table columns": Form(
        lambda w: "/tables/orders/columns/",
        lambda w: {"columns": ["status", "id"], "next": "/"},
        "Orders",
        {"users"},
    ),
    "save view": Form(
        lambda w: "/tables/orders/views/save/?status=created",
        lambda w: {"name": "Waiting", "shared": "1"},
        "Saved the view “Waiting”.",
        {"saved_views"},
    ),
    "change view": Form(
        lambda w: f"/tables/orders/views/{w.view.pk}/change/",
        lambda w: {"name": "Busy", "shared": "1"},
        "Saved the view “Busy”.",
        {"saved_views"},
    ),
    "delete view": Form(
        lambda w: f"/tables/orders/views/{w.view.pk}/delete/",
        lambda w: {},
        "Deleted the view.",
        {"saved_views"},
    ),
    "set password": Form(
        lambda w: "/set-password/{}/{}/".format(*account_services.password_token(w.member)),
        lambda w: {
            "password": "a new long password 42",
            "password_again": "a new long password 42",
        },
        "Sign in",
        {"users"},
        signed_in=False,
    ),
    "sign out": Form(lambda w: "/sign-out/", lambda w: {}, "Sign in"),
    "sign in": Form(
        lambda w: "/sign-in/",
        lambda w: {"email": "maker@ringmakers.test", "password": PASSWORD, "next": "/"},
        "Orders",
        signed_in=False,
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_form_redirects_to_a_page_that_a_reload_does_not_post_again(client, world, name):
    form = FORMS[name]
    if form.signed_in:
        client.force_login(world.admin)
    before = snapshot()

    posted = client.post(form.url(world), form.data(world))

    assert posted.status_code == 303, posted.content.decode()[:500]
    after = snapshot()
    assert {key for key in before if before[key] != after[key]} == form.changes
    shown = client.get(posted["Location"])
    assert shown.status_code == 200
    assert form.shows in shown.content.decode()
    reloaded = client.get(posted["Location"])
    assert reloaded.status_code == 200
    assert snapshot() == after


def test_a_new_keys_secret_is_shown_once_after_the_redirect_and_never_on_reload(client, world):
    client.force_login(world.admin)
    posted = client.post(
        f"/secret-keys/{world.space.pk}/add/", {f"s{world.space.pk.hex}-name": "Webshop"}
    )
    shown = client.get(posted["Location"])
    secret = shown.context["created"].secret
    assert secret.startswith("ffk_")
    assert (shown.content.decode().count(secret), shown["Cache-Control"]) == (1, "no-store")
    assert account_services.authenticate_secret_key(secret=secret).name == "Webshop"

    reloaded = client.get(posted["Location"])

    assert reloaded.context["created"] is None
    assert secret not in reloaded.content.decode()
    assert SecretKey.objects.filter(name="Webshop").count() == 1


def test_a_refused_form_answers_again_with_its_errors_and_writes_nothing(client, world):
    client.force_login(world.admin)
    before = snapshot()
    refused = {
        f"/secret-keys/{world.space.pk}/add/": {f"s{world.space.pk.hex}-name": ""},
        "/users/add/": {"email": "not an address", "name": "X", "access": "password"},
        "/spaces/add/": {"key": "rings", "name": "Rings again"},
        "/export-targets/add/": {"name": "", "kind": "folder"},
        "/flows/new/": {"name": "", "space": world.space.pk},
    }
    for url, data in refused.items():
        for _attempt in range(2):  # the second is the reload of the refused post
            assert client.post(url, data).status_code == 422, url
    assert snapshot() == before
