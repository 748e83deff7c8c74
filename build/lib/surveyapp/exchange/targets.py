"""Where webhooks may go, and the one HTTP request that takes them there.

A target must be an https:// URL whose host resolves only to public addresses: every
address the name resolves to is checked (private, loopback, link-local, shared, reserved,
multicast and unspecified ranges are refused, IPv4-mapped IPv6 included), and the request
goes to an address that was checked, so a name cannot resolve to a public address for the
check and a private one for the connection. `allow_private` (the WEBHOOKS_ALLOW_PRIVATE
setting) lifts the range check and allows plain http://, for tests and closed networks.
Redirects are never followed; time limits are short.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

CONNECT_SECONDS = 3.0
READ_SECONDS = 10.0
URL_MAX = 2000


class TargetRefused(ValueError):  # noqa: N818 - reads as what happened
    """A URL that webhooks may not be sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse(url: str, allow_private: bool) -> Target:
    """The parts of a webhook URL, or TargetRefused."""
    if len(url) > URL_MAX or not url.isascii() or any(c.isspace() for c in url):
        raise TargetRefused("the URL must be at most 2,000 ASCII characters without spaces")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"not a URL: {exc}") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise TargetRefused("the URL must start with https://")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL needs a host name and no user name or password")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default, path)


def refused_address(address: str, allow_private: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified:
        return True
    return not (allow_private or ip.is_global)


def resolve(target: Target, allow_private: bool) -> list[str]:
    """The addresses of the target's host, every one allowed; TargetRefused otherwise."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"{target.host}: cannot resolve ({exc})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    bad = [a for a in addresses if refused_address(a, allow_private)]
    if bad or not addresses:
        raise TargetRefused(
            f"{target.host} resolves to {', '.join(bad) or 'nothing'}: private, loopback,"
            " link-local and reserved addresses are refused (setting WEBHOOKS_ALLOW_PRIVATE)"
        )
    return addresses


def check(url: str, allow_private: bool) -> Target:
    """Parse and resolve now (what the admin page does when an endpoint is added)."""
    target = parse(url, allow_private)
    resolve(target, allow_private)
    return target


class _Pinned(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the host name for SNI, the certificate and Host."""

    def __init__(self, target: Target, address: str):
        super().__init__(target.host, target.port, timeout=CONNECT_SECONDS,
                         context=ssl.create_default_context())  # fmt: skip
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), CONNECT_SECONDS)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedPlain(http.client.HTTPConnection):
    def __init__(self, target: Target, address: str):
        super().__init__(target.host, target.port, timeout=CONNECT_SECONDS)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), CONNECT_SECONDS)


def post(url: str, body: bytes, headers: dict[str, str], allow_private: bool) -> int:
    """POST `body` to `url` (checked as above) and return the HTTP status; a redirect is
    returned as its status, not followed. TargetRefused, OSError or HTTPException when no
    status came back in time."""
    target = parse(url, allow_private)
    address = resolve(target, allow_private)[0]
    kind = _Pinned if target.scheme == "https" else _PinnedPlain
    connection = kind(target, address)
    deadline = time.monotonic() + CONNECT_SECONDS + READ_SECONDS
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        connection.sock.settimeout(max(0.1, deadline - time.monotonic()))
        response = connection.getresponse()
        response.read(4096)  # a little of the body, never all of it
        return response.status
    finally:
        connection.close()
