//! Which document follows which, and the alignment of every such pair.
//!
//! A document's predecessor is the `previous:` document if given (any DOC form
//! of SPEC §4; it must be of an earlier year), else the same department's
//! latest earlier year (the first by key if that year has several). A
//! document's successor is the one that names it as predecessor — the earliest
//! year, then the first by key, if several do (a department split in two).

use std::collections::HashMap;

use rayon::prelude::*;

use super::align::{align_items, Alignment};
use super::grams::{Items, Scratch};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::era::display_fiscal_year;
use crate::link::{resolve_document, SiteIndex};
use crate::model::Document;
use crate::search::normalize::normalize;

/// A document aligned with its predecessor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Comparison {
    /// Index of the predecessor (the old document).
    pub old: usize,
    /// The aligned directives.
    pub alignment: Alignment,
}

/// Every comparison of the site.
#[derive(Debug, Clone, Default)]
pub struct Comparisons {
    /// Per document: its comparison with its predecessor, if it has one.
    pub of: Vec<Option<Comparison>>,
    /// Per document: the document that follows it, if any.
    pub successor: Vec<Option<usize>>,
}

impl Comparisons {
    /// The predecessor of document `i`.
    pub fn predecessor(&self, i: usize) -> Option<usize> {
        self.of.get(i)?.as_ref().map(|c| c.old)
    }

    /// The comparison of document `i` with its predecessor.
    pub fn get(&self, i: usize) -> Option<&Comparison> {
        self.of.get(i)?.as_ref()
    }

    /// The comparison in which document `i` is the old side (with its successor).
    pub fn next_of(&self, i: usize) -> Option<(usize, &Comparison)> {
        let s = (*self.successor.get(i)?)?;
        Some((s, self.get(s)?))
    }
}

/// Finds every predecessor and aligns every document with its own. Errors: a
/// `previous:` that names no document, or one of the same or a later year.
pub fn compare(docs: &[Document], config: &Config) -> (Comparisons, Vec<Diagnostic>) {
    let (predecessors, errors) = predecessors(docs, config);
    let alignments = align_chains(docs, &predecessors);
    (assemble(docs, &predecessors, alignments), errors)
}

/// How many pairs [`align_chains`] aligns at a time: 64 held the compare
/// stage's peak 26 MB lower than 256 at 5,000 policies, in the same time
/// (BENCHMARKS.md, issue 11, sixth round).
const BATCH: usize = 64;

/// The alignment of every document with its predecessor.
///
/// Most documents are compared twice (with their predecessor and their
/// successor), so their directives are prepared ([`Items::of`]) once for
/// both; but the items of a whole site (normalised texts and bigram sets)
/// are several times its Markdown, so they are made a batch at a time,
/// with the pairs taken along each department's years, where a document and
/// its successor fall into the same batch.
fn align_chains(docs: &[Document], predecessors: &[Option<usize>]) -> Vec<Option<Alignment>> {
    let mut pairs: Vec<(usize, usize)> = predecessors
        .iter()
        .enumerate()
        .filter_map(|(new, p)| Some(((*p)?, new)))
        .collect();
    let departments: Vec<String> = docs.iter().map(|d| normalize(&d.meta.department)).collect();
    pairs.sort_by(|a, b| {
        (&departments[a.1], docs[a.1].meta.year, a.1).cmp(&(
            &departments[b.1],
            docs[b.1].meta.year,
            b.1,
        ))
    });
    let mut alignments: Vec<Option<Alignment>> = vec![None; docs.len()];
    for batch in pairs.chunks(BATCH) {
        let mut needed: Vec<usize> = batch.iter().flat_map(|&(old, new)| [old, new]).collect();
        needed.sort_unstable();
        needed.dedup();
        let items: Vec<Items> = needed
            .par_iter()
            .map_init(Scratch::default, |scratch, &d| Items::of(&docs[d], scratch))
            .collect();
        let of = |d: usize| &items[needed.binary_search(&d).unwrap_or_default()];
        let aligned: Vec<Alignment> = batch
            .par_iter()
            .map_init(Scratch::default, |scratch, &(old, new)| {
                align_items(of(old), of(new), scratch)
            })
            .collect();
        for (&(_, new), a) in batch.iter().zip(aligned) {
            alignments[new] = Some(a);
        }
    }
    alignments
}

/// [`compare`], with `align_pair(old, new)` making each alignment (watch
/// reuses the alignments of documents that did not change).
pub fn compare_with(
    docs: &[Document],
    config: &Config,
    align_pair: &(dyn Fn(usize, usize) -> Alignment + Sync),
) -> (Comparisons, Vec<Diagnostic>) {
    let (predecessors, errors) = predecessors(docs, config);
    let alignments = predecessors
        .par_iter()
        .enumerate()
        .map(|(i, p)| p.map(|old| align_pair(old, i)))
        .collect();
    (assemble(docs, &predecessors, alignments), errors)
}

/// The comparisons, from each document's predecessor and alignment.
fn assemble(
    docs: &[Document],
    predecessors: &[Option<usize>],
    alignments: Vec<Option<Alignment>>,
) -> Comparisons {
    let of: Vec<Option<Comparison>> = predecessors
        .iter()
        .zip(alignments)
        .map(|(p, alignment)| {
            Some(Comparison {
                old: (*p)?,
                alignment: alignment?,
            })
        })
        .collect();
    let mut successor: Vec<Option<usize>> = vec![None; docs.len()];
    for (i, p) in predecessors.iter().enumerate() {
        if let Some(old) = *p {
            let better = match successor[old] {
                None => true,
                // Documents are sorted by key, so the first of a year is kept.
                Some(s) => docs[i].meta.year < docs[s].meta.year,
            };
            if better {
                successor[old] = Some(i);
            }
        }
    }
    Comparisons { of, successor }
}

/// The predecessor of every document.
pub fn predecessors(docs: &[Document], config: &Config) -> (Vec<Option<usize>>, Vec<Diagnostic>) {
    // Each department's documents, by year then key (documents are sorted by key).
    let mut by_department: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        by_department
            .entry(normalize(&d.meta.department))
            .or_default()
            .push(i);
    }
    for list in by_department.values_mut() {
        list.sort_by_key(|&j| (docs[j].meta.year, j));
    }
    // Only needed, and only built, when a document names its predecessor.
    let index = docs
        .iter()
        .any(|d| d.meta.previous.is_some())
        .then(|| SiteIndex::new(docs, config));
    let mut errors = Vec::new();
    let found = docs
        .iter()
        .map(|d| match (&d.meta.previous, &index) {
            (Some(p), Some(index)) => {
                let at = |m: String| Diagnostic::error(m).at(&d.source, p.span.clone());
                let written = format!("`{}`", p.target);
                match resolve_document(
                    index,
                    &p.target,
                    &p.target,
                    "previous:",
                    &written,
                    None,
                    &at,
                ) {
                    Ok(j) if docs[j].meta.year < d.meta.year => Some(j),
                    Ok(j) => {
                        errors.push(
                            at(format!(
                                "`previous: {}` is not of an earlier year: {} is {}",
                                p.target,
                                docs[j].key,
                                display_fiscal_year(docs[j].meta.year)
                            ))
                            .with_help(format!(
                                "name the policy this one follows, issued before {}",
                                display_fiscal_year(d.meta.year)
                            )),
                        );
                        None
                    }
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                }
            }
            _ => {
                let list = &by_department[&normalize(&d.meta.department)];
                // The latest earlier year; of several that year, the first by key.
                let before = list.partition_point(|&j| docs[j].meta.year < d.meta.year);
                let latest = docs[*list[..before].last()?].meta.year;
                let first = list[..before].partition_point(|&j| docs[j].meta.year < latest);
                Some(list[first])
            }
        })
        .collect();
    (found, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::testing::{doc, doc_with};

    const BODY: &str = "1. 方針\n\n① 研修を行うこと。\n\n② 会議は短くすること。\n";

    #[test]
    fn the_first_year_has_no_predecessor() {
        let docs = vec![doc("2023/somu", 2023, BODY)];
        let (c, errors) = compare(&docs, &Config::default());
        assert!(errors.is_empty());
        assert_eq!(c.predecessor(0), None);
        assert_eq!(c.successor[0], None);
        assert!(c.next_of(0).is_none());
    }

    #[test]
    fn the_latest_earlier_year_of_the_department_is_the_predecessor() {
        let docs = vec![
            doc("2022/somu", 2022, BODY),
            doc("2023/somu", 2023, BODY),
            doc_with("2023/shimin", 2023, "市民部", "", BODY),
            doc("2025/somu", 2025, BODY),
        ];
        let (c, errors) = compare(&docs, &Config::default());
        assert!(errors.is_empty());
        assert_eq!(c.predecessor(0), None);
        assert_eq!(c.predecessor(1), Some(0));
        assert_eq!(c.predecessor(2), None, "another department");
        assert_eq!(c.predecessor(3), Some(1), "a missing year is skipped");
        assert_eq!(c.successor[0], Some(1));
        assert_eq!(c.successor[1], Some(3));
    }

    #[test]
    fn a_renamed_department_follows_through_previous() {
        let docs = vec![
            doc_with("2024/kodomo", 2024, "子ども部", "", BODY),
            doc_with(
                "2025/kodomo-mirai",
                2025,
                "こども未来部",
                "previous: 子ども部/令和6年度\n",
                &BODY.replace("短く", "30分以内に"),
            ),
        ];
        let (c, errors) = compare(&docs, &Config::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(c.predecessor(1), Some(0));
        assert_eq!(c.successor[0], Some(1));
        let counts = c.get(1).unwrap().alignment.counts();
        assert_eq!((counts.same, counts.changed), (2, 1));
    }

    #[test]
    fn an_unknown_previous_is_a_located_error_with_a_suggestion() {
        let docs = vec![
            doc("2023/somu", 2023, BODY),
            doc("2024/somu", 2024, BODY).clone(),
            doc_with("2025/somu", 2025, "総務部", "previous: 2024/som\n", BODY),
        ];
        let (c, errors) = compare(&docs, &Config::default());
        assert_eq!(errors.len(), 1);
        let text = errors[0].to_string();
        assert!(text.contains("content/2025/somu.md:5:11"), "{text}");
        assert!(text.contains("no document `2024/som`"), "{text}");
        assert!(text.contains("did you mean `2024/somu`"), "{text}");
        assert_eq!(c.predecessor(2), None);
    }

    #[test]
    fn previous_must_be_an_earlier_year() {
        let docs = vec![
            doc_with("2024/a", 2024, "総務部", "previous: 2024/b\n", BODY),
            doc_with("2024/b", 2024, "市民部", "", BODY),
        ];
        let (_, errors) = compare(&docs, &Config::default());
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().contains("not of an earlier year"),
            "{}",
            errors[0]
        );
    }
}
