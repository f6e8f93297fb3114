"""The home page shows the current city; the switcher changes it, only to a city of the user's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_current_city_and_the_navigation(client, city_admin) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Nice</h1>" in html
    assert reverse("accounts:members") in html
    assert reverse("audit:list") in html
    assert reverse("accounts:api_tokens") in html
    for url_name in ("spaces:list", "events:list", "streets:list"):
        assert f'href="{reverse(url_name)}"' in html
    assert "No street network imported yet." in html


def test_members_and_audit_links_are_for_admins_only(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    html = client.get(reverse("home")).content.decode()
    assert reverse("accounts:members") not in html
    assert reverse("audit:list") not in html


def test_user_without_city_gets_a_friendly_explanation(client, user_by_role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user_by_role("no_city"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"not a member of any city yet" in response.content


def test_member_of_two_cities_switches_and_sees_the_other_city(client, viewer, city, other_city) -> None:  # type: ignore[no-untyped-def]
    MembershipFactory(user=viewer, city=other_city, role="planner")
    client.force_login(viewer)
    client.post(reverse("cities:switch"), {"city": city.pk})
    assert b"<h1>Nice</h1>" in client.get(reverse("home")).content
    response = client.post(reverse("cities:switch"), {"city": other_city.pk, "next": reverse("home")})
    assert response.status_code == 302
    assert client.session["pactesur_city_id"] == other_city.pk
    assert "<h1>Liège</h1>" in client.get(reverse("home")).content.decode()


def test_switching_to_a_city_one_is_not_a_member_of_is_a_404(client, viewer, other_city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    assert client.post(reverse("cities:switch"), {"city": other_city.pk}).status_code == 404
    assert client.post(reverse("cities:switch"), {"city": "garbage"}).status_code == 404
    assert "pactesur_city_id" not in client.session


def test_switch_ignores_a_next_url_pointing_to_another_site(client, viewer, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.post(reverse("cities:switch"), {"city": city.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_the_language_switcher_turns_the_page_french(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    html = client.get("/fr/").content.decode()
    assert '<html lang="fr">' in html
    assert "Se déconnecter" in html


def test_home_shows_the_citys_active_street_network(client, viewer, city) -> None:  # type: ignore[no-untyped-def]
    streets_factories = pytest.importorskip("tests.streets.factories")
    network = streets_factories.StreetNetworkFactory(city=city, version=1, is_active=True)
    client.force_login(viewer)
    html = client.get(reverse("home")).content.decode()
    assert str(network) in html
    assert "No street network imported yet." not in html


def test_a_page_reads_the_users_cities_once_for_the_current_city_the_switcher_and_two_factor(  # type: ignore[no-untyped-def]
    client, viewer, city, other_city
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    MembershipFactory(user=viewer, city=other_city, role="planner")
    client.force_login(viewer)
    client.post(reverse("cities:switch"), {"city": other_city.pk})

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("home")).content.decode()

    assert "<h1>Liège</h1>" in html
    assert f'<option value="{city.pk}">Nice</option>' in html  # the switcher lists both
    assert f'<option value="{other_city.pk}" selected>Liège</option>' in html
    read = [q["sql"] for q in queries.captured_queries if 'FROM "cities_' in q["sql"]]
    assert len(read) == 2, read  # the roles, then the cities: nothing more for the layout or two-factor
