//! Bridges the site to the search index: one record per directive and one per
//! document preamble (SPEC §6).
//!
//! A full build writes the whole index ([`index_files`]). While the author
//! edits (`hoshin watch`), a rebuild need not: keep the [`IndexState`] of
//! the last full index ([`index_files_with_state`]) and write only the
//! delta of the documents touched since then ([`delta_files`]); build the
//! full index again when the author pauses, which also empties the delta.

use rayon::prelude::*;
use std::borrow::Cow;

use crate::layout::{encode_path, OutputFile};
use crate::model::Document;
use crate::render::SiteView;
use crate::search::{build_delta, build_index_with_state, IndexState, SearchRecord};

/// What every record of a document shares, made once per document: the
/// records of a full build borrow it, as they borrow the document's text
/// (at 5,000 policies a copy of these per record was 55 MB of the search
/// index's peak; BENCHMARKS.md, issue 11, sixth round).
pub struct Shared {
    /// The page, `2023/somu.html`, encoded.
    page: String,
    /// 「総務部（令和5年度）」, what each directive's label has before its
    /// citation.
    label_head: String,
    /// `paths[i]`: the heading path of directive i's children, its own
    /// path and its step (`1. 人材の育成 › (1) 研修の充実`); empty for a
    /// directive without children, whose path no record shows.
    paths: Vec<String>,
}

impl Shared {
    /// The shared strings of `doc`'s records.
    pub fn of(doc: &Document) -> Shared {
        let mut has_children = vec![false; doc.directives.len()];
        for d in &doc.directives {
            if let Some(flag) = d.parent.and_then(|p| has_children.get_mut(p)) {
                *flag = true;
            }
        }
        let mut paths: Vec<String> = Vec::with_capacity(doc.directives.len());
        for (i, d) in doc.directives.iter().enumerate() {
            if !has_children[i] {
                paths.push(String::new());
                continue;
            }
            let own = step(d);
            paths.push(match heading_path(doc, &paths, i) {
                Cow::Borrowed("") => own,
                parent => concat(&[&parent, " › ", &own]),
            });
        }
        Shared {
            page: encode_path(&doc.url()),
            label_head: doc.label_prefix(),
            paths,
        }
    }
}

/// Directive i's heading path: its parent's entry of `paths` (which holds
/// the entries of the directives before i).
fn heading_path<'p>(doc: &Document, paths: &'p [String], i: usize) -> Cow<'p, str> {
    match doc.directives[i].parent {
        Some(p) if p < i => Cow::Borrowed(paths[p].as_str()),
        Some(_) => {
            // Parents come first in a parsed document; just in case.
            let ancestry = doc.ancestry(i);
            Cow::Owned(
                ancestry[..ancestry.len() - 1]
                    .iter()
                    .map(|&a| step(&doc.directives[a]))
                    .collect::<Vec<_>>()
                    .join(" › "),
            )
        }
        None => Cow::Borrowed(""),
    }
}

/// The search records of one document, borrowing its text, key, title and
/// department and `shared` ([`Shared::of`] the document): a full build
/// indexes them while the documents are in memory.
pub fn document_records<'a>(doc: &'a Document, shared: &'a Shared) -> Vec<SearchRecord<'a>> {
    let mut records = Vec::with_capacity(doc.directives.len() + 1);
    push_document_records(&mut records, doc, shared);
    records
}

/// [`document_records`], appended to `records`.
fn push_document_records<'a>(
    records: &mut Vec<SearchRecord<'a>>,
    doc: &'a Document,
    shared: &'a Shared,
) {
    if !doc.preamble.is_empty() {
        records.push(SearchRecord {
            page: Cow::Borrowed(&shared.page),
            doc: Cow::Borrowed(&doc.key),
            id: None,
            citation: Cow::Borrowed(""),
            label_head: Cow::Borrowed(&doc.title),
            title: Cow::Borrowed(&doc.title),
            heading_path: Cow::Borrowed(""),
            text: Cow::Borrowed(&doc.preamble),
            year: doc.meta.year,
            department: Cow::Borrowed(&doc.meta.department),
        });
    }
    for (i, d) in doc.directives.iter().enumerate() {
        records.push(SearchRecord {
            page: Cow::Borrowed(&shared.page),
            doc: Cow::Borrowed(&doc.key),
            id: Some(Cow::Borrowed(&d.id)),
            citation: Cow::Borrowed(&d.citation),
            label_head: Cow::Borrowed(&shared.label_head),
            title: Cow::Borrowed(&doc.title),
            heading_path: heading_path(doc, &shared.paths, i),
            text: Cow::Borrowed(&d.text),
            year: doc.meta.year,
            department: Cow::Borrowed(&doc.meta.department),
        });
    }
}

/// The search records of one document, owning every field: for a thread
/// that outlives the documents (watch's deferred index), and for a delta's
/// few documents.
pub fn owned_document_records(doc: &Document) -> Vec<SearchRecord<'static>> {
    let shared = Shared::of(doc);
    document_records(doc, &shared)
        .into_iter()
        .map(SearchRecord::into_owned)
        .collect()
}

/// A directive's step in the heading paths of its descendants: its citation
/// and its heading, shortened.
fn step(d: &crate::model::Directive) -> String {
    concat(&[&d.citation, " ", &crate::parse::shorten(d.heading(), 40)])
}

/// `parts` joined, in one allocation (`format!` costs several times more,
/// and this runs a few times per directive of the site).
fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// The shared strings of every document's records ([`Shared::of`]), in
/// document order: what [`records`] borrows.
pub fn shared(view: &SiteView<'_>) -> Vec<Shared> {
    view.docs.par_iter().map(Shared::of).collect()
}

/// Every search record of the site, in document order; `shared` is
/// [`shared`] of the same view.
///
/// Made in one thread straight into a vector of the exact size: the
/// records only borrow, so this takes milliseconds, and a vector per
/// document collected in parallel first held every record twice (60 MB
/// of the search stage's peak at 5,000 policies; BENCHMARKS.md, issue 11,
/// seventh round).
pub fn records<'a>(view: &SiteView<'a>, shared: &'a [Shared]) -> Vec<SearchRecord<'a>> {
    let count = view
        .docs
        .iter()
        .map(|d| d.directives.len() + usize::from(!d.preamble.is_empty()))
        .sum();
    let mut all = Vec::with_capacity(count);
    for (doc, shared) in view.docs.iter().zip(shared) {
        push_document_records(&mut all, doc, shared);
    }
    all
}

/// The search index files of a site (with the empty delta).
pub fn index_files(view: &SiteView<'_>) -> Vec<OutputFile> {
    index_files_with_state(view).0
}

/// Builds the search index of a site and hands each file to `sink` as soon
/// as it is made (a full build writes it at once, so the index never sits
/// in memory whole). Returns the files `sink` could not take, and what
/// [`delta_files`] needs to overlay later changes on the index.
pub fn write_index(
    view: &SiteView<'_>,
    sink: &(dyn Fn(OutputFile) -> std::io::Result<()> + Sync),
) -> (Vec<(String, std::io::Error)>, IndexState) {
    let failed = std::sync::Mutex::new(Vec::new());
    let shared = shared(view);
    let state = crate::search::write_index(&records(view, &shared), &|f| {
        let path = f.path.clone();
        if let Err(e) = sink(convert(f)) {
            if let Ok(mut failed) = failed.lock() {
                failed.push((path, e));
            }
        }
    });
    let mut failed = failed.into_inner().unwrap_or_default();
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    (failed, state)
}

/// Builds the search index of `records` (those of [`records`]) and hands
/// each file to `sink` as soon as it is made; returns what [`delta_files`]
/// needs to overlay later changes on it.
pub fn write_records_index(
    records: &[SearchRecord],
    sink: &(dyn Fn(OutputFile) + Sync),
) -> IndexState {
    crate::search::write_index(records, &|f| sink(convert(f)))
}

/// The search index files of a site, and the state that [`delta_files`]
/// needs to overlay later changes on them.
pub fn index_files_with_state(view: &SiteView<'_>) -> (Vec<OutputFile>, IndexState) {
    let shared = shared(view);
    let (files, state) = build_index_with_state(&records(view, &shared));
    (files.into_iter().map(convert).collect(), state)
}

/// The delta over the full index that `state` describes: `touched` are the
/// keys of every document added, changed or removed since that full build
/// (the whole set, not just the latest edit; a key may be given more than
/// once). Those still in `view` are indexed anew, the others are removed.
/// Returns `search/delta.js`, to write over the previous one; it costs
/// time in proportion to the touched documents only.
pub fn delta_files(state: &IndexState, view: &SiteView<'_>, touched: &[String]) -> Vec<OutputFile> {
    let mut changed: Vec<(String, Vec<SearchRecord>)> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for key in touched {
        if !seen.insert(key.as_str()) {
            continue;
        }
        // A scan, not a binary search: it need not trust the order of the
        // documents, and a scan of thousands of keys takes microseconds.
        match view.docs.iter().find(|d| d.key == *key) {
            Some(doc) => changed.push((key.clone(), owned_document_records(doc))),
            None => removed.push(key.clone()),
        }
    }
    build_delta(state, &changed, &removed)
        .into_iter()
        .map(convert)
        .collect()
}

fn convert(f: crate::search::OutputFile) -> OutputFile {
    OutputFile {
        path: f.path,
        bytes: f.bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::testing::doc;

    const BODY: &str =
        "前文の段落。\n\n## 1. 人材の育成\n\n### (1) 研修の充実\n\n職員研修を充実すること。\n";

    /// The fields of a record, by whether they borrow.
    fn borrowed(r: &SearchRecord<'_>) -> Vec<bool> {
        let b = |c: &Cow<'_, str>| matches!(c, Cow::Borrowed(_));
        let mut out = vec![b(&r.doc), b(&r.title), b(&r.text), b(&r.department)];
        out.extend([b(&r.page), b(&r.label_head), b(&r.heading_path)]);
        out.extend(r.id.as_ref().map(b));
        out
    }

    #[test]
    fn a_full_build_borrows_the_documents_text_and_the_settle_thread_owns_it() {
        let d = doc("2023/somu", 2023, BODY);
        let shared = Shared::of(&d);
        let borrowing = document_records(&d, &shared);
        let owning = owned_document_records(&d);
        assert!(borrowing.len() >= 3, "{borrowing:?}");
        // The same records either way: only where their text lives differs.
        assert_eq!(borrowing, owning);
        for r in &borrowing {
            assert!(borrowed(r).iter().all(|&b| b), "{r:?}");
        }
        for r in &owning {
            assert!(borrowed(r).iter().all(|&b| !b), "{r:?}");
        }
        // A borrowed record's text is the document's own, not a copy.
        let last = borrowing.last().map(|r| r.text.as_ptr());
        assert_eq!(last, d.directives.last().map(|x| x.text.as_ptr()));
    }

    #[test]
    fn records_show_their_url_label_and_the_heading_path_of_their_ancestors() {
        let d = doc("2023/somu", 2023, BODY);
        let shared = Shared::of(&d);
        let records = document_records(&d, &shared);
        let shown: Vec<(String, String, &str)> = records
            .iter()
            .map(|r| (r.url(), r.label(), &*r.heading_path))
            .collect();
        let label = |c: &str| format!("{}{c}", d.label_prefix());
        assert_eq!(
            shown,
            [
                ("2023/somu.html".to_string(), d.title.clone(), ""),
                ("2023/somu.html#n1".to_string(), label("1."), ""),
                (
                    "2023/somu.html#n1-p1".to_string(),
                    label("1.(1)"),
                    "1. 人材の育成"
                ),
            ]
        );
        // Only a directive with children keeps a path for them.
        assert_eq!(shared.paths, ["1. 人材の育成".to_string(), String::new()]);
    }
}
