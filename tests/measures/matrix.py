"""Permission matrix rows of the measure catalogue: every page and API call, by method, × every role.

The shared catalogue is read by every city member and network expert and edited by experts only; a
city's own type is read by its members, edited by its editors, and does not exist for anyone else.
"""

from __future__ import annotations

import datetime
from typing import Any

from tests.matrix_support import MatrixRow, api_row, current_city_statuses, every_role, statuses

MEMBERS = ("admin", "security", "planner", "trainer", "viewer")
EDITORS = ("admin", "security", "planner")
# Pages on the catalogue as such: another city's admin reads their own city's catalogue; the network
# expert reads the shared one; someone without a city reads none.
CATALOGUE = statuses((*MEMBERS, "expert", "other_city_admin"), outsider=403)
NOT_SERVED = every_role(405)


def _types(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.measures.models import MeasureType

    shared = MeasureType.objects.create(
        code="matrix-shared", family="vehicle", kind="planter", name="Shared planter"
    )
    own = MeasureType.objects.create(
        code="matrix-own", city=city, family="vehicle", kind="fixed_bollard", name="Nice steel cables"
    )
    return {"shared": shared, "own": own}


def _form(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "family": "vehicle",
        "kind": "fixed_bollard",
        "rating": "V/7200[N2A]/48/90",
        "cost_unit": "element",
        "permanence": "permanent",
        "cost_min_eur": "3000",
        "cost_max_eur": "6000",
        "integration_aesthetics": "4",
        "effect_vehicle_probability": "70",
    }


def _created(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import MeasureType

    return MeasureType.objects.filter(name="Matrix bollards").exists()


def _renamed(key: str) -> Any:
    def check(ctx: dict[str, Any]) -> bool:
        from pactesur.measures.models import MeasureType

        return MeasureType.objects.get(pk=ctx[key].pk).name == "Renamed type"

    return check


def _installed(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.measures.actions import do_add_feedback, do_record_installation
    from pactesur.measures.models import MeasureType
    from tests.measures.helpers import photo_upload
    from tests.spaces.helpers import make_space

    space = make_space(city, None)
    installed = do_record_installation(
        city,
        acting_user=None,
        space=space,
        measure_type=MeasureType.objects.get(code="planter_rated"),
        quantity=4,
        installed_on=datetime.date(2025, 11, 20),
        total_cost_eur=32000,
        supplier_kind="installer",
    )
    feedback = do_add_feedback(
        installed,
        acting_user=None,
        kind="acceptance",
        happened_on=datetime.date(2026, 1, 5),
        text="Shopkeepers like the trees.",
        acceptance=4,
        photo=photo_upload(),
    )
    return {
        "space": space,
        "installed": installed,
        "feedback": feedback,
        "liege": make_space(other_city, None),
    }


def _installation_form(ctx: dict[str, Any]) -> dict[str, Any]:
    from pactesur.measures.models import MeasureType

    user = ctx["user"]
    space = ctx["liege"] if user is not None and user.username == "other_city_admin" else ctx["space"]
    return {
        "space": space.pk,
        "measure_type": MeasureType.objects.get(code="cctv").pk,
        "quantity": "2",
        "installed_on": "2026-03-01",
        "total_cost_eur": "17000",
        "supplier_kind": "manufacturer",
    }


def _cctv_recorded(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import InstalledMeasure

    return InstalledMeasure.objects.filter(total_cost_eur=17000).exists()


def _cost_changed(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import InstalledMeasure

    return InstalledMeasure.objects.get(pk=ctx["installed"].pk).total_cost_eur == 17000


def _feedback_added(ctx: dict[str, Any]) -> bool:
    return ctx["installed"].feedback.filter(text="Hit by a delivery van, held.").exists()


def _feedback_form(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "incident", "happened_on": "2026-06-01", "text": "Hit by a delivery van, held."}


PLANNERS = ("admin", "security", "planner")


def _queued_plan(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """A plan waiting for a worker (its computation is not run)."""
    from pactesur.measures.actions import do_create_plan
    from tests.assessments.helpers import rate, settle_the_rest, start

    assessment = start(city, None, peak_crowd=3000)
    rate(assessment, "firearms", 3, 4)
    settle_the_rest(assessment)
    return {"plan": do_create_plan(city, acting_user=None, name="Matrix plan", budget_eur=20_000)}


def _plan(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """A computed plan (its task run here, as a worker would)."""
    from pactesur.measures.tasks import compute_plan

    ctx = _queued_plan(city, other_city, user_by_role)
    compute_plan.call(ctx["plan"].pk)
    ctx["plan"].refresh_from_db()
    return ctx


def _plan_made(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import InvestmentPlan

    return InvestmentPlan.objects.filter(name="New matrix plan").exists()


def _approved(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import InvestmentPlan

    return InvestmentPlan.objects.get(pk=ctx["plan"].pk).status == "approved"


def _barrier(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """A plan the engine accepted on the city's network as it is now (a network row without a file:
    no engine runs in the matrix)."""
    from pactesur.measures import barriers
    from pactesur.measures.models import BarrierPlan
    from pactesur.streets.models import StreetNetwork
    from tests.spaces.helpers import make_space

    StreetNetwork.objects.create(
        city=city,
        version=1,
        source_name="matrix.osm",
        file_sha256="0" * 64,
        min_lon=7.26,
        min_lat=43.69,
        max_lon=7.28,
        max_lat=43.71,
        graph_file="none",
        basemap_file="none",
        is_active=True,
    )
    space = make_space(city, None)
    plan = BarrierPlan.objects.create(city=city, space=space, name="Matrix barriers", vehicles=["M1"])
    plan.judgement = {"accepted": True, "vehicles": ["M1"], "entries": [], "elements": [], "reasons": []}
    plan.checked_inputs = barriers.current_inputs(plan) or {}
    plan.save()
    return {"barrier": plan, "space": space}


def _barrier_made(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import BarrierPlan

    return BarrierPlan.objects.filter(name="New barrier plan", city=ctx["city"]).exists()


def _barrier_renamed(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import BarrierPlan

    return BarrierPlan.objects.get(pk=ctx["barrier"].pk).name == "Renamed barriers"


def _barrier_approved(ctx: dict[str, Any]) -> bool:
    from pactesur.measures.models import BarrierPlan

    return BarrierPlan.objects.get(pk=ctx["barrier"].pk).status == "approved"


def _barrier_form(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Renamed barriers",
        "vehicles": ["M1"],
        "el-TOTAL_FORMS": "0",
        "el-INITIAL_FORMS": "0",
        "el-MIN_NUM_FORMS": "0",
        "el-MAX_NUM_FORMS": "200",
    }


ROWS: list[MatrixRow] = [
    MatrixRow("measure catalogue", "GET", lambda s: "/measures/", CATALOGUE, _types),
    MatrixRow("measure catalogue post", "POST", lambda s: "/measures/", NOT_SERVED),
    MatrixRow("shared measure type", "GET", lambda s: f"/measures/{s['shared'].pk}/", CATALOGUE, _types),
    MatrixRow(
        "city's own measure type", "GET", lambda s: f"/measures/{s['own'].pk}/", statuses(MEMBERS), _types
    ),
    MatrixRow("measure type post", "POST", lambda s: f"/measures/{s['shared'].pk}/", NOT_SERVED, _types),
    # Without ?scope=shared the form adds to the current city (another city's admin: to theirs); a
    # network expert without a city adds to the shared catalogue.
    MatrixRow(
        "new measure type form",
        "GET",
        lambda s: "/measures/new/",
        statuses((*EDITORS, "expert", "other_city_admin"), outsider=403),
    ),
    MatrixRow(
        "new measure type",
        "POST",
        lambda s: "/measures/new/",
        statuses((*EDITORS, "expert", "other_city_admin"), ok=302, outsider=403),
        data=_form("Matrix bollards"),
        effect=_created,
    ),
    MatrixRow(
        "new shared measure type",
        "POST",
        lambda s: "/measures/new/?scope=shared",
        statuses(("expert",), ok=302, outsider=403),
        data=_form("Matrix bollards"),
        effect=_created,
    ),
    MatrixRow(
        "edit shared measure type form",
        "GET",
        lambda s: f"/measures/{s['shared'].pk}/edit/",
        statuses(("expert",), outsider=403),
        _types,
    ),
    MatrixRow(
        "edit shared measure type",
        "POST",
        lambda s: f"/measures/{s['shared'].pk}/edit/",
        statuses(("expert",), ok=302, outsider=403),
        _types,
        data=_form("Renamed type"),
        effect=_renamed("shared"),
    ),
    MatrixRow(
        "edit city's own measure type form",
        "GET",
        lambda s: f"/measures/{s['own'].pk}/edit/",
        statuses(EDITORS),
        _types,
    ),
    MatrixRow(
        "edit city's own measure type",
        "POST",
        lambda s: f"/measures/{s['own'].pk}/edit/",
        statuses(EDITORS, ok=302),
        _types,
        data=_form("Renamed type"),
        effect=_renamed("own"),
    ),
    api_row(
        "api measure catalogue",
        "GET",
        lambda s: "/api/v1/measures/",
        (*MEMBERS, "expert", "other_city_admin"),
        _types,
        no_city=403,
    ),
    api_row(
        "api shared measure type",
        "GET",
        lambda s: f"/api/v1/measures/{s['shared'].pk}",
        (*MEMBERS, "expert", "other_city_admin"),
        _types,
        no_city=403,
    ),
    api_row(
        "api city's own measure type", "GET", lambda s: f"/api/v1/measures/{s['own'].pk}", MEMBERS, _types
    ),
    MatrixRow(
        "installed measures",
        "GET",
        lambda s: "/measures/installed/",
        current_city_statuses(MEMBERS),
        _installed,
    ),
    MatrixRow("installed measures post", "POST", lambda s: "/measures/installed/", NOT_SERVED),
    MatrixRow(
        "record installation form",
        "GET",
        lambda s: "/measures/installed/new/",
        current_city_statuses(EDITORS),
    ),
    MatrixRow(
        "record installation",
        "POST",
        lambda s: "/measures/installed/new/",
        current_city_statuses(EDITORS, ok=302),
        _installed,
        data=_installation_form,
        effect=_cctv_recorded,
    ),
    MatrixRow(
        "installed measure",
        "GET",
        lambda s: f"/measures/installed/{s['installed'].pk}/",
        statuses(MEMBERS),
        _installed,
    ),
    MatrixRow(
        "add feedback",
        "POST",
        lambda s: f"/measures/installed/{s['installed'].pk}/",
        statuses(EDITORS, ok=302),
        _installed,
        data=_feedback_form,
        effect=_feedback_added,
    ),
    MatrixRow(
        "edit installed measure form",
        "GET",
        lambda s: f"/measures/installed/{s['installed'].pk}/edit/",
        statuses(EDITORS),
        _installed,
    ),
    MatrixRow(
        "edit installed measure",
        "POST",
        lambda s: f"/measures/installed/{s['installed'].pk}/edit/",
        statuses(EDITORS, ok=302),
        _installed,
        data=lambda s: _installation_form(s) | {"space": s["space"].pk},
        effect=_cost_changed,
    ),
    MatrixRow(
        "feedback photo",
        "GET",
        lambda s: f"/measures/feedback/{s['feedback'].pk}/photo/",
        statuses(MEMBERS),
        _installed,
    ),
    MatrixRow(
        "feedback photo post",
        "POST",
        lambda s: f"/measures/feedback/{s['feedback'].pk}/photo/",
        NOT_SERVED,
        _installed,
    ),
    MatrixRow(
        "investment plans", "GET", lambda s: "/measures/plans/", current_city_statuses(PLANNERS), _plan
    ),
    MatrixRow(
        "new investment plan",
        "POST",
        lambda s: "/measures/plans/",
        current_city_statuses(PLANNERS, ok=302),
        data={"name": "New matrix plan", "budget_eur": "1000"},
        effect=_plan_made,
    ),
    MatrixRow(
        "investment plan", "GET", lambda s: f"/measures/plans/{s['plan'].pk}/", statuses(PLANNERS), _plan
    ),
    MatrixRow(
        "investment plan post", "POST", lambda s: f"/measures/plans/{s['plan'].pk}/", NOT_SERVED, _plan
    ),
    MatrixRow(
        "investment plan status",
        "GET",
        lambda s: f"/measures/plans/{s['plan'].pk}/status.json",
        statuses(PLANNERS),
        _queued_plan,
    ),
    MatrixRow(
        "investment plan status post",
        "POST",
        lambda s: f"/measures/plans/{s['plan'].pk}/status.json",
        NOT_SERVED,
        _queued_plan,
    ),
    MatrixRow(
        "approve investment plan",
        "POST",
        lambda s: f"/measures/plans/{s['plan'].pk}/approve/",
        statuses(("admin", "security"), ok=302),
        _plan,
        effect=_approved,
    ),
    MatrixRow(
        "approve investment plan get",
        "GET",
        lambda s: f"/measures/plans/{s['plan'].pk}/approve/",
        NOT_SERVED,
        _plan,
    ),
    MatrixRow(
        "investment plan frontier",
        "GET",
        lambda s: f"/measures/plans/{s['plan'].pk}/frontier.png",
        statuses(PLANNERS),
        _plan,
    ),
    MatrixRow(
        "investment plan csv",
        "GET",
        lambda s: f"/measures/plans/{s['plan'].pk}/plan.csv",
        statuses(PLANNERS),
        _plan,
    ),
    MatrixRow(
        "barrier plans", "GET", lambda s: "/measures/barriers/", current_city_statuses(PLANNERS), _barrier
    ),
    MatrixRow(
        "new barrier plan",
        "POST",
        lambda s: "/measures/barriers/",
        # another city's admin works on their own city, where this space does not exist: the form says so
        {**current_city_statuses(PLANNERS, ok=302), "other_city_admin": 400},
        _barrier,
        data=lambda s: {
            "space": s["space"].pk,
            "name": "New barrier plan",
            "vehicles": ["M1"],
            "start": "empty",
        },
        effect=_barrier_made,
    ),
    MatrixRow(
        "barrier plan",
        "GET",
        lambda s: f"/measures/barriers/{s['barrier'].pk}/",
        statuses(PLANNERS),
        _barrier,
    ),
    MatrixRow(
        "barrier plan save",
        "POST",
        lambda s: f"/measures/barriers/{s['barrier'].pk}/",
        statuses(PLANNERS, ok=302),
        _barrier,
        data=_barrier_form,
        effect=_barrier_renamed,
    ),
    MatrixRow(
        "approve barrier plan",
        "POST",
        lambda s: f"/measures/barriers/{s['barrier'].pk}/approve/",
        statuses(("admin", "security"), ok=302),
        _barrier,
        effect=_barrier_approved,
    ),
    MatrixRow(
        "approve barrier plan get",
        "GET",
        lambda s: f"/measures/barriers/{s['barrier'].pk}/approve/",
        NOT_SERVED,
        _barrier,
    ),
]
