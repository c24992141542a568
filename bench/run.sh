#!/usr/bin/env bash
# hoshin performance benchmark — see bench/README.md.
#
#   bench/run.sh                         # SIZES="1000 5000 20000" RUNS=5
#   SIZES="1000 5000" RUNS=3 bench/run.sh
#   BENCH_INSTALL=1 bench/run.sh         # apt-get install hugo and hyperfine first
#
# Builds hoshin (release), generates synthetic sites with examples/gen_corpus.rs
# (cached under $BENCH_DIR, reused while the generator, N and SEED are the same),
# times full builds of hoshin and, where installed, Hugo on the same Markdown,
# and writes a Markdown report to stdout and to bench/results/latest.md.
# Progress goes to stderr.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"1000 5000 20000"}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/hoshin-bench}
BENCH_INSTALL=${BENCH_INSTALL:-0}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}   # seconds, per single build
RESULTS=${RESULTS:-$REPO/bench/results/latest.md}
HOSHIN=${HOSHIN:-}                     # use this binary instead of building one
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}

mkdir -p "$BENCH_DIR"/{bin,logs,out}
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
LOGS=$BENCH_DIR/logs
NOTES=()   # lines for the report's "Notes" section

log() { printf '[bench] %s\n' "$*" >&2; }
note() { NOTES+=("$*"); log "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
# first_lines FILE: its first three non-blank lines on one line (empty if none)
first_lines() { { grep -v '^\s*$' "$1" 2>/dev/null || true; } | head -n 3 | tr '\n' ' ' | cut -c1-300; }

# --- tools -------------------------------------------------------------------

apt_install() {
    # apt_install PACKAGE...: only as root, only when apt-get exists
    if [ "$(id -u)" = 0 ] && have apt-get; then
        log "apt-get install $*"
        if [ -z "${APT_UPDATED:-}" ]; then
            apt-get update -qq >"$LOGS/apt-update.log" 2>&1 || true
            APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$LOGS/apt-install.log" 2>&1 || return 1
    else
        return 1
    fi
}

if [ ! -x /usr/bin/time ]; then
    apt_install time || true
fi
if [ "$BENCH_INSTALL" = 1 ]; then
    have hugo || apt_install hugo || note "could not install hugo"
    have hyperfine || apt_install hyperfine || note "could not install hyperfine"
fi
GNU_TIME=""
[ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1 && GNU_TIME=/usr/bin/time
[ -n "$GNU_TIME" ] || note "/usr/bin/time (Debian package \`time\`) missing: no peak memory figures"
HYPERFINE=""
[ "${BENCH_HYPERFINE:-1}" = 0 ] || ! have hyperfine || HYPERFINE=$(command -v hyperfine)
HUGO=""
have hugo && HUGO=$(command -v hugo)
[ -n "$HUGO" ] || note "hugo not installed (BENCH_INSTALL=1 installs it): no Hugo comparison"

# --- build: generator and hoshin ---------------------------------------------

# The generator is std-only: compile it with rustc directly (no dev-dependencies,
# independent of whether src/ currently compiles), keyed by its source hash.
GEN_SRC=$REPO/examples/gen_corpus.rs
GEN_HASH=$(sha256sum "$GEN_SRC" | cut -c1-16)
GEN=$BENCH_DIR/bin/gen_corpus-$GEN_HASH
if [ ! -x "$GEN" ]; then
    log "compiling examples/gen_corpus.rs"
    rustc --edition 2021 -O "$GEN_SRC" -o "$GEN.tmp" 2>"$LOGS/gen_corpus-build.log" \
        || { cat "$LOGS/gen_corpus-build.log" >&2; exit 1; }
    mv "$GEN.tmp" "$GEN"
fi

HOSHIN_OK=1
HOSHIN_WHY=""
if [ -z "$HOSHIN" ]; then
    log "cargo build --release --bin hoshin (target dir $TARGET_DIR)"
    if (cd "$REPO" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --bin hoshin) \
        >"$LOGS/cargo-build.log" 2>&1; then
        HOSHIN=$TARGET_DIR/release/hoshin
    else
        HOSHIN_OK=0
        HOSHIN_WHY="cargo build --release failed (see $LOGS/cargo-build.log)"
        tail -n 15 "$LOGS/cargo-build.log" >&2 || true
    fi
fi
HOSHIN_VERSION="n/a"
if [ "$HOSHIN_OK" = 1 ]; then
    HOSHIN_VERSION=$("$HOSHIN" --version 2>/dev/null | head -n1 || true)
    [ -n "$HOSHIN_VERSION" ] || HOSHIN_VERSION="(no --version)"
fi

# --- corpora -----------------------------------------------------------------

# corpus N → prints the directory; (re)generates unless a complete one exists.
corpus() {
    local n=$1 dir=$BENCH_DIR/corpus-$1-s$SEED
    local want="gen=$GEN_HASH n=$n seed=$SEED"
    if [ -f "$dir/.bench-ok" ] && [ "$(head -n1 "$dir/.bench-ok")" = "$want" ]; then
        log "reusing $dir"
    else
        log "generating $n documents into $dir"
        rm -rf "$dir"
        local t0 t1 summary
        t0=$(date +%s%N)
        summary=$("$GEN" "$dir" "$n" --seed "$SEED")
        t1=$(date +%s%N)
        printf '%s\n%s\ngen_seconds %s\n' "$want" "$summary" \
            "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/1e9}')" >"$dir/.bench-ok"
    fi
    echo "$dir"
}

# field NAME FILE: the number after NAME in the generator's summary line
field() { sed -n 2p "$2" | grep -o "$1 [0-9]*" | awk '{print $2}'; }

# --- measuring -----------------------------------------------------------------

# measure LABEL OUTDIR CMD...: one build under /usr/bin/time -v (peak RSS and the
# command's output), then RUNS timed builds (hyperfine or a date loop), each from
# an empty OUTDIR. Sets M_OK M_WHY M_MEDIAN M_MIN M_MAX M_RSS_KB M_STDOUT.
measure() {
    local label=$1 out=$2; shift 2
    local stdout=$LOGS/$label.stdout stderr=$LOGS/$label.stderr tv=$LOGS/$label.time
    M_OK=1 M_WHY="" M_MEDIAN="" M_MIN="" M_MAX="" M_RSS_KB="" M_STDOUT=$stdout
    rm -rf "$out"
    log "$label: $*"
    local rc=0
    if [ -n "$GNU_TIME" ]; then
        timeout "$BENCH_TIMEOUT" "$GNU_TIME" -v -o "$tv" "$@" >"$stdout" 2>"$stderr" || rc=$?
        M_RSS_KB=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tv" 2>/dev/null || true)
    else
        timeout "$BENCH_TIMEOUT" "$@" >"$stdout" 2>"$stderr" || rc=$?
    fi
    if [ "$rc" != 0 ]; then
        M_OK=0
        M_WHY="exit $rc"
        if [ "$rc" = 124 ]; then M_WHY+=" (timeout ${BENCH_TIMEOUT}s)"; fi
        M_WHY+=": $(first_lines "$stderr")"
        return 0
    fi
    local -a times=()
    if [ -n "$HYPERFINE" ]; then
        local json=$LOGS/$label.json cmd q
        cmd=""
        for q in "$@"; do cmd+=" $(printf '%q' "$q")"; done
        if "$HYPERFINE" --style basic --warmup 1 --runs "$RUNS" \
            --prepare "rm -rf $(printf '%q' "$out")" --export-json "$json" \
            "timeout $BENCH_TIMEOUT$cmd" >"$LOGS/$label.hyperfine" 2>&1; then
            mapfile -t times < <(tr -d ' \n' <"$json" | grep -o '"times":\[[^]]*\]' | head -n1 \
                | sed 's/.*\[//; s/\]//' | tr ',' '\n')
        else
            M_OK=0
            M_WHY="hyperfine failed (see $LOGS/$label.hyperfine)"
            return 0
        fi
    else
        local i t0 t1
        for ((i = 0; i <= RUNS; i++)); do     # run 0 is the warm-up
            rm -rf "$out"
            t0=$(date +%s%N)
            if ! timeout "$BENCH_TIMEOUT" "$@" >/dev/null 2>>"$stderr"; then
                M_OK=0; M_WHY="failed on timed run $i"; return 0
            fi
            t1=$(date +%s%N)
            [ "$i" = 0 ] || times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", (b-a)/1e9}')")
        done
    fi
    read -r M_MEDIAN M_MIN M_MAX < <(printf '%s\n' "${times[@]}" | sort -g | awk '
        { v[NR] = $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }')
}

bytes_of() { [ -e "$1" ] && du -sb "$1" | cut -f1 || echo ""; }
mb() { [ -n "$1" ] && awk -v b="$1" 'BEGIN{printf "%.1f", b/1048576}' || echo "—"; }
kb_to_mb() { [ -n "$1" ] && awk -v k="$1" 'BEGIN{printf "%.0f", k/1024}' || echo "—"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f×", a/b; else print "—" }' || echo "—"; }
or_dash() { [ -n "$1" ] && echo "$1" || echo "—"; }

# --- smoke test ------------------------------------------------------------------

TIMINGS_FLAG=()
if [ "$HOSHIN_OK" = 1 ]; then
    SMOKE=$(corpus 40)
    rm -rf "$BENCH_DIR/out/smoke"
    rc=0
    "$HOSHIN" build --root "$SMOKE" --output "$BENCH_DIR/out/smoke" \
        >"$LOGS/smoke.stdout" 2>"$LOGS/smoke.stderr" || rc=$?
    if [ "$rc" = 0 ] && [ -f "$BENCH_DIR/out/smoke/index.html" ]; then
        log "smoke build ok: $(tail -n1 "$LOGS/smoke.stdout")"
        # --timings prints per-stage times after the summary line; use it where supported
        if "$HOSHIN" build --help 2>&1 | grep -q -- '--timings'; then
            TIMINGS_FLAG=(--timings)
        else
            note "hoshin build has no --timings yet: no per-stage times"
        fi
    else
        HOSHIN_OK=0
        if [ "$rc" = 0 ]; then
            HOSHIN_WHY="hoshin build on a 40-document corpus exited 0 but wrote no index.html (not implemented yet?)"
        else
            HOSHIN_WHY="hoshin build on a 40-document corpus exited $rc: $(first_lines "$LOGS/smoke.stderr") (see $LOGS/smoke.stderr)"
        fi
    fi
fi
[ "$HOSHIN_OK" = 1 ] || note "hoshin not measured: $HOSHIN_WHY"

HUGO_SITE=""
HUGO_VERSION="n/a"
if [ -n "$HUGO" ]; then
    # a scratch copy: Hugo writes .hugo_build.lock and resources/ into its source
    HUGO_SITE=$BENCH_DIR/hugo-site
    rm -rf "$HUGO_SITE"
    cp -r "$REPO/bench/hugo" "$HUGO_SITE"
    HUGO_VERSION=$("$HUGO" version | awk '{print $2}')
fi

# --- main loop -------------------------------------------------------------------

ROWS=()
DETAILS=()
for n in $SIZES; do
    dir=$(corpus "$n")
    ok=$dir/.bench-ok
    docs=$(field documents "$ok"); dirs=$(field directives "$ok"); refs=$(field references "$ok")
    cbytes=$(field bytes "$ok"); gens=$(awk '/^gen_seconds/{print $2}' "$ok")

    h_med="" h_rss="" h_out="" h_files="" h_search="" h_cell="n/a"
    if [ "$HOSHIN_OK" = 1 ]; then
        hout=$BENCH_DIR/out/hoshin-$n
        measure "hoshin-$n" "$hout" "$HOSHIN" build --root "$dir" --output "$hout" "${TIMINGS_FLAG[@]}"
        if [ "$M_OK" = 1 ]; then
            h_med=$M_MEDIAN h_rss=$M_RSS_KB
            h_cell="$M_MEDIAN ($M_MIN–$M_MAX)"
            h_out=$(bytes_of "$hout"); h_files=$(find "$hout" -type f | wc -l)
            h_search=$(bytes_of "$hout/search")
            summary=$(grep -v '^\s*$' "$M_STDOUT" | head -n 1 || true)
            rest=$(grep -v '^\s*$' "$M_STDOUT" | tail -n +2 || true)
            DETAILS+=("### $n documents — hoshin" "" '```' "\$ hoshin build --root $dir --output $hout ${TIMINGS_FLAG[*]}" "$summary")
            if [ -n "$rest" ]; then DETAILS+=("$rest"); else DETAILS+=("(no per-stage timings printed)"); fi
            DETAILS+=('```' "")
        else
            h_cell="failed"
            note "hoshin, $n documents: $M_WHY"
        fi
    fi

    g_med="" g_rss="" g_out="" g_files="" g_cell="n/a"
    if [ -n "$HUGO" ]; then
        gout=$BENCH_DIR/out/hugo-$n
        measure "hugo-$n" "$gout" "$HUGO" --quiet --source "$HUGO_SITE" --contentDir "$dir/content" \
            --destination "$gout" --cacheDir "$BENCH_DIR/hugo-cache"
        if [ "$M_OK" = 1 ]; then
            g_med=$M_MEDIAN g_rss=$M_RSS_KB
            g_cell="$M_MEDIAN ($M_MIN–$M_MAX)"
            g_out=$(bytes_of "$gout"); g_files=$(find "$gout" -type f | wc -l)
        else
            g_cell="failed"
            note "hugo, $n documents: $M_WHY"
        fi
    fi

    ROWS+=("| $n | $docs | $dirs | $refs | $(mb "$cbytes") | $(or_dash "$gens") \
| $h_cell | $(kb_to_mb "$h_rss") | $(mb "$h_out") | $(or_dash "$h_files") | $(mb "$h_search") \
| $g_cell | $(kb_to_mb "$g_rss") | $(mb "$g_out") | $(or_dash "$g_files") \
| $(ratio "$h_med" "$g_med") | $(ratio "$h_rss" "$g_rss") |")
done

# --- report --------------------------------------------------------------------

REPORT=$(mktemp)
{
    echo "# hoshin benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo 'none')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average at start $LOAD_AT_START, at end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    echo "- hoshin: $HOSHIN_VERSION; hugo: $HUGO_VERSION; timing: $([ -n "$HYPERFINE" ] && "$HYPERFINE" --version || echo 'date loop'), median of $RUNS runs after 1 warm-up, each from an empty output folder"
    echo "- corpus: examples/gen_corpus.rs, seed $SEED (generator $GEN_HASH), under $BENCH_DIR"
    echo
    echo "| docs | documents | directives | references | corpus MB | gen s | hoshin s (min–max) | hoshin peak MB | hoshin out MB | hoshin files | search MB | hugo s (min–max) | hugo peak MB | hugo out MB | hugo files | time hoshin/hugo | memory hoshin/hugo |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${ROWS[@]}"
    echo
    if [ "${#DETAILS[@]}" -gt 0 ]; then
        echo "## Per-stage times"
        echo
        printf '%s\n' "${DETAILS[@]}"
    fi
    if [ "${#NOTES[@]}" -gt 0 ]; then
        echo "## Notes"
        echo
        for l in "${NOTES[@]}"; do echo "- $l"; done
        echo
    fi
    echo "Figures are explained in bench/README.md. Logs: $LOGS."
} >"$REPORT"
mkdir -p "$(dirname "$RESULTS")"
cat "$REPORT" >"$RESULTS"
cat "$REPORT"
rm -f "$REPORT"
