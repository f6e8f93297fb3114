"""Every change to cities goes through these functions."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import City, has_city_perm
from pactesur.cities.time_zones import default_time_zone

# The audit row's user name of a change made from the command line (no acting user).
CLI_USERNAME = "cli"


def do_create_city(
    *,
    acting_user: Any,
    name: str,
    slug: str,
    country: str,
    languages: str = "en",
    time_zone: str | None = None,
    near: tuple[float, float] | None = None,
) -> City:
    """Create a city; `acting_user` None is the command line (recorded as "cli").

    Only a superuser creates a city from the web: a city administrator is made a member of an
    existing city, never of one they created themselves. Without `time_zone`, the city takes its
    country's (`pactesur.cities.time_zones`; in a country of several, the one nearest `near`).

    Raises InvalidRequestError for a missing name, a slug already taken, a country that is not a
    two-letter code or an unknown time zone; NotAllowedError for anyone but a superuser.
    """
    if acting_user is not None and not getattr(acting_user, "is_superuser", False):
        raise NotAllowedError(_("Only a platform administrator can create a city."))
    name, slug, country = name.strip(), slug.strip().lower(), country.strip()
    if not name:
        raise InvalidRequestError(_("Give the city a name."))
    if not slug or slug != slugify(slug):
        raise InvalidRequestError(
            _("“%(slug)s” is not a short name: use lower-case letters, digits and hyphens.") % {"slug": slug}
        )
    if len(country) != 2 or not country.isalpha():
        raise InvalidRequestError(
            _("The country must be a two-letter ISO code such as FI, not “%(country)s”.")
            % {"country": country}
        )
    if time_zone is None:
        # The country's zone (for a country of several, the one nearest `near`, a lon/lat).
        time_zone = default_time_zone(country, near=near)
        if time_zone is None:
            raise InvalidRequestError(
                _("No time zone is known for the country “%(country)s”: choose one.")
                % {"country": country.upper()}
            )
    if time_zone not in zoneinfo.available_timezones():
        raise InvalidRequestError(_("“%(zone)s” is not a known time zone.") % {"zone": time_zone})
    with transaction.atomic():
        if City.objects.filter(slug=slug).exists():
            raise InvalidRequestError(
                _("A city with the short name “%(slug)s” exists already.") % {"slug": slug}
            )
        city = City.objects.create(
            name=name, slug=slug, country=country.upper(), languages=languages, time_zone=time_zone
        )
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            city=city,
            obj=city,
            detail={"slug": slug, "country": city.country, "languages": languages, "time_zone": time_zone},
            username="" if acting_user is not None else CLI_USERNAME,
        )
    return city


def do_set_two_factor_required(
    city: City, required: bool, *, acting_user: Any, request: HttpRequest | None = None
) -> City:
    """Require (or stop requiring) two-factor log-in of the city's administrators and security managers.

    Those of them without it are sent to set it up at their next request
    (pactesur.accounts.middleware.TwoFactorRequiredMiddleware). Only a city administrator decides.
    """
    if not has_city_perm(acting_user, city, "city.edit"):
        raise NotAllowedError(_("Only an administrator of this city can change its settings."))
    with transaction.atomic():
        locked = City.objects.select_for_update().get(pk=city.pk)
        if locked.two_factor_required == required:
            return locked
        locked.two_factor_required = required
        locked.save(update_fields=["two_factor_required"])
        do_record_audit(
            AuditAction.TWO_FACTOR,
            acting_user=acting_user,
            city=locked,
            obj=locked,
            detail={"event": "city_requirement", "required": required},
            request=request,
        )
    return locked


def do_set_population(
    city: City, population: int | None, *, acting_user: Any, request: HttpRequest | None = None
) -> City:
    """Record the city's population (what an anonymised record of its field experience tells of it)."""
    if not has_city_perm(acting_user, city, "city.edit"):
        raise NotAllowedError(_("Only an administrator of this city can change its settings."))
    if population is not None and population < 0:
        raise InvalidRequestError(_("A population cannot be negative."))
    with transaction.atomic():
        locked = City.objects.select_for_update().get(pk=city.pk)
        if locked.population == population:
            return locked
        before = locked.population
        locked.population = population
        locked.save(update_fields=["population"])
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            city=locked,
            obj=locked,
            detail={"fields": ["population"], "before": before, "after": population},
            request=request,
        )
    return locked
