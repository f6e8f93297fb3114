"""Signals of streets, sent after the transaction that changed the network has committed."""

from django.dispatch import Signal

# A city's new street network became the active one. Sent with `network` (the StreetNetwork),
# after commit; the analysis app listens to re-run the city's analyses on it.
network_activated = Signal()
