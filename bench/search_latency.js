#!/usr/bin/env node
/*
 * Time to first search results in headless Chromium over file:// (the
 * issue 11 target: under 100 ms), on a built site.
 *
 *   node --experimental-websocket bench/search_latency.js SITE [--runs N]
 *        [--chromium PATH] QUERY...
 *
 * (Node 22 has WebSocket without the flag.) For each query, N times
 * (default 5), median and range printed:
 *
 * - cold: a fresh load of search.html?q=QUERY; the time from the start of
 *   the navigation, and from DOMContentLoaded (when search.js sets the
 *   query and starts), to the first a[data-search-result] in the DOM. The
 *   page has nothing of the index in memory; the OS has the files cached
 *   after the first run, as it would on a file share read before.
 * - warm: in that page, the query of the previous run replaced by this one
 *   and the form submitted: from the submit to the first result link of
 *   the new query. meta.js and the previous query's shards are loaded.
 * - api: `hoshin.search(QUERY, {limit: 8})` in a page that has searched
 *   something else: time to the Promise's results (the dropdown's work,
 *   without its 120 ms typing debounce).
 *
 * Times are the page's performance.now(); wall-clock on a shared machine:
 * say the load (uptime) with the figures. Not a test: no assertion.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
let runs = 5;
let chromium = process.env.CHROMIUM || '/usr/bin/chromium';
let site = null;
const queries = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--chromium') chromium = args[++i];
  else if (site === null) site = path.resolve(args[i]);
  else queries.push(args[i]);
}
if (!site || !queries.length || typeof WebSocket !== 'function') {
  console.error('usage: node --experimental-websocket bench/search_latency.js SITE [--runs N] [--chromium PATH] QUERY...');
  process.exit(2);
}
if (!fs.existsSync(path.join(site, 'search.html'))) {
  console.error(site + ' has no search.html: give a site built by hoshin');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hoshin-latency-'));
  const proc = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-dev-shm-usage',
      '--window-size=1200,900',
      '--remote-debugging-port=0',
      '--user-data-dir=' + profile,
      'about:blank'
    ],
    { stdio: 'ignore' }
  );
  const portFile = path.join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 200 && !fs.existsSync(portFile); i++) await sleep(50);
  const port = fs.readFileSync(portFile, 'utf8').split('\n')[0];
  let targets = [];
  for (let i = 0; i < 100; i++) {
    targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    if (targets.some((t) => t.type === 'page')) break;
    await sleep(50);
  }
  const page = targets.find((t) => t.type === 'page');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = rej;
  });
  let next = 1;
  const pending = new Map();
  const events = [];
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    } else if (msg.method) {
      events.push(msg);
    }
  };
  const send = (method, params) =>
    new Promise((res, rej) => {
      const id = next++;
      pending.set(id, (msg) => (msg.error ? rej(new Error(JSON.stringify(msg.error))) : res(msg.result)));
      ws.send(JSON.stringify({ id, method, params: params || {} }));
    });
  const close = () => {
    ws.close();
    proc.kill();
    setTimeout(() => fs.rmSync(profile, { recursive: true, force: true }), 500);
  };
  return { send, close };
}

async function evaluate(send, expression) {
  const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
  return r.result.value;
}

// Installed before every page's own scripts: notes DOMContentLoaded and
// the first result link.
const PROBE = `
  window.__probe = { dcl: null, first: null };
  document.addEventListener('DOMContentLoaded', function () { window.__probe.dcl = performance.now(); });
  new MutationObserver(function (_, obs) {
    if (document.querySelector('a[data-search-result]')) {
      window.__probe.first = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

function fileUrl(q) {
  return 'file://' + site + '/search.html?q=' + encodeURIComponent(q);
}

function warmRun(q) {
  return `new Promise(function (res, rej) {
    var list = document.getElementById('search-results');
    var input = document.getElementById('search-q');
    var form = document.getElementById('search-form');
    var t0;
    var obs = new MutationObserver(function () {
      if (list.querySelector('a[data-search-result]')) {
        obs.disconnect();
        res(performance.now() - t0);
      }
    });
    input.value = ${JSON.stringify(q)};
    obs.observe(list, { childList: true, subtree: true });
    t0 = performance.now();
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    setTimeout(function () { rej(new Error('no result in 20 s')); }, 20000);
  })`;
}

function stats(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${med.toFixed(0).padStart(4)} ms (${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)})`;
}

(async () => {
  const { send, close } = await launch();
  try {
    await send('Page.enable');
    await send('Runtime.enable');
    await send('Page.addScriptToEvaluateOnNewDocument', { source: PROBE });
    console.log(`site ${site}, ${runs} runs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('query          cold (from navigation)   cold (from DOMContentLoaded)   warm (submit)          api (limit 8)');
    for (let k = 0; k < queries.length; k++) {
      const q = queries[k];
      const prev = queries[(k + queries.length - 1) % queries.length];
      const nav = [];
      const dcl = [];
      const warm = [];
      const api = [];
      for (let r = 0; r < runs; r++) {
        // Cold: a fresh page for this query.
        await send('Page.navigate', { url: 'about:blank' });
        await sleep(50);
        await send('Page.navigate', { url: fileUrl(q) });
        let p = null;
        for (let i = 0; i < 400; i++) {
          p = await evaluate(send, 'window.__probe && window.__probe.first !== null ? window.__probe : null');
          if (p) break;
          await sleep(25);
        }
        if (!p) throw new Error('no result for ' + q);
        nav.push(p.first);
        dcl.push(p.first - p.dcl);
        // Warm: a page that has searched another query.
        await send('Page.navigate', { url: fileUrl(prev === q ? q + ' ' : prev) });
        for (let i = 0; i < 400; i++) {
          if (await evaluate(send, 'window.__probe && window.__probe.first !== null')) break;
          await sleep(25);
        }
        warm.push(await evaluate(send, warmRun(q)));
        // API: in the same kind of page, a query it has not seen.
        await send('Page.navigate', { url: fileUrl(prev === q ? q + ' ' : prev) });
        for (let i = 0; i < 400; i++) {
          if (await evaluate(send, 'window.__probe && window.__probe.first !== null')) break;
          await sleep(25);
        }
        api.push(
          await evaluate(
            send,
            `(function () { var t0 = performance.now(); return hoshin.search(${JSON.stringify(q)}, {limit: 8}).then(function () { return performance.now() - t0; }); })()`
          )
        );
      }
      console.log(`${q.padEnd(14)} ${stats(nav).padEnd(24)} ${stats(dcl).padEnd(30)} ${stats(warm).padEnd(22)} ${stats(api)}`);
    }
  } finally {
    close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
