#!/usr/bin/env bash
# Set up PACTESUR in .venv and run the demo: Helsinki imported, demo users printed, served on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
exec pactesur demo "$@"
