"""API of the measure catalogue: /api/v1/measures/ — the shared types and the city's own, read-only."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from pactesur.cities.models import cities_where, is_network_expert
from pactesur.measures.library import CostUnit, MeasureFamily, MeasureKind, Permanence
from pactesur.measures.models import MeasureType

router = Router(tags=["measures"])


class EffectOut(Schema):
    probability: float
    consequence: float


class MeasureTypeOut(Schema):
    id: int
    code: str
    city: int | None = Field(None, description="The city whose own type it is; null in the shared catalogue")
    name: str = Field(..., description="In the language of Accept-Language for the seeded types")
    family: MeasureFamily
    kind: MeasureKind | None
    description: str
    rating: str = Field(..., description="ISO 22343-1 / IWA 14-1 / PAS 68 form, or empty")
    element_width_m: float | None
    cost_min_eur: int | None
    cost_max_eur: int | None
    cost_unit: CostUnit
    costs_estimated: bool = Field(..., description="True while the costs are the platform's estimates")
    maintenance_eur_per_year: int | None
    installation_days: int | None
    permanence: Permanence
    integration: dict[str, int] = Field(..., description="0–5 per security-by-design principle")
    integration_score: float | None
    effects: dict[str, EffectOut] = Field(
        ..., description="Share of each attack type's ratings removed (0–1)"
    )
    effects_assumed: bool
    source: str


def _out(m: MeasureType) -> dict[str, Any]:
    return {
        "id": m.pk,
        "code": m.code,
        "city": m.city_id,
        "name": m.display_name,
        "family": m.family,
        "kind": m.kind or None,
        "description": m.description,
        "rating": m.rating,
        "element_width_m": float(m.element_width_m) if m.element_width_m is not None else None,
        "cost_min_eur": m.cost_min_eur,
        "cost_max_eur": m.cost_max_eur,
        "cost_unit": m.cost_unit,
        "costs_estimated": m.costs_estimated,
        "maintenance_eur_per_year": m.maintenance_eur_per_year,
        "installation_days": m.installation_days,
        "permanence": m.permanence,
        "integration": m.integration or {},
        "integration_score": m.integration_score,
        "effects": m.effects or {},
        "effects_assumed": m.assumption,
        "source": m.source,
    }


def _readable(request: HttpRequest) -> list[int]:
    """The cities whose own types the user reads; 403 for someone who reads no catalogue at all."""
    cities = cities_where(request.user, "measure.view")
    if not cities and not is_network_expert(request.user):
        raise HttpError(403, "You are not a member of any city.")
    return cities


@router.get("/", response=list[MeasureTypeOut], summary="The catalogue: shared types and your cities' own")
def list_types(
    request: HttpRequest, city: int | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """The shared types and the own types of the cities you belong to (`city` to keep one city's own)."""
    cities = _readable(request)
    if city is not None and city not in cities:
        raise Http404
    own = [city] if city is not None else cities
    types = MeasureType.objects.filter(city__isnull=True) | MeasureType.objects.filter(city_id__in=own)
    if kind:
        types = types.filter(kind=kind)
    return [_out(m) for m in types.order_by("family", "order", "code")]


@router.get("/{type_id}", response=MeasureTypeOut, summary="One type of the catalogue")
def get_type(request: HttpRequest, type_id: int) -> dict[str, Any]:
    """A shared type, or an own type of one of your cities (any other id is 404, as on the pages)."""
    measure = MeasureType.objects.filter(pk=type_id).first()
    if measure is None or (
        measure.city_id is not None and measure.city_id not in cities_where(request.user, "measure.view")
    ):
        raise Http404
    if measure.city_id is None:
        _readable(request)
    return _out(measure)
