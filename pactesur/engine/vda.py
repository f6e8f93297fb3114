"""Vehicle dynamics assessment of an area: network and polygon in, the `pactesur vda` result out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry

from pactesur.engine._path_speed import Streetscape, region_radius_m, surroundings
from pactesur.engine._region import region_network
from pactesur.engine._region import region_radius_m as region_radius
from pactesur.engine.dynamics import AttainableSpeeds, PreparedNetwork, attainable_speeds_of_classes
from pactesur.engine.entries import (
    AreaWarning,
    Barrier,
    Entry,
    SpaceApproaches,
    area_crossings,
    no_touch_error,
    project_area,
    space_approaches,
)
from pactesur.engine.network import StreetNetwork
from pactesur.engine.vehicles import VehicleClass, vehicles_by_codes
from pactesur.engine.warnings import area_warnings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class VdaResult:
    """Entries of an area for each vehicle class analysed, with the time each step took."""

    vehicles: tuple[VehicleClass, ...]
    entries: tuple[Entry, ...]
    barriers: tuple[Barrier, ...] = ()
    warnings: tuple[AreaWarning, ...] = ()
    timings_s: dict[str, float] = field(default_factory=dict)


def _quiet(_message: str) -> None:
    return None


def city_speeds(
    network: StreetNetwork,
    vehicles: Iterable[VehicleClass],
    *,
    progress: Progress = _quiet,
    prepared: PreparedNetwork | None = None,
    each: Callable[[AttainableSpeeds], None] | None = None,
) -> dict[str, AttainableSpeeds]:
    """Compute the attainable speeds of each vehicle class over the whole network, keyed by code.

    This is the expensive, space-independent part: compute it once per network and class,
    then call `analyse_area` for as many spaces as needed. Classes are computed together, so
    that they share the line graph and turn geometry (`attainable_speeds_of_classes`); pass the
    network's `prepare_network` as `prepared` to share them with later calls too. `each` is
    called with every class's result as soon as it is known (`attainable_speeds_of_classes`).
    """
    results = attainable_speeds_of_classes(network, vehicles, prepared=prepared, progress=progress, each=each)
    return {r.vehicle.code: r for r in results}


def analyse_area(
    network: StreetNetwork,
    area_lonlat: BaseGeometry,
    *,
    vehicle_codes: Iterable[str] | None = None,
    speeds: Mapping[str, AttainableSpeeds] | None = None,
    progress: Progress = _quiet,
    prepared: PreparedNetwork | None = None,
    streetscape: Streetscape | None = None,
) -> VdaResult:
    """Return every entry into the area for each vehicle class, fastest first within a class.

    Parameters
    ----------
    network
        The city's street network.
    area_lonlat
        The space: a shapely Polygon or MultiPolygon in WGS 84 lon/lat.
    vehicle_codes
        Classes to analyse (e.g. ``["M1", "N3C"]``); every class when None.
    speeds
        City-wide speeds already computed by `city_speeds`, reused when given for a class.
    progress
        Called with a short message before each step.
    prepared
        The network's `prepare_network`, reused for the classes whose speeds are computed here.
    streetscape
        The network's `Streetscape` (objects on segments, corridors per class), kept between the
        spaces of one network; made for this call when None.

    Raises
    ------
    AreaError
        When the area is invalid or does not touch the network.
    UnknownVehicleError
        When a code is not a vehicle class.
    """
    vehicles = vehicles_by_codes(tuple(vehicle_codes) if vehicle_codes else None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if not speeds and prepared is None:
        # nothing computed for the whole network to reuse: solve only the part that decides the
        # speeds at this space (`_region.py`: the same entries, speeds and paths)
        network = region_network(network, project_area(network, area_lonlat), region_radius(vehicles))
        timings["region"] = time.perf_counter() - t0
    progress("finding where the network crosses into the area")
    crossings = area_crossings(network, area_lonlat)
    timings["crossings"] = time.perf_counter() - t0
    timings["open_area_sight"] = crossings.sight_s
    t1 = time.perf_counter()
    if streetscape is not None and streetscape.network is not network:
        streetscape = None  # the region's own network: its segments are numbered anew
    radius = max(region_radius_m(v) for v in vehicles)
    around = surroundings(network, crossings.area_xy, radius, streetscape=streetscape)
    timings["streetscape"] = time.perf_counter() - t1
    found: dict[str, SpaceApproaches] = {}

    def approaches(speeds_of_class: AttainableSpeeds) -> None:
        code = speeds_of_class.vehicle.code
        t2 = time.perf_counter()
        found[code] = space_approaches(network, crossings, speeds_of_class, around=around)
        timings[f"entries_{code}"] = time.perf_counter() - t2
        timings[f"open_areas_{code}"] = found[code].open_area_s
        timings[f"path_speed_{code}"] = found[code].path_s

    known = dict(speeds or {})
    missing = [v for v in vehicles if v.code not in known]
    if missing:
        # computed together: the classes share the line graph and the turn geometry; each
        # class's entries are found while the others' speeds are still being computed
        known.update(city_speeds(network, missing, progress=progress, prepared=prepared, each=approaches))
    computed = {v.code for v in missing}
    entries: list[Entry] = []
    barriers: list[Barrier] = []
    for vehicle in vehicles:
        timings[f"speeds_{vehicle.code}"] = (
            known[vehicle.code].timings_s["total"] if vehicle.code in computed else 0.0
        )
        if vehicle.code not in found:
            approaches(known[vehicle.code])
        entries.extend(found[vehicle.code].entries)
        barriers.extend(found[vehicle.code].barriers)
    if not entries and not barriers and not crossings.reachable:
        raise no_touch_error(network)
    warnings = area_warnings(network, crossings.area_xy, vehicles, entries, around=around)
    timings["total"] = time.perf_counter() - t0
    return VdaResult(
        vehicles=vehicles,
        entries=tuple(entries),
        barriers=tuple(barriers),
        warnings=tuple(warnings),
        timings_s=timings,
    )


def vehicle_json(vehicle: VehicleClass) -> dict[str, Any]:
    """Return the vehicle's parameters as a JSON object (the `vehicles` items of the contract)."""
    return {
        "code": vehicle.code,
        "mass_kg": round(vehicle.mass_kg),
        "max_speed_kmh": round(vehicle.top_speed_ms() * 3.6, 1),
        "description": vehicle.description,
        "width_m": vehicle.width_m,
        "length_m": vehicle.length_m,
        "power_kw": vehicle.power_kw,
        "lateral_accel_g": round(min(vehicle.lateral_grip_g, vehicle.rollover_threshold_g), 3),
        "braking_decel_g": vehicle.braking_decel_g,
        "run_up_to_50_kmh_m": round(vehicle.distance_to_speed_m(50.0), 1),
        "test_speeds_kmh": list(vehicle.test_speeds_kmh),
    }


def vda_json(result: VdaResult, *, extra_timings_s: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Return the `pactesur vda --format json` object of DESIGN.md."""
    timings = {**(extra_timings_s or {}), **result.timings_s}
    return {
        "vehicles": [vehicle_json(v) for v in result.vehicles],
        "entries": [e.as_json() for e in result.entries],
        "barriers": [b.as_json() for b in result.barriers],
        "warnings": [w.as_json() for w in result.warnings],
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
    }


def vda_geojson(result: VdaResult, *, extra_timings_s: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Return the result as a GeoJSON FeatureCollection: one Point per entry, one LineString per path.

    Both features of an entry carry the entry's JSON fields (without the path) and a `feature`
    property, ``"entry"`` or ``"approach_path"``; the collection carries the vehicles and timings
    as foreign members.
    """
    features: list[dict[str, Any]] = []
    for entry in result.entries:
        props = entry.as_json()
        path = props.pop("path")
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [props["lon"], props["lat"]]},
                "properties": {"feature": "entry", **props},
            }
        )
        if len(path) >= 2:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": path},
                    "properties": {"feature": "approach_path", **props},
                }
            )
    plain = vda_json(result, extra_timings_s=extra_timings_s)
    return {
        "type": "FeatureCollection",
        "features": features,
        "vehicles": plain["vehicles"],
        "timings_s": plain["timings_s"],
    }


__all__ = [
    "Streetscape",  # kept by a caller between the spaces of one network
    "VdaResult",
    "analyse_area",
    "city_speeds",
    "vda_geojson",
    "vda_json",
    "vehicle_json",
]
