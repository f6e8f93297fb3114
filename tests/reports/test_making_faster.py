"""What makes the local protection plan faster changes nothing it shows: each map drawn from the base map
cut to its space is the map drawn from the whole one, the speed profile chart drawn again is the chart
drawn anew, the images handed to WeasyPrint from memory are the ones in the PDF, and nothing else is
fetched."""

from __future__ import annotations

import gc
import io
import logging

import numpy as np
import pytest
from PIL import Image

from pactesur.analysis.results import entry_rows, space_analyses
from pactesur.reports import charts
from pactesur.reports.basemap import CityBasemap
from pactesur.reports.content import _fastest
from pactesur.reports.pdf import REPORT_GC_THRESHOLDS, ReportImages, fewer_collections, pdf_of
from pactesur.spaces.models import Space
from tests.reports.helpers import images

pytestmark = pytest.mark.django_db


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _same(first: bytes, second: bytes) -> bool:
    a, b = _pixels(first), _pixels(second)
    return a.shape == b.shape and bool((a == b).all())


def _fastest_by_class(space: Space) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    _inputs, analyses = space_analyses(space)
    current = [a for a in analyses if a.current and a.has_result]
    entries = entry_rows(current)
    by_class = [_fastest([e for e in entries if e["vehicle"] == a.vehicle]) for a in current]
    return entries, [e for e in by_class if e is not None]


def test_each_map_drawn_from_the_base_map_cut_to_its_space_is_the_one_drawn_from_the_whole(
    city, analysed
) -> None:  # type: ignore[no-untyped-def]
    basemap = CityBasemap.of_city(city.pk)
    whole = sum(len(basemap.basemap[layer]["features"]) for layer in ("buildings", "streets"))
    spaces = list(Space.objects.filter(city=city).active())
    assert len(spaces) >= 3
    for space in spaces:
        entries, by_class = _fastest_by_class(space)
        path = list((_fastest(by_class) or {}).get("path") or [])
        cut = basemap.near(space.polygon, charts.path_near_entry(path))
        assert sum(len(cut[layer]["features"]) for layer in ("buildings", "streets")) < whole
        drawn_cut = charts.approach_map_png(space, entries, fastest=_fastest(by_class), basemap=cut)
        drawn_whole = charts.approach_map_png(
            space, entries, fastest=_fastest(by_class), basemap=basemap.basemap
        )
        assert _same(drawn_cut, drawn_whole), space.name


def test_the_speed_profile_chart_drawn_again_is_the_chart_drawn_anew(city, analysed) -> None:  # type: ignore[no-untyped-def]
    _entries, by_class = _fastest_by_class(analysed)
    assert len(by_class) >= 3
    chart = charts.SpeedProfileChart()
    # More curves, then fewer, then none, then all again: nothing of a drawing stays in the next.
    for shown in (by_class, by_class[:1], [], by_class[1:], by_class):
        assert _same(chart.png(shown), charts.SpeedProfileChart().png(shown))


def test_the_pngs_are_opaque_and_the_pixels_matplotlib_saves(city, analysed) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1), dpi=50)
    fig.add_subplot().plot([0, 1], [1, 0])
    saved = io.BytesIO()
    fig.savefig(saved, format="png")

    png = charts.png_of(fig)

    assert Image.open(io.BytesIO(png)).mode == "RGB"
    assert _same(png, saved.getvalue())


def test_the_images_go_to_weasyprint_from_memory_once_each_and_nothing_else_is_fetched(caplog) -> None:  # type: ignore[no-untyped-def]
    fig_png = io.BytesIO()
    Image.new("RGB", (40, 20), "#3a5ba0").save(fig_png, format="PNG")
    found = ReportImages()
    url = found.add(fig_png.getvalue())
    assert found.add(fig_png.getvalue()) == url  # the same image, one URL
    html = (
        f'<html><body><img src="{url}"><img src="{url}">'
        '<img src="http://198.51.100.7/tracker.png"><img src="file:///etc/hostname"></body></html>'
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        made = pdf_of(html, found)

    assert made.pages == 1
    assert len(images(made.content)) == 1
    refused = [
        r.getMessage() for r in caplog.records if "a report reads only its own images" in r.getMessage()
    ]
    assert len(refused) == 2


def test_collections_are_spaced_only_while_a_report_is_made() -> None:
    before = gc.get_threshold()

    with fewer_collections():
        assert gc.get_threshold() == REPORT_GC_THRESHOLDS
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError
    assert gc.get_threshold() == before
