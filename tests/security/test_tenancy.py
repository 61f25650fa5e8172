"""One tenancy rule with no exceptions, tried at every URL the project serves.

Every route of Django's URL resolver (the web UI, the REST API under api/v1/, Django's admin
site) is classified below. A second organization's admin (signed in) and a second organization's
secret key get 403 or 404 on the first organization's objects, see none of them in their own
lists, and change nothing of the first organization; operators get nothing but the admin site,
and organization users get nothing of the admin site. A route the test cannot classify fails the
walk, so no future route escapes it.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from fabflow import outbox
from fabflow.accounts import services as account_services
from fabflow.accounts.actors import Actor
from fabflow.accounts.bootstrap import bootstrap_if_empty
from fabflow.accounts.models import Organization, ProductSpace, SecretKey, User
from fabflow.audit.models import AuditRecord
from fabflow.bulk import services as bulk_services
from fabflow.bulk.models import BulkJob, BulkJobItem
from fabflow.files import export_targets
from fabflow.files.services import add_asset
from fabflow.flows import services as flow_services
from fabflow.flows.models import FlowRun, FlowVersion, OrderFlow, TaskRun
from fabflow.orders.models import Asset, Order, OrderEvent, Part, Product
from fabflow.orders.services import PartInput, ProductInput, create_order
from fabflow.web import saved_views
from fabflow.web.models import SavedView
from fabflow.webhooks.models import Delivery, Subscription
from fabflow.webhooks.services import create_subscription

PASSWORD = "correct horse battery"
METHODS = ["get", "post", "put", "patch", "delete"]
FLOW = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {
                "key": "print",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 3600000,
                "payload": {"title": "Print the rings"},
            }
        ],
    }
]


@dataclass(frozen=True)
class Alpha:
    """The first organization's objects that the second organization tries to reach."""

    order: Order
    product: Product
    part: Part
    asset: Asset
    task: TaskRun
    member: User
    key: SecretKey
    space: ProductSpace
    flow_key: str
    target: str
    outbox_file: str
    webhook: Subscription
    webhook_delivery: Delivery
    saved_view: SavedView
    bulk_job: BulkJob


# What the second organization must never see of the first in a page or an answer.
MARKERS = [
    "ALPHA-ORDER",
    "Alpha product",
    "Alpha part",
    "alpha.stl",
    "alpha-flow",
    "alpha-target",
    "Alpha mail",
    "Alpha shop",
    "maker@ringmakers.test",
    "hooks.alpha.test",
    "Alpha view",
]

# Routes reached without an organization's credentials: sign-in, the operations probes (their own
# bearer token), the API's published documents, and links whose token is the credential.
PUBLIC = {
    "favicon.ico",
    "sign-in/",
    "sign-out/",
    "set-password/<str:encoded_id>/<str:token>/",
    "healthz",
    "readyz",
    "metrics",
    "api/v1/",
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/schemas/flow.json",
    "api/v1/feedback/<token>",
}

# Routes of the signed-in caller's own organization: lists, forms that add, exports, settings.
COLLECTIONS = {
    "",
    "dashboard/",
    "orders/export/",
    "products/",
    "products/export/",
    "parts/",
    "parts/export/",
    "flows/",
    "flows/new/",
    "tables/<slug:table>/columns/",
    "tables/<slug:table>/views/",
    "tables/<slug:table>/views/save/",
    "users/",
    "users/add/",
    "secret-keys/",
    "spaces/",
    "spaces/add/",
    "export-targets/",
    "export-targets/add/",
    "organization/",
    "organization/private-addresses/",
    "webhooks/",
    "webhooks/add/",
    "api/v1/webhooks",
    "outbox/",
    "activity/",
    "activity/export/",
    "api/v1/orders",
    "api/v1/products",
    "api/v1/parts",
    "api/v1/flows",
    "bulk-actions/new/",
    "api/v1/bulk-jobs",
}
# The sample arguments of a collection route's parameters.
COLLECTION_ARGUMENTS = {
    "tables/<slug:table>/columns/": {"table": "orders"},
    "tables/<slug:table>/views/": {"table": "orders"},
    "tables/<slug:table>/views/save/": {"table": "orders"},
}

# Routes of one object of the first organization: the arguments that name it.
OBJECTS = {
    "orders/<uuid:pk>/": lambda a: [{"pk": a.order.pk}],
    "orders/<uuid:pk>/flow/": lambda a: [{"pk": a.order.pk}],
    "orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/": lambda a: [
        {"pk": a.order.pk, "task_id": a.task.pk, "action": action}
        for action in ["confirm", "reject", "retry", "skip"]
    ],
    "products/<uuid:pk>/": lambda a: [{"pk": a.product.pk}],
    "parts/<uuid:pk>/": lambda a: [{"pk": a.part.pk}],
    "flows/<slug:space_key>/<slug:flow_key>/": lambda a: [
        {"space_key": a.space.key, "flow_key": a.flow_key}
    ],
    **{
        f"tables/<slug:table>/views/<uuid:pk>/{action}": lambda a: [
            {"table": "orders", "pk": a.saved_view.pk}
        ]
        for action in ["", "change/", "delete/"]
    },
    "users/<uuid:pk>/tags/": lambda a: [{"pk": a.member.pk}],
    "users/<uuid:pk>/deactivate/": lambda a: [{"pk": a.member.pk}],
    "secret-keys/<uuid:space_id>/add/": lambda a: [{"space_id": a.space.pk}],
    "secret-keys/<uuid:pk>/revoke/": lambda a: [{"pk": a.key.pk}],
    "export-targets/<slug:name>/remove/": lambda a: [{"name": a.target}],
    "outbox/<str:file>/<int:index>/": lambda a: [{"file": a.outbox_file, "index": 0}],
    "spaces/<uuid:space_id>/": lambda a: [{"space_id": a.space.pk}],
    "spaces/<uuid:space_id>/edit/": lambda a: [{"space_id": a.space.pk}],
    "spaces/<uuid:space_id>/signing-secret/": lambda a: [{"space_id": a.space.pk}],
    "spaces/<uuid:space_id>/signing-secret/rotate/": lambda a: [{"space_id": a.space.pk}],
    "api/v1/orders/<order_id>": lambda a: [{"order_id": a.order.pk}],
    "api/v1/orders/<order_id>/flow": lambda a: [{"order_id": a.order.pk}],
    "api/v1/orders/<order_id>/tasks": lambda a: [{"order_id": a.order.pk}],
    "api/v1/orders/<order_id>/events": lambda a: [{"order_id": a.order.pk}],
    "api/v1/orders/<order_id>/assets": lambda a: [{"order_id": a.order.pk}],
    "api/v1/products/<product_id>": lambda a: [{"product_id": a.product.pk}],
    "api/v1/products/<product_id>/assets": lambda a: [{"product_id": a.product.pk}],
    "api/v1/parts/<part_id>": lambda a: [{"part_id": a.part.pk}],
    "api/v1/parts/<part_id>/assets": lambda a: [{"part_id": a.part.pk}],
    "api/v1/assets/<asset_id>/content": lambda a: [{"asset_id": a.asset.pk}],
    "api/v1/flows/<flow_key>": lambda a: [{"flow_key": a.flow_key}],
    "api/v1/flows/<flow_key>/dry-run": lambda a: [{"flow_key": a.flow_key}],
    "api/v1/tasks/<task_id>/confirm": lambda a: [{"task_id": a.task.pk}],
    "api/v1/tasks/<task_id>/reject": lambda a: [{"task_id": a.task.pk}],
    "api/v1/tasks/<task_id>/retry": lambda a: [{"task_id": a.task.pk}],
    "api/v1/tasks/<task_id>/skip": lambda a: [{"task_id": a.task.pk}],
    **{
        f"webhooks/<uuid:pk>/{action}": lambda a: [{"pk": a.webhook.pk}]
        for action in ["", "edit/", "enable/", "disable/", "delete/", "rotate-secret/"]
    },
    "webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/resend/": lambda a: [
        {"pk": a.webhook.pk, "delivery_id": a.webhook_delivery.pk}
    ],
    **{
        f"bulk-actions/<uuid:pk>/{action}": lambda a: [{"pk": a.bulk_job.pk}]
        for action in ["", "confirm/", "cancel/"]
    },
    "api/v1/bulk-jobs/<job_id>": lambda a: [{"job_id": a.bulk_job.pk}],
    "api/v1/bulk-jobs/<job_id>/items": lambda a: [{"job_id": a.bulk_job.pk}],
    "api/v1/webhooks/<webhook_id>": lambda a: [{"webhook_id": a.webhook.pk}],
    "api/v1/webhooks/<webhook_id>/secret": lambda a: [{"webhook_id": a.webhook.pk}],
    "api/v1/webhooks/<webhook_id>/deliveries": lambda a: [{"webhook_id": a.webhook.pk}],
    "api/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/resend": lambda a: [
        {"webhook_id": a.webhook.pk, "delivery_id": a.webhook_delivery.pk}
    ],
}


def upload() -> dict:
    return {"file": SimpleUploadedFile("theirs.stl", b"solid theirs\nendsolid\n"), "kind": "other"}


# A valid request body per route and method, so that a refusal is the tenancy rule's and not a
# complaint about the body. Requests without an entry send no body.
BODIES = {
    ("api/v1/orders/<order_id>", "patch"): lambda a: {"tags": ["taken"]},
    ("api/v1/orders/<order_id>/flow", "post"): lambda a: {"flowKey": a.flow_key},
    ("api/v1/orders/<order_id>/assets", "post"): lambda a: upload(),
    ("api/v1/products/<product_id>/assets", "post"): lambda a: upload(),
    ("api/v1/parts/<part_id>/assets", "post"): lambda a: upload(),
    ("api/v1/flows/<flow_key>", "put"): lambda a: {"definition": FLOW},
    ("api/v1/flows/<flow_key>/dry-run", "post"): lambda a: {"orderId": str(a.order.pk)},
    ("api/v1/tasks/<task_id>/confirm", "post"): lambda a: {"comment": "taken"},
    ("api/v1/tasks/<task_id>/reject", "post"): lambda a: {"reason": "taken"},
    ("orders/<uuid:pk>/flow/", "post"): lambda a: {"flow_key": a.flow_key},
    ("orders/<uuid:pk>/tasks/<uuid:task_id>/<slug:action>/", "post"): lambda a: {
        "comment": "taken",
        "reason": "taken",
    },
    ("users/<uuid:pk>/tags/", "post"): lambda a: {"tags": "taken"},
    ("bulk-actions/new/", "post"): lambda a: {
        "action": "add_tag",
        "tag": "taken",
        "ids": str(a.order.pk),
    },
    ("api/v1/bulk-jobs", "post"): lambda a: {
        "action": "add_tag",
        "arguments": {"tag": "taken"},
        "orderIds": [str(a.order.pk)],
    },
    ("tables/<slug:table>/views/<uuid:pk>/change/", "post"): lambda a: {"name": "Taken"},
    ("secret-keys/<uuid:space_id>/add/", "post"): lambda a: {f"s{a.space.pk.hex}-name": "Taken"},
    ("api/v1/webhooks/<webhook_id>", "patch"): lambda a: {"url": "https://taken.test/"},
    ("webhooks/<uuid:pk>/edit/", "post"): lambda a: {
        "url": "https://taken.test/",
        "event_types": ["task.failed"],
    },
}


def routes(patterns=None, prefix: str = ""):
    """Every route the project serves, as its full pattern text."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def url_of(route: str, arguments: dict) -> str:
    """The address of `route` with its parameters filled from `arguments`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(arguments[match[1]]), route)


def call(client: Client, route: str, url: str, method: str, alpha: Alpha):
    body = BODIES.get((route, method))
    if body is None:
        return getattr(client, method)(url)
    data = body(alpha)
    if "file" in data:
        return client.post(url, data)
    if route.startswith("api/"):
        return getattr(client, method)(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def content_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def rows_of(organization: Organization) -> dict:
    """Every row of `organization`, each as all its values, to compare before and after."""
    scoped = {
        Organization: {"pk": organization.pk},
        User: {"organization": organization},
        ProductSpace: {"organization": organization},
        SecretKey: {"space__organization": organization},
        Order: {"organization": organization},
        Product: {"organization": organization},
        Part: {"organization": organization},
        Asset: {"organization": organization},
        OrderEvent: {"order__organization": organization},
        OrderFlow: {"organization": organization},
        FlowVersion: {"flow__organization": organization},
        FlowRun: {"organization": organization},
        TaskRun: {"organization": organization},
        Subscription: {"organization": organization},
        Delivery: {"organization": organization},
        export_targets.ExportTarget: {"organization": organization},
        SavedView: {"organization": organization},
        AuditRecord: {"organization": organization},
        BulkJob: {"organization": organization},
        BulkJobItem: {"job__organization": organization},
    }
    return {
        model._meta.label: list(model.objects.filter(**where).order_by("pk").values())
        for model, where in scoped.items()
    }


@pytest.fixture
def alpha(settings, tmp_path, organization, space, admin, member, admin_actor, export_root):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    settings.EMAIL_BACKEND = outbox.FILE_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    products = [
        ProductInput(
            name="Alpha product",
            units=1,
            unit_value=Decimal("10.50"),
            parts=[PartInput(name="Alpha part")],
        )
    ]
    webhook = create_subscription(
        actor=admin_actor, url="https://hooks.alpha.test/fabflow", event_types=["order.created"]
    ).subscription
    order = create_order(actor=admin_actor, space=space, name="ALPHA-ORDER", products=products)
    order = order.order
    asset = add_asset(
        actor=admin_actor,
        owner_type="order",
        owner_id=order.pk,
        upload=SimpleUploadedFile("alpha.stl", b"solid alpha\nendsolid\n"),
        kind="production",
    )
    flow = flow_services.create_flow(
        actor=admin_actor, space=space, name="Alpha flow", definition=FLOW
    )
    flow_services.start_flow(actor=admin_actor, order_id=order.pk, flow_key=flow.key)
    export_targets.create_export_target(
        actor=admin_actor, name="alpha-target", kind="folder", path=str(export_root)
    )
    EmailMessage(
        subject="Alpha mail",
        body="For the first organization only.",
        to=["shop@example.com"],
        headers=outbox.headers(organization_id=organization.pk, order_id=order.pk),
    ).send()
    (outbox_file,) = [path.name for path in settings.EMAIL_FILE_PATH.iterdir()]
    key = account_services.create_secret_key(actor=admin_actor, space=space, name="Alpha shop")
    return Alpha(
        order=order,
        product=order.products.get(),
        part=order.parts.get(),
        asset=asset,
        task=TaskRun.objects.get(order=order),
        member=member,
        key=key.key,
        space=space,
        flow_key=flow.key,
        target="alpha-target",
        outbox_file=outbox_file,
        webhook=webhook,
        webhook_delivery=Delivery.objects.get(subscription=webhook),
        saved_view=saved_views.save_view(
            actor=admin_actor, table="orders", name="Alpha view", query="", is_shared=True
        ),
        bulk_job=bulk_services.create_job(
            actor=admin_actor,
            action="add_tag",
            arguments={"tag": "alpha"},
            order_ids=[order.pk],
            keep_unconfirmed=True,
        ),
    )


@pytest.fixture
def stranger_session(stranger, stranger_space):
    client = Client()
    client.force_login(stranger)
    return client


@pytest.fixture
def stranger_key(stranger, stranger_space):
    created = account_services.create_secret_key(
        actor=Actor.for_user(stranger), space=stranger_space, name="Their shop"
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")


@pytest.fixture
def operator_session(db):
    operator = account_services.create_operator(email="ops@fabflow.test", password=PASSWORD)
    client = Client()
    client.force_login(operator)
    return client


def served_routes() -> set[str]:
    return {route for route in routes() if not route.startswith("django-admin/")}


def test_every_route_is_classified():
    unknown = served_routes() - PUBLIC - COLLECTIONS - set(OBJECTS)
    assert unknown == set(), "Classify each new route in tests/security/test_tenancy.py"
    gone = (PUBLIC | COLLECTIONS | set(OBJECTS)) - served_routes()
    assert gone == set()


def test_another_organization_gets_403_or_404_on_every_object_route(
    alpha, organization, settings, stranger_session, stranger_key
):
    before = rows_of(organization), outbox_files(settings)
    for route, samples in OBJECTS.items():
        for arguments in samples(alpha):
            url = url_of(route, arguments)
            for caller, client in [("session", stranger_session), ("key", stranger_key)]:
                statuses = {
                    method: call(client, route, url, method, alpha).status_code
                    for method in METHODS
                }
                refused = refusals(route, caller)
                assert set(statuses.values()) <= refused | {405}, (caller, url, statuses)
                assert set(statuses.values()) & refused, (caller, url, statuses)
    assert (rows_of(organization), outbox_files(settings)) == before


def outbox_files(settings) -> list[str]:
    return sorted(path.name for path in settings.EMAIL_FILE_PATH.iterdir())


def refusals(route: str, caller: str) -> set[int]:
    """What refusing the caller looks like: 403 or 404, or a key sent to the sign-in page."""
    if caller == "key" and not route.startswith("api/"):
        return {302}
    return {403, 404}


def test_another_organizations_lists_show_nothing_of_the_first(
    alpha, organization, stranger_session, stranger_key
):
    before = rows_of(organization)
    for route in sorted(COLLECTIONS):
        url = url_of(route, COLLECTION_ARGUMENTS.get(route, {}))
        for caller, client in [("session", stranger_session), ("key", stranger_key)]:
            for method in METHODS:
                response = call(client, route, url, method, alpha)
                assert response.status_code < 500, (caller, method, url)
                text = content_of(response)
                shown = [marker for marker in MARKERS if marker in text]
                assert shown == [], (caller, method, url, shown)
                assert str(alpha.order.pk) not in text
    assert rows_of(organization) == before


def test_an_operator_gets_no_organization_page_or_api_call(alpha, organization, operator_session):
    before = rows_of(organization)
    for route in sorted(COLLECTIONS | set(OBJECTS)):
        samples = (
            OBJECTS[route](alpha) if route in OBJECTS else [COLLECTION_ARGUMENTS.get(route, {})]
        )
        for arguments in samples:
            url = url_of(route, arguments)
            statuses = {
                method: call(operator_session, route, url, method, alpha).status_code
                for method in METHODS
            }
            assert set(statuses.values()) <= {403, 404, 405}, (url, statuses)
            assert set(statuses.values()) & {403, 404}, (url, statuses)
    assert rows_of(organization) == before


# ---------- Django's admin site ----------


def admin_urls(alpha: Alpha) -> list[str]:
    """Every route of Django's admin site, its object parameters naming the first organization's
    rows (the member's user row, where a model has no row of its own in the sample)."""
    user_type = ContentType.objects.get_for_model(User)
    arguments = {
        "object_id": alpha.member.pk,
        "id": alpha.member.pk,
        "content_type_id": user_type.pk,
        "app_label": "accounts",
        "url": "accounts/user/",
    }
    urls = []
    for route in routes():
        if not route.startswith("django-admin/"):
            continue
        route = re.sub(r"\^|\$|\\", "", route)
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
        urls.append(url_of(route, arguments))
    return urls


@pytest.mark.parametrize("who", ["admin", "stranger"])
def test_organization_users_get_nothing_of_the_admin_site(
    alpha, organization, request, who, client
):
    client.force_login(request.getfixturevalue(who))
    before = rows_of(organization)
    for url in admin_urls(alpha):
        for method in ["get", "post"]:
            response = getattr(client, method)(url, {"email": "taken@example.com"})
            allowed = response.status_code == 403 or (
                response.status_code == 302
                and response["Location"].startswith(("/django-admin/login/", "/django-admin/"))
            )
            assert allowed, (who, method, url, response.status_code)
    assert rows_of(organization) == before


def test_the_operator_reaches_the_admin_site(alpha, operator_session):
    assert operator_session.get("/django-admin/").status_code == 200
    listed = operator_session.get("/django-admin/accounts/user/")
    assert listed.status_code == 200
    assert alpha.member.email in listed.content.decode()
    change = operator_session.get(f"/django-admin/accounts/user/{alpha.member.pk}/change/")
    assert change.status_code == 200


def test_the_sign_in_page_sends_an_operator_to_the_admin_site(client, db):
    account_services.create_operator(email="ops@fabflow.test", password=PASSWORD)
    response = client.post("/sign-in/", {"email": "ops@fabflow.test", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (303, "/django-admin/")
    assert client.get("/").status_code == 403
    refused = client.get("/api/v1/orders")
    assert (refused.status_code, refused.json()) == (
        403,
        {
            "detail": [
                {
                    "loc": [],
                    "msg": "The API is for an organization's users and secret keys",
                    "type": "forbidden",
                }
            ]
        },
    )
    assert client.get("/django-admin/").status_code == 200


def test_an_organization_user_can_never_be_staff(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=member.pk).update(is_staff=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=member.pk).update(organization=None)
    assert User.objects.filter(is_staff=True).count() == 0


# ---------- who is staff ----------


def test_the_first_start_and_createadmin_never_make_staff(db, monkeypatch):
    monkeypatch.setenv("FABFLOW_ADMIN_PASSWORD", PASSWORD)
    bootstrap_if_empty()
    call_command("createadmin", "boss@orgb.test", "--organization", "Org B", stdout=StringIO())
    users = User.objects.order_by("email").values_list(
        "email", "is_admin", "is_staff", "is_superuser"
    )
    assert list(users) == [
        ("admin@example.com", True, False, False),
        ("boss@orgb.test", True, False, False),
    ]


def test_createoperator_and_createsuperuser_make_operators_of_no_organization(db):
    out = StringIO()
    call_command("createoperator", "Ops@Fabflow.test", "--password", PASSWORD, stdout=out)
    assert out.getvalue() == f"Created operator ops@fabflow.test; password: {PASSWORD}\n"
    call_command("createsuperuser", "--noinput", "--email", "root@fabflow.test", stdout=StringIO())
    users = User.objects.order_by("email").values_list(
        "email", "organization", "is_admin", "is_staff", "is_superuser"
    )
    assert list(users) == [
        ("ops@fabflow.test", None, False, True, True),
        ("root@fabflow.test", None, False, True, True),
    ]
