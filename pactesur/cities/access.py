"""View helpers built on the one tenancy mechanism: fetch through `.for_user()`, 404 outside, 403 inside.

A person of city A who guesses an id of city B must get a 404, never the record; a member of the
record's city whose role does not allow the action gets a 403. `get_city_object_or_404` gives both.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from pactesur.cities.models import City, has_city_perm

View = Callable[..., HttpResponse]


def get_city_object_or_404(queryset: Any, user: Any, action: str, **lookup: Any) -> Any:
    """The record matching `lookup` in one of `user`'s cities (else 404); 403 if the role lacks `action`."""
    # `queryset` is a CityOwnedQuerySet or the manager of a CityOwned model.
    obj = get_object_or_404(queryset.for_user(user, "city.view"), **lookup)
    if not has_city_perm(user, obj.city_id, action):
        raise PermissionDenied
    return obj


def current_city_or_403(request: HttpRequest, action: str) -> City:
    """The request's city (see `CurrentCityMiddleware`), if the user may do `action` there; else 403."""
    city: City | None = getattr(request, "city", None)
    if city is None:
        raise PermissionDenied(_("You are not a member of any city."))
    if not has_city_perm(request.user, city, action):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    return city


def city_permission_required(action: str) -> Callable[[View], View]:
    """Decorate a view acting on `request.city`: log-in required, then 403 unless the role allows `action`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            current_city_or_403(request, action)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
