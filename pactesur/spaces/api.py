"""API endpoints of spaces: /api/v1/spaces/ — the same permissions and messages as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from pactesur.cities.models import City, cities_where, has_city_perm
from pactesur.spaces.actions import (
    do_archive_space,
    do_create_space,
    do_restore_space,
    do_update_space,
    spaces_geojson,
)
from pactesur.spaces.geometry import (
    DISPLAY_TOLERANCE_M,
    MAX_GEOJSON_BYTES,
    MAX_GEOJSON_DEPTH,
    MAX_OUTLINE_VERTICES,
)
from pactesur.spaces.models import Space, SpaceKind

router = Router(tags=["spaces"])
# The most people a count field holds (a PositiveIntegerField on PostgreSQL): more is refused
# by the schema rather than by the database.
PEOPLE_MAX = 2_147_483_647


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        # The words of the pages' form fields (Django's own validator), in the caller's language.
        raise PydanticCustomError("null_characters", str(ProhibitNullCharactersValidator.message))
    return value


# Text PostgreSQL can store: it refuses NUL characters, which the pages' form fields refuse too.
NulFreeText = Annotated[str, AfterValidator(_refuse_nul)]


class SpaceOut(Schema):
    id: int
    city: int = Field(..., alias="city_id")
    name: str = Field(
        ..., description="The name people gave it; empty for a space OpenStreetMap gives no name"
    )
    display_name: str = Field(
        ...,
        description="What pages call it, in the language of Accept-Language: its name, or for a space "
        "OpenStreetMap gives no name a label such as “Unnamed square (way 123)”",
    )
    kind: str
    polygon: dict[str, Any]
    area_m2: float
    centroid_lon: float
    centroid_lat: float
    capacity: int | None
    usual_crowd: int | None
    peak_crowd: int | None
    peak_times: str
    owner: str
    contact_name: str
    contact_email: str
    contact_phone: str
    description: str
    source: str
    osm_type: str
    osm_id: int | None
    edited: bool
    in_latest_import: bool
    network_version: int | None
    archived_at: datetime | None = Field(
        None, description="When the space was archived (DELETE); null while it is in use"
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_display_name(space: Space) -> str:
        return space.shown_name


class SpaceListItemOut(SpaceOut):
    polygon: dict[str, Any] = Field(
        ...,
        description=f"The outline simplified within {DISPLAY_TOLERANCE_M} m for display; "
        "GET /spaces/{id} gives it as stored",
    )

    @staticmethod
    def resolve_polygon(space: Space) -> dict[str, Any]:
        return space.display_polygon


class _SpaceFields(Schema):
    capacity: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    usual_crowd: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    peak_crowd: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    peak_times: NulFreeText = ""
    owner: NulFreeText = Field("", max_length=200)
    contact_name: NulFreeText = Field("", max_length=200)
    contact_email: NulFreeText = Field("", max_length=254)
    contact_phone: NulFreeText = Field("", max_length=40)
    description: NulFreeText = ""


class SpaceIn(_SpaceFields):
    city: int
    name: NulFreeText = Field(..., min_length=1, max_length=200)
    kind: SpaceKind = SpaceKind.OTHER
    polygon: dict[str, Any] = Field(
        ...,
        description=f"GeoJSON Polygon or MultiPolygon in WGS 84 lon/lat: at most {MAX_GEOJSON_BYTES} bytes "
        f"as compact JSON, {MAX_OUTLINE_VERTICES} vertices and {MAX_GEOJSON_DEPTH} levels of nesting, "
        "no NUL character",
    )


class SpacePatch(Schema):
    # Left out, a field keeps its value; name, kind and outline cannot be emptied (null is refused,
    # and the document does not offer it: SkipJsonSchema), the other texts are emptied by null.
    name: Annotated[NulFreeText, Field(min_length=1, max_length=200)] | SkipJsonSchema[None] = None
    kind: SpaceKind | SkipJsonSchema[None] = None
    polygon: dict[str, Any] | SkipJsonSchema[None] = None
    capacity: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    usual_crowd: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    peak_crowd: int | None = Field(None, ge=0, le=PEOPLE_MAX)
    peak_times: NulFreeText | None = None
    owner: NulFreeText | None = Field(None, max_length=200)
    contact_name: NulFreeText | None = Field(None, max_length=200)
    contact_email: NulFreeText | None = Field(None, max_length=254)
    contact_phone: NulFreeText | None = Field(None, max_length=40)
    description: NulFreeText | None = None


def validation_error_422(exc: ValidationError) -> NinjaValidationError:
    """The form's messages, in the shape of ninja's own 422 answers."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"loc": ["body", "payload", field], "msg": str(msg), "type": "value_error"}
            for field, msgs in exc.message_dict.items()
            for msg in msgs
        ]
    else:
        errors = [{"loc": ["body", "payload"], "msg": str(m), "type": "value_error"} for m in exc.messages]
    return NinjaValidationError(errors)


def visible_city_or_404(user: Any, city_id: int) -> City:
    """A city the user belongs to; any other id is 404, as on the pages."""
    if city_id not in cities_where(user, "city.view"):
        raise Http404
    return City.objects.get(pk=city_id)


def require(user: Any, city: City | int, action: str) -> None:
    if not has_city_perm(user, city, action):
        raise HttpError(403, _("Your role in this city does not allow this."))


def _space_or_404(request: HttpRequest, space_id: int, action: str | None = None) -> Space:
    space: Space = get_object_or_404(Space.objects.for_user(request.user, "space.view"), pk=space_id)
    if action:
        require(request.user, space.city_id, action)
    return space


def _filtered(
    request: HttpRequest, city: int | None, kind: str | None, q: NulFreeText | None, archived: bool
) -> Any:
    visible = Space.objects.for_user(request.user, "space.view")
    spaces = visible.archived() if archived else visible.active()
    if city is not None:
        visible_city_or_404(request.user, city)
        spaces = spaces.filter(city_id=city)
    if kind:
        spaces = spaces.filter(kind=kind)
    if q:
        query = Q()
        for word in q.split():
            query &= Q(name__icontains=word)
        spaces = spaces.filter(query)
    return spaces.order_by("name", "id")


@router.get("/", response=list[SpaceListItemOut], summary="List spaces")
def list_spaces(
    request: HttpRequest,
    city: int | None = None,
    kind: SpaceKind | None = None,
    q: NulFreeText | None = None,
    archived: bool = False,
) -> Any:
    """The spaces in use of the caller's cities, or of one `city`; filter by `kind` or words of the
    name (`q`); `archived=true` lists the archived spaces instead. Outlines are simplified for display;
    one space's endpoint gives its stored outline."""
    return list(_filtered(request, city, kind, q, archived))


@router.get("/geojson", response=dict[str, Any], summary="Spaces as GeoJSON")
def spaces_as_geojson(
    request: HttpRequest,
    city: int | None = None,
    kind: SpaceKind | None = None,
    q: NulFreeText | None = None,
    archived: bool = False,
) -> Any:
    """The same spaces as a GeoJSON FeatureCollection with every attribute as properties, outlines
    simplified for display (the pages' audited GeoJSON export gives them as stored)."""
    return spaces_geojson(_filtered(request, city, kind, q, archived), simplified=True)


@router.get("/{int:space_id}", response=SpaceOut, summary="One space")
def get_space(request: HttpRequest, space_id: int) -> Any:
    """One space, archived or not (`archived_at` says)."""
    return _space_or_404(request, space_id)


@router.post("/", response={201: SpaceOut}, summary="Create a space")
def create_space(request: HttpRequest, payload: SpaceIn) -> Any:
    city = visible_city_or_404(request.user, payload.city)
    require(request.user, city, "space.edit")
    data = payload.dict(exclude={"city"})
    data["kind"] = str(data["kind"].value if isinstance(data["kind"], SpaceKind) else data["kind"])
    try:
        space = do_create_space(city, acting_user=request.user, request=request, **data)
    except ValidationError as exc:
        raise validation_error_422(exc) from exc
    return Status(201, space)


@router.patch("/{int:space_id}", response=SpaceOut, summary="Change a space")
def update_space(request: HttpRequest, space_id: int, payload: SpacePatch) -> Any:
    space = _space_or_404(request, space_id, "space.edit")
    changes = payload.dict(exclude_unset=True)
    for required in ("name", "kind", "polygon"):
        if required in changes and changes[required] is None:
            raise NinjaValidationError(
                [
                    {
                        "loc": ["body", "payload", required],
                        "msg": "This field cannot be null.",
                        "type": "value_error",
                    }
                ]
            )
    if isinstance(changes.get("kind"), SpaceKind):
        changes["kind"] = changes["kind"].value
    for text in ("peak_times", "owner", "contact_name", "contact_email", "contact_phone", "description"):
        if text in changes and changes[text] is None:
            changes[text] = ""
    try:
        return do_update_space(space, acting_user=request.user, request=request, **changes)
    except ValidationError as exc:
        raise validation_error_422(exc) from exc


@router.delete("/{int:space_id}", response={204: None}, summary="Archive a space (nothing is deleted)")
def archive_space(request: HttpRequest, space_id: int) -> Any:
    """Archive the space: it leaves the lists, maps, rankings, analyses and exports, and nothing is
    deleted — its events, analyses and assessment with every version are kept. It stays readable
    here (`archived_at` is set) and in `?archived=true` lists, and `POST /spaces/{id}/restore` brings
    it back. Archiving an archived space changes nothing. Removing a space for good (data protection)
    is an administrator's action on the pages only, where every record it takes is named first."""
    space = _space_or_404(request, space_id, "space.edit")
    do_archive_space(space, acting_user=request.user, request=request)
    return Status(204, None)


@router.post("/{int:space_id}/restore", response=SpaceOut, summary="Restore an archived space")
def restore_space(request: HttpRequest, space_id: int) -> Any:
    """Bring an archived space back into use, with everything kept with it."""
    space = _space_or_404(request, space_id, "space.edit")
    return do_restore_space(space, acting_user=request.user, request=request)
