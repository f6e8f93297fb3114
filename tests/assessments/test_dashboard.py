"""The city dashboard: ranking, matrix, overdue list, anonymised network comparison, planner's summary."""

from __future__ import annotations

from pactesur.assessments.actions import do_approve_assessment, do_submit_assessment
from pactesur.assessments.models import Assessment
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.models import City
from tests.assessments.helpers import rate, settle_the_rest, start
from tests.auth_support import confirm_password
from tests.factories import CityFactory, MembershipFactory, UserFactory


def _approve(a, author, reviewer):  # type: ignore[no-untyped-def]
    settle_the_rest(a, author)
    do_submit_assessment(a, acting_user=author)
    do_approve_assessment(a, acting_user=reviewer)


def test_spaces_are_ranked_by_their_top_scenario_with_their_band(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    low = start(city, security_officer, name="Jardin Albert Ier")
    rate(low, "arson", 2, 2, security_officer)
    high = start(city, security_officer, name="Promenade des Anglais")
    rate(high, "vehicle", 5, 5, security_officer)
    rate(high, "blade", 2, 3, security_officer)
    client.force_login(security_officer)
    page = client.get("/assessments/")
    assert page.status_code == 200
    ranked = [x["r"].assessment.space.name for x in page.context["ranked"]]
    assert ranked == ["Promenade des Anglais", "Jardin Albert Ier"]
    assert page.context["ranked"][0]["band"]["code"] == "very_high"
    grid = {(c["p"], c["c"]): c["count"] for row in page.context["grid"] for c in row}
    assert grid[(5, 5)] == 1
    assert grid[(2, 2)] == 1
    assert grid[(2, 3)] == 1
    assert sum(grid.values()) == 3
    html = page.content.decode()
    assert 'data-band="very_high"' in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__what="risk dashboard").exists()


def test_overdue_reviews_are_listed(client, city, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    import datetime

    a = start(city, security_officer)
    rate(a, "vehicle", 3, 3, security_officer)
    _approve(a, security_officer, city_admin)
    Assessment.objects.filter(pk=a.pk).update(review_due=datetime.date(2001, 1, 1))
    client.force_login(city_admin)
    page = client.get("/assessments/")
    assert [r.assessment.pk for r in page.context["overdue"]] == [a.pk]


def test_a_planner_sees_levels_and_top_risks_but_no_scenario_text(
    client, city, security_officer, planner
) -> None:  # type: ignore[no-untyped-def]
    a = start(city, security_officer)
    rate(a, "vehicle", 5, 5, security_officer, description="TRUCK-FROM-RUE-X", evidence="SECRET-EVIDENCE")
    client.force_login(planner)
    confirm_password(client)
    dashboard = client.get("/assessments/").content.decode()
    summary = client.get(f"/assessments/spaces/{a.space_id}/")
    assert summary.status_code == 200
    text = dashboard + summary.content.decode()
    assert "Vehicle as a weapon" in text
    assert "TRUCK-FROM-RUE-X" not in text
    assert "SECRET-EVIDENCE" not in text
    assert client.get(f"/assessments/{a.pk}/").status_code == 403
    assert client.get("/assessments/report.pdf").status_code == 403


def _sharing_city(name: str, slug: str, *, share: bool = True) -> City:
    return CityFactory(name=name, slug=slug, country="IT", share_with_network=share)  # type: ignore[no-any-return]


def _approved_in(city: City, space_name: str, p: int, c: int) -> Assessment:
    n = Assessment.objects.count()
    author = UserFactory(username=f"author-{n}")
    reviewer = UserFactory(username=f"reviewer-{n}")
    MembershipFactory(user=author, city=city, role="security")
    MembershipFactory(user=reviewer, city=city, role="admin")
    a = start(city, author, name=space_name)
    rate(a, "vehicle", p, c, author)
    _approve(a, author, reviewer)
    return a


def test_comparison_shows_anonymised_quartiles_from_three_spaces_of_two_other_cities(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    mine = start(city, security_officer)
    rate(mine, "vehicle", 4, 4, security_officer)
    _approve(mine, security_officer, city_admin)
    torino, genova = _sharing_city("Torino", "torino"), _sharing_city("Genova", "genova")
    _approved_in(torino, "Piazza San Carlo", 5, 5)
    _approved_in(torino, "Piazza Castello", 2, 5)
    _approved_in(genova, "Piazza De Ferrari", 3, 4)
    hidden = _sharing_city("Milano", "milano", share=False)
    _approved_in(hidden, "Piazza del Duomo", 1, 1)
    client.force_login(city_admin)
    page = client.get("/assessments/")
    block = page.context["comparison"][0]
    vehicle = next(r for r in block["rows"] if r.attack_type == "vehicle")
    assert vehicle.network is not None
    # Scores 25, 10, 12 → sorted 10, 12, 25: Q1 11.0, median 12, Q3 18.5; Milano does not share.
    assert (vehicle.network.count, vehicle.network.q1, vehicle.network.median, vehicle.network.q3) == (
        3,
        11.0,
        12,
        18.5,
    )
    assert vehicle.mine is not None
    assert vehicle.mine.median == 16
    html = page.content.decode()
    for leak in ("Piazza", "Torino", "Genova", "Milano"):
        assert leak not in html


def test_comparison_says_not_enough_data_below_the_threshold(
    client, city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    mine = start(city, security_officer)
    rate(mine, "vehicle", 4, 4, security_officer)
    _approve(mine, security_officer, city_admin)
    torino = _sharing_city("Torino", "torino")
    _approved_in(torino, "Piazza San Carlo", 5, 5)
    _approved_in(torino, "Piazza Castello", 2, 5)
    _approved_in(torino, "Piazza Vittorio", 3, 4)
    client.force_login(city_admin)
    page = client.get("/assessments/")
    vehicle = next(r for r in page.context["comparison"][0]["rows"] if r.attack_type == "vehicle")
    assert vehicle.network is None
    assert "not enough data" in page.content.decode()


def test_the_ranking_and_the_city_report_tell_namesakes_apart(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    """Two halves of a square named alike: each line says which one it is (no street network here,
    so by its size)."""
    import io

    from pypdf import PdfReader

    from tests.spaces.helpers import NICE_LON, square

    big = start(city, security_officer, name="Place Garibaldi")
    rate(big, "vehicle", 5, 5, security_officer)
    start(city, security_officer, name="Place Garibaldi", polygon=square(NICE_LON + 0.002, size_deg=0.0005))
    client.force_login(security_officer)

    html = client.get("/assessments/").content.decode()

    assert '<span class="muted">8,956 m²</span>' in html
    assert '<span class="muted">2,239 m²</span>' in html
    confirm_password(client)
    pdf = client.get("/assessments/report.pdf").content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Place Garibaldi (8,956 m²)" in " ".join(text.split())
