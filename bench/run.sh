#!/usr/bin/env bash
# hoshin performance benchmark — see bench/README.md.
#
#   bench/run.sh                         # SIZES="1000 5000 20000" RUNS=5
#   SIZES="1000 5000" RUNS=3 bench/run.sh
#   BENCH_INSTALL=1 bench/run.sh         # apt-get install hugo and hyperfine first
#   PAGEFIND=/path/to/pagefind_extended bench/run.sh   # also Hugo + Pagefind
#   HOSHIN_BEFORE=/tmp/hoshin-old bench/run.sh         # also an older hoshin, side by side
#   OUT_DIR=/dev/shm/hoshin-out bench/run.sh           # outputs on tmpfs: the tools' cost without the disk's
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
OUT_DIR=${OUT_DIR:-$BENCH_DIR/out}     # where the tools write; /dev/shm/… takes the disk out
BENCH_INSTALL=${BENCH_INSTALL:-0}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}   # seconds, per single build
RESULTS=${RESULTS:-$REPO/bench/results/latest.md}
HOSHIN=${HOSHIN:-}                     # use this binary instead of building one
HOSHIN_BEFORE=${HOSHIN_BEFORE:-}       # an older hoshin binary, measured beside it
PAGEFIND=${PAGEFIND:-}                 # pagefind_extended binary: Hugo + Pagefind row
PAGEFIND_RUNS=${PAGEFIND_RUNS:-0}      # 0: its wall time is that of the /usr/bin/time run
AGAIN=${AGAIN:-1}                      # 1: also time hoshin and Hugo building again over their own output
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}

mkdir -p "$BENCH_DIR"/{bin,logs,out} "$OUT_DIR"
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
if [ -z "$PAGEFIND" ] && [ -x "$BENCH_DIR/pagefind/node_modules/.bin/pagefind" ]; then
    PAGEFIND=$(find "$BENCH_DIR/pagefind/node_modules/@pagefind" -name pagefind_extended -type f | head -n1)
fi
if [ "${BENCH_INSTALL}" = 1 ] && [ -z "$PAGEFIND" ] && have npm; then
    # npm's pagefind package ships the extended binary (Japanese segmentation);
    # installed under BENCH_DIR, never into the repository.
    log "npm install pagefind (into $BENCH_DIR/pagefind)"
    mkdir -p "$BENCH_DIR/pagefind"
    (cd "$BENCH_DIR/pagefind" && npm install --no-audit --no-fund pagefind@1) >"$LOGS/npm.log" 2>&1 || true
    PAGEFIND=$(find "$BENCH_DIR/pagefind/node_modules/@pagefind" -name pagefind_extended -type f 2>/dev/null | head -n1)
fi
[ "$PAGEFIND" != none ] || PAGEFIND=""
[ -n "$PAGEFIND" ] || note "pagefind_extended not found (BENCH_INSTALL=1 installs it with npm): no Hugo + Pagefind row"

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
# an empty OUTDIR (or, with M_KEEP=1, over the OUTDIR the previous build left:
# a build run again). Sets M_OK M_WHY M_MEDIAN M_MIN M_MAX M_RSS_KB M_CPU M_STDOUT
# (M_CPU: "user + system" seconds of the /usr/bin/time run, where the kernel's
# share shows what the disk costs).
M_KEEP=0
measure() {
    local label=$1 out=$2; shift 2
    local stdout=$LOGS/$label.stdout stderr=$LOGS/$label.stderr tv=$LOGS/$label.time
    M_OK=1 M_WHY="" M_MEDIAN="" M_MIN="" M_MAX="" M_RSS_KB="" M_CPU="—" M_STDOUT=$stdout
    local clear="rm -rf $(printf '%q' "$out")"
    if [ "$M_KEEP" = 1 ]; then clear=true; else rm -rf "$out"; fi
    log "$label: $*"
    local rc=0
    if [ -n "$GNU_TIME" ]; then
        timeout "$BENCH_TIMEOUT" "$GNU_TIME" -v -o "$tv" "$@" >"$stdout" 2>"$stderr" || rc=$?
        M_RSS_KB=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tv" 2>/dev/null || true)
        M_CPU=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2}
            END { if (u != "") printf "%.1f + %.1f", u, s; else print "—" }' "$tv" 2>/dev/null || echo "—")
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
    if [ "$RUNS" = 0 ] && [ -n "$GNU_TIME" ]; then
        # one build only: its wall time under /usr/bin/time is the figure
        local wall
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$tv" | awk -F: '
            { s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }')
        M_MEDIAN=$wall M_MIN=$wall M_MAX=$wall
        return 0
    fi
    if [ -n "$HYPERFINE" ]; then
        local json=$LOGS/$label.json cmd q
        cmd=""
        for q in "$@"; do cmd+=" $(printf '%q' "$q")"; done
        if "$HYPERFINE" --style basic --warmup 1 --runs "$RUNS" \
            --prepare "$clear" --export-json "$json" \
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
            eval "$clear"
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
CORPORA=()
DETAILS=()
# row TOOL N: appends the report row of the last measure (M_*) for output OUT
# (globals: n, out, g_med, g_files, g_out, g_rss for the Hugo baseline)
row() {
    local tool=$1 out=$2
    local cell="$M_MEDIAN ($M_MIN–$M_MAX)" bytes files search
    bytes=$(bytes_of "$out"); files=$(find "$out" -type f | wc -l)
    search=$(bytes_of "$out/search")
    [ -n "$search" ] || search=$(bytes_of "$out/pagefind")
    LAST_MED=$M_MEDIAN LAST_RSS=$M_RSS_KB LAST_BYTES=$bytes LAST_FILES=$files
    ROWS+=("| $n | $tool | $cell | $M_CPU | $(kb_to_mb "$M_RSS_KB") | $files | $(mb "$bytes") | $(mb "$search") \
| __WALL_$M_MEDIAN | __RSS_$M_RSS_KB | __FILES_$files | __BYTES_$bytes |")
}
# hoshin_row LABEL BIN: measures one hoshin binary on the current corpus
hoshin_row() {
    local label=$1 bin=$2 hout=$OUT_DIR/$1-$n
    measure "$label-$n" "$hout" "$bin" build --root "$dir" --output "$hout" "${TIMINGS_FLAG[@]}"
    if [ "$M_OK" = 1 ]; then
        row "$label" "$hout"
        local summary rest
        summary=$(grep -v '^\s*$' "$M_STDOUT" | head -n 1 || true)
        rest=$(grep -v '^\s*$' "$M_STDOUT" | tail -n +2 || true)
        DETAILS+=("### $n documents — $label" "" '```' "\$ $label build --root $dir --output $hout ${TIMINGS_FLAG[*]}" "$summary")
        if [ -n "$rest" ]; then DETAILS+=("$rest"); else DETAILS+=("(no per-stage timings printed)"); fi
        DETAILS+=('```' "")
    else
        ROWS+=("| $n | $label | failed | | | | | | | | | |")
        note "$label, $n documents: $M_WHY"
        return 0
    fi
    if [ "$AGAIN" = 1 ]; then
        M_KEEP=1
        measure "$label-again-$n" "$hout" "$bin" build --root "$dir" --output "$hout"
        M_KEEP=0
        if [ "$M_OK" = 1 ]; then row "$label, again" "$hout"; else note "$label again, $n documents: $M_WHY"; fi
    fi
}

for n in $SIZES; do
    dir=$(corpus "$n")
    ok=$dir/.bench-ok
    CORPORA+=("- $n: $(field documents "$ok") documents, $(field directives "$ok") directives, $(field references "$ok") references, $(mb "$(field bytes "$ok")") MB of Markdown$(gs=$(awk '/^gen_seconds/{print $2}' "$ok"); [ -n "$gs" ] && echo ", generated in $gs s")")
    first_row=${#ROWS[@]}
    g_med="" g_rss="" g_files="" g_out=""
    ga_med="" ga_rss="" ga_files="" ga_out=""
    if [ "$HOSHIN_OK" = 1 ]; then
        hoshin_row hoshin "$HOSHIN"
        [ -z "$HOSHIN_BEFORE" ] || hoshin_row hoshin-before "$HOSHIN_BEFORE"
    fi
    if [ -n "$HUGO" ]; then
        gout=$OUT_DIR/hugo-$n
        measure "hugo-$n" "$gout" "$HUGO" --quiet --source "$HUGO_SITE" --contentDir "$dir/content" \
            --destination "$gout" --cacheDir "$BENCH_DIR/hugo-cache"
        if [ "$M_OK" = 1 ]; then
            row hugo "$gout"
            g_med=$LAST_MED g_rss=$LAST_RSS g_files=$LAST_FILES g_out=$LAST_BYTES
            if [ "$AGAIN" = 1 ]; then
                M_KEEP=1
                measure "hugo-again-$n" "$gout" "$HUGO" --quiet --source "$HUGO_SITE" --contentDir "$dir/content" \
                    --destination "$gout" --cacheDir "$BENCH_DIR/hugo-cache"
                M_KEEP=0
                if [ "$M_OK" = 1 ]; then
                    row "hugo, again" "$gout"
                    ga_med=$LAST_MED ga_rss=$LAST_RSS ga_files=$LAST_FILES ga_out=$LAST_BYTES
                else note "hugo again, $n documents: $M_WHY"; fi
            fi
        else
            note "hugo, $n documents: $M_WHY"
        fi
        if [ -n "$PAGEFIND" ]; then
            pout=$OUT_DIR/hugo-pagefind-$n
            saved_runs=$RUNS
            RUNS=$PAGEFIND_RUNS
            # shellcheck disable=SC2016
            measure "hugo-pagefind-$n" "$pout" sh -c \
                '"$1" --quiet --source "$2" --contentDir "$3" --destination "$4" --cacheDir "$5" && "$6" --site "$4" >/dev/null' \
                sh "$HUGO" "$HUGO_SITE" "$dir/content" "$pout" "$BENCH_DIR/hugo-cache" "$PAGEFIND"
            RUNS=$saved_runs
            if [ "$M_OK" = 1 ]; then
                row "hugo + pagefind" "$pout"
            else
                note "hugo + pagefind, $n documents: $M_WHY"
            fi
        fi
    fi
    # ratios against this size's Hugo row (a build run again: Hugo's run again)
    for ((k = first_row; k < ${#ROWS[@]}; k++)); do
        r=${ROWS[$k]}
        bw=$g_med bm=$g_rss bf=$g_files bb=$g_out
        if [[ $r == *", again |"* ]]; then bw=$ga_med bm=$ga_rss bf=$ga_files bb=$ga_out; fi
        w=$(grep -o '__WALL_[0-9.]*' <<<"$r" | cut -c8-) || true
        m=$(grep -o '__RSS_[0-9]*' <<<"$r" | cut -c7-) || true
        f=$(grep -o '__FILES_[0-9]*' <<<"$r" | cut -c9-) || true
        b=$(grep -o '__BYTES_[0-9]*' <<<"$r" | cut -c9-) || true
        r=${r//__WALL_$w/$(ratio "$w" "$bw")}
        r=${r//__RSS_$m/$(ratio "$m" "$bm")}
        r=${r//__FILES_$f/$(ratio "$f" "$bf")}
        r=${r//__BYTES_$b/$(ratio "$b" "$bb")}
        ROWS[$k]=$r
    done
done

# --- report --------------------------------------------------------------------

REPORT=$(mktemp)
{
    echo "# hoshin benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo 'none')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average at start $LOAD_AT_START, at end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    echo "- hoshin: $HOSHIN_VERSION$([ -n "$HOSHIN_BEFORE" ] && echo "; hoshin-before: $HOSHIN_BEFORE"); hugo: $HUGO_VERSION$([ -n "$PAGEFIND" ] && echo "; pagefind: $("$PAGEFIND" --version 2>/dev/null | head -n1)")"
    echo "- timing: $([ -n "$HYPERFINE" ] && "$HYPERFINE" --version || echo 'date loop'), median of $RUNS runs after 1 warm-up, each from an empty output folder (rows \"again\": each over the output the build before left, nothing changed); Hugo + Pagefind: $([ "$PAGEFIND_RUNS" = 0 ] && echo "the one /usr/bin/time run" || echo "$PAGEFIND_RUNS runs"); peak memory from /usr/bin/time -v"
    echo "- corpus: examples/gen_corpus.rs, seed $SEED (generator $GEN_HASH), under $BENCH_DIR; outputs in $OUT_DIR ($(df -T "$OUT_DIR" 2>/dev/null | awk 'NR==2{print $2}' || echo '?'))"
    printf '%s\n' "${CORPORA[@]}"
    echo
    echo "| docs | tool | wall s median (min–max) | CPU s user + sys | peak MB | files | out MB | search MB | wall / Hugo | memory / Hugo | files / Hugo | bytes / Hugo |"
    echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
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
