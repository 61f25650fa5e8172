"""Logs: one JSON object per line with the request's context, and never a secret in them."""

import io
import json
import logging
import re
import uuid

import pytest
from django.db import connection

from fabflow import logs

SECRET_KEY = re.compile(r"ffk_[0-9a-f]{12}_[A-Za-z0-9_\-]+")


@pytest.fixture
def captured():
    """Everything logged, at DEBUG and with every SQL statement, as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    loggers = [root, logging.getLogger("fabflow"), logging.getLogger("django.db.backends")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    root.addHandler(handler)
    connection.force_debug_cursor = True
    try:
        yield stream
    finally:
        connection.force_debug_cursor = False
        root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_no_secret_reaches_the_log(client, admin, space, captured):
    wrong_password = "wrong-password-" + uuid.uuid4().hex
    client.post("/sign-in/", {"email": admin.email, "password": wrong_password})
    assert client.login(email=admin.email, password="correct horse battery")

    created = client.post(f"/secret-keys/{space.pk}/add/", {f"s{space.pk.hex}-name": "Shop"})
    assert created.status_code == 303
    shown = client.get(created["Location"])
    secret = SECRET_KEY.search(shown.content.decode()).group(0)
    session_key = client.cookies["sessionid"].value
    listed = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 200

    new_password = "initial-password-" + uuid.uuid4().hex
    added = client.post(
        "/users/add/",
        {
            "email": "nia@ringmakers.test",
            "name": "Nia",
            "access": "password",
            "password": new_password,
        },
    )
    assert added.status_code == 303

    output = captured.getvalue()
    assert len(lines(captured)) > 20  # the SQL of every step was logged
    secret_part = secret.split("_", 2)[2]
    for needle in [
        wrong_password,
        new_password,
        "correct horse battery",
        secret,
        secret_part,
        session_key,
    ]:
        assert needle not in output
    # Session data (which held the new secret, encoded, until its page showed it) and session
    # keys never reach the log: statements on the session table are logged without values.
    statements = [
        line["message"] for line in lines(captured) if "django_session" in line["message"]
    ]
    assert statements and set(statements) <= {
        f"{verb} django_session (values hidden)"
        for verb in ("SELECT", "INSERT", "UPDATE", "DELETE")
    }


def test_a_message_quoting_a_key_or_bearer_token_is_masked(captured):
    logging.getLogger("fabflow.test").warning(
        "refused ffk_0123456789ab_s3cr3tS3CR3T and Authorization: Bearer tok3n-value"
    )
    (line,) = lines(captured)
    assert line["message"] == "refused ffk_0123456789ab_******** and Authorization: Bearer ********"


def test_every_line_of_a_request_carries_its_id_and_organization(client, secret_key, captured):
    response = client.get(
        "/api/v1/orders", headers={"Authorization": f"Bearer {secret_key.secret}"}
    )
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    written = lines(captured)
    assert written and all(line["request_id"] == request_id for line in written)
    organization = str(secret_key.key.space.organization_id)
    # Once the key is known, the lines name its organization.
    assert written[-1]["organization"] == organization
    assert set(written[-1]) >= {"time", "level", "logger", "message", "request_id"}


def test_a_page_of_an_order_names_the_order(client, admin, captured, order):
    client.force_login(admin)
    client.get(f"/orders/{order.pk}/")
    assert {line.get("order") for line in lines(captured)} >= {str(order.pk)}


@pytest.fixture
def order(admin_actor, space):
    from fabflow.orders.services import create_order
    from tests.conftest import ring_products

    return create_order(
        actor=admin_actor, space=space, name="R-1", products=ring_products(1, 1)
    ).order


def test_a_request_id_from_outside_is_taken_only_when_trusted(client, settings, db):
    sent = {"X-Request-ID": "proxy-id-1234"}
    assert client.get("/healthz", headers=sent)["X-Request-ID"] != "proxy-id-1234"
    settings.FABFLOW_TRUST_REQUEST_ID = True
    assert client.get("/healthz", headers=sent)["X-Request-ID"] == "proxy-id-1234"
    forged = {"X-Request-ID": 'x" injected\nline'}
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz", headers=forged)["X-Request-ID"])


def test_the_context_of_a_flow_task(captured):
    with logs.log_context(task="t-1", workflow="task-t-1-1"):
        logs.bind(organization="o-1", order="order-1")
        logging.getLogger("fabflow.flows").info("handler ran")
    logging.getLogger("fabflow.flows").info("outside")
    inside, outside = lines(captured)
    assert {key: inside[key] for key in ("task", "workflow", "organization", "order")} == {
        "task": "t-1",
        "workflow": "task-t-1-1",
        "organization": "o-1",
        "order": "order-1",
    }
    assert set(outside) == {"time", "level", "logger", "message"}


def test_an_exception_is_one_line_with_its_traceback(captured):
    try:
        raise ValueError("broken with ffk_0123456789ab_secretvalue")
    except ValueError:
        logging.getLogger("fabflow.test").exception("it failed")
    (line,) = lines(captured)
    assert line["message"] == "it failed"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert "secretvalue" not in line["exception"]
