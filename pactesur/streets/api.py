"""API endpoints of streets."""

from ninja import Router

router = Router(tags=["streets"])
