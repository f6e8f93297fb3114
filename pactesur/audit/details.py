"""Readable details of audit rows: what was viewed or exported (what, format, how many, filters), what
an archive kept, what a restore brought back, what a removal deleted.

The rows store the records as `[{"type": "events.event", "count": 2, "ids": [12, 13]}, …]`
(`pactesur.spaces.removal`); the page and the CSV show them as "2 events (#12, #13)".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pactesur.audit.models import AuditAction, AuditEvent

# Ids listed on the page per record type before "…"; the CSV lists them all.
PAGE_IDS = 10


def _counted(n: int) -> dict[str, Callable[[], str]]:
    """Each record type's name with its count, in the active language (one literal per type for gettext)."""
    return {
        "spaces.space": lambda: ngettext("%(n)d space", "%(n)d spaces", n) % {"n": n},
        "events.event": lambda: ngettext("%(n)d event", "%(n)d events", n) % {"n": n},
        "assessments.assessment": lambda: (
            ngettext("%(n)d vulnerability assessment", "%(n)d vulnerability assessments", n) % {"n": n}
        ),
        "assessments.assessmentversion": lambda: (
            ngettext("%(n)d assessment version", "%(n)d assessment versions", n) % {"n": n}
        ),
        "assessments.scenario": lambda: ngettext("%(n)d scenario", "%(n)d scenarios", n) % {"n": n},
        "assessments.existingmeasure": lambda: (
            ngettext("%(n)d protective measure", "%(n)d protective measures", n) % {"n": n}
        ),
        "analysis.approachanalysis": lambda: (
            ngettext("%(n)d approach analysis", "%(n)d approach analyses", n) % {"n": n}
        ),
    }


def record_count_label(record_type: str, count: int) -> str:
    """'3 assessment versions': a count of records of `record_type` (a model label) in words."""
    known = _counted(count).get(record_type)
    if known is not None:
        return known()
    try:
        meta = apps.get_model(record_type)._meta
        name = str(meta.verbose_name if count == 1 else meta.verbose_name_plural)
    except (LookupError, ValueError):
        name = record_type
    return f"{count} {name}"


def describe_groups(groups: Iterable[dict[str, Any]], *, max_ids: int | None = None) -> str:
    """'1 vulnerability assessment (#4); 3 assessment versions (#7, #8, #9)': records by type with ids."""
    parts = []
    for group in groups:
        ids = [str(i) for i in group.get("ids") or []]
        count = int(group.get("count", len(ids)))
        shown = ids if max_ids is None else ids[:max_ids]
        listed = ", ".join(f"#{i}" for i in shown)
        if len(shown) < len(ids):
            listed += ", …"
        label = record_count_label(str(group.get("type", "")), count)
        parts.append(f"{label} ({listed})" if listed else label)
    return "; ".join(parts)


def export_columns(event: AuditEvent) -> tuple[str, str, str, str]:
    """What was viewed or exported, its format, how many records, and the filters that chose them
    (`do_record_export`, `do_record_view`): the CSV's own columns; empty for other rows."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.action not in (AuditAction.EXPORT, AuditAction.VIEW):
        return ("", "", "", "")
    rows = detail.get("rows")
    if rows is None and isinstance(detail.get("analyses"), list):
        rows = len(detail["analyses"])
    found = detail.get("filters")
    filters: dict[str, Any] = found if isinstance(found, dict) else {}
    return (
        str(detail.get("what", "")),
        str(detail.get("format", "")),
        "" if rows is None else str(rows),
        "; ".join(f"{k}={v}" for k, v in filters.items()),
    )


def _described_export(event: AuditEvent) -> str:
    what, fmt, rows, filters = export_columns(event)
    parts = [f"{what} ({fmt.upper()})" if fmt else what]
    if rows:
        parts.append(ngettext("%(n)s record", "%(n)s records", int(rows)) % {"n": rows})
    if filters:
        parts.append(_("filters: %(filters)s") % {"filters": filters})
    return ", ".join(p for p in parts if p)


def describe(event: AuditEvent, *, max_ids: int | None = None) -> str:
    """The readable detail of a row: what was viewed or exported, what an archive kept, what a
    restore brought back, what a removal deleted; empty for other rows."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.action in (AuditAction.EXPORT, AuditAction.VIEW):
        return _described_export(event)
    if event.action == AuditAction.ARCHIVE:
        kept = describe_groups(detail.get("kept") or [], max_ids=max_ids)
        return _("kept: %(records)s") % {"records": kept} if kept else _("nothing depends on it")
    if event.action == AuditAction.RESTORE:
        back = describe_groups(detail.get("kept") or [], max_ids=max_ids)
        return _("back in use with: %(records)s") % {"records": back} if back else ""
    if event.action == AuditAction.PURGE:
        removed = describe_groups(detail.get("removed") or [], max_ids=max_ids)
        return _("removed for good: %(records)s") % {"records": removed}
    return ""
