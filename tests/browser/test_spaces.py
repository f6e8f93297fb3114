"""A planner draws a space on the map with Leaflet.draw, saves it, reads it back, reshapes it, archives and
restores it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pixel offsets inside the map where the corners are clicked: a quadrilateral, not a rectangle.
CORNERS = [(160, 120), (360, 110), (380, 300), (150, 320)]


def _lon_lat_at(page: Any, map_id: str, x: float, y: float) -> tuple[float, float]:
    lon, lat = page.evaluate(
        """([id, x, y]) => {
            const ll = document.getElementById(id).pactesurMap.containerPointToLatLng([x, y]);
            return [ll.lng, ll.lat];
        }""",
        [map_id, x, y],
    )
    return lon, lat


def _metres_per_pixel(page: Any, map_id: str) -> float:
    (lon0, lat0), (lon1, _) = _lon_lat_at(page, map_id, 0, 200), _lon_lat_at(page, map_id, 100, 200)
    import math

    return abs(lon1 - lon0) * 111_320 * math.cos(math.radians(lat0)) / 100


def _draw_polygon(page: Any, map_id: str) -> list[tuple[float, float]]:
    box = page.locator(f"#{map_id}").bounding_box()
    page.click(f"#{map_id} .leaflet-draw-draw-polygon")
    for x, y in [*CORNERS, CORNERS[0]]:
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(250)
    return [_lon_lat_at(page, map_id, x, y) for x, y in CORNERS]


def _exported_ring(page: Any, live_server: Any) -> list[list[float]]:
    response = page.request.get(f"{live_server.url}/spaces/export.geojson")
    assert response.ok
    features = [f for f in response.json()["features"] if f["properties"]["name"] == "Cours Saleya"]
    assert len(features) == 1
    return features[0]["geometry"]["coordinates"][0]


@pytest.fixture
def js_errors(page) -> Any:  # type: ignore[no-untyped-def]
    """Script errors and CSP violations of the page; the test fails on any."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def _console(msg: Any) -> None:
        # A 404 of the base map is expected: no street network is imported in these tests.
        if msg.type == "error" and "basemap" not in msg.text and "404" not in msg.text:
            errors.append(msg.text)

    page.on("console", _console)
    yield errors
    assert not errors, errors


@pytest.fixture
def nice_with_a_space(city, planner) -> Any:  # type: ignore[no-untyped-def]
    """Nice with Place Masséna already mapped, so the map opens on the centre of Nice."""
    from tests.spaces.helpers import make_space

    return make_space(city, None)


def test_planner_draws_a_space_and_reads_it_back(
    page, live_server, planner, nice_with_a_space, js_errors
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "planner", TEST_PASSWORD)
    page.goto(f"{live_server.url}/spaces/")
    page.click("#new-space")
    page.wait_for_selector("#space-edit-map[data-ready=true]")

    clicked = _draw_polygon(page, "space-edit-map")
    assert page.get_attribute("#space-edit-map", "data-has-outline") == "true"
    tolerance_deg = 4 * _metres_per_pixel(page, "space-edit-map") / 80_000
    page.fill("#id_name", "Cours Saleya")
    page.select_option("#id_kind", "market")
    page.fill("#id_capacity", "4000")
    page.click("#save-space")

    page.wait_for_selector("#space-name")
    assert page.inner_text("#space-name") == "Cours Saleya"
    page.wait_for_selector("#spaces-map[data-ready=true]")
    assert page.locator("#spaces-map svg path.leaflet-interactive").count() >= 1

    ring = _exported_ring(page, live_server)
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    # Every clicked corner is a corner of the stored outline (stored counter-clockwise, any start).
    for lon, lat in clicked:
        assert any(abs(lon - p[0]) < tolerance_deg and abs(lat - p[1]) < tolerance_deg for p in ring[:4]), (
            lon,
            lat,
        )


def test_planner_reshapes_a_space_by_dragging_a_corner(
    page, live_server, planner, nice_with_a_space, js_errors
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server, "planner", TEST_PASSWORD)
    page.goto(f"{live_server.url}/spaces/new/")
    page.wait_for_selector("#space-edit-map[data-ready=true]")
    _draw_polygon(page, "space-edit-map")
    page.fill("#id_name", "Cours Saleya")
    page.click("#save-space")
    page.wait_for_selector("#space-name")
    before = _exported_ring(page, live_server)

    page.click("#edit-space")
    page.wait_for_selector("#space-edit-map[data-ready=true]")
    page.click("#space-edit-map .leaflet-draw-edit-edit")
    handle = page.locator("#space-edit-map .leaflet-editing-icon").first
    handle.wait_for()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 30, steps=8)
    page.mouse.up()
    page.click("#space-edit-map .leaflet-draw-actions a:has-text('Save')")
    field = json.loads(page.input_value("#id_polygon"))
    assert field["coordinates"][0] != before
    page.click("#save-space")
    page.wait_for_selector("#space-name")

    after = _exported_ring(page, live_server)
    assert len(after) == 5
    moved = {tuple(p) for p in after[:4]} - {tuple(p) for p in before[:4]}
    assert len(moved) == 1


def test_planner_archives_a_space_and_restores_it(
    page, live_server, planner, nice_with_a_space, js_errors
) -> None:  # type: ignore[no-untyped-def]
    """Nothing lost: the old "Delete" is "Archive"; the space leaves the list, is found among the
    archived spaces with its events kept, and comes back with "Restore"."""
    from tests.spaces.helpers import make_event

    make_event(nice_with_a_space, None, name="Carnaval")
    log_in(page, live_server, "planner", TEST_PASSWORD)
    page.goto(f"{live_server.url}/spaces/{nice_with_a_space.pk}/")
    assert page.locator("text=Delete").count() == 0
    page.click("#archive-space")
    assert page.inner_text("#archive-kept") == "1 event"
    page.click("#confirm-archive")

    page.wait_for_selector("#archived-spaces-link")
    assert page.locator(".spaces-table a:has-text('Place Masséna')").count() == 0
    assert page.inner_text("#archived-spaces-link") == "Archived (1)"
    page.click("#archived-spaces-link")
    page.click("#archived-spaces a:has-text('Place Masséna')")
    page.wait_for_selector("#space-archived")
    assert page.locator("#edit-space").count() == 0
    assert "Carnaval" in page.inner_text("main")

    page.click("#restore-space")
    page.wait_for_selector("#space-name")
    assert page.locator("#space-archived").count() == 0
    assert page.locator("#edit-space").count() == 1
    page.goto(f"{live_server.url}/spaces/")
    assert page.locator(".spaces-table a:has-text('Place Masséna')").count() == 1


def test_an_uploaded_outline_stays_on_the_map_when_another_field_is_refused(
    page, live_server, planner, nice_with_a_space, js_errors
) -> None:  # type: ignore[no-untyped-def]
    """A file input comes back empty: the outline read from the file comes back on the map instead,
    and the corrected form saves it without uploading the file again."""
    from tests.spaces.helpers import NICE_LAT, NICE_LON, square

    outline = square(NICE_LON + 0.002, NICE_LAT + 0.001, 0.0005)
    log_in(page, live_server, "planner", TEST_PASSWORD)
    page.goto(f"{live_server.url}/spaces/new/")
    page.wait_for_selector("#space-edit-map[data-ready=true]")
    page.fill("#id_name", "Cours Saleya")
    page.fill("#id_usual_crowd", "5000")
    page.fill("#id_peak_crowd", "3000")  # below the usual crowd: refused
    page.set_input_files(
        "#id_geojson_file",
        files=[
            {
                "name": "saleya.geojson",
                "mimeType": "application/geo+json",
                "buffer": json.dumps(outline).encode(),
            }
        ],
    )
    page.click("#save-space")

    page.wait_for_selector("#space-edit-map[data-ready=true]")
    assert "cannot exceed" in page.inner_text(".spaces-form")
    assert "saleya.geojson" in page.inner_text("#kept-upload")
    assert page.get_attribute("#space-edit-map", "data-has-outline") == "true"
    assert (
        page.locator("#space-edit-map svg path.leaflet-interactive").count() >= 2
    )  # the outline and Masséna

    page.fill("#id_usual_crowd", "1000")
    page.click("#save-space")

    page.wait_for_selector("#space-name")
    ring = _exported_ring(page, live_server)
    corners = sorted(tuple(round(c, 6) for c in point) for point in ring[:4])
    assert corners == sorted(tuple(round(c, 6) for c in point) for point in outline["coordinates"][0][:4])
    # The refused form answered 400, which the browser logs; no script failed.
    js_errors[:] = [e for e in js_errors if "status of 400" not in e]
