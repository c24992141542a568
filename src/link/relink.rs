//! Incremental linking: re-resolve only the references whose result can have
//! changed, update the links in place, and end with exactly what
//! [`link::link`] would give.
//!
//! A reference's resolution depends on the citing document (its key, for
//! relative links), on the lookup tables (keys, and department and year of
//! every document) and on the target document's directives and headings.
//! So while no document was added or removed and no department or year
//! changed (the lookup tables are the same, and document indexes are stable),
//! only these need resolving again: the references of changed documents,
//! those that pointed into a changed document, and those that failed (their
//! diagnostics are reported again, and they may resolve now). Only the
//! backlinks of the documents those references pointed to, before or after,
//! are gathered again. Anything else falls back to a full [`link::link`].

use super::{self as link, Citer, Links, SiteIndex};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Document;

/// What changed in the documents since they were last linked.
#[derive(Debug, Default)]
pub struct Pending {
    /// A document was added or removed, or a department or year changed:
    /// indexes or lookups moved, so everything is linked again.
    pub structure: bool,
    /// Indexes of documents whose content changed (stable when `structure` is false).
    pub changed: Vec<usize>,
}

/// Brings `links` up to date with `docs`. `links` must be the links of the
/// same documents before the changes in `pending` (or `fresh` is false, and
/// everything is linked anew). Returns the diagnostics of linking, the same
/// as `link::link` would report.
pub fn relink(
    docs: &[Document],
    config: &Config,
    links: &mut Links,
    fresh: bool,
    pending: &Pending,
) -> Vec<Diagnostic> {
    if !fresh || pending.structure || links.targets.len() != docs.len() {
        let (all, diagnostics) = link::link(docs, config);
        *links = all;
        return diagnostics;
    }
    let mut changed = vec![false; docs.len()];
    for &i in &pending.changed {
        changed[i] = true;
    }
    // Documents whose backlinks are gathered again: those pointed to, before
    // or after, by a reference resolved again, and the changed ones.
    let mut touched = changed.clone();
    // Built only if something is resolved again (it folds every department).
    let mut index: Option<SiteIndex<'_>> = None;
    let mut diagnostics = Vec::new();
    for (di, doc) in docs.iter().enumerate() {
        let targets = &mut links.targets[di];
        if changed[di] {
            for t in targets.iter().flatten() {
                touched[t.doc] = true;
            }
            *targets = vec![None; doc.references.len()];
        }
        for (ri, r) in doc.references.iter().enumerate() {
            let slot = &mut targets[ri];
            match slot {
                Some(t) if !changed[di] && !changed[t.doc] => continue,
                Some(t) => touched[t.doc] = true,
                None => {}
            }
            let index = index.get_or_insert_with(|| SiteIndex::new(docs, config));
            *slot = match link::resolve(index, di, r) {
                Ok(t) => {
                    touched[t.doc] = true;
                    Some(t)
                }
                Err(d) => {
                    diagnostics.push(d);
                    None
                }
            };
        }
    }
    for (di, doc) in docs.iter().enumerate().filter(|(i, _)| touched[*i]) {
        links.directive_backlinks[di] = vec![Vec::new(); doc.directives.len()];
        links.document_backlinks[di].clear();
    }
    let mut resolved = 0;
    for (di, doc) in docs.iter().enumerate() {
        for (r, t) in doc.references.iter().zip(&links.targets[di]) {
            let Some(t) = t else { continue };
            resolved += 1;
            if !touched[t.doc] {
                continue;
            }
            let citer = Citer {
                doc: di,
                directive: r.from,
            };
            link::record_backlink(
                &mut links.directive_backlinks,
                &mut links.document_backlinks,
                t,
                citer,
            );
        }
    }
    for di in (0..docs.len()).filter(|&i| touched[i]) {
        for list in links.directive_backlinks[di]
            .iter_mut()
            .chain(std::iter::once(&mut links.document_backlinks[di]))
        {
            list.sort();
            list.dedup();
        }
    }
    links.resolved = resolved;
    diagnostics
}
