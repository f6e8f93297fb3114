"""API endpoints of spaces."""

from ninja import Router

router = Router(tags=["spaces"])
