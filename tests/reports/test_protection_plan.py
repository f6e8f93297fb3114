"""The local protection plan read back from the PDF, asked for on the web, prepared by the background
task and downloaded: every section with its figures, the sentence of an empty one, the RESTRICTED
marking and the watermark on every page, the city's language, the audited export."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import formats, timezone, translation

from pactesur.analysis.models import ApproachAnalysis
from pactesur.analysis.results import current_rows
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.time_zones import city_zone
from pactesur.reports.actions import do_export_protection_plan
from pactesur.reports.content import city_language
from pactesur.spaces.actions import do_create_space
from tests.analysis.helpers import box
from tests.factories import CityFactory
from tests.reports.helpers import (
    CROSSING,
    assessed,
    barrier_plan,
    images,
    investment_plan,
    pages,
    plan_pdf,
)
from tests.spaces.helpers import make_event, make_space

pytestmark = pytest.mark.django_db


def _marked_on_every_page(texts: list[str], user: str, marking: str = "RESTRICTED") -> None:
    for number, text in enumerate(texts, start=1):
        # The watermark is drawn turned: the text read back may lose the space after "·".
        assert re.search(rf"{marking} · ?{user}", text), f"page {number} has no watermark"
        assert text.count(marking) >= 2, f"page {number} has no marking in its margin"


def _today(city) -> datetime.date:  # type: ignore[no-untyped-def]
    return timezone.localdate(timezone=city_zone(city))


def _section(text: str, heading: str, following: str | None) -> str:
    """The text of one section: from its numbered heading to the next one."""
    start = text.index(heading)
    return text[start : text.index(following, start)] if following else text[start:]


# --- a city with nothing yet ----------------------------------------------------------------------


def test_every_section_of_an_empty_city_says_there_is_nothing_yet(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    pdf = plan_pdf(client, security_officer, language="en")
    texts = pages(pdf)

    _marked_on_every_page(texts, "security_officer")
    text = " ".join(texts)
    assert "Local protection plan" in texts[0]
    assert "Nice" in texts[0]
    assert f"Drawn up on {formats.date_format(_today(city), 'DATE_FORMAT')}" in texts[0]
    assert "No street network imported yet." in texts[0]
    for sentence in (
        "The city has no space in use yet.",
        "No space has been assessed yet.",
        "No approach analysis yet: import the city’s street network, and its spaces are analysed.",
        "No existing barrier to verify: no approach analysis met a mapped barrier that stops a vehicle.",
        "No barrier plan yet.",
        "No investment plan yet.",
        "No space has been assessed yet, so no review is due.",
    ):
        assert sentence in text
    assert images(pdf) == set()


def test_the_export_is_audited_with_the_spaces_it_lists(client, city, city_admin) -> None:  # type: ignore[no-untyped-def]
    make_space(city, None, name="Place Masséna")
    make_space(city, None, name="Cours Saleya")

    plan_pdf(client, city_admin)

    event = AuditEvent.objects.get(action=AuditAction.EXPORT, detail__format="pdf")
    assert event.detail == {"what": "local protection plan", "format": "pdf", "rows": 2}
    assert (event.user, event.city, event.object_type) == (city_admin, city, "reports.reportfile")


# --- a city with everything -----------------------------------------------------------------------


@pytest.fixture
def full_city(city, analysed, security_officer, city_admin):  # type: ignore[no-untyped-def]
    """Leeds analysed, an event on the crossing, its assessment overdue for review, an approved barrier
    plan of the engine's lines, an approved investment plan and an older draft."""
    make_event(analysed, name="Leeds Light Night", days_from_now=40, expected_attendance=12000)
    make_event(analysed, name="Long past fair", days_from_now=-400)
    make_event(analysed, name="Fair in two years", days_from_now=800)
    assessment = assessed(
        analysed, security_officer, review_due=datetime.date(2026, 1, 15), approved_by=city_admin
    )
    plan = barrier_plan(analysed, approved_by=city_admin)
    investment_plan(city, name="Older draft", budget_eur=10_000)
    invest = investment_plan(city, approved_by=city_admin)
    # Drawn after the analyses ran: not analysed yet.
    do_create_space(city, acting_user=None, name="Late square", kind="square", polygon=box(-1.5530, 53.8080))
    return {"space": analysed, "assessment": assessment, "barrier_plan": plan, "investment": invest}


def test_a_full_plan_gives_every_section_with_its_figures(client, full_city, security_officer) -> None:  # type: ignore[no-untyped-def]
    pdf = plan_pdf(client, security_officer, language="en")
    texts = pages(pdf)
    _marked_on_every_page(texts, "security_officer")
    text = " ".join(texts)
    assert "Street network version 1 (leeds_university_its-example.osm.pbf)" in texts[0]

    inventory = _section(text, "1. Spaces", "2. Risk ranking")
    assert f"{CROSSING} Square 1,7" in inventory  # its area, about 1,760 m²
    assert "8,000 1,200 6,500" in inventory  # capacity, usual crowd, peak crowd
    assert "Leeds Light Night" in inventory
    assert "12,000 people expected" in inventory
    assert "Long past fair" not in inventory
    assert "Fair in two years" not in inventory
    assert "University Square Pedestrian area" in inventory

    risk = _section(text, "2. Risk ranking", "3. Approach analyses")
    assert f"1 {CROSSING} Very high 25 Vehicle as a weapon (ramming) (25)" in risk
    assert "Risk matrix" in risk

    analyses = _section(text, "3. Approach analyses", "4. Existing protection to verify")
    analysed_spaces = {row.space.display_name for row in current_rows(full_city["space"].city_id)}
    for name in analysed_spaces:
        assert name in analyses
    fastest_car = ApproachAnalysis.objects.get(space=full_city["space"], vehicle="M1").max_impact_speed_kmh
    assert f"M1 (car), {round(fastest_car)} km/h — no tested rating: reduce the speed first" in analyses
    assert "Fastest entry of each vehicle class" in analyses
    assert "Woodhouse Lane, from the south-east" in analyses
    # A map and a speed profile chart per analysed space, and the frontier of the investment plan.
    assert len(images(pdf)) == 2 * len(analysed_spaces) + 1

    protection = _section(text, "4. Existing protection to verify", "5. Barrier plans")
    assert "Not analysed yet on the current street network. Late square" in analyses
    assert "University Square" in protection
    assert "bollard — not rated in OpenStreetMap" in protection

    plans = _section(text, "5. Barrier plans", "6. Investment plan")
    cost = full_city["barrier_plan"].cost
    assert f"{CROSSING} — Crossing lines" in plans
    assert "Status Approved" in plans
    assert f"{cost['min_eur']:,} to {cost['max_eur']:,} €" in plans
    assert f"maintenance {cost['maintenance_eur_per_year']:,} € a year" in plans
    assert re.search(r"M1 \d+ all stopped", plans)  # the car's fastest impact, then none
    assert "Vehicle classes covered M1, N3C" in plans

    invest = _section(text, "6. Investment plan", "7. Review schedule")
    result = full_city["investment"].result
    assert "Plan 2027" in invest
    assert "Older draft" not in invest
    assert "Draft:" not in invest
    assert f"Cost of the plan {round(result['total_cost_eur']):,} €" in invest
    assert f"Risk today {result['risk_before']:.1f}" in invest
    assert "Efficient frontier" in invest
    assert "Measures chosen, and why" in invest
    assert result["chosen"]
    assert result["chosen"][0]["type"] in invest

    reviews = _section(text, "7. Review schedule", None)
    assert f"{CROSSING} Approved 15/01/2026 (overdue)" in reviews
    assert "Spaces not assessed yet: Beech Grove Plaza; Clothworker's Court;" in reviews


def test_the_latest_draft_stands_in_marked_as_draft_when_no_plan_is_approved(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    space = make_space(city, None, name="Place Masséna", peak_crowd=20000)
    assessed(space, security_officer)
    investment_plan(city, name="First draft", budget_eur=5_000)
    investment_plan(city, name="Second draft", budget_eur=50_000)

    text = " ".join(pages(do_export_protection_plan(city, acting_user=security_officer, language="en")))

    invest = _section(text, "6. Investment plan", "7. Review schedule")
    assert "Second draft" in invest
    assert "First draft" not in invest
    assert "Draft: the city has not approved an investment plan yet; this is its latest draft." in invest


def test_a_refused_barrier_plan_names_the_entries_it_leaves_open(city, analysed, security_officer) -> None:  # type: ignore[no-untyped-def]
    plan = barrier_plan(analysed, vehicles=("M1",), keep=1, name="One line only")
    assert not plan.judgement["accepted"]
    left_open = [e for e in plan.judgement["entries"] if e["status"] in ("open", "new")]

    text = " ".join(pages(do_export_protection_plan(city, acting_user=security_officer, language="en")))

    plans = _section(text, "5. Barrier plans", "6. Investment plan")
    assert "One line only" in plans
    assert "Not accepted: entries left open" in plans
    assert "Entries left open:" in plans
    assert (left_open[0]["name"] or "unnamed way") in plans


# --- languages ------------------------------------------------------------------------------------


def test_a_french_city_gets_its_plan_in_french(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    assert city.languages == "fr,en"

    texts = pages(plan_pdf(client, security_officer))

    _marked_on_every_page(texts, "security_officer", marking="DIFFUSION RESTREINTE")
    text = " ".join(texts)
    assert "Plan local de protection" in texts[0]
    with translation.override("fr"):
        assert f"Établi le {formats.date_format(_today(city), 'DATE_FORMAT')}" in texts[0]
    for heading in (
        "1. Espaces",
        "2. Classement des risques",
        "3. Analyses des approches",
        "4. Protections existantes à vérifier",
        "5. Plans de barrières",
        "6. Plan d’investissement",
        "7. Calendrier des revues",
    ):
        assert heading in text
    assert "Aucun plan de barrières pour l’instant." in text
    assert "Aucun plan d’investissement pour l’instant." in text
    assert "Exporté par security_officer" in text
    assert "Local protection plan" not in text


def test_the_language_of_the_url_does_not_change_the_citys(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(pages(plan_pdf(client, security_officer, page="/it/reports/")))

    assert "Plan local de protection" in text


@pytest.mark.parametrize(
    ("languages", "expected"),
    [("fr,en", "fr"), ("fi,sv,en", "en"), ("de-AT", "de"), ("", "en"), ("nl", "en"), (" IT , fr", "it")],
)
def test_the_citys_language_is_the_first_one_the_platform_speaks(languages: str, expected: str) -> None:
    assert city_language(CityFactory.build(languages=languages)) == expected


def test_every_language_has_its_headings(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    headings = {}
    for language in ("en", "fr", "it", "de", "es"):
        first = pages(do_export_protection_plan(city, acting_user=security_officer, language=language))[0]
        headings[language] = first.split(" ", 3)[1:3]
    assert len({tuple(h) for h in headings.values()}) == 5
    assert translation.get_language() == "en"  # the export left the caller's language alone
