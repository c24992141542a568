#!/usr/bin/env bash
# Fills corpus/<target>/ with seeds: the two real policies (shared seeds),
# the repository's sample content and every test fixture document.
set -euo pipefail
cd "$(dirname "$0")"
shopt -s globstar nullglob
seeds=()
for f in ../content/**/*.md ../tests/fixtures/**/*.md ../tests/search_fixture/*.txt "${SEEDS_DIR:-/work/shared/seeds}"/*.txt; do
  [ -f "$f" ] && seeds+=("$f")
done
for t in front_matter marker body references search_text; do
  mkdir -p "corpus/$t"
  for f in "${seeds[@]}"; do
    cp "$f" "corpus/$t/$(basename "$(dirname "$f")")_$(basename "$f")"
  done
done
# Lines of the documents make good markers, references and queries.
for t in marker references search_text; do
  i=0
  for f in "${seeds[@]}"; do
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      i=$((i + 1))
      printf '%s' "$line" > "corpus/$t/line_$i"
      [ "$i" -lt 2000 ] || break 2
    done < "$f"
  done
done
mkdir -p corpus/http_request
printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' > corpus/http_request/get
printf 'GET /2023/%%E7%%B7%%8F.html?q=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' > corpus/http_request/encoded
printf 'HEAD http://localhost:1111/a/b/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n' > corpus/http_request/absolute
printf 'GET /..%%2f..%%2fetc/passwd HTTP/1.1\r\n\r\n' > corpus/http_request/escape
printf 'GET /__hoshin/live HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n' > corpus/http_request/live
echo "seeded: $(ls corpus | wc -l) targets, $(find corpus -type f | wc -l) files"
