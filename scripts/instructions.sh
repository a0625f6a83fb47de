#!/usr/bin/env bash
# Instructions per search request, counted by valgrind's callgrind (see BENCHMARKS.md).
#
#   DATA_DIR=/tmp/ww100k scripts/instructions.sh            # data from `scripts/load.sh`
#   BIN=/tmp/old-wijkwijzer DATA_DIR=/tmp/old-data scripts/instructions.sh
#
# Why: on a shared VM wall-clock figures drift by tens of percent from minute to minute, so
# an A/B of two builds by time needs many interleaved runs. Instruction counts are repeatable
# to about 0.1 % for the same binary, data and requests, whatever else the machine does.
# They do not see cache misses, so confirm a gain over HTTP as well.
#
# Steps: serve DATA_DIR under callgrind on a free loopback port; send every URL of the fixed
# mix of `scripts/load.sh` twice (warm-up); wait until the server is idle; zero the counters;
# send the mix ROUNDS times, one request at a time; dump; print the instructions per request.
# The index must already be current (a rebuild under valgrind takes very long): start the
# binary once without valgrind.
#
# Environment (defaults): BIN=target/release/wijkwijzer  DATA_DIR (required)  ROUNDS=25
# Needs: valgrind (callgrind_control), curl, python3.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${BIN:-$ROOT/target/release/wijkwijzer}"
ROUNDS="${ROUNDS:-25}"
: "${DATA_DIR:?set DATA_DIR to a data directory with a current index}"
for tool in valgrind callgrind_control curl python3; do
    command -v "$tool" >/dev/null || {
        echo "instructions.sh: '$tool' is needed" >&2
        exit 1
    }
done

# The fixed mix of scripts/load.sh (the queries of benches/search.rs).
mapfile -t PATHS <"$ROOT/scripts/fixed-mix.txt"

WORK="$(mktemp -d -t wijkwijzer-instructions.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# SQLite in DATA_DIR, whatever DATABASE_URL the shell has.
env -u DATABASE_URL RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
    "$BIN" --data-dir "$DATA_DIR" --demo-data false --listen "127.0.0.1:$PORT" serve \
    2>"$WORK/server.log" &
SERVER_PID=$!
healthy=0
for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then
        healthy=1
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || {
        cat "$WORK/server.log" >&2
        exit 1
    }
    sleep 0.5
done
[[ "$healthy" == 1 ]] || {
    echo "instructions.sh: no /healthz after 300 s; is the index current? (see the header)" >&2
    exit 1
}

send_mix() {
    for p in "${PATHS[@]}"; do curl -fsS -o /dev/null "$BASE$p"; done
}
send_mix
send_mix
# Start-up work that is still running under valgrind's slowdown (the change-log prune, which
# scans the log once at start) would otherwise be counted as request work: wait until the
# server has used less than 5 clock ticks of CPU in 2 s.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
idle=0
for _ in $(seq 1 150); do
    kill -0 "$SERVER_PID" 2>/dev/null || {
        cat "$WORK/server.log" >&2
        exit 1
    }
    before="$(cpu_ticks)"
    sleep 2
    if (($(cpu_ticks) - before < 5)); then
        idle=1
        break
    fi
done
[[ "$idle" == 1 ]] || echo "instructions.sh: the server never went idle; counting anyway" >&2
callgrind_control -z "$SERVER_PID" >/dev/null 2>&1
for _ in $(seq 1 "$ROUNDS"); do send_mix; done
callgrind_control -d "$SERVER_PID" >/dev/null 2>&1
requests=$((ROUNDS * ${#PATHS[@]}))
total="$(awk '/^summary:/ {print $2}' "$WORK/callgrind.out.1")"
echo "requests=$requests instructions=$total per_request=$((total / requests))"
