#!/usr/bin/env bash
# Dump benchmark (BENCHMARKS.md, "HSDS dumps that stream (issue 12)"): for each N, generates an
# ndjson feed of N services (scripts/make-import-feed.py, as scripts/bench-import.sh), imports it
# into an empty SQLite data dir with the release build, starts the server on it and measures
#   - one `GET /hsds/services?format=ndjson&full=true` alone: wall time and size;
#   - 8 of them at once: wall time of each, the server's RSS sampled every 0.2 s (before, peak,
#     and after they ended);
#   - deep pages: /hsds/services page 1 against a page beyond the index's page depth
#     (MAX_OFFSET), and /hsds/service_at_locations page 1 against its last page.
#
#   cargo build --release
#   scripts/bench-dumps.sh 10000 100000
#
# Data goes to a temporary directory that is removed afterwards; the generated feeds are kept in
# $FEED_DIR (default /tmp) for reruns; DATA=DIR uses and keeps that data directory instead (the
# import is skipped when it already holds a database: one size at a time then). PORT (default 18080) is where the server listens; BIN
# another binary (default: the release build).
set -euo pipefail

cd "$(dirname "$0")/.."
BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/wijkwijzer}"
FEED_DIR="${FEED_DIR:-/tmp}"
PORT="${PORT:-18080}"
CONCURRENT="${CONCURRENT:-8}"
BASE="http://127.0.0.1:$PORT"
[ -x "$BIN" ] || { echo "no release build at $BIN: run cargo build --release" >&2; exit 1; }

rss_mb() { echo $(( $(awk '/^VmRSS/ {print $2}' "/proc/$1/status") / 1024 )); }
# Heap (anonymous) and file-backed (memory-mapped index and database) parts of the RSS, in MB.
rss_parts() { awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {printf "%d %d\n", a/1024, f/1024}' "/proc/$1/status"; }

# `curl` timing of one GET: "seconds bytes status".
timed() { curl -s -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' "$BASE$1"; }

for n in "${@:-10000}"; do
    feed="$FEED_DIR/wijkwijzer-import-$n.ndjson"
    [ -s "$feed" ] || python3 scripts/make-import-feed.py "$n" "$feed"
    if [ -n "${DATA:-}" ]; then data="$DATA"; mkdir -p "$data"; else data="$(mktemp -d)"; fi
    if [ ! -s "$data/wijkwijzer.db" ]; then
        "$BIN" --data-dir "$data" --demo-data false import "$feed" >/dev/null 2>&1 \
            || { echo "import of $feed failed" >&2; exit 1; }
    fi
    "$BIN" --data-dir "$data" --demo-data false --listen "127.0.0.1:$PORT" \
        --log-format json serve >"$data/server.log" 2>&1 &
    server=$!
    cleanup() { kill $server 2>/dev/null || true; [ -n "${DATA:-}" ] || rm -rf "$data"; }
    trap cleanup EXIT
    for _ in $(seq 1 300); do
        curl -sf "$BASE/healthz" >/dev/null 2>&1 && break
        sleep 0.2
    done
    curl -sf "$BASE/healthz" >/dev/null || { echo "server did not start" >&2; cat "$data/server.log" >&2; exit 1; }
    timed "/hsds/services?per_page=1" >/dev/null # warm the caches once
    echo "== $n services; server RSS after start: $(rss_mb $server) MB"

    read -r t bytes code < <(timed "/hsds/services?format=ndjson&full=true")
    printf 'one full dump alone: %s s, %d MB, HTTP %s; RSS after: %d MB\n' \
        "$t" $(( bytes / 1048576 )) "$code" "$(rss_mb $server)"

    before=$(rss_mb $server)
    out="$(mktemp -d)"
    started=$(date +%s.%N)
    for i in $(seq 1 "$CONCURRENT"); do
        timed "/hsds/services?format=ndjson&full=true" >"$out/$i" &
    done
    peak=$before
    peak_anon=0
    peak_file=0
    while [ "$(jobs -rp | grep -vc "^$server$")" -gt 0 ]; do
        now=$(rss_mb $server)
        [ "$now" -gt "$peak" ] && peak=$now
        read -r anon file < <(rss_parts $server)
        [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
        [ "$file" -gt "$peak_file" ] && peak_file=$file
        sleep 0.2
    done
    wall=$(echo "$(date +%s.%N) - $started" | bc -l)
    sleep 1
    printf '%d full dumps at once: all done in %.1f s; each:' "$CONCURRENT" "$wall"
    for i in $(seq 1 "$CONCURRENT"); do
        read -r t bytes code <"$out/$i"
        printf ' %ss/%dMB/%s' "$t" $(( bytes / 1048576 )) "$code"
    done
    printf '\nserver RSS: before %d MB, peak %d MB (peak heap %d MB, peak file-backed %d MB), 1 s after %d MB\n' \
        "$before" "$peak" "$peak_anon" "$peak_file" "$(rss_mb $server)"
    rm -rf "$out"

    last_sal=$(curl -s "$BASE/hsds/service_at_locations?per_page=100" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_pages"])')
    deep=$(( n / 50 ))
    printf 'pages (s): services p1 %s, services p%d of 50 (offset %d) %s; service_at_locations p1 %s, p%d (last) %s\n' \
        "$(timed "/hsds/services?per_page=50" | cut -d' ' -f1)" \
        "$deep" $(( (deep - 1) * 50 )) "$(timed "/hsds/services?per_page=50&page=$deep" | cut -d' ' -f1)" \
        "$(timed "/hsds/service_at_locations?per_page=100" | cut -d' ' -f1)" \
        "$last_sal" "$(timed "/hsds/service_at_locations?per_page=100&page=$last_sal" | cut -d' ' -f1)"

    kill "$server"
    wait "$server" 2>/dev/null || true
    [ -n "${DATA:-}" ] || rm -rf "$data"
    trap - EXIT
done
