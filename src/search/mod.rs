//! Client-side search index (SPEC §6).
//!
//! [`build_index`] turns one [`SearchRecord`] per directive and per document
//! preamble ([`write_index`]: any [`Records`], such as records made from
//! the documents as the index reads them) into script files under `search/` that
//! `themes/default/static/search.js` loads on demand with `<script>`
//! elements, so the site searches over `file://` and `http://` alike with no
//! fetch, module, worker or WASM.
//!
//! - Normalisation ([`normalize`](normalize::normalize)): NFKC, lower case
//!   per code point, and whitespace: dropped next to a CJK character (a soft
//!   line break or a PDF space inside Japanese never splits a phrase), one
//!   space between other characters (`line account`).
//! - Tokens ([`tokenize`](tokenize::tokenize)): CJK bigrams, a unigram for a
//!   CJK run of one character, whole words (letters and numbers). The index
//!   also files every CJK character on its own (so a one-character query
//!   finds it anywhere, not only where it stands alone), every word prefix
//!   up to 16 characters (so words are prefix-matched), and each citation
//!   whole (`§1.(3)6`, so a citation is found however common its numbers).
//!   `tests/search_vectors.json` pins both languages to the same output.
//! - Query: split at whitespace into parts that must all match (AND);
//!   within a part the characters must stand together. Candidates are the
//!   records in every posting list of the query's uncapped terms; each
//!   result is then checked against its normalised label, heading path and
//!   text, in rank order and only as far as results are shown, so
//!   `人材育成` never matches `人材の育成` and a word matches only from its
//!   start.
//! - Ranking: BM25F ([`index`]) over text (length-normalised), heading path
//!   (×0.8) and label with the citation (×3); a directive that is itself a
//!   heading counts its text as heading too, so it comes before the
//!   children that inherit it. A query that equals a citation puts those
//!   directives first. Impacts are precomputed per posting; the browser
//!   adds IDF.
//! - Files ([`shard`]): `meta.js` (a few KB: what every query needs);
//!   `groups.js`, where each (year, department) group starts, for filtered
//!   searches only; posting buckets chosen by hash, about 3 KB each; long
//!   lists in packs sized for the site (8 KB on a small one, 56 KB of
//!   digits at 5,000 policies), deflated; display data (label, title,
//!   heading path, text, url) in shards of up to 512 records and about
//!   80 KB of text, deflated (zlib, libdeflate) and
//!   base64-encoded (the browser inflates them with
//!   `DecompressionStream`). A query costs its buckets, its long lists'
//!   packs and one display shard per shard its results fall in; the
//!   browser orders equal scores so that a page of ties falls in few
//!   shards (see `BENCHMARKS.md` for why a two-tier preview/full-text
//!   split does not pay under the file budget). Lists of terms held by more than
//!   [`POSTINGS_CAP`] records keep the records of highest impact: a query
//!   with any rarer term never loads them (the text check covers them), and
//!   a query made only of such terms ranks within them (its count is then
//!   shown as about n).
//! - Changes between full builds ([`delta`]): [`build_index_with_state`]
//!   also returns an [`IndexState`] (where each document's records went);
//!   [`build_delta`] then writes `search/delta.js`, which hides the main
//!   records of the documents changed or removed since and carries a small
//!   index of their current records, in milliseconds. A full build writes
//!   it empty; `search.js` always loads it and ranks both together.
//!
//! The index is written through a [`Sink`] as it is made ([`write_index`]),
//! so it never sits in memory whole. On the generated 5,000-document site
//! (297,000 records) it is about 2,300 files and 58 MB instead of 42,000
//! files and 165 MB; a typical query loads 75–225 KB (`BENCHMARKS.md`).
//!
//! This module depends only on std, serde, serde_json, rayon,
//! unicode-normalization, libdeflate, miniz_oxide (inflating, for tests and
//! tools) and base64, and on no other module of the crate.

pub mod delta;
pub mod encode;
mod fold;
pub mod index;
pub mod normalize;
pub mod shard;
pub mod tokenize;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use delta::{build_delta, IndexState, DELTA_PATH};
pub use normalize::normalize;
pub use shard::META_PATH;
pub use tokenize::{query_parts, tokenize};

/// The index files that `search.html` names after `search.js`: every query
/// needs them before its terms, and loaded with the page they are there by
/// `DOMContentLoaded`, a round of loads (about 20 ms over `file://`) sooner
/// than when the query asks for them.
pub const PAGE_SCRIPTS: [&str; 2] = [META_PATH, DELTA_PATH];

/// Posting lists of terms held by more records than this keep only this
/// many records, those of highest impact.
pub const POSTINGS_CAP: usize = 8_000;

/// One searchable unit: a directive, or a document's preamble (id = None).
///
/// The fields borrow from the documents where they can (a full build
/// indexes 300,000 records while the documents are in memory, and copying
/// their text, titles and keys cost a quarter of a GB at 5,000 policies);
/// [`SearchRecord::into_owned`] makes a record that outlives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchRecord<'a> {
    /// The document's page, relative to the site root, e.g. `2023/somu.html`:
    /// the record links to `page#id` ([`SearchRecord::url`]).
    pub page: Cow<'a, str>,
    /// Document key, e.g. `2023/somu`.
    pub doc: Cow<'a, str>,
    /// Anchor id; `None` for a preamble record.
    pub id: Option<Cow<'a, str>>,
    /// Citation, e.g. `1.(3)⑥` (`""` for a preamble).
    pub citation: Cow<'a, str>,
    /// What the label shows before the citation, e.g. `総務部（令和5年度）`
    /// (the document title for a preamble): the label is the head and the
    /// citation ([`SearchRecord::label`]). Every record of a document has
    /// the same head, which a full build borrows like the heading paths.
    pub label_head: Cow<'a, str>,
    /// Document title.
    pub title: Cow<'a, str>,
    /// Ancestors, e.g. `1. 令和５年度… › (3) 事務の適正化に向けて`.
    pub heading_path: Cow<'a, str>,
    /// Plain text of the directive; may contain `'\n'`.
    pub text: Cow<'a, str>,
    /// Fiscal year, e.g. 2023.
    pub year: i32,
    /// Department, e.g. `総務部`.
    pub department: Cow<'a, str>,
}

impl SearchRecord<'_> {
    /// Relative to the site root, e.g. `2023/somu.html#n1-p3-c6`.
    pub fn url(&self) -> String {
        self.as_ref().url()
    }

    /// Label, e.g. `総務部（令和5年度）1.(3)⑥` (the document title for a preamble).
    pub fn label(&self) -> String {
        self.as_ref().label()
    }

    /// The record's fields, borrowed from it.
    pub fn as_ref(&self) -> RecordRef<'_> {
        RecordRef {
            page: &self.page,
            doc: &self.doc,
            id: self.id.as_deref(),
            citation: &self.citation,
            label_head: &self.label_head,
            title: &self.title,
            heading_path: &self.heading_path,
            year: self.year,
            department: &self.department,
        }
    }

    /// The record with every field owned, borrowing nothing (what a thread
    /// that outlives the documents needs). Fields already owned are moved.
    pub fn into_owned(self) -> SearchRecord<'static> {
        let own = |s: Cow<'_, str>| Cow::Owned(s.into_owned());
        SearchRecord {
            page: own(self.page),
            doc: own(self.doc),
            id: self.id.map(own),
            citation: own(self.citation),
            label_head: own(self.label_head),
            title: own(self.title),
            heading_path: own(self.heading_path),
            text: own(self.text),
            year: self.year,
            department: own(self.department),
        }
    }
}

/// A record's fields, borrowed, but for its text ([`Records::text`]): what
/// the index reads of a record (the fields are those of [`SearchRecord`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef<'a> {
    /// See [`SearchRecord::page`].
    pub page: &'a str,
    /// See [`SearchRecord::doc`].
    pub doc: &'a str,
    /// See [`SearchRecord::id`].
    pub id: Option<&'a str>,
    /// See [`SearchRecord::citation`].
    pub citation: &'a str,
    /// See [`SearchRecord::label_head`].
    pub label_head: &'a str,
    /// See [`SearchRecord::title`].
    pub title: &'a str,
    /// See [`SearchRecord::heading_path`].
    pub heading_path: &'a str,
    /// See [`SearchRecord::year`].
    pub year: i32,
    /// See [`SearchRecord::department`].
    pub department: &'a str,
}

impl RecordRef<'_> {
    /// Relative to the site root, e.g. `2023/somu.html#n1-p3-c6`.
    pub fn url(&self) -> String {
        match self.id {
            Some(id) => format!("{}#{id}", self.page),
            None => self.page.to_string(),
        }
    }

    /// Label, e.g. `総務部（令和5年度）1.(3)⑥` (the document title for a preamble).
    pub fn label(&self) -> String {
        format!("{}{}", self.label_head, self.citation)
    }
}

impl<'a> SearchRecord<'a> {
    /// The record borrowing every field of `r`, with `text`.
    pub fn new(r: RecordRef<'a>, text: Cow<'a, str>) -> Self {
        SearchRecord {
            page: Cow::Borrowed(r.page),
            doc: Cow::Borrowed(r.doc),
            id: r.id.map(Cow::Borrowed),
            citation: Cow::Borrowed(r.citation),
            label_head: Cow::Borrowed(r.label_head),
            title: Cow::Borrowed(r.title),
            heading_path: Cow::Borrowed(r.heading_path),
            text,
            year: r.year,
            department: Cow::Borrowed(r.department),
        }
    }
}

/// The records an index is made of, by number: a slice of
/// [`SearchRecord`]s, or records made on demand from the documents
/// (a full build: at 5,000 policies a vector of its 300,000 records was
/// 68 MB of the search stage's peak; BENCHMARKS.md, issue 11, seventh round).
///
/// A record's text is read apart from its other fields: a full build holds
/// the texts packed ([`crate::model::Texts`]), and only the passes that
/// read texts (the postings, the display shards, the average length) pay
/// for unpacking them.
pub trait Records: Sync {
    /// How many records there are.
    fn count(&self) -> usize;
    /// Record `i`, `i < count()`, but for its text.
    fn get(&self, i: usize) -> RecordRef<'_>;
    /// The text of record `i`, `i < count()`.
    fn text(&self, i: usize) -> Cow<'_, str>;
    /// The length in bytes of [`Records::text`] `i`.
    fn text_len(&self, i: usize) -> usize {
        self.text(i).len()
    }
}

impl Records for [SearchRecord<'_>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn get(&self, i: usize) -> RecordRef<'_> {
        self[i].as_ref()
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(&self[i].text)
    }
}

impl Records for Vec<SearchRecord<'_>> {
    fn count(&self) -> usize {
        Records::count(self.as_slice())
    }

    fn get(&self, i: usize) -> RecordRef<'_> {
        Records::get(self.as_slice(), i)
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        Records::text(self.as_slice(), i)
    }
}

/// The files the index is made of (`search/p/3.js`, …): the site's one
/// output file type.
pub use crate::layout::OutputFile;

/// Record indices sorted by year, department and document key (stable).
/// Compares ranks, not strings: the strings repeat across 300,000 records,
/// and a record mostly has the document and department of the one before
/// it, so ranks are looked up only when they change.
fn index_order<R: Records + ?Sized>(records: &R) -> Vec<usize> {
    fn ranks<'a>(names: impl Iterator<Item = &'a str>) -> std::collections::HashMap<&'a str, u32> {
        let mut unique: Vec<&str> = names.collect();
        unique.sort_unstable();
        unique.dedup();
        unique.into_iter().zip(0..).collect()
    }
    let all = || (0..records.count()).map(|i| records.get(i));
    let mut last: Option<RecordRef> = None;
    let departments = ranks(all().filter_map(|r| {
        let new = last.is_none_or(|l| l.department != r.department);
        last = Some(r);
        new.then_some(r.department)
    }));
    let mut last: Option<RecordRef> = None;
    let docs = ranks(all().filter_map(|r| {
        let new = last.is_none_or(|l| l.doc != r.doc);
        last = Some(r);
        new.then_some(r.doc)
    }));
    let mut keys: Vec<(i32, u32, u32)> = Vec::with_capacity(records.count());
    let mut prev: Option<(RecordRef, u32, u32)> = None;
    for r in all() {
        let (dept, doc) = match prev {
            Some((p, dept, doc)) => (
                if p.department == r.department {
                    dept
                } else {
                    departments[r.department]
                },
                if p.doc == r.doc { doc } else { docs[r.doc] },
            ),
            None => (departments[r.department], docs[r.doc]),
        };
        keys.push((r.year, dept, doc));
        prev = Some((r, dept, doc));
    }
    let mut order: Vec<usize> = (0..records.count()).collect();
    order.sort_by_key(|&i| keys[i]);
    order
}

/// Where the index's files go as they are made: called from several
/// threads, in no particular order.
pub type Sink<'s> = &'s (dyn Fn(OutputFile) + Sync);

/// Builds every file of the search index (all under `search/`), with the
/// empty `search/delta.js`, sorted by path.
///
/// Deterministic: the same records give the same files.
pub fn build_index(records: &[SearchRecord]) -> Vec<OutputFile> {
    build_index_with_state(records).0
}

/// [`build_index`], and what a later [`build_delta`] needs to know about
/// the index it writes.
pub fn build_index_with_state<R: Records + ?Sized>(records: &R) -> (Vec<OutputFile>, IndexState) {
    let files = std::sync::Mutex::new(Vec::new());
    let state = write_index(records, &|f| {
        if let Ok(mut files) = files.lock() {
            files.push(f);
        }
    });
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    (files, state)
}

/// Builds the index of `records` and hands each file to `sink` as soon as
/// it is made, so that the index never sits in memory as a whole (a full
/// build writes each file at once). Returns what a later [`build_delta`]
/// needs. The files are those of [`build_index`].
pub fn write_index<R: Records + ?Sized>(records: &R, sink: Sink<'_>) -> IndexState {
    // Group records by year, then department, so the filters need only the
    // start of each group; the sort is stable, so documents keep the order
    // the caller gave, and so do the directives within them.
    let order = index_order(records);
    let vids = shard::assign_vids(records, &order);
    // Display shards need only the records; build them beside the postings.
    let ((terms, avglen), ()) = rayon::join(
        || {
            let avglen = index::average_text_length(records);
            let per_chunk = index::chunk_size(records.count());
            (
                index::index_records(records, &order, per_chunk, &vids, POSTINGS_CAP, avglen),
                avglen,
            )
        },
        || shard::write_display(records, &order, &vids, sink),
    );
    let state = IndexState::new(records, &order, &vids, avglen);
    let buckets = shard::write_postings(terms, sink);
    shard::write_meta(
        records,
        &order,
        &vids,
        buckets,
        POSTINGS_CAP,
        &state.stamp,
        sink,
    );
    sink(delta::empty_delta());
    state
}
