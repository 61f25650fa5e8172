"""Every route that changes data writes the audit record of its change.

The URL resolver's routes and the REST API's operations that change data (POST, PUT, PATCH,
DELETE) are enumerated; each one is either in CHANGES (performed with valid input, and the one
record it writes is checked: who, the action, the object and the values before and after) or in
NOT_RECORDED with the reason. A new changing route fails the walk until it is listed here.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from fabflow.accounts import services as account_services
from fabflow.accounts.actors import Actor
from fabflow.accounts.models import SecretKey
from fabflow.audit.models import Action, ActorKind, AuditRecord
from fabflow.bulk import services as bulk_services
from fabflow.flows import services as flow_services
from fabflow.urls import api
from fabflow.webhooks.models import Delivery, DeliveryStatus
from fabflow.webhooks.services import create_subscription
from tests.security.test_tenancy import routes
from tests.web.test_post_redirect_get import FORMS, MANUAL, SHIP, World, world  # noqa: F401

CHANGING_METHODS = {"post", "put", "patch", "delete"}
HOOK = "https://hooks.ringmakers.test/fabflow"


@dataclass
class Walk:
    """What the changes act on: the forms' world, a subscription with a sent delivery, and a
    client signed in as the admin and one calling the API with a key."""

    world: World
    subscription: object
    delivery: Delivery
    admin: Client
    key: Client
    key_id: object
    # What a change's `prepare` set up before the records were cleared (a task to act on).
    prepared: object = None


@pytest.fixture
def walk(world, admin, settings) -> Walk:  # noqa: F811
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = False
    actor = Actor.for_user(admin)
    subscription = create_subscription(
        actor=actor, url=HOOK, event_types=["order.status_changed"]
    ).subscription
    flow_services.confirm_task(actor=actor, task_id=world.task.pk)
    delivery = Delivery.objects.filter(subscription=subscription).first()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    created = account_services.create_secret_key(actor=actor, space=world.space, name="Walk shop")
    admin_client = Client()
    admin_client.force_login(admin)
    key_client = Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    return Walk(world, subscription, delivery, admin_client, key_client, created.key.pk)


def waiting_task(w: Walk):
    """A new order whose flow waits on its manual task."""
    actor = Actor.for_user(w.world.admin)
    order = w.world.idle_order
    flow_services.start_flow(actor=actor, order_id=order.pk, flow_key="print")
    return order, flow_services.list_tasks(actor=actor, order_id=order.pk).get()


def failed_task(w: Walk):
    order, task = waiting_task(w)
    flow_services.reject_task(actor=Actor.for_user(w.world.admin), task_id=task.pk, reason="Bad")
    return order, task


def form(url: Callable, data: Callable = lambda w: {}):
    return lambda w: w.admin.post(url(w), data(w))


def known_form(name: str):
    """A form of tests/web/test_post_redirect_get.py, posted as it posts it."""
    posted = FORMS[name]
    client = lambda w: w.admin if posted.signed_in else Client()  # noqa: E731
    return lambda w: client(w).post(posted.url(w.world), posted.data(w.world))


def api_call(method: str, url: Callable, body: Callable = lambda w: None):
    def perform(w: Walk):
        data = body(w)
        if data is None:
            return getattr(w.key, method)(url(w))
        return getattr(w.key, method)(url(w), json.dumps(data), content_type="application/json")

    return perform


def task_form(action: str, data: dict):
    def perform(w: Walk):
        order, task = w.prepared
        return w.admin.post(f"/orders/{order.pk}/tasks/{task.pk}/{action}/", data)

    return perform


def task_api(action: str, body: dict | None = None):
    def perform(w: Walk):
        _order, task = w.prepared
        return api_call("post", lambda w: f"/api/v1/tasks/{task.pk}/{action}", lambda w: body)(w)

    return perform


def key_subscription(w: Walk):
    """A subscription of the key's own space (a key reaches no other)."""
    return create_subscription(
        actor=Actor.for_key(SecretKey.objects.get(pk=w.key_id)),
        url=HOOK,
        event_types=["order.status_changed"],
    ).subscription


def key_delivery(w: Walk):
    """A given-up delivery of a subscription of the key's space (resend takes no other)."""
    subscription = key_subscription(w)
    waiting_task(w)  # the idle order's status changes: the subscription hears of it
    delivery = Delivery.objects.filter(subscription=subscription).first()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    return subscription, delivery


def upload(owner: str):
    def perform(w: Walk):
        order = w.world.running_order
        owner_id = {"orders": order.pk, "products": order.products.get().pk}.get(owner)
        owner_id = owner_id or order.parts.get().pk
        file = SimpleUploadedFile("ring.stl", b"solid ring\nendsolid\n")
        return w.key.post(f"/api/v1/{owner}/{owner_id}/assets", {"file": file, "kind": "other"})

    return perform


@dataclass(frozen=True)
class Change:
    """One changing request, and the record it must write."""

    perform: Callable[[Walk], object]
    action: Action
    object_kind: str
    object_label: Callable[[Walk], str]
    changes: dict = field(default_factory=dict)  # fields that must be among the record's changes
    actor: str = "admin"  # or "key", or "member" (a set-password link)
    # Called before the set-up's records are cleared; `Walk.prepared` holds what it answers.
    prepare: Callable[[Walk], object] = lambda w: None


def after(**values) -> dict:
    return {name: {"before": None, "after": value} for name, value in values.items()}


def changed(**pairs) -> dict:
    return {name: {"before": old, "after": new} for name, (old, new) in pairs.items()}


SECRET = {"changed": True}
ORDER_RUN = lambda w: "RUN-1"  # noqa: E731
ORDER_IDLE = lambda w: "IDLE-1"  # noqa: E731
SPACE = lambda w: "Rings"  # noqa: E731
HOOK_LABEL = lambda w: HOOK  # noqa: E731

# (route, method) → the change it makes. A route with several actions lists each.
CHANGES = {
    ("users/add/", "post"): Change(
        known_form("add user"),
        Action.USER_ADDED,
        "user",
        lambda w: "nia@ringmakers.test",
        {**after(email="nia@ringmakers.test", name="Nia"), "password": SECRET},
    ),
    ("users/<uuid:pk>/tags/", "post"): Change(
        known_form("user tags"),
        Action.USER_CHANGED,
        "user",
        lambda w: "maker@ringmakers.test",
        changed(tags=(["printing"], ["printing", "shipping"])),
    ),
    ("users/<uuid:pk>/deactivate/", "post"): Change(
        known_form("deactivate user"),
        Action.USER_DEACTIVATED,
        "user",
        lambda w: "maker@ringmakers.test",
        changed(is_active=(True, False)),
    ),
    ("set-password/<str:encoded_id>/<str:token>/", "post"): Change(
        known_form("set password"),
        Action.PASSWORD_SET,
        "user",
        lambda w: "maker@ringmakers.test",
        {"password": SECRET},
        actor="member",
    ),
    ("secret-keys/<uuid:space_id>/add/", "post"): Change(
        known_form("add secret key"),
        Action.KEY_ADDED,
        "secret key",
        lambda w: str(SecretKey.objects.get(name="Webshop")),
        {**after(name="Webshop", space="rings"), "secret": SECRET},
    ),
    ("secret-keys/<uuid:pk>/revoke/", "post"): Change(
        known_form("revoke secret key"),
        Action.KEY_REVOKED,
        "secret key",
        lambda w: str(w.world.key),
    ),
    ("spaces/add/", "post"): Change(
        known_form("add space"),
        Action.SPACE_ADDED,
        "product space",
        lambda w: "Boxes",
        after(key="boxes", name="Boxes"),
    ),
    ("spaces/<uuid:space_id>/edit/", "post"): Change(
        known_form("edit space"),
        Action.SPACE_CHANGED,
        "product space",
        lambda w: "Fine rings",
        changed(name=("Rings", "Fine rings"), generator=("", "ring")),
    ),
    ("spaces/<uuid:space_id>/signing-secret/rotate/", "post"): Change(
        known_form("rotate signing secret"),
        Action.SIGNING_SECRET_ROTATED,
        "product space",
        SPACE,
        {"signing_secret": SECRET},
    ),
    ("export-targets/add/", "post"): Change(
        known_form("add export target"),
        Action.EXPORT_TARGET_SAVED,
        "export target",
        lambda w: "workshop",
        after(name="workshop", kind="folder"),
    ),
    ("export-targets/<slug:name>/remove/", "post"): Change(
        known_form("remove export target"),
        Action.EXPORT_TARGET_DELETED,
        "export target",
        lambda w: "old-share",
        {"name": {"before": "old-share", "after": None}},
    ),
    ("organization/private-addresses/", "post"): Change(
        known_form("private addresses"),
        Action.ORGANIZATION_CHANGED,
        "organization",
        lambda w: "Ringmakers",
        changed(allow_private_addresses=(False, True)),
    ),
    ("flows/new/", "post"): Change(
        known_form("new flow"),
        Action.FLOW_CREATED,
        "order flow",
        lambda w: "Boxes made to order",
        after(key="boxes-made-to-order", version=1),
    ),
    ("flows/<slug:space_key>/<slug:flow_key>/", "post"): Change(
        known_form("save flow version"),
        Action.FLOW_VERSION_SAVED,
        "order flow",
        lambda w: "Print",
        changed(version=(1, 2)),
    ),
    ("orders/<uuid:pk>/flow/", "post"): Change(
        known_form("start flow"),
        Action.FLOW_STARTED,
        "order",
        ORDER_IDLE,
        {**changed(status=("created", "in_progress")), **after(flow="print", version=1)},
    ),
    ("orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/", "post", "confirm"): Change(
        task_form("confirm", {"comment": "Printed"}),
        Action.TASK_CONFIRMED,
        "order",
        ORDER_IDLE,
        {**changed(**{"task print": ("waiting", "succeeded")}), **after(comment="Printed")},
        prepare=waiting_task,
    ),
    ("orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/", "post", "reject"): Change(
        task_form("reject", {"reason": "Scratched"}),
        Action.TASK_REJECTED,
        "order",
        ORDER_IDLE,
        {**changed(status=("in_progress", "failure")), **after(reason="Scratched")},
        prepare=waiting_task,
    ),
    ("orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/", "post", "retry"): Change(
        task_form("retry", {}),
        Action.TASK_RETRIED,
        "order",
        ORDER_IDLE,
        changed(status=("failure", "in_progress")),
        prepare=failed_task,
    ),
    ("orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/", "post", "skip"): Change(
        task_form("skip", {}),
        Action.TASK_SKIPPED,
        "order",
        ORDER_IDLE,
        changed(**{"task print": ("failed", "skipped")}),
        prepare=failed_task,
    ),
    ("webhooks/add/", "post"): Change(
        form(
            lambda w: "/webhooks/add/",
            lambda w: {"url": HOOK + "/2", "event_types": ["task.failed"]},
        ),
        Action.SUBSCRIPTION_CREATED,
        "webhook subscription",
        lambda w: HOOK + "/2",
        {**after(url=HOOK + "/2", event_types=["task.failed"]), "secret": SECRET},
    ),
    ("webhooks/<uuid:pk>/edit/", "post"): Change(
        form(
            lambda w: f"/webhooks/{w.subscription.pk}/edit/",
            lambda w: {"url": HOOK, "event_types": ["task.failed"]},
        ),
        Action.SUBSCRIPTION_CHANGED,
        "webhook subscription",
        HOOK_LABEL,
        changed(event_types=(["order.status_changed"], ["task.failed"])),
    ),
    ("webhooks/<uuid:pk>/disable/", "post"): Change(
        form(lambda w: f"/webhooks/{w.subscription.pk}/disable/"),
        Action.SUBSCRIPTION_CHANGED,
        "webhook subscription",
        HOOK_LABEL,
        changed(is_enabled=(True, False)),
    ),
    ("webhooks/<uuid:pk>/enable/", "post"): Change(
        lambda w: (
            form(lambda w: f"/webhooks/{w.subscription.pk}/disable/")(w),
            AuditRecord.objects.all().delete(),
            form(lambda w: f"/webhooks/{w.subscription.pk}/enable/")(w),
        )[-1],
        Action.SUBSCRIPTION_CHANGED,
        "webhook subscription",
        HOOK_LABEL,
        changed(is_enabled=(False, True)),
    ),
    ("webhooks/<uuid:pk>/rotate-secret/", "post"): Change(
        form(lambda w: f"/webhooks/{w.subscription.pk}/rotate-secret/"),
        Action.SUBSCRIPTION_SECRET_ROTATED,
        "webhook subscription",
        HOOK_LABEL,
        {"secret": SECRET},
    ),
    ("webhooks/<uuid:pk>/delete/", "post"): Change(
        form(lambda w: f"/webhooks/{w.subscription.pk}/delete/"),
        Action.SUBSCRIPTION_DELETED,
        "webhook subscription",
        HOOK_LABEL,
        {"url": {"before": HOOK, "after": None}},
    ),
    ("webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/resend/", "post"): Change(
        form(lambda w: f"/webhooks/{w.subscription.pk}/deliveries/{w.delivery.pk}/resend/"),
        Action.DELIVERY_RESENT,
        "webhook subscription",
        HOOK_LABEL,
        after(event_type="order.status_changed"),
    ),
    # --- the REST API, with a secret key ---
    ("/api/v1/orders", "post"): Change(
        api_call(
            "post",
            lambda w: "/api/v1/orders",
            lambda w: {
                "name": "API-1",
                "tags": ["gold"],
                "products": [{"name": "Ring", "units": 1, "unitValue": "10.50"}],
            },
        ),
        Action.ORDER_CREATED,
        "order",
        lambda w: "API-1",
        after(name="API-1", value="10.50", tags=["gold"]),
        actor="key",
    ),
    ("/api/v1/orders/{order_id}", "patch"): Change(
        api_call(
            "patch", lambda w: f"/api/v1/orders/{w.world.idle_order.pk}", lambda w: {"tags": ["x"]}
        ),
        Action.ORDER_CHANGED,
        "order",
        ORDER_IDLE,
        changed(tags=([], ["x"])),
        actor="key",
    ),
    ("/api/v1/orders/{order_id}/flow", "post"): Change(
        api_call(
            "post",
            lambda w: f"/api/v1/orders/{w.world.idle_order.pk}/flow",
            lambda w: {"flowKey": "print"},
        ),
        Action.FLOW_STARTED,
        "order",
        ORDER_IDLE,
        after(flow="print"),
        actor="key",
    ),
    ("/api/v1/orders/{order_id}/assets", "post"): Change(
        upload("orders"), Action.FILE_UPLOADED, "order", ORDER_RUN, after(file="ring.stl"), "key"
    ),
    ("/api/v1/products/{product_id}/assets", "post"): Change(
        upload("products"), Action.FILE_UPLOADED, "order", ORDER_RUN, after(file="ring.stl"), "key"
    ),
    ("/api/v1/parts/{part_id}/assets", "post"): Change(
        upload("parts"), Action.FILE_UPLOADED, "order", ORDER_RUN, after(file="ring.stl"), "key"
    ),
    ("/api/v1/flows", "post"): Change(
        api_call(
            "post", lambda w: "/api/v1/flows", lambda w: {"name": "Ship it", "definition": MANUAL}
        ),
        Action.FLOW_CREATED,
        "order flow",
        lambda w: "Ship it",
        after(key="ship-it"),
        actor="key",
    ),
    ("/api/v1/flows/{flow_key}", "put"): Change(
        api_call("put", lambda w: "/api/v1/flows/print", lambda w: {"definition": [*MANUAL, SHIP]}),
        Action.FLOW_VERSION_SAVED,
        "order flow",
        lambda w: "Print",
        changed(version=(1, 2)),
        actor="key",
    ),
    ("/api/v1/tasks/{task_id}/confirm", "post"): Change(
        task_api("confirm", {"comment": "ok"}),
        Action.TASK_CONFIRMED,
        "order",
        ORDER_IDLE,
        after(comment="ok"),
        actor="key",
        prepare=waiting_task,
    ),
    ("/api/v1/tasks/{task_id}/reject", "post"): Change(
        task_api("reject", {"reason": "no"}),
        Action.TASK_REJECTED,
        "order",
        ORDER_IDLE,
        after(reason="no"),
        actor="key",
        prepare=waiting_task,
    ),
    ("/api/v1/tasks/{task_id}/retry", "post"): Change(
        task_api("retry"),
        Action.TASK_RETRIED,
        "order",
        ORDER_IDLE,
        changed(status=("failure", "in_progress")),
        actor="key",
        prepare=failed_task,
    ),
    ("/api/v1/tasks/{task_id}/skip", "post"): Change(
        task_api("skip"),
        Action.TASK_SKIPPED,
        "order",
        ORDER_IDLE,
        changed(**{"task print": ("failed", "skipped")}),
        actor="key",
        prepare=failed_task,
    ),
    ("/api/v1/webhooks", "post"): Change(
        api_call(
            "post",
            lambda w: "/api/v1/webhooks",
            lambda w: {"url": HOOK + "/3", "eventTypes": ["task.failed"]},
        ),
        Action.SUBSCRIPTION_CREATED,
        "webhook subscription",
        lambda w: HOOK + "/3",
        {**after(url=HOOK + "/3", space="rings"), "secret": SECRET},
        actor="key",
    ),
    ("/api/v1/webhooks/{webhook_id}", "patch"): Change(
        api_call(
            "patch",
            lambda w: f"/api/v1/webhooks/{w.prepared.pk}",
            lambda w: {"isEnabled": False},
        ),
        Action.SUBSCRIPTION_CHANGED,
        "webhook subscription",
        HOOK_LABEL,
        changed(is_enabled=(True, False)),
        actor="key",
        prepare=key_subscription,
    ),
    ("/api/v1/webhooks/{webhook_id}", "delete"): Change(
        api_call("delete", lambda w: f"/api/v1/webhooks/{w.prepared.pk}"),
        Action.SUBSCRIPTION_DELETED,
        "webhook subscription",
        HOOK_LABEL,
        actor="key",
        prepare=key_subscription,
    ),
    ("/api/v1/webhooks/{webhook_id}/secret", "post"): Change(
        api_call("post", lambda w: f"/api/v1/webhooks/{w.prepared.pk}/secret"),
        Action.SUBSCRIPTION_SECRET_ROTATED,
        "webhook subscription",
        HOOK_LABEL,
        {"secret": SECRET},
        actor="key",
        prepare=key_subscription,
    ),
    ("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/resend", "post"): Change(
        api_call(
            "post",
            lambda w: f"/api/v1/webhooks/{w.prepared[0].pk}/deliveries/{w.prepared[1].pk}/resend",
        ),
        Action.DELIVERY_RESENT,
        "webhook subscription",
        HOOK_LABEL,
        actor="key",
        prepare=key_delivery,
    ),
    # A bulk job records who started it over which orders; each order it then changes is
    # recorded by the order's service (tests/audit/test_bulk_jobs.py).
    ("bulk-actions/new/", "post"): Change(
        form(
            lambda w: "/bulk-actions/new/",
            lambda w: {"action": "add_tag", "tag": "rush", "ids": str(w.world.idle_order.pk)},
        ),
        Action.BULK_JOB_STARTED,
        "bulk job",
        lambda w: "Add a tag on 1 order",
        after(action="add_tag", arguments={"tag": "rush"}, order_count=1),
    ),
    ("bulk-actions/<uuid:pk>/confirm/", "post"): Change(
        form(lambda w: f"/bulk-actions/{w.prepared.pk}/confirm/"),
        Action.BULK_JOB_STARTED,
        "bulk job",
        lambda w: "Add a tag on 1 order",
        after(action="add_tag", order_count=1),
        prepare=lambda w: unconfirmed_job(w),
    ),
    ("bulk-actions/<uuid:pk>/cancel/", "post"): Change(
        form(lambda w: f"/bulk-actions/{w.prepared.pk}/cancel/"),
        Action.BULK_JOB_CANCELLED,
        "bulk job",
        lambda w: "Add a tag on 1 order",
        prepare=lambda w: unconfirmed_job(w),
    ),
    ("/api/v1/bulk-jobs", "post"): Change(
        api_call(
            "post",
            lambda w: "/api/v1/bulk-jobs",
            lambda w: {
                "action": "add_tag",
                "arguments": {"tag": "rush"},
                "orderIds": [str(w.world.idle_order.pk)],
            },
        ),
        Action.BULK_JOB_STARTED,
        "bulk job",
        lambda w: "Add a tag on 1 order",
        after(action="add_tag", arguments={"tag": "rush"}, order_count=1, selection="order ids"),
        actor="key",
    ),
    # Table views: a user's own, or shared with the organization.
    ("tables/<slug:table>/views/save/", "post"): Change(
        known_form("save view"),
        Action.VIEW_SAVED,
        "saved view",
        lambda w: "Waiting",
        after(table="orders", name="Waiting", is_shared=True),
    ),
    ("tables/<slug:table>/views/<uuid:pk>/change/", "post"): Change(
        known_form("change view"),
        Action.VIEW_CHANGED,
        "saved view",
        lambda w: "Busy",
        changed(name=("Running", "Busy"), is_shared=(False, True)),
    ),
    ("tables/<slug:table>/views/<uuid:pk>/delete/", "post"): Change(
        known_form("delete view"),
        Action.VIEW_DELETED,
        "saved view",
        lambda w: "Running",
        {"name": {"before": "Running", "after": None}},
    ),
}


def unconfirmed_job(w: Walk):
    """A bulk job over the idle order that awaits its confirmation."""
    with override_settings(FABFLOW_BULK_CONFIRM_OVER=0):
        return bulk_services.create_job(
            actor=Actor.for_user(w.world.admin),
            action="add_tag",
            arguments={"tag": "rush"},
            order_ids=[w.world.idle_order.pk],
            keep_unconfirmed=True,
        )


# Changing requests that write no audit record, and why.
NOT_RECORDED = {
    ("sign-in/", "post"): "signing in changes no data (the sign-in limits count attempts)",
    ("sign-out/", "post"): "signing out changes no data",
    ("tables/<slug:table>/columns/", "post"): "a user's own choice of columns, a display setting",
    ("orders/export/", "post"): "an export reads",
    ("products/export/", "post"): "an export reads",
    ("parts/export/", "post"): "an export reads",
    ("/api/v1/flows/{flow_key}/dry-run", "post"): "a dry run reads and never writes",
    ("/api/v1/feedback/{token}", "post"): (
        "a connector's feedback moves the flow: the order's history records it (engine changes)"
    ),
}
# Page routes that only show (GET): they change nothing.
READ_ONLY_PAGES = {
    "",
    "favicon.ico",
    "healthz",
    "readyz",
    "metrics",
    "dashboard/",
    "tables/<slug:table>/views/",
    "tables/<slug:table>/views/<uuid:pk>/",
    "activity/",
    "activity/export/",
    "products/",
    "parts/",
    "orders/<uuid:pk>/",
    "products/<uuid:pk>/",
    "parts/<uuid:pk>/",
    "flows/",
    "users/",
    "secret-keys/",
    "spaces/",
    "spaces/<uuid:space_id>/",
    "spaces/<uuid:space_id>/signing-secret/",
    "export-targets/",
    "organization/",
    "webhooks/",
    "webhooks/<uuid:pk>/",
    "bulk-actions/<uuid:pk>/",
    "outbox/",
    "outbox/<str:file>/<int:index>/",
}


def changing_api_operations() -> set[tuple[str, str]]:
    """(path, method) of every REST API operation that changes data, from its OpenAPI."""
    paths = api.get_openapi_schema()["paths"]
    return {(path, method) for path, operations in paths.items() for method in operations} & {
        (path, method) for path in paths for method in CHANGING_METHODS
    }


def page_routes() -> set[str]:
    return {route for route in routes() if not route.startswith(("django-admin/", "api/v1/"))}


def listed() -> set[tuple[str, str]]:
    return {key[:2] for key in CHANGES} | set(NOT_RECORDED)


def test_every_changing_route_and_operation_is_listed():
    pages_listed = {route for route, _method in listed() if not route.startswith("/api/")}
    assert page_routes() - READ_ONLY_PAGES - pages_listed == set(), "list the new route here"
    assert changing_api_operations() - listed() == set(), "list the new API operation here"
    assert pages_listed - page_routes() == set()
    api_listed = {item for item in listed() if item[0].startswith("/api/")}
    assert api_listed - changing_api_operations() == set()


def expected_actor(w: Walk, who: str) -> tuple:
    if who == "key":
        return (ActorKind.KEY, w.key_id, "Secret key Walk shop")
    user = w.world.member if who == "member" else w.world.admin
    return (ActorKind.USER, user.pk, user.get_full_name())


@pytest.mark.parametrize("key", list(CHANGES), ids=lambda key: " ".join(key))
def test_each_change_writes_its_audit_record(walk, key):
    change = CHANGES[key]
    walk.prepared = change.prepare(walk)
    AuditRecord.objects.all().delete()  # the set-up's own records
    response = change.perform(walk)
    assert response.status_code in {200, 201, 204, 303}, response.content[:500]
    (record,) = AuditRecord.objects.all()
    assert (record.actor_kind, record.actor_id, record.actor_label) == expected_actor(
        walk, change.actor
    )
    assert (record.action, record.object_kind, record.object_label) == (
        change.action,
        change.object_kind,
        change.object_label(walk),
    )
    assert record.organization_id == walk.world.admin.organization_id
    assert {name: record.changes.get(name) for name in change.changes} == change.changes


def test_a_refused_request_writes_no_record(walk):
    AuditRecord.objects.all().delete()
    refused = [
        walk.admin.post("/users/add/", {"email": "not an address", "access": "password"}),
        walk.admin.post("/spaces/add/", {"key": "", "name": "", "generator": ""}),
        walk.admin.post("/flows/rings/print/", {"definition": "[{"}),
        walk.key.post(
            "/api/v1/orders", json.dumps({"name": "", "products": []}), "application/json"
        ),
        walk.key.patch(
            f"/api/v1/orders/{walk.world.idle_order.pk}",
            json.dumps({"data": "not an object"}),
            "application/json",
        ),
    ]
    member = Client()
    member.force_login(walk.world.member)
    refused.append(member.post(f"/users/{walk.world.admin.pk}/tags/", {"tags": "x"}))
    assert [response.status_code >= 400 for response in refused] == [True] * len(refused)
    assert AuditRecord.objects.count() == 0
