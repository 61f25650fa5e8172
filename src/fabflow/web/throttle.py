"""The one limit on password checks: every way to sign in, and every other check of a password.

Each attempt is counted in three scopes within a sliding `WINDOW`:

- the account from one client address (`PAIR_LIMIT`): someone guessing one account's password;
- the account from every address (`ACCOUNT_CEILING`, much higher): guessing spread over many
  addresses. A stranger at one address reaches only the pair limit, so they cannot lock the
  owner out from the owner's own address; only failures from many addresses at once reach the
  ceiling, and never for longer than the window after the last of them;
- the client address over every account (`ADDRESS_LIMIT`): one address trying many accounts.

An attempt is counted *before* the password is checked, in the same transaction that checks the
limits, so parallel attempts can never exceed a limit; a success then forgets itself and the
pair's failures. A refused attempt checks no password and is not counted, so waiting always ends.
E-mail addresses that have no account are counted the same way: the limit tells nobody whether
an account exists.
"""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from fabflow.web.models import SignInFailure

WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 5
ACCOUNT_CEILING = 50
ADDRESS_LIMIT = 30
# At most this many expired failures are deleted by one attempt, so no attempt does unbounded work.
EXPIRED_BATCH = 500

Result = TypeVar("Result")


class TooManyAttempts(Exception):
    """A limit is reached: the caller must wait `wait` before the next attempt."""

    def __init__(self, wait: timedelta):
        super().__init__(f"Too many failed attempts; wait {wait}")
        self.wait = wait

    @property
    def message(self) -> str:
        minutes = max(1, round(self.wait.total_seconds() / 60))
        return (
            "Too many failed sign-in attempts. "
            f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again."
        )


def checked(*, email: str, address: str, check: Callable[[], Result | None]) -> Result | None:
    """Run the password check `check` under the limits of `email` from `address`.

    Raises TooManyAttempts, without calling `check`, when a limit is reached. `check` returns
    what it verified (a user) or None for wrong credentials.
    """
    counted = _count_attempt(email, address)
    result = check()
    if result is not None:
        _forget_on_success(email, address, counted)
    return result


@transaction.atomic
def _count_attempt(email: str, address: str) -> list[int]:
    """Check every limit and count this attempt as a failure, as one step under a lock.

    Returns the ids of the rows that count it.
    """
    scopes = list(_scopes(email, address))
    _lock(scopes)
    now = timezone.now()
    _forget_expired(now)
    waits = [
        wait for scope, key, limit in scopes if (wait := _wait(scope, key, limit, now)) is not None
    ]
    if waits:
        raise TooManyAttempts(max(waits))
    rows = SignInFailure.objects.bulk_create(
        SignInFailure(scope=scope, key=key, created_at=now) for scope, key, _limit in scopes
    )
    return [row.pk for row in rows]


def _wait(scope: str, key: str, limit: int, now) -> timedelta | None:
    """How long until the oldest of `limit` failures in the window leaves it, if there are so many."""
    recent = SignInFailure.objects.filter(scope=scope, key=key, created_at__gte=now - WINDOW)
    times = list(recent.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return times[-1] + WINDOW - now


def _forget_expired(now) -> None:
    """Delete failures that have left the window, a bounded batch at a time.

    Rows another attempt is deleting are skipped rather than waited for, so that two attempts
    never wait on each other here.
    """
    expired = SignInFailure.objects.filter(created_at__lt=now - WINDOW).select_for_update(
        skip_locked=True
    )
    batch = list(expired.values_list("pk", flat=True)[:EXPIRED_BATCH])
    if batch:
        SignInFailure.objects.filter(pk__in=batch).delete()


@transaction.atomic
def _forget_on_success(email: str, address: str, counted: list[int]) -> None:
    """Forget the attempt that succeeded, and the account's failures from that address."""
    SignInFailure.objects.filter(
        Q(pk__in=counted) | Q(scope=SignInFailure.Scope.PAIR, key=_pair_key(email, address))
    ).delete()


def _lock(scopes) -> None:
    """Serialise the attempts that share a scope key until the transaction ends.

    SQLite transactions already run one writer at a time (they begin IMMEDIATE); PostgreSQL takes
    a transaction-level advisory lock per key, in one order so that two attempts never deadlock.
    """
    if connection.vendor != "postgresql":
        return
    numbers = sorted(
        int.from_bytes(hashlib.sha256(f"{scope}:{key}".encode()).digest()[:8], "big", signed=True)
        for scope, key, _limit in scopes
    )
    with connection.cursor() as cursor:
        for number in numbers:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def _scopes(email: str, address: str):
    account = _account_key(email)
    yield SignInFailure.Scope.PAIR, _pair_key(email, address), PAIR_LIMIT
    yield SignInFailure.Scope.ACCOUNT, account, ACCOUNT_CEILING
    if address:
        yield SignInFailure.Scope.ADDRESS, address[:255], ADDRESS_LIMIT


def _account_key(email: str) -> str:
    return email.strip().lower()[:255]


def _pair_key(email: str, address: str) -> str:
    # An e-mail address may be up to 254 characters: a digest keeps the pair within the column.
    return hashlib.sha256(f"{_account_key(email)}\n{address}".encode()).hexdigest()
