"""Permission matrix rows of the analysis app: every page and API call × every role."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import MatrixRow, api_row, current_city_statuses, statuses

FULL = ("admin", "security")
SUMMARY = ("admin", "security", "planner")
RUN = ("admin", "security")


def _analysed(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """A space of Nice with an analysis on an active network, and a speed map, without the engine."""
    from tests.analysis.factories import make_analysis, make_speed_map
    from tests.spaces.helpers import make_space
    from tests.streets.factories import StreetNetworkFactory

    network = StreetNetworkFactory(city=city)
    space = make_space(city, None)
    make_analysis(space, network)
    make_speed_map(network, "N3F")
    return {"space": space, "network": network}


def _space_url(suffix: str) -> Any:
    return lambda s: f"/analysis/spaces/{s['space'].pk}/{suffix}"


# Pages about the current city: another city's admin sees their own city; no city → 403.
CITY_SUMMARY = current_city_statuses(SUMMARY)
# Liège has no network: its admin is told so and sent back to the page.
CITY_RUN = current_city_statuses(RUN, ok=302)

ROWS: list[MatrixRow] = [
    MatrixRow("analysis city", "GET", lambda s: "/analysis/", CITY_SUMMARY, _analysed),
    MatrixRow("analysis city run", "POST", lambda s: "/analysis/run/", CITY_RUN, _analysed),
    MatrixRow(
        "analysis city speeds",
        "GET",
        lambda s: f"/analysis/{s['city'].pk}/speeds/N3F.json",
        statuses(FULL),
        _analysed,
    ),
    MatrixRow(
        "analysis city speeds csv",
        "GET",
        lambda s: f"/analysis/{s['city'].pk}/speeds/N3F.csv",
        statuses(FULL),
        _analysed,
    ),
    MatrixRow("analysis space", "GET", _space_url(""), statuses(SUMMARY), _analysed),
    MatrixRow("analysis space status", "GET", _space_url("status.json"), statuses(SUMMARY), _analysed),
    MatrixRow("analysis space run", "POST", _space_url("run/"), statuses(RUN, ok=302), _analysed),
    MatrixRow("analysis space export json", "GET", _space_url("export.json"), statuses(FULL), _analysed),
    MatrixRow(
        "analysis space export geojson", "GET", _space_url("export.geojson"), statuses(FULL), _analysed
    ),
    api_row(
        "api analysis space", "GET", lambda s: f"/api/v1/analysis/spaces/{s['space'].pk}", SUMMARY, _analysed
    ),
    api_row(
        "api analysis space run",
        "POST",
        lambda s: f"/api/v1/analysis/spaces/{s['space'].pk}/run",
        RUN,
        _analysed,
        ok=202,
    ),
    api_row(
        "api analysis city speeds",
        "GET",
        lambda s: f"/api/v1/analysis/cities/{s['city'].pk}/speeds",
        FULL,
        _analysed,
    ),
]
