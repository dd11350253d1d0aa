#!/usr/bin/env bash
# Prints the README's "From Python" code (its indented block), with the
# installed scenarios' folder /usr/share/tyche/scenarios replaced by $1
# when given, ready for python3. The install tests run it, so the README's
# lines are known to work.
# Usage: readme_python.sh README.md [SCENARIO_DIR]
set -euo pipefail
readme=$1 dir=${2:-/usr/share/tyche/scenarios}
code=$(awk '/^## From Python/{on=1; next} on && /^## /{exit} on && /^    /{sub(/^    /, ""); print}' "$readme")
[ -n "$code" ] || { echo "readme_python.sh: no indented code under '## From Python' in $readme" >&2; exit 1; }
printf '%s\n' "$code" | sed "s|/usr/share/tyche/scenarios|$dir|g"
