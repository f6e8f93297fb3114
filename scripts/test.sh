#!/usr/bin/env bash
# Set up (a .venv beside this script's repo) and run every check and test PACTESUR has:
# ruff, the import contracts, mypy, pytest on SQLite (with the browser tests), pytest on PostgreSQL.
# Usage: scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
PACTESUR_EXTRAS=test source scripts/_setup.sh

step() { printf '\n== %s\n' "$*"; }

step "ruff"
ruff check pactesur tests bench manage.py
ruff format --check pactesur tests bench manage.py

step "import contracts (engine free of Django, apps free of the wiring)"
lint-imports

step "mypy"
mypy pactesur

step "browser test tools (axe-core from npm, pinned in tests/browser/package-lock.json)"
# Installed into the virtual environment, never into the repository; the accessibility test does the
# same when run alone. Without npm it skips, except in CI.
if command -v npm >/dev/null; then
  tools=.venv/browser-tools
  stamp="$(cat tests/browser/package.json tests/browser/package-lock.json | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$tools/node_modules/axe-core/axe.min.js" ] || [ "$(cat "$tools/.installed" 2>/dev/null)" != "$stamp" ]; then
    mkdir -p "$tools"
    cp tests/browser/package.json tests/browser/package-lock.json "$tools/"
    (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    printf '%s' "$stamp" > "$tools/.installed"
  fi
elif [ -n "${CI:-}" ]; then
  echo "CI requires npm for the accessibility checks: failing instead of skipping." >&2
  exit 1
else
  echo "SKIPPED the axe-core install: npm not found (the accessibility test will skip)."
fi

export PACTESUR_DATA_DIR="${PACTESUR_TEST_DATA_DIR:-$(mktemp -d)}"

step "pytest on SQLite (engine, web, browser)"
python -m pytest -q "$@"

PG_URL="${PACTESUR_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  step "pytest on PostgreSQL (every test that touches the database)"
  DATABASE_URL="$PG_URL" python -m pytest -q -p no:cacheprovider --ignore=tests/engine --ignore=tests/browser "$@"
elif [ -n "${CI:-}" ]; then
  echo "CI requires PostgreSQL: failing instead of skipping." >&2
  exit 1
else
  echo "SKIPPED the PostgreSQL run: no server at $PG_URL (set PACTESUR_TEST_POSTGRES_URL)."
fi
