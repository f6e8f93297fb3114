"""The one place that writes approach analyses and city speed maps: queue, run, mark stale.

An analysis row is keyed by its inputs: space, vehicle class, street network, parameters hash and
outline hash. Queuing makes (or re-queues) the rows of the current inputs and marks every other
row of the space stale; running computes the rows of the current inputs that are not done yet.
Nothing is deleted: older rows are the history of what was known when.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.fields.json import KT
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pactesur.analysis import _engine_cache
from pactesur.analysis.models import DONE_STATUSES, AnalysisStatus, ApproachAnalysis, CitySpeedMap
from pactesur.analysis.parameters import UNPROTECTED_ABOVE_KMH, parameters_hash, polygon_hash, vehicle_codes
from pactesur.audit.actions import do_record_audit, do_record_export
from pactesur.audit.models import AuditAction
from pactesur.cities.csv_cells import csv_cell
from pactesur.cities.errors import InvalidRequestError
from pactesur.cities.models import City
from pactesur.cities.records import stored_user
from pactesur.cities.stored_text import StoredText, as_stored
from pactesur.spaces.models import Space
from pactesur.streets.models import StreetNetwork

logger = logging.getLogger(__name__)


def active_network(city: City | int) -> StreetNetwork | None:
    city_id = city if isinstance(city, int) else city.pk
    return StreetNetwork.objects.filter(city_id=city_id, is_active=True).first()


@dataclass(frozen=True)
class Inputs:
    """What a current analysis of a space is computed from."""

    network: StreetNetwork
    params_hash: str
    polygon_hash: str

    def key(self, space: Space, vehicle: str) -> dict[str, Any]:
        return {
            "space": space,
            "vehicle": vehicle,
            "network": self.network,
            "params_hash": self.params_hash,
            "polygon_hash": self.polygon_hash,
        }


def current_inputs(space: Space, network: StreetNetwork | None = None) -> Inputs | None:
    """The inputs a current analysis of `space` must have; None while the city has no network."""
    network = network or active_network(space.city_id)
    if network is None:
        return None
    return Inputs(network=network, params_hash=parameters_hash(), polygon_hash=polygon_hash(space.polygon))


def _is_current(row: ApproachAnalysis, inputs: Inputs | None) -> bool:
    return (
        inputs is not None
        and row.network_id == inputs.network.pk
        and row.params_hash == inputs.params_hash
        and row.polygon_hash == inputs.polygon_hash
    )


def current_analyses(space: Space) -> dict[str, ApproachAnalysis | None]:
    """For each vehicle class, the analysis to show: the one of the current inputs, else the latest.

    The latest row of older inputs is returned (with status stale) when there is no current one,
    so a page can show the last known result while the new one is computed.
    """
    inputs = current_inputs(space)
    # Results weigh megabytes (entries with paths and profiles) and older rows are kept as history:
    # a result is read when it is shown (`ApproachAnalysis.entries` loads the deferred field),
    # the path speed summary of the summary table alone here.
    rows = list(
        ApproachAnalysis.objects.filter(space=space)
        .select_related("network")
        .defer("result", "timings")
        .annotate(path_summary_json=KT("result__path_summary"))
        .order_by("-created_at", "-id")
    )
    shown: dict[str, ApproachAnalysis | None] = {}
    for code in vehicle_codes():
        of_class = [r for r in rows if r.vehicle == code]
        current = next((r for r in of_class if _is_current(r, inputs)), None)
        shown[code] = current or next(iter(of_class), None)
    return shown


def _mark_stale(rows: Any) -> int:
    """Mark rows stale unless they are already; their results stay as history."""
    count: int = rows.exclude(status=AnalysisStatus.STALE).update(
        status=AnalysisStatus.STALE, updated_at=timezone.now()
    )
    return count


def _stale_other_inputs(
    space_ids: Iterable[int] | None, city: City, inputs_by_space: dict[int, Inputs]
) -> int:
    qs = ApproachAnalysis.objects.filter(city=city)
    if space_ids is not None:
        qs = qs.filter(space_id__in=list(space_ids))
    count = 0
    for space_id, inputs in inputs_by_space.items():
        count += _mark_stale(
            qs.filter(space_id=space_id).exclude(
                network=inputs.network, params_hash=inputs.params_hash, polygon_hash=inputs.polygon_hash
            )
        )
    return count


def _queue_rows(
    space: Space, inputs: Inputs, *, force: bool, acting_user: Any, codes: Iterable[str] | None = None
) -> list[ApproachAnalysis]:
    """Make or re-queue the rows of the current inputs; return those that now wait for a worker."""
    now = timezone.now()
    queued: list[ApproachAnalysis] = []
    for code in codes or vehicle_codes():
        row, created = ApproachAnalysis.objects.get_or_create(
            **inputs.key(space, code),
            defaults={
                "city_id": space.city_id,
                "network_version": inputs.network.version,
                "status": AnalysisStatus.QUEUED,
                "requested_by": stored_user(acting_user),
                "created_at": now,
                "updated_at": now,
            },
        )
        if created:
            queued.append(row)
            continue
        waiting = row.status in (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING) and not row.is_dead
        if waiting:
            queued.append(row)
        elif force or row.status not in DONE_STATUSES:
            row.status = AnalysisStatus.QUEUED
            row.error = ""
            row.error_params = {}
            row.requested_by = stored_user(acting_user)
            row.updated_at = now
            row.save(update_fields=["status", "error", "error_params", "requested_by", "updated_at"])
            queued.append(row)
    return queued


def _enqueue_on_commit(task: Any, arg: int, rows: list[ApproachAnalysis]) -> None:
    ids = [r.pk for r in rows]

    def enqueue() -> None:
        result = task.enqueue(arg)
        ApproachAnalysis.objects.filter(pk__in=ids).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)


def do_enqueue_space_analysis(
    space: Space,
    *,
    acting_user: Any,
    force: bool = True,
    reason: str = "requested",
    request: HttpRequest | None = None,
) -> list[ApproachAnalysis]:
    """Queue the analysis of `space` for every vehicle class on the city's active network.

    Rows of other inputs (an older outline, network or parameter set) are marked stale. With
    `force`, results already computed for the current inputs are computed again (the "re-run"
    button); without it (automatic runs), only missing or failed ones are (a space found outside
    the network is not: the same inputs give the same outcome).

    Raises InvalidRequestError when the city has no street network yet or the space is archived.
    """
    from pactesur.analysis.tasks import analyse_space

    if space.archived_at is not None:
        raise InvalidRequestError(_("This space is archived: restore it before analysing it again."))
    inputs = current_inputs(space)
    if inputs is None:
        raise InvalidRequestError(
            _("This city has no street network yet: import its OpenStreetMap extract first.")
        )
    with transaction.atomic():
        stale = _stale_other_inputs([space.pk], space.city, {space.pk: inputs})
        queued = _queue_rows(space, inputs, force=force, acting_user=acting_user)
        if not queued and not stale:
            return []  # everything is up to date: nothing happened, nothing to record
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=space,
            detail={
                "what": "approach analysis queued",
                "reason": reason,
                "vehicles": [r.vehicle for r in queued],
                "network_version": inputs.network.version,
                "params_hash": inputs.params_hash,
                "marked_stale": stale,
            },
            request=request,
        )
        if queued:
            _enqueue_on_commit(analyse_space, space.pk, queued)
    return queued


def do_enqueue_city_analysis(
    city: City,
    *,
    acting_user: Any,
    force: bool = False,
    reason: str = "requested",
    request: HttpRequest | None = None,
) -> list[ApproachAnalysis]:
    """Queue the analysis of every space of the city and its speed maps, on the active network.

    Raises InvalidRequestError when the city has no street network yet.
    """
    from pactesur.analysis.tasks import analyse_city

    network = active_network(city)
    if network is None:
        raise InvalidRequestError(
            _("This city has no street network yet: import its OpenStreetMap extract first.")
        )
    with transaction.atomic():
        # Archived spaces are not analysed again; their analyses are kept as they are.
        spaces = list(Space.objects.filter(city=city).active())
        inputs = {s.pk: current_inputs(s, network) for s in spaces}
        stale = _stale_other_inputs(None, city, {k: v for k, v in inputs.items() if v is not None})
        # Rows of spaces that no longer exist go with them; rows of other networks are stale.
        stale += _mark_stale(ApproachAnalysis.objects.filter(city=city).exclude(network=network))
        queued: list[ApproachAnalysis] = []
        for space in spaces:
            space_inputs = inputs[space.pk]
            if space_inputs is not None:
                queued += _queue_rows(space, space_inputs, force=force, acting_user=acting_user)
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            city=city,
            obj=network,
            detail={
                "what": "city analysis queued",
                "reason": reason,
                "spaces": len(spaces),
                "analyses": len(queued),
                "network_version": network.version,
                "params_hash": parameters_hash(),
                "marked_stale": stale,
            },
            request=request,
        )
        _enqueue_on_commit(analyse_city, city.pk, queued)
    return queued


def do_mark_network_superseded(network: StreetNetwork) -> int:
    """Mark stale every analysis of the network's city computed on another network; return how many."""
    with transaction.atomic():
        return _mark_stale(ApproachAnalysis.objects.filter(city_id=network.city_id).exclude(network=network))


# --- running -----------------------------------------------------------------------------------


@dataclass
class RunStats:
    """What a run did, for audit details, logs and the demo's timing line.

    `outside` counts the analyses not run because no street of the network reaches their space
    (`outside_spaces` names those spaces): not failures, and not results either.
    """

    spaces: int = 0
    analyses: int = 0
    skipped: int = 0
    failed: int = 0
    outside: int = 0
    outside_spaces: list[str] = field(default_factory=list)
    entries: int = 0
    speed_maps: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def summary_of(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the summary columns of one class's entries (fastest first, as the engine gives them)."""
    if not entries:
        return {
            "max_impact_speed_kmh": None,
            "max_kinetic_energy_kj": None,
            "entry_count": 0,
            "unprotected_entry_count": 0,
            "max_exposure_m": None,
            "required_rating": "",
            "required_test_speed_kmh": None,
            "beyond_rating": False,
        }
    fastest = max(entries, key=lambda e: (e["test_speed_kmh"], e["impact_speed_kmh"]))
    return {
        "max_impact_speed_kmh": max(float(e["impact_speed_kmh"]) for e in entries),
        "max_kinetic_energy_kj": max(float(e["kinetic_energy_kj"]) for e in entries),
        "entry_count": len(entries),
        "unprotected_entry_count": sum(1 for e in entries if e["impact_speed_kmh"] > UNPROTECTED_ABOVE_KMH),
        "max_exposure_m": max(float(e["exposure_m"]) for e in entries),
        "required_rating": str(fastest["required_rating"])[:40],
        "required_test_speed_kmh": int(fastest["test_speed_kmh"]),
        "beyond_rating": any(bool(e["beyond_rating"]) for e in entries),
    }


def path_summary_of(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The class's path speed summary: the fastest entry along a line the streetscape leaves.

    None for results of an engine that gave no path speed. `closed` counts the entries no line
    fits through (the objects close them for this class).
    """
    if not entries or "path_speed_kmh" not in entries[0]:
        return None
    open_ = [e for e in entries if e.get("path_speed_kmh") is not None]
    closed = len(entries) - len(open_)
    if not open_:
        return {"max_speed_kmh": None, "required_rating": "", "beyond_rating": False, "closed": closed}
    fastest = max(open_, key=lambda e: float(e["path_speed_kmh"]))
    return {
        "max_speed_kmh": round(float(fastest["path_speed_kmh"]), 1),
        "required_rating": str(fastest.get("path_required_rating") or "")[:40],
        "beyond_rating": bool(fastest.get("path_beyond_rating")),
        "closed": closed,
    }


def _json_safe(value: Any) -> Any:
    """The value with every non-finite float as None: JSON has no NaN or infinity, and the database
    refuses them (an unbounded width of an open area, for instance, is "no limit").

    The standard library does it at C speed: it writes NaN and infinities as bare constants,
    which only its parser's `parse_constant` sees (never the text inside a string).
    """
    return json.loads(json.dumps(value), parse_constant=lambda _constant: None)


def loaded_engine_network(network: StreetNetwork) -> _engine_cache.LoadedNetwork:
    """The engine's network of `network`, read once per process (barrier-plan checks reuse it).

    Raises FileNotFoundError when its file is missing, `OsmInputError` when it cannot be read.
    """
    return _engine_cache.loaded_network(network.graph_path, parameters_hash())


def _loaded(network: StreetNetwork) -> _engine_cache.LoadedNetwork:
    from pactesur.engine.errors import OsmInputError

    try:
        return _engine_cache.loaded_network(network.graph_path, parameters_hash())
    except (FileNotFoundError, OsmInputError) as exc:
        # English with its message id: a worker stores it untranslated on the failed rows.
        missing = gettext_noop(
            "The file of street network version %(version)d is missing on the server; import it again."
        )
        raise InvalidRequestError(StoredText(missing, {"version": network.version})) from exc


def _claim(rows: list[ApproachAnalysis]) -> list[ApproachAnalysis]:
    """Mark the rows running and return them (the ones not done by someone else meanwhile)."""
    now = timezone.now()
    ids = [r.pk for r in rows]
    ApproachAnalysis.objects.filter(pk__in=ids).exclude(status__in=DONE_STATUSES).update(
        status=AnalysisStatus.RUNNING, started_at=now, updated_at=now, error="", error_params={}
    )
    return list(ApproachAnalysis.objects.filter(pk__in=ids, status=AnalysisStatus.RUNNING))


def _fail(rows: list[ApproachAnalysis], message: str) -> None:
    """Mark the rows failed with `message`, stored untranslated (a StoredText keeps its parameters)."""
    text = as_stored(message)
    ApproachAnalysis.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=AnalysisStatus.FAILED, error=text.msgid, error_params=text.params, updated_at=timezone.now()
    )


def _rows_to_run(space: Space, inputs: Inputs) -> list[ApproachAnalysis]:
    """The rows of the current inputs that are not done: made when missing (a run without a queue)."""
    rows = []
    for code in vehicle_codes():
        try:
            row, _created = ApproachAnalysis.objects.get_or_create(
                **inputs.key(space, code),
                defaults={
                    "city_id": space.city_id,
                    "network_version": inputs.network.version,
                    "status": AnalysisStatus.QUEUED,
                },
            )
        except IntegrityError:
            row = ApproachAnalysis.objects.get(**inputs.key(space, code))
        if row.status not in DONE_STATUSES:
            rows.append(row)
    return rows


# Stored untranslated on the analyses of a space no street of the network reaches.
OUTSIDE_MESSAGE = gettext_noop(
    "Not analysed: no street, footway or open square of street network version %(version)d reaches "
    "this space."
)
OUTSIDE_AWAY_MESSAGE = gettext_noop(
    "Not analysed: no street, footway or open square of street network version %(version)d reaches "
    "this space; the nearest street of the extract is %(distance_m)s m from its outline."
)


def _mark_outside(
    rows: list[ApproachAnalysis], space: Space, inputs: Inputs, loaded: _engine_cache.LoadedNetwork
) -> None:
    """Store on the rows that the space lies outside the network, with how far its nearest street is.

    No result and no summary: a space nothing was computed for must never read as a safe one.
    """
    from pactesur.streets.fit import SpaceOutline, spaces_outside

    outline = SpaceOutline(id=space.pk, name=space.shown_name, polygon=space.polygon)
    try:
        away = spaces_outside(loaded.network, [outline], bounds=inputs.network.bounds, margin_m=0.0)
    except (ValueError, TypeError):
        away = []  # the distance only adds to the message; its absence changes nothing
    version = inputs.network.version
    text = (
        StoredText(OUTSIDE_AWAY_MESSAGE, {"version": version, "distance_m": round(away[0].distance_m)})
        if away and away[0].distance_m >= 1.0
        else StoredText(OUTSIDE_MESSAGE, {"version": version})
    )
    ApproachAnalysis.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=AnalysisStatus.OUTSIDE,
        error=text.msgid,
        error_params=text.params,
        result={},
        computed_at=None,
        updated_at=timezone.now(),
        **summary_of([]),
    )


def _compute(space: Space, inputs: Inputs, rows: list[ApproachAnalysis], stats: RunStats) -> None:
    """Run the engine for the rows' classes; store each class's entries, barriers, warnings and summary."""
    from shapely.geometry import shape

    from pactesur.engine.errors import AreaOutsideNetworkError, EngineError
    from pactesur.engine.vda import analyse_area, vehicle_json

    loaded = _loaded(inputs.network)
    codes = [r.vehicle for r in rows]
    speeds = {code: loaded.speeds_for(code) for code in codes}
    started = time.perf_counter()
    try:
        result = analyse_area(
            loaded.network,
            shape(space.polygon),
            vehicle_codes=codes,
            speeds=speeds,
            streetscape=loaded.streetscape,
        )
    except EngineError as exc:
        # No way of the network reaches the space (its outline may be fine): not a failure.
        if isinstance(exc, AreaOutsideNetworkError):
            _mark_outside(rows, space, inputs, loaded)
            stats.outside += len(rows)
            stats.outside_spaces.append(space.shown_name)
            return
        # The engine's message stays in English, inside a translated sentence.
        reason = gettext_noop("The engine cannot analyse this space: %(reason)s")
        _fail(rows, StoredText(reason, {"reason": str(exc)}))
        stats.failed += len(rows)
        stats.errors.append(f"{space.shown_name}: {exc}")
        return
    elapsed = time.perf_counter() - started
    by_vehicle = {v.code: v for v in result.vehicles}
    now = timezone.now()
    for row in rows:
        entries = _json_safe([e.as_json() for e in result.entries if e.vehicle == row.vehicle])
        for name, value in summary_of(entries).items():
            setattr(row, name, value)
        row.result = _json_safe(
            {
                "vehicle": vehicle_json(by_vehicle[row.vehicle]),
                "entries": entries,
                "barriers": [b.as_json() for b in result.barriers if b.vehicle == row.vehicle],
                # A warning about the whole space (vehicle None) goes with every class.
                "warnings": [w.as_json() for w in result.warnings if w.vehicle in (None, row.vehicle)],
                "path_summary": path_summary_of(entries),
            }
        )
        row.timings = {
            "city_speeds_s": round(loaded.compute_s.get(row.vehicle, 0.0), 4),
            "space_s": round(elapsed, 4),
            **{k: round(v, 4) for k, v in result.timings_s.items() if k.endswith(row.vehicle)},
        }
        row.status = AnalysisStatus.SUCCEEDED
        row.error = ""
        row.error_params = {}
        row.computed_at = row.updated_at = now
        row.save()
        stats.entries += len(entries)
    stats.analyses += len(rows)


# Stored untranslated on the analyses a lost worker left running (`pactesur.jobs.sweeps`).
WORKER_LOST_ERROR = gettext_noop(
    "The worker computing this analysis stopped twice without finishing (killed or out of memory); "
    "run the analysis again."
)


def do_handle_lost_space_analysis(space_id: int, *, retried: bool) -> None:
    """The worker analysing this space was lost: a retry takes its rows again; a failure fails them."""
    if not retried:
        _fail_running(space_id=space_id)


def do_handle_lost_city_analysis(city_id: int, *, retried: bool) -> None:
    """The worker analysing this city was lost: a retry takes its rows again; a failure fails them."""
    if not retried:
        _fail_running(city_id=city_id)


def _fail_running(**scope: int) -> None:
    """Fail the analyses of `scope` (a space or a city) left running by a lost worker."""
    _fail(list(ApproachAnalysis.objects.filter(status=AnalysisStatus.RUNNING, **scope)), WORKER_LOST_ERROR)


def do_run_space_analysis(
    space: Space, *, acting_user: Any = None, audit: bool = True, stats: RunStats | None = None
) -> RunStats:
    """Compute the space's analyses of the current inputs that are not done yet (the job's body).

    A space no street of the network reaches gets rows marked outside the network (not analysed,
    with the distance to its nearest street); a network file gone from the server gives failed rows
    with a message for the user; other errors fail the rows and are raised for the worker log.
    """
    stats = stats or RunStats()
    started = time.perf_counter()
    space = Space.objects.select_related("city").get(pk=space.pk)
    inputs = current_inputs(space)
    if inputs is None:
        return stats
    with transaction.atomic():
        _stale_other_inputs([space.pk], space.city, {space.pk: inputs})
        todo = _rows_to_run(space, inputs)
    stats.spaces += 1
    stats.skipped += len(vehicle_codes()) - len(todo)
    rows = _claim(todo) if todo else []
    if rows:
        try:
            _compute(space, inputs, rows, stats)
        except InvalidRequestError as exc:
            _fail(rows, exc.args[0] if exc.args else str(exc))
            stats.failed += len(rows)
            stats.errors.append(str(exc))
        except Exception as exc:
            logger.exception("analysis of space %s failed", space.pk)
            internal = gettext_noop(
                "The analysis failed because of an internal error (%(kind)s); see the worker log."
            )
            _fail(rows, StoredText(internal, {"kind": type(exc).__name__}))
            raise
    stats.seconds += time.perf_counter() - started
    if audit and rows:
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=space,
            detail={
                "what": "approach analysis computed",
                "vehicles": [r.vehicle for r in rows],
                "network_version": inputs.network.version,
                "params_hash": inputs.params_hash,
                "failed": stats.failed,
                "outside": stats.outside,
            },
        )
    return stats


def speed_map_relative_path(network: StreetNetwork, vehicle: str, params: str) -> str:
    return f"analysis/{network.city_id}/{network.version}/speeds-{vehicle}-{params}.npz"


def do_compute_city_speed_maps(network: StreetNetwork, *, stats: RunStats | None = None) -> RunStats:
    """Write the per-segment speed map of every vehicle class of `network` that is not there yet."""
    from pathlib import Path

    from pactesur.analysis.speedmaps import (
        save_speed_map,
        segment_speeds_kmh,
        speed_lines,
        speed_stats,
        street_speeds,
    )

    stats = stats or RunStats()
    params = parameters_hash()
    loaded = _loaded(network)
    for code in vehicle_codes():
        existing = CitySpeedMap.objects.filter(network=network, vehicle=code, params_hash=params).first()
        if existing is not None and existing.speeds_path.exists():
            continue
        started = time.perf_counter()
        speeds_kmh = segment_speeds_kmh(loaded.speeds_for(code))
        relative = speed_map_relative_path(network, code, params)
        lines = {
            "network": {"id": network.pk, "version": network.version},
            "vehicle": code,
            "lines": speed_lines(loaded.network, speeds_kmh),
        }
        streets = street_speeds(loaded.network, speeds_kmh)
        save_speed_map(Path(settings.PACTESUR_DATA_DIR) / relative, speeds_kmh, lines, streets)
        figures = speed_stats(loaded.network, speeds_kmh)
        CitySpeedMap.objects.update_or_create(
            network=network,
            vehicle=code,
            params_hash=params,
            defaults={
                "city_id": network.city_id,
                "speeds_file": relative,
                "segment_count": figures["segment_count"],
                "usable_segment_count": figures["usable_segment_count"],
                "max_speed_kmh": figures["max_speed_kmh"],
                "km_by_band": figures["km_by_band"],
                "computed_at": timezone.now(),
                "compute_s": round(loaded.compute_s.get(code, 0.0) + time.perf_counter() - started, 4),
            },
        )
        stats.speed_maps += 1
    return stats


def do_run_city_analysis(
    city: City, *, acting_user: Any = None, space_ids: Iterable[int] | None = None
) -> RunStats:
    """Compute the city's speed maps and every space's analyses not done yet, on the active network.

    The network is read and each class's city-wide speeds computed once for all spaces. With
    `space_ids`, only those spaces are analysed (the demo runs the named ones at once).
    """
    stats = RunStats()
    started = time.perf_counter()
    network = active_network(city)
    if network is None:
        return stats
    do_mark_network_superseded(network)
    try:
        do_compute_city_speed_maps(network, stats=stats)
    except InvalidRequestError as exc:
        stats.errors.append(str(exc))
    spaces = Space.objects.filter(city=city).active().order_by("pk")
    if space_ids is not None:
        spaces = spaces.filter(pk__in=list(space_ids))
    for space in spaces:
        try:
            do_run_space_analysis(space, acting_user=acting_user, audit=False, stats=stats)
        # One space's failure must not stop the city's other spaces; it is logged by the run.
        except Exception as exc:
            stats.failed += 1
            stats.errors.append(f"{space.shown_name}: {type(exc).__name__}")
    stats.seconds = time.perf_counter() - started
    do_record_audit(
        AuditAction.UPDATE,
        acting_user=acting_user,
        city=city,
        obj=network,
        detail={
            "what": "city analysis computed",
            "network_version": network.version,
            "params_hash": parameters_hash(),
            "spaces": stats.spaces,
            "analyses": stats.analyses,
            "failed": stats.failed,
            "outside": stats.outside,
            "speed_maps": stats.speed_maps,
            "seconds": round(stats.seconds, 2),
        },
    )
    return stats


# The columns of a class's street speeds CSV (`do_export_street_speeds`).
STREET_CSV_COLUMNS = (
    "vehicle",
    "street",
    "kind",
    "kind_label",
    "max_speed_kmh",
    "length_m",
    "fastest_lat",
    "fastest_lon",
    "osm_way_ids",
    "network_version",
)


def do_export_street_speeds(
    speed_map: CitySpeedMap, *, acting_user: Any, request: HttpRequest | None = None
) -> str:
    """Return every street of a class's city speed map, fastest first, as CSV text; audit the export.

    It is the speed map as a table, for a spreadsheet or a screen reader: each street's highest
    attainable speed, its length, where it is fastest and its OpenStreetMap ways (`speedmaps`).
    """
    import csv
    import io

    from pactesur.analysis.results import city_streets
    from pactesur.analysis.wording import way_kind_label

    streets = city_streets(speed_map)
    if streets is None:
        raise InvalidRequestError(
            _("The street speeds of this class cannot be read: run the analysis again.")
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(STREET_CSV_COLUMNS)
    for street in streets:
        values = (
            speed_map.vehicle,
            street.get("name") or "",
            street.get("kind"),
            way_kind_label(street.get("kind")),
            street.get("max_speed_kmh"),
            street.get("length_m"),
            street.get("lat"),
            street.get("lon"),
            " ".join(str(w) for w in street.get("way_ids") or []),
            speed_map.network.version,
        )
        writer.writerow([csv_cell(v) for v in values])
    do_record_export(
        acting_user=acting_user,
        city=speed_map.city,
        what="city street speeds",
        fmt="csv",
        rows=len(streets),
        obj=speed_map,
        filters={"vehicle": speed_map.vehicle, "network_version": speed_map.network.version},
        request=request,
    )
    return out.getvalue()
