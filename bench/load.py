"""Load the served app as its users would: the heaviest pages as a security manager, 12 at once.

Prints one JSON object. For each database (`--database sqlite`, `postgres` or both) it sets up
Helsinki as the demo does (import, every analysis) in its own data directory, starts
`pactesur serve` (gunicorn, no background worker) on a free port of 127.0.0.1 only, signs in a
security manager, then:

- the baseline: each page requested alone, one after the other (`--rounds` times);
- the load: `--users` clients at once (default 12), each requesting every page `--rounds` times;

and reports per page p50, p95, p99 and max in milliseconds, the errors (any answer but 200), and
how the load's p95 compares with the baseline's (target: p95 under 300 ms, issue 9), with the CPU
the server, the database and the clients used per request and the share of the cores other processes
took ("machine_quiet" is false above 5 %: a test run beside the bench nearly doubles its p95).

    python bench/load.py                       # SQLite and PostgreSQL, 12 users, 10 rounds
    python bench/load.py --database sqlite --users 4 --rounds 3

Bounded: at most users × rounds × pages requests, to 127.0.0.1 only. PostgreSQL is the server of
`--postgres-url` (default 127.0.0.1:5432, trust auth); its database `pactesur_bench` is dropped and
made again. The data directories are kept under `var/bench-load/` between runs (delete them to
import again).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 300.0
# Other processes may use at most this share of the cores during the load for the run to count.
QUIET_SHARE = 0.05
USERNAME = "bench-security"
PASSWORD = "bench-load-only-on-127.0.0.1"  # noqa: S105 (a bench user on a local throw-away set-up)


def _setup(data_dir: Path, database_url: str) -> dict[str, Any]:
    """Run in a child: Helsinki imported and analysed, a security manager, the pages to load."""
    os.environ.update({"PACTESUR_DATA_DIR": str(data_dir), "DATABASE_URL": database_url})
    from pactesur.commands import demo
    from pactesur.commands.import_osm import get_or_create_city, setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from pactesur.accounts.actions import do_add_member
    from pactesur.accounts.models import User
    from pactesur.spaces.models import Space

    city, _created = get_or_create_city(
        demo.CITY_SLUG, name="Helsinki", country="FI", languages="fi,sv,en", time_zone=demo.CITY_TIME_ZONE
    )
    print(demo._import_helsinki(city, demo.helsinki_extract()), file=sys.stderr)
    print(demo._analyse(city), file=sys.stderr)
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"email": "bench@pactesur.invalid"})
    user.set_password(PASSWORD)
    user.save()
    do_add_member(city, user, "security", acting_user=None)
    square = Space.objects.filter(city=city, name="Senaatintori").order_by("pk").first()
    assert square is not None, "the demo's Senaatintori is missing"
    return {
        "pages": {
            "city analysis": "/analysis/",
            "space analysis": f"/analysis/spaces/{square.pk}/",
            "space": f"/spaces/{square.pk}/",
            "spaces": "/spaces/",
            "risk dashboard": "/assessments/",
            "events": "/events/",
            "home": "/",
        }
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"pactesur serve exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("pactesur serve did not answer")


def _signed_in(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (our own http://127.0.0.1 server)
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/"}
    )
    opener.open(request).read()
    if not any(c.name == "sessionid" for c in jar):
        raise RuntimeError("the bench user could not sign in")
    return opener


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        with opener.open(url, timeout=60) as response:
            response.read()
            ok = response.status == 200
    except OSError:
        ok = False
    return (time.perf_counter() - start) * 1000.0, ok


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process: pid -> (parent pid, command name, CPU seconds so far). Linux /proc; {} elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = entry.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        found[int(entry.parent.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / tick)
    return found


def _busy_cpu_s() -> float:
    """CPU seconds the machine has spent busy since boot (Linux /proc/stat: user, nice and system time
    of every process, those that have ended too); 0.0 elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[1:4]) / tick


def _descendants(root: int, processes: dict[int, tuple[int, str, float]]) -> set[int]:
    found = {root}
    while more := {pid for pid, (parent, _, _) in processes.items() if parent in found} - found:
        found |= more
    return found


def _cpu_split(
    before: dict[int, tuple[int, str, float]], busy_before_s: float, server_pid: int
) -> dict[str, float]:
    """CPU seconds since `before`: the web server's processes, PostgreSQL's, this bench's, the rest.

    The rest is also what the whole machine was busy beyond the first three (`_busy_cpu_s`), when that
    is more: a test run that started and ended during the load is in no process listed afterwards.
    """
    after = _processes()
    busy_s = _busy_cpu_s() - busy_before_s
    server = _descendants(server_pid, after)
    split = dict.fromkeys(("server", "database", "clients", "other"), 0.0)
    for pid, (_parent, name, cpu) in after.items():
        used = cpu - (before[pid][2] if pid in before else 0.0)
        if pid in server:
            split["server"] += used
        elif name in ("postgres", "postmaster"):
            split["database"] += used
        elif pid == os.getpid():
            split["clients"] += used
        else:
            split["other"] += used
    if busy_s > 0.0:
        split["other"] = max(split["other"], busy_s - split["server"] - split["database"] - split["clients"])
    return split


def _stats(times: list[float], errors: int) -> dict[str, Any]:
    ordered = sorted(times)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "requests": len(times),
        "errors": errors,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "max_ms": round(ordered[-1], 1),
    }


def _load(base: str, pages: dict[str, str], users: int, rounds: int, server_pid: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {name: [] for name in pages}
    errors: dict[str, int] = dict.fromkeys(pages, 0)
    lock = threading.Lock()
    openers = [_signed_in(base) for _ in range(users)]

    def user(opener: urllib.request.OpenerDirector, offset: int) -> None:
        names = list(pages)
        for r in range(rounds):
            for k in range(len(names)):
                name = names[(k + offset + r) % len(names)]  # users spread over the pages
                elapsed, ok = _get(opener, base + pages[name])
                with lock:
                    times[name].append(elapsed)
                    errors[name] += 0 if ok else 1

    threads = [threading.Thread(target=user, args=(o, i)) for i, o in enumerate(openers)]
    before, busy_before_s = _processes(), _busy_cpu_s()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    cpu = _cpu_split(before, busy_before_s, server_pid)
    every = [x for name in pages for x in times[name]]
    return {
        "users": users,
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(every) / wall, 1),
        # Where the cores went while loading. Other work above a few percent of the cores (a test
        # run beside the bench, say) makes the run not comparable: see "machine_quiet".
        "cpu_ms_per_request": {k: round(v * 1000 / len(every), 1) for k, v in cpu.items() if k != "other"},
        "other_processes_share_of_cores": round(cpu["other"] / (wall * (os.cpu_count() or 1)), 3),
        "all": _stats(every, sum(errors.values())),
        "pages": {name: _stats(times[name], errors[name]) for name in pages},
    }


def _bench(database: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = ROOT / "var" / "bench-load" / database
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PACTESUR_DATA_DIR": str(data_dir), "DATABASE_URL": url}
    env.pop("PACTESUR_PRODUCTION", None)
    env["PACTESUR_DEBUG"] = "0"
    code = f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.load import _setup; " + (
        f"print(json.dumps(_setup(__import__('pathlib').Path({str(data_dir)!r}), {url!r})))"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    setup_s = time.perf_counter() - started
    pages = json.loads(done.stdout.strip().splitlines()[-1])["pages"]
    port = _free_port()
    command = [sys.executable, "-m", "pactesur.cli", "serve", "--port", str(port), "--no-worker"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, server)
        base = f"http://127.0.0.1:{port}"
        warm = _signed_in(base)
        for path in pages.values():  # every worker process loads its templates and caches once
            for _ in range(3):
                _get(warm, base + path)
        baseline = _load(base, pages, 1, args.rounds, server.pid)
        loaded = _load(base, pages, args.users, args.rounds, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    p95 = loaded["all"]["p95_ms"]
    return {
        "setup_s": round(setup_s, 1),
        "baseline_one_user": baseline,
        "load": loaded,
        "p95_over_baseline_p95": round(p95 / max(baseline["all"]["p95_ms"], 0.1), 2),
        "target_p95_ms": TARGET_P95_MS,
        "target_met": p95 <= TARGET_P95_MS and loaded["all"]["errors"] == 0,
        "machine_quiet": loaded["other_processes_share_of_cores"] <= QUIET_SHARE,
    }


def _postgres_database(server_url: str) -> str:
    """Drop and make the bench database; return its URL."""
    import psycopg

    with psycopg.connect(
        f"{server_url}/postgres".replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute("DROP DATABASE IF EXISTS pactesur_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE pactesur_bench")
    return f"{server_url}/pactesur_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn processes (default: serve's)")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if not (1 <= args.users <= 50 and 1 <= args.rounds <= 100):
        parser.error("at most 50 users and 100 rounds: this is a bench, not an attack")
    results: dict[str, Any] = {"cores": os.cpu_count(), "users": args.users, "rounds": args.rounds}
    if args.database in ("sqlite", "both"):
        sqlite_dir = ROOT / "var" / "bench-load" / "sqlite"
        results["sqlite"] = _bench("sqlite", f"sqlite:///{sqlite_dir / 'pactesur.sqlite3'}", args)
    if args.database in ("postgres", "both"):
        results["postgres"] = _bench("postgres", _postgres_database(args.postgres_url), args)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
