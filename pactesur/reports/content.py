"""What the local protection plan and an investment plan's PDF say, section by section.

Each section is read from the app that owns its records — spaces and events, the risk ranking of the
assessments, the approach analyses, the barrier plans and investment plans of the measures app — with
that app's own read functions, in the active language and the city's time zone (`rendered_for`). A
section with nothing to show still has its heading and says so in a sentence. The PDFs are made of
the HTML these contexts render (`pactesur.reports.actions`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pactesur.analysis.results import (
    barrier_rows,
    entry_rows,
    space_analyses,
    space_ranking,
    space_warnings,
    spaces_not_analysed,
)
from pactesur.assessments.library import AttackType
from pactesur.assessments.reports import city_risk_rows, data_uri, export_stamp
from pactesur.cities.models import City
from pactesur.cities.time_zones import city_zone
from pactesur.events.models import Event
from pactesur.measures import charts as measure_charts
from pactesur.measures.barrier_wording import STATE_LABELS
from pactesur.measures.barriers import shown_state, speed_summary
from pactesur.measures.models import BarrierPlan, InvestmentPlan, PlanComputation, PlanStatus
from pactesur.reports import charts
from pactesur.reports.basemap import CityBasemap
from pactesur.reports.pdf import ReportImages, fewer_collections
from pactesur.spaces.models import Space
from pactesur.spaces.naming import by_shown_name, label_namesakes
from pactesur.streets.models import StreetNetwork

# The events of the inventory: those not over yet that start within this many days (a year).
EVENTS_AHEAD_DAYS = 365

# What the engine's judgement of a barrier plan means (`measures.barriers.shown_state`).
ELEMENT_KINDS = {
    "barrier_line": _("barrier line"),
    "speed_reduction": _("speed reduction"),
    "closure": _("closure"),
}
# The sections, in order: the anchor of each and its heading (the cover lists them).
SECTIONS = (
    ("inventory", _("Spaces")),
    ("risk", _("Risk ranking")),
    ("analyses", _("Approach analyses")),
    ("protection", _("Existing protection to verify")),
    ("barrier-plans", _("Barrier plans")),
    ("investment", _("Investment plan")),
    ("reviews", _("Review schedule")),
)


def city_language(city: City) -> str:
    """The first of the city's languages the platform speaks ("fi,sv,en" → en), else the default."""
    offered = {code for code, _name in settings.LANGUAGES}
    for code in (c.strip().lower() for c in city.languages.split(",")):
        for candidate in (code, code.split("-")[0]):
            if candidate in offered:
                return candidate
    return str(settings.LANGUAGE_CODE)


@contextmanager
def rendered_for(city: City, language: str) -> Iterator[None]:
    """Render in `language` and the city's time zone, whatever the caller had active."""
    with translation.override(language), timezone.override(city_zone(city)):
        yield


# --- the sections ---------------------------------------------------------------------------------


def space_inventory(city: City, *, now: datetime.datetime) -> list[dict[str, Any]]:
    """The spaces in use, by name, each with its crowd figures and its events of the coming year."""
    spaces = label_namesakes(by_shown_name(Space.objects.filter(city=city).active()))
    events: dict[int, list[Event]] = {}
    upcoming = (
        Event.objects.filter(
            city=city,
            space__in=[s.pk for s in spaces],
            archived_at__isnull=True,
            ends_at__gt=now,
            starts_at__lt=now + datetime.timedelta(days=EVENTS_AHEAD_DAYS),
        )
        .order_by("starts_at", "pk")
        .only("space_id", "name", "starts_at", "ends_at", "expected_attendance")
    )
    for event in upcoming:
        events.setdefault(event.space_id, []).append(event)
    return [{"space": s, "events": events.get(s.pk, [])} for s in spaces]


def risk_ranking(city: City) -> dict[str, Any]:
    """The city risk summary's ranking and matrix, each space with its top risks in words."""
    ranked, grid, pending = city_risk_rows(city)
    for item in ranked:
        item["tops"] = [
            {"label": AttackType(t.attack_type).label, "score": t.score} for t in item["r"].top_risks
        ]
    return {"ranked": ranked, "grid": grid, "pending": pending}


def _fastest(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    return max(entries, key=lambda e: float(e.get("impact_speed_kmh") or 0.0), default=None)


def approach_analyses(city: City, images: ReportImages | None = None) -> list[dict[str, Any]]:
    """Each space with a current approach analysis, fastest first: its rating per class, warnings,
    the fastest entry of each class, the map of its entries and fastest approach, the speed profiles
    of the fastest entries, and the existing barriers that stop an approach (to verify).

    The images go into `images` (their URLs in the rows), else into the rows as `data:` URIs.
    """
    ranking = space_ranking(city)
    spaces = {s.pk: s for s in Space.objects.filter(pk__in=[r["space_id"] for r in ranking])}
    image_url = images.add if images is not None else data_uri
    # Read once for every map of the city, each given the part near its space.
    basemap: CityBasemap | None = None
    profiles: charts.SpeedProfileChart | None = None
    found = []
    for item in ranking:
        space = spaces.get(item["space_id"])
        if space is None:
            continue
        space.distinguishing_label = item["distinguishing_label"]
        _inputs, analyses = space_analyses(space)
        current = [
            a
            for a in analyses
            if a.current and a.has_result and a.row and a.row.max_impact_speed_kmh is not None
        ]
        if not current:
            continue
        entries = entry_rows(current)
        by_class = []
        for analysis in current:
            fastest = _fastest([e for e in entries if e.get("vehicle") == analysis.vehicle])
            if fastest is not None:
                by_class.append(fastest)
        overall = _fastest(by_class)
        if basemap is None:
            basemap = CityBasemap.of_city(city.pk)
        near = basemap.near(space.polygon, charts.path_near_entry(list((overall or {}).get("path") or [])))
        if by_class and profiles is None:
            profiles = charts.SpeedProfileChart()
        found.append(
            {
                "space": space,
                "ratings": [a.rating() for a in current],
                "warnings": space_warnings(current),
                "fastest_by_class": by_class,
                "map_uri": image_url(charts.approach_map_png(space, entries, fastest=overall, basemap=near)),
                "profile_uri": image_url(profiles.png(by_class)) if profiles is not None and by_class else "",
                "barriers": barrier_rows(current)[0],
            }
        )
    return found


def _open_entries(judgement: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries a refused plan leaves open (or opens), fastest first."""
    left = [e for e in judgement.get("entries", []) if e.get("status") in ("open", "new")]
    return sorted(left, key=lambda e: -float(e.get("impact_speed_after_kmh") or 0.0))


def barrier_plans(city: City) -> list[dict[str, Any]]:
    """The barrier plans of the spaces in use, by space, approved ones first, with the engine's
    judgement: its state, the fastest impact per class before and after, what they cost."""
    plans = list(
        BarrierPlan.objects.filter(city=city, space__archived_at__isnull=True).select_related("space", "city")
    )
    label_namesakes([p.space for p in plans])
    plans.sort(
        key=lambda p: (
            p.space.shown_name.casefold(),
            p.space_id,
            p.status != PlanStatus.APPROVED,
            p.name,
            p.pk,
        )
    )
    rows = []
    for plan in plans:
        state = shown_state(plan)
        kinds: dict[str, int] = {}
        for element in plan.elements or []:
            kind = str(element.get("kind") or "")
            kinds[kind] = kinds.get(kind, 0) + 1
        rows.append(
            {
                "plan": plan,
                "state": state,
                "state_label": STATE_LABELS[state],
                "speeds": speed_summary(plan.judgement) if plan.judgement else [],
                "open_entries": _open_entries(plan.judgement) if state == "refused" else [],
                "elements": [
                    {"label": ELEMENT_KINDS.get(k, k), "count": n} for k, n in sorted(kinds.items())
                ],
                "cost": plan.cost or {},
            }
        )
    return rows


def chosen_investment_plan(city: City) -> InvestmentPlan | None:
    """The city's latest approved investment plan, else its latest computed draft."""
    plans = InvestmentPlan.objects.filter(city=city, computation=PlanComputation.DONE).select_related(
        "approved_by"
    )
    approved = plans.filter(status=PlanStatus.APPROVED).order_by("-approved_at", "-created_at", "-pk").first()
    return approved or plans.filter(status=PlanStatus.DRAFT).order_by("-created_at", "-pk").first()


def investment_plan_section(plan: InvestmentPlan) -> dict[str, Any]:
    """What the plan's page shows, with its frontier chart as an image."""
    result = plan.result or {}
    greedy = (result.get("greedy") or {}).get("residual_risk")
    has_frontier = any(p.get("residual_risk") is not None for p in result.get("frontier", []))
    return {
        "plan": plan,
        "r": result,
        "greedy_extra": round(greedy - result["residual_risk"], 2)
        if greedy is not None and result.get("residual_risk") is not None
        else None,
        "frontier_uri": data_uri(measure_charts.frontier_png(plan)) if has_frontier else "",
    }


def review_schedule(ranked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every assessment of the ranking by its next review: overdue ones first, then the soonest; the
    ones without a date last."""
    rows = [{"assessment": item["r"].assessment, "overdue": item["r"].overdue} for item in ranked]
    return sorted(
        rows,
        key=lambda row: (
            not row["overdue"],
            row["assessment"].review_due is None,
            row["assessment"].review_due or datetime.date.max,
            row["assessment"].space.shown_name.casefold(),
        ),
    )


# --- the documents --------------------------------------------------------------------------------


def protection_plan_context(
    city: City,
    *,
    exported_by: str,
    exported_at: datetime.datetime,
    images: ReportImages | None = None,
) -> dict[str, Any]:
    """Everything the local protection plan shows; call it inside `rendered_for(city, language)`.

    The maps and charts go into `images` (see `approach_analyses`).
    """
    inventory = space_inventory(city, now=exported_at)
    risk = risk_ranking(city)
    analyses = approach_analyses(city, images)
    not_analysed = spaces_not_analysed(city)
    network = StreetNetwork.objects.filter(city=city, is_active=True).first()
    investment = chosen_investment_plan(city)
    # Spaces in use with neither a current analysis nor a reason for none: queued, running, or not
    # run on the current network and parameters yet.
    accounted = {a["space"].pk for a in analyses} | {s["space_id"] for s in not_analysed}
    assessed = {item["r"].assessment.space_id for item in risk["ranked"]} | {
        p.assessment.space_id for p in risk["pending"]
    }
    return {
        "city": city,
        "LANGUAGE_CODE": translation.get_language(),
        "today": timezone.localdate(exported_at),
        "network": network,
        "sections": SECTIONS,
        "inventory": inventory,
        "ranked": risk["ranked"],
        "grid": risk["grid"],
        "not_approved": risk["pending"],
        "analyses": analyses,
        "not_analysed": not_analysed,
        "pending": [row["space"] for row in inventory if row["space"].pk not in accounted] if network else [],
        "unassessed": [row["space"] for row in inventory if row["space"].pk not in assessed],
        "protection": [a for a in analyses if a["barriers"]],
        "barrier_plans": barrier_plans(city),
        "investment": investment_plan_section(investment) if investment is not None else None,
        "reviews": review_schedule(risk["ranked"]),
        "stamp": export_stamp(exported_by, exported_at, city),
        "exported_by": exported_by,
    }


def investment_plan_context(
    plan: InvestmentPlan, *, exported_by: str, exported_at: datetime.datetime
) -> dict[str, Any]:
    """Everything an investment plan's PDF shows: its page's content."""
    return {
        **investment_plan_section(plan),
        "city": plan.city,
        "LANGUAGE_CODE": translation.get_language(),
        "stamp": export_stamp(exported_by, exported_at, plan.city),
        "exported_by": exported_by,
    }


@dataclass(frozen=True)
class ProtectionPlanHtml:
    """The HTML of a local protection plan, the images it names, and how many spaces it lists."""

    html: str
    images: ReportImages
    spaces: int


def protection_plan_html(
    city: City, *, exported_by: str, exported_at: datetime.datetime, language: str | None = None
) -> ProtectionPlanHtml:
    """The HTML of the city's local protection plan in `language` (default: the city's), its images
    and how many spaces it lists."""
    images = ReportImages()
    with rendered_for(city, language or city_language(city)), fewer_collections():
        context = protection_plan_context(
            city, exported_by=exported_by, exported_at=exported_at, images=images
        )
        html = render_to_string("reports/protection_plan.html", context)
    return ProtectionPlanHtml(html=html, images=images, spaces=len(context["inventory"]))


def investment_plan_html(plan: InvestmentPlan, *, exported_by: str, exported_at: datetime.datetime) -> str:
    """The HTML of an investment plan's PDF, in the active language and the city's time zone."""
    with rendered_for(plan.city, translation.get_language() or city_language(plan.city)):
        return render_to_string(
            "reports/investment_plan.html",
            investment_plan_context(plan, exported_by=exported_by, exported_at=exported_at),
        )
