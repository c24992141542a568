//! The incremental build: the site kept in memory between rebuilds, brought
//! up to date with a set of changed paths, and written.
//!
//! A rebuild re-reads only the paths that changed (a document whose bytes
//! did not change is not parsed again), links again (incrementally, see
//! [`crate::link::relink`]), renders only the pages whose fingerprint changed
//! (see [`crate::render::deps`]), and writes only the
//! files whose bytes changed. Nothing is written while there are errors, so
//! the output always holds the last good site; fingerprints are compared with
//! those of the last *written* site, so a fix after any number of broken
//! edits renders everything they touched.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::emit::{output_intact, render_and_write, Built, Written};
use super::loaded::{Change, Loaded, Seen};
use super::settle::{self, Job};
use super::{check_output_dir, load_config, timed, BuildOptions, Site, Timings};
use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::link::relink::Pending;
use crate::load;
use crate::render::Theme;
use crate::search::IndexState;

/// The folders a site is built from: what a watcher watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePaths {
    /// The content folder (recursively).
    pub content: PathBuf,
    /// The themes folder (recursively).
    pub themes: PathBuf,
    /// The site root itself, not recursively (for site.toml, and for
    /// content/ or themes/ appearing).
    pub root: PathBuf,
}

/// What a batch of file-system events asks to be looked at again.
#[derive(Debug, Default, Clone)]
pub struct ChangeSet {
    /// site.toml changed, or the watcher lost events: reload everything.
    pub everything: bool,
    /// A file of the theme changed.
    pub theme: bool,
    /// Changed paths under the content folder, relative to it with `/`
    /// (`""` is the whole folder).
    pub content: BTreeSet<String>,
    /// Changed paths that are not content, as shown to the user.
    pub other: BTreeSet<String>,
    /// When the first of the changes was noticed.
    pub since: Option<Instant>,
}

impl ChangeSet {
    /// A change set that rebuilds everything (the first build).
    pub fn everything() -> ChangeSet {
        ChangeSet {
            everything: true,
            ..ChangeSet::default()
        }
    }

    /// True if nothing that the site is built from changed.
    pub fn is_empty(&self) -> bool {
        !self.everything && !self.theme && self.content.is_empty()
    }
}

/// How a rebuild went.
pub struct Report {
    /// What changed, for the rebuild's line (`content/2023/somu.md changed`).
    pub what: String,
    /// Success, or the diagnostics (errors and warnings) of a failed build.
    pub result: Result<Built, Diagnostics>,
    /// Time of each stage.
    pub timings: Timings,
    /// Wall time of the rebuild.
    pub elapsed: Duration,
}

/// Most documents the search overlay re-indexes before it waits for the full index.
const MAX_DELTA_DOCUMENTS: usize = 200;

/// The watched site: configuration, theme, documents and links in memory,
/// and what was last written.
pub struct Workspace {
    opts: BuildOptions,
    /// The root with links resolved, as some watchers report paths.
    canonical_root: Option<PathBuf>,
    loaded: Option<Loaded>,
    written: Option<Written>,
    /// Render every page at the next rebuild (the theme or site.toml changed).
    render_everything: bool,
    /// Leave directives.json and the search index to [`Workspace::settle`]
    /// (the watch loop does; a plain rebuild writes everything).
    pub defer_indexes: bool,
    /// A rebuild deferred the indexes and `settle` has not caught up yet.
    indexes_stale: bool,
    /// The last rebuild failed: the site in memory is not the one written.
    broken: bool,
    /// The last rebuild wrote only the saved pages and gave way to a newer
    /// change: the next rebuild does the rest, even if nothing changed.
    unfinished: bool,
    /// Where the full search index written last put each document's records.
    search: Option<IndexState>,
    /// Documents added, changed or removed since that full index: the search
    /// overlay (`search/delta.js`) re-indexes them.
    touched: BTreeSet<String>,
    /// The deferred indexes being built and written on their own thread.
    settling: Option<Job>,
    /// Counts the rebuilds that deferred the indexes: a settle that ends
    /// at a later generation than its snapshot's leaves them stale.
    generation: u64,
    /// The last verdict of the output plan and attachment checks, and the
    /// hash of what they read (see `plan_key`).
    plan: Option<(u64, Vec<crate::diagnostics::Diagnostic>)>,
    /// Set while a rebuild runs: the settle thread's writes wait for it
    /// (see [`crate::write::write_if_changed_paced`]).
    foreground: crate::write::Foreground,
    /// Makes the next settle thread wait for a message before it starts
    /// (the tests land a change while it runs).
    #[cfg(test)]
    pub(super) hold_settle: Option<std::sync::mpsc::Receiver<()>>,
}

impl Workspace {
    /// A workspace for the site at `opts.root`; nothing is read until the first
    /// [`rebuild`](Workspace::rebuild) with [`ChangeSet::everything`].
    pub fn new(opts: BuildOptions) -> Workspace {
        Workspace {
            canonical_root: std::fs::canonicalize(&opts.root).ok(),
            opts,
            loaded: None,
            written: None,
            render_everything: true,
            defer_indexes: false,
            indexes_stale: false,
            broken: false,
            unfinished: false,
            search: None,
            touched: BTreeSet::new(),
            settling: None,
            generation: 0,
            plan: None,
            foreground: crate::write::Foreground::default(),
            #[cfg(test)]
            hold_settle: None,
        }
    }

    /// True while directives.json or the search index lag behind the pages.
    pub fn indexes_stale(&self) -> bool {
        self.indexes_stale
    }

    /// Brings directives.json and the search index up to date after rebuilds
    /// that deferred them (the author paused), and waits until they are
    /// written: [`start_settle`](Workspace::start_settle), then
    /// [`finish_settle`](Workspace::finish_settle). Returns None if they
    /// were up to date, the site has errors (nothing is written then) or
    /// `cancelled` said so before the work could leave the site alone. After
    /// a settle that ends with the indexes no longer stale, the output is
    /// byte for byte what a clean `hoshin build` writes.
    pub fn settle(&mut self, cancelled: &mut dyn FnMut() -> bool) -> Option<Report> {
        if self.settling.is_none() && !self.start_settle(cancelled) {
            return None;
        }
        self.finish_settle(true)
    }

    /// Starts bringing directives.json and the search index up to date, and
    /// returns at once: what they are made of is taken from the site in
    /// memory on this thread (asking `cancelled` between batches of a few
    /// documents, and giving way, nothing written, as soon as it says so),
    /// then they are built and written on a thread of their own, so that a
    /// rebuild meanwhile writes its pages at once. Returns true if that
    /// thread runs now.
    pub fn start_settle(&mut self, cancelled: &mut dyn FnMut() -> bool) -> bool {
        if self.settling.is_some() {
            return true;
        }
        // With pages still to write (a rebuild gave way), those come first.
        if !self.indexes_stale || self.broken || self.unfinished {
            return false;
        }
        let (Some(loaded), Some(written)) = (self.loaded.as_ref(), self.written.as_ref()) else {
            return false;
        };
        if !loaded.output.join(crate::output_dir::MARKER).is_file() {
            // The output folder was deleted: the next rebuild writes it whole.
            return false;
        }
        let started = Instant::now();
        let mut timings = Timings::default();
        let foreground = self.foreground.clone();
        let Some(snapshot) = settle::snapshot(loaded, written, foreground, cancelled, &mut timings)
        else {
            // Given way to a new change: still stale, settled after it.
            return false;
        };
        #[cfg(test)]
        let hold = self.hold_settle.take();
        #[cfg(not(test))]
        let hold = None;
        match settle::spawn(snapshot, hold) {
            Ok(handle) => {
                self.settling = Some(Job {
                    handle,
                    generation: self.generation,
                    touched_since: BTreeSet::new(),
                    started,
                    timings,
                });
                true
            }
            // No thread to be had: try again after the next pause.
            Err(_) => false,
        }
    }

    /// True while the indexes are being built and written on their own thread.
    pub fn settling(&self) -> bool {
        self.settling.is_some()
    }

    /// If the settle thread is done (with `wait`, once it is), records what
    /// it wrote, writes the search overlay over the new index, and returns
    /// how it went. None if no settle runs, or it is not done yet.
    pub fn finish_settle(&mut self, wait: bool) -> Option<Report> {
        let job = self.settling.take_if(|j| wait || j.handle.is_finished())?;
        Some(self.collect(job, true))
    }

    /// Joins a settle thread and takes in what it did; `delta`: write the
    /// search overlay for the documents changed since its snapshot (a
    /// rebuild about to write everything need not).
    fn collect(&mut self, job: Job, delta: bool) -> Report {
        let Job {
            handle,
            generation,
            touched_since,
            started,
            mut timings,
        } = job;
        let settled = match handle.join() {
            Ok(s) => s,
            // A bug: the caller reports it and starts afresh (see `reset`).
            Err(payload) => std::panic::resume_unwind(payload),
        };
        timings
            .stages
            .extend(settled.timings.stages.iter().cloned());
        if let Some(w) = self.written.as_mut() {
            w.files.retain(|f| !settled.removed.contains(f));
            w.files.extend(settled.files.iter().cloned());
        }
        let report = |result| Report {
            what: "directives.json and search index".into(),
            result,
            timings: timings.clone(),
            elapsed: started.elapsed(),
        };
        if !settled.errors.is_empty() {
            let mut d = Diagnostics::default();
            for e in &settled.errors {
                d.push(crate::diagnostics::Diagnostic::error(e.clone()));
            }
            // Stale still: tried again after the next pause.
            return report(Err(d));
        }
        self.search = settled.search;
        // The new index holds the site as of the snapshot; the overlay, what changed since.
        self.touched = touched_since;
        self.indexes_stale = self.generation != generation;
        let mut written = settled.changed.written;
        if let (true, Some(empty), Some(loaded)) = (delta, settled.delta, self.loaded.as_ref()) {
            let overlay = match &self.search {
                Some(state)
                    if !self.touched.is_empty()
                        && !self.broken
                        && self.touched.len() <= MAX_DELTA_DOCUMENTS =>
                {
                    let touched: Vec<String> = self.touched.iter().cloned().collect();
                    crate::search_records::delta_files(state, &loaded.site.view(), &touched)
                        .into_iter()
                        .next()
                        .unwrap_or(empty)
                }
                _ => empty,
            };
            match crate::write::write_if_changed(&loaded.output, &overlay) {
                Ok(w) => written += usize::from(w),
                Err(e) => {
                    let mut d = Diagnostics::default();
                    d.push(crate::diagnostics::Diagnostic::error(format!(
                        "cannot write {}: {e}",
                        overlay.path
                    )));
                    self.indexes_stale = true;
                    return report(Err(d));
                }
            }
        }
        let Some(loaded) = self.loaded.as_ref() else {
            return report(Err(Diagnostics::default()));
        };
        report(Ok(Built {
            documents: loaded.site.docs.len(),
            directives: loaded.site.docs.iter().map(|d| d.directives.len()).sum(),
            references: loaded.site.links.resolved,
            rendered: 0,
            pages: 0,
            written,
            removed: settled.changed.removed,
            full_write: false,
            indexes_deferred: false,
            pages_first: None,
            gave_way: false,
            warnings: Diagnostics::default(),
            output: loaded.output.clone(),
        }))
    }

    /// Waits for a settle thread, if one runs, and takes in what it wrote
    /// (before a rebuild that writes the indexes or the whole output itself).
    fn join_settle(&mut self) {
        if let Some(job) = self.settling.take() {
            // Called during a rebuild: the settle's writes must not wait for it.
            let _waiting = self.foreground.hurry();
            self.collect(job, false);
        }
    }

    /// Forgets everything in memory (after a panic): the next rebuild reads and
    /// renders the whole site again, and writes only what changed.
    pub fn reset(&mut self) {
        if let Some(job) = self.settling.take() {
            // What it wrote still counts for what the output holds.
            if let Ok(settled) = job.handle.join() {
                if let Some(w) = self.written.as_mut() {
                    w.files.retain(|f| !settled.removed.contains(f));
                    w.files.extend(settled.files);
                }
            }
        }
        self.indexes_stale = false;
        self.loaded = None;
        self.render_everything = true;
    }

    fn content_dir(&self) -> PathBuf {
        match &self.loaded {
            Some(l) => l.content_dir.clone(),
            None => self.opts.root.join(Config::default().content_dir),
        }
    }

    fn theme_dir(&self) -> PathBuf {
        let name = match &self.loaded {
            Some(l) => l.site.config.theme.clone(),
            None => Config::default().theme,
        };
        self.opts.root.join("themes").join(name)
    }

    /// The output folder (as site.toml says, or the default while it is broken).
    pub fn output_dir(&self) -> PathBuf {
        match (&self.opts.output, &self.loaded) {
            (Some(o), _) => o.clone(),
            (None, Some(l)) => l.output.clone(),
            (None, None) => self.opts.root.join(Config::default().output_dir),
        }
    }

    /// What to watch: the content folder and the themes recursively, and the
    /// site root alone (for site.toml, and for content/ or themes/ appearing).
    /// The recursive ones come first: the debouncer takes the first root that
    /// holds a path to decide how to track it.
    pub fn watch_paths(&self) -> SitePaths {
        SitePaths {
            content: self.content_dir(),
            themes: self.opts.root.join("themes"),
            root: self.opts.root.clone(),
        }
    }

    /// Sorts a changed path into `changes`; editor temporaries and paths the
    /// site is not built from are dropped.
    pub fn classify(&self, path: &Path, changes: &mut ChangeSet) {
        let root = &self.opts.root;
        // Some platforms report paths with links resolved (macOS: /var is
        // /private/var): put those back under the root as given.
        let mapped;
        let path = match self
            .canonical_root
            .as_ref()
            .and_then(|c| path.strip_prefix(c).ok())
        {
            Some(rest) if !path.starts_with(root) => {
                mapped = root.join(rest);
                mapped.as_path()
            }
            _ => path,
        };
        let content = self.content_dir();
        if path == root.join("site.toml") {
            changes.everything = true;
            changes.other.insert("site.toml".into());
        } else if let Ok(rel) = path.strip_prefix(&content) {
            let parts: Option<Vec<&str>> =
                rel.components().map(|c| c.as_os_str().to_str()).collect();
            match parts {
                // A name that is not Unicode: a full scan reports it as load does.
                None => {
                    changes.content.insert(String::new());
                }
                Some(parts) if parts.iter().any(|p| load::is_ignored(p)) => {}
                Some(parts) => {
                    changes.content.insert(parts.join("/"));
                }
            }
        } else if path.starts_with(self.theme_dir()) || path == root.join("themes") {
            // Theme::load skips editor temporaries by file name only.
            let ignored = path.starts_with(self.theme_dir())
                && path != self.theme_dir()
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(load::is_ignored);
            if !ignored {
                changes.theme = true;
                changes.other.insert(load::display_path(root, path));
            }
        }
    }

    /// Brings the site up to date with `changes` and writes what changed.
    pub fn rebuild(&mut self, changes: &ChangeSet) -> Report {
        self.rebuild_unless(changes, &mut || false)
    }

    /// [`rebuild`](Workspace::rebuild), but once the pages of the documents
    /// that changed are written, the rest (the pages that show them, the
    /// search overlay) gives way as soon as `cancelled` says so, if the
    /// indexes are deferred: then [`Built::gave_way`] is true, and the next
    /// rebuild, with whatever changes (none too), writes what this one left.
    pub fn rebuild_unless(
        &mut self,
        changes: &ChangeSet,
        cancelled: &mut dyn FnMut() -> bool,
    ) -> Report {
        // The settle thread's writes wait while this runs: a page written
        // now need not queue behind them for the disk.
        let _running = self.foreground.enter();
        let report = self.rebuild_inner(changes, cancelled);
        self.broken = report.result.is_err();
        report
    }

    /// True while the last rebuild's remainder gave way and is still to do.
    pub fn unfinished(&self) -> bool {
        self.unfinished
    }

    fn rebuild_inner(
        &mut self,
        changes: &ChangeSet,
        cancelled: &mut dyn FnMut() -> bool,
    ) -> Report {
        let start = Instant::now();
        let mut timings = Timings::default();
        let full = changes.everything || self.loaded.is_none();
        let mut seen: Vec<Seen> = Vec::new();
        let mut what = Vec::new();
        if full {
            self.render_everything = true;
            if let Err(d) = timed(&mut timings, "load+parse", || self.load_everything()) {
                return Report {
                    what: describe(changes, &[], true),
                    result: Err(d),
                    timings,
                    elapsed: start.elapsed(),
                };
            }
        } else {
            let opts = &self.opts;
            let loaded = self.loaded.as_mut().expect("loaded");
            if changes.theme {
                loaded.theme = Theme::load(&opts.root, &loaded.site.config.theme);
                self.render_everything = true;
            }
            let before = (loaded.assets.len(), loaded.scan_errors.len());
            timed(&mut timings, "read+parse", || {
                let rels = outermost(&changes.content);
                seen = loaded.refresh(&opts.root, opts.drafts, &rels);
            });
            // Saved again with the same bytes (or a second event of one save):
            // the output already is what these files make.
            let same = !changes.theme
                && !self.render_everything
                && !self.broken
                && !self.unfinished
                && seen.iter().all(|s| s.change == Change::Unchanged)
                && loaded.pending.changed.is_empty()
                && !loaded.pending.structure
                && loaded.pending_assets.is_empty()
                && before == (loaded.assets.len(), loaded.scan_errors.len());
            if let (true, Some(written)) = (same, &self.written) {
                let site = &loaded.site;
                let built = Built {
                    documents: site.docs.len(),
                    directives: site.docs.iter().map(|d| d.directives.len()).sum(),
                    references: site.links.resolved,
                    rendered: 0,
                    pages: written.fingerprints.len(),
                    written: 0,
                    removed: 0,
                    full_write: false,
                    indexes_deferred: self.indexes_stale,
                    pages_first: None,
                    gave_way: false,
                    warnings: Diagnostics::default(),
                    output: loaded.output.clone(),
                };
                return Report {
                    what: describe(changes, &seen, full),
                    result: Ok(built),
                    timings,
                    elapsed: start.elapsed(),
                };
            }
        }
        what.push(if changes.is_empty() && self.unfinished {
            "the rest of the last rebuild".to_string()
        } else {
            describe(changes, &seen, full)
        });
        let report = |result, timings| Report {
            what: what.join(", "),
            result,
            timings,
            elapsed: start.elapsed(),
        };
        let fresh: Vec<&str> = seen
            .iter()
            .filter(|s| matches!(s.change, Change::Added | Change::Changed))
            .map(|s| s.key.as_str())
            .collect();
        // Documents whose search records differ from the full index's.
        let touched = seen
            .iter()
            .filter(|s| s.change != Change::Unchanged)
            .map(|s| s.key.clone());
        if let Some(job) = &mut self.settling {
            // Not in the index being written either.
            job.touched_since.extend(touched.clone());
        }
        self.touched.extend(touched);
        match self.finish(&fresh, full, cancelled, &mut timings) {
            Ok(built) => report(Ok(built), timings),
            Err(d) => report(Err(d), timings),
        }
    }

    /// Reads site.toml, the theme and every document.
    fn load_everything(&mut self) -> Result<(), Diagnostics> {
        self.loaded = None;
        let root = &self.opts.root;
        let config = load_config(root).map_err(|f| f.diagnostics)?;
        let intent = crate::output_dir::Intent::Write {
            force: self.opts.force,
        };
        let output = check_output_dir(&self.opts, &config, intent).map_err(|f| f.diagnostics)?;
        let theme = Theme::load(root, &config.theme);
        let content_dir = root.join(&config.content_dir);
        let mut loaded = Loaded {
            site: Site {
                root: root.clone(),
                config,
                docs: Vec::new(),
                assets: Vec::new(),
                links: Default::default(),
                comparisons: Default::default(),
            },
            output,
            content_dir,
            theme,
            entries: BTreeMap::new(),
            faces: Vec::new(),
            assets: BTreeMap::new(),
            pending_assets: BTreeSet::new(),
            scan_errors: BTreeMap::new(),
            link_errors: Vec::new(),
            alignments: HashMap::new(),
            linked: false,
            pending: Pending::default(),
            compare_errors: Vec::new(),
            compare_all: true,
        };
        loaded.refresh(root, self.opts.drafts, &[""]);
        self.loaded = Some(loaded);
        Ok(())
    }

    /// Links, checks, renders and writes; on success, remembers what was written.
    fn finish(
        &mut self,
        fresh: &[&str],
        full: bool,
        cancelled: &mut dyn FnMut() -> bool,
        timings: &mut Timings,
    ) -> Result<Built, Diagnostics> {
        // A write of the whole output, or of the indexes, waits for the
        // settle thread: they would write the same files.
        let whole = {
            let loaded = self.loaded.as_ref().expect("loaded");
            let statics = loaded.theme.as_ref().map(|t| &t.static_files[..]);
            let intact = |w: &Written| {
                w.output == loaded.output && statics.is_ok_and(|s| output_intact(&loaded.output, s))
            };
            !self.defer_indexes || !self.written.as_ref().is_some_and(intact)
        };
        if whole && self.settling.is_some() {
            timed(timings, "wait settle", || self.join_settle());
        }
        let loaded = self.loaded.as_mut().expect("loaded");
        loaded.link(timings);
        let root = &self.opts.root;
        let mut diagnostics = timed(timings, "diagnostics", || loaded.diagnostics(root));
        let plan_cache = &mut self.plan;
        timed(timings, "check plan", || {
            // The plan is made of paths: while no path changed (an edit of
            // a document's text), its verdict is the last one.
            let key = plan_key(loaded, full);
            let plan = match plan_cache.take() {
                Some((k, d)) if Some(k) == key => d,
                _ => {
                    let mut d = Vec::new();
                    match &loaded.theme {
                        Err(errors) => d.extend(errors.iter().cloned()),
                        Ok(theme) => d.extend(crate::output_plan::check(
                            root,
                            &loaded.site.view(),
                            theme,
                            loaded.assets.iter().map(|(r, p)| (r.as_str(), p.as_path())),
                        )),
                    }
                    d.extend(crate::attachments::check(
                        root,
                        &loaded.site.config,
                        loaded.assets.iter().map(|(r, p)| (r.as_str(), p.as_path())),
                    ));
                    d
                }
            };
            diagnostics.extend(plan.iter().cloned());
            *plan_cache = key.map(|k| (k, plan));
        });
        if loaded.site.config.strict {
            diagnostics.promote_warnings();
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let previous = self.written.as_ref().filter(|w| w.output == loaded.output);
        // The search overlay can stand in for a full index only while the
        // documents are all that changed (not site.toml or the theme).
        let touched: Vec<String> = self.touched.iter().cloned().collect();
        // Every search loads the overlay: past a few hundred documents (a git
        // checkout, say) the full index, rebuilt after the pause, is better.
        let delta = match (&self.search, full || self.render_everything) {
            (Some(state), false) if touched.len() <= MAX_DELTA_DOCUMENTS => {
                Some((state, touched.as_slice()))
            }
            _ => None,
        };
        // The pages of the documents that changed go first.
        let first: Vec<usize> = fresh
            .iter()
            .filter_map(|key| {
                loaded
                    .site
                    .docs
                    .binary_search_by(|d| d.key.as_str().cmp(key))
                    .ok()
            })
            .collect();
        let outcome = render_and_write(
            loaded,
            previous,
            self.render_everything,
            self.defer_indexes,
            delta,
            &first,
            cancelled,
            timings,
        );
        match outcome {
            Ok((mut built, written, search)) => {
                self.indexes_stale = built.indexes_deferred;
                if built.indexes_deferred {
                    self.generation += 1;
                }
                if !built.indexes_deferred {
                    self.search = search;
                    self.touched.clear();
                }
                built.warnings = warnings_of(loaded, (!full).then_some(fresh));
                self.unfinished = built.gave_way;
                if !built.gave_way {
                    // Copied by this write (one that gave way copied none).
                    loaded.pending_assets.clear();
                }
                self.written = Some(written);
                self.render_everything = false;
                Ok(built)
            }
            Err((diagnostics, wrote_some)) => {
                if let Some(files) = wrote_some {
                    // Part of the output may be new: render and compare everything next
                    // time, and consider every file the site had or has for removal.
                    self.render_everything = true;
                    if let Some(w) = &mut self.written {
                        w.files.extend(files);
                    }
                }
                Err(diagnostics)
            }
        }
    }
}

/// A hash of everything the output plan and the attachment check read that
/// a rebuild can change: documents' keys, departments and years, which
/// documents have a comparison page, the attachments, the theme's files.
/// None after a full reload (site.toml may have changed), with theme errors,
/// or when an attachment changed.
fn plan_key(loaded: &Loaded, full: bool) -> Option<u64> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let theme = loaded.theme.as_ref().ok().filter(|_| !full)?;
    if !loaded.pending_assets.is_empty() {
        // An attachment changed: the check reads what HTML ones contain.
        return None;
    }
    let mut h = DefaultHasher::new();
    for (i, d) in loaded.site.docs.iter().enumerate() {
        (&d.key, &d.meta.department, d.meta.year).hash(&mut h);
        loaded.site.comparisons.get(i).is_some().hash(&mut h);
    }
    for (rel, path) in &loaded.assets {
        (rel, path).hash(&mut h);
    }
    for (path, bytes) in &theme.static_files {
        (path, bytes.len()).hash(&mut h);
    }
    Some(h.finish())
}

/// Warnings of the documents of `keys` (all documents if None).
fn warnings_of(loaded: &Loaded, keys: Option<&[&str]>) -> Diagnostics {
    let mut w = Diagnostics::default();
    for (key, entry) in &loaded.entries {
        if keys.is_none_or(|keys| keys.contains(&key.as_str())) {
            w.extend(entry.warnings.iter().cloned());
        }
    }
    w
}

/// The paths of a set that no other path of the set contains.
fn outermost(paths: &BTreeSet<String>) -> Vec<&str> {
    if paths.contains("") {
        return vec![""];
    }
    let mut out: Vec<&str> = Vec::new();
    for p in paths {
        // Sorted order puts a folder right before what is inside it.
        if out.last().is_some_and(|last| {
            p.strip_prefix(last)
                .is_some_and(|rest| rest.starts_with('/'))
        }) {
            continue;
        }
        out.push(p);
    }
    out
}

/// What changed, in words: `content/2023/somu.md changed, themes/default/templates/base.html`.
fn describe(changes: &ChangeSet, seen: &[Seen], full: bool) -> String {
    let mut parts: Vec<String> = changes.other.iter().cloned().collect();
    let shown = |c: Change| match c {
        Change::Added => "added",
        Change::Changed => "changed",
        Change::Removed => "removed",
        Change::Unchanged => "unchanged",
    };
    let mut docs: Vec<String> = seen
        .iter()
        .map(|s| format!("{} {}", s.display, shown(s.change)))
        .collect();
    if docs.is_empty() && !changes.content.is_empty() && !full {
        docs.extend(changes.content.iter().map(|p| format!("content/{p}")));
    }
    const SHOWN: usize = 3;
    if docs.len() > SHOWN {
        let more = docs.len() - SHOWN;
        docs.truncate(SHOWN);
        docs.push(format!("and {more} more"));
    }
    parts.extend(docs);
    if parts.is_empty() {
        parts.push(if full { "site" } else { "nothing" }.into());
    }
    parts.join(", ")
}

impl Drop for Workspace {
    /// Waits for a settle thread: nothing is left writing to the output.
    fn drop(&mut self) {
        if let Some(job) = self.settling.take() {
            let _ = job.handle.join();
        }
    }
}
