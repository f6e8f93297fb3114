"""English formats for European readers."""
