"""The images of the reports, drawn on the server with matplotlib: a space's entries and fastest approach
on the city's own base map, the speed profiles of the fastest entries, an investment plan's frontier.

Every text in them is in the active language; no tile server is contacted (the base map is the one
the city's import made, `pactesur.assessments.reports.space_map_figure`).
"""

from __future__ import annotations

import bisect
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from pactesur.analysis.speedmaps import BANDS_KMH
from pactesur.analysis.vehicle_labels import vehicle_label
from pactesur.assessments.reports import space_map_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pactesur.spaces.models import Space

# The colours of the speed bands (up to each speed of BANDS_KMH, then above the last), the same as the
# analysis map's (pactesur/static/pactesur/analysis-map.js), so that a reader finds the same colours.
SPEED_BAND_COLOURS: tuple[str, ...] = (
    "#1a9850",
    "#66bd63",
    "#c2e27a",
    "#fee08b",
    "#fdae61",
    "#f46d43",
    "#d73027",
    "#67000d",
)
# The space's outline on the approach map: a colour none of the speed bands uses.
OUTLINE_COLOUR = "#3a5ba0"
PATH_COLOUR = "#111111"
# How much of the fastest approach path the map makes room for, back from the entry: enough to see
# the street it comes along, not the kilometres of a run-up at top speed (assumption).
PATH_SHOWN_M = 250.0
M_PER_DEG_LAT = 111_320.0
# The share of the map's height kept below it for the legend (two rows).
LEGEND_STRIP = 0.12
# Room round a chart's axes for their labels (shares of the figure).
CHART_MARGINS = {"left": 0.1, "right": 0.98, "bottom": 0.16, "top": 0.97}
# zlib level of the PNGs handed to WeasyPrint, which decodes them and compresses them again.
PNG_COMPRESS_LEVEL = 1


def speed_band(speed_kmh: float) -> int:
    """The band of a speed: i for speeds up to BANDS_KMH[i], len(BANDS_KMH) above the last one."""
    return bisect.bisect_left(BANDS_KMH, speed_kmh)


def band_label(band: int) -> str:
    """What a band is called in the legend, as on the analysis page."""
    if band < len(BANDS_KMH):
        return _("up to %(speed)s km/h") % {"speed": BANDS_KMH[band]}
    return _("above %(speed)s km/h") % {"speed": BANDS_KMH[-1]}


def png_of(fig: Figure) -> bytes:
    """The figure as an opaque (RGB) PNG, quickly compressed.

    The same pixels as `savefig` (the figures are drawn on white); without an alpha channel
    WeasyPrint need not split one off, and as it compresses every image again for the PDF, a
    quick compression here loses nothing.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), pixels, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    rgba.convert("RGB").save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def path_near_entry(
    path: Sequence[Sequence[float]], shown_m: float = PATH_SHOWN_M
) -> list[tuple[float, float]]:
    """The end of an approach path (it ends at the entry), about `shown_m` metres of it."""
    points = [(float(p[0]), float(p[1])) for p in path if len(p) >= 2]
    if not points:
        return []
    kept = [points[-1]]
    travelled = 0.0
    for (lon, lat), (next_lon, next_lat) in zip(reversed(points[:-1]), reversed(points[1:]), strict=True):
        kx = math.cos(math.radians(lat))
        travelled += math.hypot((next_lon - lon) * kx, next_lat - lat) * M_PER_DEG_LAT
        kept.append((lon, lat))
        if travelled >= shown_m:
            break
    return kept


def approach_map_png(
    space: Space,
    entries: Sequence[dict[str, Any]],
    *,
    fastest: dict[str, Any] | None,
    basemap: dict[str, Any] | None = None,
) -> bytes:
    """The space on the city's base map with every entry as a dot coloured by its impact speed and
    the approach path of `fastest` (the last `PATH_SHOWN_M` metres are always on the map)."""
    from matplotlib.lines import Line2D

    path = list((fastest or {}).get("path") or [])
    fig, ax = space_map_figure(space, colour=OUTLINE_COLOUR, basemap=basemap, around=path_near_entry(path))
    handles = []
    if len(path) >= 2:
        ax.plot([p[0] for p in path], [p[1] for p in path], color=PATH_COLOUR, linewidth=2.2, zorder=4)
        handles.append(Line2D([], [], color=PATH_COLOUR, linewidth=2.2, label=_("fastest approach path")))
    by_band: dict[int, list[tuple[float, float]]] = {}
    for entry in entries:
        if "lon" in entry and "lat" in entry:
            band = speed_band(float(entry.get("impact_speed_kmh") or 0.0))
            by_band.setdefault(band, []).append((float(entry["lon"]), float(entry["lat"])))
    # The slowest band first, so that the fastest entries are drawn on top.
    for band, points in sorted(by_band.items()):
        style: dict[str, Any] = {
            "marker": "o",
            "markersize": 6,
            "markerfacecolor": SPEED_BAND_COLOURS[band],
            "markeredgecolor": "#111111",
            "markeredgewidth": 0.5,
            "linestyle": "none",
        }
        ax.plot([p[0] for p in points], [p[1] for p in points], zorder=5 + band / 10, **style)
        handles.append(Line2D([], [], label=band_label(band), **style))
    if handles:
        # Below the map, never over the space and its entries.
        ax.set_position((0.0, LEGEND_STRIP, 1.0, 1.0 - LEGEND_STRIP))
        fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=7, frameon=False)
    return png_of(fig)


class SpeedProfileChart:
    """The speed profile of each class's fastest entry: speed against the distance still to go to the
    entry, so that every curve ends at its impact speed on the right.

    One figure for all the spaces of a report, drawn again for each (`png`): making its axes, ticks
    and labels anew cost more than drawing the curves. Make it in the language of the report.
    """

    def __init__(self) -> None:
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(6.5, 3.2), dpi=110)
        self.ax = self.fig.add_subplot()
        self.ax.set_xlabel(_("distance before the entry (m)"))
        self.ax.set_ylabel(_("speed (km/h)"))
        self.ax.grid(alpha=0.3)
        # Fixed margins: `tight_layout` draws the whole figure once more to measure it.
        self.fig.subplots_adjust(**CHART_MARGINS)

    def _clear(self) -> None:
        for line in list(self.ax.lines):
            line.remove()
        legend = self.ax.get_legend()
        if legend is not None:
            legend.remove()
        # The next curves take the colours of a new figure's, first class first.
        self.ax.set_prop_cycle(None)
        self.ax.set_autoscale_on(True)

    def png(self, fastest_by_class: Sequence[dict[str, Any]]) -> bytes:
        self._clear()
        ax = self.ax
        for entry in fastest_by_class:
            profile = [p for p in entry.get("speed_profile") or [] if len(p) >= 2]
            if not profile:
                continue
            total_m = float(profile[-1][0])
            speed = number_format(round(float(entry.get("impact_speed_kmh") or 0.0)), 0)
            label = _("%(vehicle)s (%(label)s), %(speed)s km/h") % {
                "vehicle": entry["vehicle"],
                "label": vehicle_label(entry["vehicle"]),
                "speed": speed,
            }
            ax.plot([float(d) - total_m for d, _v in profile], [float(v) for _d, v in profile], label=label)
        if ax.lines:
            ax.relim()
            ax.autoscale_view()
            ax.set_ylim(bottom=0)
        else:
            # A new figure's limits: the last drawing's must not stay.
            ax.set_xlim(0.0, 1.0)
            ax.set_ylim(0.0, 1.0)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=7)
        return png_of(self.fig)


def speed_profile_png(fastest_by_class: Sequence[dict[str, Any]]) -> bytes:
    """The speed profile chart of one space (`SpeedProfileChart`)."""
    return SpeedProfileChart().png(fastest_by_class)
