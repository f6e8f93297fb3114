"""What a run stores per class from the engine's result: its entries, its barriers, the warnings about
it or the whole space — with the engine replaced by a result in its JSON shape (issue #7)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pytest

from pactesur.analysis import actions
from pactesur.analysis.actions import do_run_space_analysis
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.parameters import ANALYSIS_VERSION, vehicle_codes
from pactesur.engine.vehicles import vehicles_by_codes
from tests.analysis.factories import barrier, entry, warning
from tests.spaces.helpers import make_space
from tests.streets.factories import StreetNetworkFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class _Item:
    """An engine entry, barrier or warning: what the app reads of it is its class and its JSON."""

    data: dict[str, Any]

    @property
    def vehicle(self) -> str | None:
        vehicle: str | None = self.data["vehicle"]
        return vehicle

    def as_json(self) -> dict[str, Any]:
        return dict(self.data)


@dataclass
class _Result:
    vehicles: tuple[Any, ...]
    entries: tuple[_Item, ...]
    barriers: tuple[_Item, ...]
    warnings: tuple[_Item, ...]
    timings_s: dict[str, float] = field(default_factory=dict)


@dataclass
class _Loaded:
    network: Any = None
    streetscape: Any = None
    compute_s: dict[str, float] = field(default_factory=dict)

    def speeds_for(self, code: str) -> None:
        return None


@pytest.fixture
def engine(monkeypatch):  # type: ignore[no-untyped-def]
    """Replace the engine by a result built from JSON items; returns the list to fill."""
    from pactesur.engine import vda

    made: dict[str, list[dict[str, Any]]] = {"entries": [], "barriers": [], "warnings": []}

    def analyse_area(
        network: Any, area: Any, *, vehicle_codes: Any, speeds: Any, streetscape: Any
    ) -> _Result:
        return _Result(
            vehicles=vehicles_by_codes(tuple(vehicle_codes)),
            entries=tuple(_Item(e) for e in made["entries"] if e["vehicle"] in vehicle_codes),
            barriers=tuple(_Item(b) for b in made["barriers"] if b["vehicle"] in vehicle_codes),
            warnings=tuple(_Item(w) for w in made["warnings"]),
        )

    monkeypatch.setattr(vda, "analyse_area", analyse_area)
    monkeypatch.setattr(actions, "_loaded", lambda network: _Loaded())
    return made


@pytest.fixture
def space(city):  # type: ignore[no-untyped-def]
    StreetNetworkFactory(city=city)
    return make_space(city, None)


def test_each_class_keeps_its_barriers_and_the_warnings_about_it_or_the_whole_space(engine, space):
    engine["entries"] += [entry("M1", 116.0, beyond_rating=True, test_speed_kmh=128), entry("N3F", 70.0)]
    engine["barriers"] += [barrier("M1", 45.0), barrier("N3F", 38.0), barrier("N3F", 30.0, kind="wall")]
    engine["warnings"] += [
        warning("near_extract_edge", "M1", distance_m=240.0, run_up_m=1692.8),
        warning("assumed_widths", "N3F", share=82),
        warning("old_network"),
    ]

    stats = do_run_space_analysis(space)

    assert stats.analyses == len(vehicle_codes())
    rows = {r.vehicle: r for r in ApproachAnalysis.objects.filter(space=space)}
    assert {r.status for r in rows.values()} == {AnalysisStatus.SUCCEEDED}
    car, truck, van = rows["M1"], rows["N3F"], rows["N1"]
    assert set(car.result) == {"vehicle", "entries", "barriers", "warnings", "path_summary"}
    assert [b["impact_speed_kmh"] for b in car.barriers] == [45.0]
    assert [b["kind"] for b in truck.barriers] == ["bollard", "wall"]
    assert van.barriers == []
    assert [w["code"] for w in car.warnings] == ["near_extract_edge", "old_network"]
    assert [w["code"] for w in truck.warnings] == ["assumed_widths", "old_network"]
    assert [w["code"] for w in van.warnings] == ["old_network"]
    assert car.entries[0]["speed_profile"][-1] == [120.0, 116.0]
    assert car.beyond_rating is True
    assert truck.beyond_rating is False


def test_numbers_json_cannot_hold_are_stored_as_null(engine, space):
    # An open area has no width limit: an engine may say so with infinity, which no database stores.
    engine["entries"].append({**entry("M1", 40.0, via="open_area"), "width_m": math.inf})
    engine["barriers"].append({**barrier("M1", 20.0), "gap_m": math.nan})

    do_run_space_analysis(space)

    car = ApproachAnalysis.objects.get(space=space, vehicle="M1")
    assert car.status == AnalysisStatus.SUCCEEDED
    assert car.entries[0]["width_m"] is None
    assert car.barriers[0]["gap_m"] is None
    assert car.max_impact_speed_kmh == 40.0


def test_results_of_the_first_analysis_version_are_not_current_any_more(space):
    """Results stored before barriers and warnings existed are computed again (version 2 of #7)."""
    from pactesur.analysis import parameters

    assert ANALYSIS_VERSION >= 2
    old = parameters.parameters_hash()
    parameters.parameters_hash.cache_clear()
    try:
        parameters.ANALYSIS_VERSION = 1
        assert parameters.parameters_hash() != old
    finally:
        parameters.ANALYSIS_VERSION = ANALYSIS_VERSION
        parameters.parameters_hash.cache_clear()
    assert parameters.parameters_hash() == old
