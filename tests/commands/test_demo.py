"""`pactesur demo --no-serve`: Helsinki, its spaces and events, demo users; again and again."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.commands.conftest import embedded_env, pactesur_argv

REQUIRED = (
    "Senaatintori",
    "Kauppatori",
    "Rautatientori",
    "Esplanadinpuisto",
    "Narinkkatori",
    "Aleksanterinkatu",
)


def _demo(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        pactesur_argv("demo", "--no-serve", "--data-dir", str(data_dir)),
        env=embedded_env(data_dir.parent / "elsewhere"),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _passwords(out: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+\w+\s+(demo-\w+)\s+(\S+)$", out, flags=re.MULTILINE))


def test_demo_sets_up_helsinki_and_a_second_run_reuses_it_with_new_passwords(tmp_path: Path):
    data_dir = tmp_path / "demo"

    first = _demo(data_dir)

    assert first.returncode == 0, first.stderr[-3000:]
    assert "imported Helsinki.osm.pbf as version 1" in first.stdout
    for name in REQUIRED:
        assert re.search(rf"^\s+{name}\b", first.stdout, flags=re.MULTILINE), (name, first.stdout)
    assert "MISSING" not in first.stdout
    for event in ("Tuomaan markkinat", "New Year's Eve", "market day", "concert"):
        assert event in first.stdout
    for space in ("Senaatintori", "Rautatientori", "Narinkkatori"):
        assert re.search(
            rf"^\s+{space}\s+(Approved|Draft)\s+vehicle \d×\d, blade \d×\d$", first.stdout, flags=re.MULTILINE
        )
    first_passwords = _passwords(first.stdout)
    assert set(first_passwords) == {
        f"demo-{r}" for r in ("admin", "security", "planner", "trainer", "viewer", "expert")
    }
    assert "http://127.0.0.1:8000/" in first.stdout
    assert (data_dir / "pactesur.sqlite3").exists()

    second = _demo(data_dir)

    assert second.returncode == 0, second.stderr[-3000:]
    assert "version 1 already comes from Helsinki.osm.pbf: kept" in second.stdout
    second_passwords = _passwords(second.stdout)
    assert set(second_passwords) == set(first_passwords)
    assert all(second_passwords[u] != first_passwords[u] for u in first_passwords)
    assert second.stdout.count("Tuomaan markkinat") == 1
    _check_demo_database(data_dir, second_passwords)


def _check_demo_database(data_dir: Path, passwords: dict[str, str]) -> None:
    """Open the demo's database in a child process: one set of events, users who can log in."""
    script = (
        "import django, os, sys;"
        "django.setup();"
        "from pactesur.events.models import Event;"
        "from pactesur.streets.models import StreetNetwork;"
        "assert Event.objects.filter(name__startswith='Tuomaan').count() == 1, 'events duplicated';"
        "assert StreetNetwork.objects.count() == 1, 'network imported twice';"
        "from pactesur.accounts.models import User;"
        f"assert User.objects.get(username='demo-security').check_password({passwords['demo-security']!r});"
        "from pactesur.audit.models import AuditEvent;"
        "events = AuditEvent.objects.filter(username='cli');"
        "assert events.filter(action='create', object_type='cities.city').count() == 1, 'city not audited';"
        "added = events.filter(action='membership', detail__event='added');"
        "assert added.count() == 6, 'members not audited';"
        "from pactesur.assessments.models import Assessment;"
        "assert Assessment.objects.count() == 3, 'assessments duplicated';"
        "statuses = sorted(Assessment.objects.values_list('status', flat=True));"
        "assert statuses == ['approved', 'approved', 'draft'], statuses;"
        "from pactesur.assessments.models import RiskAction, TeamMember, ThreatLevel;"
        "assert ThreatLevel.objects.count() == 1, 'threat level recorded twice';"
        "assert TeamMember.objects.filter(organisation='police').count() == 3;"
        "assert RiskAction.objects.filter(scenario__decision='treat').exists(), 'no action';"
        "from pactesur.cities.models import City;"
        "from pactesur.measures.planning import solve;"
        "plan = solve(City.objects.get(slug='helsinki'), budget_eur=300000);"
        "assert plan['status'] == 'optimal', plan['status'];"
        "assert len(plan['spaces']) == 3, plan['spaces'];"
        "assert plan['chosen'] and plan['residual_risk'] < plan['risk_before'], 'the plan chooses nothing';"
        "print('ok')"
    )
    env = embedded_env(data_dir)
    env["DATABASE_URL"] = f"sqlite:///{data_dir / 'pactesur.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "pactesur.web.settings"
    result = subprocess.run(  # noqa: S603
        [pactesur_argv()[0], "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr[-2000:]


def test_the_demo_tells_spaces_outside_the_network_apart_from_failures():
    from pactesur.analysis.actions import RunStats
    from pactesur.commands.demo import outcome_lines

    outside = outcome_lines(RunStats(outside=12, outside_spaces=["Kauppatori", "aleksanterinkatu"]))
    failed = outcome_lines(RunStats(failed=6, errors=["Senaatintori: OperationalError"]))

    assert outside == [
        "  not analysed: 2 spaces outside the street network, which no street of the extract reaches: "
        "aleksanterinkatu, Kauppatori. Not analysed does not mean safe: import an extract that covers "
        "them, or correct their outlines (Vehicle dynamics page, Spaces not analysed)."
    ]
    assert outcome_lines(RunStats(outside=6, outside_spaces=["Kauppatori"]))[0].endswith(
        "Kauppatori. Not analysed does not mean safe: import an extract that covers it, or correct its "
        "outline (Vehicle dynamics page, Spaces not analysed)."
    )
    assert failed == [
        "  failed: 6 analyses (see the Vehicle dynamics page and the log): Senaatintori: OperationalError"
    ]
    assert outcome_lines(RunStats(analyses=318, spaces=53)) == []
