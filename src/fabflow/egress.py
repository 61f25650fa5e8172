"""Outbound HTTP that connects only to the addresses it checked.

A host name is resolved once, when a connection opens; every address it resolves to is checked,
and the connection is made to one of those very addresses. Nothing resolves the name a second
time, so a DNS answer that changes between the check and the connection (DNS rebinding) cannot
send a call to a loopback or private address. The URL keeps its host name: the Host header, the
TLS server name (SNI) and the certificate check all use it.

httpx offers no public way to give its connection pool a network backend; `_PinnedTransport`
is the one place that reaches into it, and the connector tests fail if that stops working.
"""

import functools
import hashlib
import hmac
import ipaddress
import socket

import httpcore
import httpx

TIMEOUT_SECONDS = 30
# httpx's own defaults, which its transport would otherwise give the pool.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)

# IPv6 ranges that carry an IPv4 address a gateway may forward to; the IPv4 address is checked.
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressNotAllowed(Exception):
    """A host resolves to an address outbound calls may not reach. The message names the host,
    never the address: it is shown to the organization's users and keys."""

    def __init__(self, host: str):
        super().__init__(f"The address of host {host!r} is not allowed: it is not public")
        self.host = host


class HostNotResolved(Exception):
    """A host name has no address."""

    def __init__(self, host: str):
        super().__init__(f"The host {host!r} could not be resolved")
        self.host = host


def sign(body: bytes, secret: str) -> str:
    """The X-Fabflow-Signature value of `body`: its HMAC-SHA256 under `secret`, in hex. Connector
    calls and webhook deliveries are signed alike (docs/api.md shows how to check it)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def private_addresses_allowed(organization_id) -> bool:
    """Whether outbound calls of an organization (its connectors, export targets and webhooks)
    may reach loopback and private addresses: allowed for the whole installation
    (FABFLOW_ALLOW_PRIVATE_WEBHOOKS), or by the organization's admin."""
    from django.conf import settings

    from fabflow.accounts.models import Organization

    if settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS:
        return True
    return Organization.objects.filter(pk=organization_id, allow_private_addresses=True).exists()


def is_public(address: IPAddress) -> bool:
    """Whether `address` is a public unicast address, once any IPv4 address it embeds (mapped,
    6to4, Teredo, NAT64) is taken into account."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and not is_public(embedded):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if address.version == 4:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def checked_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve `host` once and return its addresses, in the resolver's order, after checking
    every one of them: one address that is not public refuses the host (unless `allow_private`)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise HostNotResolved(host) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise HostNotResolved(host)
    if not allow_private:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address)):
                raise AddressNotAllowed(host)
    return addresses


class _CheckedBackend(httpcore.SyncBackend):
    """Opens TCP connections to the checked addresses of a host, trying each in turn."""

    def __init__(self, *, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = checked_addresses(host, port, allow_private=self.allow_private)
        for address in addresses[:-1]:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        return super().connect_tcp(addresses[-1], port, timeout, local_address, socket_options)


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with a connection pool that connects through `_CheckedBackend`."""

    def __init__(self, *, allow_private: bool):
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=LIMITS.max_connections,
            max_keepalive_connections=LIMITS.max_keepalive_connections,
            keepalive_expiry=LIMITS.keepalive_expiry,
            network_backend=_CheckedBackend(allow_private=allow_private),
        )


@functools.cache
def client(*, allow_private: bool) -> httpx.Client:
    """The shared client for outbound calls under one address policy.

    One client per policy and process: connections are kept alive per host name, and a
    connection opened under the lenient policy must never serve a call under the strict one.
    Building a client (and its TLS context) per call cost more than the call itself; httpx
    clients are safe to share between threads. Redirects are not followed and no proxy from the
    environment is used: either would connect to an address nobody checked."""
    return httpx.Client(
        transport=_PinnedTransport(allow_private=allow_private),
        timeout=TIMEOUT_SECONDS,
        follow_redirects=False,
        trust_env=False,
    )
