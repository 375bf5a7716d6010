#!/usr/bin/env bash
# The suite the way it once failed: a clean clone, both cores kept busy by stress-ng, N runs in a row.
# Usage: scripts/stress_suite.sh [RUNS] [LOGDIR]   (RUNS defaults to 3)
set -euo pipefail
runs="${1:-3}"
logdir="${2:-$(mktemp -d /tmp/jixiao-stress.XXXXXX)}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse --short HEAD)"
command -v stress-ng >/dev/null || { echo "stress-ng is not installed (apt-get install stress-ng)" >&2; exit 2; }

mkdir -p "$logdir"
clone="$logdir/clone"
rm -rf "$clone"
git clone -q "$repo" "$clone"
stress-ng --cpu "$(nproc)" --quiet &
stress_pid=$!
trap 'kill "$stress_pid" 2>/dev/null || true' EXIT

failures=0
for run in $(seq 1 "$runs"); do
    started=$(date -u +%H:%M:%S)
    if (cd "$clone" && make test) >"$logdir/run-$run.log" 2>&1; then outcome=passed; else outcome=FAILED; failures=$((failures + 1)); fi
    summary=$(grep -E "^=+ .*(passed|failed).* =+$" "$logdir/run-$run.log" | tail -1 || true)
    echo "run $run of $runs at commit $commit, $started-$(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg): $outcome $summary" | tee -a "$logdir/summary.txt"
done
exit $((failures > 0))
