"""API endpoints of cities: the caller's cities, one city, and a city's members (admins only)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from pactesur.cities.errors import NotAllowedError, NotFoundError
from pactesur.cities.models import City, Membership, cities_of, has_city_perm, roles_of

router = Router(tags=["cities"])


class CityOut(Schema):
    id: int
    name: str
    slug: str
    country: str
    languages: list[str]
    time_zone: str
    my_roles: list[str]


class MemberOut(Schema):
    user_id: int
    username: str
    email: str
    full_name: str
    role: str
    member_since: datetime.datetime


def _city_out(city: City, request: HttpRequest) -> CityOut:
    return CityOut(
        id=city.pk,
        name=city.name,
        slug=city.slug,
        country=city.country,
        languages=[code.strip() for code in city.languages.split(",") if code.strip()],
        time_zone=city.time_zone,
        my_roles=sorted(roles_of(request.user, city)),
    )


def _city_or_404(request: HttpRequest, city_id: int) -> City:
    city = cities_of(request.user).filter(pk=city_id).first()
    if city is None:
        raise NotFoundError(_("No such city among yours."))
    return city


@router.get("/", response=list[CityOut], summary="The cities you are a member of")
def list_cities(request: HttpRequest) -> list[CityOut]:
    return [_city_out(c, request) for c in cities_of(request.user)]


@router.get("/{city_id}", response=CityOut, summary="One of your cities")
def get_city(request: HttpRequest, city_id: int) -> CityOut:
    return _city_out(_city_or_404(request, city_id), request)


@router.get("/{city_id}/members", response=list[MemberOut], summary="A city's members (administrators only)")
def list_members(request: HttpRequest, city_id: int) -> list[MemberOut]:
    city = _city_or_404(request, city_id)
    if not has_city_perm(request.user, city, "members.manage"):
        raise NotAllowedError(_("Only an administrator of this city can list its members."))
    memberships = Membership.objects.filter(city=city).select_related("user").order_by("user__username")
    return [
        MemberOut(
            user_id=m.user_id,
            username=m.user.get_username(),
            email=m.user.email,
            full_name=m.user.get_full_name(),
            role=m.role,
            member_since=m.created_at,
        )
        for m in memberships
    ]
