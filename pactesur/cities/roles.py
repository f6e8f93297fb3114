"""Roles and what each may do: the single table every permission check reads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("City administrator")
    SECURITY = "security", _("Security manager")
    PLANNER = "planner", _("Urban planner")
    TRAINER = "trainer", _("Trainer")
    VIEWER = "viewer", _("Viewer")
    EXPERT = "expert", _("Network expert")


CITY_ROLES = (Role.ADMIN, Role.SECURITY, Role.PLANNER, Role.TRAINER, Role.VIEWER)

# Roles that manage members or read restricted data: a city may require two-factor log-in of them,
# and inviting someone to one of them needs a recently confirmed password (pactesur.accounts.reauth).
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.SECURITY})

# Action → roles of the city allowed to do it. `expert` is network-wide and sees no city's own records.
# Restricted data (analyses, assessments, protocols…) is for security and admin only (DESIGN.md).
PERMISSIONS: dict[str, frozenset[str]] = {
    "city.view": frozenset(CITY_ROLES),
    "city.edit": frozenset({Role.ADMIN}),
    "members.manage": frozenset({Role.ADMIN}),
    "audit.view": frozenset({Role.ADMIN}),
    "space.view": frozenset(CITY_ROLES),
    "space.edit": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    "space.export": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    "event.view": frozenset(CITY_ROLES),
    "event.edit": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    # Spaces and events are archived (and restored) by those who edit them; removing one for good,
    # with everything that depends on it (data protection), is for the city's administrators only.
    "space.purge": frozenset({Role.ADMIN}),
    "event.purge": frozenset({Role.ADMIN}),
    "network.view": frozenset(CITY_ROLES),
    "network.import": frozenset({Role.ADMIN, Role.SECURITY}),
    "restricted.view": frozenset({Role.ADMIN, Role.SECURITY}),
    # Approach analyses: full entries, paths and city-wide speeds are restricted; planners see the
    # per-space summary (max impact speed and energy, required rating) their designs need.
    "analysis.view": frozenset({Role.ADMIN, Role.SECURITY}),
    "analysis.summary": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    "analysis.run": frozenset({Role.ADMIN, Role.SECURITY}),
    # Vulnerability assessments: scenarios and evidence are restricted; planners see the risk level
    # per space and the top risks (no scenario text). Reviewing is never done by the version's author
    # (enforced in pactesur.assessments.actions).
    "assessment.view": frozenset({Role.ADMIN, Role.SECURITY}),
    "assessment.edit": frozenset({Role.ADMIN, Role.SECURITY}),
    "assessment.review": frozenset({Role.ADMIN, Role.SECURITY}),
    "assessment.summary": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    # The measure catalogue: every member reads the shared types and the city's own; those who design
    # and secure spaces add and edit the city's own types. Network experts curate the shared catalogue
    # (pactesur.measures.access), which is theirs, not a city's.
    "measure.view": frozenset(CITY_ROLES),
    "measure.edit": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    # Investment plans say where the city is least protected: planners, security and admin read and
    # make them; security and admin approve them (issue 11).
    "plan.view": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    "plan.edit": frozenset({Role.ADMIN, Role.SECURITY, Role.PLANNER}),
    "plan.approve": frozenset({Role.ADMIN, Role.SECURITY}),
}


def role_allows(role: str, action: str) -> bool:
    """Return whether `role` may perform `action`; unknown actions are denied."""
    return role in PERMISSIONS.get(action, frozenset())
