"""What tells apart spaces of the same name in lists and rankings: the street each lies on, or the
nearest named one, and its size ("Mikonkatu · 3,183 m²").

OpenStreetMap often names two parts of one pedestrian street, or two halves of a square, alike:
Helsinki has two "Aleksanterinkatu", Barcelona two "Plaça Urquinaona". The street that tells them
apart is a street of another name (the one they are named after runs along both). Streets come from
the city's active street network through a source the streets app registers (`register_street_source`):
spaces do not import the streets app, which depends on them.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from pactesur.spaces.models import Space

# (name, line in WGS 84 lon/lat) of the named streets of a city.
NamedStreets = Sequence[tuple[str, BaseGeometry]]
# city id → (a key that changes with the streets, a function that reads them), or None when the
# city has no street network yet.
StreetSource = Callable[[int], tuple[str, Callable[[], NamedStreets]] | None]

# A street farther than this from a space does not describe where it lies (assumption: a short
# block; beyond it "near X" would mislead more than it helps).
MAX_STREET_DISTANCE_M = 150.0
M_PER_DEG_LAT = 111_320.0
_TREES_MAX = 16
_STREETS_MAX = 20_000

_source: StreetSource | None = None
_lock = threading.Lock()
# source key → (names, lines, tree): one per city network, built on first use.
_trees: OrderedDict[str, tuple[list[str], npt.NDArray[np.object_], shapely.STRtree]] = OrderedDict()
# (space id, updated_at, source key) → the street telling it apart ("" when none is near).
_streets: OrderedDict[tuple[int, str, str], str] = OrderedDict()


def register_street_source(source: StreetSource | None) -> None:
    """Set where the named streets of a city come from (the streets app, when it starts)."""
    global _source  # noqa: PLW0603  # one source per process, set once at start-up
    _source = source
    with _lock:
        _trees.clear()
        _streets.clear()


def shared_names(spaces: Iterable[Space]) -> set[tuple[int, str]]:
    """(city id, name folded) of the names two or more spaces in use of a city share, among the
    cities of `spaces` (and `spaces` themselves, archived or not)."""
    from pactesur.spaces.models import Space, shown_name

    given = list(spaces)
    cities = {s.city_id for s in given}
    counts: Counter[tuple[int, str]] = Counter()
    seen: set[int] = set()
    in_use = Space.objects.filter(city_id__in=cities, archived_at__isnull=True)
    unnamed = False
    for pk, city_id, name in in_use.values_list("pk", "city_id", "name"):
        seen.add(pk)
        if name:
            counts[(city_id, _folded(name))] += 1
        unnamed = unnamed or not name
    if unnamed:
        # Spaces the import found unnamed go by their generated label, as the reader sees them.
        rows = in_use.filter(name="").values_list("city_id", "kind", "osm_type", "osm_id", "osm_tags")
        for city_id, kind, osm_type, osm_id, osm_tags in rows:
            counts[(city_id, _folded(shown_name("", kind, osm_type, osm_id, osm_tags)))] += 1
    for space in given:
        if space.pk not in seen:
            counts[(space.city_id, _folded(space.shown_name))] += 1
    return {key for key, count in counts.items() if count > 1}


def namesake_labels(spaces: Iterable[Space]) -> dict[int, str]:
    """For each of `spaces` whose name another space of its city shares: a short label that tells it
    apart, its street and its area ("Mikonkatu · 3,183 m²"), then its number if that is not enough.

    Spaces with a name of their own get none. Costs one query, and one more with the city's streets
    (read once per network and process) when some names are shared.
    """
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    given = list({space.pk: space for space in spaces}.values())  # a space listed twice counts once
    shared = shared_names(given)
    namesakes = [s for s in given if (s.city_id, _folded(s.shown_name)) in shared]
    if not namesakes:
        return {}
    streets = _streets_of(namesakes)
    labels: dict[int, str] = {}
    for space in namesakes:
        area = number_format(round(space.area_m2), 0, force_grouping=True)
        street = streets.get(space.pk, "")
        if street:
            labels[space.pk] = _("%(street)s · %(area)s m²") % {"street": street, "area": area}
        else:
            labels[space.pk] = _("%(a)s m²") % {"a": area}
    # Two namesakes on the same street with the same area: their numbers tell them apart.
    repeated = Counter((s.city_id, _folded(s.shown_name), labels[s.pk]) for s in namesakes)
    for space in namesakes:
        if repeated[(space.city_id, _folded(space.shown_name), labels[space.pk])] > 1:
            labels[space.pk] = _("%(label)s · no. %(id)s") % {"label": labels[space.pk], "id": space.pk}
    return labels


def label_namesakes(spaces: list[Space]) -> list[Space]:
    """Give each space its `distinguishing_label` (`namesake_labels`); returns the same list."""
    labels = namesake_labels(spaces)
    for space in spaces:
        space.distinguishing_label = labels.get(space.pk, "")
    return spaces


def by_shown_name(spaces: Iterable[Space], *, reverse: bool = False) -> list[Space]:
    """`spaces` in the order of the names people read (`Space.shown_name`, case and spacing aside),
    then by id: a space the import found unnamed sorts by its label, not first as its empty name would.
    """
    ordered = sorted(spaces, key=lambda s: (_folded(s.shown_name), s.pk or 0))
    return ordered[::-1] if reverse else ordered


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _streets_of(spaces: list[Space]) -> dict[int, str]:
    """The street telling each space apart, by space id; none without a street source or network."""
    found: dict[int, str] = {}
    by_city: dict[int, list[Space]] = {}
    for space in spaces:
        by_city.setdefault(space.city_id, []).append(space)
    for city_id, members in by_city.items():
        located = _source(city_id) if _source is not None else None
        if located is None:
            continue
        key, read = located
        todo = []
        with _lock:
            for space in members:
                cached = _streets.get(_space_key(space, key))
                if cached is None:
                    todo.append(space)
                else:
                    found[space.pk] = cached
        if not todo:
            continue
        names, lines, tree = _tree(key, read)
        outlines = _outlines(todo)
        for space in todo:
            street = _street_near(outlines[space.pk], space.shown_name, names, lines, tree)
            found[space.pk] = street
            with _lock:
                _streets[_space_key(space, key)] = street
                while len(_streets) > _STREETS_MAX:
                    _streets.popitem(last=False)
    return found


def _space_key(space: Space, source_key: str) -> tuple[int, str, str]:
    updated = space.updated_at.isoformat() if space.updated_at else ""
    return (space.pk, updated, source_key)


def _outlines(spaces: list[Space]) -> dict[int, BaseGeometry]:
    """The outlines of `spaces` as shapely geometries; those a query left out are read in one more."""
    from pactesur.spaces.models import Space

    polygons = {s.pk: s.polygon for s in spaces if "polygon" not in s.get_deferred_fields()}
    missing = [s.pk for s in spaces if s.pk not in polygons]
    if missing:
        polygons.update(Space.objects.filter(pk__in=missing).values_list("pk", "polygon"))
    return {pk: shapely.geometry.shape(polygon) for pk, polygon in polygons.items()}


def _tree(
    key: str, read: Callable[[], NamedStreets]
) -> tuple[list[str], npt.NDArray[np.object_], shapely.STRtree]:
    with _lock:
        cached = _trees.get(key)
        if cached is not None:
            _trees.move_to_end(key)
            return cached
    streets = list(read())
    names = [name for name, _line in streets]
    lines = np.array([line for _name, line in streets], dtype=object)
    built = (names, lines, shapely.STRtree(lines))
    with _lock:
        _trees[key] = built
        while len(_trees) > _TREES_MAX:
            _trees.popitem(last=False)
    return built


def _street_near(
    outline: BaseGeometry,
    own_name: str,
    names: list[str],
    lines: npt.NDArray[np.object_],
    tree: shapely.STRtree,
) -> str:
    """The name of the street nearest `outline` (0 m: it crosses or touches it) other than the space's
    own name, within MAX_STREET_DISTANCE_M; "" when there is none."""
    centre = outline.centroid
    lat0 = centre.y
    kx = math.cos(math.radians(lat0))
    reach_deg = MAX_STREET_DISTANCE_M / M_PER_DEG_LAT
    window = shapely.box(*outline.bounds).buffer(reach_deg / max(kx, 0.01), join_style="mitre")
    candidates = tree.query(window)
    own = _folded(own_name)
    best, best_m = "", math.inf

    def metres(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # an equirectangular projection round the space: metres within a few hundred of it
        return np.column_stack(
            ((coords[:, 0] - centre.x) * kx * M_PER_DEG_LAT, (coords[:, 1] - lat0) * M_PER_DEG_LAT)
        )

    local_outline = shapely.transform(outline, metres)
    for index in candidates.tolist():
        name = names[index]
        if not name or _folded(name) == own:
            continue
        distance = float(shapely.distance(local_outline, shapely.transform(lines[index], metres)))
        if distance < best_m or (distance == best_m and name < best):
            best, best_m = name, distance
    return best if best_m <= MAX_STREET_DISTANCE_M else ""


__all__ = [
    "MAX_STREET_DISTANCE_M",
    "NamedStreets",
    "StreetSource",
    "by_shown_name",
    "label_namesakes",
    "namesake_labels",
    "register_street_source",
    "shared_names",
]
