"""API endpoints of cities."""

from ninja import Router

router = Router(tags=["cities"])
