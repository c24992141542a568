//! Link: resolve every reference (`[[…]]` and Markdown links to `.md` files or
//! anchors) against the whole site, report the ones that do not resolve with
//! suggestions, and collect backlinks.

pub mod citation;

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::era::{display_fiscal_year, parse_year};
use crate::model::{Document, RawReference, ReferenceKind};
use crate::suggest::closest;

/// Where a reference points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// Index of the target document.
    pub doc: usize,
    /// Anchor in the target page: a directive id, a heading id, or none (the page).
    pub anchor: Option<String>,
    /// Index of the target directive, if the anchor is one.
    pub directive: Option<usize>,
}

/// One citing place: a document and, unless the reference stands in its preamble, a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Citer {
    /// Citing document.
    pub doc: usize,
    /// Citing directive.
    pub directive: Option<usize>,
}

/// The result of linking the site.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Per document, per reference: its target (None if unresolved).
    pub targets: Vec<Vec<Option<Target>>>,
    /// Per document, per directive: who cites it.
    pub directive_backlinks: Vec<Vec<Vec<Citer>>>,
    /// Per document: who cites the document as a whole.
    pub document_backlinks: Vec<Vec<Citer>>,
    /// Number of resolved references.
    pub resolved: usize,
}

/// Lookup tables over the documents.
pub struct SiteIndex<'a> {
    docs: &'a [Document],
    by_key: HashMap<&'a str, usize>,
    by_department_year: HashMap<(String, i32), Vec<usize>>,
    slug_to_department: HashMap<String, String>,
}

fn fold(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

impl<'a> SiteIndex<'a> {
    /// Indexes documents by key and by department and year.
    pub fn new(docs: &'a [Document], config: &Config) -> Self {
        let mut by_department_year: HashMap<(String, i32), Vec<usize>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            by_department_year
                .entry((fold(&d.meta.department), d.meta.year))
                .or_default()
                .push(i);
        }
        SiteIndex {
            docs,
            by_key: docs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.key.as_str(), i))
                .collect(),
            by_department_year,
            slug_to_department: config
                .departments
                .iter()
                .map(|(name, slug)| (slug.to_lowercase(), fold(name)))
                .collect(),
        }
    }

    /// Resolves a DOC part: a key, or DEPARTMENT/YEAR in any year form.
    fn document(&self, doc_part: &str) -> Result<usize, DocError> {
        let doc_part = doc_part.trim().trim_end_matches(".md");
        if let Some(&i) = self.by_key.get(doc_part) {
            return Ok(i);
        }
        let Some((dept, year_text)) = doc_part.rsplit_once('/') else {
            return Err(DocError::Unknown);
        };
        let Some(year) = parse_year(year_text) else {
            return Err(DocError::Unknown);
        };
        let folded = fold(dept);
        let dept_key = self
            .slug_to_department
            .get(&folded)
            .cloned()
            .unwrap_or(folded);
        match self
            .by_department_year
            .get(&(dept_key.clone(), year))
            .map(Vec::as_slice)
        {
            Some([one]) => Ok(*one),
            Some(many) => Err(DocError::Ambiguous(many.to_vec())),
            None => {
                let years: Vec<i32> = {
                    let mut y: Vec<i32> = self
                        .by_department_year
                        .keys()
                        .filter(|(d, _)| *d == dept_key)
                        .map(|(_, y)| *y)
                        .collect();
                    y.sort();
                    y
                };
                Err(DocError::NoYear { year, years })
            }
        }
    }
}

enum DocError {
    Unknown,
    Ambiguous(Vec<usize>),
    NoYear { year: i32, years: Vec<i32> },
}

/// Resolves every reference of every document.
pub fn link(docs: &[Document], config: &Config) -> (Links, Vec<Diagnostic>) {
    let index = SiteIndex::new(docs, config);
    let mut links = Links {
        targets: Vec::with_capacity(docs.len()),
        directive_backlinks: docs
            .iter()
            .map(|d| vec![Vec::new(); d.directives.len()])
            .collect(),
        document_backlinks: vec![Vec::new(); docs.len()],
        resolved: 0,
    };
    let mut diagnostics = Vec::new();
    for (di, doc) in docs.iter().enumerate() {
        let mut targets = Vec::with_capacity(doc.references.len());
        for r in &doc.references {
            match resolve(&index, di, r) {
                Ok(t) => {
                    let citer = Citer {
                        doc: di,
                        directive: r.from,
                    };
                    match t.directive {
                        Some(td) => links.directive_backlinks[t.doc][td].push(citer),
                        None => links.document_backlinks[t.doc].push(citer),
                    }
                    links.resolved += 1;
                    targets.push(Some(t));
                }
                Err(d) => {
                    diagnostics.push(d);
                    targets.push(None);
                }
            }
        }
        links.targets.push(targets);
    }
    for list in links
        .directive_backlinks
        .iter_mut()
        .flatten()
        .chain(links.document_backlinks.iter_mut())
    {
        list.sort();
        list.dedup();
    }
    (links, diagnostics)
}

/// Resolves one reference of document `from_doc`.
pub fn resolve(
    index: &SiteIndex<'_>,
    from_doc: usize,
    r: &RawReference,
) -> Result<Target, Diagnostic> {
    let doc = &index.docs[from_doc];
    let written = match &r.kind {
        ReferenceKind::Wiki { text: Some(t) } => format!("[[{}|{}]]", r.target, t),
        ReferenceKind::Wiki { text: None } => format!("[[{}]]", r.target),
        ReferenceKind::MarkdownLink => format!("({})", r.target),
    };
    let error = |message: String| Diagnostic::error(message).at(&doc.source, r.span.clone());
    let (doc_part, anchor) = match r.target.split_once('#') {
        Some((d, a)) => (d, Some(a.trim())),
        None => (r.target.as_str(), None),
    };
    let target_doc = if doc_part.trim().is_empty() {
        from_doc
    } else {
        let lookup = match r.kind {
            ReferenceKind::MarkdownLink => relative_key(&doc.key, doc_part),
            ReferenceKind::Wiki { .. } => doc_part.to_string(),
        };
        match index.document(&lookup) {
            Ok(i) => i,
            Err(DocError::Ambiguous(many)) => {
                let keys: Vec<&str> = many.iter().map(|&i| index.docs[i].key.as_str()).collect();
                return Err(error(format!(
                    "ambiguous reference {written}: `{doc_part}` matches {} documents",
                    keys.len()
                ))
                .with_note(format!("candidates: {}", keys.join(", ")))
                .with_help(format!(
                    "use a document key instead, e.g. [[{}{}]]",
                    keys[0],
                    anchor.map(|a| format!("#{a}")).unwrap_or_default()
                )));
            }
            Err(DocError::NoYear { year, years }) => {
                let dept = doc_part.rsplit_once('/').map_or(doc_part, |(d, _)| d);
                let mut d = error(format!(
                    "unresolved reference {written}: no document of {dept} for {}",
                    display_fiscal_year(year)
                ));
                d = if years.is_empty() {
                    let names: Vec<&str> = index
                        .docs
                        .iter()
                        .map(|d| d.meta.department.as_str())
                        .collect();
                    match closest(dept, names, 1).first() {
                        Some(s) => d.with_help(format!("did you mean `{s}/{year}`?")),
                        None => d.with_note(format!("no document has the department `{dept}`")),
                    }
                } else {
                    let list: Vec<String> = years.iter().map(|&y| display_fiscal_year(y)).collect();
                    d.with_note(format!("{dept} has documents for {}", list.join(", ")))
                };
                return Err(d);
            }
            Err(DocError::Unknown) => {
                let keys = index.docs.iter().map(|d| d.key.as_str());
                let mut d = error(format!(
                    "unresolved reference {written}: no document `{}`",
                    lookup
                ));
                d = match closest(&lookup, keys, 3).as_slice() {
                    [] => d.with_help("write the document as its key (2023/somu) or as department/year (総務部/2023, 総務部/令和5年度)"),
                    found => d.with_help(format!("did you mean {}?", found.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" or "))),
                };
                return Err(d);
            }
        }
    };
    let target = &index.docs[target_doc];
    let Some(anchor) = anchor.filter(|a| !a.is_empty()) else {
        return Ok(Target {
            doc: target_doc,
            anchor: None,
            directive: None,
        });
    };
    if let Some(i) = target.directive_by_id(anchor) {
        return Ok(Target {
            doc: target_doc,
            anchor: Some(anchor.to_string()),
            directive: Some(i),
        });
    }
    if target
        .toc
        .iter()
        .any(|t| t.id == anchor && t.citation.is_empty())
    {
        return Ok(Target {
            doc: target_doc,
            anchor: Some(anchor.to_string()),
            directive: None,
        });
    }
    let wanted = citation::parse(anchor);
    if let Some(steps) = &wanted {
        if let Some(i) =
            (0..target.directives.len()).find(|&i| citation::path_of(target, i) == *steps)
        {
            return Ok(Target {
                doc: target_doc,
                anchor: Some(target.directives[i].id.clone()),
                directive: Some(i),
            });
        }
    }
    Err(unknown_directive(
        error(format!(
            "unresolved reference {written}: {} has no directive `{anchor}`",
            target.title
        )),
        target,
        anchor,
        wanted.as_deref(),
    ))
}

/// Adds "did you mean" and the directives that exist at the level the citation reached.
fn unknown_directive(
    mut d: Diagnostic,
    target: &Document,
    anchor: &str,
    wanted: Option<&[citation::Step]>,
) -> Diagnostic {
    let citations = target.directives.iter().map(|d| d.citation.as_str());
    let ids = target.directives.iter().map(|d| d.id.as_str());
    let near: Vec<&str> = if anchor.is_ascii()
        && anchor.contains(|c: char| c.is_ascii_digit())
        && !anchor.contains(['(', '.'])
    {
        closest(anchor, ids, 2)
    } else {
        closest(anchor, citations, 2)
    };
    if let Some(steps) = wanted {
        // The deepest existing ancestor, and what it has below it.
        let mut parent: Option<usize> = None;
        for depth in (1..steps.len()).rev() {
            if let Some(i) = (0..target.directives.len())
                .find(|&i| citation::path_of(target, i) == steps[..depth])
            {
                parent = Some(i);
                break;
            }
        }
        let children: Vec<&str> = target
            .directives
            .iter()
            .filter(|d| d.parent == parent)
            .map(|d| d.citation.as_str())
            .collect();
        if !children.is_empty() {
            let shown: Vec<&str> = children.iter().take(12).copied().collect();
            let more = if children.len() > shown.len() {
                " …"
            } else {
                ""
            };
            let place = match parent {
                Some(p) => format!("{} has", target.directives[p].citation),
                None => "the top level has".to_string(),
            };
            d = d.with_note(format!("{place}: {}{more}", shown.join(", ")));
        }
    }
    match near.as_slice() {
        [] => d.with_help("cite a directive as written in the document, e.g. 1.(3)⑥, or by its anchor id, e.g. n1-p3-c6"),
        [one] => d.with_help(format!("did you mean {one}?")),
        many => d.with_help(format!("did you mean {}?", many.join(" or "))),
    }
}

/// The key a relative Markdown link points to: `../2022/somu.md` from `2023/somu` → `2022/somu`.
fn relative_key(from_key: &str, link: &str) -> String {
    let decoded = percent_decode(link);
    let mut parts: Vec<&str> = from_key.split('/').collect();
    parts.pop();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/").trim_end_matches(".md").to_string()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 0 && i + 2 <= bytes.len() - 1 {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_keys() {
        assert_eq!(relative_key("2023/somu", "../2022/somu.md"), "2022/somu");
        assert_eq!(relative_key("2023/somu", "shimin.md"), "2023/shimin");
        assert_eq!(relative_key("a", "b/c.md"), "b/c");
        assert_eq!(
            relative_key("2023/somu", "%E7%B7%8F%E5%8B%99.md"),
            "2023/総務"
        );
    }
}
