"""How secret keys and signing secrets are made, stored and checked.

A secret key reads `ffk_<key id>_<secret>`. The key id finds the row; the stored value is an
HMAC-SHA256 digest of the whole key under the installation's SECRET_KEY, compared in constant time.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

PREFIX = "ffk"


def new_key_id() -> str:
    return secrets.token_hex(6)


def new_secret(key_id: str) -> str:
    return f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def new_signing_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    pepper = hashlib.sha256(f"fabflow.secret-key:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(pepper, secret.encode(), hashlib.sha256).hexdigest()


def parse_key_id(secret: str) -> str | None:
    """The key id inside `secret`, or None when it is not shaped like one of our keys."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
