"""Permission rows of the audit trail: its city's administrators only."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix_support import MatrixRow, current_city_statuses, every_role

# The audit pages show the current city's trail: any city's admin reads their own; no city → 403.
_CURRENT_CITY_ADMIN = current_city_statuses({"admin"})

ROWS = [
    MatrixRow(
        name="audit-list", method="GET", url=lambda s: reverse("audit:list"), expect=_CURRENT_CITY_ADMIN
    ),
    MatrixRow(
        name="audit-export", method="GET", url=lambda s: reverse("audit:export"), expect=_CURRENT_CITY_ADMIN
    ),
    # The trail is read, never written through these pages: a POST is not served, for anybody.
    MatrixRow(
        name="audit-list-post", method="POST", url=lambda s: reverse("audit:list"), expect=every_role(405)
    ),
    MatrixRow(
        name="audit-export-post", method="POST", url=lambda s: reverse("audit:export"), expect=every_role(405)
    ),
]
