"""Reading analyses for pages, the API and exports: current rows, rankings, speed maps, GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from pactesur.analysis.actions import Inputs, active_network, current_analyses, current_inputs
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis, CitySpeedMap
from pactesur.analysis.parameters import parameters_hash, vehicle_codes
from pactesur.analysis.vehicle_labels import vehicle_label
from pactesur.cities.models import City
from pactesur.engine.vehicles import vehicle_by_code
from pactesur.spaces.models import Space

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
    def has_result(self) -> bool:
        return self.row is not None and self.row.computed_at is not None

    def summary(self) -> dict[str, Any]:
        if not self.has_result or self.row is None:
            return dict.fromkeys(SUMMARY_FIELDS)
        return {name: getattr(self.row, name) for name in SUMMARY_FIELDS}

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


def space_ranking(city: City | int) -> list[dict[str, Any]]:
    """Spaces ranked by the highest impact speed of any vehicle class, with the class that reaches it."""
    by_space: dict[int, dict[str, Any]] = {}
    rows = current_rows(city).select_related("space").order_by("space_id", "vehicle")
    for row in rows:
        item = by_space.setdefault(
            row.space_id,
            {
                "space_id": row.space_id,
                "name": row.space.name,
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
            item["required_rating"] = row.required_rating
            item["required_test_speed_kmh"] = row.required_test_speed_kmh
            item["beyond_rating"] = row.beyond_rating
        if row.beyond_rating:
            item["beyond_classes"].append(row.vehicle)
        item["entries_above_16_kmh"] = max(item["entries_above_16_kmh"], row.unprotected_entry_count)
        if row.computed_at and (item["computed_at"] is None or row.computed_at > item["computed_at"]):
            item["computed_at"] = row.computed_at
    return sorted(
        by_space.values(),
        key=lambda i: (-(i["max_impact_speed_kmh"] or 0.0), -(i["max_kinetic_energy_kj"] or 0.0), i["name"]),
    )


def city_progress(city: City | int) -> dict[str, int]:
    """How many analyses of the city's active network wait, run, failed or are done."""
    network = active_network(city)
    if network is None:
        return {}
    counts: dict[str, int] = {}
    for row in ApproachAnalysis.objects.filter(network=network, params_hash=parameters_hash()):
        status = row.shown_status
        counts[status] = counts.get(status, 0) + 1
    return counts


def speed_map(city: City | int, vehicle: str) -> CitySpeedMap | None:
    """The speed map of a class on the city's active network and current parameters, if computed."""
    network = active_network(city)
    if network is None:
        return None
    found: CitySpeedMap | None = (
        CitySpeedMap.objects.filter(network=network, vehicle=vehicle, params_hash=parameters_hash())
        .select_related("network")
        .first()
    )
    if found is None or not found.speeds_path.exists():
        return None
    return found


def export_json(space: Space, analyses: list[ClassAnalysis]) -> dict[str, Any]:
    """The space's analyses as the `pactesur vda` JSON object, plus the space and the inputs."""
    vehicles: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    inputs: list[dict[str, Any]] = []
    for item in analyses:
        row = item.row
        if row is None or not item.has_result:
            continue
        vehicles.append(row.result.get("vehicle") or {"code": item.vehicle})
        entries.extend(row.entries)
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
        "space": {"id": space.pk, "name": space.name, "city": space.city_id, "polygon": space.polygon},
        "analyses": inputs,
        "vehicles": vehicles,
        "entries": entries,
    }


def export_geojson(space: Space, analyses: list[ClassAnalysis]) -> dict[str, Any]:
    """The same as a FeatureCollection: the space outline, one Point per entry, one LineString per path."""
    plain = export_json(space, analyses)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": space.polygon,
            "properties": {"feature": "space", "id": space.pk, "name": space.name},
        }
    ]
    for entry in plain["entries"]:
        props = {k: v for k, v in entry.items() if k != "path"}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [entry["lon"], entry["lat"]]},
                "properties": {"feature": "entry", **props},
            }
        )
        if len(entry.get("path") or []) >= 2:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": entry["path"]},
                    "properties": {"feature": "approach_path", **props},
                }
            )
    return {
        "type": "FeatureCollection",
        "features": features,
        "vehicles": plain["vehicles"],
        "analyses": plain["analyses"],
    }
