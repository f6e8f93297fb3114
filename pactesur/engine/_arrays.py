"""Array helpers the engine's hot paths share."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
# The grid of `boxes_may_meet`: cells of 25 m (the pre-test before segment × barrier crossings
# and node × open-area tests), at most 2048 per side (~4 M cells) whatever the city's extent.
NEAR_GRID_CELL_M = 25.0
NEAR_GRID_MAX_CELLS = 2048


def distinct(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Return the sorted distinct values of a 1-D array, as `np.unique` does.

    NumPy 2.3+ finds the distinct values of an integer array by hashing when no index or inverse
    is asked for, which on millions of values is tens of times slower than one sort (measured:
    1.2 s against 0.013 s for 1.4 M int64 on this project's machine); a sort and a comparison of
    neighbours give the same array (for arrays without NaN).
    """
    flat = np.sort(np.ravel(values))
    if flat.shape[0] < 2:
        return flat
    keep = np.empty(flat.shape[0], dtype=bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    return flat[keep]


def boxes_may_meet(
    xmin: FloatArray, ymin: FloatArray, xmax: FloatArray, ymax: FloatArray, boxes: FloatArray
) -> BoolArray:
    """Tell, for each box (xmin, ymin, xmax, ymax), whether it may meet one of `boxes` ((n, 4) array).

    Conservative and exact about "no": both sides are snapped outwards to one grid, whose cells
    covered by `boxes` are counted in a summed-area table, so each query is four look-ups.
    """
    out = np.zeros(xmin.shape[0], dtype=bool)
    boxes = boxes[np.isfinite(boxes).all(axis=1)]
    if boxes.shape[0] == 0 or xmin.shape[0] == 0:
        return out
    x0 = min(float(xmin.min()), float(boxes[:, 0].min()))
    y0 = min(float(ymin.min()), float(boxes[:, 1].min()))
    extent = max(float(xmax.max()), float(boxes[:, 2].max())) - x0
    extent = max(extent, max(float(ymax.max()), float(boxes[:, 3].max())) - y0)
    cell = max(NEAR_GRID_CELL_M, extent / NEAR_GRID_MAX_CELLS)
    n = int(extent // cell) + 2

    def cells(values: FloatArray, origin: float) -> IntArray:
        return np.floor((values - origin) / cell).astype(np.int64)

    # +1/-1 at the corners of each box, summed twice: the number of boxes covering each cell
    cover = np.zeros((n + 1, n + 1), dtype=np.int32)
    bx0, by0 = cells(boxes[:, 0], x0), cells(boxes[:, 1], y0)
    bx1, by1 = cells(boxes[:, 2], x0) + 1, cells(boxes[:, 3], y0) + 1
    for dx, dy, sign in ((bx0, by0, 1), (bx1, by0, -1), (bx0, by1, -1), (bx1, by1, 1)):
        np.add.at(cover, (dx, dy), sign)
    covered = (cover.cumsum(axis=0).cumsum(axis=1) > 0).astype(np.int32)
    table = np.zeros((n + 2, n + 2), dtype=np.int32)
    table[1:, 1:] = covered.cumsum(axis=0).cumsum(axis=1)
    qx0, qy0 = cells(xmin, x0), cells(ymin, y0)
    qx1, qy1 = cells(xmax, x0) + 1, cells(ymax, y0) + 1
    return np.asarray(table[qx1, qy1] - table[qx0, qy1] - table[qx1, qy0] + table[qx0, qy0] > 0)
