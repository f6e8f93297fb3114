"""Receivers of other apps' signals: a draft assessment follows its space's crowd figures."""

from __future__ import annotations

from typing import Any

from pactesur.assessments.actions import do_follow_space_figures
from pactesur.spaces.signals import space_figures_changed


def on_space_figures_changed(sender: Any, *, space: Any, acting_user: Any = None, **kwargs: Any) -> None:
    do_follow_space_figures(space, acting_user=acting_user)


def connect() -> None:
    space_figures_changed.connect(on_space_figures_changed, dispatch_uid="assessments-space-figures")
