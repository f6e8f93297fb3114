"""People: users, log-in, password reset, invitations, API tokens."""
