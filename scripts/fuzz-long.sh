#!/usr/bin/env bash
# The long fuzz run of FUZZING.md: each target of tests/fuzz for its number of cases, one after
# another in one process each (the machine is shared: never in parallel), collecting every
# finding instead of stopping at the first. Prints one summary line per target.
#
#   scripts/fuzz-long.sh [SEED]        e.g. scripts/fuzz-long.sh 20261202
#   FUZZ_SCALE=0.1 scripts/fuzz-long.sh   a tenth of the cases (a quick look)
set -uo pipefail
cd "$(dirname "$0")/.."
seed="${1:-$(date +%Y%m%d)}"
scale="${FUZZ_SCALE:-1}"
# target and cases: about 20 minutes in all on 2 shared cores (test profile, as `cargo test`).
targets=(
  "fuzz_search_parameters 40000"
  "fuzz_search_words 20000"
  "fuzz_hsds_json_import 5000"
  "fuzz_hsds_csv_import 7000"
  "fuzz_geojson_buurten 40000"
)
cargo test --test fuzz --no-run --quiet || exit 1
echo "seed $seed, $(nproc) cores, $(uname -srm), started $(date -u +%FT%TZ)"
status=0
started=$SECONDS
for entry in "${targets[@]}"; do
  set -- $entry
  cases=$(awk -v n="$2" -v s="$scale" 'BEGIN { printf "%d", n * s }')
  WIJKWIJZER_FUZZ_SEED="$seed" WIJKWIJZER_FUZZ_CASES="$cases" WIJKWIJZER_FUZZ_KEEP_GOING=1 \
    cargo test --quiet --test fuzz "$1" -- --nocapture --test-threads 1 \
    >"${TMPDIR:-/tmp}/fuzz-long-$1.log" 2>&1 || status=1
  grep -E '^fuzz target' "${TMPDIR:-/tmp}/fuzz-long-$1.log"
done
echo "all targets: $((SECONDS - started)) s, exit status $status (logs in ${TMPDIR:-/tmp}/fuzz-long-*.log)"
exit $status
