#!/usr/bin/env bash
# Mutation testing, niced so it leaves the machine usable: scripts/mutation.sh [TARGET ...] [options].
# Targets, options and the report: scripts/mutation.py (python scripts/mutation.py --help).
# Needs the mutation extra: .venv/bin/pip install -e ".[mutation]"
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
exec nice -n "${MUTATION_NICE:-10}" "$python" scripts/mutation.py "$@"
