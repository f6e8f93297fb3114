"""Reading analyses for pages, the API and exports: current rows, rankings, speed maps, GeoJSON."""

from __future__ import annotations

import json
import logging
import math
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from pactesur.analysis.actions import Inputs, active_network, current_analyses, current_inputs
from pactesur.analysis.models import RUNNING_TIMEOUT, AnalysisStatus, ApproachAnalysis, CitySpeedMap
from pactesur.analysis.parameters import parameters_hash, vehicle_codes
from pactesur.analysis.speedmaps import load_speeds_kmh, load_street_speeds, save_street_speeds, street_speeds
from pactesur.analysis.vehicle_labels import vehicle_label
from pactesur.analysis.wording import (
    barrier_kind_label,
    class_rating,
    direction_label,
    path_speed_text,
    rating_text,
    review_texts,
    shown_warnings,
    streetscape_text,
    via_label,
    way_kind_label,
)
from pactesur.cities.models import City
from pactesur.engine.io.network_store import load_network
from pactesur.engine.vehicles import vehicle_by_code
from pactesur.spaces.models import Space
from pactesur.spaces.naming import namesake_labels
from pactesur.streets.models import StreetNetwork

logger = logging.getLogger(__name__)

SUMMARY_FIELDS = (
    "max_impact_speed_kmh",
    "max_kinetic_energy_kj",
    "entry_count",
    "unprotected_entry_count",
    "max_exposure_m",
    "required_rating",
    "required_test_speed_kmh",
    "beyond_rating",
)


@dataclass(frozen=True)
class ClassAnalysis:
    """One vehicle class's analysis of a space as shown: the row (if any) and whether it is current."""

    vehicle: str
    description: str
    mass_kg: float
    row: ApproachAnalysis | None
    current: bool

    @property
    def status(self) -> str:
        if self.row is None:
            return "missing"
        if not self.current and self.row.status != AnalysisStatus.STALE and not self.row.is_pending:
            return AnalysisStatus.STALE
        return self.row.shown_status

    @property
    def pending(self) -> bool:
        return self.row is not None and self.current and self.row.is_pending

    @property
    def outside(self) -> bool:
        """Not analysed on the current inputs: no street of the network reaches the space."""
        return self.row is not None and self.current and self.row.is_outside

    @property
    def has_result(self) -> bool:
        return self.row is not None and self.row.computed_at is not None

    def summary(self) -> dict[str, Any]:
        """The summary columns, with `required_rating` None and `rating_summary` saying so when the
        class arrives faster than any test of its class."""
        if not self.has_result or self.row is None:
            return {**dict.fromkeys(SUMMARY_FIELDS), "rating_summary": ""}
        values = {name: getattr(self.row, name) for name in SUMMARY_FIELDS}
        rating = self.rating()
        values["required_rating"] = rating["required_rating"]
        values["rating_summary"] = rating["rating_summary"]
        values.update({k: v for k, v in rating.items() if k.startswith(("path_", "has_path"))})
        return values

    def rating(self) -> dict[str, Any]:
        """The class's summary line (`wording.class_rating`); its rating is "—" without a result."""
        row = self.row if self.has_result else None
        return class_rating(
            self.vehicle,
            max_impact_speed_kmh=row.max_impact_speed_kmh if row is not None else None,
            max_kinetic_energy_kj=row.max_kinetic_energy_kj if row is not None else None,
            required_rating=row.required_rating if row is not None else None,
            beyond_rating=bool(row.beyond_rating) if row is not None else False,
            path=_path_of(row),
        )

    def status_json(self) -> dict[str, Any]:
        row = self.row
        return {
            "vehicle": self.vehicle,
            "status": self.status,
            "current": self.current,
            "error": row.shown_error if row is not None else "",
            "computed_at": row.computed_at.isoformat() if row is not None and row.computed_at else None,
            "network_version": row.network_version if row is not None else None,
        }


def space_analyses(space: Space) -> tuple[Inputs | None, list[ClassAnalysis]]:
    """The current inputs of the space and, per vehicle class, the analysis to show."""
    inputs = current_inputs(space)
    shown = current_analyses(space)
    result = []
    for code in vehicle_codes():
        vehicle = vehicle_by_code(code)
        row = shown.get(code)
        current = (
            row is not None
            and inputs is not None
            and row.network_id == inputs.network.pk
            and row.params_hash == inputs.params_hash
            and row.polygon_hash == inputs.polygon_hash
        )
        result.append(
            ClassAnalysis(
                vehicle=code,
                description=vehicle_label(code),
                mass_kg=vehicle.mass_kg,
                row=row,
                current=current,
            )
        )
    return inputs, result


def current_rows(city: City | int) -> QuerySet[ApproachAnalysis]:
    """Succeeded analyses of the city's active network and parameters (stale rows excluded)."""
    network = active_network(city)
    city_id = city if isinstance(city, int) else city.pk
    if network is None:
        return ApproachAnalysis.objects.none()
    return ApproachAnalysis.objects.filter(
        city_id=city_id, network=network, params_hash=parameters_hash(), status=AnalysisStatus.SUCCEEDED
    )


def row_rating(row: ApproachAnalysis) -> dict[str, Any]:
    """The class's summary line of one analysis row (`wording.class_rating`)."""
    return class_rating(
        row.vehicle,
        max_impact_speed_kmh=row.max_impact_speed_kmh,
        max_kinetic_energy_kj=row.max_kinetic_energy_kj,
        required_rating=row.required_rating,
        beyond_rating=row.beyond_rating,
        path=_path_of(row),
    )


def _path_of(row: ApproachAnalysis | None) -> dict[str, Any] | None:
    """The row's path speed summary (None for results computed before path speeds).

    A row read with `path_summary_json` (the summary alone, `space_ranking`) is not made to load
    its whole result.
    """
    if row is None:
        return None
    if hasattr(row, "path_summary_json"):
        text = row.path_summary_json
        found = json.loads(text) if isinstance(text, str) and text else None
    else:
        found = row.result.get("path_summary") if isinstance(row.result, dict) else None
    return found if isinstance(found, dict) else None


def space_ranking(city: City | int) -> list[dict[str, Any]]:
    """Spaces in use (archived ones left out) ranked by the highest impact speed of any vehicle class,
    with the class that reaches it.

    Each space carries every class's rating line (`ratings`, lightest class first), so that a class
    beyond any tested rating is never hidden behind the rating of the heaviest impact, and what tells
    it from a space of the same name: `name_shared` and `distinguishing_label` (its street and area).
    """
    by_space: dict[int, dict[str, Any]] = {}
    # The stored results weigh megabytes (entries, paths, profiles): only their path summary is read.
    light = (
        current_rows(city)
        .filter(space__archived_at__isnull=True)
        .select_related("space")
        .defer("result", "timings", "space__polygon")
        .annotate(path_summary_json=KT("result__path_summary"))
    )
    rows = sorted(ordered_by_class(list(light)), key=lambda r: r.space_id)
    for row in rows:
        item = by_space.setdefault(
            row.space_id,
            {
                "space_id": row.space_id,
                "name": row.space.display_name,
                "kind": row.space.kind,
                "kind_label": row.space.kind_label,
                "area_m2": round(row.space.area_m2),
                "name_shared": False,
                "distinguishing_label": "",
                "ratings": [],
                "max_impact_speed_kmh": None,
                "speed_vehicle": "",
                "max_kinetic_energy_kj": None,
                "energy_vehicle": "",
                "required_rating": "",
                "required_test_speed_kmh": None,
                "beyond_rating": False,
                "beyond_classes": [],
                "entries_above_16_kmh": 0,
                "computed_at": None,
            },
        )
        if row.max_impact_speed_kmh is not None and (
            item["max_impact_speed_kmh"] is None or row.max_impact_speed_kmh > item["max_impact_speed_kmh"]
        ):
            item["max_impact_speed_kmh"] = row.max_impact_speed_kmh
            item["speed_vehicle"] = row.vehicle
        if row.max_kinetic_energy_kj is not None and (
            item["max_kinetic_energy_kj"] is None or row.max_kinetic_energy_kj > item["max_kinetic_energy_kj"]
        ):
            item["max_kinetic_energy_kj"] = row.max_kinetic_energy_kj
            item["energy_vehicle"] = row.vehicle
            item["required_rating"] = None if row.beyond_rating else row.required_rating
            item["required_test_speed_kmh"] = row.required_test_speed_kmh
            item["beyond_rating"] = row.beyond_rating
        if row.beyond_rating:
            item["beyond_classes"].append(row.vehicle)
        if row.max_impact_speed_kmh is not None:
            item["ratings"].append(row_rating(row))
        item["entries_above_16_kmh"] = max(item["entries_above_16_kmh"], row.unprotected_entry_count)
        if row.computed_at and (item["computed_at"] is None or row.computed_at > item["computed_at"]):
            item["computed_at"] = row.computed_at
    labels = namesake_labels(row.space for row in rows)
    for item in by_space.values():
        item["distinguishing_label"] = labels.get(item["space_id"], "")
        item["name_shared"] = bool(item["distinguishing_label"])
    return sorted(
        by_space.values(),
        key=lambda i: (
            -(i["max_impact_speed_kmh"] or 0.0),
            -(i["max_kinetic_energy_kj"] or 0.0),
            i["name"],
            i["space_id"],
        ),
    )


def ordered_by_class(rows: list[ApproachAnalysis]) -> list[ApproachAnalysis]:
    """The rows in the engine's order of classes, lightest first."""
    order = {code: index for index, code in enumerate(vehicle_codes())}
    return sorted(rows, key=lambda r: (order.get(r.vehicle, len(order)), r.vehicle))


def _shown_rows(analyses: list[ClassAnalysis]) -> list[tuple[ClassAnalysis, ApproachAnalysis]]:
    return [(item, item.row) for item in analyses if item.row is not None and item.has_result]


def space_warnings(analyses: list[ClassAnalysis]) -> list[dict[str, Any]]:
    """The warnings of the analyses shown on a space's page, each once, translated."""
    return shown_warnings(w for _item, row in _shown_rows(analyses) for w in row.warnings)


# How far back along an approach path its direction is read from the entry: far enough that the last
# bend before the outline does not decide it alone, near enough to be the side it comes in from
# (assumption).
DIRECTION_BACK_M = 40.0
M_PER_DEG_LAT = 111_320.0


def approach_bearing_deg(path: Any) -> float | None:
    """The compass bearing (0 north, clockwise) from the end of an approach path (the entry) towards
    where the vehicle comes from: the first point of the path at least `DIRECTION_BACK_M` back along
    it (or its start). None when the path is missing or shorter than a metre. Paths are
    [[lon, lat], …] ending at the entry; metres by an equirectangular projection at the entry,
    exact enough over a few hundred metres for eight compass points."""
    points = [p for p in path or [] if isinstance(p, list | tuple) and len(p) >= 2]
    if len(points) < 2:
        return None
    end_lon, end_lat = float(points[-1][0]), float(points[-1][1])
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(end_lat))
    east = north = travelled = 0.0
    for point in reversed(points[:-1]):
        step_east = (float(point[0]) - end_lon) * m_per_deg_lon - east
        step_north = (float(point[1]) - end_lat) * M_PER_DEG_LAT - north
        east, north = east + step_east, north + step_north
        travelled += math.hypot(step_east, step_north)
        if travelled >= DIRECTION_BACK_M:
            break
    if math.hypot(east, north) < 1.0:
        return None
    return math.degrees(math.atan2(east, north)) % 360.0


def entry_rows(analyses: list[ClassAnalysis]) -> list[dict[str, Any]]:
    """Every entry of every class with a result, numbered, with its words, for the table and the map:
    the street it comes along, the kind of way, how it gets in and the direction it comes from."""
    rows = []
    for item, row in _shown_rows(analyses):
        for index, entry in enumerate(row.entries):
            assumed = entry.get("width_source") == "assumed"
            rows.append(
                {
                    "id": f"{item.vehicle}-{index}",
                    "stale": not item.current,
                    **entry,
                    "via_label": via_label(entry.get("via")),
                    "approach_label": way_kind_label(entry.get("approach")),
                    "street_label": str(entry.get("name") or "") or _("unnamed way"),
                    "direction_label": direction_label(approach_bearing_deg(entry.get("path"))),
                    "width_assumed": assumed,
                    "review_texts": review_texts(entry),
                    "path_text": path_speed_text(entry),
                    "streetscape_text": streetscape_text(entry),
                    "has_path": "path_speed_kmh" in entry,
                    "rating_summary": rating_text(
                        str(entry.get("required_rating") or ""),
                        beyond_rating=bool(entry.get("beyond_rating")),
                    ),
                }
            )
    return rows


def _barrier_key(barrier: dict[str, Any]) -> tuple[Any, ...]:
    if barrier.get("osm_id"):
        return ("osm", barrier["osm_id"])
    return ("at", round(float(barrier.get("lon") or 0.0), 6), round(float(barrier.get("lat") or 0.0), 6))


def barrier_rows(analyses: list[ClassAnalysis]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The existing barriers that stop an approach, one per barrier with a line per class, fastest first.

    Returns the grouped rows for the table and the flat per-class items (with path and speed
    profile, numbered like the entries) for the map data.
    """
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    flat: list[dict[str, Any]] = []
    for item, row in _shown_rows(analyses):
        for index, barrier in enumerate(row.barriers):
            rating = class_rating(
                item.vehicle,
                max_impact_speed_kmh=barrier.get("impact_speed_kmh"),
                max_kinetic_energy_kj=barrier.get("kinetic_energy_kj"),
                required_rating=str(barrier.get("required_rating") or ""),
                beyond_rating=bool(barrier.get("beyond_rating")),
            )
            one = {
                **barrier,
                "id": f"{item.vehicle}-b{index}",
                "stale": not item.current,
                "kind_label": barrier_kind_label(barrier.get("kind")),
                "rating_summary": rating["rating_summary"],
            }
            flat.append(one)
            group = groups.setdefault(
                _barrier_key(barrier),
                {
                    "kind": barrier.get("kind"),
                    "kind_label": one["kind_label"],
                    "lon": barrier.get("lon"),
                    "lat": barrier.get("lat"),
                    "gap_m": barrier.get("gap_m"),
                    "osm_id": barrier.get("osm_id"),
                    "rated": barrier.get("rated"),
                    "classes": [],
                },
            )
            group["classes"].append({**rating, "id": one["id"], "stale": one["stale"]})
    for group in groups.values():
        group["max_impact_speed_kmh"] = max(float(c["max_impact_speed_kmh"] or 0.0) for c in group["classes"])
    ranked = sorted(groups.values(), key=lambda g: -g["max_impact_speed_kmh"])
    for number, group in enumerate(ranked, start=1):
        group["number"] = number
    return ranked, flat


def assumed_width_ways(analyses: list[ClassAnalysis]) -> list[dict[str, Any]]:
    """The ways of assumed width on the approach paths, each once, with the classes whose paths use them.

    Most used first: measuring those makes the most entries reliable.
    """
    ways: dict[Any, dict[str, Any]] = {}
    for item, row in _shown_rows(analyses):
        for entry in row.entries:
            for way in entry.get("assumed_widths") or []:
                if not isinstance(way, dict):
                    continue
                found = ways.setdefault(
                    way.get("way_id"),
                    {
                        "way_id": way.get("way_id"),
                        "name": way.get("name") or "",
                        "kind": way.get("kind"),
                        "kind_label": way_kind_label(way.get("kind")),
                        "width_m": way.get("width_m"),
                        "vehicles": [],
                        "entries": 0,
                    },
                )
                found["entries"] += 1
                if item.vehicle not in found["vehicles"]:
                    found["vehicles"].append(item.vehicle)
    return sorted(ways.values(), key=lambda w: (-w["entries"], w["name"], str(w["way_id"])))


def spaces_not_analysed(city: City | int, *, network: StreetNetwork | None = None) -> list[dict[str, Any]]:
    """The spaces in use that have no result on the active network and why: outside it, or failed.

    Spaces outside the network first (their message says how far the nearest street is), then those
    whose analysis failed, each by name; one item per space, with the classes concerned. A space
    here has no impact speed anywhere on the page: it was not analysed, which never means safe.
    `network`: the city's active network, when the caller has read it already.
    """
    network = network or active_network(city)
    if network is None:
        return []
    rows = (
        ApproachAnalysis.objects.filter(
            network=network,
            params_hash=parameters_hash(),
            status__in=(AnalysisStatus.OUTSIDE, AnalysisStatus.FAILED),
            space__archived_at__isnull=True,
        )
        .select_related("space")
        .defer("result", "timings", "space__polygon")
    )
    by_space: dict[int, dict[str, Any]] = {}
    for row in ordered_by_class(list(rows)):
        item = by_space.setdefault(
            row.space_id,
            {
                "space_id": row.space_id,
                "name": row.space.display_name,
                "kind_label": row.space.kind_label,
                "area_m2": round(row.space.area_m2),
                "outside": row.is_outside,
                "message": row.shown_error,
                "vehicles": [],
            },
        )
        # A space outside the network is outside for every class: that is what it is shown as.
        if row.is_outside and not item["outside"]:
            item.update(outside=True, message=row.shown_error)
        item["vehicles"].append(row.vehicle)
    return sorted(by_space.values(), key=lambda i: (not i["outside"], i["name"].casefold(), i["space_id"]))


def city_progress(city: City | int, *, network: StreetNetwork | None = None) -> dict[str, int]:
    """How many analyses of the city's active network wait, run, failed, lie outside it or are done
    (spaces in use). `network`: the city's active network, when the caller has read it already."""
    network = network or active_network(city)
    if network is None:
        return {}
    # Analyses of archived spaces are history, not progress.
    rows = ApproachAnalysis.objects.filter(
        network=network, params_hash=parameters_hash(), space__archived_at__isnull=True
    )
    counts: dict[str, int] = dict(rows.order_by().values_list("status").annotate(n=Count("id")))
    # A row running for longer than RUNNING_TIMEOUT is shown failed (`ApproachAnalysis.shown_status`);
    # asked only when some row runs.
    dead = 0
    if counts.get(AnalysisStatus.RUNNING):
        dead = rows.filter(
            status=AnalysisStatus.RUNNING, updated_at__lt=timezone.now() - RUNNING_TIMEOUT
        ).count()
    if dead:
        counts[AnalysisStatus.RUNNING] -= dead
        counts[AnalysisStatus.FAILED] = counts.get(AnalysisStatus.FAILED, 0) + dead
        if not counts[AnalysisStatus.RUNNING]:
            del counts[AnalysisStatus.RUNNING]
    return counts


def speed_map(city: City | int, vehicle: str, *, previous: bool = False) -> CitySpeedMap | None:
    """The speed map of a class on the city's active network and current parameters, if computed.

    With `previous`, while the active network's map is not computed yet (just after a re-import),
    the latest map of an earlier network of the city stands in: a map a little out of date is
    more use to a security manager than none (its `network` says which version it shows).
    """
    network = active_network(city)
    if network is None:
        return None
    maps = CitySpeedMap.objects.filter(vehicle=vehicle, params_hash=parameters_hash()).select_related(
        "network"
    )
    found: CitySpeedMap | None = maps.filter(network=network).first()
    if found is not None and found.speeds_path.exists():
        return found
    return _earlier_speed_map(network, vehicle) if previous else None


def _earlier_speed_map(network: StreetNetwork, vehicle: str) -> CitySpeedMap | None:
    """The latest speed map of a class on an earlier network of the city whose file is still there."""
    earlier = CitySpeedMap.objects.filter(
        vehicle=vehicle,
        params_hash=parameters_hash(),
        city_id=network.city_id,
        network__version__lt=network.version,
    ).select_related("network")
    older: CitySpeedMap
    for older in earlier.order_by("-network__version")[:3]:
        if older.speeds_path.exists():
            return older
    return None


def city_speed_maps(
    city: City | int, *, network: StreetNetwork | None = None
) -> dict[str, CitySpeedMap | None]:
    """Each class's speed map shown on the city page (an earlier network's while the active one's is
    computed, `speed_map`), None where there is none yet. `network`: the city's active network, when
    the caller has read it already.

    The active network's maps of every class are read in one query: the page asks on every request.
    """
    network = network or active_network(city)
    if network is None:
        return dict.fromkeys(vehicle_codes())
    current = CitySpeedMap.objects.filter(
        network=network, params_hash=parameters_hash(), vehicle__in=vehicle_codes()
    ).order_by()
    by_class: dict[str, CitySpeedMap] = {}
    for found in current:
        found.network = network  # the row's own network: no join to read it again
        by_class[found.vehicle] = found
    shown: dict[str, CitySpeedMap | None] = {}
    for code in vehicle_codes():
        found_or_none = by_class.get(code)
        if found_or_none is not None and found_or_none.speeds_path.exists():
            shown[code] = found_or_none
        else:
            shown[code] = _earlier_speed_map(network, code)
    return shown


def city_streets(found: CitySpeedMap) -> list[dict[str, Any]] | None:
    """Every street of a speed map with its highest speed, fastest first (`speedmaps.street_speeds`).

    Maps computed before the streets were kept beside them get them now, once, from their network.
    None when that cannot be done (the network's or the map's file is gone or unreadable): the page
    says so instead of failing, and the next analysis of the city writes them again.
    """
    try:
        streets = load_street_speeds(found.speeds_path)
        if streets is None:
            network = load_network(found.network.graph_path)
            streets = street_speeds(network, load_speeds_kmh(found.speeds_path))
            save_street_speeds(found.speeds_path, streets)
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        logger.warning("no street speeds for speed map %s: %s", found.pk, exc)
        return None
    return streets


def street_tables(maps: dict[str, CitySpeedMap | None], *, shown: int) -> list[dict[str, Any]]:
    """Per class, the map as text: the length of street in each speed band and the `shown` fastest
    streets, with their words."""
    from pactesur.analysis.speedmaps import BANDS_KMH

    tables = []
    for code, found in maps.items():
        table: dict[str, Any] = {
            "vehicle": code,
            "description": vehicle_label(code),
            "map": found,
            "streets": None,  # no map yet, or its streets cannot be read
        }
        streets = city_streets(found) if found is not None else None
        if found is not None and streets is not None:
            km = list(found.km_by_band or [])
            table.update(
                previous=not found.network.is_active,
                street_count=len(streets),
                streets=[{**s, "kind_label": way_kind_label(s.get("kind"))} for s in streets[:shown]],
                bands=[
                    {"index": i, "up_to": BANDS_KMH[i] if i < len(BANDS_KMH) else None, "km": km[i]}
                    for i in range(min(len(km), len(BANDS_KMH) + 1))
                ],
                last_band_kmh=BANDS_KMH[-1],
            )
        tables.append(table)
    return tables


def export_json(space: Space, analyses: list[ClassAnalysis]) -> dict[str, Any]:
    """The space's analyses as the `pactesur vda` JSON object, plus the space and the inputs."""
    vehicles: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    barriers: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    inputs: list[dict[str, Any]] = []
    for item in analyses:
        row = item.row
        if row is None or not item.has_result:
            continue
        vehicles.append(row.result.get("vehicle") or {"code": item.vehicle})
        entries.extend(row.entries)
        barriers.extend(row.barriers)
        # A warning about the whole space is stored with every class: exported once.
        warnings.extend(w for w in row.warnings if w not in warnings)
        inputs.append(
            {
                "vehicle": item.vehicle,
                "status": item.status,
                "network_version": row.network_version,
                "params_hash": row.params_hash,
                "computed_at": row.computed_at.isoformat() if row.computed_at else None,
            }
        )
    return {
        "space": {
            "id": space.pk,
            "name": space.display_name,
            "city": space.city_id,
            "polygon": space.polygon,
        },
        "analyses": inputs,
        "vehicles": vehicles,
        "entries": entries,
        "barriers": barriers,
        "warnings": warnings,
    }


def export_geojson(space: Space, analyses: list[ClassAnalysis]) -> dict[str, Any]:
    """The same as a FeatureCollection: the space outline, a Point per entry and per existing barrier,
    a LineString per approach path; the warnings as a member of the collection."""
    plain = export_json(space, analyses)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": space.polygon,
            "properties": {"feature": "space", "id": space.pk, "name": space.display_name},
        }
    ]
    for kind, items in (("entry", plain["entries"]), ("barrier", plain["barriers"])):
        for item in items:
            features.extend(_point_and_path(kind, item))
    return {
        "type": "FeatureCollection",
        "features": features,
        "vehicles": plain["vehicles"],
        "analyses": plain["analyses"],
        "warnings": plain["warnings"],
    }


def _point_and_path(kind: str, item: dict[str, Any]) -> list[dict[str, Any]]:
    """An entry's or barrier's Point and, when it has one, the LineString of its approach path."""
    props = {k: v for k, v in item.items() if k != "path"}
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]},
            "properties": {"feature": kind, **props},
        }
    ]
    if len(item.get("path") or []) >= 2:
        path_kind = "approach_path" if kind == "entry" else f"{kind}_approach_path"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": item["path"]},
                "properties": {"feature": path_kind, **props},
            }
        )
    return features
