"""Import jobs store their progress and errors untranslated and speak the reader's language when shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.cities.stored_text import StoredText
from pactesur.streets.actions import _JobProgress, do_run_import_job
from pactesur.streets.models import ImportJob, ImportStatus
from tests.streets.conftest import files_under

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _upload(data_dir: Any, city: Any, name: str, content: bytes) -> str:
    upload = data_dir / "uploads" / str(city.pk) / f"0123-{name}"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(content)
    return str(upload.relative_to(data_dir))


def test_a_finished_import_is_stored_untranslated_whatever_the_workers_language(
    city, security_officer, data_dir, leeds_pbf
):
    job = ImportJob.objects.create(
        city=city,
        original_name="leeds.osm.pbf",
        upload_file=_upload(data_dir, city, "leeds.osm.pbf", leeds_pbf.read_bytes()),
        created_by=security_officer,
    )
    with translation.override("fr"):
        do_run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.message, job.message_params) == ("Imported as version %(version)d", {"version": 1})
    assert job.shown_message == "Imported as version 1"
    with translation.override("it"):
        assert job.shown_message == "Importato come versione 1"


def test_an_engine_error_keeps_its_english_inside_a_translated_sentence(
    city, security_officer, data_dir, leeds_pbf
):
    job = ImportJob.objects.create(
        city=city,
        original_name="broken.osm.pbf",
        upload_file=_upload(data_dir, city, "broken.osm.pbf", leeds_pbf.read_bytes()[:5000]),
        created_by=security_officer,
    )
    with translation.override("it"):
        do_run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error == "This file cannot be imported: %(reason)s"
    reason = job.error_params["reason"]
    assert "broken.osm.pbf" in reason
    assert "0123-" not in reason
    status = _client(security_officer).get(f"/fr/streets/jobs/{job.pk}/status.json").json()
    assert status["error"] == f"Ce fichier ne peut pas être importé\u00a0: {reason}"
    assert status["message"] == "Échec de l’import"
    assert files_under(data_dir) == set()


@pytest.mark.parametrize(
    ("name", "content", "format_name"),
    [
        ("broken.osm", b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="x" lon="2"/>', "OSM XML"),
        ("broken.osm.gz", b"\x1f\x8b\x08\x00not gzip at all", "OSM XML (gzip)"),
        ("broken.osm.bz2", b"BZh9not bzip2 at all", "OSM XML (bzip2)"),
    ],
)
def test_a_corrupt_file_is_named_by_its_format_as_people_know_it(
    city, security_officer, data_dir, name, content, format_name
):
    job = ImportJob.objects.create(
        city=city,
        original_name=name,
        upload_file=_upload(data_dir, city, name, content),
        created_by=security_officer,
    )

    do_run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    reason = job.error_params["reason"]
    assert f"as {format_name} (truncated or corrupt file?)" in reason
    assert "OSM osm" not in reason


def test_a_vanished_upload_fails_with_a_message_in_the_readers_language(city, security_officer):
    job = ImportJob.objects.create(city=city, original_name="gone.osm", created_by=security_officer)
    with translation.override("de"):
        do_run_import_job(job.pk)

    job.refresh_from_db()
    assert job.error == "The uploaded file is no longer on the server; upload it again."
    with translation.override("fr"):
        assert "n’est plus sur le serveur" in job.shown_error


def test_progress_is_stored_as_a_message_id_with_the_engines_step_as_a_parameter(city):
    job = ImportJob.objects.create(city=city, original_name="a.osm", status=ImportStatus.RUNNING)
    report = _JobProgress(job.pk)

    report(0.5, StoredText("Building the street network: %(step)s", {"step": "suggesting public spaces"}))

    job.refresh_from_db()
    assert job.message == "Building the street network: %(step)s"
    assert job.message_params == {"step": "suggesting public spaces"}
    with translation.override("fr"):
        assert job.shown_message == "Construction du réseau viaire\u00a0: suggesting public spaces"


def test_an_engine_progress_message_is_stored_as_it_is(city):
    job = ImportJob.objects.create(city=city, original_name="a.osm", status=ImportStatus.RUNNING)

    _JobProgress(job.pk)(1.0, "read 42 highway ways and 3 areas")

    job.refresh_from_db()
    assert (job.message, job.message_params) == ("read 42 highway ways and 3 areas", {})
    with translation.override("fr"):
        assert job.shown_message == "read 42 highway ways and 3 areas"


def test_job_page_and_api_translate_the_stored_message(city, security_officer):
    job = ImportJob.objects.create(
        city=city,
        original_name="a.osm",
        status=ImportStatus.RUNNING,
        message="Reading the OSM file: %(step)s",
        message_params={"step": "reading a.osm"},
    )
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=security_officer, name="t", token_hash=hash_token(raw), prefix=raw[:8])

    page = _client(security_officer).get(f"/it/streets/jobs/{job.pk}/").content.decode()
    api = Client().get(
        f"/api/v1/networks/jobs/{job.pk}", headers={"Authorization": f"Bearer {raw}", "Accept-Language": "es"}
    )

    assert "Lettura del file OSM: reading a.osm" in page
    assert api.json()["message"] == "Leyendo el archivo OSM: reading a.osm"


def test_text_stored_translated_before_is_shown_as_it_was(city):
    job = ImportJob.objects.create(
        city=city,
        original_name="a.osm",
        status=ImportStatus.FAILED,
        message="Échec de l’importation",
        error="Le fichier est tronqué à 100 %",
    )
    with translation.override("it"):
        assert (job.shown_message, job.shown_error) == (
            "Échec de l’importation",
            "Le fichier est tronqué à 100 %",
        )
