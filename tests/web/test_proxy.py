"""The trusted-proxy middleware, on fabricated WSGI environs: whose X-Forwarded-* headers count."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pytest

from pactesur.web.config import parse_trusted_proxies
from pactesur.web.proxy import PROXY_PEER_KEY, TrustedProxyMiddleware

LOCAL_PROXY = "127.0.0.1,::1"


def passed_on(environ: dict[str, Any], *, trusted: str = LOCAL_PROXY) -> dict[str, Any]:
    """The environ the application behind the middleware receives."""
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.update(environ)
        return [b""]

    middleware = TrustedProxyMiddleware(app, trusted=parse_trusted_proxies(trusted))
    middleware({"wsgi.url_scheme": "http", **environ}, lambda status, headers: None)
    return seen


def test_a_trusted_proxy_gives_the_scheme_and_the_client_address():
    seen = passed_on(
        {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        }
    )
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["REMOTE_ADDR"] == "203.0.113.9"
    assert seen[PROXY_PEER_KEY] == "127.0.0.1"


def test_forged_headers_from_an_untrusted_peer_change_nothing_and_are_removed():
    seen = passed_on(
        {
            "REMOTE_ADDR": "198.51.100.20",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "1.2.3.4",
            "HTTP_X_FORWARDED_HOST": "evil.example",
            "HTTP_X_FORWARDED_PORT": "443",
            "HTTP_FORWARDED": "for=1.2.3.4;proto=https",
            "HTTP_X_REAL_IP": "1.2.3.4",
            "HTTP_HOST": "pactesur.example.org",
        }
    )
    assert seen["wsgi.url_scheme"] == "http"
    assert seen["REMOTE_ADDR"] == "198.51.100.20"
    assert seen[PROXY_PEER_KEY] == "198.51.100.20"
    assert seen["HTTP_HOST"] == "pactesur.example.org"
    assert not [key for key in seen if "FORWARDED" in key or key == "HTTP_X_REAL_IP"]


def test_the_headers_are_removed_once_applied_and_the_host_is_left_alone():
    seen = passed_on(
        {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "pactesur.example.org",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "203.0.113.9",
            "HTTP_X_FORWARDED_HOST": "other.example.org",
        }
    )
    assert seen["HTTP_HOST"] == "pactesur.example.org"
    assert not [key for key in seen if "FORWARDED" in key]


def test_a_client_cannot_choose_its_address_by_prepending_one():
    # nginx appends the address it sees to what the client sent: "what the client sent, client".
    seen = passed_on({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.9.9.9,203.0.113.9"})
    assert seen["REMOTE_ADDR"] == "203.0.113.9"


def test_the_client_is_the_right_most_address_that_is_not_one_of_our_proxies():
    # client → load balancer 10.0.0.7 → nginx on this machine → the app
    seen = passed_on(
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7, 10.0.0.7"},
        trusted="127.0.0.1,10.0.0.0/8",
    )
    assert seen["REMOTE_ADDR"] == "198.51.100.7"


def test_when_every_hop_is_a_trusted_proxy_the_left_most_is_the_client():
    seen = passed_on(
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.0.0.2, 10.0.0.3"},
        trusted="127.0.0.1,10.0.0.0/8",
    )
    assert seen["REMOTE_ADDR"] == "10.0.0.2"


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("unknown, 203.0.113.9", "203.0.113.9"),  # nonsense left of the client: never reached
        ("203.0.113.9, not-an-address", "127.0.0.1"),  # nonsense from the proxy: the proxy itself
        ("", "127.0.0.1"),
        ("203.0.113.9:4711", "127.0.0.1"),
    ],
)
def test_an_entry_that_is_no_address_stops_at_the_last_address_vouched_for(forwarded_for, client):
    seen = passed_on({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded_for})
    assert seen["REMOTE_ADDR"] == client


def test_ipv6_proxies_and_clients():
    seen = passed_on(
        {"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "2001:db8::7"}
    )
    assert (seen["wsgi.url_scheme"], seen["REMOTE_ADDR"]) == ("https", "2001:db8::7")
    bracketed = passed_on({"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_FOR": "[2001:db8::8]"})
    assert bracketed["REMOTE_ADDR"] == "2001:db8::8"


def test_a_proxy_network_in_cidr_notation_is_trusted_and_only_it():
    inside = {"REMOTE_ADDR": "fd00:12::5", "HTTP_X_FORWARDED_PROTO": "https"}
    assert passed_on(inside, trusted="fd00::/8")["wsgi.url_scheme"] == "https"
    outside = {"REMOTE_ADDR": "fe00::5", "HTTP_X_FORWARDED_PROTO": "https"}
    assert passed_on(outside, trusted="fd00::/8")["wsgi.url_scheme"] == "http"
    in_v4 = {"REMOTE_ADDR": "10.20.30.40", "HTTP_X_FORWARDED_PROTO": "https"}
    assert passed_on(in_v4, trusted="10.20.0.0/16")["wsgi.url_scheme"] == "https"


def test_an_ipv4_peer_seen_through_a_dual_stack_socket_matches_its_ipv4_entry():
    seen = passed_on(
        {"REMOTE_ADDR": "::ffff:127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}, trusted="127.0.0.1"
    )
    assert seen["wsgi.url_scheme"] == "https"


def test_an_ipv4_peer_never_matches_an_ipv6_network():
    # ipaddress alone would say 203.0.113.9 is in ::/0: the integer test ignores the version.
    seen = passed_on({"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"}, trusted="::/0")
    assert seen["wsgi.url_scheme"] == "http"


@pytest.mark.parametrize("proto", ["ftp", "javascript", "https, http", "https,https", "", "1"])
def test_only_a_single_http_or_https_is_taken_as_the_scheme(proto):
    seen = passed_on({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": proto})
    assert seen["wsgi.url_scheme"] == "http"


def test_the_scheme_is_read_whatever_its_case():
    seen = passed_on({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": " HTTPS "})
    assert seen["wsgi.url_scheme"] == "https"


def test_a_peer_without_an_ip_address_is_not_trusted():
    seen = passed_on(
        {"REMOTE_ADDR": "", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    )
    assert (seen["wsgi.url_scheme"], seen["REMOTE_ADDR"]) == ("http", "")
    assert "HTTP_X_FORWARDED_FOR" not in seen


def test_nothing_is_trusted_when_the_list_is_empty():
    seen = passed_on({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}, trusted="")
    assert seen["wsgi.url_scheme"] == "http"


def test_headers_from_an_untrusted_peer_are_reported_once(caplog):
    # The pactesur loggers do not propagate to the root logger, where caplog listens.
    logger = logging.getLogger("pactesur.web.proxy")
    logger.addHandler(caplog.handler)
    try:
        middleware = TrustedProxyMiddleware(lambda environ, start_response: [b""], trusted=())
        for _ in range(3):
            middleware({"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_PROTO": "https"}, lambda s, h: None)
    finally:
        logger.removeHandler(caplog.handler)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1
    assert "10.1.1.1" in messages[0]
    assert "PACTESUR_TRUSTED_PROXIES" in messages[0]


def test_the_wsgi_application_is_behind_the_middleware_with_the_configured_proxies(settings):
    from pactesur.web.wsgi import application

    assert isinstance(application, TrustedProxyMiddleware)
    assert application.trusted == settings.PACTESUR_TRUSTED_PROXIES
