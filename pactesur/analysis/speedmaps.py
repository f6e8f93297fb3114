"""City speed maps as files: the per-segment attainable speed (.npz) and its compact line drawing.

The drawing (`*.lines.json.gz`) is what the city page fetches: segments are chained into polylines
along their way while the speed stays in one band of the barrier test-speed ladder, coordinates are
rounded to 5 decimals (about a metre) and written flat, one list of polylines per band.
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
from pactesur.engine.network import StreetNetwork
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


def save_speed_map(path: Path, speeds_kmh: FloatArray, lines: dict[str, Any]) -> None:
    """Write the speeds (.npz, float32 km/h) and the drawing (gzipped JSON) beside it, atomically each."""

    def write_npz(stream: IO[bytes]) -> None:
        np.savez_compressed(stream, speed_kmh=speeds_kmh.astype(np.float32))

    def write_lines(stream: IO[bytes]) -> None:
        with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=6, mtime=0) as gz:
            gz.write(json.dumps(lines, separators=(",", ":")).encode("utf-8"))

    _atomic_write(path, write_npz)
    _atomic_write(lines_path(path), write_lines)


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
