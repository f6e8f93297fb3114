"""The one function that writes audit events, and two shortcuts for views of restricted data.

How other apps use it:

- a change: inside the app's `do_<verb>_<noun>` transaction, call
  `do_record_audit(AuditAction.UPDATE, acting_user=user, obj=record, detail={...}, request=request)`;
- someone opens a restricted record (assessment, analysis, protocol…): in the view, after the
  permission check, `do_record_view(record, acting_user=request.user, request=request)`;
- someone downloads restricted data (CSV, GeoJSON, PDF): `do_record_export(acting_user=request.user,
  city=city, what="spaces geojson", rows=len(features), request=request)`.

The city admin reads these rows on the audit page (`audit:list`) and downloads them as CSV.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.records import stored_user


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def do_record_audit(
    action: str,
    *,
    acting_user: Any,
    city: Any = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    username: str = "",
) -> AuditEvent:
    """Write one audit event; `obj` fills the object's type, id and label."""
    user = stored_user(acting_user)
    if city is None and obj is not None:
        city = getattr(obj, "city", None)
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=username or (user.get_username() if user else ""),
        city=city,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        detail=detail or {},
        ip_address=client_ip(request),
    )


def do_record_view(
    obj: models.Model,
    *,
    acting_user: Any,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `acting_user` looked at the restricted record `obj` (its city is taken from it)."""
    return do_record_audit(AuditAction.VIEW, acting_user=acting_user, obj=obj, detail=detail, request=request)


def do_record_export(
    *,
    acting_user: Any,
    city: Any,
    what: str,
    fmt: str,
    rows: int | None = None,
    obj: models.Model | None = None,
    filters: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    username: str = "",
) -> AuditEvent:
    """Record a download: `what` names the data ("spaces"), `fmt` its format ("csv", "pdf"), `rows`
    how many records left, `filters` the filters that chose them (the audit page and CSV show each);
    `username` names who exported without an account (the command line)."""
    detail: dict[str, Any] = {"what": what, "format": fmt}
    if rows is not None:
        detail["rows"] = rows
    if filters:
        detail["filters"] = {str(k): str(v) for k, v in filters.items()}
    return do_record_audit(
        AuditAction.EXPORT,
        acting_user=acting_user,
        city=city,
        obj=obj,
        detail=detail,
        request=request,
        username=username,
    )
