"""Rate limiting of sign-in attempts, per account and per client address.

After `ACCOUNT_LIMIT` failures for one e-mail address, or `ADDRESS_LIMIT` from one client
address, within `WINDOW`, further attempts are refused without checking the password until the
oldest failure leaves the window. E-mail addresses that have no account are counted the same
way, so the limit tells nobody whether an account exists.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fabflow.web.models import SignInFailure

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 30


def retry_after(*, email: str, address: str) -> timedelta | None:
    """How long the caller must wait before another attempt, or None if it may try now."""
    now = timezone.now()
    since = now - WINDOW
    waits = []
    for scope, key, limit in _scopes(email, address):
        recent = SignInFailure.objects.filter(scope=scope, key=key, created_at__gte=since)
        times = list(recent.order_by("-created_at").values_list("created_at", flat=True)[:limit])
        if len(times) >= limit:
            waits.append(times[-1] + WINDOW - now)
    return max(waits) if waits else None


@transaction.atomic
def record_failure(*, email: str, address: str) -> None:
    """Count a failed attempt, and forget failures that have left the window."""
    now = timezone.now()
    SignInFailure.objects.filter(created_at__lt=now - WINDOW).delete()
    SignInFailure.objects.bulk_create(
        SignInFailure(scope=scope, key=key, created_at=now)
        for scope, key, _limit in _scopes(email, address)
    )


@transaction.atomic
def clear_account(*, email: str) -> None:
    """Forget an account's failures once its owner has signed in."""
    SignInFailure.objects.filter(
        scope=SignInFailure.Scope.ACCOUNT, key=_account_key(email)
    ).delete()


def _scopes(email: str, address: str):
    yield SignInFailure.Scope.ACCOUNT, _account_key(email), ACCOUNT_LIMIT
    if address:
        yield SignInFailure.Scope.ADDRESS, address[:255], ADDRESS_LIMIT


def _account_key(email: str) -> str:
    return email.strip().lower()[:255]
