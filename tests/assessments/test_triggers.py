"""Re-assessment when things change: each change, made through the code that really makes it, flags
the assessments in review or approved that it concerns with a task — and leaves drafts alone."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.parameters import parameters_hash, polygon_hash
from pactesur.assessments import triggers
from pactesur.assessments.actions import (
    do_approve_assessment,
    do_reopen_assessment,
    do_submit_assessment,
)
from pactesur.assessments.models import (
    ActionStatus,
    Assessment,
    FlagReason,
    ReassessmentFlag,
    RecordedAttack,
    RiskAction,
)
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.errors import InvalidRequestError
from pactesur.events.actions import do_create_event
from pactesur.measures.barrier_actions import do_create_barrier_plan, do_update_barrier_plan
from pactesur.measures.models import BarrierPlan, InstalledMeasure, MeasureType, PlanStatus
from pactesur.spaces.actions import do_update_space
from pactesur.spaces.models import Space
from tests.assessments.helpers import rate, settle_the_rest, start
from tests.spaces.helpers import NICE_LAT, NICE_LON, make_event, square
from tests.streets.factories import StreetNetworkFactory

pytestmark = pytest.mark.django_db


# --- builders ------------------------------------------------------------------------------------


def draft(city: Any, author: Any, *, name: str = "Place Masséna", **space: Any) -> Assessment:
    """A submittable draft: the vehicle scenario rated, the others not applicable."""
    space.setdefault("peak_crowd", 20000)
    assessment = start(city, author, name=name, **space)
    rate(assessment, "vehicle", 3, 3, author)
    settle_the_rest(assessment, author)
    return assessment


def in_review(city: Any, author: Any, **kw: Any) -> Assessment:
    assessment = draft(city, author, **kw)
    do_submit_assessment(assessment, acting_user=author)
    return Assessment.objects.get(pk=assessment.pk)


def approved(city: Any, author: Any, reviewer: Any, **kw: Any) -> Assessment:
    assessment = in_review(city, author, **kw)
    do_approve_assessment(assessment, acting_user=reviewer)
    return Assessment.objects.get(pk=assessment.pk)


def open_flags(assessment: Assessment, reason: str | None = None) -> list[ReassessmentFlag]:
    flags = ReassessmentFlag.objects.filter(assessment=assessment, cleared_at__isnull=True)
    if reason is not None:
        flags = flags.filter(reason=reason)
    return list(flags)


def only_flag(assessment: Assessment, reason: str) -> ReassessmentFlag:
    flags = open_flags(assessment)
    assert [f.reason for f in flags] == [reason]
    return flags[0]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _space(assessment: Assessment) -> Space:
    return Space.objects.get(pk=assessment.space_id)


# --- the flag and its task -------------------------------------------------------------------------


def test_a_flag_comes_with_a_task_for_the_approver_due_in_30_days(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    city_admin.first_name, city_admin.last_name = "Claire", "Martin"
    city_admin.save()
    city.languages = "en"  # the task is written in the city's first language
    city.save()
    a = approved(city, security_officer, city_admin)

    with django_capture_on_commit_callbacks(execute=True):
        make_event(_space(a), security_officer, name="Fête du citron")

    flag = only_flag(a, FlagReason.EVENT)
    task = RiskAction.objects.get(pk=flag.task_id)
    assert task.assessment_id == a.pk
    assert task.title == "Re-assess: A new event at the space"
    assert task.owner == "Claire Martin"
    assert task.due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert task.status == ActionStatus.OPEN
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="assessments.reassessmentflag")
    assert created.detail["task"] == task.pk
    assert created.city_id == city.pk


def test_an_assessment_in_review_gets_a_task_for_the_security_manager_in_the_city_s_language(
    city, security_officer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    assert city.languages == "fr,en"
    a = in_review(city, security_officer)

    with django_capture_on_commit_callbacks(execute=True):
        make_event(_space(a), security_officer)

    # Nobody approved it yet: the task goes to the role, in French, whatever the acting user reads.
    assert only_flag(a, FlagReason.EVENT).task.owner == "Responsable sécurité"


def test_a_second_change_of_the_same_kind_updates_the_open_flag(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)

    with django_capture_on_commit_callbacks(execute=True):
        first = make_event(_space(a), security_officer, name="Carnaval")
        second = make_event(_space(a), security_officer, name="Marathon", days_from_now=20)

    flag = only_flag(a, FlagReason.EVENT)
    assert [e["id"] for e in flag.detail["events"]] == [first.pk, second.pk]
    assert RiskAction.objects.filter(assessment=a).count() == 1
    assert "Carnaval" in triggers.flag_text(flag)
    assert "Marathon" in triggers.flag_text(flag)


def test_approving_the_next_cycle_clears_the_flags_and_completes_their_tasks(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        make_event(_space(a), security_officer)
    flag = only_flag(a, FlagReason.EVENT)

    do_reopen_assessment(a, acting_user=security_officer)
    a = Assessment.objects.get(pk=a.pk)
    assert open_flags(a) == [flag]  # a new cycle is no re-assessment yet
    do_submit_assessment(a, acting_user=security_officer)
    a = Assessment.objects.get(pk=a.pk)
    do_approve_assessment(a, acting_user=city_admin)
    # The approval itself cleared it: a second call finds nothing left to clear.
    cleared = triggers.clear_flags_on_approval(Assessment.objects.get(pk=a.pk), acting_user=city_admin)

    flag.refresh_from_db()
    assert flag.cleared_at is not None
    assert flag.cleared_by == city_admin
    assert flag.clearing == "Réévaluée au cycle 2"  # in the city’s first language, like its task
    assert flag.task.status == ActionStatus.DONE
    assert flag.task.done_at is not None
    assert cleared == 0
    assert AuditEvent.objects.filter(detail__flags_cleared=[flag.pk]).count() == 1


def test_clearing_on_approval_clears_every_open_flag_of_the_assessment_only(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    other = approved(city, security_officer, city_admin, name="Cours Saleya")
    with django_capture_on_commit_callbacks(execute=True):
        make_event(_space(a), security_officer)
        make_event(_space(other), security_officer)
        do_update_space(_space(a), acting_user=security_officer, peak_crowd=30000)

    assert triggers.clear_flags_on_approval(a, acting_user=city_admin) == 2

    assert open_flags(a) == []
    assert len(open_flags(other)) == 1
    assert not RiskAction.objects.filter(assessment=a, status=ActionStatus.OPEN).exists()


def test_dismissing_a_flag_needs_a_reason_and_cancels_its_task(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        make_event(_space(a), security_officer)
    flag = only_flag(a, FlagReason.EVENT)

    with pytest.raises(InvalidRequestError):
        triggers.do_dismiss_flag(flag, "   ", acting_user=city_admin)
    assert open_flags(a) == [flag]

    triggers.do_dismiss_flag(flag, "A private wedding of 40 guests", acting_user=city_admin)

    flag.refresh_from_db()
    assert flag.clearing == "A private wedding of 40 guests"
    assert flag.cleared_by == city_admin
    assert flag.task.status == ActionStatus.CANCELLED
    with pytest.raises(triggers.FlagStateError):
        triggers.do_dismiss_flag(flag, "again", acting_user=city_admin)
    row = AuditEvent.objects.get(object_type="assessments.reassessmentflag", detail__dismissed=True)
    assert row.detail["reason"] == "A private wedding of 40 guests"


# --- attacks -------------------------------------------------------------------------------------


def test_an_incident_at_a_space_flags_its_assessment_and_those_of_spaces_of_its_kind(
    city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    massena = approved(city, security_officer, city_admin, kind="square")
    garibaldi = approved(city, security_officer, city_admin, name="Place Garibaldi", kind="square")
    saleya = approved(city, security_officer, city_admin, name="Cours Saleya", kind="market")
    rossetti = draft(city, security_officer, name="Place Rossetti", kind="square")

    attack = triggers.do_record_attack(
        city,
        attack_type="vehicle",
        happened_on=timezone.localdate(),
        place="Place Masséna, Nice",
        space=_space(massena),
        acting_user=security_officer,
    )

    assert attack.space_kind == "square"
    assert only_flag(massena, FlagReason.INCIDENT).detail["attacks"][0]["id"] == attack.pk
    assert only_flag(garibaldi, FlagReason.COMPARABLE_ATTACK).detail["attacks"][0]["place"] == (
        "Place Masséna, Nice"
    )
    assert open_flags(saleya) == []  # a market is not a square
    assert open_flags(rossetti) == []  # a draft is being worked on
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="assessments.recordedattack")


def test_an_attack_on_a_market_elsewhere_flags_the_city_s_markets(
    city, other_city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    saleya = approved(city, security_officer, city_admin, name="Cours Saleya", kind="market")
    massena = approved(city, security_officer, city_admin, kind="square")

    triggers.do_record_attack(
        city,
        attack_type="vehicle",
        happened_on=timezone.localdate(),
        place="Breitscheidplatz, Berlin",
        space_kind="market",
        acting_user=security_officer,
    )

    flag = only_flag(saleya, FlagReason.COMPARABLE_ATTACK)
    assert "Breitscheidplatz, Berlin" in triggers.flag_text(flag)
    assert open_flags(massena) == []


def test_an_attack_before_the_approval_was_known_then_and_flags_nothing(
    city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    saleya = approved(city, security_officer, city_admin, name="Cours Saleya", kind="market")

    triggers.do_record_attack(
        city,
        attack_type="vehicle",
        happened_on=datetime.date(2016, 7, 14),
        place="Promenade des Anglais, Nice",
        space_kind="market",
        acting_user=security_officer,
    )

    assert RecordedAttack.objects.filter(city=city).count() == 1
    assert open_flags(saleya) == []


def test_an_attack_is_refused_in_the_future_or_at_another_city_s_space(
    city, other_city, security_officer
) -> None:  # type: ignore[no-untyped-def]
    liege = start(other_city, None, name="Place Saint-Lambert").space
    with pytest.raises(InvalidRequestError):
        triggers.do_record_attack(
            city,
            attack_type="vehicle",
            happened_on=timezone.localdate() + datetime.timedelta(days=1),
            place="Nice",
            acting_user=security_officer,
        )
    with pytest.raises(InvalidRequestError):
        triggers.do_record_attack(
            city,
            attack_type="vehicle",
            happened_on=timezone.localdate(),
            place="Liège",
            space=liege,
            acting_user=security_officer,
        )
    assert not RecordedAttack.objects.exists()


# --- the space: outline and crowd ----------------------------------------------------------------


def test_an_edited_outline_flags_the_approved_assessment_with_its_area(
    city, security_officer, city_admin, planner, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    before = round(a.submitted_area_m2)

    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(_space(a), acting_user=planner, polygon=square(NICE_LON, NICE_LAT, 0.0015))

    flag = only_flag(a, FlagReason.OUTLINE)
    assert flag.detail["figures"]["area_m2"]["from"] == before
    assert flag.detail["figures"]["area_m2"]["to"] > before * 2
    assert flag.raised_by == planner


def test_a_changed_crowd_flags_the_approved_assessment_and_a_draft_only_follows_it(
    city, security_officer, city_admin, planner, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    d = draft(city, security_officer, name="Place Garibaldi")

    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(_space(a), acting_user=planner, peak_crowd=35000)
        do_update_space(_space(d), acting_user=planner, peak_crowd=35000)

    flag = only_flag(a, FlagReason.CROWD)
    assert flag.detail["figures"] == {"peak_crowd": {"from": 20000, "to": 35000}}
    assert "peak crowd from 20" in triggers.flag_text(flag)
    assert open_flags(d) == []
    assert Assessment.objects.get(pk=d.pk).peak_crowd == 35000  # the draft reads the space's


def test_a_crowd_changed_back_keeps_where_the_flag_started(
    city, security_officer, city_admin, planner, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)

    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(_space(a), acting_user=planner, peak_crowd=35000)
        do_update_space(_space(a), acting_user=planner, peak_crowd=40000)

    assert only_flag(a, FlagReason.CROWD).detail["figures"]["peak_crowd"] == {"from": 20000, "to": 40000}


# --- events --------------------------------------------------------------------------------------


def test_a_new_event_flags_the_assessment_but_a_past_one_or_one_at_a_draft_does_not(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    d = draft(city, security_officer, name="Place Garibaldi")
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        do_create_event(
            city,
            acting_user=security_officer,
            space=_space(a),
            name="Last year's carnival",
            starts_at=now - datetime.timedelta(days=300),
            ends_at=now - datetime.timedelta(days=299),
            expected_attendance=50000,
        )
        make_event(_space(d), security_officer)
    assert open_flags(a) == []
    assert open_flags(d) == []

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(_space(a), security_officer, name="Nice Jazz Festival")

    flag = only_flag(a, FlagReason.EVENT)
    assert flag.detail["events"] == [
        {
            "id": event.pk,
            "name": "Nice Jazz Festival",
            "starts": timezone.localtime(event.starts_at).date().isoformat(),
            "attendance": 20000,
        }
    ]
    assert flag.raised_by == security_officer


def test_an_event_rolled_back_raises_no_flag(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    a = approved(city, security_officer, city_admin)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        make_event(_space(a), security_officer)
        raise RuntimeError("the page failed after saving the event")

    assert callbacks == []
    assert open_flags(a) == []


# --- measures removed ----------------------------------------------------------------------------


def test_an_approved_barrier_plan_changed_back_to_draft_flags_the_assessment(
    city, security_officer, city_admin, planner, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    plan = do_create_barrier_plan(
        _space(a), acting_user=planner, name="Masséna bollards", vehicles=["M1"], from_proposal=False
    )
    # Approving takes the engine on a street network; the approval itself is not what is tested here.
    BarrierPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    line = {
        "kind": "barrier_line",
        "geometry": {
            "type": "LineString",
            "coordinates": [[NICE_LON, NICE_LAT], [NICE_LON + 0.0002, NICE_LAT]],
        },
        "rating": "unrated",
        "gap_m": 1.2,
        "opening_m": 0.0,
        "opening_rating": "unrated",
        "label": "north",
    }

    with django_capture_on_commit_callbacks(execute=True):
        plan = do_update_barrier_plan(
            BarrierPlan.objects.get(pk=plan.pk),
            acting_user=planner,
            name="Masséna bollards",
            vehicles=["M1"],
            elements=[line],
        )

    assert plan.status == PlanStatus.DRAFT
    flag = only_flag(a, FlagReason.MEASURE_REMOVED)
    assert flag.detail["measures"] == [{"kind": "barrier_plan", "id": plan.pk, "name": "Masséna bollards"}]
    assert triggers.flag_text(flag) == "Masséna bollards"


def test_a_draft_barrier_plan_changed_flags_nothing(
    city, security_officer, city_admin, planner, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)

    with django_capture_on_commit_callbacks(execute=True):
        plan = do_create_barrier_plan(
            _space(a), acting_user=planner, name="Sketch", vehicles=["M1"], from_proposal=False
        )
        do_update_barrier_plan(plan, acting_user=planner, name="Sketch", vehicles=["M1", "N3C"], elements=[])

    assert open_flags(a) == []


def test_an_installed_measure_deleted_flags_the_assessment(
    city, security_officer, city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.actions import do_record_installation

    a = approved(city, security_officer, city_admin)
    installed = do_record_installation(
        city,
        acting_user=security_officer,
        space=_space(a),
        measure_type=MeasureType.objects.get(code="cctv"),
        installed_on=datetime.date(2024, 5, 1),
        total_cost_eur=12000,
        supplier_kind="installer",
    )
    assert open_flags(a) == []

    # The measures app has no action that removes an installation yet: the row's deletion is the path.
    with django_capture_on_commit_callbacks(execute=True):
        InstalledMeasure.objects.get(pk=installed.pk).delete()

    flag = only_flag(a, FlagReason.MEASURE_REMOVED)
    assert flag.detail["measures"][0]["kind"] == "installed_measure"
    assert flag.detail["measures"][0]["id"] == installed.pk


# --- the approach analysis -----------------------------------------------------------------------


def _analysis(space: Space, network: Any, **figures: Any) -> ApproachAnalysis:
    """A queued analysis row of the M1 class, as `do_enqueue_space_analysis` makes it."""
    return ApproachAnalysis.objects.create(
        city=space.city,
        space=space,
        vehicle="M1",
        network=network,
        network_version=network.version,
        params_hash=parameters_hash(),
        polygon_hash=polygon_hash(space.polygon),
        status=AnalysisStatus.QUEUED,
        **figures,
    )


def _newer_network(network: Any) -> Any:
    """The city's next network version, active in place of `network` (as an import makes it)."""
    type(network).objects.filter(pk=network.pk).update(is_active=False)
    return StreetNetworkFactory(city=network.city, version=network.version + 1)


def _computed(row: ApproachAnalysis, speed_kmh: float, entries: int, unprotected: int) -> None:
    """What the worker does when the engine is done (`analysis.actions._compute`)."""
    row.max_impact_speed_kmh = speed_kmh
    row.max_kinetic_energy_kj = 0.5 * 1500 * (speed_kmh / 3.6) ** 2 / 1000
    row.entry_count = entries
    row.unprotected_entry_count = unprotected
    row.status = AnalysisStatus.SUCCEEDED
    row.computed_at = row.updated_at = timezone.now()
    row.save()


def test_an_analysis_re_run_with_other_figures_flags_the_assessment(
    city, security_officer, city_admin, data_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    network = StreetNetworkFactory(city=city, version=1)
    row = _analysis(_space(a), network)
    with django_capture_on_commit_callbacks(execute=True):
        _computed(row, 42.0, 3, 2)
    first = only_flag(a, FlagReason.STALE_ANALYSIS)  # the first analysis since the approval
    assert first.detail["vehicles"]["M1"]["from"] is None
    triggers.do_dismiss_flag(first, "read at the site visit", acting_user=city_admin)

    # The same inputs computed again (the "re-run" button): the same figures flag nothing.
    with django_capture_on_commit_callbacks(execute=True):
        _computed(ApproachAnalysis.objects.get(pk=row.pk), 42.0, 3, 2)
    assert open_flags(a) == []

    # A new network version: the entries changed.
    newer = _newer_network(network)
    with django_capture_on_commit_callbacks(execute=True):
        _computed(_analysis(_space(a), newer), 55.0, 4, 3)

    flag = only_flag(a, FlagReason.STALE_ANALYSIS)
    change = flag.detail["vehicles"]["M1"]
    assert change["from"]["max_impact_speed_kmh"] == 42.0
    assert change["to"]["max_impact_speed_kmh"] == 55.0
    assert change["to"]["entry_count"] == 4
    text = triggers.flag_text(flag)
    assert "highest impact speed (km/h) from 42 to 55" in text
    assert "entries from 3 to 4" in text


def test_check_stale_analysis_compares_with_the_analysis_at_approval(
    city, security_officer, city_admin, data_dir
) -> None:  # type: ignore[no-untyped-def]
    network = StreetNetworkFactory(city=city, version=1)
    a = in_review(city, security_officer)
    _computed(_analysis(_space(a), network), 42.0, 3, 2)
    do_approve_assessment(a, acting_user=city_admin)
    a = Assessment.objects.get(pk=a.pk)
    assert triggers.check_stale_analysis(a) == []

    newer = _newer_network(network)
    row = _analysis(_space(a), newer)
    _computed(row, 42.0, 3, 2)
    assert triggers.check_stale_analysis(a) == []  # same figures on the new network

    row.status = AnalysisStatus.QUEUED
    row.save()
    _computed(ApproachAnalysis.objects.get(pk=row.pk), 61.0, 3, 3)
    assert triggers.check_stale_analysis(a) == ["M1"]


def test_an_analysis_of_a_draft_s_space_flags_nothing(
    city, security_officer, data_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    d = draft(city, security_officer)
    network = StreetNetworkFactory(city=city, version=1)

    with django_capture_on_commit_callbacks(execute=True):
        _computed(_analysis(_space(d), network), 42.0, 3, 2)

    assert open_flags(d) == []


def test_the_space_analysed_again_after_its_outline_grew_flags_outline_and_analysis(
    city, security_officer, city_admin, planner, data_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """End to end on the real Leeds extract: the engine computes, the outline is edited with the spaces'
    action, the worker's job runs again, and the assessment is flagged for both changes."""
    from pactesur.analysis.actions import do_run_space_analysis
    from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, box, import_leeds

    import_leeds(city)
    a = in_review(
        city, security_officer, name="Woodhouse Lane crossing", polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT)
    )
    do_run_space_analysis(_space(a))
    do_approve_assessment(a, acting_user=city_admin)
    a = Assessment.objects.get(pk=a.pk)
    assert triggers.check_stale_analysis(a) == []
    before = ApproachAnalysis.objects.get(space_id=a.space_id, vehicle="M1", status=AnalysisStatus.SUCCEEDED)

    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(
            _space(a), acting_user=planner, polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT, 0.0012, 0.0008)
        )
        do_run_space_analysis(_space(a))

    after = ApproachAnalysis.objects.get(space_id=a.space_id, vehicle="M1", status=AnalysisStatus.SUCCEEDED)
    assert after.pk != before.pk
    assert triggers.analysis_figures(after) != triggers.analysis_figures(before)
    assert {f.reason for f in open_flags(a)} == {FlagReason.OUTLINE, FlagReason.STALE_ANALYSIS}
    stale = open_flags(a, FlagReason.STALE_ANALYSIS)[0]
    assert stale.detail["vehicles"]["M1"]["from"] == triggers.analysis_figures(before)
    assert stale.detail["vehicles"]["M1"]["to"] == triggers.analysis_figures(after)
    assert "M1" in triggers.check_stale_analysis(a)


# --- pages ---------------------------------------------------------------------------------------


def test_the_flags_page_lists_the_city_s_open_flags_and_dismisses_one(
    city, other_city, security_officer, city_admin, other_city_admin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    liege = approved(other_city, other_city_admin, None, name="Place Saint-Lambert")
    with django_capture_on_commit_callbacks(execute=True):
        make_event(_space(a), security_officer, name="Nice Jazz Festival")
        make_event(_space(liege), other_city_admin, name="Foire de Liège")
    client = _client(city_admin)

    page = client.get("/assessments/flags/").content.decode()

    assert "Nice Jazz Festival" in page
    assert "Foire de Liège" not in page
    assert "A new event at the space" in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__what="re-assessment flags").exists()

    flag = only_flag(a, FlagReason.EVENT)
    response = client.post(f"/assessments/flags/{flag.pk}/dismiss/", {"reason": "", "next": "/elsewhere"})
    assert response.status_code == 302
    assert open_flags(a) == [flag]  # no reason, no dismissal
    response = client.post(
        f"/assessments/flags/{flag.pk}/dismiss/",
        {"reason": "Held in the Jardin Albert Ier", "next": f"/assessments/{a.pk}/"},
    )
    assert response["Location"] == f"/assessments/{a.pk}/"
    assert open_flags(a) == []
    assert "No assessment needs a re-assessment now." in client.get("/assessments/flags/").content.decode()


def test_a_flag_of_another_city_cannot_be_dismissed(
    city,
    other_city,
    security_officer,
    city_admin,
    other_city_admin,
    planner,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        make_event(_space(a), security_officer)
    flag = only_flag(a, FlagReason.EVENT)

    outside = _client(other_city_admin).post(f"/assessments/flags/{flag.pk}/dismiss/", {"reason": "mine"})
    inside = _client(planner).post(f"/assessments/flags/{flag.pk}/dismiss/", {"reason": "mine"})

    assert (outside.status_code, inside.status_code) == (404, 403)
    assert open_flags(a) == [flag]


def test_the_attacks_page_records_an_attack_and_flags_the_comparable_spaces(
    city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    saleya = approved(city, security_officer, city_admin, name="Cours Saleya", kind="market")
    client = _client(security_officer)
    assert "Kind of space attacked" in client.get("/assessments/attacks/").content.decode()

    response = client.post(
        "/assessments/attacks/",
        {
            "attack_type": "vehicle",
            "happened_on": timezone.localdate().isoformat(),
            "place": "Breitscheidplatz, Berlin",
            "space_kind": "market",
            "description": "A lorry drove into the Christmas market.",
            "source": "Police bulletin",
        },
    )

    assert response.status_code == 302
    only_flag(saleya, FlagReason.COMPARABLE_ATTACK)
    page = client.get("/assessments/attacks/").content.decode()
    assert "Breitscheidplatz, Berlin" in page
    assert "A lorry drove into the Christmas market." in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__what="recorded attacks").exists()


def test_a_planner_cannot_record_an_attack(city, planner) -> None:  # type: ignore[no-untyped-def]
    response = _client(planner).post(
        "/assessments/attacks/",
        {"attack_type": "vehicle", "happened_on": "2024-12-19", "place": "Berlin", "space_kind": "market"},
    )

    assert response.status_code == 403
    assert not RecordedAttack.objects.exists()
