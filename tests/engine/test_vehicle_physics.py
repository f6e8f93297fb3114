"""Vehicle physics pinned to published figures of a real vehicle of each class, and proof that the pins bite.

Every figure is computed from `VehicleClass.acceleration_ms2` alone: times by integrating
dt = dv / a(v), the top speed where a(v) reaches 0 (the governor ignored), and, with the engine
switched off (`power_kw=0`), the coast-down deceleration that gives rolling resistance (at 10 km/h)
and drag area (10 → 85 km/h). Full throttle less coasting, times speed, is the power at the wheels.

Times and top speeds are computed at the mass of the published run, so the class's power, drag,
rolling resistance and launch limits are compared like for like; the class's own test mass is
fixed by ISO 22343-1 and tested in test_vehicles.py.

Which figure catches which change of physics (the meta-test at the bottom checks this table):

| change                | M1, N1G, N1                                  | N2A, N3C, N3F                  |
|-----------------------|----------------------------------------------|--------------------------------|
| power × 1.5           | wheel power, top speed (M1 also 0–100 km/h)  | wheel power                    |
| drag area × 0.1       | top speed                                    | coast-down drag area           |
| rolling resistance 0  | coast-down rolling coefficient               | coast-down rolling coefficient |

Rolling resistance is 4–9 % of the 0–100 km/h time and top speed of the cars and vans, inside any
honest tolerance on a published figure: only the coast-down sees it. Trucks have no 0–80 km/h pin:
no published time for these trucks could be checked when this was written, and an unchecked one
would only pretend to pin them; their power, drag and rolling resistance are pinned through wheel
power and coast-down instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.optimize import brentq

from pactesur.engine.vehicles import VEHICLES_BY_CODE, VehicleClass

STANDARD_GRAVITY_MS2 = 9.80665  # CGPM 1901
AIR_DENSITY_KGM3 = 1.2  # ISA sea level, rounded
SPEED_SAMPLES = 20_001  # trapezoid samples of 1/a(v): well under 0.1 % error on every time here
COAST_LOW_KMH = 10.0  # drag is 1–2 % of the resistance here: the coast-down is rolling resistance
COAST_HIGH_KMH = 85.0
WHEEL_POWER_KMH = (30.0, 100.0)  # above the trucks' power ramp and every class's grip limit
TOP_SPEED_SEARCH_MS = (1.0, 150.0)

# Driveline and accessory losses between the rated engine power and the wheels: 5–25 %
# (assumption; the textbook driveline range is 80–95 %, Gillespie, Fundamentals of Vehicle
# Dynamics, 1992, ch. 2 — unverified here).
WHEEL_POWER_SHARE = (0.75, 0.95)
# On-road rolling resistance coefficients. Lower bounds: label class A of Regulation (EU) 2020/740,
# Annex I (drum test, ISO 28580): C1 (car) tyres ≤ 6.5 N/kN, C2 (van, light truck) ≤ 5.5 N/kN,
# C3 (truck) ≤ 4.0 N/kN. Upper bounds (assumption): about twice the worst label class, for road
# texture, temperature and wear.
ROLLING_BAND_CAR = (0.0065, 0.020)
ROLLING_BAND_LIGHT_TRUCK = (0.0055, 0.020)
ROLLING_BAND_TRUCK = (0.004, 0.012)
# Rigid trucks with box or tipper bodies: Cd 0.5–0.8 × frontal area 6.5–10 m² (2.3–2.55 m wide,
# 3.0–4.0 m tall) (assumption after published truck drag figures; unverified here).
DRAG_AREA_BAND_RIGID_TRUCK_M2 = (3.0, 8.0)


def time_between_s(vehicle: VehicleClass, from_kmh: float, to_kmh: float) -> float:
    """Integrate dt = dv / a(v) from one speed to another; inf when the vehicle never gets there."""
    speeds = np.linspace(from_kmh / 3.6, to_kmh / 3.6, SPEED_SAMPLES)
    accel = vehicle.acceleration_ms2(speeds)
    if np.any(accel <= 0.0):
        return float("inf")
    inverse = 1.0 / accel
    return float(np.sum(0.5 * (inverse[1:] + inverse[:-1]) * np.diff(speeds)))


def power_limited_top_speed_kmh(vehicle: VehicleClass) -> float:
    """The speed where full-throttle acceleration reaches zero, whatever the governor."""
    low, high = TOP_SPEED_SEARCH_MS

    def accel(v: float) -> float:
        return float(vehicle.acceleration_ms2(np.array([v]))[0])

    if accel(high) > 0.0:
        return float("inf")
    return float(brentq(accel, low, high)) * 3.6


def _coasting(vehicle: VehicleClass) -> VehicleClass:
    return dataclasses.replace(vehicle, power_kw=0.0)


def peak_wheel_power_kw(vehicle: VehicleClass) -> float:
    """Full-throttle less coasting acceleration, times mass and speed: the power at the wheels."""
    speeds = np.linspace(WHEEL_POWER_KMH[0] / 3.6, WHEEL_POWER_KMH[1] / 3.6, 701)
    surplus = vehicle.acceleration_ms2(speeds) - _coasting(vehicle).acceleration_ms2(speeds)
    return float(np.max(speeds * vehicle.mass_kg * surplus)) / 1000.0


def rolling_coefficient(vehicle: VehicleClass) -> float:
    """Coast-down deceleration at 10 km/h over g: the rolling resistance coefficient."""
    decel = -_coasting(vehicle).acceleration_ms2(np.array([COAST_LOW_KMH / 3.6]))[0]
    return float(decel) / STANDARD_GRAVITY_MS2


def coast_down_drag_area_m2(vehicle: VehicleClass) -> float:
    """Drag area from the coast-down decelerations at 85 and 10 km/h (the rolling part cancels)."""
    speeds = np.array([COAST_LOW_KMH, COAST_HIGH_KMH]) / 3.6
    decel = -_coasting(vehicle).acceleration_ms2(speeds)
    return float((decel[1] - decel[0]) * vehicle.mass_kg / (0.5 * AIR_DENSITY_KGM3 * np.diff(speeds**2)[0]))


@dataclass(frozen=True)
class Pin:
    """One published figure a class must reproduce, within [low, high]."""

    code: str
    figure: str
    low: float
    high: float
    measure: Callable[[VehicleClass], float]

    def holds(self, vehicle: VehicleClass) -> bool:
        return self.low <= self.measure(vehicle) <= self.high


def _near(published: float, rel_tol: float) -> tuple[float, float]:
    return published * (1.0 - rel_tol), published * (1.0 + rel_tol)


def _at_mass(mass_kg: float, measure: Callable[[VehicleClass], float]) -> Callable[[VehicleClass], float]:
    return lambda vehicle: measure(dataclasses.replace(vehicle, mass_kg=mass_kg))


def _zero_to_kmh(to_kmh: float) -> Callable[[VehicleClass], float]:
    return lambda vehicle: time_between_s(vehicle, 0.0, to_kmh)


def _wheel_power_share_of(rated_kw: float) -> Callable[[VehicleClass], float]:
    return lambda vehicle: peak_wheel_power_kw(vehicle) / rated_kw


PINS: tuple[Pin, ...] = (
    # M1: Volkswagen Golf VII 1.4 TSI, 90 kW (122 PS), 6-speed manual, about 1,300 kg with driver.
    # Manufacturer figures (VW technical data, 2013), quoted from memory: unverified here.
    # 0–100 km/h 9.3 s (±15 %: no gear changes in the model); top speed 203 km/h (±8 %).
    Pin("M1", "0-100 km/h", *_near(9.3, 0.15), _at_mass(1300.0, _zero_to_kmh(100.0))),
    Pin("M1", "top speed", *_near(203.0, 0.08), _at_mass(1300.0, power_limited_top_speed_kmh)),
    Pin("M1", "wheel power", *WHEEL_POWER_SHARE, _wheel_power_share_of(90.0)),
    Pin("M1", "rolling coefficient", *ROLLING_BAND_CAR, rolling_coefficient),
    # N1G: Mitsubishi L200 (5th generation, 2015) double cab 2.4 DI-D, 133 kW (181 PS), 6-speed
    # manual, 4×4, about 1,950 kg with driver. Manufacturer figures (Mitsubishi UK: 0–62 mph
    # 10.4 s, 111 mph), quoted from memory: unverified here. ±15 % and ±8 %.
    Pin("N1G", "0-100 km/h", *_near(10.4, 0.15), _at_mass(1950.0, _zero_to_kmh(100.0))),
    Pin("N1G", "top speed", *_near(179.0, 0.08), _at_mass(1950.0, power_limited_top_speed_kmh)),
    Pin("N1G", "wheel power", *WHEEL_POWER_SHARE, _wheel_power_share_of(133.0)),
    Pin("N1G", "rolling coefficient", *ROLLING_BAND_LIGHT_TRUCK, rolling_coefficient),
    # N1: Mercedes-Benz Sprinter 316 CDI panel van (NCV3, 2.1 l, 120 kW / 163 PS), unladen, about
    # 2,250 kg with driver. Manufacturer figures quoted from memory, low confidence: 0–100 km/h
    # about 14 s (±20 %), top speed about 160 km/h (±8 %). Unverified here.
    Pin("N1", "0-100 km/h", *_near(14.0, 0.20), _at_mass(2250.0, _zero_to_kmh(100.0))),
    Pin("N1", "top speed", *_near(160.0, 0.08), _at_mass(2250.0, power_limited_top_speed_kmh)),
    Pin("N1", "wheel power", *WHEEL_POWER_SHARE, _wheel_power_share_of(120.0)),
    Pin("N1", "rolling coefficient", *ROLLING_BAND_LIGHT_TRUCK, rolling_coefficient),
    # N2A: Mercedes-Benz Atego 818, 7.49 t two-axle rigid, 130 kW (177 PS) (manufacturer rating).
    Pin("N2A", "wheel power", *WHEEL_POWER_SHARE, _wheel_power_share_of(130.0)),
    Pin("N2A", "coast-down drag area", *DRAG_AREA_BAND_RIGID_TRUCK_M2, coast_down_drag_area_m2),
    Pin("N2A", "rolling coefficient", *ROLLING_BAND_TRUCK, rolling_coefficient),
    # N3C: DAF LF 55.220, 18 t two-axle rigid (an N3 chassis), 162 kW (220 hp) (manufacturer rating).
    Pin("N3C", "wheel power", *WHEEL_POWER_SHARE, _wheel_power_share_of(162.0)),
    Pin("N3C", "coast-down drag area", *DRAG_AREA_BAND_RIGID_TRUCK_M2, coast_down_drag_area_m2),
    Pin("N3C", "rolling coefficient", *ROLLING_BAND_TRUCK, rolling_coefficient),
    # N3F: MAN TGS 32.440 8×4, 32 t four-axle rigid, 324 kW (440 PS) (manufacturer rating, in its name).
    Pin("N3F", "wheel power", *WHEEL_POWER_SHARE, _wheel_power_share_of(324.0)),
    Pin("N3F", "coast-down drag area", *DRAG_AREA_BAND_RIGID_TRUCK_M2, coast_down_drag_area_m2),
    Pin("N3F", "rolling coefficient", *ROLLING_BAND_TRUCK, rolling_coefficient),
)

CHANGES: dict[str, Callable[[VehicleClass], VehicleClass]] = {
    "power x 1.5": lambda v: dataclasses.replace(v, power_kw=v.power_kw * 1.5),
    "drag area x 0.1": lambda v: dataclasses.replace(v, drag_area_m2=v.drag_area_m2 * 0.1),
    "rolling resistance 0": lambda v: dataclasses.replace(v, rolling_resistance=0.0),
}
_CARS_AND_VANS = ("M1", "N1G", "N1")
_TRUCKS = ("N2A", "N3C", "N3F")
# The table of the module docstring: the pinned figures each change must break, per class.
CAUGHT_BY: dict[tuple[str, str], frozenset[str]] = {
    ("M1", "power x 1.5"): frozenset({"wheel power", "top speed", "0-100 km/h"}),
    ("N1G", "power x 1.5"): frozenset({"wheel power", "top speed"}),
    ("N1", "power x 1.5"): frozenset({"wheel power", "top speed"}),
    **{(c, "power x 1.5"): frozenset({"wheel power"}) for c in _TRUCKS},
    **{(c, "drag area x 0.1"): frozenset({"top speed"}) for c in _CARS_AND_VANS},
    **{(c, "drag area x 0.1"): frozenset({"coast-down drag area"}) for c in _TRUCKS},
    **{(c, "rolling resistance 0"): frozenset({"rolling coefficient"}) for c in VEHICLES_BY_CODE},
}


def _pins_of(code: str) -> list[Pin]:
    return [pin for pin in PINS if pin.code == code]


def test_every_class_is_pinned_to_a_real_vehicle() -> None:
    assert {pin.code for pin in PINS} == set(VEHICLES_BY_CODE)


@pytest.mark.parametrize("pin", PINS, ids=lambda p: f"{p.code}-{p.figure.replace(' ', '_')}")
def test_class_reproduces_the_published_figure_of_a_real_vehicle(pin: Pin) -> None:
    value = pin.measure(VEHICLES_BY_CODE[pin.code])
    assert pin.low <= value <= pin.high, (
        f"{pin.code} {pin.figure}: model {value:.4g}, published [{pin.low:.4g}, {pin.high:.4g}]"
    )


def test_time_integration_matches_constant_acceleration_by_hand() -> None:
    # A vehicle whose only force is a 4 m/s² launch limit: 0→100 km/h takes (100/3.6)/4 = 6.94 s.
    launch_only = dataclasses.replace(
        VEHICLES_BY_CODE["M1"],
        power_kw=1e6,
        power_ramp_start=1.0,
        launch_accel_ms2=4.0,
        tyre_grip=5.0,
        rolling_resistance=0.0,
        drag_area_m2=0.0,
    )
    assert time_between_s(launch_only, 0.0, 100.0) == pytest.approx(100.0 / 3.6 / 4.0, rel=1e-6)


def test_every_change_of_every_class_has_a_figure_that_catches_it() -> None:
    assert set(CAUGHT_BY) == {(code, change) for code in VEHICLES_BY_CODE for change in CHANGES}
    assert all(CAUGHT_BY.values())


@pytest.mark.parametrize(("code", "change"), sorted(CAUGHT_BY), ids=lambda x: str(x).replace(" ", "_"))
def test_pinned_figures_reject_a_changed_physics(code: str, change: str) -> None:
    changed = CHANGES[change](VEHICLES_BY_CODE[code])
    failing = {pin.figure for pin in _pins_of(code) if not pin.holds(changed)}
    assert CAUGHT_BY[(code, change)] <= failing, f"{code} with {change}: only {sorted(failing)} fail"
