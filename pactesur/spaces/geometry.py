"""Reading and checking space outlines: GeoJSON in, a clean lon/lat polygon with its area out."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

# The largest outline we accept: a big city park (Bois de Boulogne ≈ 8.5 km²) fits several times over;
# anything larger is a district or a mistake (assumption).
MAX_SPACE_AREA_M2 = 30_000_000.0
# Limits of the GeoJSON a person sends, the same for the page (drawn or uploaded) and the API, checked
# before anything costly so that an oversized outline is refused in well under a second.
# Size: 20,000 positions at seven decimals take about 0.5 MB, pretty-printed about 1.5 MB; 2 MB was the
# page's upload limit before the API shared it (assumption).
MAX_GEOJSON_BYTES = 2 * 1024 * 1024
# Vertices (positions) of an outline: a square or a pedestrian street needs tens to a few hundred, the
# finest OpenStreetMap park outlines a few thousand; more only slows validation and every map showing
# it (assumption).
MAX_OUTLINE_VERTICES = 20_000
# Nesting of arrays and objects: a FeatureCollection of MultiPolygons nests 8 levels, properties add a
# few. Deeper text is refused before `json.loads`, whose parser recurses and would raise
# RecursionError; deeper objects before shapely, which recurses too (assumption).
MAX_GEOJSON_DEPTH = 20
# Outlines in lists and maps are simplified within this distance: half a metre is less than a pixel of
# a map showing a whole square, and drops most vertices of densely traced outlines (assumption).
DISPLAY_TOLERANCE_M = 0.5
# Metres in a degree of latitude (WGS 84 equator length / 360); a degree of longitude is shorter, by
# cos(latitude), so a tolerance converted with it is never more than DISPLAY_TOLERANCE_M.
METRES_PER_DEGREE = 111_320.0
# Outlines of this many vertices or fewer (about 2.5 kB) are shown as stored: simplifying them would
# save little and cost more than sending them.
_DISPLAY_AS_STORED_VERTICES = 100
# Seven decimals of a degree ≈ 1 cm: more precision is noise from the drawing tool.
COORDINATE_DECIMALS = 7

# `crs` names meaning WGS 84 longitude/latitude (GeoJSON 2008 usage; RFC 7946 dropped the member).
_WGS84_CRS_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "crs84",
    "ogc:crs84",
    "epsg:4326",
    "urn:ogc:def:crs:epsg::4326",
    "urn:ogc:def:crs:epsg:4326",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
    "http://www.opengis.net/def/crs/epsg/0/4326",
}
_GEOD = Geod(ellps="WGS84")
_LOCATION = re.compile(r"\[(-?[\d.eE+-]+) (-?[\d.eE+-]+)\]")
# A JSON string literal, escapes included, or the rest of an unterminated one: the closing quote is
# optional so that every match that starts succeeds and scanning stays linear in the text's length.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_END = object()


class SpaceGeometryError(ValueError):
    """An outline we cannot accept; the message tells the person what to fix."""


@dataclass(frozen=True)
class Outline:
    """A checked outline: the GeoJSON geometry to store and what we computed from it."""

    geojson: dict[str, Any]
    area_m2: float
    centroid_lon: float
    centroid_lat: float


def parse_geojson_text(text: str | bytes) -> Outline:
    """Read an uploaded or drawn GeoJSON text: a geometry, a Feature or a FeatureCollection."""
    return outline_from_geojson(_json_from_text(text))


def outline_from_geojson(data: Any) -> Outline:
    """Check a parsed GeoJSON object and return the one polygon or multipolygon it holds.

    The page (after `parse_geojson_text`) and the API both come here, so both refuse with the same
    words what is too deep, too large, has too many vertices or holds a NUL character.
    """
    _check_limits(data)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise SpaceGeometryError(_("This is JSON but not GeoJSON: it has no “type” member."))
    _check_crs(data)
    geometry = _single_polygon_geometry(data)
    return outline_from_geometry(_to_shapely(geometry))


def check_geojson_size(size_bytes: int) -> None:
    """Refuse GeoJSON text of more than MAX_GEOJSON_BYTES, before reading it."""
    if size_bytes > MAX_GEOJSON_BYTES:
        raise _size_error()


def outline_from_geometry(geom: BaseGeometry) -> Outline:
    """Check a shapely polygon in lon/lat and compute its geodesic area and centroid."""
    geom = shapely.force_2d(geom)
    if not isinstance(geom, Polygon | MultiPolygon):
        raise SpaceGeometryError(
            _("A space outline must be a polygon or a multipolygon, not a %(type)s.")
            % {"type": geom.geom_type}
        )
    if geom.is_empty:
        raise SpaceGeometryError(_("The polygon is empty."))
    _check_lon_lat_range(geom)
    if not geom.is_valid:
        raise SpaceGeometryError(_describe_invalidity(geom))
    geom = _normalised(geom)
    area_m2 = abs(_GEOD.geometry_area_perimeter(geom)[0])
    if area_m2 <= 0.0:
        raise SpaceGeometryError(_("The polygon has no area."))
    if area_m2 > MAX_SPACE_AREA_M2:
        raise SpaceGeometryError(
            _(
                "The polygon covers %(area).1f km², more than the %(max).0f km² a public space can "
                "plausibly cover. Check that this is the outline of one space."
            )
            % {"area": area_m2 / 1e6, "max": MAX_SPACE_AREA_M2 / 1e6}
        )
    centroid = geom.centroid
    return Outline(
        geojson=_rounded(mapping(geom)),
        area_m2=float(area_m2),
        centroid_lon=round(float(centroid.x), COORDINATE_DECIMALS),
        centroid_lat=round(float(centroid.y), COORDINATE_DECIMALS),
    )


def to_shapely(geojson: dict[str, Any]) -> BaseGeometry:
    """The shapely geometry of a stored outline."""
    return shape(geojson)


def display_outline(geojson: dict[str, Any]) -> dict[str, Any]:
    """Return a stored outline simplified for maps and lists, within DISPLAY_TOLERANCE_M of it.

    Douglas–Peucker drops the vertices that move the outline by less than the tolerance, keeping
    rings valid; a straight edge traced with thousands of points becomes two. The stored outline is
    left as it is: one space's page and API answer give it whole.
    """
    polygons = geojson["coordinates"] if geojson.get("type") == "MultiPolygon" else [geojson["coordinates"]]
    if sum(len(ring) for rings in polygons for ring in rings) <= _DISPLAY_AS_STORED_VERTICES:
        return geojson
    simplified = shape(geojson).simplify(DISPLAY_TOLERANCE_M / METRES_PER_DEGREE, preserve_topology=True)
    result: dict[str, Any] = _rounded(mapping(simplified))
    return result


def _json_from_text(text: str | bytes) -> Any:
    """Parse GeoJSON text after checking its size, NUL characters and nesting, never recursing deeply."""
    check_geojson_size(len(text))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpaceGeometryError(_("The file is not a text file (GeoJSON is UTF-8 text).")) from exc
    else:
        check_geojson_size(len(text.encode("utf-8", errors="surrogatepass")))
    if not text.strip():
        raise SpaceGeometryError(_("The file is empty."))
    if "\x00" in text:
        raise _nul_error()
    if _bracket_depth(text) > MAX_GEOJSON_DEPTH:
        raise _depth_error()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpaceGeometryError(
            _("The file is not valid JSON (line %(line)s, column %(col)s: %(msg)s).")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from exc
    except RecursionError as exc:  # unreachable after the depth check; kept so it can never be a 500
        raise _depth_error() from exc
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise SpaceGeometryError(_("The file is not valid JSON: one of its numbers is too long.")) from exc


def _bracket_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it."""
    brackets = np.frombuffer(_NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text)).encode("ascii"), np.uint8)
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return int(np.cumsum(steps).max(initial=0))


def _check_limits(data: Any) -> None:
    """Refuse a parsed GeoJSON object nested too deeply, holding too many positions or a NUL character,
    or larger than MAX_GEOJSON_BYTES as compact JSON.

    A walk with an explicit stack of iterators, so depth costs no recursion, that stops at the first
    limit passed: a million-vertex outline is refused after 20,001 positions.
    """
    vertices = values = 0
    stack: list[Any] = [iter((data,))]
    while stack:
        node = next(stack[-1], _END)
        if node is _END:
            stack.pop()
            continue
        values += 1
        if values > MAX_GEOJSON_BYTES:  # every JSON value takes at least one byte
            raise _size_error()
        if isinstance(node, str):
            if "\x00" in node:
                raise _nul_error()
            continue
        if not isinstance(node, dict | list):
            continue
        if len(stack) > MAX_GEOJSON_DEPTH:
            raise _depth_error()
        if isinstance(node, dict):
            if any("\x00" in key for key in node):
                raise _nul_error()
            stack.append(iter(node.values()))
        elif node and isinstance(node[0], int | float):  # a position
            vertices += 1
            if vertices > MAX_OUTLINE_VERTICES:
                raise SpaceGeometryError(
                    _(
                        "The outline has more than %(max)s vertices; a public space needs far fewer. "
                        "Simplify it (for instance with the Simplify tool of QGIS) and try again."
                    )
                    % {"max": number_format(MAX_OUTLINE_VERTICES, force_grouping=True)}
                )
            stack.append(iter(node))
        else:
            stack.append(iter(node))
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    check_geojson_size(len(compact.encode("utf-8", errors="surrogatepass")))


def _size_error() -> SpaceGeometryError:
    return SpaceGeometryError(
        _("The GeoJSON is larger than %(size)s MB; the outline of a space needs far less.")
        % {"size": MAX_GEOJSON_BYTES // (1024 * 1024)}
    )


def _depth_error() -> SpaceGeometryError:
    return SpaceGeometryError(
        _(
            "The GeoJSON nests arrays and objects more than %(max)s levels deep, which no outline needs: "
            "check that it is a GeoJSON export."
        )
        % {"max": MAX_GEOJSON_DEPTH}
    )


def _nul_error() -> SpaceGeometryError:
    return SpaceGeometryError(
        _("The GeoJSON contains a NUL character (U+0000), which cannot be stored: remove it.")
    )


def _check_crs(data: dict[str, Any]) -> None:
    crs = data.get("crs")
    if crs is None:
        return
    name = ""
    if isinstance(crs, dict):
        props = crs.get("properties")
        if isinstance(props, dict):
            name = str(props.get("name") or props.get("href") or "")
    if name.strip().lower() not in _WGS84_CRS_NAMES:
        raise SpaceGeometryError(
            _(
                "The file declares the coordinate system “%(crs)s”. PACTESUR needs WGS 84 longitude and "
                "latitude (EPSG:4326, CRS84): export the file again in that system."
            )
            % {"crs": name or json.dumps(crs)[:80]}
        )


def _single_polygon_geometry(data: dict[str, Any]) -> dict[str, Any]:
    kind = data["type"]
    if kind in ("Polygon", "MultiPolygon"):
        return data
    if kind == "Feature":
        geometry = data.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            found = geometry.get("type") if isinstance(geometry, dict) else _("no geometry")
            raise SpaceGeometryError(
                _("The feature holds %(found)s, not a polygon: a space needs an outline.") % {"found": found}
            )
        _check_crs(geometry)
        return geometry
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise SpaceGeometryError(_("The FeatureCollection has no “features” list."))
        polygons = [
            f["geometry"]
            for f in features
            if isinstance(f, dict)
            and isinstance(f.get("geometry"), dict)
            and f["geometry"].get("type") in ("Polygon", "MultiPolygon")
        ]
        if not polygons:
            raise SpaceGeometryError(
                _("The file contains no polygon (%(count)s features, none of them a polygon).")
                % {"count": len(features)}
            )
        if len(polygons) > 1:
            raise SpaceGeometryError(
                _("The file contains %(count)s polygons; upload the outline of one space at a time.")
                % {"count": len(polygons)}
            )
        first: dict[str, Any] = polygons[0]
        return first
    if kind in ("Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection"):
        raise SpaceGeometryError(
            _("The file holds a %(type)s, not a polygon: a space needs a closed outline.") % {"type": kind}
        )
    raise SpaceGeometryError(
        _(
            "“%(type)s” is not a GeoJSON type we can read: expected a Polygon or MultiPolygon, a Feature or "
            "a FeatureCollection."
        )
        % {"type": str(kind)[:40]}
    )


def _to_shapely(geometry: dict[str, Any]) -> BaseGeometry:
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise SpaceGeometryError(_("The polygon has no coordinates."))
    try:
        geom = shape({"type": geometry["type"], "coordinates": coords})
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise SpaceGeometryError(
            _(
                "The polygon's coordinates are malformed: each ring needs at least four [longitude, "
                "latitude] positions, the last equal to the first."
            )
        ) from exc
    return geom


def _check_lon_lat_range(geom: BaseGeometry) -> None:
    min_x, min_y, max_x, max_y = geom.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        x, y = next(
            (float(x), float(y))
            for x, y in shapely.get_coordinates(geom)
            if not (-180 <= x <= 180 and -90 <= y <= 90)
        )
        raise SpaceGeometryError(
            _(
                "The coordinates (%(x).1f, %(y).1f) are not longitude and latitude: the file is probably "
                "in a projected coordinate system such as Web Mercator (EPSG:3857) or a UTM zone. Export "
                "it again in WGS 84 (EPSG:4326)."
            )
            % {"x": x, "y": y}
        )


def _describe_invalidity(geom: BaseGeometry) -> str:
    reason = explain_validity(geom)
    match = _LOCATION.search(reason)
    where = ""
    if match:
        where = _(" near longitude %(lon)s, latitude %(lat)s") % {
            "lon": round(float(match.group(1)), 6),
            "lat": round(float(match.group(2)), 6),
        }
    if reason.lower().startswith(("self-intersection", "ring self-intersection")):
        return _(
            "The polygon's outline crosses itself%(where)s. Redraw it so that its edges do not cross."
        ) % {"where": where}
    return _("The polygon is not valid%(where)s: %(reason)s.") % {
        "where": where,
        "reason": _LOCATION.sub("", reason).strip(),
    }


def _normalised(geom: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """Exterior rings counter-clockwise, as RFC 7946 asks."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=1.0)
    return MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])


def _rounded(geojson: Any) -> Any:
    if isinstance(geojson, dict):
        return {k: _rounded(v) for k, v in geojson.items()}
    if isinstance(geojson, list | tuple):
        if geojson and all(isinstance(v, float | int) for v in geojson):
            return [round(float(v), COORDINATE_DECIMALS) for v in geojson]
        return [_rounded(v) for v in geojson]
    return geojson
