"""What the data cannot show about an area's approaches: the extract's edge, assumed widths, old files."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from pactesur.engine._path_speed import Surroundings
from pactesur.engine.entries import PLAUSIBLE_OFF_ROAD_KMH, AreaWarning, Entry
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.projection import projection_for
from pactesur.engine.vehicles import VehicleClass

# Most of an approach: above this share of the fastest entry's run-up on assumed widths, the
# speed rests on assumptions more than on the map (assumption: a plain majority).
ASSUMED_SHARE_WARNING: float = 0.5
# A space this much under buildings is indoors (assumption: most of it).
INDOOR_SHARE_WARNING: float = 0.5
# The streetscape counted round a space, and the density under which it is too sparsely mapped
# for the path speed to mean much (assumption: central streets carry a tree, lamp or piece of
# furniture every 20–30 m on each side; 10 per km of way is a map that shows almost none).
STREETSCAPE_RADIUS_M: float = 300.0
SPARSE_OBJECTS_PER_KM: float = 10.0
# The first network file format that holds street objects (`io/network_store.py`).
STREETSCAPE_FORMAT: int = 3


def area_warnings(
    network: StreetNetwork,
    area_xy: BaseGeometry,
    vehicles: Sequence[VehicleClass],
    entries: Sequence[Entry],
    *,
    around: Surroundings | None = None,
) -> list[AreaWarning]:
    """Return the warnings a reader of the area's entries must see.

    - `near_extract_edge`, per class: the area lies closer to the extract's bounds than the
      run-up that class needs to reach its top speed, so a faster approach from outside the
      file may exist.
    - `assumed_widths`, per class: most of the fastest entry's approach runs on ways whose
      width is not mapped.
    - `indoor`: most of the area lies under a building: the street network does not show how a
      vehicle gets inside.
    - `fast_off_road`, per class: entries whose envelope drives faster than
      `PLAUSIBLE_OFF_ROAD_KMH` on a footway, cycleway, path, pedestrian street or open surface.
    - `old_network`: the network file predates width sources and open surfaces; re-import it.
    - `no_streetscape`: the network file predates street objects: the path speed is the envelope.
    - `sparse_streetscape`: within `STREETSCAPE_RADIUS_M` of the area fewer than
      `SPARSE_OBJECTS_PER_KM` street objects are mapped per kilometre of way: the path speed is
      close to the envelope only because the map is empty.
    """
    found: list[AreaWarning] = []
    covered = _covered_share(network, area_xy)
    if covered >= INDOOR_SHARE_WARNING:
        share = round(100.0 * covered)
        found.append(
            AreaWarning(
                code="indoor",
                message=(
                    f"{share} % of the space lies under a building: the analysis shows how a vehicle reaches "
                    "its outline, not how it gets inside; check the building's entrances."
                ),
                params={"share": share},
            )
        )
    edge_m = _distance_to_bounds_m(network, area_xy)
    if edge_m is not None:
        for vehicle in vehicles:
            run_up_m = vehicle.distance_to_speed_m(vehicle.top_speed_ms() * 3.6 - 0.5)
            if edge_m < run_up_m:
                found.append(
                    AreaWarning(
                        code="near_extract_edge",
                        message=(
                            f"The space is {edge_m:.0f} m from the edge of the map extract, less than the "
                            f"{run_up_m:.0f} m a {vehicle.code} needs to reach its top speed: faster "
                            "approaches from outside the extract are not assessed."
                        ),
                        params={"distance_m": round(edge_m, 1), "run_up_m": round(run_up_m, 1)},
                        vehicle=vehicle.code,
                    )
                )
    for vehicle in vehicles:
        own = [e for e in entries if e.vehicle == vehicle.code]
        if not own:
            continue
        fastest = max(own, key=lambda e: e.impact_speed_kmh)
        if fastest.assumed_share > ASSUMED_SHARE_WARNING:
            share = round(100.0 * fastest.assumed_share)
            found.append(
                AreaWarning(
                    code="assumed_widths",
                    message=(
                        f"{share} % of the fastest {vehicle.code} approach runs on ways whose width is not "
                        "mapped: measure them to confirm the speed."
                    ),
                    params={"share": share},
                    vehicle=vehicle.code,
                )
            )
    for vehicle in vehicles:
        flagged = [e for e in entries if e.vehicle == vehicle.code and e.review]
        if not flagged:
            continue
        peak_kmh = max(float(r["speed_kmh"]) for e in flagged for r in e.review)
        found.append(
            AreaWarning(
                code="fast_off_road",
                message=(
                    f"{len(flagged)} {vehicle.code} entries reach more than "
                    f"{PLAUSIBLE_OFF_ROAD_KMH:.0f} km/h on footways, paths, pedestrian streets or open areas "
                    f"(up to {peak_kmh:.0f} km/h): the envelope ignores trees, lamps and street furniture "
                    "there; review their speed profiles."
                ),
                params={
                    "count": len(flagged),
                    "limit_kmh": round(PLAUSIBLE_OFF_ROAD_KMH),
                    "speed_kmh": round(peak_kmh),
                },
                vehicle=vehicle.code,
            )
        )
    found.extend(_streetscape_warnings(network, area_xy, around))
    if int(network.meta.get("format_version", 2)) < 2:
        found.append(
            AreaWarning(
                code="old_network",
                message=(
                    "The street network was imported by an older version that did not mark assumed widths "
                    "or open surfaces: import it again for a complete assessment."
                ),
            )
        )
    return found


def _streetscape_warnings(
    network: StreetNetwork, area_xy: BaseGeometry, around: Surroundings | None
) -> list[AreaWarning]:
    if around is None:
        return []
    if int(network.meta.get("format_version", STREETSCAPE_FORMAT)) < STREETSCAPE_FORMAT:
        return [
            AreaWarning(
                code="no_streetscape",
                message=(
                    "The street network was imported before PACTESUR read trees, lamps and street "
                    "furniture: the path speed equals the envelope. Import it again."
                ),
            )
        ]
    near = around.node_distance_m <= STREETSCAPE_RADIUS_M
    ways = (network.seg_kind != int(WayKind.OPEN_AREA)) & near[network.seg_u] & near[network.seg_v]
    way_km = float(network.seg_length_m[ways].sum()) / 1000.0
    if way_km <= 0.0:
        return []
    count = 0
    if network.object_x.shape[0]:
        x0, y0, x1, y1 = area_xy.bounds
        r = STREETSCAPE_RADIUS_M
        box = (network.object_x >= x0 - r) & (network.object_x <= x1 + r)
        box &= (network.object_y >= y0 - r) & (network.object_y <= y1 + r)
        index = np.flatnonzero(box)
        points = shapely.points(network.object_x[index], network.object_y[index])
        count = int(np.count_nonzero(shapely.distance(points, area_xy) <= r))
    per_km = count / way_km
    if per_km >= SPARSE_OBJECTS_PER_KM:
        return []
    return [
        AreaWarning(
            code="sparse_streetscape",
            message=(
                f"Only {count} trees, lamps, bollards or pieces of street furniture are mapped within "
                f"{STREETSCAPE_RADIUS_M:.0f} m of the space ({per_km:.1f} per km of way): the path speed "
                "is close to the envelope because the map is empty, not because the street is. Map "
                "or survey the streetscape."
            ),
            params={
                "count": count,
                "radius_m": round(STREETSCAPE_RADIUS_M),
                "per_km": round(per_km, 1),
            },
        )
    ]


def _distance_to_bounds_m(network: StreetNetwork, area_xy: BaseGeometry) -> float | None:
    bounds = network.meta.get("bounds")
    if not bounds or len(bounds) != 4:
        return None
    west, south, east, north = (float(b) for b in bounds)
    lon = np.array([west, east, east, west])
    lat = np.array([south, south, north, north])
    x, y = projection_for(network.crs).to_xy(lon, lat)
    frame = shapely.Polygon(np.column_stack([x, y]))
    if not frame.is_valid or frame.area <= 0.0:
        return None
    return float(shapely.distance(frame.exterior, area_xy)) if frame.intersects(area_xy) else 0.0


def _covered_share(network: StreetNetwork, area_xy: BaseGeometry) -> float:
    if not network.buildings_xy or area_xy.area <= 0.0:
        return 0.0
    buildings = np.asarray(network.buildings_xy, dtype=object)
    near = buildings[shapely.intersects(buildings, area_xy)]
    if near.shape[0] == 0:
        return 0.0
    return float(shapely.area(shapely.intersection(shapely.union_all(near), area_xy)) / area_xy.area)
