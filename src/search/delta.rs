//! The delta overlay: the documents changed since the last full build,
//! indexed on their own, so that a rebuild while the author edits costs a
//! few milliseconds instead of a full index (seconds on a large site).
//!
//! `search/delta.js` is one script, `hoshinSearchShard("x", 0, data)`, that
//! `search.js` loads with `meta.js`. `data` is `null` for the empty delta
//! (what every full build writes), else:
//!
//! - `main`: the stamp of the index it applies to (`meta.js` `stamp`); a
//!   page that has a newer or older main index ignores it.
//! - `tomb`: record number ranges `[first, last, …]` (inclusive) of the
//!   main index hidden from results: every record of each document changed
//!   or removed since the full build.
//! - `base`, `n`: the delta's records are numbered `base … base+n-1`, above
//!   every main record number.
//! - `p`: `{term: [df, postings]}` as in the buckets, over the delta's own
//!   records numbered from 0 (add `base`), with impacts from the main
//!   index's average length; never capped and never in files of their own.
//! - `d`: their display data, as a display shard with slot = number − base.
//! - `groups`: `[k, year, department, …]` where the delta's records `k…`
//!   start each (year, department) group, for the filters.
//! - `order`: for each delta record, where it would stand among the main
//!   records, so that equal scores rank as in a full build.
//! - `years`, `departments`: the filter lists after the change.
//!
//! `search.js` merges the two: main candidates minus `tomb`, plus delta
//! candidates, scored together (a term's df is the sum of both).

use super::encode::push_js_string;
use std::borrow::Cow;

use super::shard::{display_object, push_num, DISPLAY_SHIFT};
use super::{index, index_order, OutputFile, RecordRef, Records, SearchRecord};
use std::collections::HashMap;

/// Where the delta is written (relative to the output root).
pub const DELTA_PATH: &str = "search/delta.js";

/// The empty delta, written by every full build.
pub(crate) fn empty_delta() -> OutputFile {
    OutputFile {
        path: DELTA_PATH.into(),
        bytes: b"hoshinSearchShard(\"x\",0,null);\n".to_vec(),
    }
}

/// One document's run of records in the main index.
#[derive(Debug, Clone)]
struct Span {
    year: i32,
    department: String,
    doc: String,
    first: u32,
    last: u32,
}

/// What a full index build knows about where each document's records went:
/// the record numbers of each document, the collection statistics the
/// delta ranks with, and the filter lists. About 100 bytes per document.
#[derive(Debug, Clone, Default)]
pub struct IndexState {
    /// Documents' runs, in index order, i.e. sorted by (year, department, doc).
    spans: Vec<Span>,
    /// Document key → its runs in `spans` (one unless its records disagree
    /// on year or department).
    by_doc: HashMap<String, Vec<usize>>,
    /// First record number above the main index's.
    base: u32,
    /// Average normalised text length of the main index's records.
    avglen: f64,
    /// Runs per year and per department, for the filter lists.
    years: Vec<(i32, usize)>,
    departments: Vec<(String, usize)>,
    /// Identifies the main index (its `meta.js` carries it too).
    pub(crate) stamp: String,
}

impl IndexState {
    /// The state of the index of `records`, taken in `order` and numbered
    /// `vids`, whose impacts used `avglen`.
    pub(crate) fn new<R: Records + ?Sized>(
        records: &R,
        order: &[usize],
        vids: &[u32],
        avglen: f64,
    ) -> Self {
        let mut spans: Vec<Span> = Vec::new();
        for (&i, &vid) in order.iter().zip(vids) {
            let r = records.get(i);
            match spans.last_mut() {
                Some(s) if s.doc == r.doc && s.year == r.year && s.department == r.department => {
                    s.last = vid;
                }
                _ => spans.push(Span {
                    year: r.year,
                    department: r.department.to_string(),
                    doc: r.doc.to_string(),
                    first: vid,
                    last: vid,
                }),
            }
        }
        let mut by_doc: HashMap<String, Vec<usize>> = HashMap::with_capacity(spans.len());
        for (k, s) in spans.iter().enumerate() {
            by_doc.entry(s.doc.clone()).or_default().push(k);
        }
        // Delta records start at the next display shard: no main shard
        // number is ever shared.
        let base = vids
            .last()
            .map_or(0, |&v| ((v >> DISPLAY_SHIFT) + 1) << DISPLAY_SHIFT);
        // FNV-1a over what the delta relies on: which records each document
        // has, and where the delta's own numbers start.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        for s in &spans {
            eat(s.doc.as_bytes());
            eat(&[0xff]);
            eat(&s.first.to_le_bytes());
            eat(&s.last.to_le_bytes());
        }
        eat(&base.to_le_bytes());
        eat(&(records.count() as u64).to_le_bytes());
        let mut years: HashMap<i32, usize> = HashMap::new();
        let mut departments: HashMap<&str, usize> = HashMap::new();
        for s in &spans {
            *years.entry(s.year).or_default() += 1;
            *departments.entry(&s.department).or_default() += 1;
        }
        let years = years.into_iter().collect();
        let departments = departments
            .into_iter()
            .map(|(d, n)| (d.to_string(), n))
            .collect();
        IndexState {
            stamp: format!("{h:016x}"),
            spans,
            by_doc,
            base,
            avglen,
            years,
            departments,
        }
    }

    /// Number of documents (with at least one record) in the main index.
    pub fn documents(&self) -> usize {
        self.by_doc.len()
    }
}

/// The overlay for documents changed since the full build that `state`
/// describes: `changed` holds the current records of every document (by
/// key) added or edited since then (the whole set, not just the latest
/// edit), `removed` the keys of documents deleted since then. Returns the
/// files to write: `search/delta.js`, superseding the previous delta. An
/// empty change gives the empty delta, as does a change that touches no
/// record.
///
/// A key given twice in `changed` counts once, with its last records; a key
/// both changed and removed counts as changed. Costs time proportional to
/// the changed documents' records, whatever the size of the site (about
/// 1.5 ms for a policy of 60 directives), and about 1.5 KB per record in
/// `delta.js`, which every search loads: after a large change (hundreds of
/// documents), build the full index instead.
pub fn build_delta(
    state: &IndexState,
    changed: &[(String, Vec<SearchRecord>)],
    removed: &[String],
) -> Vec<OutputFile> {
    let mut latest: HashMap<&str, &[SearchRecord]> = HashMap::new();
    for (key, records) in changed {
        latest.insert(key.as_str(), records);
    }
    let mut touched: Vec<&str> = latest.keys().copied().collect();
    touched.extend(removed.iter().map(String::as_str));
    touched.sort_unstable();
    touched.dedup();
    // Hide every main record of a touched document.
    let mut hidden: Vec<usize> = touched
        .iter()
        .filter_map(|key| state.by_doc.get(*key))
        .flatten()
        .copied()
        .collect();
    hidden.sort_unstable();
    let mut tomb: Vec<(u32, u32)> = Vec::new();
    for &k in &hidden {
        let s = &state.spans[k];
        match tomb.last_mut() {
            Some(t) if t.1.saturating_add(1) >= s.first => t.1 = t.1.max(s.last),
            _ => tomb.push((s.first, s.last)),
        }
    }
    // The changed documents' records, in the order of `changed`; only the
    // last entry of a key counts.
    let records: Vec<SearchRecord> = changed
        .iter()
        .filter(|(key, records)| std::ptr::eq(latest[key.as_str()], records.as_slice()))
        .flat_map(|(_, records)| records.iter().cloned())
        .collect();
    if tomb.is_empty() && records.is_empty() {
        return vec![empty_delta()];
    }
    let order = index_order(records.as_slice());
    // Postings count from 0 (the browser adds `base`): shorter numbers.
    let vids: Vec<u32> = (0..records.len() as u32).collect();
    let normed = index::normalize_records(records.as_slice(), &order, records.len());
    let mut terms = index::build_postings(normed, &vids, usize::MAX, state.avglen);
    terms.sort_unstable_by(|a, b| a.key.cmp(&b.key));

    let mut out = b"hoshinSearchShard(\"x\",0,{\"v\":1,\"main\":".to_vec();
    push_js_string(&mut out, &state.stamp);
    out.extend_from_slice(b",\"base\":");
    push_num(&mut out, i64::from(state.base));
    out.extend_from_slice(b",\"n\":");
    push_num(&mut out, records.len() as i64);
    out.extend_from_slice(b",\"tomb\":");
    push_nums(
        &mut out,
        tomb.iter().flat_map(|&(a, b)| [a, b]).map(i64::from),
    );
    let (years, departments) = filter_lists(state, &hidden, &records);
    out.extend_from_slice(b",\"years\":");
    push_nums(&mut out, years.into_iter().map(i64::from));
    out.extend_from_slice(b",\"departments\":[");
    for (n, d) in departments.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_js_string(&mut out, d);
    }
    out.extend_from_slice(b"],\"groups\":[");
    let mut last: Option<(i32, &str)> = None;
    for (k, &i) in order.iter().enumerate() {
        let r = &records[i];
        if last != Some((r.year, &*r.department)) {
            if last.is_some() {
                out.push(b',');
            }
            last = Some((r.year, &*r.department));
            push_num(&mut out, k as i64);
            out.push(b',');
            push_num(&mut out, i64::from(r.year));
            out.push(b',');
            push_js_string(&mut out, &r.department);
        }
    }
    out.extend_from_slice(b"],\"order\":");
    let positions = tie_order(state, &records, &order);
    out.extend_from_slice(
        serde_json::to_string(&positions)
            .unwrap_or_default()
            .as_bytes(),
    );
    out.extend_from_slice(b",\"p\":{");
    for (n, t) in terms.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_js_string(&mut out, &t.key);
        out.extend_from_slice(b":[");
        push_num(&mut out, i64::from(t.df));
        out.extend_from_slice(b",\"");
        out.extend_from_slice(&t.encoded);
        out.extend_from_slice(b"\"]");
    }
    out.extend_from_slice(b"},\"d\":");
    let items: Vec<(u32, RecordRef, Cow<str>)> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            (
                k as u32,
                records[i].as_ref(),
                Cow::Borrowed(&*records[i].text),
            )
        })
        .collect();
    out.extend_from_slice(&display_object(&items));
    out.extend_from_slice(b"});\n");
    vec![OutputFile {
        path: DELTA_PATH.into(),
        bytes: out,
    }]
}

/// Appends a JSON array of numbers.
fn push_nums(out: &mut Vec<u8>, nums: impl Iterator<Item = i64>) {
    out.push(b'[');
    for (n, v) in nums.enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_num(out, v);
    }
    out.push(b']');
}

/// The years and departments of the site after the change: those of the
/// main documents not `hidden`, and those of the delta's `records`.
fn filter_lists(
    state: &IndexState,
    hidden: &[usize],
    records: &[SearchRecord],
) -> (Vec<i32>, Vec<String>) {
    // Count, per year and department, the main runs that remain, from the
    // hidden ones only: a year survives unless all its runs are hidden.
    let mut year_hidden: HashMap<i32, usize> = HashMap::new();
    let mut dept_hidden: HashMap<&str, usize> = HashMap::new();
    for &k in hidden {
        let s = &state.spans[k];
        *year_hidden.entry(s.year).or_default() += 1;
        *dept_hidden.entry(&s.department).or_default() += 1;
    }
    let mut years: Vec<i32> = records.iter().map(|r| r.year).collect();
    let mut departments: Vec<&str> = records.iter().map(|r| &*r.department).collect();
    for &(year, count) in &state.years {
        if count > year_hidden.get(&year).copied().unwrap_or(0) {
            years.push(year);
        }
    }
    for (department, count) in &state.departments {
        if *count > dept_hidden.get(department.as_str()).copied().unwrap_or(0) {
            departments.push(department);
        }
    }
    years.sort_unstable();
    years.dedup();
    departments.sort_unstable();
    departments.dedup();
    (years, departments.into_iter().map(String::from).collect())
}

/// For each delta record in `order`, a number between the record numbers
/// of the main records it would stand between in a full build, which sorts
/// records by year, department, document and position in the document.
fn tie_order(state: &IndexState, records: &[SearchRecord], order: &[usize]) -> Vec<f64> {
    let anchors: Vec<u32> = order
        .iter()
        .map(|&i| {
            let r = &records[i];
            let key = (r.year, &*r.department, &*r.doc);
            let at = state
                .spans
                .partition_point(|s| (s.year, s.department.as_str(), s.doc.as_str()) <= key);
            state.spans.get(at).map_or(state.base, |s| s.first)
        })
        .collect();
    // Records with the same anchor share the gap below it, in order.
    let mut out = Vec::with_capacity(order.len());
    let mut k = 0;
    while k < anchors.len() {
        let end = k + anchors[k..].partition_point(|&a| a == anchors[k]);
        let m = (end - k) as f64;
        for j in 0..end - k {
            out.push(f64::from(anchors[k]) - 1.0 + (j as f64 + 1.0) / (m + 1.0));
        }
        k = end;
    }
    out
}
