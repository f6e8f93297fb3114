"""A city's time zone: the one its dates are shown and exported in (`city_zone`), and the default a new
city gets from its country, read from the IANA `zone.tab` of the `tzdata` package.

`zone.tab` lists, for every country code, its time zones with the coordinates of each zone's
principal city, the country's main zone first (`ES: Europe/Madrid, Africa/Ceuta, Atlantic/Canary`).
A country with one zone gets it; for a country with several, the zone whose principal city lies
nearest to the city (the centre of its OSM extract) is chosen, and then the first-listed zone that
keeps the same clock as it: Málaga's nearest principal city is Ceuta, whose clock is Madrid's, so
Málaga gets Europe/Madrid, while Las Palmas gets Atlantic/Canary (an hour behind). Zones that differ
only in their history (Atlantic/Madeira, Europe/Busingen) thus give way to the country's main zone
(Europe/Lisbon, Europe/Berlin): the dates a city enters lie ahead, where both read the same.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import zoneinfo
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pactesur.cities.models import City

# Two zones keep "the same clock" when their UTC offsets agree at every one of these instants:
# each week of the year ahead, which meets every daylight-saving change of that year.
_SAME_CLOCK_DAYS = range(0, 366, 7)
# ISO 6709 as zone.tab writes it: ±DDMM±DDDMM or ±DDMMSS±DDDMMSS.
_ISO_6709 = re.compile(r"^([+-])(\d{2})(\d{2})(\d{2})?([+-])(\d{3})(\d{2})(\d{2})?$")
_EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def city_zone(city: City) -> zoneinfo.ZoneInfo:
    """The city's time zone, for showing, reading and exporting its dates; UTC when the system's zone
    database does not know its name (a city whose zone was renamed or removed)."""
    try:
        return zoneinfo.ZoneInfo(city.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@dataclass(frozen=True)
class CountryZone:
    """One line of zone.tab: a zone of a country and where its principal city lies."""

    country: str
    zone: str
    lon: float
    lat: float
    comment: str


def _degrees(sign: str, degrees: str, minutes: str, seconds: str | None) -> float:
    value = int(degrees) + int(minutes) / 60.0 + int(seconds or 0) / 3600.0
    return -value if sign == "-" else value


def parse_iso6709(text: str) -> tuple[float, float]:
    """Return (lon, lat) in degrees of a zone.tab coordinate such as `+4024-00341` or `+404251-0740023`."""
    match = _ISO_6709.match(text)
    if match is None:
        msg = f"not an ISO 6709 coordinate of zone.tab: {text!r}"
        raise ValueError(msg)
    lat_sign, lat_d, lat_m, lat_s, lon_sign, lon_d, lon_m, lon_s = match.groups()
    return _degrees(lon_sign, lon_d, lon_m, lon_s), _degrees(lat_sign, lat_d, lat_m, lat_s)


def parse_zone_tab(text: str) -> tuple[CountryZone, ...]:
    """The zones of a zone.tab text, in the file's order (comments and blank lines skipped)."""
    zones = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        lon, lat = parse_iso6709(fields[1])
        comment = fields[3] if len(fields) > 3 else ""
        zones.append(
            CountryZone(country=fields[0].upper(), zone=fields[2], lon=lon, lat=lat, comment=comment)
        )
    return tuple(zones)


@functools.cache
def _zone_tab() -> tuple[CountryZone, ...]:
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    return parse_zone_tab(text)


def country_zones(country: str) -> tuple[CountryZone, ...]:
    """The zone.tab lines of an ISO 3166-1 alpha-2 country code, main zone first; () if unknown."""
    code = country.strip().upper()
    return tuple(z for z in _zone_tab() if z.country == code)


def country_time_zones(country: str) -> list[str]:
    """The IANA time zones of a country (`"FI"` → `["Europe/Helsinki"]`), main zone first; [] if unknown."""
    return [z.zone for z in country_zones(country)]


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def same_clock(zone_a: str, zone_b: str, *, start: datetime.datetime | None = None) -> bool:
    """Whether two zones give the same local time at every week of the year from `start` (now)."""
    if zone_a == zone_b:
        return True
    a, b = zoneinfo.ZoneInfo(zone_a), zoneinfo.ZoneInfo(zone_b)
    first = start or datetime.datetime.now(datetime.UTC)
    instants = (first + datetime.timedelta(days=d) for d in _SAME_CLOCK_DAYS)
    return all(t.astimezone(a).utcoffset() == t.astimezone(b).utcoffset() for t in instants)


def default_time_zone(
    country: str, *, near: tuple[float, float] | None = None, start: datetime.datetime | None = None
) -> str | None:
    """The time zone a new city of `country` gets, or None when zone.tab does not know the country.

    Without `near` (lon, lat), the country's first-listed zone. With it, the zone whose principal
    city lies nearest (great-circle distance), replaced by the first-listed zone that keeps the same
    clock over the year from `start` (now): see the module's docstring.
    """
    zones = country_zones(country)
    if not zones:
        return None
    if near is None or len(zones) == 1:
        return zones[0].zone
    lon, lat = near
    nearest = min(zones, key=lambda z: _distance_m(lon, lat, z.lon, z.lat)).zone
    return next(z.zone for z in zones if same_clock(z.zone, nearest, start=start))
