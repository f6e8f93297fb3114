"""Audit trail: who logged in, changed, saw or exported what, and when."""
