#!/usr/bin/env bash
# Interleaved A/B of `glm-lsp context FILE:LINE --budget 4096` from process start: an older
# checkout's server/ (on PYTHONPATH) against this one, each with its own warm cache, so that
# a loaded machine slows both alike. Prints "old new" seconds per run, then the medians.
#   bash bench/ab_context_cli.sh OLD_CHECKOUT REPO FILE:LINE [FILE:LINE ...]
#   e.g. git worktree add /tmp/old ac9b059
#        bash bench/ab_context_cli.sh /tmp/old /tmp/ansible lib/ansible/playbook/play.py:120
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
old=$1 repo=$2
shift 2
glm=$here/.venv/bin/glm-lsp
cache=$(mktemp -d)
run() {  # which target -> seconds
  local env=(env "XDG_CACHE_HOME=$cache/$1")
  [ "$1" = old ] && env+=("PYTHONPATH=$old/server")
  /usr/bin/time -f %e "${env[@]}" "$glm" context "$2" --budget 4096 2>&1 >/dev/null | tail -1
}
cd "$repo"
for target in "$@"; do run old "$target" >/dev/null; run new "$target" >/dev/null; done  # warm
for round in 1 2 3 4; do
  for target in "$@"; do echo "$(run old "$target") $(run new "$target")"; done
done | tee "$cache/times"
python3 - "$cache/times" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if len(line.split()) == 2]
old, new = zip(*rows)
ratio = statistics.median(n / o for o, n in rows)
print(f"median old {statistics.median(old):.2f} s, new {statistics.median(new):.2f} s, new/old per pair {ratio:.2f}")
PY
rm -rf "$cache"
