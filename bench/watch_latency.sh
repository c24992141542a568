#!/usr/bin/env bash
# Watch-mode latency: time from saving an edit to the last write of the
# rebuild, as `hoshin watch` reports it ("… ms after the change"), median of
# repeated edits on a generated site. Two kinds of edit:
#   plain  — one directive's text in a document nobody cites;
#   cited  — the text of a directive that other documents cite (their pages
#            show its label and backlink, so they are rendered again too).
# Edits are spaced so that each lands after the previous rebuild's deferred
# index update (a save during that update waits for it; see README).
#
#   bench/watch_latency.sh [DOCS] [EDITS]      (defaults: 5000 10)
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-5000}
edits=${2:-10}
spacing=${SPACING:-7}
work=${WORK:-/tmp/hoshin-watch-bench}
cargo build --release --quiet
cargo build --release --quiet --example gen_corpus
rm -rf "$work" && mkdir -p "$work"
./target/release/examples/gen_corpus "$work/site" "$docs" >/dev/null
./target/release/hoshin build --root "$work/site" --output "$work/out" >/dev/null
# A directive nobody cites and one that others cite, from the anchor index:
# for each, its file and a phrase of its text that occurs once in the file.
python3 - "$work" > "$work/targets" <<'PY'
import json, sys
work = sys.argv[1]
j = json.load(open(f"{work}/out/directives.json", encoding="utf-8"))
def pick(cited):
    for d in j["directives"]:
        if bool(d["referenced_by"]) != cited or not d["parent"]:
            continue
        path = f"content/{d['doc']}.md"
        source = open(f"{work}/site/{path}", encoding="utf-8").read()
        phrase = d["text"].split("\n")[0][:12]
        if len(phrase) == 12 and source.count(phrase) == 1:
            return f"{path}\t{phrase}"
    raise SystemExit("no suitable directive")
print(pick(False))
print(pick(True))
PY
log="$work/watch.log"
bin="$PWD/target/release/hoshin"
(cd "$work/site" && exec "$bin" watch --output "$work/out" >"$log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q watching "$log" && break; sleep 1; done
sleep "$spacing"
edit() { # target line (file TAB phrase), tag: write the tag into the directive's text
  python3 - "$work/site" "$1" "$2" <<'PY'
import sys
site, target, tag = sys.argv[1], sys.argv[2], sys.argv[3]
path, phrase = target.split("\t")
text = open(f"{site}/{path}", encoding="utf-8").read()
text = text.replace(phrase, phrase + tag, 1)
open(f"{site}/{path}", "w", encoding="utf-8").write(text)
PY
}
for kind in plain cited; do
  target=$(sed -n 1p "$work/targets"); [ "$kind" = cited ] && target=$(sed -n 2p "$work/targets")
  for i in $(seq 1 "$edits"); do
    edit "$target" "〔$kind$i〕"
    sleep "$spacing"
  done
done
kill $pid
python3 - "$log" "$edits" <<'PY'
import re, statistics, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if "after the change" in l]
n = int(sys.argv[2])
for name, part in (("plain", lines[:n]), ("cited", lines[n:2 * n])):
    after = [int(re.search(r"\((\d+) ms after the change\)", l).group(1)) for l in part]
    rebuild = [int(re.search(r"in (\d+) ms", l).group(1)) for l in part]
    pages = sorted({re.search(r"(\d+) of \d+ pages rendered", l).group(1) for l in part})
    print(f"{name}: {len(after)} edits, save→last write median {statistics.median(after):.0f} ms "
          f"(min {min(after)}, max {max(after)}), rebuild median {statistics.median(rebuild):.0f} ms, "
          f"pages rendered {','.join(pages)}")
PY
