#!/usr/bin/env bash
# Watch-mode latency: time from saving an edit to the edited page being on
# disk, median and worst of repeated edits on a generated site.
#
# Two kinds of edit:
#   plain  — one directive's text in a document nobody cites;
#   cited  — the text of a directive that other documents cite (their pages
#            show its label and backlink, so they are rendered again too).
# Two spacings:
#   apart  — each save waits until the previous one's deferred
#            directives.json/search index update has finished;
#   during — saves SPACING_DURING seconds apart (default 3), so that each
#            lands while the deferred update of the one before runs
#            (it starts after watch's 1.5 s pause).
#
# Two figures per save:
#   save→page  — measured here: from the write of the Markdown file to the
#                edited text showing in the page's HTML file (polled every
#                2 ms), so it includes the watcher's debounce;
#   reported   — what `hoshin watch` prints ("… ms after the change"): from
#                the first file-system event to the rebuild's last write.
#
#   bench/watch_latency.sh [DOCS] [EDITS]      (defaults: 5000 5)
#   SITE=/tmp/c5k bench/watch_latency.sh       (copy that site instead of generating one)
#   HOSHIN=/tmp/hoshin-base bench/watch_latency.sh   (another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-5000}
edits=${2:-5}
during=${SPACING_DURING:-3}
work=${WORK:-/tmp/hoshin-watch-bench}
bin=${HOSHIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="$PWD/target/release/hoshin"
fi
rm -rf "$work" && mkdir -p "$work"
if [ -n "${SITE:-}" ]; then
  cp -a "$SITE" "$work/site"
else
  cargo build --release --quiet --example gen_corpus
  ./target/release/examples/gen_corpus "$work/site" "$docs" >/dev/null
fi
log="$work/watch.log"
(cd "$work/site" && exec env HOSHIN_TIMINGS=1 "$bin" watch --output "$work/out" >"$log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
echo "load before: $(uptime)"
python3 - "$work" "$log" "$edits" "$during" <<'PY'
import json, os, re, statistics, sys, time
work, log, edits, during = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
site, out = f"{work}/site", f"{work}/out"

def wait_log(pattern, start, limit=600):
    """Waits until a line matching `pattern` appears at or after byte `start` of the log."""
    end = time.time() + limit
    while time.time() < end:
        text = open(log, "rb").read()[start:].decode("utf-8", "replace")
        if re.search(pattern, text, re.M):
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {pattern!r}; log:\n{open(log).read()[-3000:]}")

def log_size():
    return os.path.getsize(log)

wait_log(r"^watching", 0)

# A directive nobody cites and one that others cite, from the anchor index:
# for each, its file and a phrase of its text that occurs once in the file.
j = json.load(open(f"{out}/directives.json", encoding="utf-8"))
def pick(cited):
    for d in j["directives"]:
        if bool(d["referenced_by"]) != cited or not d["parent"]:
            continue
        path = f"content/{d['doc']}.md"
        source = open(f"{site}/{path}", encoding="utf-8").read()
        phrase = d["text"].split("\n")[0][:12]
        if len(phrase) == 12 and source.count(phrase) == 1:
            return path, phrase, d["doc"]
    raise SystemExit("no suitable directive")
targets = {"plain": pick(False), "cited": pick(True)}
del j

def save(kind, tag):
    path, phrase, doc = targets[kind]
    text = open(f"{site}/{path}", encoding="utf-8").read()
    text = text.replace(phrase, phrase + tag, 1)
    page = f"{out}/{doc}.html"
    t0 = time.monotonic()
    with open(f"{site}/{path}", "w", encoding="utf-8") as f:
        f.write(text)
    while True:
        try:
            if tag in open(page, encoding="utf-8").read():
                return (time.monotonic() - t0) * 1000
        except OSError:
            pass
        if time.monotonic() - t0 > 120:
            raise SystemExit(f"{tag} never reached {page}")
        time.sleep(0.002)

results = {}
n = 0
for spacing in ("apart", "during"):
    for kind in ("plain", "cited"):
        page_ms, seen = [], []
        for i in range(edits):
            n += 1
            at = log_size()
            page_ms.append(save(kind, f"〔{kind}{n}〕"))
            seen.append(at)
            if spacing == "apart":
                wait_log(r"directives\.json and search index updated", at)
                time.sleep(0.5)
            else:
                time.sleep(during)
        if spacing == "during":
            # Let the last deferred update finish before the next series.
            last = open(log, "rb").read().rfind(b"after the change")
            wait_log(r"directives\.json and search index updated", last)
            time.sleep(0.5)
        results[(spacing, kind)] = (page_ms, seen)

text = open(log, encoding="utf-8", errors="replace").read().encode()
def reported(at):
    """(its page, last write) of the first rebuild line after `at`, in ms."""
    m = re.search(rb"\((?:its page (\d+) ms, )?(\d+) ms after the change\)", text[at:])
    if not m:
        return None
    return (int(m.group(1) or m.group(2)), int(m.group(2)))
def rendered(at):
    m = re.search(rb"(\d+) of \d+ pages rendered", text[at:])
    return m.group(1).decode() if m else "?"
for (spacing, kind), (page_ms, seen) in results.items():
    rep = [r for r in (reported(a) for a in seen) if r is not None]
    page_rep = [r[0] for r in rep]
    last_rep = [r[1] for r in rep]
    pages = sorted({rendered(a) for a in seen})
    print(f"{spacing:6} {kind:5}: {len(page_ms)} saves, save→page median {statistics.median(page_ms):.0f} ms "
          f"(min {min(page_ms):.0f}, max {max(page_ms):.0f}); reported: its page median "
          f"{statistics.median(page_rep):.0f} ms (max {max(page_rep)}), last write median "
          f"{statistics.median(last_rep):.0f} ms (max {max(last_rep)}); pages rendered {','.join(pages)}")
settles = re.findall(rb"directives\.json and search index updated: .* in (\d+) ms", text)
gave = len(re.findall(rb"gave way", text))
median = statistics.median([int(s) for s in settles]) if settles else 0
print(f"deferred updates: {len(settles)} finished (median {median:.0f} ms), {gave} gave way to a save")
PY
echo "load after: $(uptime)"
kill $pid
