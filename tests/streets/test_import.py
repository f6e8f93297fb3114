"""Importing an OSM extract: new active version, files in place, nothing half-written on failure."""

from __future__ import annotations

import datetime
import gzip
import json
from pathlib import Path

import pytest
from django.utils import timezone

from pactesur.audit.models import AuditEvent
from pactesur.engine.errors import OsmInputError
from pactesur.streets.actions import do_import_osm, do_run_import_job
from pactesur.streets.models import STALE_AFTER, ImportJob, ImportStatus, StreetNetwork
from tests.streets.conftest import files_under

pytestmark = pytest.mark.django_db


def test_import_makes_an_active_network_whose_graph_loads(city, security_officer, data_dir, leeds_pbf):
    from pactesur.engine.io.network_store import load_network

    seen: list[float] = []
    network = do_import_osm(
        city, leeds_pbf, acting_user=security_officer, progress=lambda f, _m: seen.append(f)
    )

    assert network.is_active
    assert network.version == 1
    assert network.source_name == leeds_pbf.name
    assert len(network.file_sha256) == 64
    assert network.file_size_bytes == leeds_pbf.stat().st_size
    # Leeds University lies around 1.55 °W, 53.81 °N.
    assert -1.6 < network.min_lon < network.max_lon < -1.5
    assert 53.7 < network.min_lat < network.max_lat < 53.9
    graph = load_network(network.graph_path)
    assert graph.segment_count > 100
    basemap = json.loads(gzip.decompress(network.basemap_path.read_bytes()))
    assert basemap["streets"]["features"]
    assert basemap["buildings"]["features"]
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert files_under(data_dir) >= {f"networks/{city.pk}/1.npz", f"networks/{city.pk}/1.basemap.json.gz"}
    assert AuditEvent.objects.filter(action="import", city=city, object_id=str(network.pk)).exists()


def test_import_suggests_spaces_of_the_extract(city, security_officer, data_dir, leeds_pbf):
    from pactesur.spaces.models import Space

    do_import_osm(city, leeds_pbf, acting_user=security_officer)

    assert Space.objects.filter(city=city, source="suggested").exists()


def test_reimport_of_the_same_file_makes_a_new_version_and_keeps_the_previous_inactive(
    city, security_officer, data_dir, leeds_pbf
):
    first = do_import_osm(city, leeds_pbf, acting_user=security_officer)
    second = do_import_osm(city, leeds_pbf, acting_user=security_officer)

    first.refresh_from_db()
    assert (first.version, first.is_active) == (1, False)
    assert (second.version, second.is_active) == (2, True)
    assert second.file_sha256 == first.file_sha256
    assert first.graph_path.exists()
    assert StreetNetwork.objects.filter(city=city, is_active=True).get() == second


def test_versions_are_numbered_per_city(city, other_city, security_officer, data_dir, leeds_pbf):
    do_import_osm(city, leeds_pbf, acting_user=security_officer)
    elsewhere = do_import_osm(other_city, leeds_pbf, acting_user=None)

    assert elsewhere.version == 1
    assert StreetNetwork.objects.filter(is_active=True).count() == 2


def _truncated_pbf(tmp_path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(data[: len(data) // 2])
    return path


def _not_osm_xml(tmp_path: Path, _source: Path) -> Path:
    path = tmp_path / "feed.osm"
    path.write_text(
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>news</title></channel></rss>\n'
    )
    return path


def _empty(tmp_path: Path, _source: Path) -> Path:
    path = tmp_path / "empty.osm.pbf"
    path.write_bytes(b"")
    return path


def _no_ways(tmp_path: Path, _source: Path) -> Path:
    path = tmp_path / "nodes_only.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        '  <node id="1" version="1" lat="43.70" lon="7.26"/>\n'
        '  <node id="2" version="1" lat="43.71" lon="7.27"><tag k="amenity" v="bench"/></node>\n'
        "</osm>\n"
    )
    return path


def _binary_garbage(tmp_path: Path, _source: Path) -> Path:
    path = tmp_path / "photo.osm.pbf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return path


def _node_outside_the_world(tmp_path: Path, _source: Path) -> Path:
    # aborted the worker (SIGABRT in libosmium's writer) before issue 9
    path = tmp_path / "lat95.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        '  <node id="1" version="1" lat="95" lon="7.26"/>\n'
        '  <node id="2" version="1" lat="43.71" lon="7.27"/>\n'
        '  <way id="3" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>\n'
        "</osm>\n"
    )
    return path


def _ways_without_their_nodes(tmp_path: Path, _source: Path) -> Path:
    path = tmp_path / "ways_only.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        '  <way id="3" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>\n'
        "</osm>\n"
    )
    return path


def _pbf_cut_after_its_header(tmp_path: Path, source: Path) -> Path:
    path = tmp_path / "cut.osm.pbf"
    path.write_bytes(source.read_bytes()[:100])
    return path


def _gzip_bomb(tmp_path: Path, _source: Path) -> Path:
    path = tmp_path / "bomb.osm.gz"
    lines = b'<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>\n' * 12_000
    path.write_bytes(
        gzip.compress(b'<?xml version="1.0"?>\n<osm version="0.6">\n') + gzip.compress(lines) * 80
    )
    return path


BAD_FILES = {
    "truncated pbf": _truncated_pbf,
    "xml that is not osm": _not_osm_xml,
    "empty file": _empty,
    "file with no ways": _no_ways,
    "binary garbage": _binary_garbage,
    "node outside the world": _node_outside_the_world,
    "ways without their nodes": _ways_without_their_nodes,
    "pbf cut after its header": _pbf_cut_after_its_header,
    "gzip bomb": _gzip_bomb,
}


@pytest.mark.parametrize("make_bad_file", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_fails_the_job_with_the_engine_message_and_keeps_the_previous_network(
    make_bad_file, city, security_officer, data_dir, leeds_pbf, tmp_path
):
    previous = do_import_osm(city, leeds_pbf, acting_user=security_officer)
    files_before = files_under(data_dir)
    bad = make_bad_file(tmp_path, leeds_pbf)
    with pytest.raises(OsmInputError) as raised:
        do_import_osm(city, bad, acting_user=security_officer)
    upload = data_dir / "uploads" / str(city.pk) / f"0123-{bad.name}"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(bad.read_bytes())
    job = ImportJob.objects.create(
        city=city,
        original_name=bad.name,
        upload_file=str(upload.relative_to(data_dir)),
        created_by=security_officer,
    )

    do_run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error_params["reason"] == str(raised.value).replace(str(bad), bad.name)
    assert job.shown_error == f"This file cannot be imported: {job.error_params['reason']}"
    assert str(data_dir) not in job.shown_error
    assert job.network is None
    previous.refresh_from_db()
    assert previous.is_active
    assert StreetNetwork.objects.filter(city=city).count() == 1
    assert files_under(data_dir) == files_before


class _KilledError(Exception):
    pass


def test_import_interrupted_after_the_graph_is_written_leaves_nothing_half_written(
    city, security_officer, data_dir, leeds_pbf
):
    previous = do_import_osm(city, leeds_pbf, acting_user=security_officer)
    files_before = files_under(data_dir)
    written: list[bool] = []

    def die_after_graph(fraction: float, message: str) -> None:
        graphs = list((data_dir / "networks" / str(city.pk)).glob(".partial-*.npz"))
        if graphs:
            written.append(True)
            raise _KilledError

    with pytest.raises(_KilledError):
        do_import_osm(city, leeds_pbf, acting_user=security_officer, progress=die_after_graph)

    assert written
    assert files_under(data_dir) == files_before
    previous.refresh_from_db()
    assert previous.is_active
    assert StreetNetwork.objects.filter(city=city).count() == 1


def test_import_interrupted_inside_the_final_transaction_rolls_back_rows_and_files(
    city, security_officer, data_dir, leeds_pbf
):
    from pactesur.spaces.models import Space

    previous = do_import_osm(city, leeds_pbf, acting_user=security_officer)
    files_before = files_under(data_dir)
    spaces_before = Space.objects.filter(city=city).count()

    def die_at_the_switch(fraction: float, message: str) -> None:
        if fraction >= 0.99:
            raise _KilledError

    with pytest.raises(_KilledError):
        do_import_osm(city, leeds_pbf, acting_user=security_officer, progress=die_at_the_switch)

    assert files_under(data_dir) == files_before
    previous.refresh_from_db()
    assert previous.is_active
    assert StreetNetwork.objects.filter(city=city).count() == 1
    assert Space.objects.filter(city=city).count() == spaces_before


def test_running_job_silent_for_too_long_is_shown_as_failed(city, security_officer):
    job = ImportJob.objects.create(
        city=city,
        status=ImportStatus.RUNNING,
        progress=0.3,
        original_name="x.osm",
        updated_at=timezone.now() - STALE_AFTER - datetime.timedelta(seconds=1),
    )
    assert job.shown_status == ImportStatus.FAILED
    assert job.is_finished
    assert "upload the file again" in job.shown_error


def test_running_job_with_recent_progress_is_still_running(city):
    job = ImportJob.objects.create(city=city, status=ImportStatus.RUNNING, original_name="x.osm")
    assert job.shown_status == ImportStatus.RUNNING
    assert not job.is_finished
    assert job.shown_error == ""


def test_job_that_already_ran_is_not_imported_twice(city, security_officer, data_dir):
    job = ImportJob.objects.create(
        city=city, status=ImportStatus.SUCCEEDED, original_name="x.osm", created_by=security_officer
    )
    do_run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert StreetNetwork.objects.count() == 0


def test_next_job_records_a_stale_job_as_failed_and_deletes_its_upload(city, security_officer, data_dir):
    from pactesur.streets.actions import do_fail_stale_jobs

    upload = data_dir / "uploads" / str(city.pk) / "abc-nice.osm.pbf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"half an upload")
    stale = ImportJob.objects.create(
        city=city,
        status=ImportStatus.RUNNING,
        original_name="nice.osm.pbf",
        upload_file=str(upload.relative_to(data_dir)),
        updated_at=timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1),
    )
    alive = ImportJob.objects.create(city=city, status=ImportStatus.RUNNING, original_name="b.osm")

    assert do_fail_stale_jobs() == 1

    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == ImportStatus.FAILED
    assert "stopped without finishing" in stale.shown_error
    assert not upload.exists()
    assert alive.status == ImportStatus.RUNNING


def test_job_queued_for_long_says_no_worker_seems_to_run(city):
    job = ImportJob.objects.create(
        city=city, original_name="a.osm", created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert "waiting for a worker" in job.shown_message
    fresh = ImportJob.objects.create(city=city, original_name="a.osm", message="Waiting for a worker")
    assert fresh.shown_message == "Waiting for a worker"
