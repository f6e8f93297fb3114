"""API of street networks: a city's versions, one version, import jobs (status and upload)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from pactesur.cities.errors import InvalidRequestError, NotAllowedError, NotFoundError
from pactesur.cities.models import City, cities_of, has_city_perm
from pactesur.streets.actions import do_enqueue_import
from pactesur.streets.forms import OsmUploadForm
from pactesur.streets.models import IMPORT_PHASES, ImportJob, StreetNetwork

router = Router(tags=["networks"])


class NetworkOut(Schema):
    id: int
    city: int
    version: int
    is_active: bool
    source_name: str
    file_sha256: str
    file_size_bytes: int
    data_date: datetime.datetime | None
    bounds: list[float]
    counts: dict[str, object]
    imported_at: datetime.datetime
    basemap_url: str | None


class ImportJobOut(Schema):
    id: int
    city: int
    status: str
    progress: float
    phase: str = Field("", description="the phase it is in: " + ", ".join(p.key for p in IMPORT_PHASES))
    message: str
    error: str
    original_name: str
    file_size_bytes: int
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    network: int | None


def _network_out(network: StreetNetwork) -> NetworkOut:
    from django.urls import reverse

    return NetworkOut(
        id=network.pk,
        city=network.city_id,
        version=network.version,
        is_active=network.is_active,
        source_name=network.source_name,
        file_sha256=network.file_sha256,
        file_size_bytes=network.file_size_bytes,
        data_date=network.data_date,
        bounds=list(network.bounds),
        counts=network.counts,
        imported_at=network.imported_at,
        basemap_url=reverse("streets:basemap", args=[network.city_id]) if network.is_active else None,
    )


def _job_out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut(
        id=job.pk,
        city=job.city_id,
        status=job.shown_status,
        progress=job.progress,
        phase=job.phase,
        message=job.shown_message,
        error=job.shown_error,
        original_name=job.original_name,
        file_size_bytes=job.file_size_bytes,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        network=job.network_id,
    )


def _city_or_404(request: HttpRequest, city_id: int) -> City:
    city = cities_of(request.user).filter(pk=city_id).first()
    if city is None:
        raise NotFoundError(_("No such city among yours."))
    return city


@router.get("/", response=list[NetworkOut], summary="Street network versions of your cities (or of one)")
def list_networks(request: HttpRequest, city: int | None = None) -> list[NetworkOut]:
    networks = StreetNetwork.objects.for_user(request.user)
    if city is not None:
        the_city = _city_or_404(request, city)
        if not has_city_perm(request.user, the_city, "network.view"):
            raise NotAllowedError(_("Your role does not allow seeing this city's street networks."))
        networks = networks.filter(city=the_city)
    return [_network_out(n) for n in networks]


@router.get("/{int:network_id}", response=NetworkOut, summary="One street network version")
def get_network(request: HttpRequest, network_id: int) -> NetworkOut:
    network = StreetNetwork.objects.for_user(request.user, "city.view").filter(pk=network_id).first()
    if network is None:
        raise NotFoundError(_("No such street network among your cities'."))
    if not has_city_perm(request.user, network.city_id, "network.view"):
        raise NotAllowedError(_("Your role does not allow seeing street networks."))
    return _network_out(network)


@router.get("/jobs/{int:job_id}", response=ImportJobOut, summary="Status of an import job")
def get_import_job(request: HttpRequest, job_id: int) -> ImportJobOut:
    job = ImportJob.objects.for_user(request.user, "city.view").filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(_("No such import job among your cities'."))
    if not has_city_perm(request.user, job.city_id, "network.view"):
        raise NotAllowedError(_("Your role does not allow seeing imports."))
    return _job_out(job)


@router.post("/jobs", response={202: ImportJobOut}, summary="Upload an OSM extract and queue its import")
def create_import_job(
    request: HttpRequest, city: int, file: File[UploadedFile | None] = None
) -> Status[ImportJobOut]:
    """Upload as multipart form data (`file`), the city id in the query (`?city=`)."""
    the_city = _city_or_404(request, city)
    if not has_city_perm(request.user, the_city, "network.import"):
        raise NotAllowedError(_("Only a security manager or administrator of this city can import."))
    form = OsmUploadForm(files=MultiValueDict({"file": [file]} if file is not None else {}))
    if not form.is_valid():
        raise InvalidRequestError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    job = do_enqueue_import(the_city, form.cleaned_data["file"], acting_user=request.user)
    return Status(202, _job_out(job))
