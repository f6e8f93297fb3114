"""The city's base map read once for a whole report, and handed to each space's map cut to its
surroundings.

`pactesur.assessments.reports.space_map_figure` tests every ring of the base map against the box of
the map it draws: for a report of fifty spaces on a city centre of tens of thousands of buildings,
that was millions of tests in Python. Here each feature's box is computed once (numpy), and a map is
given only the features whose box meets a box twice as wide as its own; `space_map_figure` still
picks the rings it draws itself, so the maps are the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from pactesur.assessments.reports import M_PER_DEG_LAT, MAP_MARGIN_MIN_M, MAP_MARGIN_SHARE, read_basemap

# The layers the maps draw (`space_map_figure`).
LAYERS = ("green", "water", "buildings", "streets")
# How much wider than the map's own margin the cut is (safety: the map's box is computed from the
# same outline, but never mind rounding).
MARGIN_FACTOR = 2.0


def _points(geometry: Any) -> list[tuple[float, float]]:
    """Every (lon, lat) of a GeoJSON geometry, whatever its type."""
    found: list[tuple[float, float]] = []

    def walk(coords: Any) -> None:
        if isinstance(coords, list | tuple) and coords:
            if isinstance(coords[0], int | float):
                if len(coords) >= 2:
                    found.append((float(coords[0]), float(coords[1])))
            else:
                for item in coords:
                    walk(item)

    if isinstance(geometry, dict):
        walk(geometry.get("coordinates"))
    return found


def _box(points: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    if not points:
        # never meets a map
        return (math.inf, math.inf, -math.inf, -math.inf)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


class CityBasemap:
    """The base map of a city's active network (`read_basemap`), with the box of every feature."""

    def __init__(self, basemap: dict[str, Any]) -> None:
        self.basemap = basemap
        self.boxes: dict[str, np.ndarray] = {}
        for layer in LAYERS:
            features = (basemap.get(layer) or {}).get("features", [])
            boxes = [_box(_points(f.get("geometry"))) for f in features]
            self.boxes[layer] = np.array(boxes, dtype=float).reshape(-1, 4)

    @classmethod
    def of_city(cls, city_id: int) -> CityBasemap:
        return cls(read_basemap(city_id))

    def near(self, outline: Any, around: Iterable[Sequence[float]] = ()) -> dict[str, Any]:
        """The base map cut to what a map of the space `outline` (GeoJSON), showing the points of
        `around` too, can draw; the features in their order."""
        rings = _points(outline)
        if not rings or not self.basemap:
            return self.basemap
        lat0 = sum(p[1] for p in rings) / len(rings)
        kx = max(math.cos(math.radians(lat0)), 0.01)
        west, south, east, north = _box(rings)
        half_w_m = max((east - west) * kx * M_PER_DEG_LAT, (north - south) * M_PER_DEG_LAT) / 2
        margin_m = MARGIN_FACTOR * max(half_w_m * MAP_MARGIN_SHARE, MAP_MARGIN_MIN_M)
        dlat = margin_m / M_PER_DEG_LAT
        dlon = dlat / kx
        west, south, east, north = _box([*rings, *((float(p[0]), float(p[1])) for p in around)])
        box = (west - dlon, south - dlat, east + dlon, north + dlat)
        cut = dict(self.basemap)
        for layer, boxes in self.boxes.items():
            if layer not in self.basemap:
                continue
            meets = (
                (boxes[:, 2] >= box[0])
                & (boxes[:, 0] <= box[2])
                & (boxes[:, 3] >= box[1])
                & (boxes[:, 1] <= box[3])
            )
            features = self.basemap[layer].get("features", [])
            cut[layer] = {**self.basemap[layer], "features": [features[i] for i in np.flatnonzero(meets)]}
        return cut
