# Sourced by scripts/test.sh and scripts/demo.sh: make .venv and install PACTESUR into it (idempotent).
# PACTESUR_EXTRAS=test adds the test tools; system packages (chromium, gettext) are installed when root.
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
stamp=".venv/.pactesur-installed-${PACTESUR_EXTRAS:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  python -m pip install -q --upgrade pip
  if [ -n "${PACTESUR_EXTRAS:-}" ]; then
    python -m pip install -q -e ".[${PACTESUR_EXTRAS}]"
  else
    python -m pip install -q -e .
  fi
  touch "$stamp"
fi
