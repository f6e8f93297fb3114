"""API endpoints of events."""

from ninja import Router

router = Router(tags=["events"])
