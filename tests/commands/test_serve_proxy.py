"""`pactesur serve` in production behind Debian's nginx terminating TLS, as the README sets it up.

One app and one nginx serve the whole module: the app on a free port with PACTESUR_PRODUCTION=1
(HTTPS redirect, secure cookies) and the default PACTESUR_TRUSTED_PROXIES (127.0.0.1, ::1); nginx
on another free port with a self-signed certificate, proxying to it. The test client connects from
127.0.0.2 (any 127.0.0.0/8 address is this machine): to nginx it is then a client whose address
can be told from nginx's own, and to the app an untrusted peer.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.commands.conftest import embedded_env, free_port, pactesur_argv

CLIENT_ADDRESS = "127.0.0.2"
PROXY_ADDRESS = "127.0.0.1"
USERNAME = "proxied"
Pairs = dict[str, str] | None
PASSWORD = secrets.token_urlsafe(16)

# The README's nginx site, on a free port, with every path of its own under the test's folder.
NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log info;
{user}
events {{ worker_connections 64; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def require_tool(name: str, package: str) -> str:
    """The path of a Debian tool; in CI its absence fails the test, elsewhere it skips it."""
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} not found: .ci/run must install it (apt-get install {package})")
        pytest.skip(f"{name} not found (apt-get install {package})")
    return found


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def cookies(self) -> SimpleCookie:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return jar


@dataclass
class Stack:
    root: Path
    app_port: int
    proxy_port: int
    tls: ssl.SSLContext

    @property
    def proxy_origin(self) -> str:
        return f"https://127.0.0.1:{self.proxy_port}"

    def via_proxy(
        self, path: str, *, method: str = "GET", headers: Pairs = None, form: Pairs = None
    ) -> Reply:
        connection = http.client.HTTPSConnection(
            PROXY_ADDRESS, self.proxy_port, context=self.tls, source_address=(CLIENT_ADDRESS, 0), timeout=20
        )
        return _exchange(connection, path, method=method, headers=headers, form=form)

    def direct(self, path: str, *, headers: Pairs = None, source: str = CLIENT_ADDRESS) -> Reply:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.app_port, source_address=(source, 0), timeout=20
        )
        return _exchange(connection, path, method="GET", headers=headers, form=None)

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n{(self.root / name).read_text()}"
            for name in ("serve.log", "error.log")
            if (self.root / name).exists()
        )

    def database_rows(self, query: str) -> list[tuple[object, ...]]:
        database = self.root / "data" / "pactesur.sqlite3"
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
            return connection.execute(query).fetchall()


def _exchange(
    connection: http.client.HTTPConnection, path: str, *, method: str, headers: Pairs, form: Pairs
) -> Reply:
    body = urllib.parse.urlencode(form) if form is not None else None
    all_headers = dict(headers or {})
    if body is not None:
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read().decode(errors="replace"))
    finally:
        connection.close()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, logs: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with code {process.returncode}:\n{logs.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not listen on {port}:\n{logs.read_text()}")
            time.sleep(0.3)


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx = require_tool("nginx", "nginx")
    openssl = require_tool("openssl", "openssl")
    root = tmp_path_factory.mktemp("proxy")
    app_port, proxy_port = free_port(), free_port()
    while proxy_port == app_port:
        proxy_port = free_port()
    env = {
        **embedded_env(root / "data"),
        "PACTESUR_PRODUCTION": "1",
        "PACTESUR_SECRET_KEY": secrets.token_urlsafe(50),
        "PACTESUR_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    with (root / "serve.log").open("w") as log:
        app = subprocess.Popen(  # noqa: S603
            pactesur_argv("serve", "--port", str(app_port), "--migrate", "--workers", "2", "--no-worker"),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    proxy: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(  # noqa: S603
            [
                *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
                *("-nodes", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-days", "2"),
                *("-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        # As root, nginx's workers would become `nobody`, who cannot enter pytest's private folders.
        user = "user root;" if os.geteuid() == 0 else ""
        config = NGINX_CONF.format(root=root, port=proxy_port, app_port=app_port, user=user)
        (root / "nginx.conf").write_text(config)
        proxy = subprocess.Popen(  # noqa: S603
            [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(app_port, app, "pactesur serve", root / "serve.log")
        _wait_for_port(proxy_port, proxy, "nginx", root / "error.log")
        subprocess.run(  # noqa: S603
            pactesur_argv(
                "manage", "createsuperuser", "--noinput", "--username", USERNAME, "--email", "p@example.org"
            ),
            env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Stack(root, app_port, proxy_port, ssl.create_default_context(cafile=root / "cert.pem"))
    finally:
        if proxy is not None:
            _stop(proxy, signal.SIGQUIT)
        _stop(app, signal.SIGTERM)


def test_a_page_through_the_tls_proxy_is_served_not_redirected_to_itself(stack: Stack):
    reply = stack.via_proxy("/accounts/login/")
    assert reply.status == 200, stack.logs()
    assert "csrfmiddlewaretoken" in reply.body
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=")
    assert reply.cookies()["csrftoken"]["secure"]


def test_logging_in_through_the_proxy_passes_the_csrf_check_and_records_the_client_address(stack: Stack):
    page = stack.via_proxy("/accounts/login/")
    csrf_cookie = page.cookies()["csrftoken"].value
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert match, page.body
    # What a browser sends with the form, plus a forged address that nginx passes on in front of ours.
    headers = {
        "Cookie": f"csrftoken={csrf_cookie}",
        "Origin": stack.proxy_origin,
        "Referer": f"{stack.proxy_origin}/accounts/login/",
        "X-Forwarded-For": "203.0.113.66",
    }
    form = {"csrfmiddlewaretoken": match.group(1), "username": USERNAME}

    wrong = stack.via_proxy(
        "/accounts/login/", method="POST", headers=headers, form={**form, "password": "no"}
    )
    assert wrong.status == 200, wrong.body  # the form again with its error, not a CSRF 403
    right = stack.via_proxy(
        "/accounts/login/", method="POST", headers=headers, form={**form, "password": PASSWORD}
    )
    assert right.status == 302, right.body
    session = right.cookies()["sessionid"]
    assert session["secure"]
    home = stack.via_proxy(right.headers["Location"], headers={"Cookie": f"sessionid={session.value}"})
    assert home.status == 200, home.body

    # Audit trail and log-in throttling see the client, never the address it made up.
    audited = stack.database_rows(
        "SELECT action, ip_address FROM audit_auditevent WHERE action IN ('login', 'login_failed')"
    )
    assert sorted(audited) == [("login", CLIENT_ADDRESS), ("login_failed", CLIENT_ADDRESS)]
    assert stack.database_rows("SELECT DISTINCT ip_address FROM axes_accesslog") == [(CLIENT_ADDRESS,)]


def test_a_request_straight_to_the_app_is_redirected_to_https(stack: Stack):
    reply = stack.direct("/accounts/login/", headers={"Host": "127.0.0.1"})
    assert reply.status == 301
    assert reply.headers["Location"] == "https://127.0.0.1/accounts/login/"


def test_forged_forwarding_headers_from_an_untrusted_peer_are_not_believed(stack: Stack):
    forged = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"}
    assert stack.direct("/accounts/login/", headers=forged).status == 301
    # The same headers from the trusted proxy's address are believed: the peer makes the difference.
    assert stack.direct("/accounts/login/", headers=forged, source=PROXY_ADDRESS).status == 200
