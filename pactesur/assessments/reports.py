"""PDF reports of assessments (WeasyPrint) and the map image drawn server-side (matplotlib).

Both PDFs are RESTRICTED: the marking and a watermark naming who exported them and when are in the
page margins, so they are on every page. The map is drawn from the city's own base map file — no tile
server is contacted.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import io
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import formats, timezone

from pactesur.assessments import decisions, facts, risk, scoring
from pactesur.assessments.library import ATTACK_HINTS, AttackType
from pactesur.assessments.models import BAND_LABELS, Assessment
from pactesur.assessments.prefill import vehicle_reading
from pactesur.cities.models import City
from pactesur.cities.time_zones import city_zone
from pactesur.spaces.naming import label_namesakes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BAND_COLOURS: dict[str, str] = {
    scoring.LOW: "#2d9d5b",
    scoring.MEDIUM: "#e0b423",
    scoring.HIGH: "#e0701f",
    scoring.VERY_HIGH: "#c0282d",
}
# Text on each band's colour at 4.5:1 or more (WCAG 2.1 AA): dark on the light bands, white on dark red.
BAND_TEXT_COLOURS: dict[str, str] = {scoring.VERY_HIGH: "#ffffff"}
DARK_TEXT = "#111111"
# Half-width of the map around the space, as a share of the space's extent, and at least this many
# metres, so the streets leading to it are visible (assumption).
MAP_MARGIN_SHARE = 0.6
MAP_MARGIN_MIN_M = 80.0
M_PER_DEG_LAT = 111_320.0


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def _lines(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        return [coords]
    if kind == "MultiLineString":
        return list(coords)
    return _rings(geometry)


def read_basemap(city_id: int) -> dict[str, Any]:
    """The base map of the city's active network (buildings, streets, water, green), {} without one."""
    from pactesur.streets.models import StreetNetwork

    network = StreetNetwork.objects.filter(city_id=city_id, is_active=True).first()
    if network is None:
        return {}
    path: Path = network.basemap_path
    if not path.exists():
        return {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _in_box(ring: list[list[float]], box: tuple[float, float, float, float]) -> bool:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return not (max(xs) < box[0] or min(xs) > box[2] or max(ys) < box[1] or min(ys) > box[3])


def space_map_figure(
    space: Any,
    *,
    colour: str,
    basemap: dict[str, Any] | None = None,
    around: Iterable[Sequence[float]] = (),
) -> tuple[Figure, Axes]:
    """The space outline in `colour` on its streets and buildings, as a figure to draw more on.

    The base map is the city's own (`read_basemap`, read here unless given); the map shows the
    space with a margin, and the points (lon, lat) of `around` too.
    """
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure

    outline = _rings(space.polygon)
    xs = [p[0] for r in outline for p in r] or [space.centroid_lon]
    ys = [p[1] for r in outline for p in r] or [space.centroid_lat]
    lat0 = sum(ys) / len(ys)
    kx = math.cos(math.radians(lat0))
    half_w_m = max((max(xs) - min(xs)) * kx * M_PER_DEG_LAT, (max(ys) - min(ys)) * M_PER_DEG_LAT) / 2
    margin_m = max(half_w_m * MAP_MARGIN_SHARE, MAP_MARGIN_MIN_M)
    dlat = margin_m / M_PER_DEG_LAT
    dlon = dlat / max(kx, 0.01)
    extra = [(float(p[0]), float(p[1])) for p in around]
    xs += [p[0] for p in extra]
    ys += [p[1] for p in extra]
    box = (min(xs) - dlon, min(ys) - dlat, max(xs) + dlon, max(ys) + dlat)

    fig = Figure(figsize=(6.5, 4.5), dpi=110)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_facecolor("#f2efe9")
    basemap = read_basemap(space.city_id) if basemap is None else basemap
    # One collection per layer: a city centre has thousands of buildings, drawn one by one they took
    # most of a report's time.
    for layer, face in (("green", "#c8e3b5"), ("water", "#aad3ee"), ("buildings", "#d3cec7")):
        rings = [
            [(p[0], p[1]) for p in ring]
            for f in (basemap.get(layer) or {}).get("features", [])
            for ring in _rings(f.get("geometry") or {})
            if ring and _in_box(ring, box)
        ]
        ax.add_collection(PolyCollection(rings, facecolors=face, edgecolors="#a9a39b", linewidths=0.3))
    lines = [
        [(p[0], p[1]) for p in line]
        for f in (basemap.get("streets") or {}).get("features", [])
        for line in _lines(f.get("geometry") or {})
        if line and _in_box(line, box)
    ]
    ax.add_collection(LineCollection(lines, colors="#888888", linewidths=1.0, zorder=2))
    for ring in outline:
        ax.fill(
            [p[0] for p in ring],
            [p[1] for p in ring],
            facecolor=colour,
            alpha=0.35,
            edgecolor=colour,
            linewidth=2,
        )
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect(1 / max(kx, 0.01))
    ax.set_axis_off()
    return fig, ax


def space_map_png(assessment: Assessment, *, entries: list[dict[str, Any]] | None = None) -> bytes:
    """A PNG of the space outline on its streets and buildings, entry points as dots when known."""
    band = risk.top_band(assessment)
    fig, ax = space_map_figure(assessment.space, colour=BAND_COLOURS.get(band or "", "#7209b7"))
    for e in entries or []:
        if "lon" in e and "lat" in e:
            ax.plot([e["lon"]], [e["lat"]], marker="o", markersize=5, color="#111111")
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def data_uri(png: bytes) -> str:
    """A PNG as the `src` of an image in a report's HTML."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _analysis_entries(space: Any) -> list[dict[str, Any]]:
    try:
        from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
    except ImportError:
        return []
    entries: list[dict[str, Any]] = []
    for a in ApproachAnalysis.objects.filter(space=space, status=AnalysisStatus.SUCCEEDED):
        entries.extend(e for e in a.entries if isinstance(e, dict))
    return entries


def pdf_of(html: str) -> bytes:
    """The PDF WeasyPrint makes of a report's HTML."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def export_stamp(exported_by: str, exported_at: datetime.datetime, city: City) -> str:
    """Who exported a report and when: the city's local time the reader's way, and the zone's name
    ("security_officer · 05/12/2026 10:00 Europe/Paris")."""
    zone = city_zone(city)
    when = formats.date_format(exported_at.astimezone(zone), "SHORT_DATETIME_FORMAT")
    return f"{exported_by} · {when} {zone.key}"


def space_report_pdf(assessment: Assessment, *, exported_by: str, exported_at: datetime.datetime) -> bytes:
    """The report of one space: map, approach analysis summary, the team, scenarios with their facts and
    decisions, risk matrix, and the register of actions (Martyn's Law s.7's record of measures decided)."""
    return pdf_of(space_report_html(assessment, exported_by=exported_by, exported_at=exported_at))


def space_report_html(assessment: Assessment, *, exported_by: str, exported_at: datetime.datetime) -> str:
    """The HTML that `space_report_pdf` prints."""
    scenarios = list(assessment.scenarios.all())
    rows = [
        {
            "scenario": s,
            "hint": ATTACK_HINTS.get(s.attack_type, ""),
            "score": s.score,
            "band": s.band,
            "band_label": BAND_LABELS.get(s.band or "", ""),
            "colour": BAND_COLOURS.get(s.band or "", "#ffffff"),
            "text_colour": BAND_TEXT_COLOURS.get(s.band or "", DARK_TEXT),
            "facts": [] if s.not_applicable else facts.evidence_rows(s.attack_type, s.facts),
        }
        for s in scenarios
    ]
    register = decisions.actions_for(
        assessment, today=timezone.localdate(timezone=city_zone(assessment.city))
    )
    grid = risk.matrix_grid(risk.matrix_cells([assessment]))
    for row in grid:
        for cell in row:
            cell["colour"] = BAND_COLOURS[cell["band"]]
    evidence, outside = vehicle_reading(assessment.space)
    return render_to_string(
        "assessments/pdf/space.html",
        {
            "assessment": assessment,
            "space": assessment.space,
            "rows": rows,
            "tops": [
                {"risk": t, "label": AttackType(t.attack_type).label, "band_label": BAND_LABELS[t.band]}
                for t in scoring.top_risks(risk.profile(assessment))
            ],
            "measures": risk.measure_rows(assessment),
            "evidence": evidence,
            "outside": outside,
            "grid": grid,
            "team": list(assessment.team.all()),
            "team_gaps": decisions.team_gaps(assessment),
            "register": register,
            "totals": decisions.cost_totals(register),
            "map_uri": data_uri(space_map_png(assessment, entries=_analysis_entries(assessment.space))),
            "stamp": export_stamp(exported_by, exported_at, assessment.city),
            "exported_by": exported_by,
        },
    )


def city_report_pdf(city: City, *, exported_by: str, exported_at: datetime.datetime) -> tuple[bytes, int]:
    """The city summary: spaces ranked by risk with their top scenarios, the matrix, overdue reviews;
    and how many spaces it ranks."""
    html, count = city_report_html(city, exported_by=exported_by, exported_at=exported_at)
    return pdf_of(html), count


def city_risk_rows(
    city: City,
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]], list[Any]]:
    """The city's approved spaces ranked by risk, each with its band's label and colours (`r` the
    `risk.RankedSpace`), the risk matrix of their approved profiles with its colours, and the spaces
    not yet approved: what the city summary shows."""
    assessments = risk.city_assessments(city)
    ranked = risk.ranking(assessments, today=timezone.localdate(timezone=city_zone(city)))
    pending = risk.not_yet_approved(assessments)
    label_namesakes([r.assessment.space for r in ranked] + [p.assessment.space for p in pending])
    # The matrix of what is ranked: the approved profiles.
    grid = risk.matrix_grid(risk.approved_cells(ranked))
    for row in grid:
        for cell in row:
            cell["colour"] = BAND_COLOURS[cell["band"]]
    rows = [
        {
            "r": r,
            "band_label": BAND_LABELS.get(r.top.band, "") if r.top else "",
            "colour": BAND_COLOURS.get(r.top.band, "#ffffff") if r.top else "#ffffff",
            "text_colour": BAND_TEXT_COLOURS.get(r.top.band, DARK_TEXT) if r.top else DARK_TEXT,
        }
        for r in ranked
    ]
    return rows, grid, pending


def city_report_html(city: City, *, exported_by: str, exported_at: datetime.datetime) -> tuple[str, int]:
    """The HTML that `city_report_pdf` prints, and how many spaces it ranks."""
    ranked, grid, pending = city_risk_rows(city)
    open_actions = decisions.open_actions_for_city(city, timezone.localdate(timezone=city_zone(city)))
    html = render_to_string(
        "assessments/pdf/city.html",
        {
            "city": city,
            "ranked": ranked,
            "grid": grid,
            "pending": pending,
            "open_actions": open_actions,
            "totals": decisions.cost_totals(open_actions),
            "stamp": export_stamp(exported_by, exported_at, city),
            "exported_by": exported_by,
        },
    )
    return html, len(ranked)
