"""The security headers of every page, in the embedded mode and in production mode.

Production mode is read from the environment when the settings load, so its tests run
`fabflow` in a process of its own with the variables a production deployment sets.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from fabflow.flows.services import create_flow

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
MAKE = [
    {
        "key": "make",
        "name": "Make",
        "tasks": [
            {"key": "print", "handlerKey": "manual-confirmation", "payload": {"title": "Print"}}
        ],
    }
]
PRODUCTION = {
    "FABFLOW_PRODUCTION": "true",
    "SECRET_KEY": "a production secret key that is long and random enough: 7Jx2QpVw9LmZt4Rk8Nb3",
    "ALLOWED_HOSTS": "orders.example.com",
}


def test_every_page_carries_the_policy_and_no_page_may_be_framed(client, admin):
    signed_out = client.get("/sign-in/")
    client.force_login(admin)
    for response in (signed_out, client.get("/"), client.get("/nowhere/")):
        assert response["Content-Security-Policy"] == POLICY
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response


def test_the_flow_editor_gets_a_fresh_nonce_for_its_editor_styles(
    client, admin, admin_actor, space
):
    flow = create_flow(actor=admin_actor, space=space, name="Rings made to order", definition=MAKE)
    client.force_login(admin)
    nonces = []
    for _ in range(2):
        response = client.get(f"/flows/{space.key}/{flow.key}/")
        assert response.status_code == 200
        nonce = re.search(r'data-style-nonce="([^"]+)"', response.content.decode()).group(1)
        assert response["Content-Security-Policy"] == POLICY.replace(
            "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
        )
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert len(nonces[0]) == 24


def test_debug_pages_carry_no_policy(client, settings):
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/sign-in/")


def production_environment(tmp_path, **settings) -> dict:
    """This process's environment with production mode on, over a SQLite database of its own."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FABFLOW_", "DATABASE_URL", "HTTPS", "HSTS_", "DEBUG"))
    }
    return {**environment, "FABFLOW_DATA_DIR": str(tmp_path / "var"), **PRODUCTION, **settings}


def run(tmp_path, *argv, **settings):
    return subprocess.run(
        [sys.executable, *argv],
        env=production_environment(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_is_clean_in_production_mode(tmp_path):
    result = run(tmp_path, "-m", "fabflow.cli", "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (1 silenced).\n"
    assert result.stderr == ""


# Fetches a few addresses with Django's test client in production mode; prints what it got.
FETCH = """
import json
import os
import django
from django.test import Client
os.environ["DJANGO_SETTINGS_MODULE"] = "fabflow.settings"
django.setup()
client = Client(HTTP_HOST="orders.example.com")
answers = {}
for name, path, secure in [("https", "/sign-in/", True), ("http", "/sign-in/", False),
                           ("probe", "/healthz", False)]:
    response = client.get(path, secure=secure)
    answers[name] = {"status": response.status_code, "headers": dict(response.headers)}
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def production_answers(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    migrated = run(tmp_path, "-m", "fabflow.cli", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    result = run(tmp_path, "-c", FETCH)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_mode_sends_hsts_and_the_policy_over_https(production_answers):
    headers = production_answers["https"]["headers"]
    assert production_answers["https"]["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["Content-Security-Policy"] == POLICY
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_production_mode_redirects_plain_http_but_not_the_probes(production_answers):
    assert production_answers["http"]["status"] == 301
    assert (
        production_answers["http"]["headers"]["Location"] == "https://orders.example.com/sign-in/"
    )
    assert production_answers["probe"]["status"] == 200


def test_hsts_follows_its_settings_and_https_off_turns_it_and_the_redirect_off(tmp_path):
    chosen = run(
        tmp_path,
        "-c",
        FETCH,
        HSTS_SECONDS="300",
        HSTS_INCLUDE_SUBDOMAINS="false",
        HSTS_PRELOAD="true",
    )
    assert chosen.returncode == 0, chosen.stderr
    answers = json.loads(chosen.stdout)
    assert answers["https"]["headers"]["Strict-Transport-Security"] == "max-age=300; preload"

    plain = run(tmp_path, "-c", FETCH, HTTPS="false")
    assert plain.returncode == 0, plain.stderr
    answers = json.loads(plain.stdout)
    assert answers["http"]["status"] == 200
    assert "Strict-Transport-Security" not in answers["https"]["headers"]
    assert answers["http"]["headers"]["Content-Security-Policy"] == POLICY
