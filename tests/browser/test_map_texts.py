"""Leaflet's controls speak the page's language: on /fr/spaces/ the zoom buttons and the layer switcher
are named in French (map.js reads the layout's pactesur-map-texts)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A base map of one building next to Place Masséna: enough for the layer switcher to appear.
BASEMAP = {
    "buildings": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.270, 43.697], [7.271, 43.697], [7.271, 43.698], [7.270, 43.698], [7.270, 43.697]]
                    ],
                },
            }
        ],
    }
}


@pytest.fixture
def nice_with_a_space(city, planner) -> Any:  # type: ignore[no-untyped-def]
    from tests.spaces.helpers import make_space

    return make_space(city, None)


def test_map_controls_are_in_french_on_a_french_page(page, live_server, planner, nice_with_a_space) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # No street network is imported in these tests: the base map is served here instead.
    page.route(
        "**/basemap.json",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(BASEMAP)),
    )
    log_in(page, live_server, "planner", TEST_PASSWORD)
    page.goto(f"{live_server.url}/fr/spaces/")
    page.wait_for_selector("#spaces-map[data-basemap-state=ready]")

    assert page.get_attribute("#spaces-map .leaflet-control-zoom-in", "title") == "Zoom avant"
    toggle = page.locator("#spaces-map .leaflet-control-layers-toggle")
    assert toggle.get_attribute("aria-label") == "Couches de la carte"
    assert toggle.get_attribute("title") == "Couches de la carte"
    # The base map's layer names come translated too.
    assert "Bâtiments" in page.text_content("#spaces-map .leaflet-control-layers-overlays") or ""
    assert "contributeurs" in page.inner_text("#spaces-map .leaflet-control-attribution")
    assert not errors, errors
