"""City speed maps as files: the per-segment attainable speed (.npz), its line drawing, its streets.

The drawing (`*.lines.json.gz`) is what the city page fetches: segments are chained into polylines
along their way while the speed stays in one band of the barrier test-speed ladder, coordinates are
rounded to 5 decimals (about a metre) and written flat, one list of polylines per band.

The streets (`*.streets.json.gz`) are the same map as text, for people who cannot see it and for
spreadsheets: each street's highest attainable speed, fastest first (`street_speeds`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from pactesur.engine.dynamics import AttainableSpeeds
from pactesur.engine.network import APPROACH_NAMES, StreetNetwork, WayKind
from pactesur.engine.vehicles import TEST_SPEED_LADDER_KMH

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Coordinates of the drawing: 5 decimals of a degree are about 1 m, enough for a city map.
COORD_DECIMALS = 5
# The bands of the map and its legend: up to each ladder speed, then beyond the last one.
BANDS_KMH: tuple[int, ...] = TEST_SPEED_LADDER_KMH
NO_SPEED_BAND = -1


def segment_speeds_kmh(speeds: AttainableSpeeds) -> FloatArray:
    """Return the highest attainable speed along each segment (either direction), NaN where unusable."""
    end = np.asarray(speeds.end_speed_ms, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        per_segment: FloatArray = np.fmax(end[0::2], end[1::2]) * 3.6
    return per_segment


def speed_bands(speeds_kmh: FloatArray) -> IntArray:
    """Return the band of each speed: i for speeds up to BANDS_KMH[i], len(BANDS_KMH) above, -1 for NaN."""
    bands: IntArray = np.searchsorted(
        np.asarray(BANDS_KMH, dtype=np.float64), speeds_kmh, side="left"
    ).astype(np.int64)
    bands[np.isnan(speeds_kmh)] = NO_SPEED_BAND
    return bands


def _atomic_write(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp_name).unlink()
        raise


def lines_path(speeds_path: Path) -> Path:
    return speeds_path.with_name(speeds_path.name.removesuffix(".npz") + ".lines.json.gz")


def streets_path(speeds_path: Path) -> Path:
    return speeds_path.with_name(speeds_path.name.removesuffix(".npz") + ".streets.json.gz")


def _write_gzipped_json(target: Path, data: Any) -> None:
    def write(stream: IO[bytes]) -> None:
        with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=6, mtime=0) as gz:
            gz.write(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    _atomic_write(target, write)


def save_speed_map(
    path: Path, speeds_kmh: FloatArray, lines: dict[str, Any], streets: list[dict[str, Any]] | None = None
) -> None:
    """Write the speeds (.npz, float32 km/h), the drawing and the streets (gzipped JSON) beside it,
    atomically each."""

    def write_npz(stream: IO[bytes]) -> None:
        np.savez_compressed(stream, speed_kmh=speeds_kmh.astype(np.float32))

    _atomic_write(path, write_npz)
    _write_gzipped_json(lines_path(path), lines)
    if streets is not None:
        save_street_speeds(path, streets)


def save_street_speeds(speeds_path: Path, streets: list[dict[str, Any]]) -> None:
    _write_gzipped_json(streets_path(speeds_path), {"streets": streets})


def load_street_speeds(speeds_path: Path) -> list[dict[str, Any]] | None:
    """The streets of a speed map, or None when its file is missing (maps computed before it existed)."""
    try:
        with gzip.open(streets_path(speeds_path), "rb") as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        return None
    streets = data.get("streets") if isinstance(data, dict) else None
    return streets if isinstance(streets, list) else None


def load_speeds_kmh(path: Path) -> FloatArray:
    with np.load(path, allow_pickle=False) as data:
        speeds: FloatArray = np.asarray(data["speed_kmh"], dtype=np.float64)
    return speeds


def speed_lines(network: StreetNetwork, speeds_kmh: FloatArray) -> list[list[list[float]]]:
    """Return, per band, the polylines of the segments in that band as flat [lon, lat, lon, lat…] lists.

    Consecutive segments of one way that join end to start and share a band make one polyline,
    which keeps the drawing several times smaller than one line per segment.
    """
    bands = speed_bands(speeds_kmh)
    lon = np.round(network.node_lon, COORD_DECIMALS)
    lat = np.round(network.node_lat, COORD_DECIMALS)
    u = network.seg_u.astype(np.int64)
    v = network.seg_v.astype(np.int64)
    way = network.seg_way_id
    per_band: list[list[list[float]]] = [[] for _ in range(len(BANDS_KMH) + 1)]
    current: list[float] | None = None
    previous = -1
    for s in np.nonzero(bands >= 0)[0].tolist():
        band = int(bands[s])
        joined = (
            current is not None
            and previous == s - 1
            and int(v[previous]) == int(u[s])
            and int(way[previous]) == int(way[s])
            and int(bands[previous]) == band
        )
        if joined and current is not None:
            current.extend((float(lon[v[s]]), float(lat[v[s]])))
        else:
            current = [float(lon[u[s]]), float(lat[u[s]]), float(lon[v[s]]), float(lat[v[s]])]
            per_band[band].append(current)
        previous = s
    return per_band


def speed_stats(network: StreetNetwork, speeds_kmh: FloatArray) -> dict[str, Any]:
    """Return the length of street (km) in each band and the highest speed, for summaries."""
    bands = speed_bands(speeds_kmh)
    lengths = np.asarray(network.seg_length_m, dtype=np.float64)
    km_by_band = [round(float(lengths[bands == b].sum()) / 1000.0, 3) for b in range(len(BANDS_KMH) + 1)]
    usable = ~np.isnan(speeds_kmh)
    return {
        "segment_count": int(speeds_kmh.shape[0]),
        "usable_segment_count": int(usable.sum()),
        "max_speed_kmh": round(float(np.nanmax(speeds_kmh)), 1) if usable.any() else None,
        "km_by_band": km_by_band,
    }


def street_speeds(network: StreetNetwork, speeds_kmh: FloatArray) -> list[dict[str, Any]]:
    """Return every street a vehicle can drive with its highest attainable speed, fastest first.

    A street is the ways of one name and kind (a long avenue is many OSM ways); an unnamed way is a
    street of its own. Each has its kind (`APPROACH_NAMES`), its length in metres, the position of
    its fastest segment's middle and its OSM way ids. Straight crossings of open areas belong to no
    way and are left out (a space's entries list them); so are segments no vehicle can use.
    """
    way_ids = np.asarray(network.seg_way_id, dtype=np.int64)
    usable = ~np.isnan(speeds_kmh) & (way_ids != 0)
    segments = np.nonzero(usable)[0]
    if segments.size == 0:
        return []
    ways, per_way = np.unique(way_ids[segments], return_inverse=True)
    speeds = speeds_kmh[segments]
    lengths = np.asarray(network.seg_length_m, dtype=np.float64)[segments]
    # Per way: its highest speed, the segment that reaches it, its usable length and its kind.
    top = np.full(ways.size, -np.inf)
    np.maximum.at(top, per_way, speeds)
    length_m = np.zeros(ways.size)
    np.add.at(length_m, per_way, lengths)
    at_top = speeds >= top[per_way]
    fastest = np.full(ways.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(fastest, per_way[at_top], segments[at_top])  # the first such segment of each way
    kinds = np.asarray(network.seg_kind, dtype=np.int64)[fastest]
    u = np.asarray(network.seg_u, dtype=np.int64)[fastest]
    v = np.asarray(network.seg_v, dtype=np.int64)[fastest]
    lon = (np.asarray(network.node_lon)[u] + np.asarray(network.node_lon)[v]) / 2.0
    lat = (np.asarray(network.node_lat)[u] + np.asarray(network.node_lat)[v]) / 2.0

    streets: dict[tuple[Any, ...], dict[str, Any]] = {}
    for index, way_id in enumerate(ways.tolist()):
        name = network.way_names.get(int(way_id), "")
        kind = APPROACH_NAMES.get(WayKind(int(kinds[index])), "road")
        key = ("name", name, kind) if name else ("way", int(way_id))
        speed = float(top[index])
        found = streets.get(key)
        if found is None:
            found = streets[key] = {
                "name": name,
                "kind": kind,
                "way_ids": [],
                "length_m": 0.0,
                "max_speed_kmh": -1.0,
            }
        found["way_ids"].append(int(way_id))
        found["length_m"] += float(length_m[index])
        if speed > found["max_speed_kmh"]:
            found.update(
                max_speed_kmh=speed,
                lon=round(float(lon[index]), COORD_DECIMALS),
                lat=round(float(lat[index]), COORD_DECIMALS),
            )
    rows = []
    for street in streets.values():
        street["max_speed_kmh"] = round(street["max_speed_kmh"], 1)
        street["length_m"] = round(street["length_m"])
        street["way_ids"].sort()
        rows.append(street)
    rows.sort(key=lambda s: (-s["max_speed_kmh"], s["name"] == "", s["name"].casefold(), s["way_ids"][0]))
    return rows
