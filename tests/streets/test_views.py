"""The streets pages: versions and upload, the job page and its JSON, the base map JSON and page."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pactesur.streets.models import ImportJob, ImportStatus
from tests.streets.factories import TINY_BASEMAP, ImportJobFactory, StreetNetworkFactory

pytestmark = pytest.mark.django_db


def test_list_highlights_the_active_version_and_shows_bounds_and_counts(client, city, viewer, data_dir):
    StreetNetworkFactory(city=city, version=1, is_active=False, source_name="old.osm.pbf")
    StreetNetworkFactory(
        city=city, version=2, source_name="new.osm.pbf", counts={"segments": 4321, "basemap_buildings": 17}
    )
    client.force_login(viewer)

    html = client.get(reverse("streets:list")).content.decode()

    assert 'class="streets-active" data-version="2"' in html
    assert 'class="" data-version="1"' in html
    assert "segments: 4321" in html
    assert "buildings: 17" in html
    assert "7.2500" in html
    assert 'name="file"' not in html  # a viewer cannot import


def test_list_offers_the_upload_form_to_a_security_manager(client, city, security_officer):
    client.force_login(security_officer)
    html = client.get(reverse("streets:list")).content.decode()
    assert 'name="file"' in html
    assert 'enctype="multipart/form-data"' in html


def test_list_shows_only_the_current_citys_networks(client, city, other_city, other_city_admin, data_dir):
    StreetNetworkFactory(city=city, version=1, source_name="nice-secret.osm.pbf")
    client.force_login(other_city_admin)
    html = client.get(reverse("streets:list")).content.decode()
    assert "nice-secret" not in html


def test_upload_queues_a_job_and_redirects_to_its_page(
    client, city, security_officer, data_dir, django_capture_on_commit_callbacks
):
    client.force_login(security_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("streets:import"), {"file": SimpleUploadedFile("nice.osm.pbf", b"OSMHeader...")}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("streets:job", args=[job.pk])
    assert job.city == city
    assert job.status == ImportStatus.QUEUED
    assert job.task_id
    assert (data_dir / job.upload_file).read_bytes() == b"OSMHeader..."


def test_upload_of_a_file_that_is_not_osm_is_refused_with_a_message(client, city, security_officer, data_dir):
    client.force_login(security_officer)
    response = client.post(reverse("streets:import"), {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4")})

    assert response.status_code == 400
    assert "is not an OpenStreetMap file" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not (data_dir / "uploads").exists()


def test_upload_of_an_empty_file_is_refused(client, city, security_officer, data_dir):
    client.force_login(security_officer)
    response = client.post(reverse("streets:import"), {"file": SimpleUploadedFile("nice.osm", b"")})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_job_page_shows_progress_and_loads_the_polling_script(client, city, viewer):
    job = ImportJobFactory(city=city, progress=0.42)
    client.force_login(viewer)

    html = client.get(reverse("streets:job", args=[job.pk])).content.decode()

    assert '<progress id="import-progress" max="100" value="42">' in html
    assert reverse("streets:job-status", args=[job.pk]) in html
    assert "/static/streets/job.js" in html
    assert "<script>" not in html  # strict CSP: no inline script


def test_job_status_reports_progress_as_json_without_caching(client, city, viewer):
    job = ImportJobFactory(city=city, progress=0.5, message="Building the network")
    client.force_login(viewer)

    response = client.get(reverse("streets:job-status", args=[job.pk]))

    assert response.json() == {
        "id": job.pk,
        "city": city.pk,
        "status": "running",
        "progress": 0.5,
        "percent": 50,
        "message": "Building the network",
        "phase": "",
        "phases": response.json()["phases"],
        "error": "",
        "finished": False,
        "held": False,
        "original_name": "nice.osm.pbf",
        "network": None,
    }
    assert "no-store" in response["Cache-Control"]


def test_job_of_another_city_is_not_found(client, city, other_city, other_city_admin):
    job = ImportJobFactory(city=city)
    client.force_login(other_city_admin)
    assert client.get(reverse("streets:job-status", args=[job.pk])).status_code == 404


def test_basemap_is_served_with_an_etag_and_revalidated(client, city, viewer, data_dir):
    network = StreetNetworkFactory(city=city, version=3)
    client.force_login(viewer)
    url = reverse("streets:basemap", args=[city.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert response.json() == TINY_BASEMAP
    assert "private" in response["Cache-Control"]
    etag = response["ETag"]
    assert str(network.pk) in etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_basemap_is_sent_gzipped_to_browsers_that_accept_it(client, city, viewer, data_dir):
    StreetNetworkFactory(city=city, version=1)
    client.force_login(viewer)

    response = client.get(reverse("streets:basemap", args=[city.pk]), headers={"Accept-Encoding": "gzip, br"})

    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(b"".join(response.streaming_content))) == TINY_BASEMAP


def test_basemap_of_the_active_version_only(client, city, viewer, data_dir):
    StreetNetworkFactory(city=city, version=1, is_active=False)
    client.force_login(viewer)
    assert client.get(reverse("streets:basemap", args=[city.pk])).status_code == 404


def test_map_page_uses_the_shared_map_module_without_any_inline_code(client, city, viewer, data_dir):
    StreetNetworkFactory(city=city, version=1)
    client.force_login(viewer)

    html = client.get(reverse("streets:map")).content.decode()

    assert f'data-basemap-url="{reverse("streets:basemap", args=[city.pk])}"' in html
    for script in ("/static/leaflet/leaflet.js", "/static/pactesur/map.js", "/static/streets/map-page.js"):
        assert script in html
    assert "<script>" not in html
    assert "style=" not in html


def test_map_page_without_a_network_says_so(client, city, viewer):
    client.force_login(viewer)
    html = client.get(reverse("streets:map")).content.decode()
    assert "No street network has been imported" in html
    assert "leaflet.js" not in html


def test_list_says_when_a_version_comes_from_the_same_file_as_an_earlier_one(client, city, viewer, data_dir):
    StreetNetworkFactory(city=city, version=1, is_active=False, file_sha256="a" * 64)
    StreetNetworkFactory(city=city, version=2, file_sha256="a" * 64)
    client.force_login(viewer)

    html = client.get(reverse("streets:list")).content.decode()

    assert html.count("same file as version 1") == 1


def test_list_shows_what_the_reader_skipped_in_a_version(client, city, viewer, data_dir):
    skipped = "Skipped 1 way with more than 100,000 nodes (the first: way 7): no street."
    StreetNetworkFactory(city=city, version=1, meta={"warnings": [skipped]})
    client.force_login(viewer)

    html = client.get(reverse("streets:list")).content.decode()

    assert '<ul class="streets-warnings"><li><small>Skipped 1 way with more than 100,000 nodes' in html
