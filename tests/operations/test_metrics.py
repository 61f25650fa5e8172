"""/metrics: off without a token, the bearer's only, and exact figures from the database."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from fabflow.accounts.actors import Actor
from fabflow.flows import services as flow_services
from fabflow.flows.models import FlowRun, TaskRun, TaskStatus, WorkerHeartbeat
from fabflow.orders.models import Order, OrderStatus
from fabflow.orders.services import create_order
from fabflow.web.models import SignInFailure
from tests.conftest import ring_products

TOKEN = "metrics-token-0123456789"
FLOW = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {
                "key": "check",
                "handlerKey": "manual-confirmation",
                "payload": {"title": "Check the design"},
            }
        ],
    }
]


def uuid7_at(moment) -> uuid.UUID:
    """A time-ordered id as a row created at `moment` has."""
    return uuid.UUID(int=(int(moment.timestamp() * 1000) << 80) | (0x7 << 76) | (0b10 << 62) | 1)


def scrape(client, token=TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def samples(response) -> dict:
    """{(name, sorted labels): value} of every sample in a scrape."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def metrics_on(settings, tmp_path):
    settings.FABFLOW_METRICS_TOKEN = TOKEN
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")


def test_metrics_are_off_without_a_token(client, db):
    assert scrape(client).status_code == 404


@pytest.mark.parametrize("offered", ["", "wrong-token", TOKEN + "x"])
def test_metrics_refuse_any_other_bearer(client, metrics_on, db, offered):
    response = scrape(client, offered)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"fabflow_" not in response.content


def task(run, key, handler, status, *, at, started=None, finished=None, stage=0, **fields):
    """A task row of `run` with exact times (seconds after `at`)."""
    return TaskRun.objects.create(
        organization_id=run.organization_id,
        space_id=run.space_id,
        run=run,
        order_id=run.order_id,
        stage_key="make",
        stage_index=stage,
        task_key=key,
        handler_key=handler,
        status=status,
        created_at=at,
        started_at=None if started is None else at + timedelta(seconds=started),
        finished_at=None if finished is None else at + timedelta(seconds=finished),
        **fields,
    )


@pytest.fixture
def known_installation(admin_actor, space, stranger, stranger_space, metrics_on, tmp_path):
    """Three orders of one organization and one of another; seven tasks with known times."""
    orders = [
        create_order(
            actor=admin_actor, space=space, name=f"R-{n}", products=ring_products(1, 1)
        ).order
        for n in range(3)
    ]
    create_order(
        actor=Actor.for_user(stranger),
        space=stranger_space,
        name="Lamp-1",
        products=ring_products(1, 1),
    )
    Order.objects.filter(pk=orders[0].pk).update(status=OrderStatus.IN_PROGRESS)
    flow = flow_services.create_flow(
        actor=admin_actor, space=space, name="Make rings", definition=FLOW
    )
    run = FlowRun.objects.create(
        organization_id=orders[0].organization_id,
        space_id=space.pk,
        order=orders[0],
        flow_version=flow.latest_version(),
    )
    at = timezone.now() - timedelta(hours=1)
    task(run, "mail", "send-email", TaskStatus.SUCCEEDED, at=at, started=0, finished=0.2)
    task(run, "mail-2", "send-email", TaskStatus.FAILED, at=at, started=0, finished=3)
    task(
        run, "call", "consume-rest-api", TaskStatus.SUCCEEDED,
        at=at, started=0.004, finished=0.904, stage=1,
    )  # fmt: skip
    task(
        run, "call-2", "consume-rest-api", TaskStatus.FAILED,
        at=at, started=0.02, finished=0.47, parent_task_key="call",
    )  # fmt: skip
    task(
        run, "check", "manual-confirmation", TaskStatus.WAITING,
        at=at, started=0, stage=1, is_overdue=True,
    )  # fmt: skip
    task(run, "mail-3", "send-email", TaskStatus.PENDING, at=at, stage=1)
    # Created an hour before the histograms' window: counted, but in no histogram.
    long_ago = at - timedelta(hours=1)
    task(
        run, "mail-old", "send-email", TaskStatus.SUCCEEDED,
        at=long_ago, started=0, finished=7, stage=1, id=uuid7_at(long_ago),
    )  # fmt: skip
    now = timezone.now()
    for scope, key, age in [
        (SignInFailure.Scope.ACCOUNT, "ada@ringmakers.test", 1),
        (SignInFailure.Scope.ACCOUNT, "ada@ringmakers.test", 2),
        (SignInFailure.Scope.ADDRESS, "10.0.0.1", 1),
        (SignInFailure.Scope.ACCOUNT, "ada@ringmakers.test", 60 * 60),  # out of the window
    ]:
        SignInFailure.objects.create(scope=scope, key=key, created_at=now - timedelta(seconds=age))
    WorkerHeartbeat.objects.create(executor_id="live", seen_at=now - timedelta(seconds=1))
    WorkerHeartbeat.objects.create(executor_id="gone", seen_at=now - timedelta(minutes=5))
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "20261203-120000-1.log").write_bytes(b"x" * 100)
    (outbox / "20261203-120001-2.log").write_bytes(b"y" * 23)


def test_metrics_count_the_known_installation(client, known_installation):
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found = samples(response)

    assert found[("fabflow_orders_created_total", ())] == 4
    assert found[("fabflow_orders", (("status", "created"),))] == 3
    assert found[("fabflow_orders", (("status", "in_progress"),))] == 1
    assert found[("fabflow_orders", (("status", "failure"),))] == 0
    finished = {
        labels: value
        for (name, labels), value in found.items()
        if name == "fabflow_tasks_finished_total"
    }
    assert finished == {
        (("handler", "consume-rest-api"), ("outcome", "failed")): 1,
        (("handler", "consume-rest-api"), ("outcome", "succeeded")): 1,
        (("handler", "send-email"), ("outcome", "failed")): 1,
        (("handler", "send-email"), ("outcome", "succeeded")): 2,
    }
    active = {
        labels: value for (name, labels), value in found.items() if name == "fabflow_tasks_active"
    }
    assert active == {
        (("handler", "manual-confirmation"), ("status", "waiting")): 1,
        (("handler", "send-email"), ("status", "pending")): 1,
    }
    assert found[("fabflow_connector_failures_total", ())] == 1
    assert found[("fabflow_email_failures_total", ())] == 1
    assert found[("fabflow_queue_depth", ())] == 1
    assert found[("fabflow_tasks_overdue", ())] == 1
    assert found[("fabflow_sign_in_failures", ())] == 2
    assert found[("fabflow_outbox_files", ())] == 2
    assert found[("fabflow_outbox_bytes", ())] == 123
    assert found[("fabflow_workers_alive", ())] == 1
    assert 1 <= found[("fabflow_worker_heartbeat_age_seconds", ())] < 60


def bucket_counts(found, name, handler) -> dict:
    return {
        dict(labels)["le"]: value
        for (sample, labels), value in found.items()
        if sample == f"{name}_bucket" and dict(labels)["handler"] == handler
    }


def test_metrics_histograms_of_task_durations_and_successor_latency(client, known_installation):
    found = samples(scrape(client))
    durations = "fabflow_task_duration_seconds"
    email = bucket_counts(found, durations, "send-email")
    # 0.2 s and 3 s (not the 7 s of the task created before the window): cumulative counts.
    assert (email["0.1"], email["0.25"], email["2.5"], email["5.0"], email["+Inf"]) == (
        0,
        1,
        1,
        2,
        2,
    )
    assert found[(f"{durations}_gcount", (("handler", "send-email"),))] == 2
    assert found[(f"{durations}_gsum", (("handler", "send-email"),))] == pytest.approx(
        3.2, abs=1e-3
    )
    connector = bucket_counts(found, durations, "consume-rest-api")
    # 0.9 s and 0.45 s: no duration sits on a bound, where SQLite's arithmetic may round.
    assert (connector["0.25"], connector["0.5"], connector["1.0"], connector["+Inf"]) == (
        0,
        1,
        2,
        2,
    )
    # Successors: the connector tasks (stage 1, and one with a parent); never the manual one,
    # nor the first tasks of the run, nor the pending one that has not started.
    latency = "fabflow_task_successor_latency_seconds"
    follow = bucket_counts(found, latency, "consume-rest-api")
    assert (follow["0.0025"], follow["0.005"], follow["0.01"], follow["0.025"]) == (0, 1, 1, 2)
    assert found[(f"{latency}_gsum", (("handler", "consume-rest-api"),))] == pytest.approx(
        0.024, abs=1e-3
    )
    assert {dict(labels)["handler"] for (name, labels) in found if name == f"{latency}_gcount"} == {
        "consume-rest-api"
    }


def test_metrics_name_no_organization(client, known_installation, organization, stranger):
    response = scrape(client)
    body = response.content.decode()
    assert str(organization.pk) not in body
    assert organization.name not in body
    assert str(stranger.organization_id) not in body
    assert all("organization" not in dict(labels) for (name, labels) in samples(response))


def test_metrics_of_an_empty_installation(client, metrics_on, db):
    found = samples(scrape(client))
    assert found[("fabflow_orders_created_total", ())] == 0
    assert found[("fabflow_queue_depth", ())] == 0
    assert found[("fabflow_workers_alive", ())] == 0
    assert not any(name.startswith("fabflow_task_duration_seconds") for name, _ in found)
