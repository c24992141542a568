//! Rendering what changed and writing it: the pages whose fingerprint
//! differs from the last write, the anchor and search indexes, attachments,
//! and the removal of what the site no longer has.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::loaded::Loaded;
use super::{timed, Timings};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::{self, OutputFile};
use crate::render::deps as fingerprint;
use crate::render::{json, Page, SiteView};
use crate::search::IndexState;
use crate::write;

/// A successful rebuild.
pub struct Built {
    /// Documents, directives and resolved references of the site.
    pub documents: usize,
    /// Directives.
    pub directives: usize,
    /// Resolved references.
    pub references: usize,
    /// Pages rendered (the others could not have changed).
    pub rendered: usize,
    /// Pages the site has.
    pub pages: usize,
    /// Files written because their bytes changed.
    pub written: usize,
    /// Files removed because the site no longer has them.
    pub removed: usize,
    /// True when the whole output folder was written (and swapped in).
    pub full_write: bool,
    /// True when directives.json and the search index were left for
    /// [`Workspace::settle`](super::Workspace::settle).
    pub indexes_deferred: bool,
    /// When the pages of the documents that changed were on disk (they are
    /// written before the rest of a rebuild), if any were.
    pub pages_first: Option<std::time::Instant>,
    /// True when only those pages were written: the rest of the rebuild
    /// gave way to a newer change, and the next rebuild does it.
    pub gave_way: bool,
    /// Warnings of the documents read in this rebuild.
    pub warnings: Diagnostics,
    /// The output folder.
    pub output: PathBuf,
}

/// Pages rendered between two questions to `cancelled` (see
/// [`render_and_write`]): the saved page's department and year listings,
/// the home page and the directive index take a few milliseconds each.
const RENDER_BATCH: usize = 4;

/// What the last successful write left in the output folder.
pub(super) struct Written {
    /// The output folder written to.
    pub(super) output: PathBuf,
    /// Fingerprint of every page, by output path.
    pub(super) fingerprints: HashMap<String, u64>,
    /// Every file of the output, by path.
    pub(super) files: HashSet<String>,
}

impl Written {
    /// What a complete write of `pages` and `files` into `output` left.
    pub(super) fn of(
        output: &Path,
        pages: Vec<fingerprint::PageFingerprint>,
        files: HashSet<String>,
    ) -> Written {
        Written {
            output: output.to_path_buf(),
            fingerprints: pages.into_iter().map(|p| (p.path, p.fingerprint)).collect(),
            files,
        }
    }
}

/// A failed render or write: its diagnostics, and if the write failed half-way,
/// the files the site has now (some may have been written).
pub(super) type Failed = (Diagnostics, Option<HashSet<String>>);

/// Renders the pages whose fingerprint differs from `previous` (all of them if
/// `everything`), makes the anchor and search indexes, and writes what changed:
/// the whole output folder if nothing was written before, else only the files
/// whose bytes differ, removing the ones the site no longer has.
///
/// The full render is the same composition as `build::build` (pages,
/// `directives.json`, the theme's static files, the search index), and the
/// first write streams a whole new output folder and swaps it in, as
/// `hoshin build` does (see [`super::first_write`]).
///
/// With `defer_indexes` (and an output already written), `directives.json`
/// and the search index are left as they are, to be brought up to date by
/// [`Workspace::settle`](super::Workspace::settle) once the author pauses: together they are as large as the
/// rest of the site, and rewriting them would cost an edit its 100 ms.
///
/// The pages of `first` (the documents that changed) are rendered and
/// written before anything else: the page an author is looking at does not
/// wait for the listings, the directive index and the pages that cite it.
///
/// With deferred indexes, the rest (fingerprints, the other pages, the
/// search overlay, removals) asks `cancelled` every few milliseconds and
/// gives way, writing nothing more, as soon as it says so: the next save's
/// page does not wait for this one's listings either. The state returned
/// then is the previous write plus the pages of `first`, without their
/// fingerprints, so the next rebuild renders everything this one left.
#[allow(clippy::too_many_arguments)]
pub(super) fn render_and_write(
    loaded: &Loaded,
    previous: Option<&Written>,
    everything: bool,
    defer_indexes: bool,
    delta: Option<(&IndexState, &[String])>,
    first: &[usize],
    cancelled: &mut dyn FnMut() -> bool,
    timings: &mut Timings,
) -> Result<(Built, Written, Option<IndexState>), Failed> {
    let Ok(theme) = &loaded.theme else {
        unreachable!("theme errors stop the build before rendering")
    };
    // An output folder deleted while watch runs (or its marker or theme
    // files removed) is written again whole, as on the first write: writing
    // only the changed pages would leave a site without its pages or styles.
    let previous = previous.filter(|_| output_intact(&loaded.output, &theme.static_files));
    let site = &loaded.site;
    let view = site.view();
    let everything = everything || previous.is_none();
    let mut pages_first = None;
    let mut early: HashSet<String> = HashSet::new();
    let mut early_written = 0;
    if !everything && !first.is_empty() {
        let rendered: Vec<_> = timed(timings, "render page", || {
            first
                .par_iter()
                .map(|&i| view.render(theme, &Page::Document(i)))
                .collect()
        });
        let files = rendered_files(rendered).map_err(|errors| (errors, None))?;
        let result = timed(timings, "write page", || {
            write::write_changed(&loaded.output, &files, &HashSet::new())
        });
        let e = match result {
            Ok(c) => {
                early_written = c.written;
                None
            }
            Err(e) => Some(e),
        };
        if let Some(e) = e {
            let mut d = Diagnostics::default();
            d.push(Diagnostic::error(format!(
                "cannot write {}: {e}",
                loaded.output.display()
            )));
            // Render and compare everything next time.
            let mut all: HashSet<String> = previous.map(|w| w.files.clone()).unwrap_or_default();
            all.extend(files.into_iter().map(|f| f.path));
            return Err((d, Some(all)));
        }
        pages_first = Some(std::time::Instant::now());
        early.extend(files.into_iter().map(|f| f.path));
    }
    let defer_indexes = defer_indexes && previous.is_some();
    // Only a rebuild that leaves the indexes for later can leave its pages
    // for later too (a plain rebuild, or a first write, finishes).
    let mut give_way = || defer_indexes && !everything && cancelled();
    let gave_way = |previous: Option<&Written>, early: HashSet<String>| {
        let previous = previous.expect("giving way needs a previous write");
        let mut state = Written {
            output: loaded.output.clone(),
            fingerprints: previous.fingerprints.clone(),
            files: previous.files.clone(),
        };
        for path in &early {
            state.fingerprints.remove(path);
        }
        let built = Built {
            documents: site.docs.len(),
            directives: site.docs.iter().map(|d| d.directives.len()).sum(),
            references: site.links.resolved,
            rendered: early.len(),
            pages: previous.fingerprints.len(),
            written: early_written,
            removed: 0,
            full_write: false,
            indexes_deferred: true,
            pages_first,
            gave_way: true,
            warnings: Diagnostics::default(),
            output: loaded.output.clone(),
        };
        state.files.extend(early);
        Ok((built, state, None))
    };
    if give_way() {
        return gave_way(previous, early);
    }
    let Some(pages) = timed(timings, "fingerprint", || {
        fingerprint::pages_unless(&view, &loaded.faces, &mut give_way)
    }) else {
        return gave_way(previous, early);
    };
    // The first write (or one into an output deleted meanwhile) streams
    // the whole site into a staging folder; what follows writes changes.
    let Some(before) = previous else {
        return super::first_write::first_write(loaded, theme, pages, timings);
    };
    let dirty: Vec<_> = pages
        .iter()
        .filter(|p| {
            everything
                || (!early.contains(&p.path)
                    && before.fingerprints.get(&p.path) != Some(&p.fingerprint))
        })
        .collect();
    let mut results = Vec::with_capacity(dirty.len());
    let mut stopped = false;
    timed(timings, "render", || {
        // A few pages at a time, asking between them (a listing takes a
        // few milliseconds).
        for batch in dirty.chunks(RENDER_BATCH) {
            if give_way() {
                stopped = true;
                return;
            }
            results.par_extend(batch.par_iter().map(|p| view.render(theme, &p.page)));
        }
    });
    if stopped {
        return gave_way(previous, early);
    }
    let mut files = rendered_files(results).map_err(|errors| (errors, None))?;
    let mut search = None;
    if !defer_indexes {
        let (index, state) = timed(timings, "indexes", || index_files(&view));
        files.extend(index);
        search = state;
    } else if let (true, Some((state, touched))) = (site.config.search_enabled, delta) {
        // Search stays current at once: an overlay re-indexes the documents
        // changed since the full index, which the settle rebuilds later.
        files.extend(timed(timings, "search delta", || {
            crate::search_records::delta_files(state, &view, touched)
        }));
    }
    let statics = theme.static_files.iter().map(|(p, b)| OutputFile {
        path: p.clone(),
        bytes: b.clone(),
    });
    if everything {
        files.extend(statics);
    }
    if give_way() {
        return gave_way(previous, early);
    }
    // Every file the site has now, to find the ones to remove.
    let mut produced: HashSet<String> = pages.iter().map(|p| p.path.clone()).collect();
    if defer_indexes {
        // The indexes written before stay until the settle.
        produced.extend(
            before
                .files
                .iter()
                .filter(|f| layout::is_index_file(f))
                .cloned(),
        );
    }
    produced.extend(files.iter().map(|f| f.path.clone()));
    produced.extend(theme.static_files.iter().map(|(p, _)| p.clone()));
    produced.extend(loaded.assets.keys().cloned());
    let write_result = timed(timings, "write", || -> std::io::Result<write::Changed> {
        let copy: Vec<&String> = if everything {
            loaded.assets.keys().collect()
        } else {
            loaded.pending_assets.iter().collect()
        };
        for rel in copy {
            // An attachment deleted since is dealt with at its own event.
            if let Ok(bytes) = std::fs::read(&loaded.assets[rel]) {
                files.push(OutputFile {
                    path: rel.clone(),
                    bytes,
                });
            }
        }
        let stale: HashSet<String> = before.files.difference(&produced).cloned().collect();
        let counts = write::write_changed(&loaded.output, &files, &stale)?;
        remove_empty_folders(&loaded.output, &stale);
        Ok(counts)
    });
    let write::Changed { written, removed } = match write_result {
        Ok(counts) => write::Changed {
            written: counts.written + early_written,
            removed: counts.removed,
        },
        Err(e) => {
            let mut d = Diagnostics::default();
            d.push(Diagnostic::error(format!(
                "cannot write {}: {e}",
                loaded.output.display()
            )));
            return Err((d, Some(produced)));
        }
    };
    let built = Built {
        documents: site.docs.len(),
        directives: site.docs.iter().map(|d| d.directives.len()).sum(),
        references: site.links.resolved,
        rendered: dirty.len() + early.len(),
        pages: pages.len(),
        written,
        removed,
        full_write: false,
        indexes_deferred: defer_indexes,
        pages_first,
        gave_way: false,
        warnings: Diagnostics::default(),
        output: loaded.output.clone(),
    };
    Ok((built, Written::of(&loaded.output, pages, produced), search))
}

/// True if the output folder still holds hoshin's marker and the theme's
/// static files: a few `stat` calls, cheap enough for every rebuild.
pub(super) fn output_intact(output: &Path, statics: &[(String, Vec<u8>)]) -> bool {
    output.join(crate::output_dir::MARKER).is_file()
        && statics.iter().all(|(p, _)| output.join(p).is_file())
}

/// Removes the folders that removing `stale` files left empty (a clean build
/// has no empty folders), from the deepest up; never the output folder itself.
pub(super) fn remove_empty_folders(output: &Path, stale: &HashSet<String>) {
    let mut folders: BTreeSet<&str> = BTreeSet::new();
    for path in stale {
        let mut p = path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            folders.insert(parent);
            p = parent;
        }
    }
    // Deepest first: a longer path sorts after its parent.
    for folder in folders.iter().rev() {
        // Fails, as wanted, if the folder still holds anything.
        let _ = std::fs::remove_dir(output.join(folder));
    }
}

/// `directives.json` and the search index, as the full build makes them,
/// and where the index put each document's records.
fn index_files(view: &SiteView<'_>) -> (Vec<OutputFile>, Option<IndexState>) {
    let mut files = vec![OutputFile {
        path: layout::DIRECTIVES_JSON.into(),
        bytes: json::directives_json(view),
    }];
    let mut state = None;
    if view.config.search_enabled {
        let (index, s) = crate::search_records::index_files_with_state(view);
        files.extend(index);
        state = Some(s);
    }
    (files, state)
}

/// The pages rendered, or every error rendering them gave.
fn rendered_files(
    results: Vec<Result<OutputFile, Diagnostic>>,
) -> Result<Vec<OutputFile>, Diagnostics> {
    let mut files = Vec::with_capacity(results.len() + 8);
    let mut errors = Diagnostics::default();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok(files)
    }
}
