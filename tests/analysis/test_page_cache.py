"""The analysis pages keep what they render until an analysis row, the space or the network changes."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from pactesur.analysis import views
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.results import city_progress
from pactesur.spaces.actions import do_update_space

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _page(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _touch(space: Any, **values: Any) -> None:
    """What every write of `pactesur.analysis.actions` to a row does: change it and its `updated_at`."""
    ApproachAnalysis.objects.filter(space=space).update(updated_at=timezone.now(), **values)


def test_a_space_page_is_rendered_once_until_its_analyses_change(analysed, security_officer, monkeypatch):
    client = _client(security_officer)
    url = f"/analysis/spaces/{analysed.pk}/?vehicle=N3F"
    first = _page(client, url)
    calls = []
    monkeypatch.setattr(views, "entry_rows", lambda analyses: calls.append(1) or [])

    assert _page(client, url) == first  # the kept rendering: entries are not read again
    assert calls == []

    _touch(analysed, max_impact_speed_kmh=123.4)
    changed = _page(client, url)
    assert calls  # a row changed: rendered again from the rows
    assert 'id="entries-table"' in changed
    assert "No entry computed yet." in changed  # what the patched reading gave


def test_the_kept_page_speaks_the_language_of_the_request(analysed, security_officer):
    client = _client(security_officer)
    english = _page(client, f"/analysis/spaces/{analysed.pk}/")
    french = _page(client, f"/fr/analysis/spaces/{analysed.pk}/")
    with translation.override("fr"):
        heading = translation.gettext("Entries and approach paths")

    assert "Entries and approach paths" in english
    assert heading != "Entries and approach paths"
    assert heading.replace("’", "&#x27;") in french or heading in french
    assert "Entries and approach paths" not in french


def test_a_space_page_is_not_kept_while_an_analysis_runs(analysed, security_officer, monkeypatch):
    client = _client(security_officer)
    ApproachAnalysis.objects.filter(space=analysed, vehicle="M1").update(status=AnalysisStatus.RUNNING)
    real = views.entry_rows
    calls = []

    def counted(analyses: Any) -> Any:
        calls.append(1)
        return real(analyses)

    monkeypatch.setattr(views, "entry_rows", counted)
    _page(client, f"/analysis/spaces/{analysed.pk}/?vehicle=N3F")
    _page(client, f"/analysis/spaces/{analysed.pk}/?vehicle=N3F")

    assert len(calls) == 2  # its status follows the clock: computed on each request


def test_the_city_ranking_follows_a_renamed_space_and_a_changed_analysis(analysed, security_officer):
    client = _client(security_officer)
    before = _page(client, "/analysis/")
    assert analysed.name in before

    do_update_space(analysed, acting_user=security_officer, name="Renamed crossing")
    renamed = _page(client, "/analysis/")
    assert "Renamed crossing" in renamed
    assert "Woodhouse Lane crossing" not in renamed

    _touch(analysed, max_impact_speed_kmh=987.0)
    assert ">987 <abbr" in _page(client, "/analysis/")


def test_the_city_ranking_is_rendered_once_until_something_changes(analysed, security_officer, monkeypatch):
    client = _client(security_officer)
    first = _page(client, "/analysis/")
    monkeypatch.setattr(views, "space_ranking", lambda city: pytest.fail("the ranking was computed again"))

    assert _page(client, "/analysis/") == first


def test_progress_counts_a_row_running_for_too_long_as_failed(analysed):
    rows = ApproachAnalysis.objects.filter(space=analysed).order_by("vehicle")
    total = ApproachAnalysis.objects.filter(city=analysed.city, status=AnalysisStatus.SUCCEEDED).count()
    ApproachAnalysis.objects.filter(pk=rows[0].pk).update(
        status=AnalysisStatus.RUNNING, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    ApproachAnalysis.objects.filter(pk=rows[1].pk).update(
        status=AnalysisStatus.RUNNING, updated_at=timezone.now()
    )

    counts = city_progress(analysed.city)

    assert counts[AnalysisStatus.FAILED] == 1
    assert counts[AnalysisStatus.RUNNING] == 1
    assert counts[AnalysisStatus.SUCCEEDED] == total - 2


def test_an_archived_space_leaves_the_kept_ranking_and_comes_back_restored(analysed, security_officer):
    from pactesur.spaces.actions import do_archive_space, do_restore_space

    client = _client(security_officer)
    assert "Woodhouse Lane crossing" in _page(client, "/analysis/")

    do_archive_space(analysed, acting_user=security_officer)
    assert "Woodhouse Lane crossing" not in _page(client, "/analysis/")

    do_restore_space(analysed, acting_user=security_officer)
    assert "Woodhouse Lane crossing" in _page(client, "/analysis/")
