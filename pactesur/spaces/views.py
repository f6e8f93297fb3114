"""Pages of spaces: list with map, city map, detail, create/edit with drawing or upload, archive and
restore, removal for good (administrators), exports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactesur.accounts.reauth import require_recent_auth
from pactesur.audit.details import record_count_label
from pactesur.cities.access import current_city_or_403
from pactesur.cities.errors import DomainError
from pactesur.cities.models import City, has_city_perm
from pactesur.cities.time_zones import city_zone
from pactesur.events.models import Event
from pactesur.spaces.actions import (
    do_archive_space,
    do_create_space,
    do_export_spaces,
    do_purge_space,
    do_restore_space,
    do_update_space,
    space_removal,
)
from pactesur.spaces.forms import SpaceFilterForm, SpaceForm
from pactesur.spaces.models import Space
from pactesur.spaces.naming import by_shown_name, label_namesakes
from pactesur.spaces.removal import RecordGroup, dependents_of


@contextmanager
def city_time(city: City) -> Iterator[None]:
    """Read and show dates in the city's own time zone."""
    with timezone.override(city_zone(city)):
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
            "geometry": s.display_polygon,
            "properties": {
                "id": s.pk,
                "name": s.display_name,
                "kind": s.kind_label,
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


@require_GET
@login_required
def space_list(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.view")
    visible = Space.objects.for_user(request.user, "space.view", city=city)
    spaces = visible.active()
    filters = SpaceFilterForm(request.GET or None)
    sort = "name"
    words: list[str] = []
    if filters.is_valid():
        words = [word.casefold() for word in filters.cleaned_data["q"].split()]
        if filters.cleaned_data["kind"]:
            spaces = spaces.filter(kind=filters.cleaned_data["kind"])
        sort = filters.cleaned_data["sort"] or "name"
    if sort in ("name", "-name"):
        found = by_shown_name(spaces, reverse=sort == "-name")
    else:
        found = list(spaces.order_by(SpaceFilterForm.SORTS.get(sort, "name"), "name", "id"))
    # Words and order are those of the names people read: a space the import found unnamed goes by
    # its label in the reader's language ("Place sans nom (chemin 123)"), not by its empty name.
    rows = label_namesakes([s for s in found if all(w in s.shown_name.casefold() for w in words)])
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
            "archived_count": visible.archived().count(),
        },
    )


@require_GET
@login_required
def archived_list(request: HttpRequest) -> HttpResponse:
    """The city's archived spaces: readable, restorable by those who edit spaces, removable by admins."""
    city = current_city_or_403(request, "space.view")
    spaces = (
        Space.objects.for_user(request.user, "space.view", city=city)
        .archived()
        .select_related("archived_by")
        .order_by("-archived_at", "name", "id")
    )
    with city_time(city):
        return render(
            request,
            "spaces/archived.html",
            {
                "city": city,
                "spaces": label_namesakes(list(spaces)),
                "can_edit": has_city_perm(request.user, city, "space.edit"),
                "can_purge": has_city_perm(request.user, city, "space.purge"),
            },
        )


@require_GET
@login_required
def space_map(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.view")
    spaces = label_namesakes(list(Space.objects.for_user(request.user, "space.view", city=city).active()))
    return render(request, "spaces/map.html", {"city": city, "map_data": map_data(city, spaces)})


@require_GET
@login_required
def space_detail(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk)
    events = list(
        Event.objects.for_user(request.user, "event.view")
        .filter(space=space, archived_at__isnull=True)
        .order_by("starts_at")
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
                "can_purge": has_city_perm(request.user, space.city_id, "space.purge"),
                "can_add_event": has_city_perm(request.user, space.city_id, "event.edit")
                and not space.is_archived,
            },
        )


def _edit_page(request: HttpRequest, form: SpaceForm, city: City, space: Space | None) -> HttpResponse:
    others = list(
        Space.objects.for_user(request.user, "space.view", city=city)
        .active()
        .exclude(pk=getattr(space, "pk", None))
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
            messages.success(request, _("Space “%(name)s” created.") % {"name": space.display_name})
            return redirect("spaces:detail", pk=space.pk)
    return _edit_page(request, form, city, None)


@login_required
@require_http_methods(["GET", "POST"])
def space_edit(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "space.edit")
    if space.is_archived:
        messages.error(request, _("This space is archived: restore it before changing it."))
        return redirect("spaces:detail", pk=space.pk)
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
            messages.success(request, _("Space “%(name)s” saved.") % {"name": space.display_name})
            return redirect("spaces:detail", pk=space.pk)
    return _edit_page(request, form, space.city, space)


_ASSESSMENT_TYPES = (
    "assessments.assessment",
    "assessments.assessmentversion",
    "assessments.scenario",
    "assessments.existingmeasure",
)


def _kept_for(request: HttpRequest, space: Space) -> list[str]:
    """What archiving keeps, in words, limited to what the user may read: a planner archiving a space
    learns nothing of its restricted assessment or analyses (the audit row lists everything)."""
    readable = {"events.event"}
    if has_city_perm(request.user, space.city_id, "assessment.view"):
        readable.update(_ASSESSMENT_TYPES)
    if has_city_perm(request.user, space.city_id, "analysis.view"):
        readable.add("analysis.approachanalysis")
    return [record_count_label(g.type, g.count) for g in dependents_of(space) if g.type in readable]


@require_http_methods(["GET", "POST"])
@login_required
def space_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive a space after confirmation: it leaves lists, maps, rankings and exports; nothing is deleted."""
    space = space_or_404(request, pk, "space.edit")
    if request.method == "POST":
        do_archive_space(space, acting_user=request.user, request=request)
        messages.success(
            request,
            _("Space “%(name)s” archived: everything linked to it is kept, and it can be restored.")
            % {"name": space.display_name},
        )
        return redirect("spaces:list")
    if space.is_archived:
        return redirect("spaces:detail", pk=space.pk)
    return render(
        request,
        "spaces/confirm_archive.html",
        {"city": space.city, "space": space, "kept": _kept_for(request, space)},
    )


@require_POST
@login_required
def space_restore(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "space.edit")
    do_restore_space(space, acting_user=request.user, request=request)
    messages.success(request, _("Space “%(name)s” restored.") % {"name": space.display_name})
    return redirect("spaces:detail", pk=space.pk)


def removal_rows(groups: tuple[RecordGroup, ...]) -> list[dict[str, Any]]:
    """The records a removal takes, for the confirmation page: words, count and ids by type."""
    return [{"label": record_count_label(g.type, g.count), "type": g.type, "ids": g.ids} for g in groups]


@require_http_methods(["GET", "POST"])
@login_required
@require_recent_auth  # removing records for good: the password again, as for exports
def space_purge(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an archived space for good (administrators): the page names every record that goes."""
    space = space_or_404(request, pk, "space.purge")
    if not space.is_archived:
        messages.error(request, _("Archive the space before removing it for good."))
        return redirect("spaces:detail", pk=space.pk)
    error = ""
    if request.method == "POST":
        name = space.display_name
        try:
            removal = do_purge_space(
                space,
                acting_user=request.user,
                expected_digest=request.POST.get("digest", ""),
                request=request,
            )
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Space “%(name)s” removed for good with %(n)d record that depended on it.",
                    "Space “%(name)s” removed for good with %(n)d records that depended on it.",
                    removal.count - 1,
                )
                % {"name": name, "n": removal.count - 1},
            )
            return redirect("spaces:archived")
    removal = space_removal(space)
    return render(
        request,
        "spaces/confirm_purge.html",
        {
            "city": space.city,
            "space": space,
            "removal": removal,
            "rows": removal_rows(removal.groups),
            "error": error,
        },
        status=409 if error else 200,
    )


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
@require_recent_auth
def export_geojson(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.export")
    content = do_export_spaces(city, acting_user=request.user, file_format="geojson", request=request)
    return _download(content, "application/geo+json", f"{city.slug}-spaces.geojson")


@require_GET
@login_required
@require_recent_auth
def export_csv(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.export")
    content = do_export_spaces(city, acting_user=request.user, file_format="csv", request=request)
    return _download(content, "text/csv; charset=utf-8", f"{city.slug}-spaces.csv")
