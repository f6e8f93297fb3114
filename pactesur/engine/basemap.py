"""Base map layers (buildings, streets, water, green) as small GeoJSON for Leaflet, from the city's OSM."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from pactesur.engine.io.osm import OsmExtract

ObjectArray = npt.NDArray[np.object_]

METRES_PER_DEGREE_LAT = 111_320.0  # mean length of a degree of latitude (WGS 84)
SIMPLIFY_M = 1.0  # (assumption) invisible at street zoom, halves the vertex count of building outlines
STREET_CHUNK_WAYS = 20_000  # ways merged and simplified at a time (bounds memory, not the result)
COORD_DECIMALS = 6  # 6 decimals ≈ 0.1 m
WATER_NATURAL = frozenset({"water", "bay", "wetland"})
WATER_LANDUSE = frozenset({"reservoir", "basin"})
GREEN_LEISURE = frozenset({"park", "garden", "playground", "pitch", "common", "nature_reserve"})
GREEN_LANDUSE = frozenset(
    {"grass", "forest", "meadow", "recreation_ground", "village_green", "cemetery", "allotments", "flowerbed"}
)
# GEOS geometry type ids (shapely.GeometryType) → GeoJSON type names, for the types the layers hold
GEOS_POLYGON = 3
_GEOJSON_TYPES = {1: "LineString", 3: "Polygon", 5: "MultiLineString", 6: "MultiPolygon"}
_SINGLE_TYPES = frozenset({1, 3})
GREEN_NATURAL = frozenset({"wood", "scrub", "grassland", "heath"})


def is_water(tags: dict[str, str]) -> bool:
    """Tell whether an area is water (sea, lake, river, dock, basin): drawn blue, and it cuts sight."""
    return (
        tags.get("natural") in WATER_NATURAL
        or tags.get("waterway") in ("riverbank", "dock")
        or tags.get("landuse") in WATER_LANDUSE
        or "water" in tags
    )


def _is_green(tags: dict[str, str]) -> bool:
    return (
        tags.get("leisure") in GREEN_LEISURE
        or tags.get("landuse") in GREEN_LANDUSE
        or tags.get("natural") in GREEN_NATURAL
    )


def _paths(geoms: ObjectArray) -> list[list[list[float]]]:
    """Coordinate lists of an array of linear geometries (rings or lines), as GeoJSON positions."""
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    ends = np.searchsorted(which, np.arange(geoms.shape[0] + 1), side="left").tolist()
    positions = coords.tolist()
    return [positions[a:b] for a, b in itertools.pairwise(ends)]


def _geojson_geometries(geoms: ObjectArray) -> list[dict[str, Any]]:
    """GeoJSON geometry dicts of (Multi)Polygons and (Multi)LineStrings, built from coordinate arrays.

    The same dicts as parsing `shapely.to_geojson` (GEOS writes the shortest text that reads back
    as the same double, and integers as floats), without writing and parsing the text: parsing the
    floats was most of the base map's cost. Other geometry types go through the text.
    """
    type_ids = shapely.get_type_id(geoms).tolist()
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    part_is_polygon = shapely.get_type_id(parts) == GEOS_POLYGON
    rings, ring_of = shapely.get_rings(parts[part_is_polygon], return_index=True)
    ring_paths = _paths(rings)
    line_paths = iter(_paths(parts[~part_is_polygon]))
    ring_ends = np.searchsorted(ring_of, np.arange(int(part_is_polygon.sum()) + 1)).tolist()
    polygon_rank = 0
    members: list[list[Any]] = [[] for _ in type_ids]
    for owner, is_polygon in zip(part_of.tolist(), part_is_polygon.tolist(), strict=True):
        if is_polygon:
            members[owner].append(ring_paths[ring_ends[polygon_rank] : ring_ends[polygon_rank + 1]])
            polygon_rank += 1
        else:
            members[owner].append(next(line_paths))
    out: list[dict[str, Any]] = []
    for geom, type_id, parts_of_geom in zip(geoms, type_ids, members, strict=True):
        name = _GEOJSON_TYPES.get(type_id)
        if name is None:
            out.append(json.loads(shapely.to_geojson(geom)))
        elif type_id in _SINGLE_TYPES:
            out.append({"type": name, "coordinates": parts_of_geom[0]})
        else:
            out.append({"type": name, "coordinates": parts_of_geom})
    return out


def _simplified(geoms: ObjectArray) -> ObjectArray:
    """Simplify by about 1 m and round to 6 decimals, in two vectorised calls (one copy alive at the end)."""
    tolerance_deg = SIMPLIFY_M / METRES_PER_DEGREE_LAT
    simple = shapely.simplify(geoms, tolerance_deg, preserve_topology=True)
    return np.asarray(shapely.transform(simple, lambda c: np.round(c, COORD_DECIMALS)), dtype=object)


def _feature_collection(rounded: ObjectArray, properties: list[dict[str, str]]) -> dict[str, Any]:
    """Build the GeoJSON dicts of simplified, rounded geometries (empty ones are left out)."""
    if rounded.shape[0] == 0:
        return {"type": "FeatureCollection", "features": []}
    keep = ~(shapely.is_empty(rounded) | shapely.is_missing(rounded))
    props = [dict(p) for p, k in zip(properties, keep, strict=True) if k]
    features = [
        {"type": "Feature", "properties": p, "geometry": g}
        for p, g in zip(props, _geojson_geometries(rounded[keep]), strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _area_layer(
    extract: OsmExtract, select: Callable[[dict[str, str]], bool], keys: tuple[str, ...]
) -> dict[str, Any]:
    idx = [k for k, t in enumerate(extract.area_tags) if select(t)]
    props = [{key: extract.area_tags[k][key] for key in keys if key in extract.area_tags[k]} for k in idx]
    return _feature_collection(_simplified(extract.area_geom[np.asarray(idx, dtype=np.int64)]), props)


def _streets_layer(extract: OsmExtract) -> dict[str, Any]:
    """Street centrelines merged per (highway kind, name) into MultiLineStrings: few features, small file."""
    has_line = extract.way_has_line().tolist()
    groups: dict[tuple[str, str], list[int]] = {}
    set_highway = [t.get("highway") if t.get("area") != "yes" else None for t in extract.tag_sets]
    for k, code, name, line in zip(
        range(extract.way_count),
        extract.way_tag_set.tolist(),
        extract.way_name.tolist(),
        has_line,
        strict=True,
    ):
        highway = set_highway[code]
        if highway is None or not line:
            continue
        groups.setdefault((highway, name or ""), []).append(k)
    if not groups:
        return {"type": "FeatureCollection", "features": []}
    keys = list(groups)
    features: list[dict[str, Any]] = []
    # a few thousand ways at a time: the lines, merged lines and simplified copies of a whole
    # city never sit in memory together
    start = 0
    while start < len(keys):
        stop, count = start, 0
        while stop < len(keys) and (count < STREET_CHUNK_WAYS or stop == start):
            count += len(groups[keys[stop]])
            stop += 1
        chunk = keys[start:stop]
        members = np.concatenate([np.asarray(groups[key], dtype=np.int64) for key in chunk])
        group_of = np.repeat(np.arange(len(chunk)), [len(groups[key]) for key in chunk])
        # each way simplified on its own: GEOS's topology-preserving simplifier checks every part of
        # a multi-line against every other, which ways lying over one another (a hostile file's
        # thousand copies of one zigzag) make quadratic: minutes for a 20 MB file
        lines = _simplified(extract.way_lines(members))
        merged = np.asarray(shapely.multilinestrings(lines, indices=group_of), dtype=object)
        props = [{"kind": kind, "name": name} if name else {"kind": kind} for kind, name in chunk]
        features += _feature_collection(merged, props)["features"]
        start = stop
    return {"type": "FeatureCollection", "features": features}


def basemap_layers(extract: OsmExtract) -> dict[str, dict[str, Any]]:
    """Return the base map as GeoJSON FeatureCollections by layer: buildings, streets, water, green.

    Geometries are in lon/lat, simplified by about 1 m and rounded to 6 decimals; streets are
    merged per (highway kind, name), so a city centre gives a few hundred kilobytes.
    """
    return {
        "buildings": _area_layer(extract, lambda t: "building" in t, ()),
        "streets": _streets_layer(extract),
        "water": _area_layer(extract, is_water, ("name",)),
        "green": _area_layer(extract, _is_green, ("name",)),
    }
