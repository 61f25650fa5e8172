"""One sign-in limit for every way in: the sign-in form, Django's admin site, the operator's
password change; per account from an address, per account, per address; atomic under load."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from fabflow import limits
from fabflow.accounts import services
from fabflow.web import throttle
from fabflow.web.models import SignInFailure
from tests.api.live import live_server

PASSWORD = "correct horse battery"
ADMIN = "admin@ringmakers.test"
LOCKED = "Too many failed sign-in attempts. Wait 15 minutes and try again."


def sign_in(client: Client, email: str, password: str, **extra):
    return client.post("/sign-in/", {"email": email, "password": password}, **extra)


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def failures() -> list[tuple[str, int]]:
    """How many failures each scope counts, as sorted (scope, count) pairs."""
    scopes = SignInFailure.objects.values_list("scope", flat=True)
    return sorted((scope, list(scopes).count(scope)) for scope in set(scopes))


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    """A fast hasher: these tests check many passwords, and the limit, not the hash, is tested."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def operator(db):
    return services.create_operator(email="ops@fabflow.test", password=PASSWORD)


# ---------- the sign-in form ----------


def test_the_account_is_locked_from_that_address_after_the_pair_limit(client, admin, member):
    for _attempt in range(throttle.PAIR_LIMIT):
        assert sign_in(client, ADMIN, "wrong").status_code == 401
    response = sign_in(client, ADMIN, PASSWORD)
    assert response.status_code == 429
    assert response.context["error"] == LOCKED
    assert "_auth_user_id" not in client.session
    # Another account from the same address may still try.
    assert sign_in(client, member.email, "wrong").status_code == 401


def test_a_stranger_cannot_lock_the_owner_out_from_the_owners_address(admin):
    stranger = from_address("203.0.113.9")
    for _attempt in range(throttle.PAIR_LIMIT + 3):
        stranger.post("/sign-in/", {"email": ADMIN, "password": "guess"})
    assert sign_in(stranger, ADMIN, PASSWORD).status_code == 429
    owner = from_address("198.51.100.7")
    response = sign_in(owner, ADMIN, PASSWORD)
    assert response.status_code == 303
    assert owner.session["_auth_user_id"] == str(admin.pk)


def test_failures_from_many_addresses_reach_the_accounts_ceiling(admin):
    for index in range(throttle.ACCOUNT_CEILING):
        sign_in(from_address(f"203.0.113.{index % 250}"), ADMIN, "guess")
    owner = from_address("198.51.100.7")
    response = sign_in(owner, ADMIN, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in owner.session


def test_one_address_is_limited_over_every_account(client, admin):
    for attempt in range(throttle.ADDRESS_LIMIT):
        sign_in(client, f"guess{attempt}@ringmakers.test", "wrong")
    response = sign_in(client, ADMIN, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert SignInFailure.objects.filter(scope="address").count() == throttle.ADDRESS_LIMIT


def test_a_refused_attempt_checks_no_password_and_counts_nothing(client, admin, monkeypatch):
    for _attempt in range(throttle.PAIR_LIMIT):
        sign_in(client, ADMIN, "wrong")
    before = failures()
    checked = []
    monkeypatch.setattr(type(admin), "check_password", lambda *args: checked.append(args))
    assert sign_in(client, ADMIN, PASSWORD).status_code == 429
    assert checked == []
    assert failures() == before == [("account", 5), ("address", 5), ("pair", 5)]


def test_the_wait_ends_when_the_oldest_failure_leaves_the_window(client, admin):
    for _attempt in range(throttle.PAIR_LIMIT):
        sign_in(client, ADMIN, "wrong")
    oldest = SignInFailure.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    SignInFailure.objects.filter(created_at=oldest).update(
        created_at=timezone.now() - throttle.WINDOW - timedelta(seconds=1)
    )
    assert sign_in(client, ADMIN, PASSWORD).status_code == 303


def test_a_successful_sign_in_forgets_itself_and_the_pairs_failures(client, admin):
    sign_in(client, ADMIN, "wrong")
    assert sign_in(client, ADMIN, PASSWORD).status_code == 303
    assert failures() == [("account", 1), ("address", 1)]


def test_an_unknown_address_and_a_wrong_password_are_limited_alike(client, admin):
    for _attempt in range(throttle.PAIR_LIMIT):
        sign_in(client, "nobody@ringmakers.test", "wrong")
        sign_in(client, ADMIN, "wrong")
    unknown = sign_in(client, "nobody@ringmakers.test", "wrong")
    known = sign_in(client, ADMIN, "wrong")
    assert unknown.status_code == known.status_code == 429
    assert unknown.context["error"] == known.context["error"] == LOCKED


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"email": "", "password": "x"}, "E-mail: Enter your e-mail address."),
        ({"email": ADMIN, "password": ""}, "Password: Enter your password."),
        (
            {"email": "a" * 250 + "@x.test", "password": "x"},
            "E-mail: Ensure this value has at most 254 characters (it has 257).",
        ),
        (
            {"email": ADMIN, "password": "p" * (limits.MAX_PASSWORD_LENGTH + 1)},
            "Password: Ensure this value has at most 1024 characters (it has 1025).",
        ),
    ],
)
def test_sign_in_fields_are_bounded_before_any_check(client, admin, fields, error):
    response = client.post("/sign-in/", fields)
    assert response.status_code == 422
    assert response.context["error"] == error
    assert SignInFailure.objects.count() == 0
    assert "_auth_user_id" not in client.session


# ---------- Django's admin site: no sign-in of its own ----------


def test_the_admin_sites_login_sends_to_the_sign_in_page_and_checks_nothing(client, operator):
    page = client.get("/django-admin/login/?next=/django-admin/accounts/user/")
    assert page.status_code == 302
    assert page["Location"] == "/sign-in/?next=/django-admin/accounts/user/"
    posted = client.post("/django-admin/login/", {"username": operator.email, "password": PASSWORD})
    assert posted.status_code == 302
    assert posted["Location"] == "/sign-in/?next=/django-admin/"
    assert "_auth_user_id" not in client.session
    assert SignInFailure.objects.count() == 0


def test_an_account_locked_at_sign_in_cannot_get_in_through_the_admin_site(client, operator):
    for _attempt in range(throttle.PAIR_LIMIT):
        sign_in(client, operator.email, "wrong")
    client.post("/django-admin/login/", {"username": operator.email, "password": PASSWORD})
    assert sign_in(client, operator.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/django-admin/")["Location"] == "/django-admin/login/?next=/django-admin/"


def test_the_operators_password_change_is_under_the_same_limit(client, operator):
    client.force_login(operator)
    change = {"old_password": "wrong", "new_password1": "a new long pass", "new_password2": ""}
    change["new_password2"] = change["new_password1"]
    for _attempt in range(throttle.PAIR_LIMIT):
        response = client.post("/django-admin/password_change/", change)
        assert response.status_code == 200
        assert "old_password" in response.context["form"].errors
    response = client.post("/django-admin/password_change/", {**change, "old_password": PASSWORD})
    assert response.status_code == 429
    assert response.content.decode() == LOCKED
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD)


def test_the_operators_password_change_with_the_right_password_counts_no_failure(client, operator):
    client.force_login(operator)
    response = client.post(
        "/django-admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new long pass",
            "new_password2": "a new long pass",
        },
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.check_password("a new long pass")
    assert SignInFailure.objects.count() == 0


# ---------- parallel attempts ----------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real web server of several processes and threads, on SQLite or PostgreSQL."""
    with live_server(
        tmp_path_factory.mktemp("sign-in"),
        workers=2,
        threads=8,
        extra_env={"FABFLOW_ADMIN_EMAIL": ADMIN, "FABFLOW_ADMIN_PASSWORD": PASSWORD},
    ) as running:
        yield running


def test_parallel_wrong_attempts_never_get_more_tries_than_the_limit(server):
    def attempt(_index: int) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            client.get("/sign-in/")
            response = client.post(
                "/sign-in/",
                data={
                    "email": ADMIN,
                    "password": "wrong",
                    "csrfmiddlewaretoken": client.cookies["csrftoken"],
                },
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(attempt, range(16)))

    assert sorted(statuses) == [401] * throttle.PAIR_LIMIT + [429] * (16 - throttle.PAIR_LIMIT)


# ---------- behind a proxy ----------


def behind_proxy(forwarded_for: str) -> Client:
    """A client whose requests reach Fabflow through a proxy at 10.0.0.2."""
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_a_trusted_proxy_each_client_is_limited_apart(settings, admin):
    settings.FABFLOW_TRUST_X_FORWARDED_FOR = True
    # The left-most entry is the client's own claim and changes nothing: the proxy's is last.
    for attempt in range(throttle.PAIR_LIMIT):
        guesser = behind_proxy(f"198.51.100.{attempt}, 203.0.113.7")
        assert sign_in(guesser, ADMIN, "wrong").status_code == 401
    assert sign_in(behind_proxy("203.0.113.7"), ADMIN, PASSWORD).status_code == 429
    # The owner, behind the same proxy at another address, signs in.
    owner = behind_proxy("192.0.2.44")
    assert sign_in(owner, ADMIN, PASSWORD).status_code == 303
    assert owner.session["_auth_user_id"] == str(admin.pk)


def test_without_trust_every_client_behind_a_proxy_is_the_proxy(settings, admin):
    settings.FABFLOW_TRUST_X_FORWARDED_FOR = False
    for attempt in range(throttle.PAIR_LIMIT):
        assert sign_in(behind_proxy(f"203.0.113.{attempt}"), ADMIN, "wrong").status_code == 401
    assert sign_in(behind_proxy("192.0.2.44"), ADMIN, PASSWORD).status_code == 429


def test_a_forwarded_value_that_is_no_address_counts_the_proxy(settings, admin):
    settings.FABFLOW_TRUST_X_FORWARDED_FOR = True
    for _attempt in range(throttle.PAIR_LIMIT):
        assert (
            sign_in(behind_proxy("203.0.113.7, not-an-address"), ADMIN, "wrong").status_code == 401
        )
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), ADMIN, PASSWORD).status_code == 429
    assert sign_in(behind_proxy("203.0.113.7"), ADMIN, PASSWORD).status_code == 303
