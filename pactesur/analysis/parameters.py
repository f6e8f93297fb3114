"""What an analysis was computed with: the vehicle table and this module's version, as one hash."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cache
from typing import Any

from pactesur.engine.vehicles import VEHICLE_CLASSES

# Bump when the way the app computes or summarises analyses changes, so that every stored result
# is marked stale and computed again (the engine's vehicle table is hashed on its own).
# 2: each class's result also holds its existing barriers, the warnings, `via`, width sources and
#    speed profiles of the entries (issue #7).
# 3: entries flag an envelope above 100 km/h on footways, paths, pedestrian streets or open areas
#    for review (`review`, warning `fast_off_road`, issue #8), and the engine's speed round.
ANALYSIS_VERSION = 3

# Entries where a vehicle arrives faster than the lowest barrier test speed (16 km/h, ISO 22343-1
# / IWA 14-1 ladder) need a rated barrier; slower ones are counted as not needing one (assumption:
# ordinary street furniture stops a vehicle at walking-to-cycling speed).
UNPROTECTED_ABOVE_KMH = 16.0


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


@cache
def parameters_hash() -> str:
    """Return a short stable hash of every vehicle's figures and `ANALYSIS_VERSION`.

    Two runs with the same hash used the same model; a change of any figure of any class (or a new
    class) gives a new hash, which makes earlier results stale.
    """
    payload = {
        "analysis_version": ANALYSIS_VERSION,
        "vehicles": [dataclasses.asdict(v) for v in VEHICLE_CLASSES],
    }
    return hashlib.sha256(_canonical(payload).encode("ascii")).hexdigest()[:16]


def polygon_hash(polygon: dict[str, Any]) -> str:
    """Return a short stable hash of a space outline (GeoJSON), to tell which outline a result is for."""
    return hashlib.sha256(_canonical(polygon).encode("ascii")).hexdigest()[:16]


def vehicle_codes() -> list[str]:
    """Return the codes of every vehicle class analysed, in the engine's order (lightest first)."""
    return [v.code for v in VEHICLE_CLASSES]
