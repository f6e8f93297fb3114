"""Sub-commands of the `pactesur` command: each module adds its parser and runs it."""
