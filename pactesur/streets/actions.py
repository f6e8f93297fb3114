"""The one place that writes street networks and import jobs.

An import reads the OSM file with the engine, writes the engine's graph (.npz) and the base map
(gzipped GeoJSON) to temporary files, and only then, in one transaction, renames them into place,
creates the new `StreetNetwork`, makes it the active one and refreshes the suggested spaces. If
anything fails before the commit, the temporary and renamed files are removed and the previous
network stays active: nothing half-written remains.

Before the switch, the new extract is checked against the city (`streets.fit`): an extract that
leaves some of the city's spaces outside, or misses the previous network's area entirely (Berlin
imported into Monaco), is not activated silently. The web import holds it (an inactive version and
a job waiting for a person to activate or cancel it), `pactesur import-osm` refuses it unless told
`--accept-outside`.

Re-importing a file identical to an earlier one (same SHA-256) still creates a new version: the
engine or its defaults may have changed since, and the suggested spaces are refreshed. The version
row records `file_sha256`, so pages show "same file as version N"; `pactesur import-osm
--if-changed` and `pactesur demo` skip the import instead when the active network has that hash.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

import shapely
import shapely.geometry
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.errors import InvalidRequestError
from pactesur.cities.models import City
from pactesur.cities.records import stored_user
from pactesur.cities.stored_text import StoredText, as_stored
from pactesur.streets.fit import FitReport, SpaceOutline, fit_report
from pactesur.streets.models import (
    PHASES_BY_KEY,
    STALE_AFTER,
    STOPPED_ERROR,
    ImportJob,
    ImportStatus,
    StreetNetwork,
    data_dir,
)
from pactesur.streets.signals import network_activated

logger = logging.getLogger(__name__)

# Called with (fraction 0…1, message). Our messages are PhaseMessage (English, with the message id
# and parameters a job row stores untranslated, and the phase they belong to); the engine's are
# plain English strings.
Progress = Callable[[float, str], None]

# File names the import accepts, lower-cased; the engine reads each of them with pyosmium.
ACCEPTED_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.gz", ".osm.bz2", ".osm.xml")
# Temporary files of an import in progress start with this; the next import of the city sweeps
# those a killed worker left behind.
_PARTIAL_PREFIX = ".partial-"
_PARTIAL_MAX_AGE_S = 3600
# Where `engine.osm_import.import_extract` reports the start of its stages, on its own 0…1 scale,
# and the phase of ours each stage is.
_ENGINE_BUILD_STAGES = ((0.0, "network"), (0.5, "spaces"), (0.75, "basemap"))
# The job row is written at most this often while an import reports progress within one phase;
# the first report of each phase is always written.
_PROGRESS_WRITE_INTERVAL_S = 0.5


def networks_dir(city: City) -> Path:
    return data_dir() / "networks" / str(city.pk)


def uploads_dir(city: City) -> Path:
    return data_dir() / "uploads" / str(city.pk)


def has_accepted_suffix(name: str) -> bool:
    return name.lower().endswith(ACCEPTED_SUFFIXES)


class PhaseMessage(StoredText):
    """A progress message of an import, with the key of its phase (`streets.models.IMPORT_PHASES`)."""

    phase: str

    def __new__(cls, phase: str, msgid: str, params: Mapping[str, Any] | None = None) -> PhaseMessage:
        text = cast("PhaseMessage", super().__new__(cls, msgid, params))
        text.phase = phase
        return text


def _at(phase: str, share: float = 0.0) -> float:
    """The place on the progress bar `share` of the way through `phase`."""
    found = PHASES_BY_KEY[phase]
    return found.start + (found.end - found.start) * min(max(share, 0.0), 1.0)


def _say(report: Progress, phase: str, msgid: str, *, share: float = 0.0) -> None:
    """Report `msgid` (marked with gettext_noop) `share` of the way through `phase`."""
    report(_at(phase, share), PhaseMessage(phase, msgid))


# Messages of the phases the engine reports: its steps of reading and of building the network go
# into the phase's sentence (they stay in English); its words for the later stages add nothing.
_READ_STEP = gettext_noop("Reading the OSM file: %(step)s")
_BUILD_STEP = gettext_noop("Building the street network: %(step)s")
_PHASE_MESSAGES = {
    "spaces": gettext_noop("Suggesting public spaces"),
    "basemap": gettext_noop("Drawing the base map"),
}


def _read_reporter(progress: Progress | None) -> Progress | None:
    """The engine's reading steps, on the read phase's share of the bar, inside a translatable message."""
    if progress is None:
        return None

    def report(fraction: float, message: str) -> None:
        progress(_at("read", fraction), PhaseMessage("read", _READ_STEP, {"step": message}))

    return report


def _build_reporter(progress: Progress | None) -> Progress | None:
    """The engine's building stages (network, spaces, base map), each on its phase's share of the bar."""
    if progress is None:
        return None

    def report(fraction: float, message: str) -> None:
        index = sum(1 for start, _phase in _ENGINE_BUILD_STAGES[1:] if fraction >= start)
        start, phase = _ENGINE_BUILD_STAGES[index]
        end = _ENGINE_BUILD_STAGES[index + 1][0] if index + 1 < len(_ENGINE_BUILD_STAGES) else 1.0
        if phase == "network":
            text = PhaseMessage(phase, _BUILD_STEP, {"step": message})
        else:
            text = PhaseMessage(phase, _PHASE_MESSAGES[phase])
        progress(_at(phase, (fraction - start) / (end - start)), text)

    return report


def _sweep_partial_files(folder: Path) -> None:
    """Remove temporary files that a killed import left behind long ago."""
    if not folder.is_dir():
        return
    cutoff = time.time() - _PARTIAL_MAX_AGE_S
    for path in folder.glob(f"{_PARTIAL_PREFIX}*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def _unlink_all(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _data_date(meta: dict[str, Any]) -> datetime.datetime | None:
    """The extract's replication or newest-object timestamp, when the engine found one."""
    for key in ("data_date", "timestamp", "osmosis_replication_timestamp"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            try:
                parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)
    return None


# Counts shown for each version: engine meta key → our key.
_META_COUNTS = {
    "way_count": "ways",
    "node_count": "nodes",
    "segment_count": "segments",
    "spaces_count": "suggested_spaces",
}


def _counts(meta: dict[str, Any], basemap: dict[str, Any]) -> dict[str, int]:
    counts = {ours: int(meta[theirs]) for theirs, ours in _META_COUNTS.items() if theirs in meta}
    for layer, collection in basemap.items():
        features = collection.get("features") if isinstance(collection, dict) else None
        if features is not None:
            counts[f"basemap_{layer}"] = len(features)
    return counts


def _import_meta(result: Any, extract: Any) -> dict[str, Any]:
    """The engine's meta data of an import, with the extract's newest timestamp as data date."""
    meta: dict[str, Any] = dict(result.meta)
    newest = getattr(getattr(extract, "meta", None), "newest_timestamp", None)
    if newest and "data_date" not in meta:
        meta["data_date"] = str(newest)
    return meta


def active_network(city: City) -> StreetNetwork | None:
    return StreetNetwork.objects.filter(city=city, is_active=True).first()


class ImportFitError(ValueError):
    """The extract does not fit the city (`streets.fit`) and the caller asked to refuse such imports."""

    def __init__(self, report: FitReport) -> None:
        self.report = report
        parts = []
        if report.outside:
            parts.append(f"{len(report.outside)} of the city's spaces lie outside the extract")
        if not report.overlaps_previous:
            parts.append(
                f"the extract does not overlap the active network (version {report.previous_version})"
            )
        super().__init__("; ".join(parts) or "the extract does not fit the city")


class IfOutside(StrEnum):
    """What an import does with an extract that does not fit the city (`FitReport.problem`)."""

    ACTIVATE = "activate"  # activate it all the same (`import-osm --accept-outside`)
    HOLD = "hold"  # save it inactive, for a person to activate or cancel (the web import)
    REFUSE = "refuse"  # raise ImportFitError, change nothing (`import-osm`)


# Called inside the import's transaction with the network it holds and the fit report.
OnHold = Callable[[StreetNetwork, FitReport], None]


@dataclass
class PreparedImport:
    """An OSM file read and built by the engine, its files written to temporary paths; nothing in
    the database yet. `do_import_osm` takes it over; `discard` removes its files."""

    source: Path
    sha256: str
    size_bytes: int
    meta: dict[str, Any]
    counts: dict[str, int]
    network: Any  # pactesur.engine.network.StreetNetwork
    suggestions: list[Any]  # pactesur.engine.spaces.SuggestedSpace
    graph_tmp: Path
    basemap_tmp: Path

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the extract."""
        west, south, east, north = (float(b) for b in self.meta.get("bounds") or (0.0, 0.0, 0.0, 0.0))
        return (west, south, east, north)

    @property
    def centre(self) -> tuple[float, float]:
        """(lon, lat) of the centre of the extract's bounds."""
        west, south, east, north = self.bounds
        return ((west + east) / 2.0, (south + north) / 2.0)

    def discard(self) -> None:
        _unlink_all([self.graph_tmp, self.basemap_tmp])


def prepare_osm_import(
    path: str | os.PathLike[str], *, city: City | None = None, progress: Progress | None = None
) -> PreparedImport:
    """Read and build an OSM file, writing the engine's graph and base map to temporary files.

    Used by `do_import_osm`, and by `pactesur import-osm` before it creates a new city (whose time
    zone it takes from the extract's centre, and which a bad file then never creates). The files
    go to the city's folder, or to the networks folder when there is no city yet (the same file
    system, so that they move into place with a rename).

    Raises `pactesur.engine.errors.OsmInputError` with a message for the user when the file cannot be
    used; no file then remains.
    """
    from pactesur.engine.io.network_store import save_network
    from pactesur.engine.io.osm import file_sha256, read_osm
    from pactesur.engine.osm_import import import_extract

    source = Path(path)
    folder = networks_dir(city) if city is not None else data_dir() / "networks"
    folder.mkdir(parents=True, exist_ok=True)
    _sweep_partial_files(folder)
    token = uuid.uuid4().hex
    tmp_graph = folder / f"{_PARTIAL_PREFIX}{token}.npz"
    tmp_basemap = folder / f"{_PARTIAL_PREFIX}{token}.basemap.json.gz"
    report = progress or (lambda _fraction, _message: None)
    try:
        _say(report, "read", gettext_noop("Reading the OSM file"))
        extract = read_osm(source, progress=_read_reporter(progress))
        result = import_extract(extract, progress=_build_reporter(progress))
        _say(report, "save", gettext_noop("Saving the street network"))
        save_network(result.network, tmp_graph)
        _say(report, "save", gettext_noop("Saving the base map"), share=0.3)
        with gzip.open(tmp_basemap, "wt", encoding="utf-8", compresslevel=6) as fh:
            json.dump(result.basemap, fh, separators=(",", ":"))
        meta = _import_meta(result, extract)
        return PreparedImport(
            source=source,
            sha256=str(meta.get("file_sha256") or file_sha256(source)),
            size_bytes=source.stat().st_size,
            meta=meta,
            counts=_counts(meta, result.basemap),
            network=result.network,
            suggestions=list(result.spaces),
            graph_tmp=tmp_graph,
            basemap_tmp=tmp_basemap,
        )
    except BaseException:
        _unlink_all([tmp_graph, tmp_basemap])
        raise


def do_import_osm(
    city: City,
    path: str | os.PathLike[str] | PreparedImport,
    *,
    acting_user: Any,
    original_name: str | None = None,
    progress: Progress | None = None,
    if_outside: IfOutside = IfOutside.REFUSE,
    on_hold: OnHold | None = None,
) -> StreetNetwork:
    """Import the OSM file at `path` (or an import prepared from it) as the city's new street network.

    Before it replaces the active network, the new one is checked against the city (`streets.fit`):
    its spaces the extract leaves out, and whether it overlaps the previous network at all. An
    extract that fits is activated at once. One that does not is refused (`ImportFitError`, the
    default: nothing changed, no file left), held (`IfOutside.HOLD`: saved as an inactive version
    with its suggested spaces set aside, for `do_activate_held_import` or `do_cancel_held_import`;
    `on_hold` is called inside the transaction) or activated all the same (`IfOutside.ACTIVATE`).
    The network's `meta["fit"]` then keeps the report.

    Raises `pactesur.engine.errors.OsmInputError` with a message for the user when the file cannot be
    used; the previous network then stays active and no file of this import remains.
    """
    prepared: PreparedImport | None = None
    try:
        if isinstance(path, PreparedImport):
            prepared = path
        else:
            prepared = prepare_osm_import(path, city=city, progress=progress)
        network = _commit_import(
            city,
            prepared,
            acting_user=acting_user,
            original_name=original_name,
            progress=progress,
            if_outside=if_outside,
            on_hold=on_hold,
        )
    except BaseException:
        if prepared is not None:
            prepared.discard()
        raise
    if progress is not None and network.is_active:
        _say(progress, "activate", gettext_noop("Done"), share=1.0)
    return network


def _has_field(model: type[Any], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _spaces_to_check(city: City, suggestions: list[Any]) -> list[SpaceOutline]:
    """The city's spaces in use, but those this very import suggests (the sync gives them its outline)."""
    from pactesur.spaces.models import Space, SpaceSource, shown_name

    spaces = Space.objects.filter(city=city)
    if _has_field(Space, "archived_at"):
        spaces = spaces.filter(archived_at__isnull=True)
    replaced = {(str(s.osm_type), int(s.osm_id)) for s in suggestions}
    checked = []
    rows = spaces.order_by("pk").values_list(
        "pk", "name", "polygon", "source", "osm_type", "osm_id", "edited", "kind", "osm_tags"
    )
    for pk, name, polygon, source, osm_type, osm_id, edited, kind, osm_tags in rows:
        if source == SpaceSource.SUGGESTED and not edited and (osm_type, osm_id) in replaced:
            continue
        # The name as the command line and the audit trail show it (the job page words it anew).
        shown = shown_name(name, kind, osm_type, osm_id, osm_tags)
        checked.append(SpaceOutline(id=pk, name=shown, polygon=polygon))
    return checked


def _fit_of(city: City, prepared: PreparedImport, previous: StreetNetwork | None) -> FitReport:
    return fit_report(
        prepared.network,
        _spaces_to_check(city, prepared.suggestions),
        bounds=prepared.bounds,
        previous=(previous.pk, previous.version, previous.bounds) if previous is not None else None,
    )


def held_suggestions_path(network: StreetNetwork) -> Path:
    """Where a held import keeps its suggested spaces until it is activated or cancelled."""
    return network.graph_path.with_name(f"{network.version}.suggested.json.gz")


def _write_suggestions(path: Path, suggestions: list[Any]) -> None:
    rows = [
        {
            "name": s.name,
            "kind": s.kind,
            "osm_type": s.osm_type,
            "osm_id": int(s.osm_id),
            "polygon": shapely.geometry.mapping(s.polygon),
            "tags": dict(s.tags),
            "area_m2": float(s.area_m2),
            "named": bool(getattr(s, "named", True)),
        }
        for s in suggestions
    ]
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as fh:
        json.dump(rows, fh, separators=(",", ":"))


def _read_suggestions(path: Path) -> list[Any]:
    from pactesur.engine.spaces import SuggestedSpace

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = json.load(fh)
    return [
        SuggestedSpace(
            name=row["name"],
            kind=row["kind"],
            osm_type=row["osm_type"],
            osm_id=int(row["osm_id"]),
            polygon=shapely.geometry.shape(row["polygon"]),
            tags=dict(row["tags"]),
            area_m2=float(row["area_m2"]),
            named=bool(row.get("named", True)),  # held before `named` existed: named as OSM had it
        )
        for row in rows
    ]


def _fit_detail(fit: FitReport) -> dict[str, Any]:
    """What the audit trail keeps of an import that did not fit the city."""
    if not fit.problem:
        return {}
    return {
        "spaces_outside": [s.id for s in fit.outside],
        "overlaps_previous": fit.overlaps_previous,
    }


def _commit_import(
    city: City,
    prepared: PreparedImport,
    *,
    acting_user: Any,
    original_name: str | None,
    progress: Progress | None,
    if_outside: IfOutside,
    on_hold: OnHold | None,
) -> StreetNetwork:
    """Check the fit, move the files into place and write the new version (activated or held)."""
    report = progress or (lambda _fraction, _message: None)
    _say(report, "check", gettext_noop("Checking that the extract covers the city's spaces"))
    folder = networks_dir(city)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        with transaction.atomic():
            # Lock the city row so that two imports of one city take distinct version numbers.
            City.objects.select_for_update().filter(pk=city.pk).first()
            previous = active_network(city)
            fit = _fit_of(city, prepared, previous)
            if fit.problem and if_outside == IfOutside.REFUSE:
                raise ImportFitError(fit)
            held = fit.problem and if_outside == IfOutside.HOLD
            last = StreetNetwork.objects.filter(city=city).aggregate(v=Max("version"))["v"] or 0
            version = last + 1
            final_graph = folder / f"{version}.npz"
            final_basemap = folder / f"{version}.basemap.json.gz"
            os.replace(prepared.graph_tmp, final_graph)
            os.replace(prepared.basemap_tmp, final_basemap)
            written += [final_graph, final_basemap]
            same_hash = StreetNetwork.objects.filter(city=city, file_sha256=prepared.sha256)
            same_as = same_hash.order_by("-version").first()
            meta = dict(prepared.meta)
            if fit.problem:
                meta["fit"] = fit.as_json()
            network = StreetNetwork.objects.create(
                city=city,
                version=version,
                source_name=(original_name or prepared.source.name)[:255],
                file_sha256=prepared.sha256,
                file_size_bytes=prepared.size_bytes,
                data_date=_data_date(meta),
                min_lon=prepared.bounds[0],
                min_lat=prepared.bounds[1],
                max_lon=prepared.bounds[2],
                max_lat=prepared.bounds[3],
                counts=prepared.counts,
                meta=meta,
                graph_file=str(final_graph.relative_to(data_dir())),
                basemap_file=str(final_basemap.relative_to(data_dir())),
                is_active=False,
                imported_by=stored_user(acting_user),
            )
            detail = {
                "file": network.source_name,
                "file_sha256": prepared.sha256,
                "version": version,
                "previous_version": previous.version if previous else None,
                "same_file_as_version": same_as.version if same_as else None,
                "suggested_spaces": len(prepared.suggestions),
                **_fit_detail(fit),
            }
            if held:
                suggestions_file = held_suggestions_path(network)
                written.append(suggestions_file)
                _write_suggestions(suggestions_file, prepared.suggestions)
                do_record_audit(
                    AuditAction.IMPORT,
                    acting_user=acting_user,
                    city=city,
                    obj=network,
                    detail={**detail, "held": True},
                )
            else:
                _say(report, "activate", gettext_noop("Updating the suggested spaces"))
                _activate(city, network, prepared.suggestions, acting_user=acting_user, detail=detail)
            # A last report inside the transaction: an interrupted import rolls back from here too.
            _say(report, "activate", gettext_noop("Switching to the new network"), share=0.8)
            if held and on_hold is not None:
                on_hold(network, fit)  # after the last report, which would overwrite a job's message
    except BaseException:
        _unlink_all(written)
        raise
    return network


def _activate(
    city: City, network: StreetNetwork, suggestions: list[Any], *, acting_user: Any, detail: dict[str, Any]
) -> None:
    """Make `network` the city's active one, in the caller's transaction (the city row locked)."""
    from pactesur.spaces.actions import do_sync_suggested_spaces

    StreetNetwork.objects.filter(city=city, is_active=True).exclude(pk=network.pk).update(is_active=False)
    network.is_active = True
    network.save(update_fields=["is_active"])
    do_sync_suggested_spaces(city, suggestions, acting_user=acting_user, network=network)
    do_record_audit(AuditAction.IMPORT, acting_user=acting_user, city=city, obj=network, detail=detail)
    # Listeners (the analysis app) hear of the new network once it is committed.
    transaction.on_commit(lambda: network_activated.send(sender=StreetNetwork, network=network))


def do_activate_held_import(job: ImportJob, *, acting_user: Any) -> StreetNetwork:
    """Activate a held import after a person saw which spaces it leaves out, as an import does.

    Raises InvalidRequestError when the job is not held any more (activated or cancelled already: a
    second click), when another network became active since it was held (activating it would
    replace newer data with older), or when its files are gone.
    """
    with transaction.atomic():
        City.objects.select_for_update().filter(pk=job.city_id).first()
        # Only the job row is locked: its network is a nullable join, which PostgreSQL cannot lock.
        job = (
            ImportJob.objects.select_for_update(of=("self",)).select_related("city", "network").get(pk=job.pk)
        )
        network = job.network
        if job.status != ImportStatus.HELD or network is None:
            raise InvalidRequestError(
                _("This import is no longer waiting for confirmation: it was activated or cancelled already.")
            )
        fit = FitReport.from_json(job.fit)
        current = active_network(job.city)
        if current is not None and current.pk != fit.previous_network_id:
            raise InvalidRequestError(
                _(
                    "Version %(version)d became the active street network after this import was held; "
                    "activating this one would replace it with older data. Cancel this import, and upload "
                    "the file again if it is still wanted."
                )
                % {"version": current.version}
            )
        suggestions_file = held_suggestions_path(network)
        if not (network.graph_path.exists() and network.basemap_path.exists() and suggestions_file.exists()):
            raise InvalidRequestError(
                _(
                    "The files of this import are no longer on the server: cancel it and upload the file "
                    "again."
                )
            )
        _activate(
            job.city,
            network,
            _read_suggestions(suggestions_file),
            acting_user=acting_user,
            detail={
                "file": network.source_name,
                "file_sha256": network.file_sha256,
                "version": network.version,
                "previous_version": current.version if current else None,
                "suggested_spaces": network.counts.get("suggested_spaces"),
                "confirmed_held_import": job.pk,
                **_fit_detail(fit),
            },
        )
        job.status = ImportStatus.SUCCEEDED
        job.message = gettext_noop("Imported as version %(version)d")
        job.message_params = {"version": network.version}
        job.finished_at = job.updated_at = timezone.now()
        job.save()
        transaction.on_commit(lambda: _unlink_all([suggestions_file]))
    return network


def do_cancel_held_import(job: ImportJob, *, acting_user: Any) -> ImportJob:
    """Drop a held import: delete its network version and files; the active network stays as it is.

    Raises InvalidRequestError when the job is not held any more (a second click).
    """
    with transaction.atomic():
        City.objects.select_for_update().filter(pk=job.city_id).first()
        # Only the job row is locked: its network is a nullable join, which PostgreSQL cannot lock.
        job = (
            ImportJob.objects.select_for_update(of=("self",)).select_related("city", "network").get(pk=job.pk)
        )
        network = job.network
        if job.status != ImportStatus.HELD:
            raise InvalidRequestError(
                _("This import is no longer waiting for confirmation: it was activated or cancelled already.")
            )
        files: list[Path] = []
        version = None
        if network is not None and not network.is_active:
            files = [network.graph_path, network.basemap_path, held_suggestions_path(network)]
            version = network.version
            network.delete()
        job.status = ImportStatus.CANCELLED
        job.network = None
        job.message = gettext_noop("Cancelled: the street network in use did not change")
        job.message_params = {}
        job.finished_at = job.updated_at = timezone.now()
        job.save()
        do_record_audit(
            AuditAction.IMPORT,
            acting_user=acting_user,
            city=job.city,
            obj=job,
            detail={
                "file": job.original_name,
                "cancelled": True,
                "version": version,
                **_fit_detail(FitReport.from_json(job.fit)),
            },
        )
        # The files go once the row is gone for good; a rolled-back cancel keeps them.
        transaction.on_commit(lambda: _unlink_all(files))
    return job


def do_discard_empty_city(city: City, *, acting_user: Any) -> bool:
    """Delete a city that `pactesur import-osm --name` created for an import that then failed.

    Only a city with no street network, import, member or space is deleted (someone may have
    started using it meanwhile); returns whether it was. The audit trail keeps a row.
    """
    from pactesur.cities.actions import CLI_USERNAME
    from pactesur.cities.models import Membership
    from pactesur.spaces.models import Space

    with transaction.atomic():
        locked = City.objects.select_for_update().filter(pk=city.pk).first()
        if locked is None:
            return False
        in_use = (
            StreetNetwork.objects.filter(city=locked).exists()
            or ImportJob.objects.filter(city=locked).exists()
            or Membership.objects.filter(city=locked).exists()
            or Space.objects.filter(city=locked).exists()
        )
        if in_use:
            return False
        do_record_audit(
            AuditAction.DELETE,
            acting_user=acting_user,
            obj=locked,
            detail={"slug": locked.slug, "name": locked.name, "reason": "its first import failed"},
            username="" if acting_user is not None else CLI_USERNAME,
        )
        locked.delete()
    return True


# --- background imports from the web ------------------------------------------------------------


def do_enqueue_import(city: City, uploaded_file: UploadedFile, *, acting_user: Any) -> ImportJob:
    """Store an uploaded OSM file under the data directory and queue its import as a background job."""
    from pactesur.streets.tasks import run_import_job

    do_fail_stale_jobs()
    name = Path(uploaded_file.name or "upload.osm").name
    folder = uploads_dir(city)
    folder.mkdir(parents=True, exist_ok=True)
    # The stored name keeps the original suffix (the engine reads the format from it).
    stored = folder / f"{uuid.uuid4().hex}-{_safe_name(name)}"
    size = 0
    try:
        with stored.open("wb") as fh:
            for chunk in uploaded_file.chunks():
                fh.write(chunk)
                size += len(chunk)
        with transaction.atomic():
            job: ImportJob = ImportJob.objects.create(
                city=city,
                status=ImportStatus.QUEUED,
                message=gettext_noop("Waiting for a worker"),
                upload_file=str(stored.relative_to(data_dir())),
                original_name=name[:255],
                file_size_bytes=size,
                created_by=acting_user,
            )
            do_record_audit(
                AuditAction.CREATE,
                acting_user=acting_user,
                city=city,
                obj=job,
                detail={"file": name, "size_bytes": size},
            )

            def enqueue() -> None:
                result = run_import_job.enqueue(job.pk)
                ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

            transaction.on_commit(enqueue)
    except BaseException:
        _unlink_all([stored])
        raise
    return job


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return keep[-120:] or "upload.osm"


class _JobProgress:
    """Write an import's progress to its job row (untranslated): the first report of each phase, so
    that the page goes through every phase, then at most every half second, and the end."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last_write = 0.0
        self.last_fraction = -1.0
        self.phase = ""

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        phase = message.phase if isinstance(message, PhaseMessage) else self.phase
        due = now - self.last_write >= _PROGRESS_WRITE_INTERVAL_S
        finishing = fraction >= 1.0 and fraction > self.last_fraction
        if phase == self.phase and not (due or finishing):
            return
        self.last_write, self.last_fraction, self.phase = now, fraction, phase
        text = as_stored(message)
        ImportJob.objects.filter(pk=self.job_id).update(
            progress=round(min(max(fraction, 0.0), 1.0), 4),
            message=text.msgid[:255],
            message_params=text.params,
            phase=phase,
            updated_at=timezone.now(),
        )


def do_fail_stale_jobs() -> int:
    """Record as failed the running jobs whose worker died, and delete their uploads; return how many."""
    stale = list(
        ImportJob.objects.select_related("city", "created_by").filter(
            status=ImportStatus.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
        )
    )
    for job in stale:
        if job.upload_file:
            _unlink_all([data_dir() / job.upload_file])
        _finish_job(job, status=ImportStatus.FAILED, error=StoredText(STOPPED_ERROR))
    return len(stale)


def do_handle_lost_import(job_id: int, *, retried: bool) -> None:
    """The worker running this import was lost (`pactesur.jobs.sweeps`): queue it again, or fail it."""
    job = ImportJob.objects.select_related("city", "created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.RUNNING:
        return
    # its temporary files go with the orphan sweep, once old enough not to be another import's
    if retried:
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.QUEUED,
            progress=0.0,
            message=gettext_noop("Queued again: the worker running it stopped"),
            message_params={},
            phase="",
            updated_at=timezone.now(),
        )
        return
    if job.upload_file:
        _unlink_all([data_dir() / job.upload_file])
    _finish_job(job, status=ImportStatus.FAILED, error=StoredText(STOPPED_ERROR))


def do_sweep_orphan_files(*, max_age_s: float = _PARTIAL_MAX_AGE_S) -> int:
    """Remove what killed imports left on disk; return how many files.

    Temporary files (`.partial-*`), network and base-map files that no street network row names
    (an import killed between writing its files and committing its row), suggested spaces set
    aside by no held import, and uploads that no queued or running import job names. Only files
    older than `max_age_s`, so that an import under way, whose row is not committed yet, keeps its
    files.
    """
    root = data_dir()
    cutoff = time.time() - max_age_s
    removed = 0
    named: set[str] = set()
    for graph, basemap in StreetNetwork.objects.values_list("graph_file", "basemap_file"):
        named.update((graph, basemap))
    # A held import keeps its suggested spaces beside its files until it is activated or cancelled.
    for held in StreetNetwork.objects.filter(import_jobs__status=ImportStatus.HELD, is_active=False):
        named.add(str(held_suggestions_path(held).relative_to(root)))
    pending = ImportJob.objects.filter(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING))
    named.update(name for name in pending.values_list("upload_file", flat=True) if name)
    for top in ("networks", "uploads"):
        folder = root / top
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            with contextlib.suppress(OSError):
                if not path.is_file() or path.stat().st_mtime >= cutoff:
                    continue
                if path.name.startswith(_PARTIAL_PREFIX) or str(path.relative_to(root)) not in named:
                    path.unlink()
                    removed += 1
    return removed


def do_run_import_job(job_id: int) -> ImportJob:
    """Run a queued import job (the background task's body) and record how it ended."""
    from pactesur.engine.errors import OsmInputError

    do_fail_stale_jobs()

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        updated_at=timezone.now(),
        message=gettext_noop("Starting"),
        message_params={},
    )
    job: ImportJob = ImportJob.objects.select_related("city", "created_by").get(pk=job_id)
    if not claimed:
        # Already run (a retried task): never import the same upload twice.
        return job
    upload = data_dir() / job.upload_file if job.upload_file else None
    if upload is None or not upload.exists():
        missing = gettext_noop("The uploaded file is no longer on the server; upload it again.")
        _finish_job(job, status=ImportStatus.FAILED, error=StoredText(missing))
        return job

    def hold(network: StreetNetwork, fit: FitReport) -> None:
        # In the import's transaction: the held version never exists without its held job.
        _finish_job(job, status=ImportStatus.HELD, network=network, fit=fit)

    try:
        network = do_import_osm(
            job.city,
            upload,
            acting_user=job.created_by,
            original_name=job.original_name,
            progress=_JobProgress(job.pk),
            if_outside=IfOutside.HOLD,
            on_hold=hold,
        )
    except OsmInputError as exc:
        # The engine names the stored upload; the person knows it by the name they uploaded.
        # Its message stays in English, inside a translated sentence.
        reason = str(exc).replace(str(upload), job.original_name).replace(upload.name, job.original_name)
        error = StoredText(gettext_noop("This file cannot be imported: %(reason)s"), {"reason": reason})
        _finish_job(job, status=ImportStatus.FAILED, error=error)
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        internal = gettext_noop(
            "The import failed because of an internal error (%(kind)s). The previous street "
            "network is still in use; the administrator can find details in the worker log."
        )
        _finish_job(job, status=ImportStatus.FAILED, error=StoredText(internal, {"kind": type(exc).__name__}))
        raise
    else:
        if network.is_active:
            _finish_job(job, status=ImportStatus.SUCCEEDED, network=network)
    finally:
        _unlink_all([upload])
    return job


def _finish_job(
    job: ImportJob,
    *,
    status: str,
    error: StoredText | None = None,
    network: StreetNetwork | None = None,
    fit: FitReport | None = None,
) -> None:
    """Record how a job ended (or that it waits for confirmation); message and error stored untranslated."""
    with transaction.atomic():
        job.status = status
        job.error = error.msgid if error is not None else ""
        job.error_params = error.params if error is not None else {}
        job.network = network
        job.finished_at = job.updated_at = timezone.now()
        job.upload_file = ""
        job.fit = fit.as_json() if fit is not None else {}
        if status == ImportStatus.SUCCEEDED:
            job.progress = 1.0
            job.message = gettext_noop("Imported as version %(version)d")
            job.message_params = {"version": network.version if network else 0}
        elif status == ImportStatus.HELD:
            job.progress = 1.0
            job.message = gettext_noop("Waiting for confirmation: version %(version)d is not activated yet")
            job.message_params = {"version": network.version if network else 0}
        else:
            job.message = gettext_noop("Import failed")
            job.message_params = {}
        job.save()
        if status == ImportStatus.FAILED:
            do_record_audit(
                AuditAction.IMPORT,
                acting_user=job.created_by,
                city=job.city,
                obj=job,
                detail={"file": job.original_name, "failed": True, "error": str(error or "")[:500]},
            )
