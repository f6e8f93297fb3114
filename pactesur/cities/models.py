"""City, Membership, and the tenancy base every city-owned model shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pactesur.cities.roles import CITY_ROLES, PERMISSIONS, Role

if TYPE_CHECKING:
    from pactesur.accounts.models import User


class City(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code"))
    languages = models.CharField(_("languages"), max_length=60, default="en")
    time_zone = models.CharField(_("time zone"), max_length=60, default="Europe/Brussels")
    share_with_network = models.BooleanField(_("share anonymised aggregates with the network"), default=False)
    two_factor_required = models.BooleanField(
        _("require two-factor log-in for administrators and security managers"),
        default=False,
        help_text=_(
            "They must then enter a code from an authenticator app at every log-in; those without one "
            "are asked to set it up before they can open anything else."
        ),
    )
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_(
            "Inhabitants: what the network is told of a city that shares its field experience anonymised."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name

    @property
    def size_band(self) -> str:
        """The city's size as an anonymised record names it ("", "small", "medium", "large", "metropolis")."""
        return size_band(self.population)


# Size bands of cities by inhabitants (assumption: the bands of European urban statistics, rounded).
SIZE_BANDS: tuple[tuple[int, str], ...] = (
    (1_000_000, "metropolis"),
    (250_000, "large"),
    (50_000, "medium"),
    (0, "small"),
)


def size_band(population: int | None) -> str:
    if population is None:
        return ""
    return next(band for floor, band in SIZE_BANDS if population >= floor)


class Membership(models.Model):
    """A user's role in one city; `expert` memberships are network-wide and have no city."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="one_membership_per_city"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(city__isnull=True), name="one_network_membership"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role="expert", city__isnull=True)
                    | (~models.Q(role="expert") & models.Q(city__isnull=False))
                ),
                name="expert_is_network_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} @ {self.city or 'network'}"


def _roles_by_city(user: Any) -> dict[int, set[str]]:
    """Return city id → roles of `user`, read once and cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return {}
    cache: dict[int, set[str]] | None = getattr(user, "_pactesur_roles", None)
    if cache is None:
        cache = {}
        for city_id, role in Membership.objects.filter(user=user, city__isnull=False).values_list(
            "city_id", "role"
        ):
            cache.setdefault(city_id, set()).add(role)
        user._pactesur_roles = cache
    return cache


def forget_roles(user: Any) -> None:
    """Drop the cached roles (and cities) after a membership change."""
    for cached in ("_pactesur_roles", "_pactesur_network_expert", "_pactesur_cities"):
        if hasattr(user, cached):
            delattr(user, cached)


def roles_of(user: Any, city: City | int | None) -> set[str]:
    """Return the roles `user` holds in `city`."""
    if city is None:
        return set()
    city_id = city if isinstance(city, int) else city.pk
    return _roles_by_city(user).get(city_id, set())


def is_network_expert(user: Any) -> bool:
    """Does `user` hold the network-wide expert role? Read once and cached on the user for the request."""
    if user is None or not user.is_authenticated:
        return False
    cached: bool | None = getattr(user, "_pactesur_network_expert", None)
    if cached is None:
        cached = Membership.objects.filter(user=user, city__isnull=True, role=Role.EXPERT).exists()
        user._pactesur_network_expert = cached
    return cached


def has_city_perm(user: Any, city: City | int | None, action: str) -> bool:
    """May `user` perform `action` in `city`? The one question every view and API call asks."""
    allowed = PERMISSIONS.get(action, frozenset())
    return bool(roles_of(user, city) & allowed)


def cities_where(user: Any, action: str) -> list[int]:
    """Return the ids of the cities where `user` may perform `action`."""
    allowed = PERMISSIONS.get(action, frozenset())
    return [city_id for city_id, roles in _roles_by_city(user).items() if roles & allowed]


def cities_of(user: Any) -> models.QuerySet[City]:
    return City.objects.filter(pk__in=cities_where(user, "city.view"))


def user_cities(user: Any) -> list[City]:
    """The cities `user` may open (`cities_of`), by name: read once and cached on the user for the
    request, as the roles are (the current city, the layout's switcher and the two-factor check)."""
    if user is None or not user.is_authenticated:
        return []
    cached: list[City] | None = getattr(user, "_pactesur_cities", None)
    if cached is None:
        cached = list(cities_of(user))
        user._pactesur_cities = cached
    return cached


class CityOwnedQuerySet(models.QuerySet[Any]):
    """Querysets of city-owned records; `.for_user()` is the only way views should read them."""

    def for_user(self, user: User | Any, action: str | None = None, *, city: City | None = None) -> Self:
        """Records `user` may `action` (default: the model's view action), optionally in one city."""
        action = action or self.model.view_action
        city_ids = cities_where(user, action)
        qs = self.filter(city_id__in=city_ids)
        if city is not None:
            qs = qs.filter(city=city)
        return qs


class CityOwned(models.Model):
    """Base of every record that belongs to a city. Subclasses name their view and edit actions."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")

    view_action = "city.view"
    edit_action = "city.edit"

    objects = CityOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    def user_can(self, user: Any, action: str | None = None) -> bool:
        return has_city_perm(user, self.city_id, action or self.view_action)


__all__ = ["CITY_ROLES", "City", "CityOwned", "CityOwnedQuerySet", "Membership", "Role", "has_city_perm"]
