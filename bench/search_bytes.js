#!/usr/bin/env node
/*
 * Bytes (and files) a search query loads from a built site, by kind of
 * index file, without a browser: runs themes/default/static/search.js in
 * Node with a stub DOM whose <script> elements read the site's files.
 *
 *   node bench/search_bytes.js SITE [--limit N] [--js PATH] QUERY...
 *
 * SITE is a built output folder (it has search/meta.js). Prints, per query,
 * the results found and the bytes of meta/delta (m, x), posting buckets
 * (p), long-list packs (t) and display shards (d, and e for the full-text
 * tier when the index has one). A profiling aid: the browser figures
 * come from `large_site_budget` and bench/search_latency.js.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const args = process.argv.slice(2);
let limit = 10;
let js = path.join(__dirname, '..', 'themes/default/static/search.js');
const queries = [];
let site = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--limit') limit = Number(args[++i]);
  else if (args[i] === '--js') js = args[++i];
  else if (site === null) site = args[i];
  else queries.push(args[i]);
}
if (!site || !queries.length) {
  console.error('usage: search_bytes.js SITE [--limit N] [--js PATH] QUERY...');
  process.exit(2);
}

function context() {
  const loaded = [];
  const head = {
    appendChild(el) {
      setImmediate(() => {
        const file = path.join(site, el.src);
        let src;
        try {
          src = fs.readFileSync(file, 'utf8');
        } catch (e) {
          if (el.onerror) el.onerror(e);
          return;
        }
        loaded.push([el.src, Buffer.byteLength(src)]);
        vm.runInContext(src, ctx, { filename: file });
        if (el.onload) el.onload();
      });
    },
    removeChild() {}
  };
  const document = {
    readyState: 'complete',
    currentScript: null,
    head,
    documentElement: { getAttribute: (n) => (n === 'data-root' ? '' : null) },
    createElement: () => ({ parentNode: null }),
    querySelectorAll: () => [],
    querySelector: () => null,
    getElementById: () => null,
    addEventListener() {}
  };
  const sandbox = {
    document,
    setTimeout,
    clearTimeout,
    setImmediate,
    console,
    URLSearchParams,
    DecompressionStream,
    Blob,
    Response,
    atob,
    TextDecoder,
    location: { search: '' }
  };
  sandbox.window = sandbox;
  const ctx = vm.createContext(sandbox);
  vm.runInContext(fs.readFileSync(js, 'utf8'), ctx, { filename: js });
  return { ctx, loaded };
}

(async () => {
  for (const q of queries) {
    const { ctx, loaded } = context();
    const t = process.hrtime.bigint();
    const results = await ctx.hoshin.search(q, { limit });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const by = {};
    let total = 0;
    for (const [p, n] of loaded) {
      const kind = p === 'search/meta.js' ? 'm' : p === 'search/delta.js' ? 'x' : p.split('/')[1];
      by[kind] = by[kind] || [0, 0];
      by[kind][0] += 1;
      by[kind][1] += n;
      total += n;
    }
    const parts = Object.keys(by)
      .sort()
      .map((k) => `${k} ${by[k][0]}:${Math.round(by[k][1] / 1024)}K`)
      .join('  ');
    console.log(
      `${q.padEnd(12)} ${String(results.length).padStart(3)} results ${String(loaded.length).padStart(3)} files ${String(Math.round(total / 1024)).padStart(5)} KB  ${parts}  (${ms.toFixed(0)} ms node)`
    );
  }
})();
