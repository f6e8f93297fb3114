"""Signals of spaces, sent after the transaction that changed the space has committed."""

from django.dispatch import Signal

# A space was created, its outline changed, or it was restored from the archive (analyses skip
# archived spaces). Sent with `space` (the Space) and `reason` (for the audit row), after commit;
# the analysis app listens to re-run the space's vehicle dynamics assessment.
space_geometry_changed = Signal()

# A space's crowd figures (usual or peak crowd) or its outline, so its area, changed through
# `do_update_space`. Sent with `space`, `acting_user` and `fields` (the names changed), after commit;
# the assessments app brings the suggestions of a draft assessment, which reads them, up to date.
space_figures_changed = Signal()
