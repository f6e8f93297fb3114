"""Every write to spaces: create, update, delete, export, and the sync of spaces suggested by imports."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.models import City
from pactesur.cities.records import check_editable, stored_user
from pactesur.engine.spaces import SuggestedSpace
from pactesur.spaces.geometry import (
    Outline,
    SpaceGeometryError,
    display_outline,
    outline_from_geojson,
    outline_from_geometry,
)
from pactesur.spaces.models import DismissedSuggestion, Space, SpaceKind, SpaceSource
from pactesur.spaces.signals import space_geometry_changed

logger = logging.getLogger(__name__)

# Fields a person may change; changing any of them marks a suggested space as edited.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "polygon",
    "capacity",
    "usual_crowd",
    "peak_crowd",
    "peak_times",
    "owner",
    "contact_name",
    "contact_email",
    "contact_phone",
    "description",
)
CSV_COLUMNS = (
    "id",
    "name",
    "kind",
    "area_m2",
    "centroid_lon",
    "centroid_lat",
    "capacity",
    "usual_crowd",
    "peak_crowd",
    "peak_times",
    "owner",
    "contact_name",
    "contact_email",
    "contact_phone",
    "description",
    "source",
    "osm_type",
    "osm_id",
    "edited",
    "in_latest_import",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class SyncResult:
    """Counts of a sync: spaces created, updated (content changed), kept because a person edited them,
    and removed from the suggestions (kept as records, flagged `in_latest_import=False`)."""

    created: int
    updated: int
    kept_edited: int
    removed: int


def _outline(polygon: dict[str, Any] | BaseGeometry | Outline) -> Outline:
    try:
        if isinstance(polygon, Outline):
            return polygon
        if isinstance(polygon, BaseGeometry):
            return outline_from_geometry(polygon)
        return outline_from_geojson(polygon)
    except SpaceGeometryError as exc:
        raise ValidationError({"polygon": [str(exc)]}) from exc


def _apply_outline(space: Space, outline: Outline) -> None:
    space.polygon = outline.geojson
    space.area_m2 = outline.area_m2
    space.centroid_lon = outline.centroid_lon
    space.centroid_lat = outline.centroid_lat


def _check(space: Space) -> None:
    # `polygon` is checked by the geometry module; full_clean would only re-check its JSON-ness.
    space.full_clean(exclude=["polygon", "city", "created_by", "updated_by"], validate_unique=False)


def _announce_geometry(space: Space) -> None:
    """Tell listeners (the analysis app) once the new outline is committed."""
    transaction.on_commit(lambda: space_geometry_changed.send(sender=Space, space=space))


def do_create_space(
    city: City,
    *,
    acting_user: Any,
    name: str,
    kind: str,
    polygon: dict[str, Any] | BaseGeometry | Outline,
    capacity: int | None = None,
    usual_crowd: int | None = None,
    peak_crowd: int | None = None,
    peak_times: str = "",
    owner: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    description: str = "",
    request: HttpRequest | None = None,
) -> Space:
    """Create a space drawn or uploaded by a person. Raises ValidationError on bad input."""
    space = Space(
        city=city,
        name=name,
        kind=kind,
        capacity=capacity,
        usual_crowd=usual_crowd,
        peak_crowd=peak_crowd,
        peak_times=peak_times,
        owner=owner,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        description=description,
        source=SpaceSource.MANUAL,
        edited=True,
        created_by=stored_user(acting_user),
        updated_by=stored_user(acting_user),
    )
    _apply_outline(space, _outline(polygon))
    _check(space)
    with transaction.atomic():
        space.save()
        do_record_audit(AuditAction.CREATE, acting_user=acting_user, obj=space, request=request)
        _announce_geometry(space)
    return space


def do_update_space(
    space: Space, *, acting_user: Any, request: HttpRequest | None = None, **changes: Any
) -> Space:
    """Change a space's fields (any of EDITABLE_FIELDS). A changed suggested space becomes `edited`,
    so re-imports leave it alone. Raises ValidationError on bad input, TypeError on unknown fields."""
    check_editable(changes, EDITABLE_FIELDS, action="do_update_space")
    changed: list[str] = []
    for field, value in changes.items():
        if field == "polygon":
            outline = _outline(value)
            if outline.geojson != space.polygon:
                _apply_outline(space, outline)
                changed.append(field)
        elif getattr(space, field) != value:
            setattr(space, field, value)
            changed.append(field)
    if not changed:
        return space
    _check(space)
    space.edited = True
    space.updated_by = stored_user(acting_user)
    with transaction.atomic():
        space.save()
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=space,
            detail={"fields": changed},
            request=request,
        )
        if "polygon" in changed:
            _announce_geometry(space)
    return space


def do_delete_space(space: Space, *, acting_user: Any, request: HttpRequest | None = None) -> None:
    """Delete a space and, with it, its events. A deleted suggestion is remembered, so that the next
    import does not bring it back."""
    with transaction.atomic():
        if space.source == SpaceSource.SUGGESTED and space.osm_id is not None:
            DismissedSuggestion.objects.get_or_create(
                city=space.city,
                osm_type=space.osm_type,
                osm_id=space.osm_id,
                defaults={"name": space.name[:200], "dismissed_by": stored_user(acting_user)},
            )
        do_record_audit(
            AuditAction.DELETE,
            acting_user=acting_user,
            obj=space,
            detail={"source": space.source, "osm_type": space.osm_type, "osm_id": space.osm_id},
            request=request,
        )
        space.delete()


def _kind_of(kind: str) -> str:
    return kind if kind in SpaceKind.values else SpaceKind.OTHER


def do_sync_suggested_spaces(
    city: City,
    suggestions: Iterable[SuggestedSpace],
    *,
    acting_user: Any,
    network: Any,
) -> SyncResult:
    """Bring the city's suggested spaces in line with a fresh import.

    Suggestions are matched to spaces on (osm_type, osm_id). New ones are created; unedited suggested
    spaces get the new name, kind and outline; spaces a person edited and spaces drawn by hand are never
    touched. An unedited suggested space whose OSM object is gone is *not* deleted — events and analyses
    may refer to it — but flagged `in_latest_import=False` so people can review and delete it. A
    suggestion a person deleted (DismissedSuggestion) is not created again. Runs in the caller's
    transaction when there is one (the import's), else in its own.
    """
    version = getattr(network, "version", None) or getattr(network, "pk", None)
    dismissed = set(DismissedSuggestion.objects.filter(city=city).values_list("osm_type", "osm_id"))
    existing = {
        (s.osm_type, s.osm_id): s
        for s in Space.objects.filter(city=city, source=SpaceSource.SUGGESTED, osm_id__isnull=False)
    }
    to_create: list[Space] = []
    to_update: list[Space] = []
    unchanged: list[int] = []
    kept_edited = 0
    now = timezone.now()
    seen: set[tuple[str, int]] = set()
    for suggestion in suggestions:
        key = (str(suggestion.osm_type), int(suggestion.osm_id))
        if key in seen or key in dismissed:
            continue
        seen.add(key)
        try:
            outline = outline_from_geometry(suggestion.polygon)
        except SpaceGeometryError as exc:
            logger.warning("suggested space %s/%s skipped: %s", *key, exc)
            continue
        name = (suggestion.name or "")[:200]
        kind = _kind_of(suggestion.kind)
        tags = dict(getattr(suggestion, "tags", None) or {})
        space = existing.get(key)
        if space is None:
            space = Space(
                city=city,
                name=name,
                kind=kind,
                source=SpaceSource.SUGGESTED,
                osm_type=key[0],
                osm_id=key[1],
                osm_tags=tags,
                network_version=version,
                created_by=stored_user(acting_user),
            )
            _apply_outline(space, outline)
            to_create.append(space)
        elif space.edited:
            kept_edited += 1
        else:
            before = (space.name, space.kind, space.polygon, space.osm_tags, space.in_latest_import)
            space.name, space.kind, space.osm_tags = name, kind, tags
            space.in_latest_import = True
            _apply_outline(space, outline)
            space.network_version = version
            if before != (space.name, space.kind, space.polygon, space.osm_tags, space.in_latest_import):
                space.updated_at = now
                to_update.append(space)
            else:
                unchanged.append(space.pk)
    vanished = [s for key, s in existing.items() if key not in seen and not s.edited and s.in_latest_import]
    with transaction.atomic():
        Space.objects.bulk_create(to_create, batch_size=500)
        Space.objects.bulk_update(
            to_update,
            [
                "name",
                "kind",
                "polygon",
                "area_m2",
                "centroid_lon",
                "centroid_lat",
                "osm_tags",
                "in_latest_import",
                "network_version",
                "updated_at",
            ],
            batch_size=500,
        )
        Space.objects.filter(pk__in=unchanged).update(network_version=version)
        Space.objects.filter(pk__in=[s.pk for s in vanished]).update(in_latest_import=False, updated_at=now)
        result = SyncResult(
            created=len(to_create), updated=len(to_update), kept_edited=kept_edited, removed=len(vanished)
        )
        do_record_audit(
            AuditAction.IMPORT,
            acting_user=acting_user,
            city=city,
            detail={"spaces": result.__dict__, "network_version": version},
        )
    return result


def spaces_geojson(spaces: Iterable[Space], *, simplified: bool = False) -> dict[str, Any]:
    """A FeatureCollection of spaces with all their attributes; `simplified` outlines for display."""
    features = [s.as_feature() for s in spaces]
    if simplified:
        for feature in features:
            feature["geometry"] = display_outline(feature["geometry"])
    return {"type": "FeatureCollection", "features": features}


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _spaces_csv(spaces: Iterable[Space]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for space in spaces:
        props = space.as_feature()["properties"]
        writer.writerow([csv_cell(props[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def do_export_spaces(
    city: City, *, acting_user: Any, file_format: str, request: HttpRequest | None = None
) -> str:
    """Return the city's spaces as GeoJSON or CSV text, and audit the export."""
    if file_format not in ("geojson", "csv"):
        raise ValueError(f"unknown export format {file_format!r}")
    spaces = list(Space.objects.filter(city=city).order_by("name", "id"))
    if file_format == "geojson":
        content = json.dumps(spaces_geojson(spaces), ensure_ascii=False)
    else:
        content = _spaces_csv(spaces)
    do_record_audit(
        AuditAction.EXPORT,
        acting_user=acting_user,
        city=city,
        detail={"what": "spaces", "format": file_format, "count": len(spaces)},
        request=request,
    )
    return content
