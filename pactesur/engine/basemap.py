"""Base map layers (buildings, streets, water, green) as small GeoJSON for Leaflet, from the city's OSM."""

from __future__ import annotations

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
COORD_DECIMALS = 6  # 6 decimals ≈ 0.1 m
WATER_NATURAL = frozenset({"water", "bay", "wetland"})
WATER_LANDUSE = frozenset({"reservoir", "basin"})
GREEN_LEISURE = frozenset({"park", "garden", "playground", "pitch", "common", "nature_reserve"})
GREEN_LANDUSE = frozenset(
    {"grass", "forest", "meadow", "recreation_ground", "village_green", "cemetery", "allotments", "flowerbed"}
)
GREEN_NATURAL = frozenset({"wood", "scrub", "grassland", "heath"})


def _is_water(tags: dict[str, str]) -> bool:
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


def _feature_collection(geoms: ObjectArray, properties: list[dict[str, str]]) -> dict[str, Any]:
    """Simplify, round and serialise geometries in one vectorised pass, then parse the collection once."""
    if geoms.shape[0] == 0:
        return {"type": "FeatureCollection", "features": []}
    tolerance_deg = SIMPLIFY_M / METRES_PER_DEGREE_LAT
    simple = shapely.simplify(geoms, tolerance_deg, preserve_topology=True)
    rounded = shapely.transform(simple, lambda c: np.round(c, COORD_DECIMALS))
    keep = ~(shapely.is_empty(rounded) | shapely.is_missing(rounded))
    texts = shapely.to_geojson(rounded[keep])
    props = [p for p, k in zip(properties, keep, strict=True) if k]
    features = ",".join(
        f'{{"type":"Feature","properties":{json.dumps(p, ensure_ascii=False)},"geometry":{g}}}'
        for p, g in zip(props, texts, strict=True)
    )
    return dict(json.loads(f'{{"type":"FeatureCollection","features":[{features}]}}'))


def _area_layer(
    extract: OsmExtract, select: Callable[[dict[str, str]], bool], keys: tuple[str, ...]
) -> dict[str, Any]:
    idx = [k for k, t in enumerate(extract.area_tags) if select(t)]
    props = [{key: extract.area_tags[k][key] for key in keys if key in extract.area_tags[k]} for k in idx]
    return _feature_collection(extract.area_geom[np.asarray(idx, dtype=np.int64)], props)


def _streets_layer(extract: OsmExtract) -> dict[str, Any]:
    """Street centrelines merged per (highway kind, name) into MultiLineStrings: few features, small file."""
    lines = extract.way_lines()
    groups: dict[tuple[str, str], list[int]] = {}
    for k, tags in enumerate(extract.way_tags):
        highway = tags.get("highway")
        if highway is None or lines[k] is None or tags.get("area") == "yes":
            continue
        groups.setdefault((highway, tags.get("name", "")), []).append(k)
    if not groups:
        return {"type": "FeatureCollection", "features": []}
    keys = list(groups)
    members = np.concatenate([np.asarray(groups[key], dtype=np.int64) for key in keys])
    group_of = np.repeat(np.arange(len(keys)), [len(groups[key]) for key in keys])
    merged = shapely.multilinestrings(lines[members], indices=group_of)
    props = [{"kind": kind, "name": name} if name else {"kind": kind} for kind, name in keys]
    return _feature_collection(np.asarray(merged, dtype=object), props)


def basemap_layers(extract: OsmExtract) -> dict[str, dict[str, Any]]:
    """Return the base map as GeoJSON FeatureCollections by layer: buildings, streets, water, green.

    Geometries are in lon/lat, simplified by about 1 m and rounded to 6 decimals; streets are
    merged per (highway kind, name), so a city centre gives a few hundred kilobytes.
    """
    return {
        "buildings": _area_layer(extract, lambda t: "building" in t, ()),
        "streets": _streets_layer(extract),
        "water": _area_layer(extract, _is_water, ("name",)),
        "green": _area_layer(extract, _is_green, ("name",)),
    }
