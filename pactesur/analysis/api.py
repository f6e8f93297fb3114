"""API of analysis: /api/v1/analysis/ — the same permissions and audit as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from pactesur.analysis.actions import active_network, do_enqueue_space_analysis
from pactesur.analysis.models import CitySpeedMap
from pactesur.analysis.parameters import parameters_hash
from pactesur.analysis.results import ClassAnalysis, space_analyses, space_ranking, space_warnings
from pactesur.analysis.speedmaps import BANDS_KMH
from pactesur.audit.actions import do_record_view
from pactesur.cities.models import City, cities_where, has_city_perm
from pactesur.spaces.models import Space

router = Router(tags=["analysis"])


def _denied() -> HttpError:
    return HttpError(403, _("Your role in this city does not allow this."))


class WarningOut(Schema):
    code: str
    # The classes it concerns; empty for the whole space.
    vehicles: list[str]
    params: dict[str, Any]
    # The warning in the language of the request (Accept-Language), written from its code and params.
    text: str


class PathSpeedOut(Schema):
    """The path speed of a class (issue 8): its fastest entry along the best line between the mapped
    streetscape; null where no line fits, and `has_path` false for results computed before."""

    has_path: bool = False
    path_speed_kmh: float | None = None
    path_required_rating: str | None = None
    path_beyond_rating: bool = False
    path_rating_summary: str = ""
    path_closed: int = 0


class ClassRatingOut(PathSpeedOut):
    vehicle: str
    max_impact_speed_kmh: float | None
    max_kinetic_energy_kj: float | None
    # Null when the class arrives faster than any test of its class (`beyond_rating`).
    required_rating: str | None
    beyond_rating: bool
    # The rating, or "no tested rating: reduce the speed first", in the language of the request.
    rating_summary: str


class AnalysisOut(PathSpeedOut):
    vehicle: str
    # queued, running, succeeded, failed, stale, missing, or outside: not analysed because no street
    # of the network reaches the space (`error` says how far the nearest one is); never a result.
    status: str
    current: bool
    error: str
    network_version: int | None
    params_hash: str | None
    computed_at: datetime | None
    max_impact_speed_kmh: float | None
    max_kinetic_energy_kj: float | None
    entry_count: int | None
    unprotected_entry_count: int | None
    max_exposure_m: float | None
    # Null when no tested rating of the class stops it (`beyond_rating`): see `rating_summary`.
    required_rating: str | None
    required_test_speed_kmh: int | None
    beyond_rating: bool | None
    # The rating, or "no tested rating: reduce the speed first", in the language of the request.
    rating_summary: str
    # The `pactesur vda` entries (with approach paths, speed profiles) and the existing barriers that
    # stop an approach: only for roles allowed the full analysis.
    entries: list[dict[str, Any]] | None = None
    barriers: list[dict[str, Any]] | None = None


class SpaceAnalysesOut(Schema):
    space: int
    name: str
    city: int
    network_version: int | None
    params_hash: str
    pending: bool
    analyses: list[AnalysisOut]
    # What the data cannot show about this space (each once, for every class or one).
    warnings: list[WarningOut]


class QueuedOut(Schema):
    space: int
    queued: list[str]
    network_version: int


class SpeedMapOut(Schema):
    vehicle: str
    computed_at: datetime
    segment_count: int
    usable_segment_count: int
    max_speed_kmh: float | None
    km_by_band: list[float]


class RankedSpaceOut(Schema):
    space_id: int
    name: str
    # What tells the space from another of the same name (`name_shared`).
    kind: str
    area_m2: int
    name_shared: bool
    max_impact_speed_kmh: float | None
    speed_vehicle: str
    max_kinetic_energy_kj: float | None
    energy_vehicle: str
    # The rating for the heaviest impact; null when that class is beyond any tested rating.
    required_rating: str | None
    beyond_rating: bool
    beyond_classes: list[str]
    # Every class's rating, or that no tested rating stops it at its speed.
    ratings: list[ClassRatingOut]
    entries_above_16_kmh: int


class CitySpeedsOut(Schema):
    city: int
    network_version: int | None
    params_hash: str
    bands_kmh: list[int]
    speed_maps: list[SpeedMapOut]
    spaces: list[RankedSpaceOut]


def _space(request: HttpRequest, space_id: int, action: str) -> Space:
    space: Space = get_object_or_404(
        Space.objects.for_user(request.user, "space.view").select_related("city"), pk=space_id
    )
    if not has_city_perm(request.user, space.city_id, action):
        raise _denied()
    return space


def _analysis_out(item: ClassAnalysis, *, full: bool) -> dict[str, Any]:
    row = item.row
    out: dict[str, Any] = {
        "vehicle": item.vehicle,
        "status": item.status,
        "current": item.current,
        "error": row.shown_error if row is not None else "",
        "network_version": row.network_version if row is not None else None,
        "params_hash": row.params_hash if row is not None else None,
        "computed_at": row.computed_at if row is not None else None,
        **item.summary(),
    }
    if full:
        out["entries"] = row.entries if row is not None and item.has_result else []
        out["barriers"] = row.barriers if row is not None and item.has_result else []
    return out


@router.get("/spaces/{int:space_id}", response=SpaceAnalysesOut, summary="A space's analyses")
def get_space_analyses(request: HttpRequest, space_id: int) -> Any:
    """Per vehicle class, the space's current analysis: summary and warnings for planners, with
    entries, paths, speed profiles and existing barriers for security managers and administrators
    (that view is audited)."""
    space = _space(request, space_id, "analysis.summary")
    full = has_city_perm(request.user, space.city_id, "analysis.view")
    inputs, analyses = space_analyses(space)
    if full:
        do_record_view(
            space,
            acting_user=request.user,
            request=request,
            detail={"what": "approach analyses (API)", "analyses": [a.row.pk for a in analyses if a.row]},
        )
    return {
        "space": space.pk,
        "name": space.display_name,
        "city": space.city_id,
        "network_version": inputs.network.version if inputs else None,
        "params_hash": parameters_hash(),
        "pending": any(a.pending for a in analyses),
        "analyses": [_analysis_out(a, full=full) for a in analyses],
        "warnings": space_warnings(analyses),
    }


@router.post("/spaces/{int:space_id}/run", response={202: QueuedOut}, summary="Re-run a space's analysis")
def run_space_analysis(request: HttpRequest, space_id: int) -> Any:
    """Queue the analysis of the space for every vehicle class on the active network."""
    space = _space(request, space_id, "analysis.run")
    queued = do_enqueue_space_analysis(space, acting_user=request.user, force=True, request=request)
    network = active_network(space.city_id)
    return Status(
        202,
        {
            "space": space.pk,
            "queued": [r.vehicle for r in queued],
            "network_version": network.version if network else 0,
        },
    )


@router.get("/cities/{int:city_id}/speeds", response=CitySpeedsOut, summary="City-wide speed summary")
def city_speeds(request: HttpRequest, city_id: int) -> Any:
    """Per vehicle class, the street length in each speed band on the active network, and the spaces
    ranked by their highest impact speed."""
    if city_id not in cities_where(request.user, "city.view"):
        raise Http404
    if not has_city_perm(request.user, city_id, "analysis.view"):
        raise _denied()
    city = City.objects.get(pk=city_id)
    network = active_network(city)
    maps = (
        list(CitySpeedMap.objects.filter(network=network, params_hash=parameters_hash()).order_by("id"))
        if network is not None
        else []
    )
    do_record_view(
        city, acting_user=request.user, request=request, detail={"what": "city speed summary (API)"}
    )
    return {
        "city": city.pk,
        "network_version": network.version if network else None,
        "params_hash": parameters_hash(),
        "bands_kmh": list(BANDS_KMH),
        "speed_maps": maps,
        "spaces": space_ranking(city),
    }
