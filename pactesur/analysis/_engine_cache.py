"""Networks and city-wide speeds kept in the worker process, so many spaces reuse one computation.

The city-wide attainable speeds are the expensive, space-independent part of an analysis: a city
job of 50 spaces computes them once per vehicle class, and later single-space jobs in the same
worker process reuse them while the network and the parameters stay the same.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from pactesur.engine.dynamics import AttainableSpeeds, PreparedNetwork, attainable_speeds, prepare_network
from pactesur.engine.io.network_store import load_network
from pactesur.engine.network import StreetNetwork
from pactesur.engine.vda import Streetscape
from pactesur.engine.vehicles import vehicle_by_code

# Networks kept at once per process (assumption: a worker serves a few cities; a large city's
# network with six classes of speeds takes a few hundred MB).
MAX_NETWORKS = 2


@dataclass
class LoadedNetwork:
    """One network read from its file, with the speeds computed on it so far, by vehicle code."""

    network: StreetNetwork
    prepared: PreparedNetwork
    speeds: dict[str, AttainableSpeeds] = field(default_factory=dict)
    compute_s: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # the street objects and each class's corridors, shared by every space of the city
    streetscape: Streetscape = field(init=False)

    def __post_init__(self) -> None:
        self.streetscape = Streetscape(self.network)

    def speeds_for(self, code: str) -> AttainableSpeeds:
        with self.lock:
            cached = self.speeds.get(code)
            if cached is None:
                started = time.perf_counter()
                cached = attainable_speeds(self.network, vehicle_by_code(code), prepared=self.prepared)
                self.compute_s[code] = time.perf_counter() - started
                self.speeds[code] = cached
            return cached


_cache: OrderedDict[tuple[str, str], LoadedNetwork] = OrderedDict()
_cache_lock = threading.Lock()


def loaded_network(graph_path: Path, params_hash: str) -> LoadedNetwork:
    """Return the network stored at `graph_path` (read once per process) with its speed cache."""
    # The file's modification time is in the key: a network file replaced in place is read again.
    key = (f"{graph_path}@{graph_path.stat().st_mtime_ns}", params_hash)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    network = load_network(graph_path)
    # The line graph and turn geometry are shared between the classes that fit the same ways.
    loaded = LoadedNetwork(network=network, prepared=prepare_network(network))
    with _cache_lock:
        found = _cache.setdefault(key, loaded)
        _cache.move_to_end(key)
        while len(_cache) > MAX_NETWORKS:
            _cache.popitem(last=False)
    return found


def clear() -> None:
    """Forget every cached network (tests; a worker never needs to)."""
    with _cache_lock:
        _cache.clear()
