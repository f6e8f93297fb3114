"""A network expert's home shows the network's shared work, and every menu offers only pages that open.

The expert is network-wide and sees no city's own records: before, their menu led to Spaces, Events
and Street network, each a 403. Each role's menu is walked here, link by link.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from pactesur.assessments.library import ATTACK_ORDER, AttackType
from pactesur.measures.models import MeasureType
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    """The `href` of every link inside the page's header (brand and menu) and, optionally, its main part."""

    def __init__(self, *, with_main: bool) -> None:
        super().__init__()
        self.sections = {"header", "main"} if with_main else {"header"}
        self.depth: dict[str, int] = {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.sections:
            self.depth[tag] = self.depth.get(tag, 0) + 1
        if tag == "a" and any(self.depth.values()):
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.sections:
            self.depth[tag] -= 1


def links_of(html: str, *, with_main: bool = False) -> list[str]:
    parser = _Links(with_main=with_main)
    parser.feed(html)
    return list(dict.fromkeys(parser.hrefs))


def test_expert_home_shows_the_shared_library_and_no_city(client, expert, city, other_city) -> None:  # type: ignore[no-untyped-def]
    city.share_with_network = True
    city.save()
    MeasureType.objects.create(code="nice-cables", city=city, family="vehicle", name="Nice's steel cables")
    client.force_login(expert)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "The network's shared work" in html
    assert "Nice's steel cables" not in html  # a city's own type stays the city's
    assert "see no city's own records" in html
    for code in ATTACK_ORDER:
        assert str(AttackType(code).label) in html
    measures = list(MeasureType.objects.shared())
    assert len(measures) == 31  # the catalogue seeded by the assessments and measures migrations
    for measure in measures:
        assert measure.display_name in html
    # Rated barriers remove 70 % of the ramming scenario's probability (assessments migration 0002).
    assert "Vehicle as a weapon (ramming): probability −70&nbsp;%, consequence −30&nbsp;%" in html
    assert 'data-testid="network-cities">2<' in html
    assert 'data-testid="network-sharing">1<' in html
    # Counts only: no city is named.
    assert "Nice" not in html
    assert "Liège" not in html
    assert "Not in PACTESUR yet" not in html  # said plainly, in a sentence
    assert "are not in PACTESUR yet" in html


def test_expert_menu_has_only_what_an_expert_can_open(client, expert) -> None:  # type: ignore[no-untyped-def]
    client.force_login(expert)
    html = client.get(reverse("home")).content.decode()
    menu = links_of(html)
    for closed in ("spaces:list", "events:list", "streets:list", "analysis:city", "assessments:dashboard"):
        assert reverse(closed) not in menu
    assert reverse("accounts:api_tokens") in menu
    assert reverse("accounts:account") in menu
    assert 'data-testid="current-city">Network expert<' in html


@pytest.mark.parametrize(
    "role", ["expert", "no_city", "viewer", "trainer", "planner", "security", "admin", "other_city_admin"]
)
def test_every_link_of_the_menu_and_home_page_opens_for_the_person_who_sees_it(
    client, user_by_role, role
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user_by_role(role))
    html = client.get(reverse("home")).content.decode()
    links = [href for href in links_of(html, with_main=True) if href.startswith("/")]
    assert reverse("accounts:api_tokens") in links
    refused = {}
    for href in links:
        status = client.get(href).status_code
        if status != 200:
            refused[href] = status
    assert not refused, f"{role} is offered links that do not open: {refused}"


def test_a_city_member_menu_still_has_the_citys_pages(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    menu = links_of(client.get(reverse("home")).content.decode())
    for url_name in ("spaces:list", "events:list", "streets:list"):
        assert reverse(url_name) in menu
    assert reverse("home") in menu  # the brand; no "Shared library" item
    assert "Shared library" not in client.get(reverse("home")).content.decode()


def test_user_without_city_is_not_offered_city_pages(client, user_by_role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user_by_role("no_city"))
    response = client.get(reverse("home"))
    menu = links_of(response.content.decode())
    assert b"not a member of any city yet" in response.content
    assert reverse("spaces:list") not in menu
    assert "Shared library" not in response.content.decode()


def test_expert_who_is_also_a_city_member_gets_the_city_home(client, expert, city) -> None:  # type: ignore[no-untyped-def]
    MembershipFactory(user=expert, city=city, role="viewer")
    client.force_login(expert)
    html = client.get(reverse("home")).content.decode()
    assert "<h1>Nice</h1>" in html
    assert reverse("spaces:list") in links_of(html)


@pytest.mark.parametrize(
    ("language", "heading", "attack"),
    [
        ("fr", "Le travail partagé du réseau", "Véhicule-bélier (véhicule utilisé comme arme)"),
        ("it", "Il lavoro condiviso della rete", "Veicolo ariete (veicolo usato come arma)"),
    ],
)
def test_expert_home_speaks_the_language_of_the_url(client, expert, language, heading, attack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(expert)
    with translation.override(language):
        url = reverse("home")
    html = client.get(url).content.decode()
    assert heading in html
    assert attack in html
