"""Behind a TLS proxy: FABFLOW_TRUST_X_FORWARDED_PROTO makes the proxy's scheme the request's,
and nothing else the proxy could say is taken."""

import os
import subprocess
import sys

import pytest
from django.test import Client

from fabflow.web.models import SignInFailure

HOST = "orders.example.com"


def proxy_setting(value: str | None) -> str:
    """SECURE_PROXY_SSL_HEADER as settings.py sets it with FABFLOW_TRUST_X_FORWARDED_PROTO=value."""
    env = {k: v for k, v in os.environ.items() if k != "FABFLOW_TRUST_X_FORWARDED_PROTO"}
    if value is not None:
        env["FABFLOW_TRUST_X_FORWARDED_PROTO"] = value
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings;"
            "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "fabflow.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_forwarded_scheme_is_trusted_only_when_the_setting_says_so():
    assert proxy_setting("true") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert proxy_setting(None) == "None"
    assert proxy_setting("false") == "None"


@pytest.mark.django_db
@pytest.mark.parametrize("trusted, answer", [(True, 401), (False, 403)])
def test_a_form_posted_over_the_proxys_https_passes_csrf_only_with_the_scheme_trusted(
    settings, trusted, answer
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if trusted else None
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.ALLOWED_HOSTS = [HOST]
    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    assert client.get("/sign-in/").status_code == 200
    response = client.post(
        "/sign-in/",
        {
            "email": "nobody@example.com",
            "password": "not the password",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        HTTP_ORIGIN=f"https://{HOST}",
        HTTP_REFERER=f"https://{HOST}/sign-in/",
    )
    # Trusted: the form reaches the sign-in, which refuses the password and counts the failure.
    # Not trusted: the request looks like plain HTTP from an HTTPS page; CSRF refuses it first.
    assert response.status_code == answer
    assert SignInFailure.objects.exists() is trusted
