"""Clients for the API tests: one per kind of caller, each with its own credentials."""

import json

import pytest
from django.test import Client

from fabflow.accounts import services as account_services


class ApiClient:
    """A Django test client speaking JSON to /api/v1 with fixed headers."""

    def __init__(self, client: Client, headers: dict | None = None):
        self.client = client
        self.headers = headers or {}

    def call(self, method: str, path: str, body=None, **extra):
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if body is not None and "content_type" not in kwargs:
            kwargs["data"] = json.dumps(body) if not isinstance(body, str | bytes) else body
            kwargs["content_type"] = "application/json"
        elif body is not None:
            kwargs["data"] = body
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path, **extra):
        return self.call("get", path, **extra)

    def post(self, path, body=None, **extra):
        return self.call("post", path, body, **extra)

    def patch(self, path, body=None, **extra):
        return self.call("patch", path, body, **extra)

    def put(self, path, body=None, **extra):
        return self.call("put", path, body, **extra)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"


@pytest.fixture
def key_client(secret_key):
    return ApiClient(Client(), bearer(secret_key.secret))


@pytest.fixture
def other_space_key(admin_actor, other_space):
    return account_services.create_secret_key(
        actor=admin_actor, space=other_space, name="Lamps shop"
    )


@pytest.fixture
def other_space_client(other_space_key):
    return ApiClient(Client(), bearer(other_space_key.secret))


@pytest.fixture
def stranger_key(stranger, stranger_space):
    from fabflow.accounts.actors import Actor

    return account_services.create_secret_key(
        actor=Actor.for_user(stranger), space=stranger_space, name="Stranger shop"
    )


@pytest.fixture
def stranger_client(stranger_key):
    return ApiClient(Client(), bearer(stranger_key.secret))


@pytest.fixture
def stranger_user_client(stranger):
    client = Client(enforce_csrf_checks=True)
    client.force_login(stranger)
    return ApiClient(client)


@pytest.fixture
def member_client(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return ApiClient(client)


def order_body(name: str = "Order 1001", **overrides) -> dict:
    body = {
        "name": name,
        "tags": ["gold"],
        "data": {"shopOrder": 1001},
        "addresses": [{"type": "shipping", "city": "Gent"}],
        "products": [
            {
                "name": f"Ring {index + 1}",
                "units": index + 1,
                "unitValue": "10.50",
                "configuration": {"size": 52 + index},
                "parts": [{"name": f"Band {index + 1}.{part + 1}"} for part in range(2)],
            }
            for index in range(3)
        ],
    }
    body.update(overrides)
    return body
