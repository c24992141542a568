//! `directives.json`: the machine-readable anchor index (SPEC §5).

use rayon::prelude::*;
use serde::Serialize;

use super::SiteView;
use crate::layout::encode_path;
use crate::model::{AllTexts, Document};

#[derive(Serialize)]
struct DocEntry<'a> {
    key: &'a str,
    title: &'a str,
    year: i32,
    era: String,
    department: &'a str,
    author: &'a str,
    date: Option<String>,
    url: String,
    previous: Option<&'a str>,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RefEntry<'a> {
    doc: &'a str,
    id: Option<&'a str>,
}

#[derive(Serialize)]
struct DirectiveEntry<'a> {
    doc: &'a str,
    id: &'a str,
    citation: &'a str,
    label: String,
    url: String,
    parent: Option<&'a str>,
    text: &'a str,
    references: Vec<RefEntry<'a>>,
    referenced_by: Vec<RefEntry<'a>>,
    previous: Option<RefEntry<'a>>,
    next: Option<RefEntry<'a>>,
    change: Option<&'static str>,
}

/// Serialises the anchor index of the whole site.
pub fn directives_json(view: &SiteView<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_directives_json(view, &mut out);
    out
}

/// [`directives_json`], or `None` as soon as `cancelled` says so: it is
/// asked between batches of a few documents (a few milliseconds of work
/// each), so that watch can give way to a new change at once.
pub fn directives_json_unless(
    view: &SiteView<'_>,
    cancelled: &mut dyn FnMut() -> bool,
) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match write_batches(view, &mut out, 32, cancelled) {
        Ok(true) => Some(out),
        // Writing to a Vec cannot fail.
        _ => None,
    }
}

/// Writes the anchor index to `out`, a batch of documents at a time: each batch
/// serialises in parallel, and only one batch is held in memory. 64 documents
/// a batch: with 256 the batch (~15 MB at 5,000 policies) was the build's
/// peak, and the smaller batch costs no time (BENCHMARKS.md, issue 11,
/// seventh round).
pub fn write_directives_json(
    view: &SiteView<'_>,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    write_batches(view, out, 64, &mut || false).map(|_| ())
}

/// Writes the anchor index `batch` documents at a time, asking `cancelled`
/// before each batch; false if it stopped there.
fn write_batches(
    view: &SiteView<'_>,
    out: &mut impl std::io::Write,
    batch: usize,
    cancelled: &mut dyn FnMut() -> bool,
) -> std::io::Result<bool> {
    let docs = view.docs;
    let documents: Vec<DocEntry> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| DocEntry {
            key: &d.key,
            title: &d.title,
            year: d.meta.year,
            era: d.meta.era_year(),
            department: &d.meta.department,
            author: &d.meta.author,
            date: d.meta.date.map(|x| x.iso()),
            url: encode_path(&d.url()),
            previous: view
                .comparisons
                .predecessor(i)
                .map(|p| docs[p].key.as_str()),
        })
        .collect();
    out.write_all(b"{\"documents\":")?;
    serde_json::to_writer(&mut *out, &documents)?;
    out.write_all(b",\"directives\":[")?;
    let mut first = true;
    for start in (0..docs.len()).step_by(batch) {
        if cancelled() {
            return Ok(false);
        }
        let end = (start + batch).min(docs.len());
        let chunks: Vec<Vec<u8>> = (start..end)
            .into_par_iter()
            .map(|di| {
                let texts = docs[di].texts.all();
                let entries = directive_entries(view, di, &texts);
                let mut buf = Vec::with_capacity(entries.len() * 512);
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    // Serialising plain strings and numbers into a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut buf, e);
                }
                buf
            })
            .collect();
        for chunk in chunks.iter().filter(|c| !c.is_empty()) {
            if !first {
                out.write_all(b",")?;
            }
            out.write_all(chunk)?;
            first = false;
        }
    }
    out.write_all(b"]}")?;
    Ok(true)
}

/// The entries of document `di`'s directives; `texts` are its texts.
fn directive_entries<'t, 'a: 't>(
    view: &SiteView<'a>,
    di: usize,
    texts: &'t AllTexts<'a>,
) -> Vec<DirectiveEntry<'t>> {
    let docs = view.docs;
    let d = &docs[di];
    let url = encode_path(&d.url());
    let mut outgoing: Vec<Vec<RefEntry>> = vec![Vec::new(); d.directives.len()];
    for (r, t) in d.references.iter().zip(&view.links.targets[di]) {
        if let (Some(from), Some(t)) = (r.from, t) {
            let target = &docs[t.doc];
            outgoing[from].push(RefEntry {
                doc: &target.key,
                id: t.directive.map(|i| target.directives[i].id()),
            });
        }
    }
    let before = view
        .comparisons
        .get(di)
        .map(|c| (&docs[c.old], &c.alignment));
    let after = view
        .comparisons
        .next_of(di)
        .map(|(s, c)| (&docs[s], &c.alignment));
    // 「総務部（令和5年度）」: what every label of the document starts with.
    let label_prefix = d.label_prefix();
    let at = |d: &'a Document, j: usize| RefEntry {
        doc: &d.key,
        id: Some(d.directives[j].id()),
    };
    d.directives
        .iter()
        .zip(outgoing)
        .enumerate()
        .map(|(i, (x, mut references))| {
            references.sort();
            references.dedup();
            let referenced_by = view.links.directive_backlinks[di][i]
                .iter()
                .map(|c| RefEntry {
                    doc: &docs[c.doc].key,
                    id: c.directive.map(|j| docs[c.doc].directives[j].id()),
                })
                .collect();
            DirectiveEntry {
                doc: &d.key,
                id: x.id(),
                citation: x.citation(),
                label: [label_prefix.as_str(), x.citation()].concat(),
                url: [url.as_str(), "#", x.id()].concat(),
                parent: x.parent().map(|p| d.directives[p].id()),
                text: texts.get(i),
                references,
                referenced_by,
                previous: before.and_then(|(o, a)| a.old_of_new[i].map(|j| at(o, j as usize))),
                next: after.and_then(|(n, a)| a.new_of_old[i].map(|j| at(n, j as usize))),
                change: before.map(|(_, a)| a.change_of_new[i].code()),
            }
        })
        .collect()
}
