"""A real worker process sends deliveries; killed with SIGKILL mid-delivery, its restart sends
the delivery again, so the receiver sees it once or more, never zero times."""

import json
import subprocess
import sys
import threading

from tests.flows.conftest import REPOSITORY

SETUP = """
from fabflow.accounts import services as accounts
from fabflow.accounts.actors import Actor
from fabflow.webhooks.services import create_subscription

organization = accounts.create_organization(name="Ringmakers")
space = accounts.create_space(organization=organization, name="Rings", key="rings")
created = create_subscription(
    actor=Actor.system(organization.pk), url=URL, event_types=["order.created"]
)
print(json.dumps({"secret": created.secret}))
"""

CREATE_ORDER = """
from decimal import Decimal

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace
from fabflow.orders.services import ProductInput, create_order

space = ProductSpace.objects.get()
order = create_order(
    actor=Actor.system(space.organization_id),
    space=space,
    name=NAME,
    products=[ProductInput(name="Ring", units=1, unit_value=Decimal("10"))],
).order
print(json.dumps({"order": str(order.pk)}))
"""

DELIVERIES = """
from fabflow.webhooks.models import Delivery

print(json.dumps([[str(d.pk), d.status, d.attempts] for d in Delivery.objects.order_by("pk")]))
"""


def run(installation, code: str, **names):
    """Run `code` in a Django process of the installation, with `names` defined; its JSON."""
    prelude = "import json, django\ndjango.setup()\n" + "".join(
        f"{name} = {json.dumps(value)}\n" for name, value in names.items()
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env={**installation.env, "DJANGO_SETTINGS_MODULE": "fabflow.settings"},
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_delivery_cut_off_by_sigkill_is_sent_again_after_the_restart(installation, receiver):
    secret = run(installation, SETUP, URL=receiver.url("/fabflow"))["secret"]
    receiver.secret_holder["secret"] = secret
    held = threading.Event()
    receiver.holds = [held]
    try:
        installation.start_worker()
        order = run(installation, CREATE_ORDER, NAME="R-1")["order"]
        installation.wait_for(lambda: receiver.calls)
        installation.kill_worker()
    finally:
        held.set()
    ((delivery_id, status, attempts),) = run(installation, DELIVERIES)
    assert (status, attempts) == ("pending", 0)
    installation.start_worker()
    installation.wait_for(lambda: len(receiver.calls) == 2)
    installation.wait_for(lambda: run(installation, DELIVERIES)[0][1] == "delivered")
    assert [call["delivery"] for call in receiver.calls] == [delivery_id, delivery_id]
    assert all(call["signed"] for call in receiver.calls)
    assert receiver.calls[1]["body"]["order"]["id"] == order
    # What a running worker sends from now on arrives once.
    run(installation, CREATE_ORDER, NAME="R-2")
    installation.wait_for(lambda: len(receiver.calls) == 3)
    assert receiver.calls[2]["body"]["order"]["name"] == "R-2"
