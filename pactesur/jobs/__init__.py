"""Background jobs that survive their workers: heartbeats, lost jobs retried or failed, orphan files swept."""
