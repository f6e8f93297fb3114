"""What the analysis pages show, kept until what it is made of changes.

A city's ranking and a space's entries, barriers and warnings change only when an analysis row,
a space or the active street network changes, yet rendering them costs most of each request (the
entries of six classes, with their paths and profiles, or the ratings of every space). They are
kept in Django's cache under a *stamp*: a few numbers read from the database in one cheap query
that change with any of their inputs. A new stamp is a new key, so nothing is ever invalidated by
hand and several server processes (each with its own memory cache) never disagree for longer than
a request: a process that has not seen a stamp yet computes it.

What a stamp is made of (each an assumption that a change to the page's inputs moves it):
- the analysis version and parameters hash (a new engine or parameters);
- the active street network's id (a re-import);
- the number of analysis rows and their latest `updated_at` (every write to a row sets it,
  `pactesur.analysis.actions`);
- the number of spaces and their latest `updated_at` (names, kinds and outlines shown beside the
  results; `Record.updated_at` is `auto_now`, and the bulk updates of an import set it); a space's
  page takes its space's `updated_at` as the page read it, one query less on every request.

The city page's street tables (the speed maps as text) are made of the speed maps shown, each kept
under its own stamp (`speed_maps_stamp`): the maps' ids and the time each was computed, which
`do_compute_city_speed_maps` sets whenever it writes a map's files again.

Language and time zone are part of the keys of what is rendered, since the words and numbers are.
Rows still queued or running are not cached: their shown status changes with the clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone, translation

from pactesur.analysis.actions import active_network
from pactesur.analysis.models import ApproachAnalysis, CitySpeedMap
from pactesur.analysis.parameters import ANALYSIS_VERSION, parameters_hash
from pactesur.cities.models import City
from pactesur.spaces.models import Space
from pactesur.streets.models import StreetNetwork

# Kept for a day at most: a stamp that no longer occurs is never read again, this bounds its memory.
TIMEOUT_S = 24 * 3600

T = TypeVar("T")


def _digest(*parts: Any) -> str:
    return hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=10).hexdigest()


def _rows_stamp(analyses: Any, spaces: Any) -> tuple[Any, ...]:
    a = analyses.aggregate(n=Count("id"), last=Max("updated_at"))
    s = spaces.aggregate(n=Count("id"), last=Max("updated_at"))
    return (a["n"], a["last"], s["n"], s["last"])


def city_stamp(city: City, network: StreetNetwork | None) -> str:
    """Changes whenever the city's ranking could: an analysis row, a space, the network (`network`, the
    city's active one, which the page has read already), the engine."""
    return _digest(
        ANALYSIS_VERSION,
        parameters_hash(),
        city.pk,
        network.pk if network is not None else 0,
        *_rows_stamp(ApproachAnalysis.objects.filter(city=city), Space.objects.filter(city=city)),
    )


def space_stamp(space: Space, *, network: StreetNetwork | None = None) -> str:
    """Changes whenever a space's analysis page could: its rows, the space, the network (`network`, the
    city's active one, when the page has read it already), the engine."""
    network = network or active_network(space.city_id)
    rows = ApproachAnalysis.objects.filter(space=space).aggregate(n=Count("id"), last=Max("updated_at"))
    return _digest(
        ANALYSIS_VERSION,
        parameters_hash(),
        space.pk,
        network.pk if network is not None else 0,
        rows["n"],
        rows["last"],
        space.updated_at,  # the space as the page read it, with what it shows of it
    )


def speed_maps_stamp(city: City, maps: Iterable[CitySpeedMap | None]) -> str:
    """Changes whenever the street tables of the city page could: another map shown (a new network,
    new parameters, a class computed at last) or a map computed again, or the engine."""
    return _digest(
        ANALYSIS_VERSION,
        city.pk,
        *(f"{m.pk}@{m.computed_at.isoformat()}" if m is not None else "-" for m in maps),
    )


def rendering_key() -> str:
    """What rendered words and dates depend on beyond the data: the language and the time zone."""
    return f"{translation.get_language()}:{timezone.get_current_timezone_name()}"


def kept(name: str, stamp: str, compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned for this `name` and `stamp` before (in this process)."""
    key = f"pactesur:analysis:{name}:{stamp}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT_S)
    return found  # type: ignore[no-any-return]
