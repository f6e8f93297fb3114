"""Every `do_*` action that writes to the database also writes an audit row.

Read from the code (Python's own parser), so that an action added tomorrow is checked without a
test of its own: an action *writes* when it, or a function of the package it calls, saves,
creates, deletes or updates rows; it *audits* when it, or a function it calls, calls
`do_record_audit`, `do_record_view` or `do_record_export`. An action that writes without
auditing fails the test unless it is listed in `NOT_AUDITED` with the reason.

Behavioural tests follow for the actions whose audit call could be removed without any other
test noticing (issue 9): API token creation and revocation, invitation revocation, measure removal.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "pactesur"
WRITE_METHODS = {
    "save",
    "create",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# `.update(…)` writes when called on a queryset, not on a dict.
QUERYSET_METHODS = {"filter", "exclude", "all", "select_for_update", "objects"}
AUDIT_FUNCTIONS = {"do_record_audit", "do_record_view", "do_record_export"}

# action → why it writes no audit row. Each is a job of the system, not a person's act, or writes
# rows that are themselves a record of something audited elsewhere.
NOT_AUDITED = {
    "pactesur.audit.actions.do_record_audit": "it is the audit",
    "pactesur.audit.actions.do_record_view": "it is the audit",
    "pactesur.audit.actions.do_record_export": "it is the audit",
    "pactesur.streets.actions.do_fail_stale_jobs": "system: marks jobs whose worker died as failed",
    "pactesur.streets.actions.do_handle_lost_import": "system: a lost worker's import job marked failed",
    "pactesur.streets.actions.do_run_import_job": "system: the import it runs is audited (do_import_osm)",
    "pactesur.analysis.actions.do_handle_lost_space_analysis": "system: lost worker's rows marked failed",
    "pactesur.analysis.actions.do_handle_lost_city_analysis": "system: lost worker's rows marked failed",
    "pactesur.analysis.actions.do_run_space_analysis": "system: results of an audited request",
    "pactesur.analysis.actions.do_run_city_analysis": "system: results of an audited request",
    "pactesur.analysis.actions.do_compute_city_speed_maps": "system: results of an audited request",
    "pactesur.analysis.actions.do_mark_network_superseded": "system: follows an audited import",
    "pactesur.measures.actions.do_handle_lost_plan": "system: a lost worker's plan computation marked failed",
    "pactesur.reports.actions.do_handle_lost_report": "system: a lost worker's report marked failed",
    "pactesur.reports.actions.do_prepare_protection_plan": "system: builds the file of an audited request; "
    "each download is audited",
    "pactesur.assessments.actions.do_send_assessment_reminders": "system: reminder e-mails, logged",
    "pactesur.jobs.sweeps.do_sweep": "system: the worker's periodic sweep",
    "pactesur.jobs.sweeps.do_beat": "system: a worker's heartbeat",
    "pactesur.jobs.sweeps.do_forget_worker": "system: a stopped worker's heartbeat removed",
}


@dataclass
class Function:
    module: str
    name: str
    calls: set[str] = field(default_factory=set)
    writes: bool = False
    audits: bool = False

    @property
    def path(self) -> str:
        return f"{self.module}.{self.name}"


def _is_queryset(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in QUERYSET_METHODS
    return isinstance(node, ast.Attribute) and node.attr == "objects"


def _read(function: ast.FunctionDef, module: str) -> Function:
    found = Function(module, function.name)
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            found.calls.add(node.func.id)
        elif isinstance(node.func, ast.Attribute):
            name = node.func.attr
            found.calls.add(name)
            if name in WRITE_METHODS or (name == "update" and _is_queryset(node.func.value)):
                found.writes = True
    found.audits = bool(found.calls & AUDIT_FUNCTIONS)
    return found


def _functions() -> Iterator[Function]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                yield _read(node, module)


def actions() -> dict[str, Function]:
    """Every `do_*` function of the package, with `writes` and `audits` followed through its calls.

    A call is resolved by name: a function of the same module first, else a `do_*` action of the
    package (action names are unique), so that helpers and other apps' actions count.
    """
    by_module: dict[tuple[str, str], Function] = {}
    for function in _functions():
        by_module.setdefault((function.module, function.name), function)
    by_action = {name: f for (_m, name), f in by_module.items() if name.startswith("do_")}

    def callees(function: Function) -> list[Function]:
        found = []
        for name in function.calls:
            callee = by_module.get((function.module, name)) or by_action.get(name)
            if callee is not None and callee is not function:
                found.append(callee)
        return found

    changed = True
    while changed:
        changed = False
        for function in by_module.values():
            for callee in callees(function):
                if callee.writes and not function.writes:
                    function.writes = changed = True
                if callee.audits and not function.audits:
                    function.audits = changed = True
    return {f.path: f for f in by_action.values()}


ACTIONS = actions()


def test_the_reader_finds_the_actions_and_what_they_do():
    assert len(ACTIONS) > 40
    token = ACTIONS["pactesur.accounts.actions.do_create_api_token"]
    assert token.writes
    assert token.audits
    assert ACTIONS["pactesur.spaces.actions.do_create_space"].writes


def test_the_reader_sees_a_write_without_audit(tmp_path: Path):
    source = (
        "def do_thing(x):\n    X.objects.filter(pk=x).update(a=1)\n\ndef do_other(d):\n    d.update(a=1)\n"
    )
    functions = {
        f.name: f
        for f in (_read(n, "m") for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef))
    }

    assert functions["do_thing"].writes
    assert not functions["do_thing"].audits
    assert not functions["do_other"].writes  # a dict's update is not a write


@pytest.mark.parametrize("path", sorted(p for p, f in ACTIONS.items() if f.writes and p not in NOT_AUDITED))
def test_an_action_that_writes_writes_an_audit_row(path: str):
    assert ACTIONS[path].audits, f"{path} writes to the database without an audit row"


def test_every_exception_is_still_an_action_that_writes():
    """An entry of NOT_AUDITED for an action that is gone or writes nothing is a stale excuse."""
    stale = [path for path in NOT_AUDITED if path not in ACTIONS or not ACTIONS[path].writes]
    assert stale == []


# --- the actions named by issue 9, run for real ---------------------------------------------


@pytest.mark.django_db
def test_creating_and_revoking_an_api_token_are_audited(security_officer):
    from pactesur.accounts.actions import do_create_api_token, do_revoke_api_token
    from pactesur.audit.models import AuditEvent

    token, _raw = do_create_api_token("field tablet", acting_user=security_officer)
    created = AuditEvent.objects.filter(action="create", object_id=str(token.pk)).count()
    do_revoke_api_token(token, acting_user=security_officer)
    revoked = AuditEvent.objects.filter(action="update", object_id=str(token.pk))

    assert created == 1
    assert [e.detail.get("event") for e in revoked] == ["api_token_revoked"]


@pytest.mark.django_db
def test_revoking_an_invitation_is_audited(city, city_admin):
    from pactesur.accounts.actions import do_invite_member, do_revoke_invitation
    from pactesur.audit.models import AuditEvent

    invitation = do_invite_member(
        city, "newcomer@example.org", "viewer", acting_user=city_admin, accept_url=lambda t: f"/accept/{t}/"
    )
    before = AuditEvent.objects.count()
    do_revoke_invitation(invitation, acting_user=city_admin)

    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().username == city_admin.username


@pytest.mark.django_db
def test_removing_a_measure_is_audited(city, security_officer):
    from pactesur.assessments.actions import do_add_measure, do_remove_measure
    from pactesur.audit.models import AuditEvent
    from pactesur.measures.models import MeasureType
    from tests.assessments.helpers import start

    assessment = start(city, security_officer, peak_crowd=2000, usual_crowd=300)
    measure = do_add_measure(
        assessment, acting_user=security_officer, measure_type=MeasureType.objects.get(code="hvm_unrated")
    )
    before = AuditEvent.objects.count()
    do_remove_measure(measure, acting_user=security_officer)

    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().username == security_officer.username
