"""Security settings: strict CSP, no framing, `check --deploy` clean in production, throttled log-ins."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from pactesur.audit.models import AuditAction, AuditEvent
from tests.factories import TEST_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client, city_admin) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in policy
    assert "http" not in policy  # no outside origin at all


@pytest.mark.django_db
def test_pages_cannot_be_framed_and_content_types_are_not_sniffed(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "accounts:members", "audit:list", "accounts:api_tokens"])
def test_our_pages_have_no_inline_script_style_or_event_handler(client, city_admin, url_name) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    html = client.get(reverse(url_name)).content.decode()
    # Data blocks (Django's json_script, type="application/json") are never run, so the CSP allows them.
    executable = [
        tag
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        if 'type="application/json"' not in tag
    ]
    assert executable == []
    assert " style=" not in html
    assert "<style" not in html
    assert re.findall(r"\son[a-z]+=", html) == []
    assert re.findall(r"""(?:src|href)=["']https?://""", html) == []


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PACTESUR_PRODUCTION": "1",
        "PACTESUR_SECRET_KEY": secrets.token_urlsafe(64),
        "PACTESUR_ALLOWED_HOSTS": "pactesur.example.org",
        "PACTESUR_DATA_DIR": str(tmp_path),
    }
    env.pop("PACTESUR_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' fixture, never in deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_five_failed_log_ins_lock_the_account_from_that_address(client, viewer) -> None:  # type: ignore[no-untyped-def]
    url = reverse("accounts:login")
    for _ in range(4):
        response = client.post(url, {"username": "viewer", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post(url, {"username": "viewer", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "viewer", "password": TEST_PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed log-ins" in locked.content
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


@pytest.mark.django_db
def test_someone_failing_from_another_address_cannot_lock_the_owner_out(client, viewer) -> None:  # type: ignore[no-untyped-def]
    url = reverse("accounts:login")
    for _ in range(10):
        client.post(url, {"username": "viewer", "password": "wrong"}, REMOTE_ADDR="203.0.113.66")
    attacker = client.post(url, {"username": "viewer", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.66")
    assert attacker.status_code == 429  # locked: that address, that account
    owner = client.post(url, {"username": "viewer", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.7")
    assert owner.status_code == 302


@pytest.mark.django_db
def test_four_failed_log_ins_do_not_lock(client, viewer) -> None:  # type: ignore[no-untyped-def]
    url = reverse("accounts:login")
    for _ in range(4):
        client.post(url, {"username": "viewer", "password": "wrong"})
    assert client.post(url, {"username": "viewer", "password": TEST_PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_log_ins_and_failed_log_ins_are_audited_with_username_and_address(client, viewer) -> None:  # type: ignore[no-untyped-def]
    url = reverse("accounts:login")
    client.post(url, {"username": "viewer", "password": "wrong"}, REMOTE_ADDR="192.0.2.7")
    client.post(url, {"username": "viewer", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.7")
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.username, failed.user, failed.ip_address) == ("viewer", None, "192.0.2.7")
    ok = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (ok.username, ok.user, ok.ip_address) == ("viewer", viewer, "192.0.2.7")
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, user=viewer).exists()


def test_log_in_throttling_reads_remote_addr_never_x_forwarded_for(rf) -> None:  # type: ignore[no-untyped-def]
    from axes.helpers import get_client_ip_address

    # REMOTE_ADDR is the client's once pactesur.web.proxy has read a trusted proxy's headers; the
    # raw X-Forwarded-For is anyone's, and must not count even if django-ipware gets installed.
    request = rf.post("/accounts/login/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert get_client_ip_address(request, use_ipware=True) == "192.0.2.7"
