//! The site as the incremental build keeps it between rebuilds: every
//! document file as last read (its hash, warnings and errors), the parsed and
//! linked documents, attachments, and what changed since the last link.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::content::{read_document, within, Fresh};
use super::{timed, Site, Timings};
use crate::compare::{self, Alignment};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::relink::{self, Pending};
use crate::load::{self, scan, Found};
use crate::model::Status;
use crate::render::deps::Faces;
use crate::render::Theme;

/// One document file as last read.
pub(super) struct Entry {
    /// Hash of the file's bytes.
    pub(super) hash: u64,
    /// Warnings of its parse.
    pub(super) warnings: Vec<Diagnostic>,
    /// Errors of its read or parse (the document is then left out).
    pub(super) errors: Vec<Diagnostic>,
}

/// A loaded site.
pub(super) struct Loaded {
    pub(super) site: Site,
    pub(super) output: PathBuf,
    pub(super) content_dir: PathBuf,
    pub(super) theme: Result<Theme, Vec<Diagnostic>>,
    /// Every document file under content/, by key, read or not.
    pub(super) entries: BTreeMap<String, Entry>,
    /// Fingerprint parts of `site.docs[i]`.
    pub(super) faces: Vec<Faces>,
    /// Attachments: path relative to content/ → file.
    pub(super) assets: BTreeMap<String, PathBuf>,
    /// Attachments to copy at the next write.
    pub(super) pending_assets: BTreeSet<String>,
    /// Problems of the walk (unreadable folders, names that are not Unicode), by path.
    pub(super) scan_errors: BTreeMap<String, Diagnostic>,
    /// Errors of the last link (and of `previous:`).
    pub(super) link_errors: Vec<Diagnostic>,
    /// The alignment of each compared pair, by the directive rows of (old, new):
    /// `Faces::rows` covers every input of an alignment.
    pub(super) alignments: HashMap<(u64, u64), Alignment>,
    /// Whether `site.links` belongs to the current documents as changed by `pending`.
    pub(super) linked: bool,
    pub(super) pending: Pending,
    /// Errors of the last full comparison (of `previous:`).
    pub(super) compare_errors: Vec<Diagnostic>,
    /// A document's `previous:` changed (or one has it): find every
    /// predecessor again at the next link.
    pub(super) compare_all: bool,
}

/// How one document file changed in a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Added,
    Changed,
    Removed,
    Unchanged,
}

/// A document file looked at in a rebuild.
pub(super) struct Seen {
    pub(super) display: String,
    pub(super) key: String,
    pub(super) change: Change,
}

impl Loaded {
    /// Walks each path of `rels` under content/ (a file, a folder, or `""`
    /// for everything; none inside another) as `load::load` walks content/,
    /// and brings the documents and attachments there up to date, reading
    /// all the documents found in parallel. Returns each document file that
    /// was looked at and how it changed (unchanged ones only for single paths).
    pub(super) fn refresh(&mut self, root: &Path, drafts: bool, rels: &[&str]) -> Vec<Seen> {
        let mut documents = Vec::new();
        let mut gone: BTreeSet<String> = BTreeSet::new();
        for &rel in rels {
            let (found, errors) = scan(root, &self.content_dir, rel);
            // Forget what was there, then take what the walk found.
            for key in within(&self.scan_errors, rel, "") {
                self.scan_errors.remove(&key);
            }
            self.scan_errors.extend(errors);
            for asset in within(&self.assets, rel, "") {
                self.assets.remove(&asset);
                self.pending_assets.remove(&asset);
            }
            gone.extend(within(&self.entries, rel, ".md"));
            for f in found {
                match f {
                    Found::Asset(asset) => {
                        self.pending_assets.insert(asset.path.clone());
                        self.assets.insert(asset.path, asset.source);
                    }
                    Found::Document { key, path, display } => {
                        gone.remove(&key);
                        documents.push((key, path, display));
                    }
                }
            }
        }
        let config = &self.site.config;
        let entries = &self.entries;
        let fresh: Vec<(String, String, Fresh)> = documents
            .into_par_iter()
            .map(|(key, path, display)| {
                let old = entries.get(&key).map(|e| e.hash);
                let fresh = read_document(&key, &path, &display, old, config);
                (key, display, fresh)
            })
            .collect();
        let mut changes = Vec::new();
        for key in gone {
            let display = load::display_path(root, &self.content_dir.join(format!("{key}.md")));
            let change = self.apply(key.clone(), Fresh::Gone, drafts);
            changes.push(Seen {
                display,
                key,
                change,
            });
        }
        for (key, display, fresh) in fresh {
            let change = self.apply(key.clone(), fresh, drafts);
            changes.push(Seen {
                display,
                key,
                change,
            });
        }
        if rels.len() > 1 || rels.contains(&"") {
            changes.retain(|s| s.change != Change::Unchanged);
        }
        changes
    }

    /// Records what was read of one document.
    pub(super) fn apply(&mut self, key: String, fresh: Fresh, drafts: bool) -> Change {
        let existed = self.entries.contains_key(&key);
        let at = self
            .site
            .docs
            .binary_search_by(|d| d.key.as_str().cmp(&key));
        let change = match (&fresh, existed) {
            (Fresh::Same, _) => return Change::Unchanged,
            (Fresh::Gone, false) => return Change::Unchanged,
            (Fresh::Gone, true) => Change::Removed,
            (_, true) => Change::Changed,
            (_, false) => Change::Added,
        };
        let keep = match fresh {
            Fresh::Same => unreachable!(),
            Fresh::Gone => {
                self.entries.remove(&key);
                None
            }
            Fresh::Broken { hash, errors } => {
                self.entries.insert(
                    key,
                    Entry {
                        hash,
                        warnings: Vec::new(),
                        errors,
                    },
                );
                None
            }
            Fresh::Parsed {
                hash,
                doc,
                warnings,
            } => {
                self.entries.insert(
                    key,
                    Entry {
                        hash,
                        warnings,
                        errors: Vec::new(),
                    },
                );
                (drafts || doc.meta.status != Status::Draft).then(|| {
                    let faces = Faces::of(&doc, hash);
                    (doc, faces)
                })
            }
        };
        match (at, keep) {
            (Ok(i), Some((doc, faces))) => {
                let old = &self.site.docs[i].meta;
                // Department and year are how documents are looked up: a change moves lookups.
                if old.department != doc.meta.department || old.year != doc.meta.year {
                    self.pending.structure = true;
                }
                // `previous:` decides predecessors, and its errors point into the text.
                if old.previous.is_some() || doc.meta.previous.is_some() {
                    self.compare_all = true;
                }
                self.site.docs[i] = *doc;
                self.faces[i] = faces;
                self.pending.changed.push(i);
            }
            (Ok(i), None) => {
                self.site.docs.remove(i);
                self.faces.remove(i);
                self.pending.structure = true;
            }
            (Err(i), Some((doc, faces))) => {
                self.site.docs.insert(i, *doc);
                self.faces.insert(i, faces);
                self.pending.structure = true;
            }
            (Err(_), None) => {}
        }
        change
    }

    /// Links the documents again, reusing what did not change.
    pub(super) fn link(&mut self, timings: &mut Timings) {
        let site = &mut self.site;
        self.link_errors = timed(timings, "link", || {
            relink::relink(
                &site.docs,
                &site.config,
                &mut site.links,
                self.linked,
                &self.pending,
            )
        });
        let fresh = self.linked;
        self.linked = true;
        let pending = std::mem::take(&mut self.pending);
        let n = site.docs.len();
        if fresh && !pending.structure && !self.compare_all && site.comparisons.of.len() == n {
            // Predecessors depend on departments, years and `previous:`, none
            // of which changed: align again only the pairs a changed document
            // is in, and keep the rest (and the errors of `previous:`).
            timed(timings, "compare", || {
                let mut changed = vec![false; n];
                for &i in &pending.changed {
                    changed[i] = true;
                }
                for i in 0..n {
                    let Some(c) = &site.comparisons.of[i] else {
                        continue;
                    };
                    if !changed[i] && !changed[c.old] {
                        continue;
                    }
                    let key = (self.faces[c.old].rows, self.faces[i].rows);
                    let alignment = match self.alignments.get(&key) {
                        Some(a) => a.clone(),
                        None => {
                            let a = compare::align(&site.docs[c.old], &site.docs[i]);
                            self.alignments.insert(key, a.clone());
                            a
                        }
                    };
                    if let Some(c) = &mut site.comparisons.of[i] {
                        c.alignment = alignment;
                    }
                }
            });
            self.link_errors.extend(self.compare_errors.iter().cloned());
            return;
        }
        self.compare_all = false;
        // A pair of documents whose directives did not change keeps its alignment.
        let faces = &self.faces;
        let cache = &self.alignments;
        let (comparisons, errors) = timed(timings, "compare", || {
            compare::site::compare_with(&site.docs, &site.config, &|old, new| {
                cache
                    .get(&(faces[old].rows, faces[new].rows))
                    .cloned()
                    .unwrap_or_else(|| compare::align(&site.docs[old], &site.docs[new]))
            })
        });
        // Keep the alignments still in use, add the new ones: cloning only
        // what was aligned anew (a rebuild keeps thousands of them).
        let pairs: HashMap<(u64, u64), usize> = comparisons
            .of
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some(((faces[c.as_ref()?.old].rows, faces[i].rows), i)))
            .collect();
        self.alignments.retain(|k, _| pairs.contains_key(k));
        for (key, i) in pairs {
            if let (std::collections::hash_map::Entry::Vacant(e), Some(c)) =
                (self.alignments.entry(key), &comparisons.of[i])
            {
                e.insert(c.alignment.clone());
            }
        }
        site.comparisons = comparisons;
        self.link_errors.extend(errors.iter().cloned());
        self.compare_errors = errors;
    }

    /// Every diagnostic of the site as it is now.
    pub(super) fn diagnostics(&self, root: &Path) -> Diagnostics {
        let mut d = Diagnostics::default();
        if !self.content_dir.is_dir() {
            // The same message as a build gives.
            d.extend(load::load(root, &self.content_dir).1);
        }
        d.extend(self.scan_errors.values().cloned());
        for entry in self.entries.values() {
            d.extend(entry.warnings.iter().cloned());
            d.extend(entry.errors.iter().cloned());
        }
        d.extend(self.link_errors.iter().cloned());
        d
    }
}
