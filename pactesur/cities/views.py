"""Pages of the cities app: home (the current city's overview, or a network expert's shared work), the city
switcher and the city's settings."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pactesur.accounts.reauth import reauth_redirect
from pactesur.cities import shared_work
from pactesur.cities.access import city_permission_required
from pactesur.cities.actions import do_set_population, do_set_two_factor_required
from pactesur.cities.errors import DomainError
from pactesur.cities.forms import CitySettingsForm
from pactesur.cities.middleware import SESSION_KEY
from pactesur.cities.models import City, cities_of, has_city_perm, is_network_expert


def _model(app_label: str, name: str) -> Any:
    """A model of another app, or None while that app does not define it yet."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _count(app_label: str, name: str, user: Any, city: City) -> int | None:
    model = _model(app_label, name)
    if model is None or not hasattr(model.objects, "for_user"):
        return None
    found = model.objects.for_user(user, city=city)
    # Archived records are history: the home page counts what is in use.
    if hasattr(found, "active"):
        found = found.active()
    return int(found.count())


def _current_network(user: Any, city: City) -> Any:
    """The city's active street network (the newest when none is marked active), or None."""
    model = _model("streets", "StreetNetwork")
    if model is None or not has_city_perm(user, city, "network.view"):
        return None
    qs = model.objects.filter(city=city)
    field_names = {f.name for f in model._meta.get_fields()}
    found = qs.filter(is_active=True).order_by("-pk").first() if "is_active" in field_names else None
    if found is None:
        found = qs.order_by("-pk").first()
    if found is not None:
        found.city = city  # the page names it with its city ("Helsinki v1 …"): no query to read it again
    return found


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The current city's overview; a network expert's home is the network's shared work."""
    city: City | None = request.city  # type: ignore[attr-defined]
    context: dict[str, Any] = {"city": city}
    if city is not None:
        context |= {
            "space_count": _count("spaces", "Space", request.user, city),
            "event_count": _count("events", "Event", request.user, city),
            "network": _current_network(request.user, city),
        }
    elif is_network_expert(request.user):
        context |= {
            "attacks": shared_work.attack_rows(),
            "scales": shared_work.scale_rows(),
            "measures": shared_work.measure_rows(),
            "counts": shared_work.network_counts(),
        }
        return render(request, "cities/expert_home.html", context)
    return render(request, "cities/home.html", context)


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    """Make one of the user's cities the current one; any other city is a 404."""
    try:
        city_id = int(request.POST.get("city", ""))
    except ValueError:
        raise Http404 from None
    city = cities_of(request.user).filter(pk=city_id).first()
    if city is None:
        raise Http404
    request.session[SESSION_KEY] = city.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "home")


@require_http_methods(["GET", "POST"])
@city_permission_required("city.edit")
def city_settings(request: HttpRequest) -> HttpResponse:
    """The current city's settings, for its administrators: whether it requires two-factor log-in.

    Saving needs a recent password confirmation, as role changes do: the setting decides how
    administrators and security managers log in.
    """
    city: City = request.city  # type: ignore[attr-defined]
    form = CitySettingsForm(
        request.POST or None,
        initial={"two_factor_required": city.two_factor_required, "population": city.population},
    )
    if request.method == "POST" and form.is_valid():
        confirm = reauth_redirect(request, fallback="cities:settings")
        if confirm is not None:
            return confirm
        try:
            city = do_set_two_factor_required(
                city, form.cleaned_data["two_factor_required"], acting_user=request.user, request=request
            )
            do_set_population(
                city, form.cleaned_data["population"], acting_user=request.user, request=request
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The settings of %(city)s are saved.") % {"city": city.name})
            return redirect("cities:settings")
    status = 400 if form.is_bound else 200
    return render(request, "cities/settings.html", {"form": form, "city": city}, status=status)
