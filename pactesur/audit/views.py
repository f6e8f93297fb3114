"""The audit trail page of a city and its CSV download."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from pactesur.accounts.reauth import require_recent_auth
from pactesur.audit.actions import do_record_export
from pactesur.audit.details import PAGE_IDS, describe, export_columns
from pactesur.audit.forms import AuditFilterForm
from pactesur.audit.models import AuditEvent
from pactesur.cities.access import city_permission_required
from pactesur.cities.csv_cells import csv_cell
from pactesur.cities.models import City, Membership
from pactesur.cities.time_zones import city_zone

PAGE_SIZE = 50
CSV_COLUMNS = ("created_at", "username", "action", "object_type", "object_id", "object_repr", "ip_address")
# After the stored columns: what was viewed or exported (what, format, records, filters), and the
# readable detail of every row (for archives, restores and removals every id).
CSV_HEADER = (*CSV_COLUMNS, "what", "format", "records", "filters", "details")


def city_events(city: City) -> QuerySet[AuditEvent]:
    """The city's audit events, plus the log-ins, log-outs and failed log-ins of its members (no city)."""
    members = Membership.objects.filter(city=city)
    usernames = members.values_list("user__username", flat=True)
    return AuditEvent.objects.filter(
        Q(city=city)
        | Q(city__isnull=True, user__in=members.values_list("user_id", flat=True))
        | Q(city__isnull=True, user__isnull=True, username__in=usernames)
    )


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    events = city_events(request.city)  # type: ignore[attr-defined]
    object_types = sorted(t for t in events.order_by().values_list("object_type", flat=True).distinct() if t)
    form = AuditFilterForm(request.GET or None, object_types=object_types)
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    elif form.is_bound:
        events = events.none()
    return form, events


@require_GET
@city_permission_required("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events.select_related("user"), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.details = describe(event, max_ids=PAGE_IDS)
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "audit/audit_list.html", context, status=status)


@require_GET
@city_permission_required("audit.view")
@require_recent_auth
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit trail as CSV; the download itself is an audit event.

    Times are the city's local time in ISO 8601 with their offset, the header naming the zone
    (`created_at (Europe/Paris)`), as in the other exports."""
    form, events = _filtered(request)
    zone = city_zone(request.city)  # type: ignore[attr-defined]
    rows = [
        (
            e.created_at.astimezone(zone),
            *(getattr(e, column) for column in CSV_COLUMNS[1:]),
            *export_columns(e),
            describe(e),
        )
        for e in events.only(*CSV_COLUMNS, "detail")
    ]
    do_record_export(
        acting_user=request.user,
        city=request.city,  # type: ignore[attr-defined]
        what="audit trail",
        fmt="csv",
        rows=len(rows),
        filters=form.active_filters() if form.is_bound and form.is_valid() else None,
        request=request,
    )
    stamp = timezone.now().astimezone(zone).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{request.city.slug}-{stamp}.csv"'  # type: ignore[attr-defined]
    writer = csv.writer(response)
    writer.writerow([f"{c} ({zone.key})" if c == "created_at" else c for c in CSV_HEADER])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return response
