"""The one function that writes audit events."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from pactesur.audit.models import AuditEvent


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
    user = (
        acting_user if acting_user is not None and getattr(acting_user, "is_authenticated", False) else None
    )
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
