"""The maps' controls speak the page's language: the layout carries their words (pactesur-map-texts)
for map.js; the 500 page, rendered without any context, still renders without them."""

from __future__ import annotations

import json
import re

import pytest
from django.test import RequestFactory
from django.utils import translation

from pactesur.web import views
from pactesur.web.map_texts import map_texts, map_texts_context


def _texts_of(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script id="pactesur-map-texts" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no pactesur-map-texts script in the page"
    return json.loads(match.group(1))


def test_texts_follow_the_active_language() -> None:
    with translation.override("fr"):
        texts = map_texts()
    assert texts["zoomIn"] == "Zoom avant"
    assert texts["layers"] == "Couches de la carte"
    assert set(texts["layerNames"]) == {"buildings", "water", "green", "streets"}
    assert texts["draw"]["toolbar"]["buttons"]["polygon"] != "Draw the outline"
    assert texts["edit"]["toolbar"]["actions"]["save"]["text"] != ""


def test_context_processor_is_lazy_and_looks_the_texts_up_once(rf: RequestFactory) -> None:
    context = map_texts_context(rf.get("/"))
    texts = context["map_texts"]
    assert callable(texts)
    assert texts() is texts()


@pytest.mark.django_db
def test_an_italian_page_carries_the_map_texts_in_italian(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.get("/it/spaces/")
    assert response.status_code == 200
    texts = _texts_of(response.content.decode())
    assert texts["zoomIn"] == "Aumenta lo zoom"
    assert texts["layers"] == "Livelli della mappa"
    # The error's markup is escaped inside the script, never closes it.
    assert "<strong>" in texts["draw"]["handlers"]["polyline"]["error"]


def test_500_page_still_renders_without_the_context_processor(rf: RequestFactory) -> None:
    # Not marked django_db: the 500 page needs no database, and gets no context processor.
    response = views.server_error(rf.get("/spaces/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "pactesur-map-texts" not in html
