"""Every write to spaces: create, update, archive, restore, remove for good, export, and the sync of
spaces suggested by imports."""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.deletion import Collector
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from pactesur.audit.actions import do_record_audit, do_record_export
from pactesur.audit.models import AuditAction
from pactesur.cities.csv_cells import csv_cell
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import City, has_city_perm
from pactesur.cities.records import check_editable, stored_user
from pactesur.cities.time_zones import city_zone
from pactesur.engine.spaces import SuggestedSpace
from pactesur.spaces.geometry import (
    Outline,
    SpaceGeometryError,
    display_outline,
    outline_from_geojson,
    outline_from_geometry,
)
from pactesur.spaces.models import DismissedSuggestion, Space, SpaceKind, SpaceSource
from pactesur.spaces.naming import by_shown_name
from pactesur.spaces.removal import Removal, dependents_of, plan_removal
from pactesur.spaces.signals import space_figures_changed, space_geometry_changed

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
# Fields whose change others follow (`space_figures_changed`): what a crowd's density is made of.
_FIGURE_FIELDS = {"usual_crowd", "peak_crowd", "polygon"}
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
# Columns of times, in the city's time zone: their header names it.
CSV_TIME_COLUMNS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class SyncResult:
    """Counts of a sync: spaces created, updated (content changed), kept because a person edited them,
    removed from the suggestions (kept as records, flagged `in_latest_import=False`), left alone
    because they are archived, and suggestions not made again because their space was removed for good.
    """

    created: int
    updated: int
    kept_edited: int
    removed: int
    kept_archived: int = 0
    dismissed: int = 0


class RemovalRefusedError(InvalidRequestError):
    """A permanent removal that is not allowed now (the record is in use, or what it takes changed)."""


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
    if space.archived_at is not None:
        raise ValidationError(_("This space is archived: restore it before changing it."))
    # `polygon` is checked by the geometry module; full_clean would only re-check its JSON-ness.
    space.full_clean(exclude=["polygon", "city", "created_by", "updated_by"], validate_unique=False)
    # Only a space the import found unnamed may go without a name: pages show its generated label.
    if not space.name.strip():
        if not space.generated_name:
            raise ValidationError({"name": [forms.Field.default_error_messages["required"]]})
        space.name = ""


def _announce_geometry(space: Space, *, reason: str = "outline changed") -> None:
    """Tell listeners (the analysis app) once the new outline (or the restored space) is committed."""
    transaction.on_commit(lambda: space_geometry_changed.send(sender=Space, space=space, reason=reason))


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
        figures = sorted(set(changed) & _FIGURE_FIELDS)
        if figures:
            transaction.on_commit(
                lambda: space_figures_changed.send(
                    sender=Space, space=space, acting_user=acting_user, fields=figures
                )
            )
    return space


def _lock(space: Space) -> Space:
    locked: Space = Space.objects.select_for_update().select_related("city").get(pk=space.pk)
    return locked


def _copy_archive_state(target: Space, source: Space) -> None:
    target.archived_at, target.archived_by = source.archived_at, source.archived_by
    target.updated_at = source.updated_at


def do_archive_space(space: Space, *, acting_user: Any, request: HttpRequest | None = None) -> Space:
    """Archive a space: it leaves lists, maps, rankings, analyses and exports, and nothing is deleted.

    Its events, approach analyses and assessment with every version stay as they are (the person
    archiving may not even be allowed to read them); the audit row lists them by type and id.
    Archiving an archived space changes nothing.
    """
    with transaction.atomic():
        locked = _lock(space)
        if locked.archived_at is None:
            kept = dependents_of(locked)
            locked.archived_at = timezone.now()
            locked.archived_by = stored_user(acting_user)
            # updated_at too: pages kept until a space changes (analysis.page_cache) see it.
            locked.save(update_fields=["archived_at", "archived_by", "updated_at"])
            do_record_audit(
                AuditAction.ARCHIVE,
                acting_user=acting_user,
                obj=locked,
                detail={"kept": [g.as_detail() for g in kept]},
                request=request,
            )
    _copy_archive_state(space, locked)
    return space


def do_restore_space(space: Space, *, acting_user: Any, request: HttpRequest | None = None) -> Space:
    """Bring an archived space back into use, with everything that was kept with it."""
    with transaction.atomic():
        locked = _lock(space)
        if locked.archived_at is not None:
            archived_at = locked.archived_at
            locked.archived_at = None
            locked.archived_by = None
            # updated_at too: pages kept until a space changes (analysis.page_cache) see it.
            locked.save(update_fields=["archived_at", "archived_by", "updated_at"])
            do_record_audit(
                AuditAction.RESTORE,
                acting_user=acting_user,
                obj=locked,
                detail={
                    "archived_at": archived_at.isoformat(),
                    "kept": [g.as_detail() for g in dependents_of(locked)],
                },
                request=request,
            )
            # Analyses skipped it while archived: queue what the current network and outline lack.
            _announce_geometry(locked, reason="space restored")
    _copy_archive_state(space, locked)
    return space


def space_removal(space: Space) -> Removal:
    """What removing `space` for good would delete, and what forbids it now (for the confirmation page)."""
    removal, _collector = plan_removal(space)
    return removal


def checked_removal(
    locked: Any,
    *,
    expected_digest: str | None,
    not_archived: str,
    blocked: str,
    changed: str,
) -> tuple[Removal, Collector, datetime.datetime]:
    """The removal of an archived, locked record (a space or an event), the collector that does it and
    when the record was archived.

    Raises RemovalRefusedError with the caller's words: `not_archived` for a record in use, `blocked`
    (with `%(reasons)s`) while a dependent record refuses it, `changed` when the records differ from
    `expected_digest`, what the confirmation page listed.
    """
    archived_at: datetime.datetime | None = locked.archived_at
    if archived_at is None:
        raise RemovalRefusedError(not_archived)
    removal, collector = plan_removal(locked)
    if not removal.allowed:
        raise RemovalRefusedError(blocked % {"reasons": " ".join(removal.blockers)})
    if expected_digest is not None and expected_digest != removal.digest:
        raise RemovalRefusedError(changed)
    return removal, collector, archived_at


def do_purge_space(
    space: Space,
    *,
    acting_user: Any,
    expected_digest: str | None = None,
    request: HttpRequest | None = None,
) -> Removal:
    """Remove an archived space for good (data protection), with every record that depends on it.

    Only a city administrator may (checked here too: this deletes records other roles cannot read).
    Refused while an approved assessment depends on the space, and when `expected_digest` (what the
    confirmation page listed) no longer matches. The audit row is the tombstone: the space's type, id
    and name and every removed record by type and id. A space suggested from OpenStreetMap is
    remembered as dismissed, so that no later import brings it back.
    """
    if getattr(acting_user, "is_authenticated", False) and not has_city_perm(
        acting_user, space.city_id, "space.purge"
    ):
        raise NotAllowedError(_("Only a city administrator may remove a space for good."))
    with transaction.atomic():
        locked = _lock(space)
        removal, collector, archived_at = checked_removal(
            locked,
            expected_digest=expected_digest,
            not_archived=_("Archive the space before removing it for good."),
            blocked=_("This space cannot be removed for good: %(reasons)s"),
            changed=_(
                "The records that depend on this space changed since the page was shown: "
                "check the list again."
            ),
        )
        dismissed = False
        if locked.source == SpaceSource.SUGGESTED and locked.osm_id is not None:
            DismissedSuggestion.objects.get_or_create(
                city=locked.city,
                osm_type=locked.osm_type,
                osm_id=locked.osm_id,
                defaults={"name": locked.shown_name[:200], "dismissed_by": stored_user(acting_user)},
            )
            dismissed = True
        do_record_audit(
            AuditAction.PURGE,
            acting_user=acting_user,
            obj=locked,
            detail={
                "removed": removal.as_detail(),
                "archived_at": archived_at.isoformat(),
                "source": locked.source,
                "osm_type": locked.osm_type,
                "osm_id": locked.osm_id,
                "suggestion_dismissed": dismissed,
            },
            request=request,
        )
        collector.delete()
    return removal


def _kind_of(kind: str) -> str:
    return kind if kind in SpaceKind.values else SpaceKind.OTHER


# What a re-import changes on an unedited suggested space.
_SYNCED_FIELDS = (
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
)


def _write_sync(
    to_create: list[Space],
    to_update: list[Space],
    unchanged: list[int],
    vanished: list[Space],
    *,
    version: Any,
    now: Any,
) -> None:
    Space.objects.bulk_create(to_create, batch_size=500)
    Space.objects.bulk_update(to_update, list(_SYNCED_FIELDS), batch_size=500)
    Space.objects.filter(pk__in=unchanged).update(network_version=version)
    Space.objects.filter(pk__in=[s.pk for s in vanished]).update(in_latest_import=False, updated_at=now)


def do_sync_suggested_spaces(
    city: City,
    suggestions: Iterable[SuggestedSpace],
    *,
    acting_user: Any,
    network: Any,
) -> SyncResult:
    """Bring the city's suggested spaces in line with a fresh import.

    Suggestions are matched to spaces on (osm_type, osm_id). New ones are created (with no name when
    OpenStreetMap gives them none: pages show a label in the reader's language); unedited suggested
    spaces get the new name, kind and outline; spaces a person edited, archived spaces and spaces drawn
    by hand are never touched (an archived space stays archived, and is not created again beside
    itself). An unedited suggested space whose OSM object is gone is *not* deleted — events and
    analyses may refer to it — but flagged `in_latest_import=False` so people can review and archive
    it. A suggestion whose space was removed for good (DismissedSuggestion) is not created again; the
    audit row counts them. Runs in the caller's transaction when there is one (the import's), else in
    its own.
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
    kept_edited = kept_archived = 0
    now = timezone.now()
    seen: set[tuple[str, int]] = set()
    not_again: set[tuple[str, int]] = set()
    for suggestion in suggestions:
        key = (str(suggestion.osm_type), int(suggestion.osm_id))
        if key in seen or key in dismissed:
            not_again.update({key} & dismissed)
            continue
        seen.add(key)
        try:
            outline = outline_from_geometry(suggestion.polygon)
        except SpaceGeometryError as exc:
            logger.warning("suggested space %s/%s skipped: %s", *key, exc)
            continue
        # A space OpenStreetMap does not name keeps no name: pages word its label in the reader's
        # language (`Space.shown_name`) instead of the English one the engine makes up.
        name = (suggestion.name or "")[:200] if getattr(suggestion, "named", True) else ""
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
        elif space.archived_at is not None:
            kept_archived += 1
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
    vanished = [
        s
        for key, s in existing.items()
        if key not in seen and not s.edited and s.in_latest_import and s.archived_at is None
    ]
    with transaction.atomic():
        _write_sync(to_create, to_update, unchanged, vanished, version=version, now=now)
        result = SyncResult(
            created=len(to_create),
            updated=len(to_update),
            kept_edited=kept_edited,
            removed=len(vanished),
            kept_archived=kept_archived,
            dismissed=len(not_again),
        )
        do_record_audit(
            AuditAction.IMPORT,
            acting_user=acting_user,
            city=city,
            detail={"spaces": result.__dict__, "network_version": version},
        )
    return result


def spaces_geojson(
    spaces: Iterable[Space], *, simplified: bool = False, zone: zoneinfo.ZoneInfo | None = None
) -> dict[str, Any]:
    """A FeatureCollection of spaces with all their attributes; `simplified` outlines for display.

    Times are in `zone` (a city's), which the collection names in a `time_zone` member, else in UTC.
    """
    features = [s.as_feature(zone=zone) for s in spaces]
    if simplified:
        for feature in features:
            feature["geometry"] = display_outline(feature["geometry"])
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if zone is not None:
        collection["time_zone"] = zone.key
    return collection


def _spaces_csv(spaces: Iterable[Space], *, zone: zoneinfo.ZoneInfo) -> str:
    """The spaces as CSV; times in the city's `zone`, with their offset, the header naming the zone
    (`created_at (Europe/Paris)`), as the events' export does."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{c} ({zone.key})" if c in CSV_TIME_COLUMNS else c for c in CSV_COLUMNS])
    for space in spaces:
        props = space.as_feature(zone=zone)["properties"]
        writer.writerow([csv_cell(props[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def do_export_spaces(
    city: City, *, acting_user: Any, file_format: str, request: HttpRequest | None = None
) -> str:
    """Return the city's spaces in use (archived ones left out) as GeoJSON or CSV text; audit the export."""
    if file_format not in ("geojson", "csv"):
        raise ValueError(f"unknown export format {file_format!r}")
    spaces = by_shown_name(Space.objects.filter(city=city).active())
    zone = city_zone(city)
    if file_format == "geojson":
        content = json.dumps(spaces_geojson(spaces, zone=zone), ensure_ascii=False)
    else:
        content = _spaces_csv(spaces, zone=zone)
    do_record_export(
        acting_user=acting_user, city=city, what="spaces", fmt=file_format, rows=len(spaces), request=request
    )
    return content
