"""PACTESUR: protect crowded public spaces against hostile vehicles and terrorist attacks."""
