"""Pages of events: upcoming and past list, detail, create/edit on a space, archive and restore,
removal for good (administrators), CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactesur.accounts.reauth import require_recent_auth
from pactesur.cities.access import current_city_or_403
from pactesur.cities.errors import DomainError
from pactesur.cities.models import has_city_perm
from pactesur.events.actions import (
    do_archive_event,
    do_create_event,
    do_export_events,
    do_purge_event,
    do_restore_event,
    do_update_event,
    event_removal,
)
from pactesur.events.forms import EventForm
from pactesur.events.models import Event
from pactesur.spaces.models import Space
from pactesur.spaces.views import city_time, removal_rows

PAST_ON_PAGE = 50


def event_or_404(request: HttpRequest, pk: int, action: str | None = None) -> Event:
    """The event `pk` if the user may see it (404 otherwise), and may do `action` on it (403 otherwise)."""
    event: Event = get_object_or_404(
        Event.objects.for_user(request.user, "event.view").select_related("space", "city"), pk=pk
    )
    if action and not has_city_perm(request.user, event.city_id, action):
        raise PermissionDenied(_("Your role in this city does not allow this."))
    return event


@require_GET
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "event.view")
    visible = Event.objects.for_user(request.user, "event.view", city=city)
    events = visible.active().select_related("space")
    now = timezone.now()
    with city_time(city):
        return render(
            request,
            "events/list.html",
            {
                "city": city,
                "upcoming": list(events.filter(ends_at__gte=now).order_by("starts_at")),
                "past": list(events.filter(ends_at__lt=now).order_by("-starts_at")[:PAST_ON_PAGE]),
                "can_edit": has_city_perm(request.user, city, "event.edit"),
                "can_export": has_city_perm(request.user, city, "space.export"),
                "archived_count": visible.archived().count(),
            },
        )


@require_GET
@login_required
def archived_list(request: HttpRequest) -> HttpResponse:
    """The city's archived events: readable, restorable by those who edit events, removable by admins."""
    city = current_city_or_403(request, "event.view")
    events = (
        Event.objects.for_user(request.user, "event.view", city=city)
        .archived()
        .select_related("space", "archived_by")
        .order_by("-archived_at", "id")
    )
    with city_time(city):
        return render(
            request,
            "events/archived.html",
            {
                "city": city,
                "events": list(events),
                "can_edit": has_city_perm(request.user, city, "event.edit"),
                "can_purge": has_city_perm(request.user, city, "event.purge"),
            },
        )


@require_GET
@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk)
    with city_time(event.city):
        return render(
            request,
            "events/detail.html",
            {
                "city": event.city,
                "event": event,
                "can_edit": has_city_perm(request.user, event.city_id, "event.edit"),
                "can_purge": has_city_perm(request.user, event.city_id, "event.purge"),
            },
        )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "event.edit")
    initial = {}
    space_id = request.GET.get("space", "")
    if space_id.isdigit():
        space = (
            Space.objects.for_user(request.user, "space.view", city=city)
            .active()
            .filter(pk=int(space_id))
            .first()
        )
        if space is not None:
            initial["space"] = space
    with city_time(city):
        form = EventForm(request.POST or None, city=city, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                event = do_create_event(
                    city, acting_user=request.user, request=request, **form.action_kwargs()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Event “%(name)s” created.") % {"name": event.name})
                return redirect("events:detail", pk=event.pk)
        return render(
            request,
            "events/form.html",
            {"city": city, "form": form, "event": None},
            status=400 if form.is_bound else 200,
        )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk, "event.edit")
    if event.is_archived or event.space.is_archived:
        messages.error(request, _("This event or its space is archived: restore it before changing it."))
        return redirect("events:detail", pk=event.pk)
    with city_time(event.city):
        form = EventForm(request.POST or None, instance=event, city=event.city)
        if request.method == "POST" and form.is_valid():
            fresh = event_or_404(request, pk, "event.edit")
            try:
                do_update_event(fresh, acting_user=request.user, request=request, **form.action_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Event “%(name)s” saved.") % {"name": fresh.name})
                return redirect("events:detail", pk=pk)
        return render(
            request,
            "events/form.html",
            {"city": event.city, "form": form, "event": event},
            status=400 if form.is_bound else 200,
        )


@require_http_methods(["GET", "POST"])
@login_required
def event_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive an event after confirmation: it leaves the lists and the export; nothing is deleted."""
    event = event_or_404(request, pk, "event.edit")
    if request.method == "POST":
        do_archive_event(event, acting_user=request.user, request=request)
        messages.success(request, _("Event “%(name)s” archived: it can be restored.") % {"name": event.name})
        return redirect("spaces:detail", pk=event.space_id)
    if event.is_archived:
        return redirect("events:detail", pk=event.pk)
    with city_time(event.city):
        return render(request, "events/confirm_archive.html", {"city": event.city, "event": event})


@require_POST
@login_required
def event_restore(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(request, pk, "event.edit")
    try:
        do_restore_event(event, acting_user=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Event “%(name)s” restored.") % {"name": event.name})
    return redirect("events:detail", pk=event.pk)


@require_http_methods(["GET", "POST"])
@login_required
@require_recent_auth  # removing records for good: the password again, as for exports
def event_purge(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an archived event for good (administrators): the page names every record that goes."""
    event = event_or_404(request, pk, "event.purge")
    if not event.is_archived:
        messages.error(request, _("Archive the event before removing it for good."))
        return redirect("events:detail", pk=event.pk)
    error = ""
    if request.method == "POST":
        name = event.name
        try:
            do_purge_event(
                event,
                acting_user=request.user,
                expected_digest=request.POST.get("digest", ""),
                request=request,
            )
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Event “%(name)s” removed for good.") % {"name": name})
            return redirect("events:archived")
    removal = event_removal(event)
    with city_time(event.city):
        return render(
            request,
            "events/confirm_purge.html",
            {
                "city": event.city,
                "event": event,
                "removal": removal,
                "rows": removal_rows(removal.groups),
                "error": error,
            },
            status=409 if error else 200,
        )


@require_GET
@login_required
@require_recent_auth
def export_csv(request: HttpRequest) -> HttpResponse:
    city = current_city_or_403(request, "space.export")
    content = do_export_events(city, acting_user=request.user, request=request)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{city.slug}-events.csv"'
    return response
