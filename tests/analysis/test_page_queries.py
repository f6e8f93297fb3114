"""The analysis pages a security manager opens most ask the database a bounded number of queries: the
city page reads the speed maps of every vehicle class at once, and the active street network once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pactesur.analysis.parameters import vehicle_codes

pytestmark = pytest.mark.django_db

# Queries of the city page of a security manager: session, user, roles, cities, the active network,
# the spaces not analysed, the two of the ranking's stamp, the progress, the spaces counted, the speed
# maps, the audit row.
CITY_PAGE_QUERIES = 12
# Queries of a space's analysis page: session, user, roles, cities, the space, the active network
# twice (the inputs of the space and of its shown rows), its rows, the stamp, the audit row.
SPACE_PAGE_QUERIES = 10


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _queries(client: Client, url: str) -> list[str]:
    client.get(url)  # the kept renderings are made: the pages are read as they are most of the time
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def _from(table: str, queries: list[str]) -> list[str]:
    return [q for q in queries if f'FROM "{table}"' in q]


def test_the_city_page_reads_every_classs_speed_map_in_one_query(analysed, security_officer):  # type: ignore[no-untyped-def]
    queries = _queries(_client(security_officer), "/analysis/")

    assert len(vehicle_codes()) == 6
    assert len(_from("analysis_cityspeedmap", queries)) == 1
    assert len(_from("streets_streetnetwork", queries)) == 1
    assert len(queries) <= CITY_PAGE_QUERIES, "\n".join(queries)


def test_a_space_page_asks_a_bounded_number_of_queries(analysed, security_officer):  # type: ignore[no-untyped-def]
    queries = _queries(_client(security_officer), f"/analysis/spaces/{analysed.pk}/")

    assert len(_from("spaces_space", queries)) == 1
    assert len(queries) <= SPACE_PAGE_QUERIES, "\n".join(queries)


def test_after_a_re_import_the_street_tables_show_the_previous_networks_speeds(  # type: ignore[no-untyped-def]
    analysed, security_officer, leeds
):
    from pactesur.streets.models import StreetNetwork
    from tests.streets.factories import StreetNetworkFactory

    StreetNetwork.objects.filter(pk=leeds.pk).update(is_active=False)
    StreetNetworkFactory(city=analysed.city, version=leeds.version + 1, is_active=True)

    html = _client(security_officer).get("/analysis/?vehicle=N3F").content.decode()

    sections = html.split("data-street-speeds")[1:]
    assert len(sections) == len(vehicle_codes())
    previous = f"Speeds of the previous street network (version {leeds.version})"
    assert all(previous in section for section in sections)  # every class, from its map of version 1
    n3f = next(s for s in sections if 'data-vehicle="N3F"' in s.split(">")[0])
    assert "Woodhouse Lane" in n3f
