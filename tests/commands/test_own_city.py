"""From an empty data directory to one's own city with the commands alone (README, "Your own city").

Each command runs as a child `pactesur` on its own data directory and embedded database, as a
newcomer types it; the browser half of the path is `tests/browser/test_own_city.py`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.commands.conftest import embedded_env, pactesur_argv
from tests.conftest import shared_osm

LEEDS = "leeds_university_its-example.osm.pbf"
PASSWORD = "a long city passphrase 2024"


def pactesur(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        pactesur_argv(*args),
        env=embedded_env(data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_add_admin_and_vda_work_from_an_empty_data_directory(tmp_path: Path):
    data_dir = tmp_path / "var"
    extract = shared_osm(LEEDS)

    imported = pactesur(data_dir, "import-osm", "leeds", str(extract), "--name", "Leeds", "--country", "GB")

    assert imported.returncode == 0, imported.stderr[-3000:]
    assert "set up a new database" in imported.stderr
    assert "created the city Leeds (leeds, Europe/London)" in imported.stderr
    assert "Leeds: imported leeds_university_its-example.osm.pbf as version 1" in imported.stdout
    assert "pactesur add-admin leeds --username NAME --email ADDRESS" in imported.stdout

    added = pactesur(
        data_dir,
        *("add-admin", "leeds", "--username", "alice", "--email", "alice@example.org", "--password-stdin"),
        stdin=f"{PASSWORD}\n",
    )

    assert added.returncode == 0, added.stderr
    assert "created alice (alice@example.org), administrator of Leeds (leeds)" in added.stdout

    out = tmp_path / "vda.json"
    vda = pactesur(
        data_dir,
        "vda",
        "--space",
        "Beech Grove Plaza",
        "--city",
        "leeds",
        "--vehicle",
        "M1",
        "--out",
        str(out),
    )

    assert vda.returncode == 0, vda.stderr
    assert "street network version 1 of leeds" in vda.stderr
    assert json.loads(out.read_text())["vehicles"][0]["code"] == "M1"


def test_a_failed_vda_space_run_leaves_no_database(tmp_path: Path):
    data_dir = tmp_path / "var"

    result = pactesur(data_dir, "vda", "--space", "Place Masséna")

    assert result.returncode == 2
    assert "pactesur vda: error: there is no database at" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (data_dir / "pactesur.sqlite3").exists()


def test_a_corrupt_file_on_an_empty_data_directory_leaves_no_database(tmp_path: Path):
    data_dir = tmp_path / "var"
    corrupt = tmp_path / "city.osm.pbf"
    corrupt.write_bytes(b"not an OSM file at all")

    result = pactesur(data_dir, "import-osm", "nice", str(corrupt), "--name", "Nice", "--country", "FR")

    assert result.returncode == 2
    assert "error:" in result.stderr
    assert not (data_dir / "pactesur.sqlite3").exists()


def test_a_database_of_an_earlier_version_is_left_to_manage_migrate(tmp_path: Path):
    data_dir = tmp_path / "var"
    partial = pactesur(data_dir, "manage", "migrate", "contenttypes", "--verbosity", "0")
    assert partial.returncode == 0, partial.stderr

    result = pactesur(
        data_dir, "import-osm", "leeds", str(shared_osm(LEEDS)), "--name", "Leeds", "--country", "GB"
    )

    assert result.returncode == 1
    assert "the database is not up to date" in result.stderr
    assert "pactesur manage migrate" in result.stderr
    assert "imported" not in result.stdout
