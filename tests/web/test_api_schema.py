"""The API keeps to its OpenAPI document under schemathesis: no server error, no undocumented status
code, content type or body, and no request the document allows refused as malformed.

Each operation gets a bounded number of generated requests (`EXAMPLES`), as a security manager and
as a city administrator, on a city with a real street network, a space, an event and an
assessment: path ids are drawn from the records of the city (and one that exists nowhere), so
that bodies are tried against real records and not only against "not found".
"""

from __future__ import annotations

import copy
import datetime
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.web.api import api
from pactesur.web.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = 12
MISSING_ID = 987_654_321
# A request the document allows may be refused by the domain (400: an end before the start, an
# outline that is not a polygon) but never as malformed (422), which the document would have said.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
            }
        }
    }
)


def _token(user: Any) -> str:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="schemathesis", token_hash=hash_token(raw), prefix=raw[:8])
    return raw


@pytest.fixture
def records(city, security_officer, settings, tmp_path) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """A city with a street network, a space, an event and an assessment: id names → ids to try."""
    from pactesur.assessments.actions import do_start_assessment
    from pactesur.events.actions import do_create_event
    from tests.analysis.helpers import import_leeds, woodhouse_space

    settings.PACTESUR_DATA_DIR = tmp_path
    network = import_leeds(city, security_officer)
    space = woodhouse_space(city, security_officer)
    start = timezone.now() + datetime.timedelta(days=3)
    event = do_create_event(
        city,
        acting_user=security_officer,
        space=space,
        name="Night market",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        expected_attendance=800,
    )
    assessment = do_start_assessment(space, acting_user=security_officer)
    ids = {
        "city_id": city.pk,
        "network_id": network.pk,
        "space_id": space.pk,
        "event_id": event.pk,
        "assessment_id": assessment.pk,
        "job_id": MISSING_ID,
    }
    return {name: [value, MISSING_ID] for name, value in ids.items()}


def _document(records: dict[str, list[int]]) -> dict[str, Any]:
    """The served OpenAPI document, its path ids drawn from `records`."""
    document: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in records:
                    parameter["schema"] = {"type": "integer", "enum": records[parameter["name"]]}
    return document


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """Requests reach the WSGI application directly: as Django's test client does, keep the test's
    database connection (and its transaction) open when a request ends."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _failures(document: dict[str, Any], token: str) -> Iterator[str]:
    schema = schemathesis.openapi.from_dict(copy.deepcopy(document), config=CONFIG)
    schema.app = application
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, reported together
            yield f"{operation.label}: {str(exc)[:2500]}"


@pytest.mark.usefixtures("_connection_kept")
@pytest.mark.parametrize("role", ["security", "admin"])
def test_the_api_keeps_to_its_document(records, user_by_role, role):  # type: ignore[no-untyped-def]
    logging.disable(logging.WARNING)  # Django logs every 4xx: thousands of lines
    try:
        failures = list(_failures(_document(records), _token(user_by_role(role))))
    finally:
        logging.disable(logging.NOTSET)

    assert failures == [], "\n\n".join(failures)


def test_the_document_lists_the_errors_of_every_operation(records):
    document = _document(records)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"401", "403", "404"} <= set(operation["responses"]), f"{method} {path}"
            if operation.get("requestBody") or operation.get("parameters"):
                assert {"400", "422"} <= set(operation["responses"]), f"{method} {path}"


def test_the_document_needs_a_signed_in_user_or_a_token(client, security_officer):
    assert client.get("/api/v1/openapi.json").status_code == 401

    token = _token(security_officer)
    assert Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    client.force_login(security_officer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_errors_django_answers_before_the_api_are_json(client, security_officer):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(security_officer)}"}
    not_a_route = client.get("/api/v1/spaces/not-a-number/extra", **headers)

    assert not_a_route.status_code == 404
    assert not_a_route["Content-Type"].startswith("application/json")
    assert "detail" in not_a_route.json()
