/*
 * hoshin search (SPEC §6): client-side Japanese search over the index that
 * `hoshin build` writes under search/ (src/search/ in the hoshin source).
 *
 * - No network beyond the site itself, no fetch, modules, workers or WASM:
 *   index shards are plain scripts that call hoshinSearchShard(kind, n, data),
 *   loaded with <script> elements on demand, so the same code works opened
 *   from a file share (file://) and from a web server (http://).
 * - Normalisation and tokenisation mirror src/search/normalize.rs and
 *   tokenize.rs exactly; tests/search_vectors.json is checked against both.
 * - A query is split at spaces into parts that must all match. Candidates
 *   come from the posting lists; each result is checked against its
 *   normalised label, heading path and text, so a part matches only where
 *   its characters stand together.
 * - search/delta.js, loaded once with meta.js, overlays the documents
 *   changed since the full index was built (hoshin watch writes it; a full
 *   build writes it empty): it hides their records in the main index
 *   ("tombstones") and carries their current records, postings and display
 *   data, numbered from delta.base up. Both are ranked together.
 *   search.html names both after this script, so they arrive with the
 *   page; other pages load them with their first query.
 *
 * Page contract: <html data-root="../"> gives the path to the site root;
 * every page has <form class="hoshin-search"> with an <input name="q">;
 * search.html has #search-form, #search-q, #search-year,
 * #search-department, #search-status, #search-results, #search-more.
 *
 * - Display shards (search/d/) and packs of long posting lists (search/t/)
 *   are zlib-deflated JSON in base64, inflated with the browser's
 *   DecompressionStream (no fetch: it works over file://), so a large site
 *   has a few thousand index files instead of tens of thousands.
 * - search/groups.js, where each (year, department) group of records
 *   starts, is loaded by filtered searches only.
 * - Equal scores: the display shards holding most of a run of ties come
 *   first (order), so a page of ties touches few shards.
 *
 * API: window.hoshin.search(query, {year, department, limit}) → Promise of
 * [{url, doc, id, label, title, snippet, score}] in rank order: url relative
 * to the site root, id null for a document's preamble, snippet as escaped
 * HTML with the matches in <mark>; limit defaults to 20 (each result loads
 * its display shard). Another intranet page may use it too:
 *   <script src="https://intranet/policies/static/search.js" charset="utf-8">
 * (without data-root on its <html>, the root is taken from this script's
 * address; charset matters on pages that are not UTF-8).
 */
(function () {
  'use strict';

  var hoshin = (window.hoshin = window.hoshin || {});
  var thisScript = document.currentScript;

  /* ------------------------------------------------------------------ */
  /* Site root                                                           */

  function siteRoot() {
    var root = document.documentElement.getAttribute('data-root');
    if (root !== null) return root;
    // Included from another page: the root is two levels above this file.
    var src = thisScript && thisScript.src;
    if (src) return src.replace(/static\/search\.js(?:[?#].*)?$/, '');
    return '';
  }

  /* ------------------------------------------------------------------ */
  /* Shard loading                                                       */

  var shards = Object.create(null);
  var waiting = Object.create(null);
  var loadedPaths = [];
  var meta = null;
  var delta = null;
  var has = Function.prototype.call.bind(Object.prototype.hasOwnProperty);
  var LOAD_TIMEOUT_MS = 20000;

  window.hoshinSearchShard = function (kind, n, data) {
    shards[kind + ':' + n] = data;
  };

  function shardPath(kind, n) {
    if (kind === 'm') return 'search/meta.js';
    if (kind === 'x') return 'search/delta.js';
    if (kind === 'g') return 'search/groups.js';
    if (kind === 'p') return 'search/p/' + n + '.js';
    var folder = (meta && meta.folder) || 1024;
    return 'search/' + kind + '/' + Math.floor(n / folder) + '/' + (n % folder) + '.js';
  }

  function load(kind, n) {
    var key = kind + ':' + n;
    if (key in shards) return Promise.resolve(shards[key]);
    if (waiting[key]) return waiting[key];
    var path = shardPath(kind, n);
    var p = new Promise(function (resolve, reject) {
      var el = document.createElement('script');
      var timer = setTimeout(function () {
        done(new Error('timeout'));
      }, LOAD_TIMEOUT_MS);
      function done(err) {
        clearTimeout(timer);
        el.onload = el.onerror = null;
        if (el.parentNode) el.parentNode.removeChild(el);
        delete waiting[key];
        if (!err && key in shards) resolve(shards[key]);
        else reject(err || new Error('empty shard ' + path));
      }
      el.onload = function () {
        done(null);
      };
      el.onerror = function () {
        done(new Error('cannot load ' + path));
      };
      el.async = true;
      // Shards are UTF-8 whatever the encoding of the page that searches.
      el.charset = 'utf-8';
      el.src = siteRoot() + path;
      loadedPaths.push(path);
      (document.head || document.documentElement).appendChild(el);
    });
    waiting[key] = p;
    return p;
  }

  function loadMeta() {
    if (meta) return Promise.resolve(meta);
    return load('m', 0).then(function (m) {
      meta = m;
      return m;
    });
  }

  // No change since the full build: nothing hidden, nothing added.
  var NO_DELTA = {
    base: Infinity,
    tomb: [],
    p: {},
    groups: [],
    order: [],
    years: null,
    departments: null,
    display: null,
    slots: {}
  };

  // A delta applies only to the index it was made for (meta.stamp): a page
  // that holds another main index is better off without it.
  function prepareDelta(d) {
    if (!d || d.main !== meta.stamp) return NO_DELTA;
    var slots = Object.create(null);
    d.d.r.forEach(function (r) {
      slots[r[0]] = r;
    });
    return {
      base: d.base,
      tomb: d.tomb,
      p: d.p,
      groups: d.groups,
      order: d.order,
      years: d.years,
      departments: d.departments,
      display: d.d,
      slots: slots
    };
  }

  // meta.js and delta.js: everything a search needs before its terms.
  function loadIndex() {
    if (meta && delta) return Promise.resolve(meta);
    var d = load('x', 0).catch(function () {
      // An index written without a delta (or one that cannot be read):
      // the main index alone is still right as of its build.
      return null;
    });
    return Promise.all([loadMeta(), d]).then(function (r) {
      if (!delta) delta = prepareDelta(r[1]);
      return meta;
    });
  }

  // The filter lists, as of the delta.
  function indexYears() {
    return delta && delta.years ? delta.years : meta.years;
  }

  function indexDepartments() {
    return delta && delta.departments ? delta.departments : meta.departments;
  }

  /* ------------------------------------------------------------------ */
  /* Normalisation (mirror of src/search/normalize.rs)                    */

  var CJK = [
    [0x3005, 0x3007], [0x3031, 0x3035], [0x303b, 0x303c], [0x3041, 0x3096],
    [0x309d, 0x309f], [0x30a1, 0x30fa], [0x30fc, 0x30ff], [0x31f0, 0x31ff],
    [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x1100, 0x11ff],
    [0x3131, 0x318e], [0xac00, 0xd7af], [0x1b000, 0x1b16f], [0x20000, 0x3ffff]
  ];
  var CHUNK = [
    [0x21, 0x7e], [0xff01, 0xff5e], [0x3001, 0x3003], [0x3008, 0x3011],
    [0x3041, 0x3096], [0x30a1, 0x30fc], [0x3400, 0x4dbf], [0x4e00, 0x9fff]
  ];
  var WORD_RE = /[\p{Alphabetic}\p{N}]/u;
  var wordCache = new Map();

  function inRanges(cp, ranges) {
    for (var i = 0; i < ranges.length; i++) {
      if (cp >= ranges[i][0] && cp <= ranges[i][1]) return true;
    }
    return false;
  }

  function isCJK(cp) {
    return cp >= 0x1100 && inRanges(cp, CJK);
  }

  function isSpace(cp) {
    return (
      cp <= 0x20 || cp === 0x7f || cp === 0x85 || cp === 0xa0 || cp === 0x1680 ||
      (cp >= 0x2000 && cp <= 0x200b) || cp === 0x2028 || cp === 0x2029 ||
      cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0xfeff
    );
  }

  function isWord(cp) {
    if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
    if (isCJK(cp)) return false;
    var w = wordCache.get(cp);
    if (w === undefined) {
      w = WORD_RE.test(String.fromCodePoint(cp));
      wordCache.set(cp, w);
    }
    return w;
  }

  function startsChunk(cp) {
    return isSpace(cp) || inRanges(cp, CHUNK);
  }

  // Lower case code point by code point (no final-sigma context).
  function lower(s) {
    if (!/[^\0-\x7f]/.test(s)) return s.toLowerCase();
    var out = '';
    for (var ch of s) out += ch.toLowerCase();
    return out;
  }

  /*
   * Normalises `s` and maps it back: segs[k] = [from, to, nFrom, nTo] says
   * that s.slice(from, to) became text.slice(nFrom, nTo). Chunks are cut
   * where NFKC cannot reach across (see normalize.rs), so NFKC per chunk is
   * NFKC of the whole.
   */
  function normalizeMapped(s) {
    var out = '';
    var segs = [];
    var pendingSpace = false;
    var lastCJK = false;
    var i = 0;
    var n = s.length;
    while (i < n) {
      var start = i;
      var cp = s.codePointAt(i);
      i += cp > 0xffff ? 2 : 1;
      while (i < n) {
        var c2 = s.codePointAt(i);
        if (startsChunk(c2)) break;
        i += c2 > 0xffff ? 2 : 1;
      }
      var norm = lower(s.slice(start, i).normalize('NFKC'));
      var nFrom = out.length;
      for (var ch of norm) {
        var c = ch.codePointAt(0);
        if (isSpace(c)) {
          if (out.length) pendingSpace = true;
          continue;
        }
        var cjk = isCJK(c);
        if (pendingSpace) {
          if (!lastCJK && !cjk) out += ' ';
          pendingSpace = false;
        }
        out += ch;
        lastCJK = cjk;
      }
      segs.push([start, i, nFrom, out.length]);
    }
    return { text: out, segs: segs };
  }

  function normalize(s) {
    return normalizeMapped(s).text;
  }

  /* ------------------------------------------------------------------ */
  /* Tokenisation (mirror of src/search/tokenize.rs)                      */

  // Calls fn(kind, token) with kind 'u' (unigram), 'b' (bigram), 'w' (word).
  function eachToken(s, fn) {
    var prev = null;
    var run = 0;
    var word = null;
    for (var ch of s) {
      var cp = ch.codePointAt(0);
      if (isCJK(cp)) {
        if (word !== null) {
          fn('w', word);
          word = null;
        }
        if (prev !== null) fn('b', prev + ch);
        prev = ch;
        run++;
        continue;
      }
      if (run === 1) fn('u', prev);
      prev = null;
      run = 0;
      if (isWord(cp)) {
        word = word === null ? ch : word + ch;
      } else if (word !== null) {
        fn('w', word);
        word = null;
      }
    }
    if (run === 1) fn('u', prev);
    if (word !== null) fn('w', word);
  }

  function tokenize(s) {
    var out = [];
    eachToken(s, function (_, t) {
      out.push(t);
    });
    return out;
  }

  function queryParts(query) {
    var parts = [];
    var piece = '';
    function flush() {
      var part = normalize(piece);
      piece = '';
      var any = false;
      eachToken(part, function () {
        any = true;
      });
      if (any && parts.indexOf(part) < 0) parts.push(part);
    }
    for (var ch of String(query || '')) {
      if (isSpace(ch.codePointAt(0))) flush();
      else piece += ch;
    }
    flush();
    return parts;
  }

  /* ------------------------------------------------------------------ */
  /* Index access                                                         */

  function bucketOf(key) {
    var h = 0x811c9dc5;
    for (var i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h & (meta.buckets - 1);
  }

  // Compact posting list → {ids, qs} (see src/search/encode.rs).
  function decodePostings(s) {
    var ids = [];
    var qs = [];
    var val = 0;
    var mult = 1;
    var next = 0;
    var gap = true;
    for (var i = 0; i < s.length; i++) {
      var b = s.charCodeAt(i);
      var d = b - 0x23 - (b > 0x5c ? 1 : 0);
      if (d >= 46) {
        val += (d - 46) * mult;
        mult *= 45;
        continue;
      }
      val += d * mult;
      if (gap) {
        next += val;
        ids.push(next);
        next += 1;
      } else {
        qs.push(val);
      }
      gap = !gap;
      val = 0;
      mult = 1;
    }
    return { ids: ids, qs: qs };
  }

  // Entry of `key` in its bucket and in the delta: {df, data, extra} or
  // null (no record holds it). The df is the sum of both: the main count
  // still includes hidden records, close enough for ranking.
  function termEntry(key) {
    return load('p', bucketOf(key)).then(function (bucket) {
      var e = has(bucket, key) ? bucket[key] : null;
      var x = has(delta.p, key) ? delta.p[key] : null;
      if (!e && !x) return null;
      return {
        key: key,
        df: (e ? e[0] : 0) + (x ? x[0] : 0),
        data: e ? e[1] : '',
        index: e && e.length > 2 ? e[2] : 0,
        extra: x ? x[1] : null
      };
    });
  }

  function termList(entry) {
    if (entry.postings) return Promise.resolve(entry.postings);
    // A long list is one of a pack's lists.
    var data =
      typeof entry.data === 'string'
        ? Promise.resolve(entry.data)
        : inflated('t', entry.data).then(function (pack) {
            return pack[entry.index];
          });
    return data.then(function (s) {
      var list = decodePostings(s);
      if (entry.extra) {
        // Delta records come after every main record: the list stays sorted.
        var x = decodePostings(entry.extra);
        for (var i = 0; i < x.ids.length; i++) {
          list.ids.push(delta.base + x.ids[i]);
          list.qs.push(x.qs[i]);
        }
      }
      entry.postings = list;
      return list;
    });
  }

  // Whether main record `id` belongs to a document changed since the full
  // build (tomb holds inclusive ranges [first, last, …], sorted).
  function hidden(id) {
    var t = delta.tomb;
    if (id >= delta.base || !t.length) return false;
    var lo = 0;
    var hi = t.length / 2 - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (t[mid * 2] <= id) lo = mid;
      else hi = mid - 1;
    }
    return t[lo * 2] <= id && id <= t[lo * 2 + 1];
  }

  // Where a record stands in a full build's order (ties rank by it): a
  // delta record takes its place between main records.
  function position(id) {
    return id >= delta.base ? delta.order[id - delta.base] : id;
  }

  function idf(df) {
    return Math.log(1 + (meta.records - df + 0.5) / (df + 0.5));
  }

  // The main index's (year, department) groups (search/groups.js), which
  // only a filtered search needs.
  var groups = null;

  function loadGroups() {
    if (groups) return Promise.resolve(groups);
    return load('g', 0).then(function (g) {
      groups = g;
      return g;
    });
  }

  // (year, department) of a record, from the group it falls in (the
  // groups loaded).
  function groupOf(id) {
    if (id >= delta.base) {
      var dg = delta.groups;
      var k = id - delta.base;
      var j = 0;
      while (j + 3 < dg.length && dg[j + 3] <= k) j += 3;
      return { year: dg[j + 1], department: dg[j + 2] };
    }
    var g = groups;
    var lo = 0;
    var hi = g.length / 3 - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (g[mid * 3] <= id) lo = mid;
      else hi = mid - 1;
    }
    return { year: meta.years[g[lo * 3 + 1]], department: meta.departments[g[lo * 3 + 2]] };
  }

  // Record `r` of display data `d` (a shard, or the delta's).
  function displayRecord(d, r) {
    var doc = d.d[r[1]];
    var url = r[2] === null ? doc[2] : doc[2] + '#' + r[2];
    return {
      url: url,
      doc: doc[0],
      title: doc[1],
      id: r[2],
      label: d.s[r[3]] + r[4],
      heading: r[5] >= 0 ? d.s[r[5]] : '',
      text: r[6]
    };
  }

  function record(id) {
    if (id >= delta.base) {
      var own = delta.slots[id - delta.base];
      return Promise.resolve(own ? displayRecord(delta.display, own) : null);
    }
    var slot = id & ((1 << meta.dshift) - 1);
    return displayShard(id >> meta.dshift).then(function (d) {
      var r = d.bySlot[slot];
      return r ? displayRecord(d, r) : null;
    });
  }

  // Display shards and packs of long lists, decoded once: their data is
  // deflated JSON in base64 (src/search/shard.rs).
  var decoded = Object.create(null);

  function inflated(kind, n, prepare) {
    var key = kind + ':' + n;
    if (decoded[key]) return decoded[key];
    var p = load(kind, n).then(function (data) {
      return typeof data === 'string' ? inflateJson(data) : data;
    }).then(function (d) {
      delete shards[key]; // the decoded copy is kept instead
      return prepare ? prepare(d) : d;
    });
    decoded[key] = p;
    p.catch(function () {
      delete decoded[key];
    });
    return p;
  }

  function displayShard(n) {
    return inflated('d', n, function (d) {
      d.bySlot = [];
      for (var i = 0; i < d.r.length; i++) d.bySlot[d.r[i][0]] = d.r[i];
      return d;
    });
  }

  // zlib-deflated JSON in base64 → the value. DecompressionStream works on
  // data already in the page, so it needs no fetch and works over file://.
  function inflateJson(b64) {
    if (typeof DecompressionStream !== 'function') {
      return Promise.reject(new Error('this browser cannot inflate the search index (DecompressionStream)'));
    }
    var bytes;
    if (typeof Uint8Array.fromBase64 === 'function') {
      bytes = Uint8Array.fromBase64(b64);
    } else {
      var bin = atob(b64);
      bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    }
    var stream = new Response(bytes).body.pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).text().then(JSON.parse);
  }

  /* ------------------------------------------------------------------ */
  /* Matching                                                             */

  function prevCodePoint(s, i) {
    if (i <= 0) return -1;
    var c = s.charCodeAt(i - 1);
    if (c >= 0xdc00 && c <= 0xdfff && i >= 2) return s.codePointAt(i - 2);
    return c;
  }

  // Where `part` occurs in normalised `field`: a part that begins with a
  // word character must begin a word there (words are prefix-matched).
  function findAll(field, part, limit) {
    var out = [];
    var startsWord = isWord(part.codePointAt(0));
    var from = 0;
    while (out.length < limit) {
      var at = field.indexOf(part, from);
      if (at < 0) break;
      if (!startsWord || !isWord(prevCodePoint(field, at))) out.push(at);
      from = at + 1;
    }
    return out;
  }

  function verify(rec, parts) {
    var fields = [normalize(rec.label), normalize(rec.heading), normalize(rec.text)];
    return parts.every(function (p) {
      return fields.some(function (f) {
        return findAll(f, p, 1).length > 0;
      });
    });
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  var SNIPPET_BEFORE = 24;
  var SNIPPET_LENGTH = 96;

  // HTML of a passage of `text` around the first match, matches in <mark>.
  function snippet(text, parts) {
    var m = normalizeMapped(text);
    var ranges = [];
    parts.forEach(function (p) {
      findAll(m.text, p, 50).forEach(function (at) {
        ranges.push([at, at + p.length]);
      });
    });
    ranges.sort(function (a, b) {
      return a[0] - b[0];
    });
    var from = ranges.length ? Math.max(0, ranges[0][0] - SNIPPET_BEFORE) : 0;
    var to = from + SNIPPET_LENGTH;
    var html = '';
    var open = false;
    var cut = false;
    var spaced = false;
    for (var k = 0; k < m.segs.length; k++) {
      var seg = m.segs[k];
      if (seg[3] <= from && seg[2] < from) continue;
      if (seg[2] >= to) {
        cut = true;
        break;
      }
      var raw = text.slice(seg[0], seg[1]);
      var shown = raw;
      if (seg[2] === seg[3]) {
        // Whitespace (or nothing): show the one space normalisation kept
        // before the next character, if any, once.
        shown = !spaced && m.text.charAt(seg[3]) === ' ' ? ' ' : '';
        spaced = spaced || shown === ' ';
      } else {
        spaced = false;
      }
      var marked = ranges.some(function (r) {
        return r[0] < seg[3] && seg[2] < r[1];
      });
      if (marked !== open) {
        html += marked ? '<mark>' : '</mark>';
        open = marked;
      }
      html += escapeHtml(shown);
    }
    if (open) html += '</mark>';
    return (from > 0 ? '…' : '') + html.trim() + (cut ? '…' : '');
  }

  /* ------------------------------------------------------------------ */
  /* Search                                                               */

  var VERIFY_BATCH = 8;
  var MAX_REJECTED = 200;

  /*
   * A search in progress: candidates ranked from the posting lists, then
   * checked against the text batch by batch as results are asked for.
   */
  function Search(query, opts) {
    this.query = String(query || '');
    this.opts = opts || {};
    this.parts = queryParts(this.query);
    this.results = [];
    this.candidates = [];
    this.next = 0;
    this.rejected = 0;
    this.approximate = false;
  }

  Search.prototype.prepare = function () {
    var self = this;
    if (!self.parts.length) return Promise.resolve(self);
    return loadIndex().then(function () {
      var keys = [];
      self.parts.forEach(function (part) {
        eachToken(part, function (kind, t) {
          var key = kind === 'w' ? Array.from(t).slice(0, meta.maxPrefix).join('') : t;
          if (keys.indexOf(key) < 0) keys.push(key);
        });
      });
      var whole = normalize(self.query);
      var citeKey = /[0-9]/.test(whole) ? '§' + whole : null;
      return Promise.all(keys.concat(citeKey ? [citeKey] : []).map(termEntry)).then(function (entries) {
        var cite = citeKey ? entries.pop() : null;
        return self.rank(entries, cite);
      });
    });
  };

  Search.prototype.rank = function (entries, cite) {
    var self = this;
    var unit = (meta.k1 + 1) / meta.qmax;
    var missing = entries.some(function (e) {
      return e === null;
    });
    var used = [];
    var need = 0;
    if (!missing) {
      used = entries.filter(function (e) {
        return e.df <= meta.cap;
      });
      need = used.length;
      if (!used.length) {
        // Only very common terms: their lists hold the records of highest
        // impact. Rank within the two rarest (a citation, when the query is
        // one, says more than its numbers); the text check does the rest.
        used = cite
          ? []
          : entries
              .slice()
              .sort(function (a, b) {
                return a.df - b.df;
              })
              .slice(0, 2);
        need = 0;
        self.approximate = !cite;
      }
    }
    var lists = used.map(termList);
    if (cite) lists.push(termList(cite));
    var filtered = self.opts.year || self.opts.department;
    return Promise.all(filtered ? [Promise.all(lists), loadGroups()] : [Promise.all(lists)]).then(function (r) {
      var loaded = r[0];
      var weights = used.map(function (e) {
        return idf(e.df) * unit;
      });
      // Without every term's list to hold them, the candidates are those
      // of the rarest term's.
      var base = -1;
      used.forEach(function (e, k) {
        if (!need && (base < 0 || e.df < used[base].df)) base = k;
      });
      var termLists = loaded.slice(0, used.length);
      var ids = [];
      var scores = new Map();
      if (used.length) {
        var sum = walker(termLists, weights);
        var driver = termLists[need ? shortest(termLists) : base];
        for (var i = 0; i < driver.ids.length; i++) {
          var id = driver.ids[i];
          var s = sum(id);
          if (need ? sum.held === need : true) {
            ids.push(id);
            scores.set(id, s);
          }
        }
      }
      if (cite) {
        // A query that is a citation: those directives first, scored by
        // the terms' lists that hold them as well.
        var c = loaded[loaded.length - 1];
        var boost = idf(cite.df) * unit * 4;
        var partial = walker(termLists, weights);
        for (var j = 0; j < c.ids.length; j++) {
          var cid = c.ids[j];
          var known = scores.has(cid);
          scores.set(cid, (known ? scores.get(cid) : partial(cid)) + boost * c.qs[j]);
          if (!known) ids.push(cid);
        }
      }
      var year = self.opts.year ? Number(self.opts.year) : null;
      var dept = self.opts.department || null;
      ids = ids.filter(function (id) {
        if (hidden(id)) return false;
        if (!year && !dept) return true;
        var g = groupOf(id);
        return (!year || g.year === year) && (!dept || g.department === dept);
      });
      self.candidates = order(ids, scores);
      self.scores = scores;
      return self;
    });
  };

  // The index of the list with the fewest records.
  function shortest(lists) {
    var best = 0;
    for (var k = 1; k < lists.length; k++) if (lists[k].ids.length < lists[best].ids.length) best = k;
    return best;
  }

  /*
   * A record's score in `lists` (each sorted by record), asked for records
   * in increasing order: each list is walked once, with a cursor, where a
   * map of every posting to its running score cost most of a query's time
   * between its lists and its first display shard. The impacts are added
   * in list order, as they always were, so scores (and ties) are the same
   * to the last bit. `sum.held` is how many lists hold the last record.
   */
  function walker(lists, weights) {
    var at = lists.map(function () {
      return 0;
    });
    function sum(id) {
      var s = 0;
      var held = 0;
      for (var k = 0; k < lists.length; k++) {
        var l = lists[k].ids;
        var i = at[k];
        while (i < l.length && l[i] < id) i++;
        at[k] = i;
        if (i < l.length && l[i] === id) {
          s += weights[k] * lists[k].qs[i];
          held++;
        }
      }
      sum.held = held;
      return s;
    }
    sum.held = 0;
    return sum;
  }

  /*
   * The candidates best first: by score, then by full-build position.
   * Records of equal score are equally good answers, and a page of them
   * costs one display shard per shard they fall in; so within each run of
   * equal scores, the shards holding the most of the run come first (then
   * in full-build order, and records within a shard in full-build order),
   * and a page of ties touches few shards. The shard is taken from the
   * record's full-build position, so a delta record ranks as it will once
   * the index is rebuilt.
   */
  function order(ids, scores) {
    var n = ids.length;
    var score = new Float64Array(n);
    var pos = new Float64Array(n);
    var idx = new Array(n);
    for (var i = 0; i < n; i++) {
      score[i] = scores.get(ids[i]);
      pos[i] = position(ids[i]);
      idx[i] = i;
    }
    idx.sort(function (a, b) {
      return score[b] - score[a] || pos[a] - pos[b] || a - b;
    });
    // Within a run of equal scores, positions increase, and so do their
    // shards: each shard's records stand together, and the run's shards
    // are reordered, most records first (a stable sort keeps full-build
    // order between shards of as many).
    var shift = meta.dshift;
    var out = new Array(n);
    var o = 0;
    i = 0;
    while (i < n) {
      var s = score[idx[i]];
      var j = i + 1;
      while (j < n && score[idx[j]] === s) j++;
      var groups = [];
      var g = i;
      for (var k = i + 1; k <= j; k++) {
        if (k === j || Math.floor(pos[idx[k]]) >> shift !== Math.floor(pos[idx[g]]) >> shift) {
          groups.push([g, k]);
          g = k;
        }
      }
      if (groups.length > 1) {
        groups.sort(function (a, b) {
          return b[1] - b[0] - (a[1] - a[0]);
        });
      }
      for (var m = 0; m < groups.length; m++) {
        for (var q = groups[m][0]; q < groups[m][1]; q++) out[o++] = ids[idx[q]];
      }
      i = j;
    }
    return out;
  }

  // Checks candidates until `count` results are known (or none are left).
  Search.prototype.more = function (count) {
    var self = this;
    var want = self.results.length + count;
    function step() {
      if (self.results.length >= want || self.next >= self.candidates.length || self.rejected > MAX_REJECTED) {
        return Promise.resolve(self.results.slice(want - count, want));
      }
      var batch = self.candidates.slice(self.next, self.next + Math.max(VERIFY_BATCH, want - self.results.length));
      self.next += batch.length;
      return Promise.all(batch.map(record)).then(function (recs) {
        recs.forEach(function (rec, k) {
          if (self.results.length >= want) {
            self.next--; // not needed yet: checked by the next call
            return;
          }
          if (!rec) {
            self.rejected++;
            return;
          }
          if (!verify(rec, self.parts)) {
            self.rejected++;
            return;
          }
          self.results.push({
            url: rec.url,
            doc: rec.doc,
            id: rec.id,
            label: rec.label,
            title: rec.title,
            heading: rec.heading,
            snippet: snippet(rec.text, self.parts),
            score: Math.round(self.scores.get(batch[k]) * 1000) / 1000
          });
        });
        return step();
      });
    }
    return step();
  };

  Search.prototype.done = function () {
    return this.next >= this.candidates.length || this.rejected > MAX_REJECTED;
  };

  // Number of matches: exact when every candidate was checked.
  Search.prototype.total = function () {
    var exact = this.next >= this.candidates.length && !this.approximate;
    var n = exact ? this.results.length : Math.max(this.results.length, this.candidates.length - this.rejected);
    return { count: n, exact: exact };
  };

  function publicResult(r) {
    return { url: r.url, doc: r.doc, id: r.id, label: r.label, title: r.title, snippet: r.snippet, score: r.score };
  }

  hoshin.search = function (query, opts) {
    opts = opts || {};
    var s = new Search(query, opts);
    return s.prepare().then(function () {
      return s.more(opts.limit > 0 ? opts.limit : 20);
    }).then(function (results) {
      return results.map(publicResult);
    });
  };
  hoshin.normalize = normalize;
  hoshin.tokenize = tokenize;
  hoshin.queryParts = queryParts;
  hoshin.loadedShards = function () {
    return loadedPaths.slice();
  };

  /* ------------------------------------------------------------------ */
  /* UI helpers                                                           */

  function eraLabel(year) {
    var era = year >= 2019 ? ['令和', year - 2018] : year >= 1989 ? ['平成', year - 1988] : ['昭和', year - 1925];
    return era[0] + (era[1] === 1 ? '元' : era[1]) + '年度（' + year + '年度）';
  }

  function countLabel(total) {
    if (!total.count) return '該当なし';
    return (total.exact ? '' : '約') + total.count.toLocaleString('ja-JP') + '件';
  }

  function searchPageUrl(q, year, department) {
    var params = new URLSearchParams();
    params.set('q', q);
    if (year) params.set('year', year);
    if (department) params.set('department', department);
    return siteRoot() + 'search.html?' + params.toString();
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var ERROR_TEXT = '検索索引を読み込めませんでした';

  /* ------------------------------------------------------------------ */
  /* Header box: results as you type                                      */

  var DROPDOWN_SIZE = 8;
  var boxCount = 0;

  function HeaderBox(form) {
    var input = form.querySelector('input[name="q"]');
    if (!input) return;
    var self = this;
    var id = 'hoshin-search-list-' + ++boxCount;
    this.form = form;
    this.input = input;
    this.list = el('div', 'hoshin-search-dropdown');
    this.list.id = id;
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', '検索結果');
    this.list.hidden = true;
    form.classList.add('hoshin-search-ready');
    form.appendChild(this.list);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', id);
    input.setAttribute('aria-expanded', 'false');
    this.active = -1;
    this.seq = 0;
    var run = debounce(function () {
      self.run();
    }, 120);
    input.addEventListener('input', run);
    input.addEventListener('focus', function () {
      loadIndex().catch(function () {});
      if (self.list.childNodes.length && input.value.trim()) self.open(true);
    });
    input.addEventListener('keydown', function (e) {
      self.key(e);
    });
    document.addEventListener('mousedown', function (e) {
      if (!form.contains(e.target)) self.open(false);
    });
    form.addEventListener('submit', function (e) {
      var items = self.items();
      if (self.active >= 0 && items[self.active]) {
        e.preventDefault();
        window.location.href = items[self.active].href;
      }
    });
  }

  HeaderBox.prototype.items = function () {
    return this.list.querySelectorAll('a.hoshin-search-item');
  };

  HeaderBox.prototype.open = function (on) {
    this.list.hidden = !on;
    this.input.setAttribute('aria-expanded', on ? 'true' : 'false');
    if (!on) this.select(-1);
  };

  HeaderBox.prototype.select = function (k) {
    var items = this.items();
    if (this.active >= 0 && items[this.active]) {
      items[this.active].classList.remove('is-active');
      items[this.active].setAttribute('aria-selected', 'false');
    }
    this.active = k;
    if (k >= 0 && items[k]) {
      items[k].classList.add('is-active');
      items[k].setAttribute('aria-selected', 'true');
      this.input.setAttribute('aria-activedescendant', items[k].id);
      items[k].scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  };

  HeaderBox.prototype.key = function (e) {
    var items = this.items();
    if (e.key === 'ArrowDown' || e.key === 'Down') {
      if (this.list.hidden) this.open(items.length > 0);
      if (items.length) this.select(this.active + 1 >= items.length ? 0 : this.active + 1);
      e.preventDefault();
    } else if (e.key === 'ArrowUp' || e.key === 'Up') {
      if (items.length) this.select(this.active <= 0 ? items.length - 1 : this.active - 1);
      e.preventDefault();
    } else if (e.key === 'Escape' || e.key === 'Esc') {
      if (!this.list.hidden) this.open(false);
      else this.input.value = '';
      e.preventDefault();
    }
  };

  HeaderBox.prototype.run = function () {
    var self = this;
    var q = this.input.value;
    var seq = ++this.seq;
    if (!queryParts(q).length) {
      this.list.textContent = '';
      this.open(false);
      return;
    }
    var s = new Search(q, {});
    s.prepare()
      .then(function () {
        return s.more(DROPDOWN_SIZE);
      })
      .then(function (results) {
        if (seq === self.seq) self.render(q, results, s.total());
      })
      .catch(function () {
        if (seq !== self.seq) return;
        self.list.textContent = '';
        self.list.appendChild(el('p', 'hoshin-search-empty', ERROR_TEXT));
        self.open(true);
      });
  };

  HeaderBox.prototype.render = function (q, results, total) {
    var list = this.list;
    var root = siteRoot();
    list.textContent = '';
    this.active = -1;
    if (!results.length) {
      list.appendChild(el('p', 'hoshin-search-empty', '該当なし'));
    }
    results.forEach(function (r, k) {
      var a = el('a', 'hoshin-search-item');
      a.href = root + r.url;
      a.id = list.id + '-' + k;
      a.setAttribute('role', 'option');
      a.setAttribute('aria-selected', 'false');
      a.tabIndex = -1;
      a.appendChild(el('span', 'hoshin-search-label', r.label));
      a.appendChild(el('span', 'hoshin-search-title', r.title));
      var p = el('span', 'hoshin-search-snippet');
      p.innerHTML = r.snippet;
      a.appendChild(p);
      list.appendChild(a);
    });
    if (results.length) {
      var all = el('a', 'hoshin-search-all', 'すべての結果を表示（' + countLabel(total) + '）');
      all.href = searchPageUrl(q);
      list.appendChild(all);
    }
    this.open(true);
  };

  /* ------------------------------------------------------------------ */
  /* search.html: the shareable results page                              */

  var PAGE_SIZE = 10;

  function ResultsPage(list) {
    var self = this;
    this.list = list;
    this.form = document.getElementById('search-form');
    this.input = document.getElementById('search-q');
    this.year = document.getElementById('search-year');
    this.department = document.getElementById('search-department');
    this.status = document.getElementById('search-status');
    this.moreButton = document.getElementById('search-more');
    this.seq = 0;
    this.baseTitle = document.title;
    var params = new URLSearchParams(window.location.search);
    if (this.input) this.input.value = params.get('q') || '';
    var header = document.querySelector('form.hoshin-search input[name="q"]');
    if (header && !header.value) header.value = params.get('q') || '';
    this.setStatus('検索索引を読み込んでいます…');
    loadIndex()
      .then(function () {
        // The query's lists are asked for before the filters' options
        // are made: 250 departments' options took a third of the time
        // between DOMContentLoaded and the first bucket's request.
        var years = indexYears().slice().reverse();
        var departments = indexDepartments();
        var chosen = {
          year: self.year ? offered(years, params.get('year')) : '',
          department: self.department ? offered(departments, params.get('department')) : ''
        };
        self.run(false, chosen);
        self.fillSelect(self.year, years, eraLabel, chosen.year);
        self.fillSelect(self.department, departments, String, chosen.department);
      })
      .catch(function () {
        self.setStatus(ERROR_TEXT);
      });
    var run = debounce(function () {
      self.run(true);
    }, 200);
    if (this.input) this.input.addEventListener('input', run);
    [this.year, this.department].forEach(function (sel) {
      if (sel) {
        sel.addEventListener('change', function () {
          self.run(true);
        });
      }
    });
    if (this.form) {
      this.form.addEventListener('submit', function (e) {
        e.preventDefault();
        self.run(true);
      });
    }
    if (this.moreButton) {
      this.moreButton.addEventListener('click', function () {
        self.showMore();
      });
    }
    this.input &&
      this.input.addEventListener('keydown', function (e) {
        if ((e.key === 'ArrowDown' || e.key === 'Down') && self.links().length) {
          self.links()[0].focus();
          e.preventDefault();
        }
      });
    list.addEventListener('keydown', function (e) {
      var links = Array.prototype.slice.call(self.links());
      var k = links.indexOf(document.activeElement);
      if (k < 0) return;
      if (e.key === 'ArrowDown' || e.key === 'Down') {
        if (k + 1 < links.length) links[k + 1].focus();
        e.preventDefault();
      } else if (e.key === 'ArrowUp' || e.key === 'Up') {
        if (k > 0) links[k - 1].focus();
        else if (self.input) self.input.focus();
        e.preventDefault();
      } else if (e.key === 'Escape' || e.key === 'Esc') {
        if (self.input) self.input.focus();
        e.preventDefault();
      }
    });
  }

  ResultsPage.prototype.links = function () {
    return this.list.querySelectorAll('a[data-search-result]');
  };

  ResultsPage.prototype.fillSelect = function (sel, values, label, chosen) {
    if (!sel) return;
    values.forEach(function (v) {
      var o = el('option', null, label(v));
      o.value = String(v);
      sel.appendChild(o);
    });
    if (chosen) sel.value = chosen;
  };

  ResultsPage.prototype.setStatus = function (text) {
    if (this.status) this.status.textContent = text;
  };

  // `value` if it is one of `values` (as the select of them would take
  // it), else '' (the select's "all").
  function offered(values, value) {
    if (!value) return '';
    for (var i = 0; i < values.length; i++) if (String(values[i]) === value) return value;
    return '';
  }

  // Runs the query in the box, filtered by the selects, or by `filters`
  // ({year, department}) while the selects are not filled yet.
  ResultsPage.prototype.run = function (updateUrl, filters) {
    var self = this;
    var q = this.input ? this.input.value : '';
    var year = filters ? filters.year : this.year ? this.year.value : '';
    var department = filters ? filters.department : this.department ? this.department.value : '';
    var seq = ++this.seq;
    if (updateUrl) {
      try {
        var url = q || year || department ? searchPageUrl(q, year, department).replace(siteRoot(), '') : 'search.html';
        window.history.replaceState(null, '', url);
      } catch (e) {
        /* some browsers refuse history changes on file:// */
      }
    }
    document.title = q.trim() ? q.trim() + ' - ' + this.baseTitle : this.baseTitle;
    this.list.textContent = '';
    if (this.moreButton) this.moreButton.hidden = true;
    if (!queryParts(q).length) {
      this.search = null;
      this.setStatus(q.trim() ? '該当なし' : '検索語を入力してください');
      return;
    }
    this.setStatus('検索中…');
    var s = (this.search = new Search(q, { year: year, department: department }));
    s.prepare()
      .then(function () {
        return s.more(PAGE_SIZE);
      })
      .then(function (results) {
        if (seq === self.seq) self.append(results, s);
      })
      .catch(function () {
        if (seq === self.seq) self.setStatus(ERROR_TEXT);
      });
  };

  ResultsPage.prototype.showMore = function () {
    var self = this;
    var s = this.search;
    if (!s) return;
    var seq = this.seq;
    var first = this.links().length;
    s.more(PAGE_SIZE).then(function (results) {
      if (seq !== self.seq) return;
      self.append(results, s);
      var links = self.links();
      if (links[first]) links[first].focus();
    });
  };

  ResultsPage.prototype.append = function (results, s) {
    var root = siteRoot();
    var list = this.list;
    results.forEach(function (r) {
      var li = el('li', 'search-result');
      var a = el('a', 'search-result-label', r.label);
      a.href = root + r.url;
      a.setAttribute('data-search-result', '');
      li.appendChild(a);
      li.appendChild(el('span', 'search-result-title', r.title));
      if (r.heading) li.appendChild(el('span', 'search-result-heading', r.heading));
      var p = el('p', 'search-result-snippet');
      p.innerHTML = r.snippet;
      li.appendChild(p);
      list.appendChild(li);
    });
    var total = s.total();
    this.setStatus(countLabel(total));
    if (this.moreButton) this.moreButton.hidden = s.done();
  };

  /* ------------------------------------------------------------------ */
  /* Start                                                                */

  function start() {
    var forms = document.querySelectorAll('form.hoshin-search');
    for (var i = 0; i < forms.length; i++) new HeaderBox(forms[i]);
    var list = document.getElementById('search-results');
    if (list) hoshin.page = new ResultsPage(list);
    document.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      var t = e.target;
      var tag = t && t.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (t && t.isContentEditable)) return;
      var box = document.getElementById('search-q') || document.querySelector('form.hoshin-search input[name="q"]');
      if (box) {
        e.preventDefault();
        box.focus();
        box.select();
      }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
