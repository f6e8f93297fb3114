"""Attainable speeds of approaches that stay outside an area until they enter it."""

from __future__ import annotations

import dataclasses
import math

import numba
import numpy as np
import numpy.typing as npt

from pactesur.engine.dynamics import (
    SPEED_TOLERANCE_MS,
    STANDSTILL_MS,
    AttainableSpeeds,
    _accelerate,
    _capped_accelerate,
)

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int8Array = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]

_UNKNOWN, _CLEAN, _AFFECTED, _WALKING = 0, 1, 2, 3


def speeds_outside(speeds: AttainableSpeeds, length_m: FloatArray, sink_edge: BoolArray) -> AttainableSpeeds:
    """Return the city-wide speeds with no approach passing through the `sink_edge` edges.

    The city-wide fixed point lets the fastest approach to a point cross the very space being
    assessed (a virtual crossing of a square, a loop through a pedestrian street) and come back
    out: the speed it reports at the outline was built up inside the crowd. Here the edges that
    enter the area are sinks: they receive a speed but pass none on. Only the edges whose
    fastest approach went through a sink are solved again — reset to a standstill and fed by
    their unaffected neighbours, whose speeds stay exact (an approach that never used a sink is
    still available, and removing edges can only lower speeds) — so the cost grows with the
    part of the city whose approach ran through the space, not with the city.

    Parameters
    ----------
    speeds
        The class's city-wide speeds (`attainable_speeds`).
    length_m
        Length of each segment.
    sink_edge
        Per directed edge: True where the edge enters or lies in the area.

    Returns
    -------
    The speeds to use for the area's entries: a new result sharing the line graph; the input is
    returned as it is when no approach ran through a sink.
    """
    usable = np.ascontiguousarray(speeds.usable)
    sink = np.ascontiguousarray(sink_edge, dtype=np.bool_)
    status = _classify(speeds.predecessor, usable, sink)
    if not np.any(status == _AFFECTED):
        return speeds
    start = speeds.start_speed_ms.copy()
    end = speeds.end_speed_ms.copy()
    pred = speeds.predecessor.copy()
    _resolve(
        start,
        end,
        pred,
        status,
        sink,
        np.ascontiguousarray(length_m, dtype=np.float64),
        speeds.successor_ptr,
        speeds.successor_edge,
        speeds.successor_turn_ms,
        speeds.speeds_ms,
        speeds.run_up_m,
    )
    return dataclasses.replace(speeds, start_speed_ms=start, end_speed_ms=end, predecessor=pred)


@numba.njit(cache=True, nogil=True)
def _classify(pred: Int32Array, usable: BoolArray, sink: BoolArray) -> Int8Array:
    # An edge is affected when a sink lies on its predecessor chain. Each chain is walked once:
    # the verdict found at its end (a standstill start, a known edge, a sink, or a loop of
    # predecessors closing on itself, which contains no sink) is given to every edge walked.
    n = pred.shape[0]
    status = np.zeros(n, dtype=np.int8)
    stack = np.empty(n, dtype=np.int32)
    for d in range(n):
        if not usable[d] or status[d] != _UNKNOWN:
            continue
        top = 0
        cur = d
        verdict = _CLEAN
        while True:
            state = status[cur]
            if state in (_CLEAN, _AFFECTED):
                verdict = state
                break
            if state == _WALKING:
                break
            status[cur] = _WALKING
            stack[top] = cur
            top += 1
            p = pred[cur]
            if p < 0:
                break
            if sink[p]:
                verdict = _AFFECTED
                break
            cur = p
        for i in range(top):
            status[stack[i]] = verdict
    return status


@numba.njit(cache=True, nogil=True)
def _seed(  # noqa: PLR0917 (numba kernels take arrays positionally)
    start: FloatArray,
    end: FloatArray,
    pred: Int32Array,
    status: Int8Array,
    sink: BoolArray,
    length: FloatArray,
    succ_ptr: npt.NDArray[np.int64],
    succ_edge: Int32Array,
    speeds: FloatArray,
    run_up: FloatArray,
) -> tuple[Int32Array, BoolArray, int]:
    # Reset affected edges to a standstill; queue them and every clean non-sink edge leading to
    # one. Returns the ring buffer, the queued flags and the tail position.
    n = start.shape[0]
    queue = np.empty(n + 1, dtype=np.int32)
    queued = np.zeros(n, dtype=np.bool_)
    tail = 0
    for d in range(n):
        if status[d] == _AFFECTED:
            start[d] = 0.0
            end[d] = _accelerate(0.0, length[d >> 1], speeds, run_up)
            pred[d] = -1
    for d in range(n):
        if status[d] == _AFFECTED or (status[d] == _CLEAN and not sink[d]):
            feeds = status[d] == _AFFECTED
            for k in range(succ_ptr[d], succ_ptr[d + 1]):
                if status[succ_edge[k]] == _AFFECTED:
                    feeds = True
                    break
            if feeds:
                queue[tail] = d
                tail += 1
                queued[d] = True
    return queue, queued, tail


@numba.njit(cache=True, nogil=True)
def _resolve(  # noqa: PLR0917 (numba kernels take arrays positionally)
    start: FloatArray,
    end: FloatArray,
    pred: Int32Array,
    status: Int8Array,
    sink: BoolArray,
    length: FloatArray,
    succ_ptr: npt.NDArray[np.int64],
    succ_edge: Int32Array,
    succ_vturn: FloatArray,
    speeds: FloatArray,
    run_up: FloatArray,
) -> int:
    # Affected edges restart from a standstill; every clean non-sink edge that leads to one, and
    # the affected edges themselves, seed a FIFO label-correcting sweep that only raises affected
    # edges (clean ones are already exact). Returns the number of edges taken from the queue.
    n = start.shape[0]
    queue, queued, tail = _seed(start, end, pred, status, sink, length, succ_ptr, succ_edge, speeds, run_up)
    no_caps = np.zeros(n + 1, dtype=np.int64)
    none = np.empty(0, dtype=np.float64)
    return raise_from_queue(
        start, end, pred, status == _AFFECTED, queue, queued, tail, sink, length,
        succ_ptr, succ_edge, succ_vturn, no_caps, none, none, none, speeds, run_up,
    )  # fmt: skip


@numba.njit(cache=True, nogil=True, inline="always")
def _along(  # noqa: PLR0917 (numba kernels take arrays positionally)
    v_in: float,
    e: int,
    length: FloatArray,
    cap_ptr: npt.NDArray[np.int64],
    cap_t0: FloatArray,
    cap_t1: FloatArray,
    cap_v: FloatArray,
    speeds: FloatArray,
    run_up: FloatArray,
) -> float:
    # The speed at edge e's head after entering it at v_in: within its caps where it has any.
    if cap_ptr[e + 1] == cap_ptr[e]:
        return _accelerate(v_in, length[e >> 1], speeds, run_up)
    return _capped_accelerate(v_in, length[e >> 1], e, cap_ptr, cap_t0, cap_t1, cap_v, speeds, run_up)


@numba.njit(cache=True, nogil=True)
def raise_from_queue(  # noqa: PLR0917 (numba kernels take arrays positionally)
    start: FloatArray,
    end: FloatArray,
    pred: Int32Array,
    active: BoolArray,
    queue: Int32Array,
    queued: BoolArray,
    tail: int,
    sink: BoolArray,
    length: FloatArray,
    succ_ptr: npt.NDArray[np.int64],
    succ_edge: Int32Array,
    succ_vturn: FloatArray,
    cap_ptr: npt.NDArray[np.int64],
    cap_t0: FloatArray,
    cap_t1: FloatArray,
    cap_v: FloatArray,
    speeds: FloatArray,
    run_up: FloatArray,
) -> int:
    # A FIFO label-correcting sweep from the queued edges (a ring of n + 1 cells) that raises
    # only the active edges; sinks receive speeds but pass none on; an edge with caps (`EdgeCaps`
    # in CSR form) is driven within them. Shared by the approaches kept outside a space and the
    # path speed. Returns the number of edges taken from the queue.
    n = start.shape[0]
    head = 0
    pops = 0
    while head != tail:
        p = queue[head]
        head = (head + 1) % (n + 1)
        queued[p] = False
        pops += 1
        if sink[p]:
            continue
        vp = end[p]
        if math.isnan(vp):
            continue
        for k in range(succ_ptr[p], succ_ptr[p + 1]):
            e = succ_edge[k]
            if not active[e]:
                continue
            vin = min(vp, succ_vturn[k])
            if vin <= start[e] + SPEED_TOLERANCE_MS:
                continue
            start[e] = vin
            pred[e] = p if vin > STANDSTILL_MS else -1
            vout = _along(vin, e, length, cap_ptr, cap_t0, cap_t1, cap_v, speeds, run_up)
            if vout > end[e] + SPEED_TOLERANCE_MS:
                end[e] = vout
                if not queued[e]:
                    queue[tail] = e
                    tail = (tail + 1) % (n + 1)
                    queued[e] = True
    return pops
