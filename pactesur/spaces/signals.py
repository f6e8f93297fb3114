"""Signals of spaces, sent after the transaction that changed the space has committed."""

from django.dispatch import Signal

# A space was created or its outline changed. Sent with `space` (the Space), after commit; the
# analysis app listens to re-run the space's vehicle dynamics assessment.
space_geometry_changed = Signal()
