"""Save and load a `StreetNetwork` as one .npz file (arrays uncompressed, small fields as JSON)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import shapely

from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.osm import replace_atomically
from pactesur.engine.network import StreetNetwork

# 2: width sources, barrier kinds, open-area surfaces and large buildings. Version 1 files still load: their
# widths count as mapped and `meta["format_version"]` says 1, so results can warn about it.
FORMAT_VERSION = 2
ARRAY_FIELDS: tuple[str, ...] = (
    "node_osm_id",
    "node_lon",
    "node_lat",
    "node_x",
    "node_y",
    "node_gap_m",
    "seg_u",
    "seg_v",
    "seg_length_m",
    "seg_width_m",
    "seg_gap_m",
    "seg_kind",
    "seg_way_id",
    "seg_oneway",
)
V2_ARRAY_FIELDS: tuple[str, ...] = ("seg_width_assumed",)


def save_network(network: StreetNetwork, path: str | Path) -> None:
    """Write a network to one .npz file, atomically (a temporary sibling renamed over `path`).

    Arrays are stored uncompressed: loading is then a plain read. Measured on the 100-block
    synthetic city (79k segments): 5.5 MB loaded in 21 ms, against 2.2 MB in 32 ms compressed;
    load speed matters more here, as web workers and the engine load it often.
    `crs`, `way_names` and `meta` go in as one UTF-8 JSON document, so no pickle is needed.
    """
    header = {
        "format_version": FORMAT_VERSION,
        "crs": network.crs,
        "way_names": {str(k): v for k, v in network.way_names.items()},
        "meta": network.meta,
        "node_barrier": {str(k): v for k, v in network.node_barrier.items()},
        "seg_barrier": {str(k): v for k, v in network.seg_barrier.items()},
    }
    arrays: dict[str, Any] = {name: getattr(network, name) for name in ARRAY_FIELDS + V2_ARRAY_FIELDS}
    for name, geoms in (("open_area", network.open_areas_xy), ("building", network.buildings_xy)):
        wkb = [shapely.to_wkb(g) for g in geoms]
        arrays[f"{name}_wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)
        arrays[f"{name}_offsets"] = np.cumsum([0, *(len(w) for w in wkb)], dtype=np.int64)
    arrays["header_json"] = np.frombuffer(
        json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
    )

    def write(stream: IO[bytes]) -> None:
        np.savez(stream, **arrays)

    replace_atomically(Path(path), write)


def load_network(path: str | Path) -> StreetNetwork:
    """Read a network written by `save_network`.

    Raises
    ------
    OsmInputError
        When the file is missing, not a network file, or of a newer format version.
    """
    path = Path(path)
    if not path.is_file():
        raise OsmInputError(f"network file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header_json"]).decode("utf-8"))
            arrays = {name: np.array(data[name]) for name in ARRAY_FIELDS}
            version = int(header.get("format_version", 0))
            if version >= 2:
                arrays.update({name: np.array(data[name]) for name in V2_ARRAY_FIELDS})
                open_areas = _geometries(np.array(data["open_area_wkb"]), np.array(data["open_area_offsets"]))
                buildings = _geometries(np.array(data["building_wkb"]), np.array(data["building_offsets"]))
            else:
                arrays["seg_width_assumed"] = np.zeros(arrays["seg_u"].shape[0], dtype=np.bool_)
                open_areas = buildings = ()
    except (OSError, ValueError, KeyError, shapely.errors.ShapelyError) as exc:
        raise OsmInputError(f"{path.name} is not a PACTESUR network file: {exc}") from exc
    if header.get("format_version", 0) > FORMAT_VERSION:
        raise OsmInputError(
            f"{path.name} has network format {header['format_version']}; upgrade PACTESUR to read it."
        )
    return StreetNetwork(
        crs=header["crs"],
        way_names={int(k): v for k, v in header["way_names"].items()},
        meta=header["meta"] if version >= 2 else {**header["meta"], "format_version": version},
        node_barrier={int(k): v for k, v in header.get("node_barrier", {}).items()},
        seg_barrier={int(k): v for k, v in header.get("seg_barrier", {}).items()},
        open_areas_xy=open_areas,
        buildings_xy=buildings,
        **arrays,
    )


def _geometries(wkb: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> tuple[Any, ...]:
    raw = wkb.tobytes()
    return tuple(shapely.from_wkb(raw[int(a) : int(b)]) for a, b in itertools.pairwise(offsets.tolist()))
