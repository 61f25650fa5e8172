"""The address a request comes from, as the sign-in limit sees it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's peer, or, behind a trusted proxy, the address that
    proxy appended to `X-Forwarded-For`.

    Only the right-most entry is taken: it is the one the proxy in front of Fabflow wrote, while
    every entry left of it came from the client and can say anything. A value that is not an
    address falls back to the peer, so a broken header never merges clients into one.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if not settings.FABFLOW_TRUST_X_FORWARDED_FOR:
        return peer
    appended = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(appended))
    except ValueError:
        return peer
