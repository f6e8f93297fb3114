"""A security manager imports a real extract from the web and sees the new version and its base map."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.browser.conftest import running_worker
from tests.conftest import shared_osm
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PACTESUR_DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def worker() -> Iterator[threading.Thread]:
    with running_worker("browser-test", join_s=10) as thread:
        yield thread


def log_in(page, live_server, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real form (submitted with Enter: the page has other submit buttons)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


# Share of the map canvas' pixels that something was drawn on (not transparent).
_DRAWN_PIXELS_JS = """() => {
  const canvas = document.querySelector('#basemap .leaflet-overlay-pane canvas');
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
  return drawn / (canvas.width * canvas.height);
}"""


def test_security_manager_imports_an_extract_and_sees_the_new_version_on_the_map(
    page, live_server, security_officer, data_dir, worker
):
    extract = shared_osm("leeds_university_its-example.osm.pbf")
    log_in(page, live_server, "security_officer", TEST_PASSWORD)

    page.goto(f"{live_server.url}/streets/")
    assert page.locator("text=No street network has been imported").count() == 1
    page.set_input_files("input[name=file]", str(extract))
    page.click("form.streets-upload button[type=submit]")
    page.wait_for_url("**/streets/jobs/*/")

    # Locators, not wait_for_function: the strict CSP forbids the eval() that the latter needs.
    page.locator("#import-job[data-status=succeeded]").wait_for(timeout=120_000)
    assert page.locator("#import-progress").get_attribute("value") == "100"
    assert page.locator("#import-percent").inner_text() == "100 %"
    assert "New version 1" in page.locator("#import-outcome").inner_text()
    assert page.locator("#import-links").is_visible()

    page.click("text=Back to the network versions")
    active = page.locator("tr.streets-active")
    assert active.get_attribute("data-version") == "1"
    assert extract.name in active.inner_text()

    page.goto(f"{live_server.url}/streets/map/")
    page.locator("#basemap[data-basemap-state=ready]").wait_for()
    assert int(page.locator("#basemap").get_attribute("data-basemap-features") or 0) > 100
    assert page.evaluate(_DRAWN_PIXELS_JS) > 0.05

    page.set_viewport_size({"width": 390, "height": 844})
    box = page.locator("#basemap").bounding_box()
    assert box is not None
    assert box["width"] <= 390
    assert box["height"] > 300


def test_failed_import_shows_the_reason_on_the_job_page(
    page, live_server, security_officer, data_dir, worker, tmp_path
):
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(shared_osm("leeds_university_its-example.osm.pbf").read_bytes()[:4000])
    log_in(page, live_server, "security_officer", TEST_PASSWORD)

    page.goto(f"{live_server.url}/streets/")
    page.set_input_files("input[name=file]", str(broken))
    page.click("form.streets-upload button[type=submit]")

    page.locator("#import-job[data-status=failed]").wait_for(timeout=60_000)
    assert "broken.osm.pbf" in page.locator("#import-error").inner_text()
    assert "The import failed." in page.locator("#import-outcome").inner_text()


def test_security_manager_sees_the_spaces_an_extract_leaves_out_and_activates_it(
    request, page, live_server, city, security_officer, data_dir
):
    """Leeds is the city's network with a space on Woodhouse Lane; the Berlin file is uploaded by mistake."""
    from django_tasks_db.models import DBTaskResult

    from tests.analysis.helpers import import_leeds, woodhouse_space

    import_leeds(city, security_officer)
    woodhouse_space(city, security_officer)
    # The analyses these queued are not this test's: the worker (one task) must run the import.
    DBTaskResult.objects.all().delete()
    request.getfixturevalue("worker")
    log_in(page, live_server, "security_officer", TEST_PASSWORD)

    page.goto(f"{live_server.url}/streets/")
    page.set_input_files("input[name=file]", str(shared_osm("berlin_tiergarten_siegessaeule.osm.gz")))
    page.click("form.streets-upload button[type=submit]")

    # The page polls, sees the import held and reloads itself with the warning.
    page.locator("#import-job[data-status=held]").wait_for(timeout=60_000)
    warning = page.locator("#import-held")
    assert "This extract does not fit the city" in warning.inner_text()
    assert "No street of this extract reaches" in warning.inner_text()
    assert "of the city's spaces, so they cannot be analysed" in warning.inner_text()
    link = page.locator("#import-held-spaces a", has_text="Woodhouse Lane crossing")
    assert link.count() == 1
    assert "/spaces/" in (link.get_attribute("href") or "")
    assert "does not overlap the area of the street network in use (version 1)" in warning.inner_text()
    assert page.locator("#import-cancel").is_visible()

    with page.expect_navigation():
        page.click("#import-activate")

    page.locator("#import-job[data-status=succeeded]").wait_for()
    assert "Version 2 is now the active street network" in page.locator(".messages").inner_text()
    assert page.locator("#import-held").count() == 0
    page.goto(f"{live_server.url}/streets/")
    assert page.locator("tr.streets-active").get_attribute("data-version") == "2"


def test_the_job_page_goes_through_the_phases_the_import_reports(
    page, live_server, city, security_officer, data_dir
):
    """The page takes the phase from each poll: the phases before it ticked, it marked as under way,
    the bar within its share."""
    from pactesur.streets.models import IMPORT_PHASES, ImportJob, ImportStatus
    from tests.streets.factories import ImportJobFactory

    job = ImportJobFactory(city=city, phase="read", progress=0.1)
    log_in(page, live_server, "security_officer", TEST_PASSWORD)
    page.goto(f"{live_server.url}/streets/jobs/{job.pk}/")
    assert page.locator("#import-phases li[aria-current=step]").get_attribute("data-phase") == "read"

    for index, phase in enumerate(IMPORT_PHASES[1:5], start=1):
        ImportJob.objects.filter(pk=job.pk).update(phase=phase.key, progress=phase.start)
        page.locator(f"#import-phases li[data-phase={phase.key}][aria-current=step]").wait_for(timeout=5_000)
        assert page.locator("#import-phases li.streets-phase-done").count() == index
        assert page.locator("#import-progress").get_attribute("value") == str(round(phase.start * 100))
    assert "(done)" in page.locator("#import-phases li[data-phase=read]").inner_text()

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.SUCCEEDED, phase="activate", progress=1.0)
    page.locator("#import-job[data-status=succeeded]").wait_for(timeout=5_000)
    assert page.locator("#import-phases li.streets-phase-done").count() == len(IMPORT_PHASES)
    assert page.locator("#import-phases li[aria-current]").count() == 0
