"""Two-factor log-in: enrolment with a QR code, codes at log-in, recovery codes, throttling, what a city
requires."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactesur.accounts import actions
from pactesur.accounts.errors import TwoFactorError
from pactesur.accounts.models import ApiToken, hash_token
from pactesur.accounts.views import PENDING_LOGIN_KEY
from pactesur.audit.models import AuditAction, AuditEvent
from tests.auth_support import confirm_password, enrol, fresh_code, totp_code, wait_out_throttle
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _password_step(client, username: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": username, "password": TEST_PASSWORD})


def _code_step(client, code: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login_code"), {"code": code})


def _require_two_factor(city) -> None:  # type: ignore[no-untyped-def]
    city.two_factor_required = True
    city.save(update_fields=["two_factor_required"])


# --- enrolment -------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_then_a_code_turns_it_on_with_ten_recovery_codes(
    client, security_officer
):  # type: ignore[no-untyped-def]
    client.force_login(security_officer)
    confirm_password(client)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert 'class="qr-code"' in html
    assert "style=" not in html  # the strict CSP forbids inline styles
    device = TOTPDevice.objects.get(user=security_officer)
    assert not device.confirmed
    secret = page.context["secret"]
    assert secret in html
    assert "img-src 'self' data:" in page["Content-Security-Policy"]

    done = client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)})

    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]  # shown once, kept by no cache
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert StaticDevice.objects.get(user=security_officer).token_set.count() == 10
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR, detail__event="enabled")
    assert event.user == security_officer
    # The code entered verified this very session.
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    status = client.get(reverse("accounts:two_factor"))
    assert "You have 10 unused recovery codes." in status.content.decode()


def test_the_secret_shown_is_the_one_the_qr_code_carries(client, planner) -> None:  # type: ignore[no-untyped-def]
    import base64

    client.force_login(planner)
    confirm_password(client)
    page = client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=planner)
    assert base64.b32decode(page.context["secret"].replace(" ", "")) == device.bin_key
    # The same secret until it is confirmed: reloading the page does not break the scanned QR code.
    assert client.get(reverse("accounts:two_factor_setup")).context["secret"] == page.context["secret"]


def test_a_wrong_code_does_not_turn_two_factor_on(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    confirm_password(client)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=viewer)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:two_factor_setup"), {"code": wrong})
    assert response.status_code == 400
    assert "This is not the code your app shows" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=viewer).exists()
    events = AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR)
    assert [e.detail["event"] for e in events] == ["setup_started"]  # the secret made, nothing turned on


def test_enrolment_needs_a_recent_password_confirmation(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)  # a session that did not just log in
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))
    assert not TOTPDevice.objects.filter(user=viewer).exists()


# --- log-in ----------------------------------------------------------------------------------------


def test_log_in_without_two_factor_needs_no_code(client, viewer) -> None:  # type: ignore[no-untyped-def]
    response = _password_step(client, "viewer")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_log_in_with_two_factor_asks_for_a_code_before_the_session_is_theirs(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)

    response = _password_step(client, "planner")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_code")
    # The password alone opens nothing.
    assert client.get(reverse("spaces:list")).status_code == 302
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:login_code"))
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    done = _code_step(client, totp_code(device, steps_ahead=1))

    assert done.status_code == 302
    assert done["Location"] == reverse("home")
    assert client.get(reverse("spaces:list")).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert PENDING_LOGIN_KEY not in client.session
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.user == planner
    assert login.detail == {"two_factor": True}


def test_the_code_step_keeps_the_next_url_and_the_preferred_language(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)
    planner.preferred_language = "fr"
    planner.save(update_fields=["preferred_language"])
    client.post(
        reverse("accounts:login"),
        {"username": "planner", "password": TEST_PASSWORD, "next": reverse("events:list")},
    )
    done = _code_step(client, totp_code(device, steps_ahead=1))
    assert done["Location"] == "/fr/events/"


def test_a_code_is_accepted_once(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)
    code = totp_code(device, steps_ahead=1)
    _password_step(client, "planner")
    assert _code_step(client, code).status_code == 302
    client.post(reverse("accounts:logout"))
    _password_step(client, "planner")
    wait_out_throttle(planner)
    again = _code_step(client, code)
    assert again.status_code == 400
    assert "This code is wrong or was already used." in again.content.decode()


def test_a_wrong_code_is_a_failed_log_in_and_django_otp_makes_the_next_try_wait(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)
    _password_step(client, "planner")
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"

    response = _code_step(client, wrong)

    assert response.status_code == 400
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.username, failed.detail) == ("planner", {"step": "two_factor"})
    assert "_auth_user_id" not in client.session
    # Straight after a wrong code even the right one must wait (1 s, then 2, 4, 8… after more).
    hurried = _code_step(client, totp_code(device, steps_ahead=1))
    assert hurried.status_code == 400
    assert "Too many wrong codes: wait 1 second before trying again." in hurried.content.decode()
    wait_out_throttle(planner)
    assert _code_step(client, totp_code(device, steps_ahead=1)).status_code == 302


def test_five_wrong_codes_lock_the_account_from_that_address_as_wrong_passwords_do(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)
    _password_step(client, "planner")
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    statuses = []
    for _try in range(5):
        wait_out_throttle(planner)
        statuses.append(_code_step(client, wrong).status_code)
    assert statuses == [400, 400, 400, 400, 429]
    wait_out_throttle(planner)
    locked = _code_step(client, totp_code(device, steps_ahead=1))
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The password step is locked too, for that account from that address.
    assert _password_step(client, "planner").status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="planner").count() >= 5


def test_the_code_step_expires(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)
    _password_step(client, "planner")
    session = client.session
    session[PENDING_LOGIN_KEY] = {**session[PENDING_LOGIN_KEY], "at": time.time() - 301}
    session.save()
    response = _code_step(client, totp_code(device, steps_ahead=1))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_a_password_first_goes_to_the_log_in_page(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("accounts:login_code"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


# --- recovery codes --------------------------------------------------------------------------------


def test_a_recovery_code_logs_in_once(client, planner) -> None:  # type: ignore[no-untyped-def]
    _device, codes = enrol(planner)
    shown = f"{codes[3][:4]}-{codes[3][4:]}".upper()  # as printed, typed in capitals

    _password_step(client, "planner")
    done = _code_step(client, shown)

    assert done.status_code == 302
    assert client.get(reverse("spaces:list")).status_code == 200
    used = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR, detail__event="recovery_code_used")
    assert used.detail["left"] == 9
    assert StaticDevice.objects.get(user=planner).token_set.count() == 9

    client.post(reverse("accounts:logout"))
    _password_step(client, "planner")
    again = _code_step(client, codes[3])
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session


def test_new_recovery_codes_replace_the_old_ones(client, planner) -> None:  # type: ignore[no-untyped-def]
    _device, old = enrol(planner)
    client.force_login(planner)
    confirm_password(client, code=old[0])
    response = client.post(reverse("accounts:two_factor_recovery"))
    assert response.status_code == 200
    new = [code.replace("-", "") for code in response.context["codes"]]
    assert len(new) == 10
    tokens = set(StaticDevice.objects.get(user=planner).token_set.values_list("token", flat=True))
    assert tokens == set(new)
    assert not tokens & set(old)
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR, detail__event="recovery_codes_replaced")


# --- turning it off --------------------------------------------------------------------------------


def test_turning_two_factor_off_needs_the_password_and_a_code(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)
    client.force_login(planner)
    url = reverse("accounts:two_factor_disable")

    wrong_password = client.post(url, {"password": "not it", "code": fresh_code(device)})
    assert wrong_password.status_code == 400
    assert "The password is wrong." in wrong_password.content.decode()
    wrong_code = client.post(url, {"password": TEST_PASSWORD, "code": "123456"})
    assert wrong_code.status_code == 400
    assert TOTPDevice.objects.filter(user=planner, confirmed=True).exists()

    wait_out_throttle(planner)
    done = client.post(url, {"password": TEST_PASSWORD, "code": fresh_code(device)})

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=planner).exists()
    assert not StaticDevice.objects.filter(user=planner).exists()
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR, detail__event="disabled").exists()
    # The next log-in needs the password only.
    client.post(reverse("accounts:logout"))
    assert _password_step(client, "planner")["Location"] == reverse("home")


def test_two_factor_cannot_be_turned_off_where_a_city_requires_it(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(security_officer)
    _require_two_factor(city)
    with pytest.raises(TwoFactorError, match="Nice requires two-factor log-in for your role"):
        actions.do_disable_two_factor(
            security_officer, password=TEST_PASSWORD, code=fresh_code(device), acting_user=security_officer
        )
    assert TOTPDevice.objects.filter(user=security_officer, confirmed=True).exists()


def test_nobody_changes_another_persons_two_factor(city_admin, planner) -> None:  # type: ignore[no-untyped-def]
    from pactesur.cities.errors import NotAllowedError

    with pytest.raises(NotAllowedError):
        actions.do_start_two_factor(planner, acting_user=city_admin)


# --- a city requires it ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "security"])
def test_a_required_role_without_two_factor_is_sent_to_set_it_up_and_opens_nothing_else(client, city, role):  # type: ignore[no-untyped-def]
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="guarded")
    MembershipFactory(user=user, city=city, role=role)
    _require_two_factor(city)

    logged_in = _password_step(client, "guarded")
    assert logged_in.status_code == 302  # the password is enough to reach the set-up page
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("accounts:two_factor_setup")
    for name in ("spaces:list", "events:list", "accounts:members", "audit:list", "accounts:api_tokens"):
        assert client.get(reverse(name))["Location"] == reverse("accounts:two_factor_setup"), name
    assert client.get("/spaces/export.csv")["Location"] == reverse("accounts:two_factor_setup")

    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200
    assert "Nice requires it for your role." in setup.content.decode()
    device = TOTPDevice.objects.get(user=user)
    enabled = client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)})
    assert enabled.status_code == 200

    assert client.get(reverse("spaces:list")).status_code == 200


@pytest.mark.parametrize("role", ["planner", "trainer", "viewer"])
def test_other_roles_are_not_asked_for_two_factor(client, city, role) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="free")
    MembershipFactory(user=user, city=city, role=role)
    _require_two_factor(city)
    _password_step(client, "free")
    assert client.get(reverse("spaces:list")).status_code == 200


def test_a_requirement_holds_in_every_city_of_the_person_and_only_for_the_role_it_names(  # type: ignore[no-untyped-def]
    client, city, other_city
) -> None:
    from tests.factories import MembershipFactory, UserFactory

    guarded = UserFactory(username="guarded")
    MembershipFactory(user=guarded, city=city, role="security")
    MembershipFactory(user=guarded, city=other_city, role="viewer")
    free = UserFactory(username="free")
    MembershipFactory(user=free, city=city, role="viewer")
    MembershipFactory(user=free, city=other_city, role="admin")
    _require_two_factor(city)

    _password_step(client, "guarded")
    assert other_city.name < city.name  # Liège, the first of their cities, is their current city
    # Nice requires it of its security managers: nothing of Liège opens either.
    assert client.get(reverse("spaces:list"))["Location"] == reverse("accounts:two_factor_setup")
    client.logout()

    _password_step(client, "free")
    client.post(reverse("cities:switch"), {"city": city.pk})
    # An admin of Liège, which requires nothing, and a viewer of Nice: not asked.
    assert client.get(reverse("spaces:list")).status_code == 200


def test_a_city_that_does_not_require_it_asks_nothing_of_its_admins(client, city, city_admin) -> None:  # type: ignore[no-untyped-def]
    _password_step(client, "city_admin")
    assert client.get(reverse("accounts:members")).status_code == 200


def test_a_required_member_whose_session_was_not_verified_logs_in_again_with_a_code(
    client, city, security_officer
):  # type: ignore[no-untyped-def]
    enrol(security_officer)
    _require_two_factor(city)
    client.force_login(security_officer)  # a session older than the device, or opened without a code
    response = client.get(reverse("spaces:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_api_tokens_are_their_own_credential_and_are_not_sent_to_the_set_up_page(
    client, city, security_officer
):  # type: ignore[no-untyped-def]
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=security_officer, name="GIS", token_hash=hash_token(raw), prefix=raw[:8])
    _require_two_factor(city)
    response = client.get("/api/v1/spaces/", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_the_city_admin_requires_two_factor_on_the_city_settings_page(client, city, city_admin) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    confirm_password(client)
    page = client.get(reverse("cities:settings"))
    assert page.status_code == 200
    assert "Require two-factor log-in for administrators and security managers" in page.content.decode()

    saved = client.post(reverse("cities:settings"), {"two_factor_required": "on"})

    assert saved.status_code == 302
    city.refresh_from_db()
    assert city.two_factor_required
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR, detail__event="city_requirement")
    assert (event.city, event.detail["required"]) == (city, True)
    # The admin has no authenticator app yet: straight to setting it up.
    assert client.get(reverse("cities:settings"))["Location"] == reverse("accounts:two_factor_setup")


def test_saving_the_city_settings_needs_a_recent_confirmation(client, city, city_admin) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = client.post(
        reverse("cities:settings"),
        {"two_factor_required": "on"},
        headers={"referer": "http://testserver" + reverse("cities:settings")},
    )
    assert response["Location"] == reverse("accounts:reauth") + "?next=%2Fcity%2Fsettings%2F"
    city.refresh_from_db()
    assert not city.two_factor_required


def test_the_members_page_shows_who_uses_two_factor(client, city_admin, security_officer, viewer) -> None:  # type: ignore[no-untyped-def]
    enrol(security_officer)
    client.force_login(city_admin)
    page = client.get(reverse("accounts:members"))
    rows = {m.user.get_username(): on for m, _form, on in page.context["rows"]}
    assert rows == {"city_admin": False, "security_officer": True, "viewer": False}


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fr", ["Configurer la connexion à deux facteurs", "Désactivée\u00a0: votre mot de passe suffit"]),
        ("it", ["Configura l’accesso a due fattori", "Disattivato: la sola password apre il tuo account."]),
    ],
)
def test_the_two_factor_pages_speak_french_and_italian(client, city, city_admin, language, texts) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    html = client.get(f"/{language}/accounts/me/two-factor/").content.decode()
    for text in texts:
        assert text in html
    settings_page = client.get(f"/{language}/city/settings/").content.decode()
    assert {"fr": "Paramètres de Nice", "it": "Impostazioni di Nice"}[language] in settings_page


def test_the_django_admin_log_in_page_sends_to_ours_which_asks_for_the_code(client, db) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    staff = UserFactory(username="operator", is_staff=True, is_superuser=True)
    device, _codes = enrol(staff)
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/django-admin/"
    # Posting the password to the admin's form straight away does not log in either.
    client.post("/django-admin/login/", {"username": "operator", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    client.post(
        reverse("accounts:login"),
        {"username": "operator", "password": TEST_PASSWORD, "next": "/django-admin/"},
    )
    done = _code_step(client, totp_code(device, steps_ahead=1))
    assert done["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200
