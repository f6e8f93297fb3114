"""Re-run analyses when their inputs change: a space's outline, or the city's active network."""

from __future__ import annotations

import logging
from typing import Any

from pactesur.spaces.signals import space_geometry_changed
from pactesur.streets.signals import network_activated

logger = logging.getLogger(__name__)


def on_space_geometry_changed(sender: Any, *, space: Any, **kwargs: Any) -> None:
    from pactesur.analysis.actions import active_network, do_enqueue_space_analysis

    if active_network(space.city_id) is None or space.archived_at is not None:
        return  # nothing to analyse against yet (the first import queues every space), or archived
    reason = str(kwargs.get("reason") or "outline changed")
    try:
        do_enqueue_space_analysis(space, acting_user=None, force=False, reason=reason)
    except Exception:
        # The space is saved; a failure to queue must not turn that into an error for the person.
        logger.exception("could not queue the analysis of space %s", space.pk)


def on_network_activated(sender: Any, *, network: Any, **kwargs: Any) -> None:
    from pactesur.analysis.actions import do_enqueue_city_analysis

    try:
        do_enqueue_city_analysis(network.city, acting_user=None, reason="new street network")
    except Exception:
        logger.exception("could not queue the analyses of city %s", network.city_id)


def connect() -> None:
    space_geometry_changed.connect(on_space_geometry_changed, dispatch_uid="analysis-space-geometry")
    network_activated.connect(on_network_activated, dispatch_uid="analysis-network-activated")
