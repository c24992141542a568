//! Bridges the site to the search index: one record per directive and one per
//! document preamble (SPEC §6).

use rayon::prelude::*;

use crate::model::Document;
use crate::render::urls::encode_path;
use crate::render::{OutputFile, SiteView};
use crate::search::{build_index, SearchRecord};

/// The search records of one document.
pub fn document_records(doc: &Document) -> Vec<SearchRecord> {
    let url = encode_path(&doc.url());
    let mut records = Vec::with_capacity(doc.directives.len() + 1);
    if !doc.preamble.is_empty() {
        records.push(SearchRecord {
            url: url.clone(),
            doc: doc.key.clone(),
            id: None,
            citation: String::new(),
            label: doc.title.clone(),
            title: doc.title.clone(),
            heading_path: String::new(),
            text: doc.preamble.clone(),
            year: doc.meta.year,
            department: doc.meta.department.clone(),
        });
    }
    // Each directive's step in a heading path ("(3) 事務の適正化に向けて"), made once
    // and shared by all its descendants.
    let steps: Vec<String> = doc
        .directives
        .iter()
        .map(|p| format!("{} {}", p.citation, crate::parse::shorten(&p.heading, 40)))
        .collect();
    for (i, d) in doc.directives.iter().enumerate() {
        let ancestry = doc.ancestry(i);
        let heading_path = ancestry[..ancestry.len() - 1]
            .iter()
            .map(|&a| steps[a].as_str())
            .collect::<Vec<_>>()
            .join(" › ");
        records.push(SearchRecord {
            url: format!("{url}#{}", d.id),
            doc: doc.key.clone(),
            id: Some(d.id.clone()),
            citation: d.citation.clone(),
            label: doc.label(d),
            title: doc.title.clone(),
            heading_path,
            text: d.text.clone(),
            year: doc.meta.year,
            department: doc.meta.department.clone(),
        });
    }
    records
}

/// Every search record of the site, in document order.
pub fn records(view: &SiteView<'_>) -> Vec<SearchRecord> {
    let per_doc: Vec<Vec<SearchRecord>> = view.docs.par_iter().map(document_records).collect();
    per_doc.into_iter().flatten().collect()
}

/// The search index files of a site.
pub fn index_files(view: &SiteView<'_>) -> Vec<OutputFile> {
    build_index(&records(view))
        .into_iter()
        .map(|f| OutputFile {
            path: f.path,
            bytes: f.bytes,
        })
        .collect()
}
