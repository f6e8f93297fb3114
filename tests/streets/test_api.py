"""The networks API: versions of a city, one version, import jobs."""

from __future__ import annotations

import pytest
from django.test import Client

from pactesur.accounts.actions import do_create_api_token
from pactesur.streets.models import ImportJob
from tests.streets.factories import ImportJobFactory, StreetNetworkFactory

pytestmark = pytest.mark.django_db


def _api(user) -> Client:  # type: ignore[no-untyped-def]
    _token, raw = do_create_api_token("test", acting_user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_api_lists_a_citys_versions_newest_first(city, other_city, viewer, data_dir):
    StreetNetworkFactory(city=city, version=1, is_active=False)
    StreetNetworkFactory(city=city, version=2)
    StreetNetworkFactory(city=other_city, version=1)

    body = _api(viewer).get(f"/api/v1/networks/?city={city.pk}").json()

    assert [(n["version"], n["is_active"]) for n in body] == [(2, True), (1, False)]
    assert body[0]["basemap_url"] == f"/streets/{city.pk}/basemap.json"
    assert body[0]["bounds"] == [7.25, 43.69, 7.28, 43.71]


def test_api_without_a_city_lists_only_the_callers_cities(city, other_city, viewer, data_dir):
    StreetNetworkFactory(city=city, version=1)
    StreetNetworkFactory(city=other_city, version=1)
    body = _api(viewer).get("/api/v1/networks/").json()
    assert {n["city"] for n in body} == {city.pk}


def test_api_network_of_another_city_is_not_found(city, other_city, other_city_admin, data_dir):
    network = StreetNetworkFactory(city=city, version=1)
    response = _api(other_city_admin).get(f"/api/v1/networks/{network.pk}")
    assert response.status_code == 404
    assert "Nice" not in response.content.decode()


def test_api_job_status(city, viewer):
    job = ImportJobFactory(city=city, progress=0.25)
    body = _api(viewer).get(f"/api/v1/networks/jobs/{job.pk}").json()
    assert (body["status"], body["progress"], body["network"]) == ("running", 0.25, None)


def test_api_upload_queues_an_import(city, security_officer, data_dir, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = _api(security_officer).post(
            f"/api/v1/networks/jobs?city={city.pk}", {"file": SimpleUploadedFile("n.osm.pbf", b"x")}
        )

    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert (job.city, job.status, job.original_name) == (city, "queued", "n.osm.pbf")


def test_api_upload_by_a_planner_is_forbidden(city, planner, data_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _api(planner).post(
        f"/api/v1/networks/jobs?city={city.pk}", {"file": SimpleUploadedFile("n.osm.pbf", b"x")}
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_openapi_document_describes_the_networks_api(client, viewer):
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/networks/", "/api/v1/networks/{network_id}", "/api/v1/networks/jobs/{job_id}"} <= set(
        paths
    )
    assert "post" in paths["/api/v1/networks/jobs"]
