//! The files of the index, all plain scripts that call the global
//! `hoshinSearchShard(kind, number, data)` so they load with a `<script>`
//! element over `file://` as well as `http://`.
//!
//! - `search/meta.js` (`"m"`): record count, bucket count, cap, ranking
//!   constants, the years and departments for the filters, and the stamp
//!   that a delta names to say which index it applies to.
//! - `search/groups.js` (`"g"`): `[record, year, department, …]`, the
//!   record number where each (year, department) group starts with the
//!   indices of its year and department in `meta.js`'s lists. Only a
//!   filtered search loads it.
//! - `search/delta.js` (`"x"`): the documents changed since the full build
//!   (see [`delta`](super::delta)); `null` in a full build.
//! - `search/p/<b>.js` (`"p"`): bucket `b` = FNV-1a of the term's UTF-16
//!   code units modulo the bucket count; an object
//!   `{term: [df, postings]}` where `postings` is the compact string
//!   (see [`encode`](super::encode)), or `{term: [df, n, i]}` for a long
//!   list: the `i`-th list of pack `n`.
//! - `search/t/<n / 1024>/<n % 1024>.js` (`"t"`): pack `n` of long posting
//!   lists, `[postings…]`, of [`PACK_MIN`] to [`PACK_TARGET`] bytes,
//!   deflated and base64-encoded in one string as the display shards are
//!   (the digits of a list shrink by a fifth to a third, which a query
//!   pays for each long list it reads).
//! - `search/d/<s / 1024>/<s % 1024>.js` (`"d"`): display data of records `s·512 …
//!   s·512+511`, deflated (zlib) and base64-encoded in one string, which
//!   `search.js` inflates with the browser's `DecompressionStream`: the
//!   text of Japanese policies shrinks about threefold, and large shards
//!   mean a few thousand files instead of tens of thousands. Inflated, it
//!   is `{d: [[doc, title, page]…], s: [strings…], r: [[slot, doc, id,
//!   label prefix, label rest, heading, text]…]}` where the label is
//!   `s[prefix] + rest`, the heading `s[heading]` (-1: none) and the url
//!   `page#id` (the page, for a preamble's record, whose id is null).
//!
//! Record numbers are virtual: record `r` sits in display shard `r >> 9`,
//! slot `r & 511`, and a shard is closed early once it holds about
//! [`DISPLAY_TARGET`] bytes of text; records are in index order (year,
//! department, document), so one document's records share a shard.

use super::encode::push_js_string;
use super::index::{TermList, K1, MAX_PREFIX};
use std::borrow::Cow;

use super::{OutputFile, RecordRef, Records, Sink};
use rayon::prelude::*;

/// Records per display shard, as a shift: slot = record & 511.
pub const DISPLAY_SHIFT: u32 = 9;
/// Close a display shard once its records' text reaches this many bytes
/// (before compression).
pub const DISPLAY_TARGET: usize = 80 * 1024;
/// Deflate level of the display shards (libdeflate's levels). Level 2
/// leaves 19.5 % of the JSON, less than zlib-rs's 3 (19.7 %) in 17 % less
/// time; 9 leaves 17.1 % in nearly three times the time
/// (`examples/deflate_levels.rs`; BENCHMARKS.md, issue 11, ninth round).
const DISPLAY_LEVEL: i32 = 2;
/// Deflate level of the packs of long lists: their digits shrink to
/// 56–59 % at level 1 (two samples of 300 packs), and by half a point more
/// at any level above it, in 40 % more time.
const PACK_LEVEL: i32 = 1;
/// Posting lists longer than this (in bytes) are kept out of the buckets,
/// in packs of long lists.
pub const INLINE_MAX: usize = 400;
/// Long lists are packed into files of at most this many bytes (a list
/// longer than this has a file of its own): a term costs its bucket and
/// its pack, and a large site has several hundred packs instead of
/// thousands of single lists.
pub const PACK_TARGET: usize = 56 * 1024;
/// Packs are at least this large (unless the site's long lists are fewer).
pub const PACK_MIN: usize = 8 * 1024;
/// How many packs a site's long lists aim for: at 5,000 policies (46 MB of
/// long lists) they are PACK_TARGET each, on a small site PACK_MIN.
const PACKS: usize = 700;
/// Aim for buckets of about this many bytes.
pub const BUCKET_TARGET: usize = 3 * 1024;
/// Files per folder under `search/t/` and `search/d/` (file shares slow
/// down on huge folders).
const FOLDER: usize = 1024;

/// Record numbers for `records` taken in `order` (see the module docs).
pub(crate) fn assign_vids<R: Records + ?Sized>(records: &R, order: &[usize]) -> Vec<u32> {
    let mut out = Vec::with_capacity(order.len());
    let (mut shard, mut slot, mut bytes) = (0u32, 0u32, 0usize);
    for &i in order {
        let r = records.get(i);
        // Shared strings (heading, label prefix, title) are written once per
        // shard; count a share of them.
        let size = records.text_len(i) + r.citation.len() + r.id.map_or(0, str::len) + 24;
        if slot > 0 && (slot == 1 << DISPLAY_SHIFT || bytes + size > DISPLAY_TARGET) {
            shard += 1;
            slot = 0;
            bytes = 0;
        }
        out.push(shard << DISPLAY_SHIFT | slot);
        slot += 1;
        bytes += size;
    }
    out
}

/// 32-bit FNV-1a over UTF-16 code units, as `search.js` computes it.
pub fn bucket_hash(key: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for u in key.encode_utf16() {
        h ^= u32::from(u);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn nested(dir: &str, n: usize) -> String {
    format!("search/{dir}/{}/{}.js", n / FOLDER, n % FOLDER)
}

/// Writes the posting buckets and the long lists; returns the bucket count.
pub(crate) fn write_postings(mut terms: Vec<TermList>, sink: Sink<'_>) -> usize {
    terms.par_sort_unstable_by(|a, b| a.key.cmp(&b.key));
    let inline: usize = terms
        .iter()
        .filter(|t| t.encoded.len() <= INLINE_MAX)
        .map(|t| t.key.len() + t.encoded.len() + 12)
        .sum();
    let buckets = inline.div_ceil(BUCKET_TARGET).max(1).next_power_of_two();
    let mut contents: Vec<Vec<u8>> = (0..buckets)
        .map(|b| format!("hoshinSearchShard(\"p\",{b},{{").into_bytes())
        .collect();
    // Long lists are packed, in key order, into files sized for the site:
    // about PACKS of them, each of PACK_MIN to PACK_TARGET bytes, so that a
    // small site's terms do not each cost a large pack.
    let long_bytes: usize = terms
        .iter()
        .filter(|t| t.encoded.len() > INLINE_MAX)
        .map(|t| t.encoded.len() + 3)
        .sum();
    let pack_target = (long_bytes / PACKS).clamp(PACK_MIN, PACK_TARGET);
    let mut packs: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut pack_bytes = 0usize;
    for t in terms {
        let e = t.encoded;
        let out = &mut contents[bucket_hash(&t.key) as usize & (buckets - 1)];
        if out.last() != Some(&b'{') {
            out.push(b',');
        }
        push_js_string(out, &t.key);
        out.extend_from_slice(format!(":[{},", t.df).as_bytes());
        if e.len() <= INLINE_MAX {
            out.push(b'"');
            out.extend_from_slice(&e);
            out.push(b'"');
        } else {
            // Each list costs its quotes and a comma too.
            if packs.is_empty() || pack_bytes + e.len() + 3 > pack_target {
                packs.push(Vec::new());
                pack_bytes = 0;
            }
            pack_bytes += e.len() + 3;
            let pack = packs.len() - 1;
            let lists = &mut packs[pack];
            out.extend_from_slice(format!("{pack},{}", lists.len()).as_bytes());
            lists.push(e);
        }
        out.push(b']');
    }
    for (b, mut bytes) in contents.into_iter().enumerate() {
        bytes.extend_from_slice(b"});\n");
        sink(OutputFile {
            path: format!("search/p/{b}.js"),
            bytes,
        });
    }
    packs.into_par_iter().enumerate().for_each(|(n, lists)| {
        let size: usize = lists.iter().map(|l| l.len() + 3).sum();
        let mut array = Vec::with_capacity(size + 2);
        array.push(b'[');
        for (i, e) in lists.iter().enumerate() {
            if i > 0 {
                array.push(b',');
            }
            array.push(b'"');
            array.extend_from_slice(e);
            array.push(b'"');
        }
        array.push(b']');
        drop(lists);
        sink(deflated_shard("t", n, &array, PACK_LEVEL));
    });
    buckets
}

/// A shard whose data is `json` deflated (zlib) at `level` and
/// base64-encoded in one string: `hoshinSearchShard(kind, n, "…")`.
fn deflated_shard(kind: &str, n: usize, json: &[u8], level: i32) -> OutputFile {
    let deflated = zlib(json, level);
    let mut bytes = Vec::with_capacity(deflated.len() * 4 / 3 + 40);
    bytes.extend_from_slice(b"hoshinSearchShard(\"");
    bytes.extend_from_slice(kind.as_bytes());
    bytes.extend_from_slice(b"\",");
    push_num(&mut bytes, n as i64);
    bytes.extend_from_slice(b",\"");
    push_base64(&mut bytes, &deflated);
    bytes.extend_from_slice(b"\");\n");
    OutputFile {
        path: nested(kind, n),
        bytes,
    }
}

/// Index of `s` in a shard's string table, adding it when new. A shard
/// holds at most a few dozen strings: a scan beats hashing them.
fn intern<'a>(table: &mut Vec<&'a str>, s: &'a str) -> usize {
    match table.iter().position(|t| t.len() == s.len() && *t == s) {
        Some(i) => i,
        None => {
            table.push(s);
            table.len() - 1
        }
    }
}

/// Appends the decimal digits of `n`.
pub(crate) fn push_num(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[at..]);
}

/// The display data of `items`, (slot, record) in order:
/// `{"d":[[doc, title, page]…],"s":[strings…],"r":[[slot, doc, id, label
/// prefix, label rest, heading, text]…]}` (see the module docs).
pub(crate) fn display_object(items: &[(u32, RecordRef, Cow<str>)]) -> Vec<u8> {
    let mut docs: Vec<(&str, &str, &str)> = Vec::new();
    let mut strings: Vec<&str> = Vec::new();
    let text: usize = items.iter().map(|(_, _, text)| text.len() + 64).sum();
    let mut recs = Vec::with_capacity(text);
    for (n, (slot, r, text)) in items.iter().enumerate() {
        let (slot, r) = (*slot, *r);
        let doc = (r.doc, r.title, r.page);
        let d = docs.iter().position(|x| *x == doc).unwrap_or_else(|| {
            docs.push(doc);
            docs.len() - 1
        });
        let (prefix, rest) = (r.label_head, r.citation);
        let label = intern(&mut strings, prefix);
        let heading = if r.heading_path.is_empty() {
            -1
        } else {
            intern(&mut strings, r.heading_path) as i64
        };
        recs.extend_from_slice(if n == 0 { b"[[" } else { b",[" });
        push_num(&mut recs, i64::from(slot));
        recs.push(b',');
        push_num(&mut recs, d as i64);
        recs.push(b',');
        match r.id {
            Some(id) => push_js_string(&mut recs, id),
            None => recs.extend_from_slice(b"null"),
        }
        recs.push(b',');
        push_num(&mut recs, label as i64);
        recs.push(b',');
        push_js_string(&mut recs, rest);
        recs.push(b',');
        push_num(&mut recs, heading);
        recs.push(b',');
        push_js_string(&mut recs, text);
        recs.push(b']');
    }
    if items.is_empty() {
        recs.push(b'[');
    }
    let mut bytes = Vec::with_capacity(recs.len() + 512);
    bytes.extend_from_slice(b"{\"d\":[");
    for (n, (doc, title, page)) in docs.iter().enumerate() {
        bytes.extend_from_slice(if n == 0 { b"[" } else { b",[" });
        push_js_string(&mut bytes, doc);
        bytes.push(b',');
        push_js_string(&mut bytes, title);
        bytes.push(b',');
        push_js_string(&mut bytes, page);
        bytes.push(b']');
    }
    bytes.extend_from_slice(b"],\"s\":[");
    for (n, s) in strings.iter().enumerate() {
        if n > 0 {
            bytes.push(b',');
        }
        push_js_string(&mut bytes, s);
    }
    bytes.extend_from_slice(b"],\"r\":");
    bytes.extend_from_slice(&recs);
    bytes.extend_from_slice(b"]}");
    bytes
}

/// One display shard: `items` are (slot, record) in order.
fn display_shard(shard: usize, items: &[(u32, RecordRef, Cow<str>)]) -> OutputFile {
    deflated_shard("d", shard, &display_object(items), DISPLAY_LEVEL)
}

/// `data` in the zlib format at `level`, with libdeflate: a shard is
/// deflated whole, which is what libdeflate is made for (no streaming
/// state). Against flate2's zlib-rs backend at level 3: display shards as
/// small in a sixth less time, packs 1 % larger in 40 % less.
fn zlib(data: &[u8], level: i32) -> Vec<u8> {
    let level = libdeflater::CompressionLvl::new(level).unwrap_or_default();
    let mut compressor = libdeflater::Compressor::new(level);
    let mut out = vec![0u8; compressor.zlib_compress_bound(data.len())];
    // The buffer is the bound libdeflate gives: compressing cannot fail.
    let len = compressor.zlib_compress(data, &mut out).unwrap_or(0);
    out.truncate(len);
    out
}

/// Appends `data` in standard base64 (the alphabet of the browser's `atob`).
fn push_base64(out: &mut Vec<u8>, data: &[u8]) {
    use base64::Engine as _;
    let at = out.len();
    out.resize(at + data.len().div_ceil(3) * 4, 0);
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(data, &mut out[at..])
        .unwrap_or(0);
    out.truncate(at + written);
}

/// The display data of a `search/d/` shard's bytes, inflated (for tests
/// and tools); `None` if they are not a display shard.
pub fn display_data(bytes: &[u8]) -> Option<Vec<u8>> {
    inflated_data("d", bytes)
}

/// The JSON of a deflated shard of `kind` (`"d"` display, `"t"` pack of
/// long lists), inflated (for tests and tools); `None` if `bytes` are not
/// one.
pub fn inflated_data(kind: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let s = std::str::from_utf8(bytes).ok()?;
    let body = s
        .strip_prefix("hoshinSearchShard(\"")?
        .strip_prefix(kind)?
        .strip_prefix("\",")?;
    let (_, rest) = body.split_once(",\"")?;
    let b64 = rest.trim_end().strip_suffix("\");")?;
    let deflated = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    miniz_oxide::inflate::decompress_to_vec_zlib(&deflated).ok()
}

/// Writes the display shards.
///
/// Each shard's records are gathered only when it is written: the
/// shards are found as runs of `vids` (positions in `order`).
pub(crate) fn write_display<R: Records + ?Sized>(
    records: &R,
    order: &[usize],
    vids: &[u32],
    sink: Sink<'_>,
) {
    let mut runs: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for (k, &vid) in vids.iter().enumerate().take(order.len()) {
        let shard = (vid >> DISPLAY_SHIFT) as usize;
        match runs.last_mut() {
            Some((s, run)) if *s == shard => run.end = k + 1,
            _ => runs.push((shard, k..k + 1)),
        }
    }
    runs.par_iter().for_each(|(shard, run)| {
        let items: Vec<(u32, RecordRef, Cow<str>)> = run
            .clone()
            .map(|k| {
                let slot = vids[k] & ((1 << DISPLAY_SHIFT) - 1);
                (slot, records.get(order[k]), records.text(order[k]))
            })
            .collect();
        sink(display_shard(*shard, &items));
    });
}

/// Writes `search/meta.js`.
pub(crate) fn write_meta<R: Records + ?Sized>(
    records: &R,
    order: &[usize],
    vids: &[u32],
    buckets: usize,
    cap: usize,
    stamp: &str,
    sink: Sink<'_>,
) {
    // Records are ordered by year, then department: the filters only need
    // where each group starts.
    let mut starts: Vec<(u32, RecordRef)> = Vec::new();
    for (&i, &vid) in order.iter().zip(vids) {
        let r = records.get(i);
        if starts
            .last()
            .is_none_or(|(_, l)| (l.year, l.department) != (r.year, r.department))
        {
            starts.push((vid, r));
        }
    }
    let mut years: Vec<i32> = starts.iter().map(|(_, r)| r.year).collect();
    years.sort_unstable();
    years.dedup();
    let mut departments: Vec<&str> = starts.iter().map(|(_, r)| r.department).collect();
    departments.sort_unstable();
    departments.dedup();
    let mut groups: Vec<u64> = Vec::with_capacity(starts.len() * 3);
    for &(vid, r) in &starts {
        groups.push(u64::from(vid));
        groups.push(years.binary_search(&r.year).unwrap_or(0) as u64);
        groups.push(departments.binary_search(&r.department).unwrap_or(0) as u64);
    }
    let meta = serde_json::json!({
        "v": 1,
        "stamp": stamp,
        "records": records.count(),
        "buckets": buckets,
        "cap": cap,
        "k1": K1,
        "qmax": super::encode::QMAX,
        "dshift": DISPLAY_SHIFT,
        "folder": FOLDER,
        "maxPrefix": MAX_PREFIX,
        "years": years,
        "departments": departments,
    });
    let mut bytes = b"hoshinSearchShard(\"m\",0,".to_vec();
    bytes.extend_from_slice(meta.to_string().as_bytes());
    bytes.extend_from_slice(b");\n");
    sink(OutputFile {
        path: META_PATH.into(),
        bytes,
    });
    // Only a filtered search needs the groups: on a large site they are
    // most of what meta.js would weigh (5,000 groups, 60 KB), which every
    // query would pay.
    let mut bytes = b"hoshinSearchShard(\"g\",0,[".to_vec();
    for (n, g) in groups.iter().enumerate() {
        if n > 0 {
            bytes.push(b',');
        }
        push_num(&mut bytes, *g as i64);
    }
    bytes.extend_from_slice(b"]);\n");
    sink(OutputFile {
        path: GROUPS_PATH.into(),
        bytes,
    });
}

/// What every query loads first: the record count, ranking constants and
/// the filters' lists.
pub const META_PATH: &str = "search/meta.js";

/// The (year, department) groups of the main index, loaded by filtered
/// searches only.
pub const GROUPS_PATH: &str = "search/groups.js";
