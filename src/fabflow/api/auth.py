"""Who calls the API: a secret key (`Authorization: Bearer …`) or a signed-in UI user.

A key acts inside its product space; a user across the spaces of their organization, and only
with a CSRF token on unsafe methods; an operator of the installation (no organization) is refused. Both resolve to an `Actor`, which is `request.auth`.
"""

import hashlib
import time

from django.conf import settings
from django.db import connection
from ninja.security import APIKeyCookie, HttpBearer

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import SecretKey
from fabflow.accounts.services import authenticate_secret_key
from fabflow.errors import Forbidden

# A process remembers a verified key for a short while, so that a client's every call does not
# load the key with its space and organization and recompute its digest. Revocation still takes
# effect on the very next call: each call re-reads whether the key was revoked (one read of one
# row by primary key). `last_used_at` is then written at most about every minute and a half
# instead of every minute.
VERIFIED_SECONDS = 30.0
MAX_VERIFIED = 1000
_verified: dict[bytes, tuple[float, SecretKey, object]] = {}


def _is_active(key_pk) -> bool:
    table = SecretKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT revoked_at FROM {table} WHERE id = %s", [key_pk])
        row = cursor.fetchone()
    return row is not None and row[0] is None


class SecretKeyAuth(HttpBearer):
    """`Authorization: Bearer ffk_…`, checked against the stored digest in constant time."""

    def authenticate(self, request, token: str):
        secret = token.strip()
        remembered = hashlib.sha256(secret.encode()).digest()
        now = time.monotonic()
        hit = _verified.get(remembered)
        if hit is not None and hit[0] > now:
            if _is_active(hit[2]):
                return Actor.for_key(hit[1])
            _verified.pop(remembered, None)
        key = authenticate_secret_key(secret=secret)
        if key is None:
            return None
        if len(_verified) >= MAX_VERIFIED:
            _verified.clear()
        db_pk = SecretKey._meta.pk.get_db_prep_value(key.pk, connection)
        _verified[remembered] = (now + VERIFIED_SECONDS, key, db_pk)
        return Actor.for_key(key)


class SessionAuth(APIKeyCookie):
    """The UI's session cookie; unsafe methods need the CSRF token as in Django forms."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # Without a session cookie there is nothing to protect; answer 401, not a CSRF 403.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = request.user
        if key is None or not user.is_authenticated or not user.is_active:
            return None
        if user.is_operator:
            raise Forbidden("The API is for an organization's users and secret keys")
        return Actor.for_user(user)


secret_key_auth = SecretKeyAuth()
session_auth = SessionAuth(csrf=True)
