"""Every page meets WCAG 2.1 AA as far as a machine can tell, as each role, and at 320 px wide.

Cities are public bodies: their tools must meet WCAG 2.1 AA (EN 301 549). axe-core, pinned in
`tests/browser/package-lock.json`, is installed with `npm ci` into the virtual environment (never
into the repository; `scripts/test.sh` does it before pytest) and injected into each page by
Playwright with the WCAG 2.1 A and AA rules. Beside axe, each page is checked for what axe lets
pass: references to ids that do not exist (`aria-describedby` of help texts), groups of radio
buttons without a fieldset and legend, maps without a name, and content wider than 320 px.

The pages are found, not listed: as each role, every link of the demo world (the Leeds extract with
an analysed space, events, assessments in draft and in review, an import job, archived records) is
followed from a few starting pages, one page per route; then the test fails if a page route the
permission matrix (`tests/*/matrix.py`) opens to that role was not reached. A route that fails
until a change in another app lands is marked in `KNOWN_FAILURES` with its rule ids and the
reason; a mark whose rules no longer fail fails the test, so that it is removed.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ROLES = ("admin", "security", "planner", "trainer", "viewer", "expert")
# WCAG 1.4.10 Reflow: content at 320 CSS px (1280 px at 400 % zoom) needs no sideways scrolling,
# but for parts that need two dimensions (a data table scrolls in its own box, a map pans).
REFLOW_WIDTH_PX = 320
# Set to a folder to keep a screenshot of every page checked, wide and at 320 px (for a person
# reviewing the layout).
SCREENSHOTS = os.environ.get("PACTESUR_SCREENSHOTS", "")


# --- axe-core, installed from npm -------------------------------------------------------------


def tools_dir() -> Path:
    """Where `npm ci` puts the browser test tools: in the virtual environment, which git ignores."""
    configured = os.environ.get("PACTESUR_BROWSER_TOOLS")
    if configured:
        return Path(configured)
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "browser-tools"
    return Path(tempfile.gettempdir()) / "pactesur-browser-tools"


def install_axe() -> Path:
    """`npm ci` the pinned axe-core once per lock file and return axe.min.js.

    Without npm the checks skip, but in CI (`CI` set), where they must run, they fail.
    """
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("npm not found: CI must install node and npm (.ci/run) to run the axe-core checks")
        pytest.skip(
            "npm not found: the axe-core accessibility checks need node and npm (apt-get install npm)"
        )
    # The same stamp as scripts/test.sh writes: the two files, package.json first.
    pinned = (HERE / "package.json").read_bytes() + (HERE / "package-lock.json").read_bytes()
    digest = hashlib.sha256(pinned).hexdigest()
    tools = tools_dir()
    tools.mkdir(parents=True, exist_ok=True)
    axe = tools / "node_modules" / "axe-core" / "axe.min.js"
    stamp = tools / ".installed"
    with open(tools / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs at once install once
        if not (axe.exists() and stamp.exists() and stamp.read_text() == digest):
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(HERE / name, tools / name)
            done = subprocess.run(  # noqa: S603 (npm from PATH, our lock file)
                [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=tools,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0 or not axe.exists():
                pytest.fail(f"npm ci of the browser test tools failed in {tools}:\n{done.stderr}")
            stamp.write_text(digest)
    return axe


@pytest.fixture(scope="session")
def axe_source() -> str:
    return install_axe().read_text(encoding="utf-8")


def axe_violations(page: Any, axe_source: str) -> list[tuple[str, str]]:
    """(rule id, what and where) of every WCAG 2.1 A/AA violation axe finds on the page as it is.

    The script is evaluated through the DevTools protocol, which the page's Content Security
    Policy does not govern: the page itself stays as strict as it is for people.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    found = page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
            const r = await axe.run(document, options);
            const summary = (n) => (n.failureSummary || '').replace(/\\s+/g, ' ');
            const where = (n) => n.target.join(' ') + ' (' + summary(n) + ')';
            return r.violations.map(v => [v.id, v.help + ': ' + v.nodes.slice(0, 3).map(where).join('; ')]);
        }""",
        WCAG_21_AA,
    )
    return [(str(rule), str(text)) for rule, text in found]


# --- what axe lets pass ---------------------------------------------------------------------------

# Every check returns [[rule id, detail], …]; the ids are ours, prefixed `pactesur-`.
OWN_CHECKS = """() => {
    const problems = [];
    const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
    // 1.3.1 / 4.1.2: every id an attribute names exists (help texts, labels, controlled regions).
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-owns']) {
        document.querySelectorAll('[' + attr + ']').forEach((e) => {
            for (const id of e.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) {
                    problems.push(['pactesur-idref', (e.id || e.name || e.tagName) + ' ' + attr + '=' + id]);
                }
            }
        });
    }
    document.querySelectorAll('label[for]').forEach((l) => {
        if (!document.getElementById(l.htmlFor)) problems.push(['pactesur-idref', 'label for=' + l.htmlFor]);
    });
    // 1.3.1: the choices of one question (radio buttons of one name) are a group with its question.
    const groups = new Map();
    document.querySelectorAll('input[type=radio]').forEach((r) => {
        if (!groups.has(r.name)) groups.set(r.name, []);
        groups.get(r.name).push(r);
    });
    for (const [name, radios] of groups) {
        if (radios.length < 2) continue;
        const fieldset = radios[0].closest('fieldset');
        const legend = fieldset && fieldset.querySelector(':scope > legend');
        const group = radios[0].closest('[role=radiogroup]');
        const named = group && (group.getAttribute('aria-label') || group.getAttribute('aria-labelledby'));
        const allIn = (box) => radios.every((r) => box.contains(r));
        if (!((legend && legend.textContent.trim() && allIn(fieldset)) || (named && allIn(group)))) {
            problems.push(['pactesur-radio-group', 'radios "' + name + '" without fieldset and legend']);
        }
    }
    // 1.1.1 / 4.1.2: a map says what it shows.
    document.querySelectorAll('.leaflet-container, .pactesur-map').forEach((m) => {
        const box = m.closest('[aria-label], [aria-labelledby]');
        const name = box && (box.getAttribute('aria-label') || box.getAttribute('aria-labelledby'));
        if (!name) problems.push(['pactesur-map-name', 'map #' + (m.id || '?') + ' has no name']);
    });
    // 1.1.1 / 1.3.1: a risk matrix cell says its level in words (visibly or not), not only in a
    // tooltip (`title`, which keyboards, touch screens and most screen readers never show) or a colour.
    const mute = [];
    document.querySelectorAll('[data-testid=risk-matrix] tbody td').forEach((td) => {
        if (!/\\p{L}/u.test(td.textContent)) mute.push((td.dataset.p || '?') + '×' + (td.dataset.c || '?'));
    });
    if (mute.length) {
        problems.push(['pactesur-title-only', 'cells without their level in words: ' + mute.join(' ')]);
    }
    return problems;
}"""

# 1.4.10: what sticks out of a 320 px wide page, outside a box that scrolls or clips it.
OVERFLOW = """(width) => {
    if (document.documentElement.scrollWidth <= width + 1) return [];
    // Clipped by a box that scrolls or hides: an absolutely placed element only by a positioned one.
    const boxed = (e) => {
        let free = ['absolute', 'fixed'].includes(getComputedStyle(e).position);
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            const style = getComputedStyle(p);
            if (free && style.position !== 'static') free = false;  // its containing block
            if (!free && style.overflowX !== 'visible') return true;
        }
        return false;
    };
    const sticks = (e) => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > width + 1;
    const classes = (e) => (typeof e.className === 'string' ? e.className.split(/\\s+/) : []).filter(Boolean);
    const name = (e) => [e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''), ...classes(e)].join('.');
    const out = [];
    for (const e of document.body.querySelectorAll('*')) {
        // The innermost elements that stick out: what to fix (their ancestors only follow).
        const clips = getComputedStyle(e).overflowX !== 'visible';
        if (sticks(e) && !boxed(e) && (clips || ![...e.children].some(sticks))) {
            const path = [name(e)];
            for (let p = e.parentElement; p && p !== document.body && path.length < 4; p = p.parentElement) {
                path.unshift(name(p));
            }
            out.push(path.join(' > ') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
        }
        if (out.length >= 4) break;
    }
    return out.length ? out : ['the page is ' + document.documentElement.scrollWidth + ' px wide'];
}"""


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def page_problems(page: Any, axe_source: str, name: str = "") -> dict[str, str]:
    """Rule id → what fails on the page: axe, our own checks, then the page at 320 px wide."""
    _shot(page, name)
    problems = dict(axe_violations(page, axe_source))
    for rule, text in page.evaluate(OWN_CHECKS):
        problems[rule] = f"{problems[rule]}; {text}" if rule in problems else text
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH_PX, "height": 640})
    try:
        page.wait_for_timeout(50)
        wide = page.evaluate(OVERFLOW, REFLOW_WIDTH_PX)
        _shot(page, f"{name}-320")
        if wide:
            problems["pactesur-reflow-320"] = "wider than 320 px: " + ", ".join(wide)
    finally:
        page.set_viewport_size(size)
    return problems


# --- known failures, until the change in another app lands -----------------------------------------


@dataclass(frozen=True)
class KnownFailure:
    """Rules a route breaks until a change outside this test lands: the reason says which change."""

    rules: frozenset[str]
    reason: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset((*ROLES, "anonymous")))


KNOWN_FAILURES: dict[str, KnownFailure] = {}


# --- the demo world and the crawl ----------------------------------------------------------------

# Routes never followed: they end the session, change the language, or answer a file.
SKIPPED_ROUTES = {
    "accounts:logout",
    "set_language",
    "favicon",
    "measures:feedback_photo",
}  # the last: an image
FILE_SUFFIXES = (".json", ".geojson", ".csv", ".pdf", ".ico", ".svg", ".png")


def route_of(path: str) -> str | None:
    """The view name of a path of ours, None if it is no page (an asset, the API, an unknown URL)."""
    from django.urls import Resolver404, resolve

    if path.startswith(("/api/", "/static/", "/django-admin/", "/media/")) or path.endswith(FILE_SUFFIXES):
        return None
    try:
        name = resolve(path).view_name
    except Resolver404:
        return None
    return None if name in SKIPPED_ROUTES else name


@pytest.fixture
def demo_world(analysed_space, security_officer, city_admin) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What a city has after a few weeks: the Leeds extract with an analysed space and its event,
    an assessment in review (a measure, two submitted versions), a draft assessment of a second
    space, an import job, an archived space and event."""

    from pactesur.assessments.actions import (
        do_add_measure,
        do_return_assessment,
        do_start_assessment,
        do_submit_assessment,
    )
    from pactesur.assessments.decisions import ActionFields, do_add_risk_action, do_add_team_member
    from pactesur.events.actions import do_archive_event
    from pactesur.measures.actions import (
        do_add_feedback,
        do_compute_plan,
        do_create_measure_type,
        do_create_plan,
        do_record_installation,
    )
    from pactesur.measures.models import MeasureType
    from pactesur.spaces.actions import do_archive_space, do_create_space
    from pactesur.streets.models import StreetNetwork
    from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, box
    from tests.assessments.helpers import rate, settle_the_rest
    from tests.measures.helpers import photo_upload, seed_catalogue
    from tests.spaces.helpers import make_event
    from tests.streets.factories import ImportJobFactory

    # The catalogue comes from a data migration, which an earlier transactional test may have flushed.
    seed_catalogue()
    space = analysed_space
    city = space.city
    event = make_event(space, security_officer, name="Leeds Christmas market")
    reviewed = do_start_assessment(space, acting_user=security_officer)
    do_add_measure(
        reviewed,
        acting_user=security_officer,
        measure_type=MeasureType.objects.get(code="cctv"),
        status="existing",
    )
    rate(reviewed, "vehicle", 4, 5, security_officer)
    rate(reviewed, "blade", 2, 3, security_officer)
    settle_the_rest(reviewed, security_officer)
    do_add_team_member(
        reviewed, acting_user=security_officer, name="Leeds police", organisation="police", role="advice"
    )
    # The register lives on after submission: an action to open and edit.
    do_add_risk_action(
        reviewed,
        ActionFields(
            title="Rated bollards at the crossing",
            owner="Highways",
            due_on=datetime.date(2027, 6, 30),
            cost_eur=40000,
            scenario=reviewed.scenarios.get(attack_type="vehicle"),
        ),
        acting_user=security_officer,
    )
    do_submit_assessment(reviewed, acting_user=security_officer)
    do_return_assessment(reviewed, acting_user=city_admin, comment="Check the blade scenario")
    rate(reviewed, "blade", 3, 3, security_officer)
    do_submit_assessment(reviewed, acting_user=security_officer)

    forecourt = do_create_space(
        city,
        acting_user=security_officer,
        name="University forecourt",
        kind="square",
        polygon=box(WOODHOUSE_LON + 0.002, WOODHOUSE_LAT + 0.001),
    )
    draft = do_start_assessment(forecourt, acting_user=security_officer)
    rate(draft, "arson", 3, 2, security_officer)
    # Whichever assessment's register the crawl opens first has an action to edit.
    do_add_risk_action(
        draft,
        ActionFields(title="Remove the gas bottles", owner="Markets", due_on=datetime.date(2027, 3, 1)),
        acting_user=security_officer,
    )
    gone = do_create_space(
        city,
        acting_user=security_officer,
        name="Old market",
        kind="market",
        polygon=box(WOODHOUSE_LON - 0.002, WOODHOUSE_LAT - 0.001),
    )
    old_event = make_event(gone, security_officer, name="Old market fair")
    do_archive_event(old_event, acting_user=security_officer)
    do_archive_space(gone, acting_user=security_officer)
    # The measures: a type of the city's own, an installed measure with feedback and its photo.
    own_type = do_create_measure_type(
        city, acting_user=city_admin, name="Leeds steel cable barrier", family="vehicle", kind="fixed_bollard"
    )
    installed = do_record_installation(
        city,
        acting_user=security_officer,
        space=space,
        measure_type=own_type,
        quantity=40,
        installed_on=datetime.date(2025, 11, 20),
        total_cost_eur=52000,
        supplier_kind="installer",
        shared=True,
    )
    do_add_feedback(
        installed,
        acting_user=security_officer,
        kind="acceptance",
        happened_on=datetime.date(2026, 1, 5),
        text="Shopkeepers accept it.",
        acceptance=4,
        photo=photo_upload(),
    )
    do_compute_plan(
        do_create_plan(city, acting_user=security_officer, name="Plan 2027", budget_eur=50_000).pk
    )
    from pactesur.measures.barrier_actions import do_check_barrier_plan, do_create_barrier_plan

    barrier_plan = do_check_barrier_plan(
        do_create_barrier_plan(
            space, acting_user=security_officer, name="Woodhouse barriers", vehicles=["M1", "N3C"]
        ),
        acting_user=security_officer,
    )
    network = StreetNetwork.objects.get(city=city, is_active=True)
    job = ImportJobFactory(city=city, network=network, status="succeeded", progress=1.0, message="")
    return {
        "space": space,
        "event": event,
        "reviewed": reviewed,
        "forecourt": forecourt,
        "draft": draft,
        "archived_space": gone,
        "archived_event": old_event,
        "job": job,
        "own_type": own_type,
        "barrier_plan": barrier_plan,
    }


def start_paths(world: dict[str, Any]) -> list[str]:
    """Where the crawl starts, before the home page: the pages whose richest state a link might miss
    (an editable draft's scenario form, a job, the password pages)."""
    draft = world["draft"]
    scenario = draft.scenarios.get(attack_type="vehicle")
    return [
        f"/assessments/{draft.pk}/scenarios/{scenario.pk}/",
        f"/assessments/{draft.pk}/",
        f"/assessments/{world['reviewed'].pk}/diff/",
        f"/streets/jobs/{world['job'].pk}/",
        f"/assessments/{world['reviewed'].pk}/versions/1/",
        f"/events/{world['event'].pk}/edit/",
        f"/measures/{world['own_type'].pk}/edit/",
        f"/measures/barriers/{world['barrier_plan'].pk}/",
        f"/events/{world['event'].pk}/archive/",
        f"/spaces/{world['archived_space'].pk}/purge/",
        f"/events/{world['archived_event'].pk}/purge/",
        "/accounts/password/change/done/",
        "/accounts/confirm/?next=/",
        "/",
    ]


def crawl(page: Any, base: str, starts: list[str], check: Callable[[str, str], None]) -> set[str]:
    """Open every page reachable by links from `starts`, one per route, and `check(route, url)` each."""
    done: set[str] = set()
    queue = [base + path for path in starts]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        route = route_of(urlsplit(url).path)
        if route is None or route in done:
            continue
        response = page.goto(url)
        if response is None or response.status >= 400 or route_of(urlsplit(page.url).path) != route:
            continue  # refused or redirected elsewhere: that page is checked under its own route
        page.wait_for_load_state("networkidle")
        done.add(route)
        check(route, url)
        for href in page.eval_on_selector_all("a[href]:not([download])", "as => as.map(a => a.href)"):
            link = urldefrag(href)[0]
            if link.startswith(base + "/") and link not in seen:
                queue.append(link)
    return done


class _AnyRecord(dict):  # type: ignore[type-arg]
    """Stands for the records a matrix row's `url` reads: every key and attribute is record 1."""

    def __missing__(self, key: str) -> _AnyRecord:
        return _AnyRecord()

    def __getattr__(self, name: str) -> int:
        return 1


def matrix_pages(role: str) -> set[str]:
    """The page routes the permission matrix opens to `role` (200), files and JSON left out."""
    from tests.test_permission_matrix import ROWS

    routes = set()
    for row in ROWS:
        if not row.api and row.method == "GET" and row.expect.get(role) == 200:
            route = route_of(urlsplit(row.url(_AnyRecord())).path)
            if route is not None:
                routes.add(route)
    return routes


class Findings:
    """What fails on each route, against the known failures."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.unexpected: list[str] = []
        self.seen_known: dict[str, set[str]] = {}

    def record(self, route: str, url: str, problems: dict[str, str]) -> None:
        known = KNOWN_FAILURES.get(route)
        allowed = known.rules if known is not None and self.role in known.roles else frozenset()
        if known is not None and self.role in known.roles:
            self.seen_known.setdefault(route, set()).update(set(problems) & known.rules)
        for rule, text in sorted(problems.items()):
            if rule not in allowed:
                self.unexpected.append(f"{route} {urlsplit(url).path}: [{rule}] {text}")

    def report(self) -> str:
        lines = list(self.unexpected)
        for route, rules in self.seen_known.items():
            fixed = KNOWN_FAILURES[route].rules - rules
            if fixed:
                lines.append(f"{route}: {sorted(fixed)} no longer fail: remove them from KNOWN_FAILURES")
        return "\n".join(lines)


def _check_error_page(page: Any, base: str, path: str, status: int, findings: Findings, axe: str) -> None:
    response = page.goto(base + path)
    assert response is not None
    assert response.status == status, f"{path} answered {response.status}"
    findings.record(str(status), path, page_problems(page, axe, f"{findings.role}-{status}"))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_meets_wcag_21_aa_as_each_role(  # type: ignore[no-untyped-def]
    page, live_server, demo_world, user_by_role, role, axe_source
) -> None:
    user = user_by_role(role)
    log_in(page, live_server, user.username, TEST_PASSWORD)
    findings = Findings(role)

    def check(route: str, url: str) -> None:
        findings.record(route, url, page_problems(page, axe_source, f"{role}-{route.replace(':', '-')}"))

    reached = crawl(page, live_server.url, start_paths(demo_world), check)
    # Pages no link leads to: one that is not there, one the role may not open.
    _check_error_page(page, live_server.url, "/spaces/999999/", 404, findings, axe_source)
    if role != "admin":
        _check_error_page(page, live_server.url, "/audit/", 403, findings, axe_source)
    missing = sorted(matrix_pages(role) - reached)
    assert not missing, f"pages the matrix opens to {role} that no link reached: {missing}"
    assert not findings.report(), f"as {role}:\n{findings.report()}"


def test_pages_before_log_in_meet_wcag_21_aa(page, live_server, axe_source) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    UserFactory(username="someone")
    base = live_server.url
    findings = Findings("anonymous")
    for path in (
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/MQ/not-a-token/",
        "/accounts/password/reset/complete/",
        "/accounts/invitation/not-a-token/",
    ):
        page.goto(base + path)
        findings.record(route_of(path) or path, path, page_problems(page, axe_source))
    # A failed log-in, with its message.
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "someone")
    page.fill("input[name=password]", "not the password")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state("networkidle")
    findings.record("accounts:login (failed)", "/accounts/login/", page_problems(page, axe_source))
    _check_error_page(page, base, "/no/such/page/", 404, findings, axe_source)
    assert not findings.report(), findings.report()


# --- what a person does with the keyboard and a screen reader -------------------------------------


@pytest.fixture
def marie_in_two_cities(page, live_server):  # type: ignore[no-untyped-def]
    from tests.factories import CityFactory, MembershipFactory, UserFactory

    user = UserFactory(username="marie")
    MembershipFactory(user=user, city=CityFactory(name="Nice", slug="nice", country="FR"), role="admin")
    MembershipFactory(user=user, city=CityFactory(name="Liège", slug="liege", country="BE"), role="viewer")
    log_in(page, live_server, "marie", TEST_PASSWORD)
    return page


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const r = e.getBoundingClientRect();
            return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || '').trim(),
                    inMain: !!e.closest('main'), width: r.width, height: r.height,
                    onScreen: r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
                    outline: getComputedStyle(e).outlineStyle};
        }"""
    )


def test_the_first_tab_stop_skips_the_menu_to_the_content(marie_in_two_cities) -> None:  # type: ignore[no-untyped-def]
    page = marie_in_two_cities
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "Skip to the content"
    assert first["onScreen"], "the skip link must show when it has the focus"
    assert first["width"] > 20
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # The next stop is the page's own first link, not the menu's.
    page.keyboard.press("Tab")
    assert _focused(page)["inMain"]


def test_every_header_stop_can_be_seen_when_it_has_the_focus(marie_in_two_cities) -> None:  # type: ignore[no-untyped-def]
    page = marie_in_two_cities
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stop = _focused(page)
        if stop["inMain"]:
            break
        stops.append(stop)
    hidden = [s for s in stops if not (s["onScreen"] and s["width"] > 2 and s["height"] > 2)]
    assert not hidden, f"stops that take the focus unseen: {hidden}"
    unmarked = [s for s in stops if s["outline"] in ("none", "")]
    assert not unmarked, f"stops without a focus ring: {unmarked}"
    assert {"Switch city", "Change language"} <= {s["text"] for s in stops}


@pytest.mark.parametrize(
    ("select", "option", "button"),
    [("#language-switch", "fr", "Change language"), ("#city-switch", None, "Switch city")],
)
def test_a_switcher_changes_the_page_only_when_its_button_is_pressed(  # type: ignore[no-untyped-def]
    marie_in_two_cities, select, option, button
) -> None:
    page = marie_in_two_cities
    before = page.url
    city = page.locator("[data-testid=current-city]").inner_text()
    # Arrowing through the options with the keyboard, as a person reading them does.
    page.focus(select)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    if option:
        page.select_option(select, value=option)
    page.wait_for_timeout(300)
    assert page.url == before
    assert page.locator("[data-testid=current-city]").inner_text() == city
    submit = page.get_by_role("button", name=button)
    assert submit.is_visible()
    with page.expect_navigation():
        submit.click()
    if option:
        assert page.locator("html").get_attribute("lang") == option
    else:
        assert page.locator("[data-testid=current-city]").inner_text() != city


def test_a_failed_log_in_is_announced_and_takes_the_focus(page, live_server) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    UserFactory(username="someone")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "someone")
    page.fill("input[name=password]", "not the password")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state("networkidle")
    alert = page.get_by_role("alert")
    assert "Please enter a correct username and password" in alert.inner_text()
    assert page.title().startswith("Log-in failed: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # The next Tab goes on to the form, whose fields say they are wrong.
    assert page.get_attribute("input[name=username]", "value") == "someone"
