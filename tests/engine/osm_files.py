"""Small OSM XML files written by tests, with nodes placed in metres."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pactesur.engine.io.osm import read_osm
from pactesur.engine.network import StreetNetwork
from pactesur.engine.osm_import import CityImport, import_extract

LAT0, LON0 = 60.17, 24.94
M_LAT = 1 / 111_320.0  # degrees per metre north
M_LON = 1 / (111_320.0 * np.cos(np.radians(LAT0)))  # degrees per metre east

Nodes = dict[int, tuple[float, float, dict[str, str]]]
Ways = dict[int, tuple[list[int], dict[str, str]]]


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Return the lon/lat of a point `x_m` east and `y_m` north of (LON0, LAT0)."""
    return LON0 + x_m * M_LON, LAT0 + y_m * M_LAT


def osm_xml(nodes: Nodes, ways: Ways, *, bounds_m: tuple[float, float, float, float] | None = None) -> str:
    """OSM XML from nodes in metres east/north of (LON0, LAT0); `bounds_m`: west, south, east, north."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    if bounds_m is not None:
        (west, south), (east, north) = lonlat(bounds_m[0], bounds_m[1]), lonlat(bounds_m[2], bounds_m[3])
        lines.append(
            f'<bounds minlat="{south:.8f}" minlon="{west:.8f}" maxlat="{north:.8f}" maxlon="{east:.8f}"/>'
        )
    for nid, (x, y, tags) in nodes.items():
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lon, lat = lonlat(x, y)
        lines.append(f'<node id="{nid}" version="1" lat="{lat:.8f}" lon="{lon:.8f}">{body}</node>')
    for wid, (refs, tags) in ways.items():
        body = "".join(f'<nd ref="{r}"/>' for r in refs) + "".join(
            f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()
        )
        lines.append(f'<way id="{wid}" version="1">{body}</way>')
    lines.append("</osm>")
    return "\n".join(lines)


def import_file(tmp_path: Path, text: str, name: str = "t.osm") -> CityImport:
    """Write the XML to a file and import it as the app would."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_extract(read_osm(path))


def import_text(tmp_path: Path, text: str) -> StreetNetwork:
    """Write the XML to a file and return the network the import builds."""
    return import_file(tmp_path, text).network
