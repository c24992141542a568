//! Page fingerprints: a hash of everything a page is rendered from, so that a
//! rebuild renders only the pages whose fingerprint differs from the one they
//! were last written with.
//!
//! The rules mirror what `render` reads (see `render::SiteView::render`):
//!
//! - a document page: its own source, the documents it points to and the
//!   places that cite it (their keys, titles, departments, years and
//!   directive citations and ids, which make labels, hrefs and backlinks),
//!   and the key, title and year of its department's other documents;
//! - a year or department listing: the listing rows of its documents;
//! - a year's directive index: the directive rows of that year's documents;
//! - the home page and the directive index: every row (cheap to hash, and
//!   they list everything);
//! - the search page: the years and departments;
//! - a comparison page: the directive rows of both documents (which decide
//!   the alignment and all it shows); a document page also hashes its
//!   year-over-year marks and links, and the listings their documents' counts.
//!
//! The theme and site.toml are not hashed: a change to either clears every
//! fingerprint (`Workspace` does that), so every page is rendered again.
//! The watch tests compare an incrementally rebuilt site with a clean build
//! byte for byte, which is what keeps these rules honest.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use super::{Page, SiteView, DIRECTIVE_INDEX_SPLIT};
use crate::model::Document;

/// Hashes of the parts of one document that pages are rendered from,
/// computed once when the document is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Faces {
    /// Key and source text: everything the document's own page shows of it.
    pub source: u64,
    /// What other pages show of it in links and backlinks: key, title,
    /// department, year, and each directive's id, citation, depth and text
    /// (a reference's tooltip shows the cited directive's opening text).
    pub face: u64,
    /// Its row in listings (`DocSummary`).
    pub listing: u64,
    /// What its department's other pages show of it (other years).
    pub mate: u64,
    /// Its rows in the directive index.
    pub rows: u64,
}

fn hash_of(f: impl FnOnce(&mut DefaultHasher)) -> u64 {
    let mut h = DefaultHasher::new();
    f(&mut h);
    h.finish()
}

impl Faces {
    /// Hashes a parsed document; `source_hash` is the hash of its file's bytes.
    pub fn of(doc: &Document, source_hash: u64) -> Faces {
        let m = &doc.meta;
        Faces {
            source: hash_of(|h| (&doc.key, source_hash).hash(h)),
            face: hash_of(|h| {
                (&doc.key, &doc.title, &m.department, m.year).hash(h);
                let texts = doc.texts.all();
                for (i, d) in doc.directives.iter().enumerate() {
                    (d.id(), d.citation(), d.depth(), texts.get(i)).hash(h);
                }
            }),
            listing: hash_of(|h| {
                (&doc.key, &doc.title, m.year, &m.department, &m.author).hash(h);
                (format!("{:?}", m.status), doc.directives.len()).hash(h);
            }),
            mate: hash_of(|h| (&doc.key, &doc.title, m.year).hash(h)),
            rows: hash_of(|h| {
                (&doc.key, &doc.title, &m.department, m.year).hash(h);
                let texts = doc.texts.all();
                for (i, d) in doc.directives.iter().enumerate() {
                    let text = texts.get(i);
                    (d.id(), d.citation(), d.depth(), d.heading(text), text).hash(h);
                }
            }),
        }
    }
}

/// A page, where it is written, and a hash of everything it is rendered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFingerprint {
    /// The page.
    pub page: Page,
    /// Its output path.
    pub path: String,
    /// The hash of what it reads.
    pub fingerprint: u64,
}

/// The fingerprint of every page of the site.
///
/// `faces[i]` belongs to `view.docs[i]`.
pub fn pages(view: &SiteView<'_>, faces: &[Faces]) -> Vec<PageFingerprint> {
    pages_unless(view, faces, &mut || false).unwrap_or_default()
}

/// Pages fingerprinted between two questions to `cancelled`: a few
/// milliseconds of work.
const BATCH: usize = 1024;

/// [`pages`], or None as soon as `cancelled` says so: it is asked between
/// batches of pages, so that a watch rebuild can give way to a newer change.
pub fn pages_unless(
    view: &SiteView<'_>,
    faces: &[Faces],
    cancelled: &mut dyn FnMut() -> bool,
) -> Option<Vec<PageFingerprint>> {
    let links = view.links;
    let split = view.directive_count() > DIRECTIVE_INDEX_SPLIT;
    let department_hash: HashMap<&str, u64> = view
        .departments()
        .into_iter()
        .map(|name| {
            let docs = view.department_docs(name);
            (
                name,
                hash_of(|h| docs.iter().for_each(|&j| faces[j].mate.hash(h))),
            )
        })
        .collect();
    // What listings show of each document's comparison with its predecessor.
    let changes: Vec<_> = (0..view.docs.len())
        .into_par_iter()
        .map(|i| crate::compare::page::summary(view.docs, view.comparisons, i))
        .collect();
    let all = |h: &mut DefaultHasher, pick: fn(&Faces) -> u64| {
        faces.iter().for_each(|f| pick(f).hash(h));
    };
    let fingerprint_of = |page: Page| {
        let fingerprint = match &page {
            Page::Document(i) => hash_of(|h| {
                let i = *i;
                ("doc", faces[i].source).hash(h);
                crate::compare::page::hash_marks(view.docs, view.comparisons, i, h);
                department_hash
                    .get(view.docs[i].meta.department.as_str())
                    .hash(h);
                for target in &links.targets[i] {
                    match target {
                        Some(t) => (1u8, faces[t.doc].face, &t.anchor, t.directive).hash(h),
                        None => 0u8.hash(h),
                    }
                }
                let citers = links.directive_backlinks[i]
                    .iter()
                    .chain(std::iter::once(&links.document_backlinks[i]));
                for list in citers {
                    list.len().hash(h);
                    for c in list {
                        (faces[c.doc].face, c.directive).hash(h);
                    }
                }
            }),
            Page::Year(y) => hash_of(|h| {
                ("year", *y, split).hash(h);
                view.year_docs(*y)
                    .iter()
                    .for_each(|&j| (faces[j].listing, &changes[j]).hash(h));
            }),
            Page::Department(name) => hash_of(|h| {
                ("department", name).hash(h);
                view.department_docs(name)
                    .iter()
                    .for_each(|&j| (faces[j].listing, &changes[j]).hash(h));
            }),
            Page::Compare(i) => hash_of(|h| {
                let old = view.comparisons.predecessor(*i);
                ("compare", faces[*i].rows, old.map(|o| faces[o].rows)).hash(h);
            }),
            Page::DirectivesYear(y) => hash_of(|h| {
                ("directives-year", *y).hash(h);
                view.year_docs(*y)
                    .iter()
                    .for_each(|&j| faces[j].rows.hash(h));
            }),
            Page::Directives => hash_of(|h| {
                ("directives", split).hash(h);
                all(h, |f| f.rows);
            }),
            Page::Index => hash_of(|h| {
                "index".hash(h);
                all(h, |f| f.listing);
                all(h, |f| f.face);
                changes.hash(h);
            }),
            Page::Search => hash_of(|h| ("search", view.years(), view.departments()).hash(h)),
            Page::NotFound => hash_of(|h| "404".hash(h)),
        };
        let path = view.path(&page);
        PageFingerprint {
            page,
            path,
            fingerprint,
        }
    };
    let all_pages = view.pages();
    let mut out = Vec::with_capacity(all_pages.len());
    // Every page on its own: in parallel, a batch at a time.
    for batch in all_pages.chunks(BATCH) {
        if cancelled() {
            return None;
        }
        out.par_extend(batch.par_iter().cloned().map(fingerprint_of));
    }
    Some(out)
}
