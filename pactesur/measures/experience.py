"""Field experience read for the network: recorded costs per catalogue type, and the shared records
as another city reads them (anonymised to the city's size band and the space's kind when the sharing
city chose so). Only records their city shared count; a city's own unshared records stay its own."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, ngettext

from pactesur.measures.models import InstalledMeasure, MeasureType

SIZE_NAMES = {
    "small": gettext_lazy("a town under 50,000 inhabitants"),
    "medium": gettext_lazy("a city of 50,000 to 250,000 inhabitants"),
    "large": gettext_lazy("a city of 250,000 to a million inhabitants"),
    "metropolis": gettext_lazy("a city of more than a million inhabitants"),
    "": gettext_lazy("a city of the network"),
}


@dataclass(frozen=True)
class CostFigures:
    """The unit costs the network recorded for one type: how many, their median and range, in €."""

    count: int
    median_eur: float
    low_eur: float
    high_eur: float


@dataclass(frozen=True)
class SharedRecord:
    """One shared installation as the network reads it."""

    city: str
    space: str
    year: int
    unit_cost_eur: float | None
    supplier: str
    rating: str
    certificate: bool
    incidents: int
    maintenance: int
    acceptance: float | None


def _shared() -> Iterable[InstalledMeasure]:
    return InstalledMeasure.objects.filter(shared=True)


def recorded_costs(types: Iterable[MeasureType]) -> dict[int, CostFigures]:
    """The network's recorded unit costs of each of `types` that has any (shared records only)."""
    ids = [t.pk for t in types]
    costs: dict[int, list[float]] = defaultdict(list)
    rows = InstalledMeasure.objects.filter(shared=True, measure_type_id__in=ids).values_list(
        "measure_type_id", "total_cost_eur", "quantity"
    )
    for type_id, total, quantity in rows:
        if quantity:
            costs[type_id].append(total / float(quantity))
    return {
        type_id: CostFigures(len(values), statistics.median(values), min(values), max(values))
        for type_id, values in costs.items()
    }


def shared_records(measure: MeasureType) -> list[SharedRecord]:
    """The installations of `measure` that cities shared, newest first, anonymised as each city chose."""
    rows = (
        InstalledMeasure.objects.filter(shared=True, measure_type=measure)
        .select_related("city", "space")
        .annotate(
            incidents=Count("feedback", filter=Q(feedback__kind="incident")),
            maintenance=Count("feedback", filter=Q(feedback__kind="maintenance")),
            mean_acceptance=Avg("feedback__acceptance"),
        )
        .order_by("-installed_on", "-id")
    )
    records = []
    for row in rows:
        if row.anonymised:
            city = str(SIZE_NAMES.get(row.city.size_band, SIZE_NAMES[""]))
            space = str(row.space.kind_label)
        else:
            city, space = row.city.name, row.space.shown_name
        records.append(
            SharedRecord(
                city=city,
                space=space,
                year=row.installed_on.year,
                unit_cost_eur=row.unit_cost_eur,
                supplier=row.get_supplier_kind_display(),
                rating=row.rating,
                certificate=bool(row.certificate),
                incidents=row.incidents,
                maintenance=row.maintenance,
                acceptance=round(row.mean_acceptance, 1) if row.mean_acceptance is not None else None,
            )
        )
    return records


def describe(figures: CostFigures | None) -> str:
    """ "median 4,200 € (3,100–6,000 €, 5 records)" in the active language, or "" without records."""
    if figures is None:
        return ""
    text = ngettext(
        "median %(median)s € (%(low)s–%(high)s €, %(count)s record)",
        "median %(median)s € (%(low)s–%(high)s €, %(count)s records)",
        figures.count,
    )
    return text % {
        "median": number_format(figures.median_eur, 0, force_grouping=True),
        "low": number_format(figures.low_eur, 0, force_grouping=True),
        "high": number_format(figures.high_eur, 0, force_grouping=True),
        "count": figures.count,
    }
