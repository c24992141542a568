//! `directives.json`: the machine-readable anchor index (SPEC §5).

use serde::Serialize;

use super::urls::encode_path;
use super::SiteView;

#[derive(Serialize)]
struct Root<'a> {
    documents: Vec<DocEntry<'a>>,
    directives: Vec<DirectiveEntry<'a>>,
}

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
}

/// Serialises the anchor index of the whole site.
pub fn directives_json(view: &SiteView<'_>) -> Vec<u8> {
    let docs = view.docs;
    let documents = docs
        .iter()
        .map(|d| DocEntry {
            key: &d.key,
            title: &d.title,
            year: d.meta.year,
            era: d.meta.era_year(),
            department: &d.meta.department,
            author: &d.meta.author,
            date: d.meta.date.map(|x| x.iso()),
            url: encode_path(&d.url()),
        })
        .collect();
    let mut directives = Vec::with_capacity(view.directive_count());
    for (di, d) in docs.iter().enumerate() {
        let url = encode_path(&d.url());
        let mut outgoing: Vec<Vec<RefEntry>> = vec![Vec::new(); d.directives.len()];
        for (r, t) in d.references.iter().zip(&view.links.targets[di]) {
            if let (Some(from), Some(t)) = (r.from, t) {
                let target = &docs[t.doc];
                outgoing[from].push(RefEntry {
                    doc: &target.key,
                    id: t.directive.map(|i| target.directives[i].id.as_str()),
                });
            }
        }
        for (i, (x, mut references)) in d.directives.iter().zip(outgoing).enumerate() {
            references.sort();
            references.dedup();
            let referenced_by = view.links.directive_backlinks[di][i]
                .iter()
                .map(|c| RefEntry {
                    doc: &docs[c.doc].key,
                    id: c.directive.map(|j| docs[c.doc].directives[j].id.as_str()),
                })
                .collect();
            directives.push(DirectiveEntry {
                doc: &d.key,
                id: &x.id,
                citation: &x.citation,
                label: d.label(x),
                url: format!("{url}#{}", x.id),
                parent: x.parent.map(|p| d.directives[p].id.as_str()),
                text: &x.text,
                references,
                referenced_by,
            });
        }
    }
    serde_json::to_vec(&Root {
        documents,
        directives,
    })
    .unwrap_or_default()
}
