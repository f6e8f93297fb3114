"""Pages of the streets app: network versions and upload, import progress, the base map."""

from __future__ import annotations

import gzip
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from pactesur.cities.access import city_permission_required, get_city_object_or_404
from pactesur.cities.errors import InvalidRequestError
from pactesur.cities.models import City, cities_where, has_city_perm
from pactesur.spaces.models import Space
from pactesur.spaces.naming import label_namesakes
from pactesur.streets.actions import (
    active_network,
    do_activate_held_import,
    do_cancel_held_import,
    do_enqueue_import,
)
from pactesur.streets.fit import FitReport
from pactesur.streets.forms import OsmUploadForm
from pactesur.streets.models import ImportJob, ImportStatus, StreetNetwork

_RECENT_JOBS = 10
COUNT_LABELS = {
    "ways": _("street ways"),
    "nodes": _("nodes"),
    "segments": _("segments"),
    "suggested_spaces": _("suggested spaces"),
    "basemap_buildings": _("buildings"),
    "basemap_water": _("water areas"),
    "basemap_green": _("green areas"),
    "basemap_streets": _("street lines"),
}


def _list_context(request: HttpRequest, form: OsmUploadForm | None = None) -> dict[str, Any]:
    city = request.city  # type: ignore[attr-defined]
    user = request.user
    networks: list[StreetNetwork] = list(
        StreetNetwork.objects.for_user(user, city=city).select_related("imported_by")
    )
    first_version_by_hash: dict[str, int] = {}
    for network in sorted(networks, key=lambda n: n.version):
        network.same_file_as = first_version_by_hash.get(network.file_sha256)  # type: ignore[attr-defined]
        first_version_by_hash.setdefault(network.file_sha256, network.version)
        network.count_rows = [  # type: ignore[attr-defined]
            (COUNT_LABELS.get(key, key), value) for key, value in network.counts.items()
        ]
    can_import = has_city_perm(user, city, "network.import")
    held = dict(
        ImportJob.objects.for_user(user, city=city)
        .filter(status=ImportStatus.HELD, network__isnull=False)
        .values_list("network_id", "pk")
    )
    for network in networks:
        network.held_job = held.get(network.pk)  # type: ignore[attr-defined]
    return {
        "city": city,
        "networks": networks,
        "jobs": list(ImportJob.objects.for_user(user, city=city).select_related("network")[:_RECENT_JOBS]),
        "can_import": can_import,
        "form": (form or OsmUploadForm()) if can_import else None,
    }


@require_GET
@city_permission_required("network.view")
def network_list(request: HttpRequest) -> HttpResponse:
    return render(request, "streets/list.html", _list_context(request))


@require_POST
@city_permission_required("network.import")
def import_osm(request: HttpRequest) -> HttpResponse:
    form = OsmUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "streets/list.html", _list_context(request, form), status=400)
    job = do_enqueue_import(request.city, form.cleaned_data["file"], acting_user=request.user)  # type: ignore[attr-defined]
    return redirect("streets:job", pk=job.pk)


def _job_status(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "city": job.city_id,
        "status": job.shown_status,
        "progress": job.progress,
        "percent": round(job.progress * 100),
        "message": job.shown_message,
        "phase": job.phase,
        "phases": [
            {"key": p.key, "label": str(p.label), "state": str(state), "state_label": str(state.label)}
            for p, state in job.phase_states()
        ],
        "error": job.shown_error,
        "finished": job.is_finished,
        "held": job.is_held,
        "original_name": job.original_name,
        "network": (
            {"id": job.network.pk, "version": job.network.version} if job.network_id and job.network else None
        ),
    }


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_city_object_or_404(
        ImportJob.objects.select_related("network"), request.user, "network.view", pk=pk
    )
    return render(
        request,
        "streets/job.html",
        {
            "job": job,
            "status": _job_status(job),
            "status_url": reverse("streets:job-status", args=[job.pk]),
            "held": _held_context(request, job) if job.is_held else None,
        },
    )


def _distance_text(distance_m: float) -> str:
    """A distance as people read it: metres below a kilometre, else kilometres with one decimal."""
    if distance_m < 1000:
        return f"{number_format(distance_m, 0)} m"
    return f"{number_format(distance_m / 1000.0, 1)} km"


def _held_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    """What the page of a held import shows: the spaces left out, and whether it can still be activated."""
    fit = FitReport.from_json(job.fit)
    current = active_network(job.city)
    # Named as the reader sees them now (the report keeps the names of when the import was held).
    found = {
        s.pk: s
        for s in label_namesakes(
            list(Space.objects.filter(city_id=job.city_id, pk__in=[s.id for s in fit.outside]))
        )
    }
    return {
        "fit": fit,
        "spaces": [
            {
                "id": space.id,
                "name": found[space.id].display_name if space.id in found else space.name,
                "url": reverse("spaces:detail", args=[space.id]),
                "distance": _distance_text(space.distance_m),
            }
            for space in fit.outside
        ],
        "previous_percent": (
            round(fit.previous_share_covered * 100) if fit.previous_share_covered is not None else None
        ),
        # Another network became active since it was held: activating it would replace newer data.
        "superseded_by": current if current is not None and current.pk != fit.previous_network_id else None,
        "can_decide": has_city_perm(request.user, job.city_id, "network.import"),
    }


@require_POST
@login_required
def job_activate(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_city_object_or_404(ImportJob.objects, request.user, "network.import", pk=pk)
    try:
        network = do_activate_held_import(job, acting_user=request.user)
    except InvalidRequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("Version %(version)d is now the active street network; its analyses are queued.")
            % {"version": network.version},
        )
    return redirect("streets:job", pk=job.pk)


@require_POST
@login_required
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_city_object_or_404(ImportJob.objects, request.user, "network.import", pk=pk)
    try:
        do_cancel_held_import(job, acting_user=request.user)
    except InvalidRequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Import cancelled: the street network in use did not change."))
    return redirect("streets:job", pk=job.pk)


@require_GET
@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_city_object_or_404(
        ImportJob.objects.select_related("network"), request.user, "network.view", pk=pk
    )
    response = JsonResponse(_job_status(job))
    patch_cache_control(response, no_store=True)
    return response


@require_GET
@login_required
def basemap(request: HttpRequest, city_id: int) -> HttpResponseBase:
    """The active network's base map layers as JSON, only for members of that city."""
    if city_id not in cities_where(request.user, "network.view"):
        raise Http404
    network = StreetNetwork.objects.for_user(request.user).filter(city_id=city_id, is_active=True).first()
    if network is None or not network.basemap_path.exists():
        raise Http404
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    # One tag per network and encoding: the gzip bytes and the plain bytes are different entities.
    etag = f'"basemap-{network.pk}-{network.file_sha256[:16]}{"-gz" if gzipped else ""}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponseBase = HttpResponse(status=304)
    elif gzipped:
        response = FileResponse(network.basemap_path.open("rb"), content_type="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        with gzip.open(network.basemap_path, "rb") as fh:
            response = HttpResponse(fh.read(), content_type="application/json")
    response.headers["ETag"] = etag
    # Private: the base map of a city is for its members, never for shared caches.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
    return response


@require_GET
@city_permission_required("network.view")
def network_map(request: HttpRequest) -> HttpResponse:
    city: City = request.city  # type: ignore[attr-defined]
    network = StreetNetwork.objects.for_user(request.user, city=city).filter(is_active=True).first()
    return render(
        request,
        "streets/map.html",
        {
            "city": city,
            "network": network,
            "basemap_url": reverse("streets:basemap", args=[city.pk]) if network else "",
        },
    )
