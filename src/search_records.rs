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

/// The search records of one document, borrowing its text, key, title and
/// department (a full build indexes them while the documents are in memory).
pub fn document_records(doc: &Document) -> Vec<SearchRecord<'_>> {
    records_of(doc, Cow::Borrowed)
}

/// The search records of one document, owning every field: for a thread
/// that outlives the documents (watch's deferred index).
pub fn owned_document_records(doc: &Document) -> Vec<SearchRecord<'static>> {
    records_of(doc, |s| Cow::Owned(s.to_string()))
        .into_iter()
        .map(SearchRecord::into_owned)
        .collect()
}

/// The records of `doc`, with `take` making the fields that come from the
/// document as they are (borrowed or copied); the others are made here and
/// owned.
fn records_of<'a>(
    doc: &'a Document,
    take: impl Fn(&'a str) -> Cow<'a, str>,
) -> Vec<SearchRecord<'a>> {
    let url = encode_path(&doc.url());
    let mut records = Vec::with_capacity(doc.directives.len() + 1);
    if !doc.preamble.is_empty() {
        records.push(SearchRecord {
            url: Cow::Owned(url.clone()),
            doc: take(&doc.key),
            id: None,
            citation: Cow::Borrowed(""),
            label: take(&doc.title),
            title: take(&doc.title),
            heading_path: Cow::Borrowed(""),
            text: take(&doc.preamble),
            year: doc.meta.year,
            department: take(&doc.meta.department),
        });
    }
    // Every record of the document has the same label prefix
    // (「総務部（令和5年度）」) before its citation: made once, unless the
    // label is not of that shape.
    let prefix = doc.directives.first().and_then(|d| {
        doc.label(d)
            .strip_suffix(d.citation.as_str())
            .map(str::to_string)
    });
    // A directive's heading path is its parent's path and the parent's
    // step ("(3) 事務の適正化に向けて"): `within[i]` is directive i's path with
    // its own step, made once and extended by its children.
    let mut within: Vec<String> = Vec::with_capacity(doc.directives.len());
    for (i, d) in doc.directives.iter().enumerate() {
        let heading_path = match d.parent {
            Some(p) if p < i => within[p].clone(),
            Some(_) => {
                // Parents come first in a parsed document; just in case.
                let ancestry = doc.ancestry(i);
                ancestry[..ancestry.len() - 1]
                    .iter()
                    .map(|&a| step(&doc.directives[a]))
                    .collect::<Vec<_>>()
                    .join(" › ")
            }
            None => String::new(),
        };
        let own = step(d);
        within.push(if heading_path.is_empty() {
            own
        } else {
            concat(&[&heading_path, " › ", &own])
        });
        let label = match &prefix {
            Some(p) => concat(&[p, &d.citation]),
            None => doc.label(d),
        };
        records.push(SearchRecord {
            url: Cow::Owned(concat(&[&url, "#", &d.id])),
            doc: take(&doc.key),
            id: Some(take(&d.id)),
            citation: take(&d.citation),
            label: Cow::Owned(label),
            title: take(&doc.title),
            heading_path: Cow::Owned(heading_path),
            text: take(&d.text),
            year: doc.meta.year,
            department: take(&doc.meta.department),
        });
    }
    records
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

/// Every search record of the site, in document order.
pub fn records<'a>(view: &SiteView<'a>) -> Vec<SearchRecord<'a>> {
    let per_doc: Vec<Vec<SearchRecord<'a>>> = view.docs.par_iter().map(document_records).collect();
    per_doc.into_iter().flatten().collect()
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
    let state = crate::search::write_index(&records(view), &|f| {
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
    let (files, state) = build_index_with_state(&records(view));
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
            Some(doc) => changed.push((key.clone(), document_records(doc))),
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

    /// The document-side fields of a record, by whether they borrow.
    fn borrowed(r: &SearchRecord<'_>) -> Vec<bool> {
        let b = |c: &Cow<'_, str>| matches!(c, Cow::Borrowed(_));
        let mut out = vec![b(&r.doc), b(&r.title), b(&r.text), b(&r.department)];
        out.extend(r.id.as_ref().map(b));
        out
    }

    #[test]
    fn a_full_build_borrows_the_documents_text_and_the_settle_thread_owns_it() {
        let d = doc("2023/somu", 2023, BODY);
        let borrowing = document_records(&d);
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
}
