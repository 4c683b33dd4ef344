#!/usr/bin/env bash
# The compose compatibility suite (docs/compatibility.md): runs `stack config --format json` on
# each case and compares the model, key by key, with the one compose would print (expected.json),
# allowing only the differences listed in allow.json and CASE/allow.json.
# Usage: tests/compat/run.sh STACK_BINARY
set -euo pipefail

stack=${1:?usage: run.sh STACK_BINARY}
suite=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# Debian's python3 (scripts/install-deps.sh), not whichever one comes first in PATH
python=/usr/bin/python3
cases=(webapp monitoring mail extends-include anchors interpolation profiles)

[ -x "$stack" ] || { echo "compat: $stack is not an executable" >&2; exit 2; }
stack=$(cd "$(dirname "$stack")" && pwd -P)/$(basename "$stack")  # the cases run in their own directories
[ -x "$python" ] || { echo "compat: $python is missing (scripts/install-deps.sh installs it)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for c in "${cases[@]}"; do
  dir=$suite/$c
  for f in compose.yaml expected.json; do
    if [ ! -f "$dir/$f" ]; then
      echo "compat: $c: $dir/$f is missing"
      status=1
      continue 2
    fi
  done
  # A clean environment, so that the user's variables cannot change the models; CASE/run.env
  # adds the variables a case needs (KEY=VALUE lines, # comments).
  vars=(PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8)
  if [ -f "$dir/run.env" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
      vars+=("$line")
    done <"$dir/run.env"
  fi
  if ! (cd "$dir" && env -i "${vars[@]}" "$stack" -f "$dir/compose.yaml" config --format json) \
      >"$work/$c.json" 2>"$work/$c.err"; then
    echo "compat: $c: stack config failed: $(tr '\n' ' ' <"$work/$c.err")"
    rm -f "$work/$c.json"
    status=1
  fi
done
# Every case goes to the comparison, also one whose files are missing or whose `stack config`
# failed: it counts as a case that is not equal, never as one skipped.
"$python" "$suite/compare.py" "$suite" "$work" "${cases[@]}" || status=1
exit $status
