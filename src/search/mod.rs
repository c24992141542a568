//! Client-side search index (SPEC §6).
//!
//! [`build_index`] turns one [`SearchRecord`] per directive and per document
//! preamble into script files under `search/` that
//! `themes/default/static/search.js` loads on demand with `<script>`
//! elements, so the site searches over `file://` and `http://` alike with no
//! fetch, module, worker or WASM.
//!
//! - Normalisation ([`normalize`]): NFKC, lower case, and whitespace dropped
//!   next to CJK characters (soft line breaks never split a phrase).
//! - Tokens ([`tokenize`]): CJK bigrams, a unigram for a CJK run of one
//!   character, whole words. The index also files every CJK character (so a
//!   one-character query finds it anywhere) and every word prefix (so words
//!   are prefix-matched).
//! - Matching: a query is split at spaces into parts that must all match.
//!   Candidates are the records that hold every term of every part; each
//!   shown result is then checked against its normalised label, heading
//!   path and text, so a part matches only where its characters stand
//!   together (`人材育成` never matches `人材の育成`).
//! - Ranking: BM25F with boosts for label (citation) and heading-path
//!   matches ([`index`]); impacts are precomputed per posting.
//! - Files ([`shard`]): hashed posting buckets of a few KB, long lists in
//!   files of their own, display data in shards of up to 16 records.
//!   Lists of very common terms are capped at [`POSTINGS_CAP`] records of
//!   highest impact: a query made only of such terms ranks within those,
//!   and any other query takes its candidates from its uncapped terms.
//!
//! This module depends only on std, serde, serde_json, rayon and
//! unicode-normalization, and on no other module of the crate.

pub mod encode;
pub mod index;
pub mod normalize;
pub mod shard;
pub mod tokenize;

#[cfg(test)]
mod tests;

pub use normalize::normalize;
pub use tokenize::{query_parts, tokenize};

/// Posting lists of terms held by more records than this keep only this
/// many records, those of highest impact.
pub const POSTINGS_CAP: usize = 8_000;

/// One searchable unit: a directive, or a document's preamble (id = None).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchRecord {
    /// Relative to the site root, e.g. `2023/somu.html#n1-p3-c6`.
    pub url: String,
    /// Document key, e.g. `2023/somu`.
    pub doc: String,
    /// Anchor id; `None` for a preamble record.
    pub id: Option<String>,
    /// Citation, e.g. `1.(3)⑥` (`""` for a preamble).
    pub citation: String,
    /// Label, e.g. `総務部（令和5年度）1.(3)⑥` (the document title for a preamble).
    pub label: String,
    /// Document title.
    pub title: String,
    /// Ancestors, e.g. `1. 令和５年度… › (3) 事務の適正化に向けて`.
    pub heading_path: String,
    /// Plain text of the directive; may contain `'\n'`.
    pub text: String,
    /// Fiscal year, e.g. 2023.
    pub year: i32,
    /// Department, e.g. `総務部`.
    pub department: String,
}

/// A file to write under the output root; `path` uses `/` separators and is
/// relative, e.g. `search/p/3.js`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path with `/` separators.
    pub path: String,
    /// File contents.
    pub bytes: Vec<u8>,
}

/// Builds every file of the search index (all under `search/`).
///
/// Deterministic: the same records give the same files.
pub fn build_index(records: &[SearchRecord]) -> Vec<OutputFile> {
    // Group records by year, then department, so the filters need only the
    // start of each group; the sort is stable, so documents keep the order
    // the caller gave, and so do the directives within them.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&records[a], &records[b]);
        (x.year, &x.department, &x.doc).cmp(&(y.year, &y.department, &y.doc))
    });
    let vids = shard::assign_vids(records, &order);
    let t0 = std::time::Instant::now();
    let mut files = Vec::new();
    shard::write_display(records, &order, &vids, &mut files);
    eprintln!("TIMING display {:?}", t0.elapsed());
    let t0 = std::time::Instant::now();
    let normed = index::normalize_records(records, &order);
    eprintln!("TIMING normalize {:?}", t0.elapsed());
    let t0 = std::time::Instant::now();
    let terms = index::build_postings(&normed, &vids, POSTINGS_CAP);
    eprintln!("TIMING postings {:?}", t0.elapsed());
    let t0 = std::time::Instant::now();
    drop(normed);
    let buckets = shard::write_postings(terms, &mut files);
    eprintln!("TIMING write {:?}", t0.elapsed());
    shard::write_meta(records, &order, &vids, buckets, POSTINGS_CAP, &mut files);
    files
}
