"""Pages of spaces: list with map, city map, detail, create/edit with drawing or upload, delete, exports."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pactesur.cities.access import current_city_or_403
from pactesur.cities.models import City, has_city_perm
from pactesur.events.models import Event
from pactesur.spaces.actions import do_create_space, do_delete_space, do_export_spaces, do_update_space
from pactesur.spaces.forms import SpaceFilterForm, SpaceForm
from pactesur.spaces.geometry import display_outline
from pactesur.spaces.models import Space


@contextmanager
def city_time(city: City) -> Iterator[None]:
    """Read and show dates in the city's own time zone."""
    try:
        zone = zoneinfo.ZoneInfo(city.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with timezone.override(zone):
        yield


def space_or_404(request: HttpRequest, pk: int, action: str | None = None) -> Space:
    """The space `pk` if the user may see it (404 otherwise), and may do `action` on it (403 otherwise)."""
    space: Space = get_object_or_404(
        Space.objects.for_user(request.user, "space.view").select_related("city"), pk=pk
    )
    if action and not has_city_perm(request.user, space.city_id, action):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    return space


def basemap_url(city: City) -> str:
    """URL of the city's base map (streets app); empty when that page does not exist."""
    try:
        return reverse("streets:basemap", args=[city.pk])
    except NoReverseMatch:
        return ""


def _map_labels() -> dict[str, str]:
    """Words of the map's controls, translated here because the scripts are static files."""
    return {
        "buildings": _("Buildings"),
        "water": _("Water"),
        "green": _("Green areas"),
        "streets": _("Streets"),
        "drawPolygon": _("Draw the outline"),
        "drawRectangle": _("Draw a rectangle"),
        "finish": _("Finish"),
        "cancel": _("Cancel"),
        "undo": _("Delete last point"),
        "startPolygon": _("Click to start drawing the outline."),
        "continuePolygon": _("Click to continue the outline."),
        "endPolygon": _("Click the first point to close the outline."),
        "crossing": _("<strong>Error:</strong> the edges of the outline cannot cross!"),
        "editShape": _("Reshape the outline"),
        "removeShape": _("Remove the outline"),
        "save": _("Save"),
        "editHint": _("Drag the corners to reshape the outline."),
    }


def map_data(city: City, spaces: list[Space], *, focus: Space | None = None) -> dict[str, Any]:
    """What the page scripts read from the page (json_script): base map and space outlines, simplified
    for display (the edit form carries the stored outline)."""
    features = [
        {
            "type": "Feature",
            "geometry": display_outline(s.polygon),
            "properties": {
                "id": s.pk,
                "name": s.name,
                "kind": s.get_kind_display(),
                "url": reverse("spaces:detail", args=[s.pk]),
                "focus": focus is not None and s.pk == focus.pk,
            },
        }
        for s in spaces
    ]
    return {
        "basemapUrl": basemap_url(city),
        "spaces": {"type": "FeatureCollection", "features": features},
        "labels": _map_labels(),
    }


@login_required
def space_list(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.view")
    spaces = Space.objects.for_user(request.user, "space.view", city=city)
    filters = SpaceFilterForm(request.GET or None)
    sort = "name"
    if filters.is_valid():
        if filters.cleaned_data["q"]:
            words = filters.cleaned_data["q"].split()
            query = Q()
            for word in words:
                query &= Q(name__icontains=word)
            spaces = spaces.filter(query)
        if filters.cleaned_data["kind"]:
            spaces = spaces.filter(kind=filters.cleaned_data["kind"])
        sort = filters.cleaned_data["sort"] or "name"
    rows = list(spaces.order_by(SpaceFilterForm.SORTS.get(sort, "name"), "name", "id"))
    return render(
        request,
        "spaces/list.html",
        {
            "city": city,
            "spaces": rows,
            "filters": filters,
            "map_data": map_data(city, rows),
            "can_edit": has_city_perm(request.user, city, "space.edit"),
            "can_export": has_city_perm(request.user, city, "space.export"),
        },
    )


@login_required
def space_map(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.view")
    spaces = list(Space.objects.for_user(request.user, "space.view", city=city))
    return render(request, "spaces/map.html", {"city": city, "map_data": map_data(city, spaces)})


@login_required
def space_detail(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk)
    events = list(
        Event.objects.for_user(request.user, "event.view").filter(space=space).order_by("starts_at")
    )
    now = timezone.now()
    with city_time(space.city):
        return render(
            request,
            "spaces/detail.html",
            {
                "city": space.city,
                "space": space,
                "upcoming": [e for e in events if e.ends_at >= now],
                "past": [e for e in events if e.ends_at < now],
                "map_data": map_data(space.city, [space], focus=space),
                "can_edit": has_city_perm(request.user, space.city_id, "space.edit"),
                "can_add_event": has_city_perm(request.user, space.city_id, "event.edit"),
            },
        )


def _edit_page(request: HttpRequest, form: SpaceForm, city: City, space: Space | None) -> HttpResponse:
    others = list(
        Space.objects.for_user(request.user, "space.view", city=city).exclude(pk=getattr(space, "pk", None))
    )
    data = map_data(city, others)
    return render(
        request,
        "spaces/form.html",
        {"city": city, "space": space, "form": form, "map_data": data},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def space_create(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.edit")
    form = SpaceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            space = do_create_space(city, acting_user=request.user, request=request, **form.action_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Space “%(name)s” created.") % {"name": space.name})
            return redirect("spaces:detail", pk=space.pk)
    return _edit_page(request, form, city, None)


@login_required
@require_http_methods(["GET", "POST"])
def space_edit(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "space.edit")
    form = SpaceForm(request.POST or None, request.FILES or None, instance=space)
    if request.method == "POST" and form.is_valid():
        # The ModelForm already copied the cleaned values onto `space`; start again from the database
        # so the action sees the real changes.
        space = space_or_404(request, pk, "space.edit")
        try:
            do_update_space(space, acting_user=request.user, request=request, **form.action_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Space “%(name)s” saved.") % {"name": space.name})
            return redirect("spaces:detail", pk=space.pk)
    return _edit_page(request, form, space.city, space)


@login_required
@require_http_methods(["GET", "POST"])
def space_delete(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "space.edit")
    if request.method == "POST":
        name = space.name
        do_delete_space(space, acting_user=request.user, request=request)
        messages.success(request, _("Space “%(name)s” deleted.") % {"name": name})
        return redirect("spaces:list")
    return render(
        request,
        "spaces/confirm_delete.html",
        {"city": space.city, "space": space, "events": space.events.count()},
    )


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_geojson(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.export")
    content = do_export_spaces(city, acting_user=request.user, file_format="geojson", request=request)
    return _download(content, "application/geo+json", f"{city.slug}-spaces.geojson")


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.export")
    content = do_export_spaces(city, acting_user=request.user, file_format="csv", request=request)
    return _download(content, "text/csv; charset=utf-8", f"{city.slug}-spaces.csv")
