"""Believe a request's X-Forwarded-* headers only when they come from a proxy of PACTESUR_TRUSTED_PROXIES.

A TLS-terminating proxy (nginx, a load balancer) talks plain HTTP to the app and says in headers
what the client used: `X-Forwarded-Proto` (https), `X-Forwarded-For` (the client's address). Anyone
can send those headers, so they are worth something only from the proxy itself. This WSGI
middleware, around Django in `pactesur.web.wsgi`, is the one place that decides:

- when the connection comes from a trusted proxy, `wsgi.url_scheme` becomes the forwarded scheme
  (so Django's `request.is_secure()` and its HTTPS redirect see what the client used) and
  `REMOTE_ADDR` the client's address (so log-in throttling, the audit trail and logs see the
  client, not the proxy);
- either way, the forwarding headers are then removed, so nothing downstream (Django, django-axes,
  a library reading `X-Forwarded-For`) can be fooled by them; the address the connection really
  came from stays in the environ as `pactesur.proxy_peer`.

The web server trusts none of these headers itself (`pactesur.web.server`).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pactesur.web.config import ProxyNetwork

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

# The environ key keeping the address the connection came from (the proxy's, behind one).
PROXY_PEER_KEY = "pactesur.proxy_peer"

# Headers that claim something about an earlier hop. Only X-Forwarded-Proto and -For are read; the
# others (Forwarded, X-Real-IP, X-Forwarded-Host/-Port…) are removed too, so that no library can
# read an address or a scheme from them behind our back.
_FORWARDING_PREFIXES = ("HTTP_X_FORWARDED_", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
_SCHEMES = frozenset({"http", "https"})

# X-Forwarded-Host is not honoured: the proxy sets Host itself (README: `proxy_set_header Host
# $http_host`). nginx passes on an X-Forwarded-Host the client sent unless told otherwise, so
# honouring it would let a client pick, among ALLOWED_HOSTS, a host other than the one the proxy
# routed on (and in password-reset links) — for nothing, since Host is already right.

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> IPAddress | None:
    """The IP address in `text` (`192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`), or None.

    An IPv4 address mapped into IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports IPv4
    peers) is returned as the IPv4 address, so that `127.0.0.1` in the trusted list matches it.
    """
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress | None, trusted: Iterable[ProxyNetwork]) -> bool:
    if address is None:
        return False
    return any(address.version == network.version and address in network for network in trusted)


def client_address(forwarded_for: str, peer: IPAddress, trusted: Sequence[ProxyNetwork]) -> IPAddress:
    """The client's address from X-Forwarded-For, as sent by the trusted proxy `peer`.

    Each proxy appends the address it was connected from, so the list is read from the right: the
    client is the right-most address that is not a trusted proxy. Entries left of it were written
    by the client or by proxies we do not know, and could be anything (a client prepending a fake
    address gains nothing). An entry that is not an address stops the walk at the last address a
    trusted proxy vouched for; when every entry is a trusted proxy, the left-most one is the client.
    """
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            break
        client = address
        if not is_trusted(address, trusted):
            break
    return client


class TrustedProxyMiddleware:
    """WSGI middleware applying the forwarding headers of trusted proxies and removing everyone's."""

    def __init__(self, app: WSGIApplication, *, trusted: Sequence[ProxyNetwork]) -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self._warned_untrusted = False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        peer_text = str(environ.get("REMOTE_ADDR", ""))
        environ[PROXY_PEER_KEY] = peer_text
        forwarding = {key: str(environ.pop(key)) for key in list(environ) if _is_forwarding(key)}
        peer = parse_address(peer_text)
        if peer is not None and is_trusted(peer, self.trusted):
            self._apply(environ, forwarding, peer)
        elif forwarding and not self._warned_untrusted:
            # Once per process: a proxy missing from the list causes an endless HTTPS redirect.
            self._warned_untrusted = True
            logger.warning(
                "ignored X-Forwarded-* headers from %s, which is not in PACTESUR_TRUSTED_PROXIES "
                "(logged once)",
                peer_text or "an unknown peer",
            )
        return self.app(environ, start_response)

    def _apply(self, environ: WSGIEnvironment, forwarding: dict[str, str], peer: IPAddress) -> None:
        # Only one value: a proxy must overwrite X-Forwarded-Proto, not append to what it received.
        scheme = forwarding.get("HTTP_X_FORWARDED_PROTO", "").strip().lower()
        if scheme in _SCHEMES:
            environ["wsgi.url_scheme"] = scheme
        forwarded_for = forwarding.get("HTTP_X_FORWARDED_FOR")
        if forwarded_for is not None:
            environ["REMOTE_ADDR"] = str(client_address(forwarded_for, peer, self.trusted))


def _is_forwarding(key: str) -> bool:
    return key.startswith(_FORWARDING_PREFIXES)
