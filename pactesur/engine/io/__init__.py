"""The only place where the engine reads or writes files."""
