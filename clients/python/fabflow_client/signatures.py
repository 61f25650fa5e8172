"""Checking that a request came from Fabflow: the signature of connector calls and webhooks.

A `consume-rest-api` task and a webhook delivery send their body with `X-Fabflow-Signature:
sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the product space's signing secret (an
administrator reveals it on the Product spaces page) or the webhook subscription's secret,
`X-Fabflow-Delivery` (the same on every retry: ignore a repeat) and `X-Fabflow-Event`. Verify the
body exactly as received, before parsing it.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Fabflow-Signature"
DELIVERY_HEADER = "X-Fabflow-Delivery"
EVENT_HEADER = "X-Fabflow-Event"
SIGNATURE_SCHEME = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The `X-Fabflow-Signature` value Fabflow sends with `body`."""
    return SIGNATURE_SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Whether `header` (the X-Fabflow-Signature value, or None when missing) signs `body`, the
    raw bytes received, with `secret`. Compares in constant time."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError("verify the raw body as received (bytes), not a decoded or parsed one")
    if not header:
        return False
    expected = sign(bytes(body), secret).encode()
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))
