#!/usr/bin/env bash
# Import benchmark (BENCHMARKS.md, "Import (issue 11)"): generates an ndjson feed of N services
# (scripts/make-import-feed.py), imports it with ONE command into an empty SQLite data dir with
# the release build, and reports wall time and peak memory (GNU time's maximum resident set).
#
#   cargo build --release
#   scripts/bench-import.sh 10000 100000
#
# Needs /usr/bin/time (Debian: apt-get install time). Data goes to a temporary directory that is
# removed afterwards; the generated feeds are kept in $FEED_DIR (default /tmp) for reruns.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN="${CARGO_TARGET_DIR:-target}/release/wijkwijzer"
FEED_DIR="${FEED_DIR:-/tmp}"
[ -x "$BIN" ] || { echo "no release build at $BIN: run cargo build --release" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

for n in "${@:-10000}"; do
    feed="$FEED_DIR/wijkwijzer-import-$n.ndjson"
    [ -s "$feed" ] || python3 scripts/make-import-feed.py "$n" "$feed"
    data="$(mktemp -d)"
    log="$(mktemp)"
    /usr/bin/time -v "$BIN" --data-dir "$data" --demo-data false import "$feed" \
        >"$log.out" 2>"$log" || { cat "$log" >&2; exit 1; }
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    phase=$(grep '^imported ' "$log" | sed 's/;.*//')
    services=$(grep '^services:' "$log.out")
    printf '%s services, %s MB: wall %s, peak RSS %.0f MB; %s; %s\n' \
        "$n" "$(( $(stat -c %s "$feed") / 1048576 ))" "$wall" "$(echo "$rss / 1024" | bc -l)" \
        "$phase" "$services"
    rm -rf "$data" "$log" "$log.out"
done
