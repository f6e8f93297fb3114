"""Pages of the analysis app: a space's approach analysis, the city-wide speeds, re-runs, exports.

Who sees what: `analysis.view` (admin, security) the full analysis — entries, approach paths,
city-wide speeds — audited on every view and export; `analysis.summary` (also planners) the
per-class summary of each space and the ranking; `analysis.run` (admin, security) re-runs.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pactesur.accounts.reauth import require_recent_auth
from pactesur.analysis.actions import (
    active_network,
    do_enqueue_city_analysis,
    do_enqueue_space_analysis,
    do_export_street_speeds,
)
from pactesur.analysis.models import CitySpeedMap
from pactesur.analysis.page_cache import city_stamp, kept, rendering_key, space_stamp, speed_maps_stamp
from pactesur.analysis.parameters import ANALYSIS_VERSION, parameters_hash, vehicle_codes
from pactesur.analysis.results import (
    ClassAnalysis,
    assumed_width_ways,
    barrier_rows,
    city_progress,
    city_speed_maps,
    entry_rows,
    export_geojson,
    export_json,
    space_analyses,
    space_ranking,
    space_warnings,
    spaces_not_analysed,
    speed_map,
    street_tables,
)
from pactesur.analysis.speedmaps import BANDS_KMH, lines_path
from pactesur.analysis.vehicle_labels import vehicle_choices
from pactesur.audit.actions import do_record_export, do_record_view
from pactesur.cities.access import city_permission_required
from pactesur.cities.errors import InvalidRequestError
from pactesur.cities.models import City, cities_where, has_city_perm
from pactesur.spaces.models import Space

T = TypeVar("T")

# How many of the fastest streets the city page lists per vehicle class (the CSV lists them all).
FASTEST_STREETS_SHOWN = 15


def space_or_404(request: HttpRequest, pk: int, action: str) -> Space:
    """The space `pk` of one of the user's cities (else 404), if their role allows `action` (else 403)."""
    space: Space = get_object_or_404(
        Space.objects.for_user(request.user, "space.view").select_related("city"), pk=pk
    )
    if not has_city_perm(request.user, space.city_id, action):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    return space


def _basemap_url(city_id: int) -> str:
    try:
        return reverse("streets:basemap", args=[city_id])
    except NoReverseMatch:
        return ""


def _labels() -> dict[str, str]:
    """Words the page scripts show, translated here because the scripts are static files."""
    return {
        "previousMap": _(
            "Speeds of the previous street network, shown while those of the new one are computed."
        ),
        "buildings": _("Buildings"),
        "water": _("Water"),
        "green": _("Green areas"),
        "streets": _("Streets"),
        "space": _("Space"),
        "entries": _("Entries"),
        "paths": _("Approach paths"),
        "barriers": _("Existing protection to verify"),
        "unrated": _("not rated in OpenStreetMap"),
        "speeds": _("Attainable speed"),
        "impactSpeed": _("impact speed"),
        "energy": _("kinetic energy"),
        "rating": _("required rating"),
        "beyond": _("beyond any rating"),
        "upTo": _("up to %(speed)s km/h"),
        "above": _("above %(speed)s km/h"),
        "noSpeedMap": _("The speed map of this class is not computed yet."),
        "loading": _("Loading…"),
    }


def _profile_labels() -> dict[str, str]:
    """Words of the speed profile chart (speed-profile.js), translated here for the same reason."""
    return {
        "distance": _("distance from the start of the path (m)"),
        "speed": _("speed (km/h)"),
        "impact": _("impact: %(speed)s km/h"),
        "corner": _("corner: %(speed)s km/h"),
        "entry": _(
            "%(vehicle)s from a standstill %(distance)s m away reaches %(speed)s km/h at the entry"
            " (%(name)s)."
        ),
        "barrier": _(
            "%(vehicle)s from a standstill %(distance)s m away hits the %(kind)s at %(speed)s km/h."
        ),
        "corners": _("Corners that limit the speed: %(corners)s."),
        "noCorners": _("No corner limits the speed on this path."),
        "cornerAt": _("%(speed)s km/h at %(distance)s m"),
        "noProfile": _("This result has no speed profile: run the analysis again."),
        "unnamed": _("unnamed way"),
        "chart": _("Speed profile chart"),
        "pathSpeed": _(
            "Along the best line between the mapped streetscape it reaches %(speed)s km/h (dashed line)."
        ),
        "pathClosed": _("No line fits between the mapped streetscape for this class."),
        "pathLine": _("path between the streetscape"),
    }


def _bands() -> list[dict[str, Any]]:
    return [{"upTo": b} for b in BANDS_KMH] + [{"above": BANDS_KMH[-1]}]


def _no_untested_rating(item: dict[str, Any]) -> dict[str, Any]:
    if not item.get("beyond_rating"):
        return item
    return {**item, "required_rating": item["rating_summary"]}


def _fastest_entry(entries: list[dict[str, Any]], vehicle: str) -> str:
    of_class = [e for e in entries if e["vehicle"] == vehicle]
    fastest = max(of_class, key=lambda e: e["impact_speed_kmh"], default=None)
    return str(fastest["id"]) if fastest else ""


def _space_full_parts(space: Space, analyses: list[ClassAnalysis], selected: str) -> dict[str, Any]:
    """The entries, barriers and ways of assumed width of a space, rendered (`analysis.view` only)."""
    entries = entry_rows(analyses)
    barriers, barrier_items = barrier_rows(analyses)
    selected_entry = _fastest_entry(entries, selected)
    page_data = {
        "basemapUrl": _basemap_url(space.city_id),
        "space": {"type": "Feature", "geometry": space.polygon, "properties": {"name": space.shown_name}},
        # The map's tooltips show `required_rating`: never a rating nobody tests.
        "entries": [_no_untested_rating(e) for e in entries],
        "barriers": [_no_untested_rating(b) for b in barrier_items],
        "vehicles": vehicle_choices(),
        "selected": selected,
        "selectedEntry": selected_entry,
        "bands": _bands(),
        "labels": _labels(),
        "profileLabels": _profile_labels(),
    }
    context = {
        "space": space,
        "analyses": analyses,
        "selected": selected,
        "entries": entries,
        "selected_entry": selected_entry,
        "barriers": barriers,
        "assumed_ways": assumed_width_ways(analyses),
        "bands": BANDS_KMH,
        "page_data": page_data,
    }
    return {"html": render_to_string("analysis/_space_full.html", context)}


def _default_class(analyses: list[ClassAnalysis]) -> str:
    """The class of the fastest entry: the one a security manager looks at first."""
    fastest = max(entry_rows(analyses), key=lambda e: e["impact_speed_kmh"], default=None)
    return str(fastest["vehicle"]) if fastest else vehicle_codes()[-1]


@require_GET
@login_required
def space_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "analysis.summary")
    full = has_city_perm(request.user, space.city_id, "analysis.view")
    inputs, analyses = space_analyses(space)
    pending = any(a.pending for a in analyses)
    # What is rendered from the results is kept until a row, the space or the network changes
    # (`page_cache`); not while a row is queued or running, as its shown status follows the clock.
    stamp = None if pending else space_stamp(space, network=inputs.network if inputs is not None else None)

    def kept_or_computed(name: str, compute: Callable[[], T]) -> T:
        return compute() if stamp is None else kept(name, f"{stamp}:{rendering_key()}", compute)

    selected = request.GET.get("vehicle") or ""
    if selected not in vehicle_codes():
        selected = kept_or_computed("space-class", lambda: _default_class(analyses))
    context: dict[str, Any] = {
        "city": space.city,
        "space": space,
        "analyses": analyses,
        "full": full,
        "can_run": has_city_perm(request.user, space.city_id, "analysis.run"),
        "inputs": inputs,
        "analysis_version": ANALYSIS_VERSION,
        "pending": pending,
        # Why a class has no result: no street of the network reaches the space (said above all else).
        "outside": next((a for a in analyses if a.outside), None),
        "selected": selected,
        # What the data cannot show: for everyone who reads the summary, since it qualifies it.
        "warnings_html": kept_or_computed(
            "space-warnings",
            lambda: render_to_string("analysis/_warnings.html", {"warnings": space_warnings(analyses)}),
        ),
    }
    if full:
        context["full_html"] = kept_or_computed(
            f"space-full-{selected}", lambda: _space_full_parts(space, analyses, selected)
        )["html"]
        do_record_view(
            space,
            acting_user=request.user,
            request=request,
            detail={
                "what": "approach analyses",
                "analyses": [a.row.pk for a in analyses if a.row is not None],
            },
        )
    context["status_data"] = {
        "statusUrl": reverse("analysis:space-status", args=[space.pk]),
        "pending": context["pending"],
    }
    return render(request, "analysis/space.html", context)


@require_GET
@login_required
def space_status(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "analysis.summary")
    _inputs, analyses = space_analyses(space)
    response = JsonResponse(
        {
            "space": space.pk,
            "pending": any(a.pending for a in analyses),
            "analyses": [a.status_json() for a in analyses],
        }
    )
    patch_cache_control(response, no_store=True)
    return response


@require_POST
@login_required
def space_run(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "analysis.run")
    try:
        queued = do_enqueue_space_analysis(space, acting_user=request.user, force=True, request=request)
    except InvalidRequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "The analysis of %(space)s is queued for %(count)d vehicle class.",
                "The analysis of %(space)s is queued for %(count)d vehicle classes.",
                len(queued),
            )
            % {"space": space.shown_name, "count": len(queued)},
        )
    return redirect("analysis:space", pk=space.pk)


def _export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    space = space_or_404(request, pk, "analysis.view")
    _inputs, analyses = space_analyses(space)
    data = export_geojson(space, analyses) if fmt == "geojson" else export_json(space, analyses)
    entries = sum(len(a.row.entries) for a in analyses if a.has_result and a.row is not None)
    do_record_export(
        acting_user=request.user,
        city=space.city,
        what="approach analysis",
        fmt=fmt,
        rows=entries,
        obj=space,
        request=request,
    )
    content_type = "application/geo+json" if fmt == "geojson" else "application/json"
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type=f"{content_type}; charset=utf-8"
    )
    filename = f"analysis-space-{space.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
@require_recent_auth
def space_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "json")


@require_GET
@login_required
@require_recent_auth
def space_export_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "geojson")


@require_GET
@city_permission_required("analysis.summary")
def city_analysis(request: HttpRequest) -> HttpResponse:
    city: City = request.city  # type: ignore[attr-defined]
    full = has_city_perm(request.user, city, "analysis.view")
    network = active_network(city)
    if network is not None:
        network.city = city  # the audit row and its name ("Helsinki v1 …") need no query to read it
    selected = request.GET.get("vehicle") or ""
    if selected not in vehicle_codes():
        selected = vehicle_codes()[-1]
    # Read on every request, as the progress is: a few light rows.
    not_analysed = spaces_not_analysed(city, network=network) if network is not None else []
    context: dict[str, Any] = {
        "city": city,
        "network": network,
        "full": full,
        "can_run": has_city_perm(request.user, city, "analysis.run"),
        # The ranking's rows, rendered once per change of the city's analyses (`page_cache`).
        "ranking_html": kept(
            "city-ranking",
            f"{city_stamp(city, network)}:{rendering_key()}",
            lambda: render_to_string("analysis/_ranking_rows.html", {"ranking": space_ranking(city)}),
        ),
        "progress": city_progress(city, network=network) if network is not None else {},
        "not_analysed": not_analysed,
        "outside_count": sum(1 for item in not_analysed if item["outside"]),
        "space_count": Space.objects.filter(city=city).active().count(),
        "params_hash": parameters_hash(),
        "analysis_version": ANALYSIS_VERSION,
        "vehicles": vehicle_choices(),
        "selected": selected,
        "bands": BANDS_KMH,
    }
    if full and network is not None:
        # The speed maps as text: per class, the length of street in each band and the fastest streets.
        maps = city_speed_maps(city, network=network)
        context["streets_html"] = kept(
            f"city-streets-{selected}",  # the chosen class's section is the one not hidden
            f"{speed_maps_stamp(city, maps.values())}:{rendering_key()}",
            lambda: render_to_string(
                "analysis/_street_speeds.html",
                {
                    "tables": street_tables(maps, shown=FASTEST_STREETS_SHOWN),
                    "selected": selected,
                    "city_id": city.pk,
                },
            ),
        )
        shown = [code for code, found in maps.items() if found is not None]
        if shown:
            do_record_view(
                network,
                acting_user=request.user,
                request=request,
                detail={"what": "fastest streets per class", "vehicles": shown},
            )
        context["page_data"] = {
            "basemapUrl": _basemap_url(city.pk),
            "bounds": list(network.bounds),
            "speedsUrl": reverse("analysis:city-speeds", args=[city.pk, "VEHICLE"]),
            "vehicles": vehicle_choices(),
            "selected": selected,
            "bands": _bands(),
            "labels": _labels(),
        }
    return render(request, "analysis/city.html", context)


@require_POST
@city_permission_required("analysis.run")
def city_run(request: HttpRequest) -> HttpResponse:
    city: City = request.city  # type: ignore[attr-defined]
    try:
        queued = do_enqueue_city_analysis(city, acting_user=request.user, force=True, request=request)
    except InvalidRequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d analysis of %(city)s is queued.",
                "%(count)d analyses of %(city)s are queued.",
                len(queued),
            )
            % {"count": len(queued), "city": city.name},
        )
    return redirect("analysis:city")


def _speed_map_or_404(request: HttpRequest, city_id: int, vehicle: str) -> CitySpeedMap | None:
    """The speed map of a class shown for one of the user's cities (404 otherwise, 403 without
    `analysis.view`); None while none is computed."""
    if city_id not in cities_where(request.user, "city.view"):
        raise Http404
    if not has_city_perm(request.user, city_id, "analysis.view"):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    if vehicle not in vehicle_codes():
        raise Http404
    return speed_map(city_id, vehicle, previous=True)


@require_GET
@login_required
@require_recent_auth
def city_speeds_csv(request: HttpRequest, city_id: int, vehicle: str) -> HttpResponse:
    """Every street of a class's speed map with its highest speed, fastest first (CSV, audited)."""
    found = _speed_map_or_404(request, city_id, vehicle)
    if found is None or not found.speeds_path.exists():
        raise Http404(_("The speed map of this class is not computed yet."))
    try:
        content = do_export_street_speeds(found, acting_user=request.user, request=request)
    except InvalidRequestError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"speeds-{found.city.slug}-{vehicle}-v{found.network.version}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
def city_speeds(request: HttpRequest, city_id: int, vehicle: str) -> HttpResponseBase:
    """The speed map of one vehicle class on the city's active network, as banded polylines (JSON)."""
    found = _speed_map_or_404(request, city_id, vehicle)
    drawing = lines_path(found.speeds_path) if found is not None else None
    if found is None or drawing is None or not drawing.exists():
        response = JsonResponse({"detail": _("The speed map of this class is not computed yet.")}, status=404)
        patch_cache_control(response, no_store=True)
        return response
    do_record_view(found, acting_user=request.user, request=request, detail={"what": "city speed map"})
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response_: HttpResponseBase = FileResponse(drawing.open("rb"), content_type="application/json")
        response_.headers["Content-Encoding"] = "gzip"
    else:
        with gzip.open(drawing, "rb") as fh:
            response_ = HttpResponse(fh.read(), content_type="application/json")
    # Which street network version it shows: an earlier one while the active one's is computed.
    response_.headers["X-Network-Version"] = str(found.network.version)
    if not found.network.is_active:
        response_.headers["X-Network-Previous"] = "1"
    # Restricted data: never in a shared cache.
    patch_cache_control(response_, private=True, no_store=True)
    patch_vary_headers(response_, ["Accept-Encoding", "Cookie"])
    return response_
