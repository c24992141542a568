#!/usr/bin/env bash
# Runs every fuzz target in turn, SECONDS each (default 600), at the lowest
# priority, on the binaries `cargo +nightly fuzz build -O` left; logs and
# final statistics go to logs/<target>.log, crashes to artifacts/<target>/.
# Usage: ./seed.sh && cargo +nightly fuzz build -O && ./run-all.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(front_matter body references marker search_text http_request)
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t for ${seconds}s ($(date -u +%H:%M:%S))"
  nice -n 19 "$bin/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 > "logs/$t.log" 2>&1
  echo "   exit $?: $(grep -E 'stat::number_of_executed_units' "logs/$t.log" | tail -1)"
done
