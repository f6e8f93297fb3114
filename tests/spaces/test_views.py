"""Spaces pages: list, map, detail, create by drawing or upload, edit, delete, exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pactesur.audit.models import AuditEvent
from pactesur.spaces.models import Space
from tests.auth_support import confirm_password
from tests.spaces.helpers import NICE_LON, bowtie, make_event, make_space, square

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Place Garibaldi",
    "kind": "square",
    "capacity": "8000",
    "usual_crowd": "300",
    "peak_crowd": "6000",
}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_list_filters_by_kind_and_name_and_sorts(city, viewer) -> None:
    make_space(city, None, name="Place Masséna", capacity=10000)
    make_space(city, None, name="Promenade du Paillon", kind="park", capacity=30000)
    make_space(city, None, name="Place Garibaldi", capacity=8000)
    client = _client(viewer)
    names = [s.name for s in client.get("/spaces/", {"kind": "square"}).context["spaces"]]
    assert names == ["Place Garibaldi", "Place Masséna"]
    names = [s.name for s in client.get("/spaces/", {"q": "paillon"}).context["spaces"]]
    assert names == ["Promenade du Paillon"]
    names = [s.name for s in client.get("/spaces/", {"sort": "-capacity"}).context["spaces"]]
    assert names == ["Promenade du Paillon", "Place Masséna", "Place Garibaldi"]


def test_list_and_map_give_the_outlines_to_the_page_script_without_inline_code(city, viewer) -> None:
    space = make_space(city, None)
    for url in ("/spaces/", "/spaces/map/"):
        body = _client(viewer).get(url).content.decode()
        data = json.loads(
            body.split('id="spaces-map-data" type="application/json">')[1].split("</script>")[0]
        )
        assert data["spaces"]["features"][0]["properties"]["url"] == f"/spaces/{space.pk}/"
        assert "<script>" not in body
        assert " style=" not in body


def test_viewer_sees_no_edit_or_export_links(city, viewer) -> None:
    body = _client(viewer).get("/spaces/").content.decode()
    assert "/spaces/new/" not in body
    assert "export.csv" not in body


def test_detail_shows_attributes_and_upcoming_and_past_events(city, viewer) -> None:
    space = make_space(city, None, owner="Ville de Nice", peak_times="Carnival, February")
    make_event(space, None, name="Carnaval de Nice", days_from_now=30)
    make_event(space, None, name="Fête de la musique 2020", days_from_now=-300)
    response = _client(viewer).get(f"/spaces/{space.pk}/")
    body = response.content.decode()
    assert "Ville de Nice" in body
    assert [e.name for e in response.context["upcoming"]] == ["Carnaval de Nice"]
    assert [e.name for e in response.context["past"]] == ["Fête de la musique 2020"]


def test_planner_creates_a_space_by_drawing(city, planner) -> None:
    response = _client(planner).post("/spaces/new/", {**FORM, "polygon": json.dumps(square())})
    space = Space.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/spaces/{space.pk}/"
    assert (space.name, space.capacity, space.city, space.created_by) == (
        "Place Garibaldi",
        8000,
        city,
        planner,
    )


def test_planner_creates_a_space_by_uploading_a_feature_collection(city, planner) -> None:
    upload = SimpleUploadedFile(
        "garibaldi.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {}, "geometry": square()}],
            }
        ).encode(),
        content_type="application/geo+json",
    )
    response = _client(planner).post("/spaces/new/", {**FORM, "geojson_file": upload})
    assert response.status_code == 302
    assert Space.objects.get().polygon["type"] == "Polygon"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n", "not a text file"),
        (b"{oops", "not valid JSON"),
        (json.dumps({"type": "LineString", "coordinates": [[7, 43], [7.1, 43]]}).encode(), "not a polygon"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "contains no polygon"),
        (json.dumps(bowtie()).encode(), "crosses itself"),
        (json.dumps(square(809_300.0, 5_416_000.0, 100)).encode(), "Web Mercator (EPSG:3857)"),
        (
            json.dumps({**square(), "crs": {"type": "name", "properties": {"name": "EPSG:2154"}}}).encode(),
            "declares the coordinate system “EPSG:2154”",
        ),
        (json.dumps(square(size_deg=0.3)).encode(), "more than the 30 km²"),
    ],
)
def test_bad_geojson_upload_shows_its_message_and_creates_nothing(city, planner, content, message) -> None:
    upload = SimpleUploadedFile("space.geojson", content)
    response = _client(planner).post("/spaces/new/", {**FORM, "geojson_file": upload})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["geojson_file"])
    assert (
        message.replace("“", "&ldquo;") in response.content.decode() or message in response.content.decode()
    )
    assert not Space.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_form_without_an_outline_asks_to_draw_or_upload(city, planner) -> None:
    response = _client(planner).post("/spaces/new/", FORM)
    assert response.status_code == 400
    assert "Draw the outline" in response.context["form"].errors["polygon"][0]
    assert not Space.objects.exists()


def test_garbage_form_fields_create_nothing(city, planner) -> None:
    data = {
        **FORM,
        "kind": "castle",
        "capacity": "-3",
        "contact_email": "nope",
        "polygon": json.dumps(square()),
    }
    response = _client(planner).post("/spaces/new/", data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"kind", "capacity", "contact_email"}
    assert not Space.objects.exists()


def test_peak_crowd_above_capacity_is_refused(city, planner) -> None:
    data = {**FORM, "peak_crowd": "9000", "polygon": json.dumps(square())}
    response = _client(planner).post("/spaces/new/", data)
    assert "cannot exceed" in response.context["form"].errors["peak_crowd"][0]


def test_editing_reshapes_the_outline_and_marks_a_suggestion_edited(city, planner) -> None:
    space = make_space(city, None)
    Space.objects.filter(pk=space.pk).update(source="suggested", edited=False, osm_type="way", osm_id=5)
    form_page = _client(planner).get(f"/spaces/{space.pk}/edit/")
    assert json.loads(form_page.context["form"]["polygon"].value()) == space.polygon
    moved = square(NICE_LON + 0.0003)
    response = _client(planner).post(f"/spaces/{space.pk}/edit/", {**FORM, "polygon": json.dumps(moved)})
    assert response.status_code == 302
    space.refresh_from_db()
    assert space.edited
    assert space.name == "Place Garibaldi"
    assert space.polygon["coordinates"][0][0][0] == pytest.approx(NICE_LON + 0.0003)


def test_invalid_edit_changes_nothing(city, planner) -> None:
    space = make_space(city, None)
    response = _client(planner).post(f"/spaces/{space.pk}/edit/", {**FORM, "polygon": json.dumps(bowtie())})
    assert response.status_code == 400
    space.refresh_from_db()
    assert space.name == "Place Masséna"
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.parametrize("url", ["/spaces/", "/spaces/map/", "/spaces/archived/", "/events/"])
def test_a_viewers_post_to_a_list_is_not_served_and_writes_nothing(city, viewer, url) -> None:
    # Issue 9: a viewer's POST to /spaces/ answered 200 and no matrix row said so.
    response = _client(viewer).post(url, FORM)
    assert response.status_code == 405
    assert not Space.objects.exists()
    assert not AuditEvent.objects.exclude(action="login").exists()


def test_archive_asks_for_confirmation_then_archives_and_keeps_the_events(city, planner) -> None:
    space = make_space(city, None)
    make_event(space, None)
    client = _client(planner)
    page = client.get(f"/spaces/{space.pk}/archive/")
    assert "1 event" in page.content.decode()
    assert Space.objects.active().exists()
    response = client.post(f"/spaces/{space.pk}/archive/")
    assert response.status_code == 302
    assert Space.objects.archived().get() == space
    assert space.events.count() == 1


def test_geojson_export_holds_every_space_with_its_attributes_and_is_audited(
    city, other_city, planner
) -> None:
    make_space(city, None, capacity=10000, contact_email="police@nice.fr")
    make_space(other_city, None, name="Place Saint-Lambert")
    client = _client(planner)
    confirm_password(client)
    response = client.get("/spaces/export.geojson")
    assert response["Content-Type"] == "application/geo+json"
    assert 'filename="nice-spaces.geojson"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in data["features"]] == ["Place Masséna"]
    props = data["features"][0]["properties"]
    assert (props["capacity"], props["contact_email"], props["kind"]) == (10000, "police@nice.fr", "square")
    assert data["features"][0]["geometry"]["type"] == "Polygon"
    row = AuditEvent.objects.get(action="export")
    assert (row.user, row.city, row.detail["format"], row.detail["rows"]) == (planner, city, "geojson", 1)


def test_csv_export_has_a_header_and_one_row_per_space_and_defuses_formulas(city, planner) -> None:
    make_space(city, None, name='=HYPERLINK("http://evil")', description="plain")
    client = _client(planner)
    confirm_password(client)
    response = client.get("/spaces/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["kind"] == "square"
    assert float(rows[0]["area_m2"]) > 0
    assert AuditEvent.objects.filter(action="export", detail__format="csv").exists()


def test_trainer_may_not_export(city, trainer) -> None:
    client = _client(trainer)
    confirm_password(client)
    assert client.get("/spaces/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_pages_and_outline_messages_are_translated_into_french_and_italian(city, planner) -> None:
    make_space(city, None)
    client = _client(planner)
    assert "Espaces publics de Nice" in client.get("/fr/spaces/").content.decode()
    assert "Spazi pubblici di Nice" in client.get("/it/spaces/").content.decode()
    response = client.post("/fr/spaces/new/", {**FORM, "polygon": json.dumps(bowtie())})
    assert "Le contour du polygone se croise lui-même" in response.context["form"].errors["polygon"][0]


def test_a_form_refused_for_another_field_keeps_the_uploaded_outline(city, planner) -> None:
    """A file input cannot be filled again: the outline read from the upload comes back in the
    drawn-outline field, on the map, and is saved when the corrected form is sent."""
    upload = SimpleUploadedFile("garibaldi.geojson", json.dumps(square()).encode())
    client = _client(planner)

    refused = client.post("/spaces/new/", {**FORM, "usual_crowd": "7000", "geojson_file": upload})

    assert refused.status_code == 400
    assert "cannot exceed" in refused.context["form"].errors["usual_crowd"][0]
    kept = json.loads(refused.context["form"]["polygon"].value())
    assert kept["coordinates"][0][0] == pytest.approx([NICE_LON, square()["coordinates"][0][0][1]])
    assert 'id="kept-upload"' in refused.content.decode()
    assert "garibaldi.geojson" in refused.content.decode()

    saved = client.post("/spaces/new/", {**FORM, "polygon": refused.context["form"]["polygon"].value()})

    assert saved.status_code == 302
    assert Space.objects.get().polygon == kept
