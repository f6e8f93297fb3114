"""Who sees and who edits which part of the catalogue.

The shared catalogue (types without a city) is the network's: every member of a city and every
network expert reads it, only network experts edit it. A city's own types are read by its members and
edited by those who design or secure its spaces (`measure.edit`); to anyone else they do not exist
(404, as every city record).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from pactesur.cities.models import City, cities_where, has_city_perm, is_network_expert
from pactesur.measures.models import MeasureType, MeasureTypeQuerySet


def catalogue_city(request: HttpRequest) -> City | None:
    """The city whose own types the user sees beside the shared ones: the current city if the user may
    read measures there, None for a network expert without one; 403 for anyone else."""
    city: City | None = getattr(request, "city", None)
    if city is not None and has_city_perm(request.user, city, "measure.view"):
        return city
    if is_network_expert(request.user):
        return None
    raise PermissionDenied(_("Your role in this city does not allow this."))


def visible_types(city: City | None) -> MeasureTypeQuerySet:
    """The shared types and `city`'s own."""
    return MeasureType.objects.for_city(city)


def may_edit(user: Any, measure: MeasureType) -> bool:
    if measure.city_id is None:
        return is_network_expert(user)
    return has_city_perm(user, measure.city_id, "measure.edit")


def may_add(user: Any, city: City | None) -> bool:
    """May `user` add a type to `city`'s own types (or, with `city` None, to the shared catalogue)?"""
    if city is None:
        return is_network_expert(user)
    return has_city_perm(user, city, "measure.edit")


def type_or_404(request: HttpRequest, pk: int, *, edit: bool = False) -> MeasureType:
    """The type `pk` if the user may see it (a city's own type only to its members: 404 to anyone
    else), and edit it when `edit` (403 otherwise)."""
    measure = MeasureType.objects.filter(pk=pk).select_related("city").first()
    if measure is None or (
        measure.city_id is not None and measure.city_id not in cities_where(request.user, "measure.view")
    ):
        raise Http404
    if measure.city_id is None:
        catalogue_city(request)  # the shared catalogue: city members and network experts only
    if edit and not may_edit(request.user, measure):
        raise PermissionDenied(
            _("Only network experts edit the shared catalogue.")
            if measure.city_id is None
            else _("Your role in this city does not allow this.")
        )
    return measure
