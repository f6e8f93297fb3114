"""The city dashboard: ranking by what was approved, matrix, overdue list, the anonymised network
comparison of scores and of measure coverage, the planner's summary."""

from __future__ import annotations

import datetime

from pactesur.assessments import risk
from pactesur.assessments.actions import (
    do_add_measure,
    do_approve_assessment,
    do_rate_scenario,
    do_reopen_assessment,
    do_submit_assessment,
    do_update_assessment_context,
)
from pactesur.assessments.library import ATTACK_ORDER
from pactesur.assessments.models import Assessment, Scenario
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.models import City
from pactesur.measures.models import MeasureType
from tests.assessments.helpers import scenario, settle_the_rest, start
from tests.auth_support import confirm_password
from tests.factories import CityFactory, MembershipFactory, UserFactory


def _measure(a, code, user, status="existing"):  # type: ignore[no-untyped-def]
    return do_add_measure(a, acting_user=user, measure_type=MeasureType.objects.get(code=code), status=status)


def _rate(a, attack_type, t, v, c, user, **kw):  # type: ignore[no-untyped-def]
    """Rate threat, vulnerability and consequence apart (5×5: probability from the table)."""
    return do_rate_scenario(
        scenario(a, attack_type),
        acting_user=user,
        threat=t,
        vulnerability=v,
        consequence=c,
        override_reason="site visit",
        **kw,
    )


def _approve(a, author, reviewer):  # type: ignore[no-untyped-def]
    settle_the_rest(a, author)
    do_submit_assessment(a, acting_user=author)
    do_approve_assessment(a, acting_user=reviewer)


def _page(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    page = client.get("/assessments/")
    assert page.status_code == 200
    return page


def _ranked_names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [x["r"].assessment.space.name for x in page.context["ranked"]]


def test_only_approved_assessments_are_ranked_and_drafts_are_listed_apart(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    draft = start(city, security_officer, name="Promenade des Anglais")
    _rate(draft, "vehicle", 5, 5, 5, security_officer)
    approved = start(city, security_officer, name="Jardin Albert Ier")
    _rate(approved, "arson", 2, 2, 2, security_officer)
    _approve(approved, security_officer, city_admin)
    in_review = start(city, security_officer, name="Cours Saleya")
    _rate(in_review, "blade", 4, 4, 4, security_officer)
    settle_the_rest(in_review, security_officer)
    do_submit_assessment(in_review, acting_user=security_officer)

    page = _page(client, city_admin)

    assert _ranked_names(page) == ["Jardin Albert Ier"]
    pending = {p.assessment.space.name: p for p in page.context["pending"]}
    assert set(pending) == {"Promenade des Anglais", "Cours Saleya"}
    assert (pending["Promenade des Anglais"].rated, pending["Promenade des Anglais"].applicable) == (
        1,
        len(ATTACK_ORDER),
    )
    html = page.content.decode()
    assert 'data-testid="not-yet-approved"' in html
    assert "In review" in html
    # Drafts stay out of the matrix too: only the approved arson 2 × 2.
    grid = {(c["p"], c["c"]): c["count"] for row in page.context["grid"] for c in row}
    assert grid[(2, 2)] == 1
    assert sum(grid.values()) == 1
    assert 'data-band="low"' in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__what="risk dashboard").exists()


def test_a_space_in_a_new_cycle_still_ranks_by_its_last_approval(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    a = start(city, security_officer)
    _rate(a, "vehicle", 3, 3, 3, security_officer)  # P 3 × C 3 = 9, medium
    _approve(a, security_officer, city_admin)
    do_reopen_assessment(a, acting_user=security_officer)
    a.refresh_from_db()
    _rate(a, "vehicle", 5, 5, 5, security_officer)  # the draft says 25

    page = _page(client, city_admin)

    [item] = page.context["ranked"]
    assert item["r"].top.score == 9
    assert item["band"]["code"] == "medium"
    assert item["r"].in_new_cycle
    assert page.context["pending"] == []
    assert "ranked by its last approval" in page.content.decode()


def test_the_share_rated_and_the_count_of_high_scenarios_stand_beside_the_score(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    a = start(city, security_officer)
    # An assessment started before bomb threats and cyber attacks were in the library: those two
    # scenarios are missing, so 3 of the 13 attack types are rated and 2 marked not applicable.
    Scenario.objects.filter(assessment=a, attack_type__in=["bomb_threat", "cyber"]).delete()
    _rate(a, "vehicle", 4, 4, 4, security_officer)  # 16, very high
    _rate(a, "blade", 3, 4, 4, security_officer)  # P table(3, 4) = 3; 12, high
    _rate(a, "arson", 2, 2, 2, security_officer)  # 4, low
    rest = [s for s in ATTACK_ORDER if s not in ("vehicle", "blade", "arson", "bomb_threat", "cyber")]
    _approve(a, security_officer, city_admin)
    assert len(rest) == 8

    page = _page(client, city_admin)

    [item] = page.context["ranked"]
    r = item["r"]
    # 13 types − 8 not applicable = 5 that apply, of which 3 rated.
    assert (r.rated, r.applicable, r.high_count) == (3, 5, 2)
    assert item["rated_pct"] == 60
    html = page.content.decode()
    assert "3 of 5" in html
    assert '<td data-testid="high-count">2</td>' in html


def test_the_order_is_band_then_high_scenarios_then_share_of_the_scale_and_fema_1000_is_very_high(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    one_very_high = start(city, security_officer, name="A one very high")
    _rate(one_very_high, "vehicle", 4, 4, 4, security_officer)  # 16
    _approve(one_very_high, security_officer, city_admin)

    many_high = start(city, security_officer, name="B very high and two high")
    _rate(many_high, "vehicle", 4, 4, 4, security_officer)  # 16
    _rate(many_high, "blade", 3, 3, 4, security_officer)  # 12
    _rate(many_high, "arson", 2, 2, 5, security_officer)  # 10
    _approve(many_high, security_officer, city_admin)

    fema = start(city, security_officer, name="C FEMA 1000")
    do_update_assessment_context(fema, acting_user=security_officer, mode="fema", asset_value=10)
    fema.refresh_from_db()
    do_rate_scenario(
        scenario(fema, "vehicle"),
        acting_user=security_officer,
        threat=10,
        vulnerability=10,
        override_reason="x",
    )
    _approve(fema, security_officer, city_admin)

    high_only = start(city, security_officer, name="D three high")
    for attack in ("vehicle", "blade", "firearms"):
        _rate(high_only, attack, 3, 5, 3, security_officer)  # P 4 × 3 = 12 each
    _approve(high_only, security_officer, city_admin)

    page = _page(client, city_admin)

    # Very high first (B has three high+, C's 1000 is 100 % of its scale, A's 16 is 64 %); then D,
    # whose three high scenarios weigh less than one very high.
    assert _ranked_names(page) == [
        "B very high and two high",
        "C FEMA 1000",
        "A one very high",
        "D three high",
    ]
    fema_item = page.context["ranked"][1]
    assert fema_item["band"]["code"] == "very_high"
    assert (fema_item["r"].top.score, fema_item["r"].high_count) == (1000, 1)
    # The FEMA scenario sits in the matrix at its 5×5 equivalent (5, 5).
    grid = {(c["p"], c["c"]): c["count"] for row in page.context["grid"] for c in row}
    assert grid[(5, 5)] == 1
    assert grid[(4, 4)] == 2


def test_overdue_reviews_are_listed(client, city, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    a = start(city, security_officer)
    _rate(a, "vehicle", 3, 3, 3, security_officer)
    _approve(a, security_officer, city_admin)
    Assessment.objects.filter(pk=a.pk).update(review_due=datetime.date(2001, 1, 1))
    page = _page(client, city_admin)
    assert [r.assessment.pk for r in page.context["overdue"]] == [a.pk]


def test_an_approval_stored_as_scores_only_is_read_from_its_approved_version(  # type: ignore[no-untyped-def]
    city, security_officer, city_admin
) -> None:
    """Approvals made before method v2 kept {attack type: score} alone: bands, cells and measures come
    from the snapshot of the approved version."""
    a = start(city, security_officer)
    _rate(a, "vehicle", 4, 4, 5, security_officer)
    _measure(a, "cctv", security_officer, "existing")
    _approve(a, security_officer, city_admin)
    Assessment.objects.filter(pk=a.pk).update(approved_profile={"vehicle": 20})
    a.refresh_from_db()
    prof = risk.approved_profiles([a])[a.pk]
    [vehicle] = prof.risks
    assert (vehicle.attack_type, vehicle.score, vehicle.band, vehicle.probability, vehicle.consequence) == (
        "vehicle",
        20,
        "very_high",
        4,
        5,
    )
    assert prof.measures == {"cctv"}


def test_the_approved_summary_keeps_scores_bands_cells_counts_and_measures(  # type: ignore[no-untyped-def]
    city, security_officer
) -> None:
    a = start(city, security_officer)
    do_update_assessment_context(a, acting_user=security_officer, mode="fema", asset_value=8)
    a.refresh_from_db()
    do_rate_scenario(
        scenario(a, "drone"), acting_user=security_officer, threat=2, vulnerability=9, override_reason="x"
    )
    _measure(a, "cctv", security_officer, "existing")
    _measure(a, "lighting", security_officer, "planned")
    settle_the_rest(a, security_officer)
    summary = risk.approved_summary(a)
    # FEMA course example 8 × 2 × 9 = 144; 5×5 equivalent (2, 4) = 8, medium.
    assert summary["scores"] == {"drone": 144}
    assert summary["bands"] == {"drone": "medium"}
    assert summary["cells"] == {"drone": [2, 4]}
    assert (summary["mode"], summary["rated"], summary["scenarios"]) == ("fema", 1, 1)
    assert summary["measures"] == ["cctv"]


def test_a_planner_sees_levels_and_top_risks_but_no_scenario_text(
    client, city, security_officer, planner, city_admin
) -> None:  # type: ignore[no-untyped-def]
    a = start(city, security_officer)
    _rate(a, "vehicle", 5, 5, 5, security_officer, description="TRUCK-FROM-RUE-X", evidence="SECRET-EVIDENCE")
    _approve(a, security_officer, city_admin)
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


def _approved_in(
    city: City, space_name: str, t: int, v: int, c: int, *, measures: tuple[str, ...] = (), fema: bool = False
) -> Assessment:
    n = Assessment.objects.count()
    author = UserFactory(username=f"author-{n}")
    reviewer = UserFactory(username=f"reviewer-{n}")
    MembershipFactory(user=author, city=city, role="security")
    MembershipFactory(user=reviewer, city=city, role="admin")
    a = start(city, author, name=space_name)
    if fema:
        do_update_assessment_context(a, acting_user=author, mode="fema", asset_value=c)
        a.refresh_from_db()
        do_rate_scenario(
            scenario(a, "vehicle"), acting_user=author, threat=t, vulnerability=v, override_reason="x"
        )
    else:
        _rate(a, "vehicle", t, v, c, author)
    for code in measures:
        _measure(a, code, author, "existing")
    _approve(a, author, reviewer)
    return a


def test_comparison_shows_anonymised_quartiles_with_fema_spaces_by_their_equivalent(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    mine = start(city, security_officer)
    _rate(mine, "vehicle", 4, 4, 4, security_officer)
    _approve(mine, security_officer, city_admin)
    torino, genova = _sharing_city("Torino", "torino"), _sharing_city("Genova", "genova")
    _approved_in(torino, "Piazza San Carlo", 5, 5, 5)  # 25
    _approved_in(torino, "Piazza Castello", 2, 2, 5)  # 10
    # FEMA A 6, T 8, V 6: C ⌈6/2⌉ = 3, P table(4, 3) = 3 → 9.
    _approved_in(genova, "Piazza De Ferrari", 8, 6, 6, fema=True)
    hidden = _sharing_city("Milano", "milano", share=False)
    _approved_in(hidden, "Piazza del Duomo", 1, 1, 1)

    page = _page(client, city_admin)

    block = page.context["comparison"][0]
    vehicle = next(r for r in block["rows"] if r.attack_type == "vehicle")
    assert vehicle.network is not None
    # 25, 10, 9 → sorted 9, 10, 25: Q1 9.5, median 10, Q3 17.5; Milano does not share.
    assert (vehicle.network.count, vehicle.network.q1, vehicle.network.median, vehicle.network.q3) == (
        3,
        9.5,
        10,
        17.5,
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
    _rate(mine, "vehicle", 4, 4, 4, security_officer)
    _approve(mine, security_officer, city_admin)
    torino = _sharing_city("Torino", "torino")
    _approved_in(torino, "Piazza San Carlo", 5, 5, 5, measures=("cctv",))
    _approved_in(torino, "Piazza Castello", 2, 2, 5, measures=("cctv",))
    _approved_in(torino, "Piazza Vittorio", 3, 3, 4, measures=("cctv",))

    page = _page(client, city_admin)

    block = page.context["comparison"][0]
    vehicle = next(r for r in block["rows"] if r.attack_type == "vehicle")
    assert vehicle.network is None
    # One other city only: no coverage figure leaves Torino either.
    assert block["coverage"].network_spaces is None
    assert block["coverage"].rows == []
    assert "not enough data" in page.content.decode()


def test_measure_coverage_compares_the_share_of_approved_spaces_with_each_measure(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    first = start(city, security_officer, name="Place Masséna")
    _rate(first, "vehicle", 4, 4, 4, security_officer)
    _measure(first, "cctv", security_officer, "existing")
    # Planned, not existing: not counted.
    _measure(first, "access_control", security_officer, "planned")
    _approve(first, security_officer, city_admin)
    second = start(city, security_officer, name="Place Garibaldi")
    _rate(second, "vehicle", 3, 3, 3, security_officer)
    _approve(second, security_officer, city_admin)
    draft = start(city, security_officer, name="Cours Saleya")
    _measure(draft, "lighting", security_officer, "existing")
    torino, genova = _sharing_city("Torino", "torino"), _sharing_city("Genova", "genova")
    _approved_in(torino, "Piazza San Carlo", 5, 5, 5, measures=("cctv", "access_control"))
    _approved_in(torino, "Piazza Castello", 2, 2, 5, measures=("cctv",))
    _approved_in(genova, "Piazza De Ferrari", 3, 3, 4)

    page = _page(client, city_admin)

    coverage = page.context["comparison"][0]["coverage"]
    assert (coverage.mine_spaces, coverage.network_spaces) == (2, 3)
    rows = {r.code: r for r in coverage.rows}
    assert set(rows) == {"cctv", "access_control"}  # the draft's lighting is not approved
    assert (rows["cctv"].mine_with, rows["cctv"].mine_share) == (1, 0.5)
    assert round(rows["cctv"].network_share, 3) == 0.667
    assert (rows["access_control"].mine_with, round(rows["access_control"].network_share, 3)) == (0, 0.333)
    html = page.content.decode()
    assert 'data-testid="coverage-comparison"' in html
    assert "67 %" in html
    for leak in ("Piazza", "Torino", "Genova"):
        assert leak not in html


def test_the_ranking_and_the_city_report_tell_namesakes_apart(  # type: ignore[no-untyped-def]
    client, city, security_officer, city_admin
) -> None:
    """Two halves of a square named alike: each line says which one it is (no street network here,
    so by its size)."""
    import io

    from pypdf import PdfReader

    from tests.spaces.helpers import NICE_LON, square

    big = start(city, security_officer, name="Place Garibaldi")
    _rate(big, "vehicle", 5, 5, 5, security_officer)
    _approve(big, security_officer, city_admin)
    start(city, security_officer, name="Place Garibaldi", polygon=square(NICE_LON + 0.002, size_deg=0.0005))
    client.force_login(security_officer)

    html = client.get("/assessments/").content.decode()

    assert '<span class="muted">8,956 m²</span>' in html
    assert "Place Garibaldi (2,239 m²)" in html  # not yet approved, listed apart
    confirm_password(client)
    pdf = client.get("/assessments/report.pdf").content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Place Garibaldi (8,956 m²)" in " ".join(text.split())
