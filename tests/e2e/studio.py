"""A fresh organization for each browser test module that asks for one: its own names, so the
module's outcome depends on no other module's changes, whatever order they run in.

`seed()` runs in a process of its own against the live server's database and data folder (the
server keeps the outbox there) and prints the organization's facts as JSON; the `studio`
fixture calls it once per module and starts flows on the orders a module wants waiting.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from tests.e2e.conftest import REPOSITORY

PASSWORD = "correct horse battery"
FLOW_NAME = "Studio production"
FLOW_KEY = "studio-production"
ORDER_NAMES = ["ST-1", "ST-2", "ST-3", "ST-4", "ST-5"]
FLOW = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {
                "key": "check",
                "handlerKey": "manual-confirmation",
                "timeoutDuration": 86_400_000,
                "payload": {"title": "Check the design", "description": "Wall thickness ≥ 1 mm"},
            }
        ],
    }
]


def seed() -> None:
    """Create an organization with a unique name, its people, orders, a flow and a key."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    django.setup()
    from decimal import Decimal

    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.flows.services import create_flow
    from fabflow.orders.models import Part, Product
    from fabflow.orders.services import PartInput, ProductInput, create_order

    mark = uuid.uuid4().hex[:8]
    organization = accounts.create_organization(name=f"Studio {mark}")
    space = accounts.create_space(organization=organization, name="Studio", key="studio")
    admin = accounts.create_user(
        organization=organization,
        email=f"sam-{mark}@studio.test",
        password=PASSWORD,
        name="Sam Studio",
        is_admin=True,
        tags=["printing"],
    )
    member = accounts.create_user(
        organization=organization,
        email=f"mia-{mark}@studio.test",
        password=PASSWORD,
        name="Mia Member",
    )
    actor = Actor.for_user(admin)
    newcomer = accounts.add_user(
        actor=actor,
        email=f"noa-{mark}@studio.test",
        name="Noa Newcomer",
        set_password_url=lambda encoded_id, token: f"/set-password/{encoded_id}/{token}/",
    )
    encoded_id, token = accounts.password_token(newcomer)
    operator = accounts.create_operator(email=f"olli-{mark}@operators.test", password=PASSWORD)
    create_flow(actor=actor, space=space, name=FLOW_NAME, definition=FLOW)
    from fabflow.webhooks.services import create_subscription

    webhook = create_subscription(
        actor=actor,
        url="https://hooks.studio.test/fabflow",
        event_types=["order.created", "order.status_changed"],
    ).subscription
    orders = {}
    for number, name in enumerate(ORDER_NAMES, start=1):
        created = create_order(
            actor=actor,
            space=space,
            name=name,
            value=Decimal(number * 25),
            tags=["printing"] if number == 1 else [],
            products=[
                ProductInput(
                    name=f"Vase {number}",
                    units=number,
                    unit_value=Decimal("25.00"),
                    parts=[PartInput(name=f"Body {number}"), PartInput(name=f"Lid {number}")],
                )
            ],
        ).order
        orders[name] = str(created.pk)
    first = orders[ORDER_NAMES[0]]
    give_up_with_an_answer(webhook, first)
    key = accounts.create_secret_key(actor=actor, space=space, name="Studio shop")
    print(
        json.dumps(
            {
                "organization": organization.name,
                "organization_id": str(organization.pk),
                "admin": admin.email,
                "member": member.email,
                "newcomer": newcomer.email,
                "operator": operator.email,
                "set_password": f"/set-password/{encoded_id}/{token}/",
                "space_id": str(space.pk),
                "orders": orders,
                "product": str(Product.objects.get(order_id=first).pk),
                "part": str(Part.objects.filter(order_id=first).order_by("name").first().pk),
                "secret": key.secret,
                "webhook": str(webhook.pk),
            }
        )
    )


# What the studio's webhook receiver answered to one delivery: markup, a line longer than any
# screen and more lines than its box shows.
RECEIVER_ANSWER = (
    '<script>alert("answered")</script>\n'
    + "Traceback-" * 60
    + "\n"
    + "".join(f"  line {number}: the receiver failed\n" for number in range(80))
)


def give_up_with_an_answer(webhook, order_id: str) -> None:
    """The webhook's delivery of the order's creation, given up after its receiver answered
    500 with RECEIVER_ANSWER (and more, cut)."""
    from django.utils import timezone

    from fabflow.webhooks.models import Delivery, DeliveryStatus

    now = timezone.now()
    Delivery.objects.filter(subscription=webhook, order_id=order_id).update(
        status=DeliveryStatus.FAILED,
        attempts=1,
        last_attempt_at=now,
        finished_at=now,
        response_code=500,
        response_body=RECEIVER_ANSWER,
        response_cut=True,
    )


@pytest.fixture(scope="module")
def studio(fabflow_server):
    """A freshly seeded organization on the live server: its facts and the server's URL."""
    seeded = subprocess.run(
        [sys.executable, "-c", "from tests.e2e.studio import seed; seed()"],
        env=fabflow_server["environment"], cwd=REPOSITORY,
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return {"url": fabflow_server["url"], **json.loads(seeded.stdout.strip().splitlines()[-1])}


def sign_in(page, email: str) -> None:
    """Sign in through the sign-in page and wait until it has let the user in."""
    page.goto("/sign-in/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def session_cookies(browser, studio, email: str) -> list[dict]:
    """The cookies of a session signed in as `email`, to hand to a test's pages."""
    context = browser.new_context(base_url=studio["url"])
    sign_in(context.new_page(), email)
    cookies = context.cookies()
    context.close()
    return cookies


def api(studio) -> httpx.Client:
    """A REST API client with the studio's secret key."""
    return httpx.Client(
        base_url=studio["url"] + "/api/v1",
        headers={"Authorization": f"Bearer {studio['secret']}"},
        timeout=30,
    )


def start_flow_and_wait(studio, order_name: str) -> str:
    """Start the studio's flow on an order and wait (a worker must run) until its manual task
    waits; the task's id."""
    order_id = studio["orders"][order_name]
    with api(studio) as client:
        answer = client.post(f"/orders/{order_id}/flow", json={"flowKey": FLOW_KEY})
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + 60
        while True:
            tasks = client.get(f"/orders/{order_id}/tasks").json()["items"]
            if tasks and tasks[0]["status"] == "waiting":
                return tasks[0]["id"]
            assert time.monotonic() < deadline, tasks
            time.sleep(0.2)
