"""Space actions: create, update, archive, and the sync of suggested spaces on (re-)import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from shapely.geometry import shape

from pactesur.audit.models import AuditEvent
from pactesur.spaces.actions import (
    do_archive_space,
    do_purge_space,
    do_sync_suggested_spaces,
    do_update_space,
)
from pactesur.spaces.models import Space
from tests.spaces.helpers import NICE_LAT, NICE_LON, bowtie, make_event, make_space, square

pytestmark = pytest.mark.django_db


@dataclass
class Suggestion:
    """The shape of pactesur.engine.spaces.SuggestedSpace, as the import hands it over."""

    name: str
    kind: str
    osm_type: str
    osm_id: int
    polygon: Any
    tags: dict[str, str] = field(default_factory=dict)
    area_m2: float = 0.0


def _suggest(name: str, osm_id: int, *, dx: float = 0.0, kind: str = "square") -> Suggestion:
    return Suggestion(name, kind, "way", osm_id, shape(square(NICE_LON + dx, NICE_LAT)), {"place": "square"})


class _Network:
    def __init__(self, version: int) -> None:
        self.pk = 1000 + version
        self.version = version


def test_created_space_has_its_area_centroid_author_and_an_audit_row(city, planner) -> None:
    space = make_space(city, planner)
    assert space.area_m2 == pytest.approx(8950, rel=0.01)
    assert space.centroid_lat == pytest.approx(NICE_LAT + 0.0005)
    assert space.created_by == planner
    assert space.source == "manual"
    assert AuditEvent.objects.filter(action="create", object_id=str(space.pk), user=planner).exists()


def test_self_intersecting_outline_creates_nothing(city, planner) -> None:
    with pytest.raises(ValidationError) as caught:
        make_space(city, planner, polygon=bowtie())
    assert "crosses itself" in str(caught.value.message_dict["polygon"])
    assert not Space.objects.exists()
    assert not AuditEvent.objects.exists()


def test_bad_contact_email_creates_nothing(city, planner) -> None:
    with pytest.raises(ValidationError, match="valid email"):
        make_space(city, planner, contact_email="not an address")
    assert not Space.objects.exists()


def test_update_records_the_changed_fields_and_marks_the_space_edited(city, planner) -> None:
    space = make_space(city, planner)
    do_update_space(space, acting_user=planner, capacity=5000, name="Place Masséna")
    space.refresh_from_db()
    assert space.capacity == 5000
    assert space.edited
    row = AuditEvent.objects.filter(action="update").get()
    assert row.detail == {"fields": ["capacity"]}


def test_update_without_change_writes_nothing(city, planner) -> None:
    space = make_space(city, planner)
    do_update_space(space, acting_user=planner, name=space.name, polygon=space.polygon)
    assert not AuditEvent.objects.filter(action="update").exists()


def test_update_refuses_fields_that_are_not_editable(city, planner) -> None:
    space = make_space(city, planner)
    with pytest.raises(TypeError, match="city"):
        do_update_space(space, acting_user=planner, city=None)


def test_archiving_a_space_keeps_it_and_its_events_and_is_audited(city, planner) -> None:
    space = make_space(city, planner)
    event = make_event(space, planner)
    do_archive_space(space, acting_user=planner)
    assert Space.objects.archived().get() == space
    assert space.events.get() == event
    row = AuditEvent.objects.get(action="archive", object_type="spaces.space")
    assert row.detail["kept"] == [{"type": "events.event", "count": 1, "ids": [event.pk]}]


def test_sync_creates_new_suggested_spaces(city, security_officer) -> None:
    result = do_sync_suggested_spaces(
        city,
        [_suggest("Place Garibaldi", 1), _suggest("Cours Saleya", 2, dx=0.01)],
        acting_user=security_officer,
        network=_Network(7),
    )
    assert (result.created, result.updated, result.kept_edited, result.removed) == (2, 0, 0, 0)
    space = Space.objects.get(osm_id=1)
    assert (space.source, space.osm_type, space.network_version, space.edited) == (
        "suggested",
        "way",
        7,
        False,
    )
    assert space.osm_tags == {"place": "square"}
    assert space.area_m2 > 0


def test_reimport_updates_unedited_spaces_and_keeps_edited_ones(city, security_officer, planner) -> None:
    do_sync_suggested_spaces(
        city,
        [_suggest("Garibaldi", 1), _suggest("Saleya", 2, dx=0.01)],
        acting_user=security_officer,
        network=_Network(1),
    )
    edited = Space.objects.get(osm_id=2)
    do_update_space(edited, acting_user=planner, name="Cours Saleya (market)", capacity=3000)

    result = do_sync_suggested_spaces(
        city,
        [
            _suggest("Place Garibaldi", 1, dx=0.0002),
            _suggest("Saleya renamed in OSM", 2),
            _suggest("Port", 3, dx=0.02),
        ],
        acting_user=security_officer,
        network=_Network(2),
    )
    assert (result.created, result.updated, result.kept_edited, result.removed) == (1, 1, 1, 0)
    unedited = Space.objects.get(osm_id=1)
    assert unedited.name == "Place Garibaldi"
    assert unedited.network_version == 2
    assert unedited.polygon["coordinates"][0][0][0] == pytest.approx(NICE_LON + 0.0002)
    edited.refresh_from_db()
    assert (edited.name, edited.capacity, edited.network_version) == ("Cours Saleya (market)", 3000, 1)


def test_reimport_of_the_same_suggestions_changes_nothing(city, security_officer) -> None:
    suggestions = [_suggest("Garibaldi", 1)]
    do_sync_suggested_spaces(city, suggestions, acting_user=security_officer, network=_Network(1))
    result = do_sync_suggested_spaces(city, suggestions, acting_user=security_officer, network=_Network(2))
    assert (result.created, result.updated, result.kept_edited, result.removed) == (0, 0, 0, 0)
    assert Space.objects.get().network_version == 2


def test_vanished_suggestion_is_flagged_but_kept_with_its_events(city, security_officer) -> None:
    do_sync_suggested_spaces(
        city, [_suggest("Garibaldi", 1)], acting_user=security_officer, network=_Network(1)
    )
    make_event(Space.objects.get(osm_id=1), security_officer)
    result = do_sync_suggested_spaces(city, [], acting_user=security_officer, network=_Network(2))
    assert result.removed == 1
    space = Space.objects.get(osm_id=1)
    assert not space.in_latest_import
    assert space.events.count() == 1
    # It comes back as suggested when OSM maps it again.
    do_sync_suggested_spaces(
        city, [_suggest("Garibaldi", 1)], acting_user=security_officer, network=_Network(3)
    )
    assert Space.objects.get(osm_id=1).in_latest_import


def test_sync_never_touches_manual_spaces_or_other_cities(city, other_city, security_officer) -> None:
    manual = make_space(city, security_officer, name="Promenade")
    elsewhere = make_space(other_city, None, name="Place Saint-Lambert")
    do_sync_suggested_spaces(
        city, [_suggest("Garibaldi", 1)], acting_user=security_officer, network=_Network(1)
    )
    do_sync_suggested_spaces(city, [], acting_user=security_officer, network=_Network(2))
    manual.refresh_from_db()
    elsewhere.refresh_from_db()
    assert manual.in_latest_import
    assert elsewhere.in_latest_import
    assert Space.objects.filter(city=other_city).count() == 1


def test_sync_maps_unknown_kinds_to_other_and_skips_unusable_outlines(city, security_officer) -> None:
    from shapely.geometry import Polygon

    broken = Suggestion("Broken", "square", "way", 9, shape(bowtie()))
    empty = Suggestion("Empty", "square", "way", 10, Polygon())
    odd = _suggest("Stadium", 11, kind="stadium")
    result = do_sync_suggested_spaces(
        city, [broken, empty, odd], acting_user=security_officer, network=_Network(1)
    )
    assert result.created == 1
    assert Space.objects.get().kind == "other"


def test_sync_is_audited_once_with_its_counts(city, security_officer) -> None:
    do_sync_suggested_spaces(
        city, [_suggest("Garibaldi", 1)], acting_user=security_officer, network=_Network(4)
    )
    row = AuditEvent.objects.get(action="import")
    assert row.detail["spaces"] == {
        "created": 1,
        "updated": 0,
        "kept_edited": 0,
        "removed": 0,
        "kept_archived": 0,
        "dismissed": 0,
    }
    assert row.city == city


def test_suggestion_removed_for_good_is_not_suggested_again(city, security_officer) -> None:
    do_sync_suggested_spaces(
        city, [_suggest("Parking lot", 1)], acting_user=security_officer, network=_Network(1)
    )
    space = do_archive_space(Space.objects.get(), acting_user=security_officer)
    do_purge_space(space, acting_user=None)
    result = do_sync_suggested_spaces(
        city,
        [_suggest("Parking lot", 1), _suggest("Garibaldi", 2)],
        acting_user=security_officer,
        network=_Network(2),
    )
    assert (result.created, result.dismissed) == (1, 1)
    assert list(Space.objects.values_list("name", flat=True)) == ["Garibaldi"]
