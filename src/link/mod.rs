//! Link: resolve every reference (`[[…]]` and Markdown links to `.md` files or
//! anchors) against the whole site, report the ones that do not resolve with
//! suggestions, and collect backlinks.

pub mod citation;
pub mod relink;

use rayon::prelude::*;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::era::{display_fiscal_year, parse_year};
use crate::marker::{katakana_index, MarkerKind, AIUEO, IROHA};
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

/// Records that `citer` cites `target`: on the cited directive, or on the
/// document as a whole. Takes the two lists rather than [`Links`] so that a
/// caller can read `Links::targets` meanwhile.
pub fn record_backlink(
    directive_backlinks: &mut [Vec<Vec<Citer>>],
    document_backlinks: &mut [Vec<Citer>],
    target: &Target,
    citer: Citer,
) {
    match target.directive {
        Some(d) => directive_backlinks[target.doc][d].push(citer),
        None => document_backlinks[target.doc].push(citer),
    }
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
    // Resolving is a lookup per reference, independent of the others: done
    // in parallel (at 5,000 policies, 61,000 references were most of a
    // stage that ran on one thread), the backlinks then recorded in order.
    let resolved: Vec<Vec<Result<Target, Diagnostic>>> = docs
        .par_iter()
        .enumerate()
        .map(|(di, doc)| {
            doc.references
                .iter()
                .map(|r| resolve(&index, di, r))
                .collect()
        })
        .collect();
    let mut diagnostics = Vec::new();
    for ((di, doc), results) in docs.iter().enumerate().zip(resolved) {
        let mut targets = Vec::with_capacity(doc.references.len());
        for (r, result) in doc.references.iter().zip(results) {
            match result {
                Ok(t) => {
                    let citer = Citer {
                        doc: di,
                        directive: r.from,
                    };
                    record_backlink(
                        &mut links.directive_backlinks,
                        &mut links.document_backlinks,
                        &t,
                        citer,
                    );
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
    if r.target.trim().trim_start_matches('#').trim().is_empty() {
        return Err(error(format!("empty reference {written}: it names no document or directive"))
            .with_help("write the target, e.g. [[総務部/2023#1.(3)⑥]] or [[#1.(3)⑥]]; for literal brackets write \\[[ …]]"));
    }
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
        resolve_document(
            index,
            &lookup,
            doc_part,
            "reference",
            &written,
            anchor,
            &error,
        )?
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
        // Numbered steps spell the anchor id directly; only katakana steps
        // (whose number depends on アイウ or イロハ order) need the paths compared.
        let found = match citation::id_of(steps) {
            Some(id) => target.directive_by_id(&id),
            None => (0..target.directives.len()).find(|&i| citation::path_of(target, i) == *steps),
        };
        if let Some(i) = found {
            return Ok(Target {
                doc: target_doc,
                anchor: Some(target.directives[i].id().to_string()),
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

/// Resolves the DOC part of a reference (a key, or DEPARTMENT/YEAR in any year
/// form; `lookup` is it with a relative Markdown path made a key). `noun` and
/// `written` name the reference in the messages (`reference`, `[[…]]`),
/// `anchor` is its `#…` part for the suggested fix, and `error` locates a
/// message where the reference stands. Also resolves `previous:` and the
/// documents of `hoshin diff`.
pub fn resolve_document(
    index: &SiteIndex<'_>,
    lookup: &str,
    doc_part: &str,
    noun: &str,
    written: &str,
    anchor: Option<&str>,
    error: &dyn Fn(String) -> Diagnostic,
) -> Result<usize, Diagnostic> {
    match index.document(lookup) {
        Ok(i) => Ok(i),
        Err(DocError::Ambiguous(many)) => {
            let keys: Vec<&str> = many.iter().map(|&i| index.docs[i].key.as_str()).collect();
            Err(error(format!(
                "ambiguous {noun} {written}: `{doc_part}` matches {} documents",
                keys.len()
            ))
            .with_note(format!("candidates: {}", keys.join(", ")))
            .with_help(format!(
                "use a document key instead, e.g. [[{}{}]]",
                keys[0],
                anchor.map(|a| format!("#{a}")).unwrap_or_default()
            )))
        }
        Err(DocError::NoYear { year, years }) => {
            let dept = doc_part.rsplit_once('/').map_or(doc_part, |(d, _)| d);
            let mut d = error(format!(
                "unresolved {noun} {written}: no document of {dept} for {}",
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
            Err(d)
        }
        Err(DocError::Unknown) => {
            let keys = index.docs.iter().map(|d| d.key.as_str());
            let mut d = error(format!(
                "unresolved {noun} {written}: no document `{}`",
                lookup
            ));
            d = match closest(lookup, keys, 3).as_slice() {
                    [] => d.with_help("write the document as its key (2023/somu) or as department/year (総務部/2023, 総務部/令和5年度)"),
                    found => d.with_help(format!("did you mean {}?", found.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" or "))),
                };
            Err(d)
        }
    }
}

/// Adds "did you mean" and the directives that exist at the level the citation reached.
fn unknown_directive(
    mut d: Diagnostic,
    target: &Document,
    anchor: &str,
    wanted: Option<&[citation::Step]>,
) -> Diagnostic {
    let by_id = is_anchor_id(anchor);
    let shown = |i: usize| -> &str {
        let x = &target.directives[i];
        if by_id {
            x.id()
        } else {
            x.citation()
        }
    };
    let (parent, want) = if by_id {
        missing_by_id(target, anchor)
    } else if let Some(steps) = wanted {
        missing_by_citation(target, steps)
    } else {
        (None, None)
    };
    let reached = by_id || wanted.is_some();
    let children: Vec<usize> = (0..target.directives.len())
        .filter(|&i| reached && target.directives[i].parent() == parent)
        .collect();
    if !children.is_empty() {
        let listed: Vec<&str> = children.iter().take(12).map(|&i| shown(i)).collect();
        let more = if children.len() > listed.len() {
            " …"
        } else {
            ""
        };
        let place = match parent {
            Some(p) => format!("{} has", shown(p)),
            None => "the top level has".to_string(),
        };
        d = d.with_note(format!("{place}: {}{more}", listed.join(", ")));
    }
    // The nearest numbers among the siblings the reference was looking for (⑩ for ⑪),
    // else the nearest by spelling.
    let mut near: Vec<&str> = Vec::new();
    if let Some((kind, pos)) = want {
        let position = |i: usize| {
            if by_id {
                let n = target.directives[i].number;
                n.main
                    .saturating_mul(1000)
                    .saturating_add(n.branch.unwrap_or(0))
            } else {
                citation::path_of(target, i)
                    .last()
                    .map_or(0, |(k, v)| step_position(*k, v))
            }
        };
        let same_kind: Vec<(u32, usize)> = children
            .iter()
            .filter(|&&i| target.directives[i].kind == kind)
            .map(|&i| (position(i).abs_diff(pos), i))
            .collect();
        if let Some(best) = same_kind.iter().map(|(dist, _)| *dist).min() {
            near = same_kind
                .iter()
                .filter(|(dist, _)| *dist == best)
                .take(2)
                .map(|&(_, i)| shown(i))
                .collect();
        }
    }
    if near.is_empty() {
        near = if by_id {
            closest(anchor, target.directives.iter().map(|d| d.id()), 2)
        } else {
            closest(anchor, target.directives.iter().map(|d| d.citation()), 2)
        };
    }
    match near.as_slice() {
        [] => d.with_help("cite a directive as written in the document, e.g. 1.(3)⑥, or by its anchor id, e.g. n1-p3-c6"),
        [one] => d.with_help(format!("did you mean {one}?")),
        many => d.with_help(format!("did you mean {}?", many.join(" or "))),
    }
}

/// The place of a step among its siblings: its number (3の2 → 3002), or a
/// katakana letter's place in アイウ order.
fn step_position(kind: MarkerKind, value: &str) -> u32 {
    if kind.is_katakana() {
        let letter = value.chars().next().unwrap_or('ア');
        return katakana_index(AIUEO, letter)
            .or_else(|| katakana_index(IROHA, letter))
            .unwrap_or(0);
    }
    id_number(value).unwrap_or(0)
}

/// `3` → 3000, `3_2` → 3002.
fn id_number(value: &str) -> Option<u32> {
    let (main, branch) = match value.split_once('_') {
        Some((m, b)) => (m, Some(b)),
        None => (value, None),
    };
    let main: u32 = main.parse().ok()?;
    let branch: u32 = branch.map_or(Some(0), |b| b.parse().ok())?;
    Some(main.saturating_mul(1000).saturating_add(branch))
}

/// One segment of an anchor id: `p3` → (P, 3000).
fn id_segment(segment: &str) -> Option<(MarkerKind, u32)> {
    let digits = segment.find(|c: char| c.is_ascii_digit())?;
    let kind = MarkerKind::from_code(&segment[..digits])?;
    Some((kind, id_number(&segment[digits..])?))
}

/// True if an anchor is written as an id (`n1-p3-c11`) rather than a citation.
fn is_anchor_id(anchor: &str) -> bool {
    !anchor.is_empty() && anchor.split('-').all(|s| id_segment(s).is_some())
}

/// For a missing id: its deepest existing ancestor and what it wanted below it.
fn missing_by_id(target: &Document, anchor: &str) -> (Option<usize>, Option<(MarkerKind, u32)>) {
    let segments: Vec<&str> = anchor.split('-').collect();
    for depth in (1..segments.len()).rev() {
        if let Some(i) = target.directive_by_id(&segments[..depth].join("-")) {
            return (Some(i), id_segment(segments[depth]));
        }
    }
    (None, id_segment(segments[0]))
}

/// For a missing citation: its deepest existing ancestor and what it wanted below it.
fn missing_by_citation(
    target: &Document,
    steps: &[citation::Step],
) -> (Option<usize>, Option<(MarkerKind, u32)>) {
    let want = |level: usize| steps.get(level).map(|(k, v)| (*k, step_position(*k, v)));
    for depth in (1..steps.len()).rev() {
        if let Some(i) =
            (0..target.directives.len()).find(|&i| citation::path_of(target, i) == steps[..depth])
        {
            return (Some(i), want(depth));
        }
    }
    (None, want(0))
}

/// The key a relative Markdown link points to: `../2022/somu.md` from `2023/somu` → `2022/somu`.
fn relative_key(from_key: &str, link: &str) -> String {
    let decoded = crate::layout::decode_path(link);
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
        assert_eq!(relative_key("2023/somu", "a%あ.md"), "2023/a%あ");
        assert_eq!(relative_key("2023/somu", "%+1%2.md"), "2023/%+1%2");
        assert_eq!(relative_key("2023/somu", "100%.md"), "2023/100%");
    }

    #[test]
    fn anchor_ids_and_their_numbers() {
        assert!(is_anchor_id("n1-p3-c11"));
        assert!(is_anchor_id("dai2-n3_2-kp1"));
        assert!(!is_anchor_id("1.(3)⑪"));
        assert!(!is_anchor_id("sec-1"));
        assert!(!is_anchor_id("n1-"));
        assert_eq!(id_segment("n3_2"), Some((MarkerKind::N, 3002)));
        assert_eq!(id_segment("kp12"), Some((MarkerKind::Kp, 12000)));
        assert_eq!(step_position(MarkerKind::K, "ウ"), 3);
        assert_eq!(step_position(MarkerKind::C, "10"), 10000);
    }
}
