"""The public space: a crowded place a city protects, with its polygon, crowds and contacts."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pactesur.cities.models import CityOwned, CityOwnedQuerySet
from pactesur.cities.records import Authored
from pactesur.spaces.geometry import display_outline


class SpaceKind(models.TextChoices):
    SQUARE = "square", _("Square")
    PEDESTRIAN_STREET = "pedestrian_street", _("Pedestrian street")
    PEDESTRIAN_AREA = "pedestrian_area", _("Pedestrian area")
    MARKET = "market", _("Market")
    PROMENADE = "promenade", _("Promenade")
    PARK = "park", _("Park")
    STATION_FORECOURT = "station_forecourt", _("Station forecourt")
    PLACE_OF_WORSHIP = "place_of_worship", _("Place of worship")
    EVENT_VENUE = "event_venue", _("Event venue")
    ATTRACTION = "attraction", _("Attraction")
    SCHOOL_SURROUNDINGS = "school_surroundings", _("School surroundings")
    SHOPPING_STREET = "shopping_street", _("Shopping street")
    WATERFRONT = "waterfront", _("Waterfront")
    OTHER = "other", _("Other")


# language → kind → label: `get_kind_display` hashes every lazy label of the choices at each call
# (half a millisecond), which a list of a city's spaces pays once per space.
_KIND_LABELS: dict[str, dict[str, str]] = {}


def kind_label(kind: str) -> str:
    """The label of a space kind in the active language."""
    language = translation.get_language() or ""
    labels = _KIND_LABELS.get(language)
    if labels is None:
        labels = _KIND_LABELS[language] = {str(value): str(label) for value, label in SpaceKind.choices}
    return labels.get(kind, kind)


# (space id, updated_at) → outline simplified for display: simplifying a large outline takes
# milliseconds, and lists and maps of a city draw every space on each request.
_DISPLAY_OUTLINES: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()
_DISPLAY_OUTLINES_MAX = 20_000
_display_lock = threading.Lock()


class SpaceSource(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested from OpenStreetMap")
    MANUAL = "manual", _("Drawn or uploaded by a person")


class OsmType(models.TextChoices):
    NODE = "node", _("node")
    WAY = "way", _("way")
    RELATION = "relation", _("relation")


# What a space the import found without a name of its own is called, by kind (the kinds the import
# suggests unnamed; any other kind, after a person changed it, is an "Unnamed space").
_UNNAMED_LABELS = {
    "square": _("Unnamed square"),
    "market": _("Unnamed market"),
    "pedestrian_area": _("Unnamed pedestrian area"),
}


def generated_name(kind: str, osm_type: str, osm_id: int | None, osm_tags: dict[str, Any] | None) -> str:
    """What a space suggested from OpenStreetMap without a name of its own is called, in the active
    language: "Unnamed square (way 123)", or "Rautatientori station forecourt" for a station's
    forecourt (named after the station); "" for a space that did not come from OpenStreetMap.

    The OSM object's type and id tell two unnamed spaces apart and lead to the object on the map.
    """
    if not osm_type or osm_id is None:
        return ""
    station = (osm_tags or {}).get("name") if kind == SpaceKind.STATION_FORECOURT else None
    if station and isinstance(station, str):
        return gettext("%(station)s station forecourt") % {"station": station}
    label = str(_UNNAMED_LABELS[kind]) if kind in _UNNAMED_LABELS else gettext("Unnamed space")
    return f"{label} ({_osm_type_label(osm_type)} {osm_id})"


def _osm_type_label(osm_type: str) -> str:
    try:
        return str(OsmType(osm_type).label)
    except ValueError:
        return osm_type


def shown_name(
    name: str, kind: str, osm_type: str, osm_id: int | None, osm_tags: dict[str, Any] | None
) -> str:
    """The name people read: the space's own, else the one `generated_name` makes up."""
    return name or generated_name(kind, osm_type, osm_id, osm_tags)


class ArchivableQuerySet(CityOwnedQuerySet):
    """Records that people archive instead of deleting: lists, maps, rankings and exports read `.active()`.

    The default manager still returns archived rows, so that the admin, cascades and lookups by id
    see them: an archived record stays readable to those allowed and keeps what depends on it.
    """

    def active(self) -> Self:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> Self:
        return self.filter(archived_at__isnull=False)


class Archivable(models.Model):
    """When and by whom a record was archived; None while it is in use."""

    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, db_index=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Space(CityOwned, Authored, Archivable):
    """A public space. Only `pactesur.spaces.actions` writes it; it is archived, not deleted, and
    removed for good only by `do_purge_space` (an administrator, on an archived space)."""

    view_action = "space.view"
    edit_action = "space.edit"

    # Empty for a space the import found without a name of its own: pages show `shown_name`, a
    # label in the reader's language ("Unnamed square (way 123)"); a person may type one at any time.
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=SpaceKind.choices, default=SpaceKind.OTHER)
    # A GeoJSON Polygon or MultiPolygon in WGS 84 lon/lat, validated by pactesur.spaces.geometry.
    polygon = models.JSONField(_("outline"))
    area_m2 = models.FloatField(_("area (m²)"), default=0.0)
    centroid_lon = models.FloatField(default=0.0)
    centroid_lat = models.FloatField(default=0.0)

    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    usual_crowd = models.PositiveIntegerField(_("usual crowd (people)"), null=True, blank=True)
    peak_crowd = models.PositiveIntegerField(_("peak crowd (people)"), null=True, blank=True)
    peak_times = models.TextField(
        _("peak times and opening pattern"),
        blank=True,
        help_text=_("For example: market Tuesday to Sunday 7:00–13:00; concerts on summer evenings."),
    )
    owner = models.CharField(_("owner or manager"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)

    source = models.CharField(
        _("source"), max_length=12, choices=SpaceSource.choices, default=SpaceSource.MANUAL
    )
    osm_type = models.CharField(_("OSM type"), max_length=10, choices=OsmType.choices, blank=True)
    osm_id = models.BigIntegerField(_("OSM id"), null=True, blank=True)
    osm_tags = models.JSONField(_("OSM tags"), default=dict, blank=True)
    # True once a person changed the space: re-imports never overwrite it again.
    edited = models.BooleanField(_("edited by a person"), default=False)
    # False when the OSM object this space was suggested from is absent from the latest import; the
    # space is kept (events and analyses may rely on it) and people decide whether to archive it.
    in_latest_import = models.BooleanField(_("still suggested by the latest import"), default=True)
    # Version of the city's street network (streets.StreetNetwork.version) the suggestion last came
    # from; a plain integer so that deleting old networks never touches spaces.
    network_version = models.PositiveIntegerField(_("network version"), null=True, blank=True)

    objects = ArchivableQuerySet.as_manager()  # type: ignore[misc]  # a narrower queryset than the base's

    # What tells the space from others of the same name in its city ("Mikonkatu · 3,183 m²"), for
    # lists and rankings: set on the spaces of a list by `pactesur.spaces.naming.label_namesakes`,
    # empty for a space whose name is its own (or that no list labelled).
    distinguishing_label: str = ""

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "osm_type", "osm_id"],
                condition=models.Q(osm_id__isnull=False),
                name="space_one_per_osm_object",
            ),
        ]
        indexes = [models.Index(fields=["city", "kind"])]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def display_polygon(self) -> dict[str, Any]:
        """The outline simplified for maps and lists (`geometry.display_outline`), kept per version."""
        if self.pk is None or self.updated_at is None:
            return display_outline(self.polygon)
        key = (self.pk, self.updated_at.isoformat())
        with _display_lock:
            found = _DISPLAY_OUTLINES.get(key)
            if found is not None:
                _DISPLAY_OUTLINES.move_to_end(key)
                return found
        found = display_outline(self.polygon)
        with _display_lock:
            _DISPLAY_OUTLINES[key] = found
            while len(_DISPLAY_OUTLINES) > _DISPLAY_OUTLINES_MAX:
                _DISPLAY_OUTLINES.popitem(last=False)
        return found

    @property
    def generated_name(self) -> str:
        """What the space is called while it has no name of its own (`generated_name`), whether or
        not it has one; "" for a space drawn by a person."""
        return generated_name(self.kind, self.osm_type, self.osm_id, self.osm_tags)

    @property
    def shown_name(self) -> str:
        """Its name, or for a space the import found without one a label in the active language."""
        return shown_name(self.name, self.kind, self.osm_type, self.osm_id, self.osm_tags)

    @property
    def display_name(self) -> str:
        """The shown name, with what tells it from its namesakes when a list labelled it: "Keskuskatu
        (Pohjoisesplanadi · 3,140 m²)"."""
        if self.distinguishing_label:
            return f"{self.shown_name} ({self.distinguishing_label})"
        return self.shown_name

    @property
    def kind_label(self) -> str:
        """`get_kind_display()`, without its cost on long lists."""
        return kind_label(self.kind)

    @property
    def osm_url(self) -> str:
        # A negative id is an object of a file edited offline (JOSM): OpenStreetMap has no page for it.
        if not self.osm_type or self.osm_id is None or self.osm_id < 0:
            return ""
        return f"https://www.openstreetmap.org/{self.osm_type}/{self.osm_id}"

    def as_feature(self, *, zone: datetime.tzinfo | None = None) -> dict[str, Any]:
        """Return the space as a GeoJSON Feature with every attribute as a property; its times in ISO
        8601 with their offset, in `zone` (the city's, for exports) or else in UTC."""

        def stamp(value: datetime.datetime | None) -> str | None:
            if value is None:
                return None
            return (value.astimezone(zone) if zone is not None else value).isoformat()

        return {
            "type": "Feature",
            "id": self.pk,
            "geometry": self.polygon,
            "properties": {
                "id": self.pk,
                "city": self.city_id,
                "name": self.shown_name,
                "kind": self.kind,
                "area_m2": round(self.area_m2, 1),
                "centroid_lon": self.centroid_lon,
                "centroid_lat": self.centroid_lat,
                "capacity": self.capacity,
                "usual_crowd": self.usual_crowd,
                "peak_crowd": self.peak_crowd,
                "peak_times": self.peak_times,
                "owner": self.owner,
                "contact_name": self.contact_name,
                "contact_email": self.contact_email,
                "contact_phone": self.contact_phone,
                "description": self.description,
                "source": self.source,
                "osm_type": self.osm_type,
                "osm_id": self.osm_id,
                "edited": self.edited,
                "in_latest_import": self.in_latest_import,
                "network_version": self.network_version,
                "archived_at": stamp(self.archived_at),
                "created_at": stamp(self.created_at),
                "updated_at": stamp(self.updated_at),
            },
        }


class DismissedSuggestion(CityOwned):
    """An OSM object whose suggested space an administrator removed for good: later imports do not
    suggest it again (an archived space needs no such row: the space itself is kept)."""

    view_action = "space.view"
    edit_action = "space.edit"

    osm_type = models.CharField(max_length=10, choices=OsmType.choices)
    osm_id = models.BigIntegerField()
    name = models.CharField(max_length=200, blank=True)
    dismissed_at = models.DateTimeField(auto_now_add=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["city", "osm_type", "osm_id"], name="dismissed_once_per_osm_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.osm_type}/{self.osm_id})"
