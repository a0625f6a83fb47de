#!/usr/bin/env bash
# End-to-end HTTP load test of /api/v1/search on generated data (see BENCHMARKS.md).
#
#   scripts/load.sh                      # 100,000 services, 32 connections, 30 s
#   SERVICES=10000 DURATION=10s scripts/load.sh
#   DATA_DIR=/tmp/ww-100k scripts/load.sh   # keeps the data; a second run reuses it
#
# Steps: release build; `wijkwijzer generate` into a data directory (timed); `wijkwijzer serve`
# on 127.0.0.1 and a free port; wait for /healthz; check every URL once; a short warm-up; then
# wrk (Debian package `wrk`) with a Lua script that rotates the URLs; stop the server.
# Only loopback addresses are used. Needs: cargo, curl, wrk, python3 (to find a free port).
#
# Environment (defaults):
#   SERVICES=100000  SEED=42  CONNECTIONS=32  WRK_THREADS=1  DURATION=30s  WARMUP=5s
#   DATA_DIR=<new temporary directory, removed at the end>
#   CARGO_TARGET_DIR=<cargo's default, target/>
#   SKIP_BUILD=1     use the existing release binary
#   MIX=fixed        the 8 URLs of benches/search.rs (default); MIX=wide: 240 different URLs
#                    (12 questions x 10 wijken, 12 questions x 10 postcodes with a radius), so
#                    that no cache along the way sees the same request twice in a row

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES="${SERVICES:-100000}"
SEED="${SEED:-42}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK_THREADS="${WRK_THREADS:-1}"
DURATION="${DURATION:-30s}"
WARMUP="${WARMUP:-5s}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/wijkwijzer"

for tool in curl wrk python3; do
    command -v "$tool" >/dev/null || {
        echo "load.sh: '$tool' is needed (wrk: apt-get install -y wrk)" >&2
        exit 1
    }
done

WORK="$(mktemp -d -t wijkwijzer-load.XXXXXX)"
if [[ -n "${DATA_DIR:-}" ]]; then
    mkdir -p "$DATA_DIR"
    DATA_DIR="$(cd "$DATA_DIR" && pwd)"
    KEEP_DATA=1
else
    DATA_DIR="$WORK/data"
    KEEP_DATA=0
fi
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ "$KEEP_DATA" == 0 ]]; then
        rm -rf "$WORK"
    else
        rm -rf "$WORK/wrk.lua" "$WORK/server.log"
        rmdir "$WORK" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

echo "== machine: $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "== cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet)
fi
[[ -x "$BIN" ]] || {
    echo "load.sh: no binary at $BIN" >&2
    exit 1
}

# --- data ------------------------------------------------------------------------------------
MARKER="$DATA_DIR/.load-generated-$SERVICES-$SEED"
if [[ -f "$MARKER" ]]; then
    echo "== reusing $SERVICES generated services in $DATA_DIR"
else
    echo "== generate --services $SERVICES --seed $SEED into $DATA_DIR"
    start=$(date +%s.%N)
    "$BIN" --data-dir "$DATA_DIR" --demo-data false --log-format json \
        generate --services "$SERVICES" --seed "$SEED" 2>"$WORK/generate.log"
    end=$(date +%s.%N)
    printf '== generate wall time (generate + reindex + start-up): %.1f s\n' \
        "$(echo "$end - $start" | bc -l)"
    touch "$MARKER"
fi
du -sh "$DATA_DIR" | sed 's/^/== data size: /'

# --- server ----------------------------------------------------------------------------------
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
echo "== serve on $BASE"
RUST_LOG="${RUST_LOG:-warn}" "$BIN" --data-dir "$DATA_DIR" --demo-data false \
    --listen "127.0.0.1:$PORT" serve 2>"$WORK/server.log" &
SERVER_PID=$!

start=$(date +%s.%N)
until curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "load.sh: the server stopped; its log:" >&2
        cat "$WORK/server.log" >&2
        exit 1
    fi
    if (($(echo "$(date +%s.%N) - $start > 300" | bc -l))); then
        echo "load.sh: /healthz not ready after 300 s" >&2
        exit 1
    fi
    sleep 0.2
done
printf '== healthy after %.1f s: %s\n' "$(echo "$(date +%s.%N) - $start" | bc -l)" \
    "$(curl -fsS "$BASE/healthz")"

# --- the URL mix -----------------------------------------------------------------------------
# Half words + neighbourhood (facet counts always included, some with facet filters), half
# words + postcode + radius sorted by distance. Same queries as benches/search.rs.
if [[ "${MIX:-fixed}" == wide ]]; then
    WORDS=(eenzaam schulden wandelen koffie taalcafe schuldhulp mantelzorg opvoeding sporten
        "ik+voel+me+alleen" rouw dementie)
    WIJKEN=(WK034401 WK034402 WK034403 WK034404 WK034405 WK034406 WK034407 WK034408 WK034409
        WK034410)
    POSTCODES=(3511 3562 3431 3815 3581 3526 3554 3705 3402 3454)
    PATHS=()
    for w in "${WORDS[@]}"; do
        for a in "${WIJKEN[@]}"; do PATHS+=("/api/v1/search?q=$w&area=$a"); done
        for i in "${!POSTCODES[@]}"; do
            PATHS+=("/api/v1/search?q=$w&postcode=${POSTCODES[$i]}&radius_km=$((i % 5 + 1))&sort=distance")
        done
    done
else
    # The queries of benches/search.rs, one URL per line.
    mapfile -t PATHS <"$ROOT/scripts/fixed-mix.txt"
fi
echo "== ${#PATHS[@]} URLs (status, total, size, time)"
for p in "${PATHS[@]}"; do
    out="$(curl -sS -o "$WORK/body.json" -w '%{http_code} %{size_download} %{time_total}' "$BASE$p")"
    read -r code size secs <<<"$out"
    total="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("total"))' "$WORK/body.json" 2>/dev/null || echo '?')"
    if ((${#PATHS[@]} <= 20)); then
        printf '   %s total=%-6s %6s B %6.1f ms  %s\n' "$code" "$total" "$size" "$(echo "$secs * 1000" | bc -l)" "$p"
    fi
    [[ "$total" != 0 ]] || empty=$((${empty:-0} + 1))
    [[ "$code" == 200 ]] || {
        echo "load.sh: $p answered $code" >&2
        cat "$WORK/body.json" >&2
        exit 1
    }
done
rm -f "$WORK/body.json"
echo "   all 200; ${empty:-0} of ${#PATHS[@]} with no results"

{
    echo 'local paths = {'
    for p in "${PATHS[@]}"; do printf '  "%s",\n' "$p"; done
    cat <<'LUA'
}
local i = 0
local errors = 0

function setup(thread)
  -- Different threads start at different URLs.
  thread:set("offset", math.random(#paths))
end

function init(args)
  i = offset or 0
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local ms = function(us) return us / 1000 end
  io.write(string.format(
    "RESULT requests=%d duration_s=%.1f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f mean_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency:percentile(99.9)), ms(latency.max), ms(latency.mean),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
} >"$WORK/wrk.lua"

# --- load ------------------------------------------------------------------------------------
echo "== warm-up: $WARMUP, $CONNECTIONS connections"
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$WORK/wrk.lua" "$BASE" >/dev/null

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency"
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency \
    -s "$WORK/wrk.lua" "$BASE"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== server RSS: $(($(ps -o rss= -p "$SERVER_PID") / 1024)) MiB"
if grep -qiE '"level":"(ERROR|WARN)"|ERROR|WARN' "$WORK/server.log"; then
    echo "== server warnings/errors:"
    tail -n 20 "$WORK/server.log"
fi
