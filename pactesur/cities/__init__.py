"""Cities, memberships and roles, and the one tenancy mechanism every city-owned record uses."""
