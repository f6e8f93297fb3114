"""Hostile vehicle classes as data: the ISO 22343-1 / IWA 14-1 test classes and their dynamics."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pactesur.engine.errors import UnknownVehicleError

FloatArray = npt.NDArray[np.float64]

GRAVITY_MS2: float = 9.80665  # standard gravity (CGPM 1901)
AIR_DENSITY_KGM3: float = 1.2  # air at about 20 °C at sea level (ISA, rounded)
SPEED_TABLE_POINTS: int = 4097  # samples of the distance-to-speed table D(v) (assumption: 0.01 m/s steps)

# The barrier test-speed ladder of ISO 22343-1 / IWA 14-1 / PAS 68 (hostile-vehicles.md §3, unverified)
TEST_SPEED_LADDER_KMH: tuple[int, ...] = (16, 32, 48, 64, 80, 96, 112)


@dataclass(frozen=True)
class VehicleClass:
    """One hostile vehicle class: a barrier test class with the dynamics of a real vehicle of it.

    Acceleration follows Rakha et al. (2001): the tractive force is the lower of the drive-axle
    grip, the first-gear torque limit (written as a launch acceleration) and the engine power
    over speed, minus rolling resistance and aerodynamic drag. Engine
    power ramps up at low speed (Rakha & Lucic's observation that constant power overstates
    trucks leaving a standstill): a fraction `power_ramp_start` of the power at 0, rising
    linearly to full power at `power_ramp_kmh`.
    """

    code: str
    description: str
    mass_kg: float
    width_m: float
    length_m: float
    max_speed_kmh: float
    power_kw: float
    drivetrain_efficiency: float
    drive_axle_share: float
    tyre_grip: float
    launch_accel_ms2: float
    rolling_resistance: float
    drag_area_m2: float
    power_ramp_start: float
    power_ramp_kmh: float
    lateral_grip_g: float
    rollover_threshold_g: float
    braking_decel_g: float
    test_speeds_kmh: tuple[int, ...]
    min_turn_radius_m: float

    @property
    def min_path_radius_m(self) -> float:
        """The tightest radius of the path of the vehicle's centre: turning circle less half the width."""
        return max(self.min_turn_radius_m - 0.5 * self.width_m, 0.0)

    @property
    def max_speed_ms(self) -> float:
        return self.max_speed_kmh / 3.6

    @property
    def lateral_accel_ms2(self) -> float:
        """The lateral acceleration the vehicle sustains in a bend: grip or rollover, the lower."""
        return min(self.lateral_grip_g, self.rollover_threshold_g) * GRAVITY_MS2

    @property
    def braking_decel_ms2(self) -> float:
        return self.braking_decel_g * GRAVITY_MS2

    def acceleration_ms2(self, speed_ms: FloatArray) -> FloatArray:
        """Return the full-throttle acceleration at each speed, on level ground.

        Parameters
        ----------
        speed_ms
            Speeds in m/s (≥ 0).

        Returns
        -------
        Acceleration in m/s²; negative where resistance exceeds traction.
        """
        v = np.asarray(speed_ms, dtype=np.float64)
        grip_force_n = min(
            self.tyre_grip * self.drive_axle_share * self.mass_kg * GRAVITY_MS2,
            self.launch_accel_ms2 * self.mass_kg,
        )
        ramp = np.minimum(
            1.0, self.power_ramp_start + (1.0 - self.power_ramp_start) * v / (self.power_ramp_kmh / 3.6)
        )
        with np.errstate(divide="ignore"):
            power_force_n = np.where(
                v > 0.0,
                self.drivetrain_efficiency * self.power_kw * 1000.0 * ramp / np.maximum(v, 1e-9),
                np.inf,
            )
        traction_n = np.minimum(grip_force_n, power_force_n)
        resistance_n = self.rolling_resistance * self.mass_kg * GRAVITY_MS2 + (
            0.5 * AIR_DENSITY_KGM3 * self.drag_area_m2 * v * v
        )
        result: FloatArray = (traction_n - resistance_n) / self.mass_kg
        return result

    def top_speed_ms(self) -> float:
        """Return the speed the vehicle can reach: its governor/design limit or its power limit."""
        v = np.linspace(0.0, self.max_speed_ms, 20001)
        a = self.acceleration_ms2(v)
        negative = np.nonzero(a <= 1e-3)[0]
        if negative.size == 0:
            return self.max_speed_ms
        return float(v[max(int(negative[0]) - 1, 1)])

    def run_up_table(self) -> tuple[FloatArray, FloatArray]:
        """Tabulate D(v), the distance from a standstill to reach each speed at full throttle.

        D(v) = ∫₀ᵛ u / a(u) du, integrated with the trapezoidal rule on a uniform speed grid up
        to the top speed; v/a(v) is smooth and zero at standstill, so 4 097 samples give D to
        well under a metre for every class. The grid is strictly increasing in both columns,
        so linear interpolation inverts it exactly: D⁻¹(D(v)) = v. The table is computed once
        per class and shared: the arrays are read-only.

        Returns
        -------
        speeds_ms, distances_m
            Two float64 arrays of the same length: speed and the run-up needed to reach it.
        """
        return _run_up_table(self)

    def distance_to_speed_m(self, speed_kmh: float) -> float:
        """Return the run-up from a standstill on a straight to reach `speed_kmh` (inf if never)."""
        speeds, distances = self.run_up_table()
        v = speed_kmh / 3.6
        if v > speeds[-1] + 1e-9:
            return math.inf
        return float(np.interp(v, speeds, distances))

    def speed_after_kmh(self, distance_m: float) -> float:
        """Return the speed reached from a standstill after `distance_m` on a straight."""
        speeds, distances = self.run_up_table()
        return float(np.interp(distance_m, distances, speeds)) * 3.6


@functools.lru_cache(maxsize=64)
def _run_up_table(vehicle: VehicleClass) -> tuple[FloatArray, FloatArray]:
    v_top = vehicle.top_speed_ms()
    speeds = np.linspace(0.0, v_top, SPEED_TABLE_POINTS)
    accel = vehicle.acceleration_ms2(speeds)
    integrand = speeds / accel
    distances = np.concatenate(([0.0], np.cumsum(0.5 * (integrand[1:] + integrand[:-1]) * np.diff(speeds))))
    speeds.setflags(write=False)
    distances.setflags(write=False)
    return speeds, distances


def _ladder_up_to(top_kmh: int) -> tuple[int, ...]:
    return tuple(s for s in TEST_SPEED_LADDER_KMH if s <= top_kmh)


# Figures: mass and test speeds from hostile-vehicles.md §3 (the test classes); power, a₀,
# lateral g and top speed ranges from its §6 "proposed defaults" table (themselves assumptions);
# widths against the CISA VRSAT gap bins of §5; braking from §6 (0.6–0.7 g cars, 0.4–0.5 g trucks).
# Rows carry a comment for each figure that is not from those tables.
VEHICLE_CLASSES: tuple[VehicleClass, ...] = (
    VehicleClass(
        code="M1",
        description="car",
        mass_kg=1500.0,  # §3 test mass
        width_m=1.80,  # §5 full-size sedan bin 1.75–1.98 m (assumption: mid-size car body)
        length_m=4.6,  # (assumption) D-segment saloon
        max_speed_kmh=180.0,  # §6 v_top
        power_kw=85.0,  # §6 range 80–110 kW
        drivetrain_efficiency=0.90,  # (assumption) manual/automatic driveline losses ~10 %
        drive_axle_share=0.55,  # (assumption) front-drive car, static front load ~60 % less transfer
        tyre_grip=0.80,  # (assumption) dry asphalt, road tyres; gives a₀ ≈ 4.2 m/s² (§6: 3.5–4.5)
        launch_accel_ms2=4.0,  # §6 a₀ 0–30 km/h 3.5–4.5 m/s²
        rolling_resistance=0.012,  # (assumption) car tyres on asphalt, 0.010–0.015
        drag_area_m2=0.70,  # (assumption) Cd 0.32 × 2.2 m²
        power_ramp_start=1.0,  # (assumption) no ramp: a car is grip-limited at low speed
        power_ramp_kmh=20.0,  # (assumption) unused with ramp start 1.0
        lateral_grip_g=0.80,  # §6 lateral g (bend table f = 0.8, dry road, full use)
        rollover_threshold_g=1.20,  # (assumption) passenger-car static rollover threshold ≥ 1.1 g
        braking_decel_g=0.70,  # §6 braking, cars 0.6–0.7 g
        test_speeds_kmh=_ladder_up_to(112),  # §3: 16–112 km/h ladder
        min_turn_radius_m=5.3,  # (assumption) D-segment car: kerb-to-kerb turning circle about 10.6 m across
    ),
    VehicleClass(
        code="N1G",
        description="4×4 double-cab pick-up",
        mass_kg=2500.0,  # §3 test mass (unverified there)
        width_m=1.90,  # (assumption) Hilux/Ranger class body 1.85–1.92 m
        length_m=5.3,  # (assumption) double-cab pick-up
        max_speed_kmh=170.0,  # §6 v_top
        power_kw=130.0,  # §6 range 110–150 kW
        drivetrain_efficiency=0.88,  # (assumption) 4×4 driveline
        drive_axle_share=1.0,  # (assumption) four-wheel drive: all weight on driven wheels
        tyre_grip=0.75,  # (assumption) all-terrain tyres on asphalt
        launch_accel_ms2=3.2,  # §6 a₀ 3.0 m/s² (a little above: 4×4 launch)
        rolling_resistance=0.013,  # (assumption) light-truck tyres
        drag_area_m2=1.20,  # (assumption) Cd 0.42 × 2.85 m²
        power_ramp_start=0.5,  # (assumption) turbo-diesel lag from standstill
        power_ramp_kmh=20.0,  # (assumption)
        lateral_grip_g=0.80,  # (assumption) as the car
        rollover_threshold_g=0.70,  # §6 lateral g 0.7 (tall body: rollover governs)
        braking_decel_g=0.65,  # §6 braking, cars 0.6–0.7 g
        test_speeds_kmh=(48, 64, 80),  # §3 (unverified)
        min_turn_radius_m=6.4,  # (assumption) double-cab pick-up turning circle 12.4–13 m diameter
    ),
    VehicleClass(
        code="N1",
        description="panel van",
        mass_kg=3500.0,  # §3 test mass (unverified there)
        width_m=2.05,  # (assumption) Transit/Master/Sprinter body 2.02–2.07 m
        length_m=6.0,  # (assumption) long-wheelbase panel van
        max_speed_kmh=150.0,  # §6 v_top
        power_kw=110.0,  # §6 range 100–130 kW
        drivetrain_efficiency=0.88,  # (assumption)
        drive_axle_share=0.55,  # (assumption) front- or rear-drive van, laden
        tyre_grip=0.75,  # (assumption) van tyres on asphalt
        launch_accel_ms2=2.5,  # §6 a₀ 2.0–2.5 m/s²
        rolling_resistance=0.012,  # (assumption) light-commercial tyres
        drag_area_m2=1.60,  # (assumption) Cd 0.38 × 4.2 m²
        power_ramp_start=0.5,  # (assumption) turbo-diesel lag from standstill
        power_ramp_kmh=20.0,  # (assumption)
        lateral_grip_g=0.75,  # (assumption)
        rollover_threshold_g=0.58,  # §6 lateral g 0.55–0.6
        braking_decel_g=0.60,  # §6 braking
        test_speeds_kmh=(48, 64, 80),  # §3 (unverified)
        min_turn_radius_m=6.6,  # (assumption) long-wheelbase panel van; vans 5.6–7.2 m
    ),
    VehicleClass(
        code="N2A",
        description="two-axle rigid truck, N2 chassis",
        mass_kg=7200.0,  # §3 test mass
        width_m=2.30,  # (assumption) 7.5–12 t rigid body; §5 "> 2.24 m: truck"
        length_m=7.5,  # (assumption)
        max_speed_kmh=90.0,  # EU speed limiters for N2/N3 (Directive 92/6/EEC as amended by 2002/85/EC)
        power_kw=130.0,  # §6 range 130–160 kW
        drivetrain_efficiency=0.85,  # (assumption) truck driveline
        drive_axle_share=0.60,  # (assumption) laden rear drive axle
        tyre_grip=0.70,  # (assumption) truck tyres on asphalt
        launch_accel_ms2=1.6,  # §6 a₀ 1.3–1.6 m/s²
        rolling_resistance=0.008,  # (assumption) truck tyres 0.006–0.010
        drag_area_m2=4.5,  # (assumption) Cd 0.6 × 7.5 m²
        power_ramp_start=0.3,  # (assumption) after Rakha & Lucic: trucks lack power leaving a standstill
        power_ramp_kmh=30.0,  # (assumption)
        lateral_grip_g=0.70,  # (assumption)
        rollover_threshold_g=0.45,  # §6 lateral g
        braking_decel_g=0.50,  # §6 braking, trucks 0.4–0.5 g
        test_speeds_kmh=(48, 64),  # §3
        min_turn_radius_m=7.5,  # (assumption) 7.5–12 t rigid; EU N2/N3 rule: outer ≤ 12.5 m, inner ≥ 5.3 m
    ),
    VehicleClass(
        code="N3C",
        description="two-axle rigid truck, N3 chassis",
        mass_kg=7200.0,  # §3 test mass
        width_m=2.50,  # (assumption) N3 cab; EU maximum 2.55 m (Directive 96/53/EC)
        length_m=8.0,  # (assumption)
        max_speed_kmh=90.0,  # EU speed limiters for N2/N3 (Directive 92/6/EEC as amended by 2002/85/EC)
        power_kw=160.0,  # §6: N2 row 130–160 kW (7.2 t test mass; an N3 engine on a light load)
        drivetrain_efficiency=0.85,  # (assumption)
        drive_axle_share=0.60,  # (assumption)
        tyre_grip=0.70,  # (assumption)
        launch_accel_ms2=2.0,  # (assumption) N3 driveline at 7.2 t: above §6 N2 row 1.3–1.6
        rolling_resistance=0.008,  # (assumption)
        drag_area_m2=5.5,  # (assumption) Cd 0.6 × 9 m²
        power_ramp_start=0.3,  # (assumption) after Rakha & Lucic
        power_ramp_kmh=30.0,  # (assumption)
        lateral_grip_g=0.70,  # (assumption)
        rollover_threshold_g=0.40,  # §6 lateral g, N3 row
        braking_decel_g=0.45,  # §6 braking, trucks 0.4–0.5 g
        test_speeds_kmh=(64, 80),  # §3
        min_turn_radius_m=8.5,  # (assumption) N3 two-axle rigid, within the EU 12.5/5.3 m rule
    ),
    VehicleClass(
        code="N3F",
        description="multi-axle heavy rigid truck",
        mass_kg=30000.0,  # §3 test mass
        width_m=2.55,  # EU maximum width (Directive 96/53/EC)
        length_m=10.0,  # (assumption) three/four-axle rigid
        max_speed_kmh=90.0,  # EU speed limiters for N2/N3 (Directive 92/6/EEC as amended by 2002/85/EC)
        power_kw=320.0,  # §6 range 300–350 kW
        drivetrain_efficiency=0.85,  # (assumption)
        drive_axle_share=0.55,  # (assumption) two driven rear axles of four
        tyre_grip=0.70,  # (assumption)
        launch_accel_ms2=0.9,  # §6 a₀ 0.6–0.9 m/s² (30–40 t row)
        rolling_resistance=0.007,  # (assumption)
        drag_area_m2=6.0,  # (assumption) Cd 0.6 × 10 m²
        power_ramp_start=0.3,  # (assumption) after Rakha & Lucic
        power_ramp_kmh=30.0,  # (assumption)
        lateral_grip_g=0.70,  # (assumption)
        rollover_threshold_g=0.35,  # §6 lateral g, 30–40 t row
        braking_decel_g=0.40,  # §6 braking, trucks 0.4–0.5 g
        test_speeds_kmh=(48, 64, 80),  # §3 (unverified)
        min_turn_radius_m=10.5,  # (assumption) multi-axle rigid, within the EU 12.5/5.3 m rule
    ),
)

VEHICLES_BY_CODE: dict[str, VehicleClass] = {v.code: v for v in VEHICLE_CLASSES}


def vehicle_by_code(code: str) -> VehicleClass:
    """Return the vehicle class of a code such as ``"N3C"`` (case-insensitive).

    Raises
    ------
    UnknownVehicleError
        With the list of valid codes, when the code is not a known class.
    """
    vehicle = VEHICLES_BY_CODE.get(code.strip().upper())
    if vehicle is None:
        valid = ", ".join(VEHICLES_BY_CODE)
        msg = f"unknown vehicle class {code!r}; valid codes are: {valid}"
        raise UnknownVehicleError(msg)
    return vehicle


def vehicles_by_codes(codes: list[str] | tuple[str, ...] | None) -> tuple[VehicleClass, ...]:
    """Return the classes named by `codes` in the given order, or every class when None/empty."""
    if not codes:
        return VEHICLE_CLASSES
    seen: dict[str, VehicleClass] = {}
    for code in codes:
        vehicle = vehicle_by_code(code)
        seen.setdefault(vehicle.code, vehicle)
    return tuple(seen.values())
