//! The deferred indexes, `directives.json` and the full search index, brought
//! up to date without holding up the next rebuild.
//!
//! Two steps. [`snapshot`] takes what the indexes are made of from the site
//! in memory (the anchor index's bytes, every search record), on the
//! caller's thread, a few documents at a time, and gives way as soon as the
//! caller says a change arrived: the site cannot change under it, and a
//! save never waits more than one batch for it. [`spawn`] then builds the
//! search index from that snapshot and writes both on a thread of its own,
//! with a rayon pool of its own, so that a rebuild meanwhile renders and
//! writes its pages at once (on the global pool) instead of queueing behind
//! the index's work.
//!
//! The settle thread and the rebuilds write disjoint files: the thread
//! `directives.json` and `search/` except `search/delta.js`, which a rebuild
//! rewrites (the search overlay) and the workspace writes once the thread
//! is done. What the thread wrote is from the snapshot: if documents changed
//! since, the indexes are still stale and are settled again after the next
//! pause. Each file is written atomically and paced, a slice at a time and
//! never while a rebuild runs (see [`write::write_if_changed_paced`]), so
//! nothing of hoshin's is left beside or inside the output and a rebuild's
//! pages do not wait for the disk behind the indexes.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use rayon::prelude::*;

use super::background;
use super::emit::{remove_empty_folders, Written};
use super::loaded::Loaded;
use super::{timed, Timings};
use crate::layout::{self, OutputFile};
use crate::render::json;
use crate::search::{IndexState, SearchRecord, DELTA_PATH};
use crate::write;

/// What the deferred indexes are made of, taken from the site in memory.
pub(super) struct Snapshot {
    /// The settle's own threads (None if none could be had): the search
    /// records are made on them, so that they are freed there too.
    pool: Option<rayon::ThreadPool>,
    output: PathBuf,
    /// The bytes of `directives.json`.
    json: Vec<u8>,
    /// Every search record of the site (None if search is off).
    records: Option<Vec<SearchRecord<'static>>>,
    /// The index files the output holds now.
    before: HashSet<String>,
    /// Whether a rebuild runs: the thread's writes wait for it.
    foreground: write::Foreground,
}

/// Takes the snapshot, asking `cancelled` between batches of documents;
/// None if it gave way.
pub(super) fn snapshot(
    loaded: &Loaded,
    written: &Written,
    foreground: write::Foreground,
    cancelled: &mut dyn FnMut() -> bool,
    timings: &mut Timings,
) -> Option<Snapshot> {
    let view = loaded.site.view();
    let json = timed(timings, "json", || {
        json::directives_json_unless(&view, cancelled)
    })?;
    // One thread less than the machine has (at least one), so that a
    // rebuild meanwhile has a core of its own.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get().saturating_sub(1))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("hoshin-settle-{i}"))
        .build()
        .ok();
    let records = if view.config.search_enabled {
        let records = timed(timings, "search records", || {
            records_unless(&view, pool.as_ref(), cancelled)
        });
        if records.is_none() {
            // Unmapping 160 MB is not free either: the save is waiting.
            background::free(json);
            return None;
        }
        records
    } else {
        None
    };
    Some(Snapshot {
        pool,
        output: loaded.output.clone(),
        json,
        records,
        before: written
            .files
            .iter()
            .filter(|f| layout::is_index_file(f))
            .cloned()
            .collect(),
        foreground,
    })
}

/// Every search record of the site, owned (the settle thread runs beside
/// later edits), a batch of documents at a time, made on `pool` (see
/// [`spawn`]); None as soon as `cancelled` says so.
fn records_unless(
    view: &crate::render::SiteView<'_>,
    pool: Option<&rayon::ThreadPool>,
    cancelled: &mut dyn FnMut() -> bool,
) -> Option<Vec<SearchRecord<'static>>> {
    // A save that lands meanwhile waits for the batch under way: 16
    // documents are a few milliseconds on one thread.
    const BATCH: usize = 16;
    let mut all = Vec::new();
    for docs in view.docs.chunks(BATCH) {
        if cancelled() {
            // Freeing up to a few hundred thousand strings took this thread
            // 40-100 ms, which the save that cancelled waited for.
            background::free(all);
            return None;
        }
        let batch = || -> Vec<Vec<SearchRecord<'static>>> {
            docs.par_iter()
                .map(crate::search_records::owned_document_records)
                .collect()
        };
        let per_doc = match pool {
            Some(pool) => pool.install(batch),
            None => batch(),
        };
        all.extend(per_doc.into_iter().flatten());
    }
    Some(all)
}

/// What the settle thread did.
pub(super) struct Settled {
    /// Files written and removed.
    pub(super) changed: write::Changed,
    /// Where the new full search index put each document's records.
    pub(super) search: Option<IndexState>,
    /// Every index file the output holds now (or may hold, after an error).
    pub(super) files: HashSet<String>,
    /// Index files removed because the new index no longer has them.
    pub(super) removed: HashSet<String>,
    /// `search/delta.js` of the new index (the empty overlay), for the
    /// workspace to write: a rebuild may be writing that file meanwhile.
    pub(super) delta: Option<OutputFile>,
    /// What could not be written.
    pub(super) errors: Vec<String>,
    /// Time of each stage on the thread.
    pub(super) timings: Timings,
}

/// A settle running on its thread.
pub(super) struct Job {
    pub(super) handle: JoinHandle<Settled>,
    /// The workspace's generation the snapshot was taken at.
    pub(super) generation: u64,
    /// Documents added, changed or removed after the snapshot: the search
    /// overlay over the new index holds them.
    pub(super) touched_since: std::collections::BTreeSet<String>,
    /// When the settle started (its snapshot included).
    pub(super) started: Instant,
    /// Time of the snapshot's stages.
    pub(super) timings: Timings,
}

/// Builds and writes the indexes of `snapshot` on a thread of its own, at
/// the lowest priority (see [`background`]). With `hold`, the thread waits
/// for a message (or the sender's end) before it starts: the tests use it
/// to land a change while it runs.
///
/// The search records were made on the settle's own pool, and are freed
/// there: a few hundred thousand small strings freed into the allocator's
/// lists of the rebuild's threads cost the next save's first allocations
/// there, in one go (its read and parse took 100-200 ms instead of 5).
pub(super) fn spawn(
    snapshot: Snapshot,
    hold: Option<mpsc::Receiver<()>>,
) -> std::io::Result<JoinHandle<Settled>> {
    std::thread::Builder::new()
        .name("hoshin-settle".into())
        .spawn(move || {
            let mut snapshot = snapshot;
            background::lower_priority();
            if let Some(hold) = hold {
                let _ = hold.recv();
            }
            match snapshot.pool.take() {
                Some(pool) => {
                    // Not before: the snapshot waited for these threads.
                    pool.broadcast(|_| background::lower_priority());
                    pool.install(|| run(snapshot))
                }
                None => run(snapshot),
            }
        })
}

fn run(snapshot: Snapshot) -> Settled {
    let Snapshot {
        pool: _,
        output,
        json,
        records,
        before,
        foreground,
    } = snapshot;
    let mut timings = Timings::default();
    let written = AtomicUsize::new(0);
    let files = Mutex::new(HashSet::new());
    let errors = Mutex::new(Vec::new());
    let delta = Mutex::new(None);
    let put = |f: OutputFile| {
        if let Ok(mut files) = files.lock() {
            files.insert(f.path.clone());
        }
        if f.path == DELTA_PATH {
            if let Ok(mut delta) = delta.lock() {
                *delta = Some(f);
            }
            return;
        }
        // An output folder deleted meanwhile is not made again here, with
        // only the indexes in it: the next rebuild writes it whole.
        if !output.join(crate::output_dir::MARKER).is_file() {
            if let Ok(mut errors) = errors.lock() {
                if errors.is_empty() {
                    errors.push(format!("{} is gone", output.display()));
                }
            }
            return;
        }
        match write::write_if_changed_paced(&output, &f, &foreground) {
            Ok(true) => {
                written.fetch_add(1, Ordering::Relaxed);
            }
            Ok(false) => {}
            Err(e) => {
                if let Ok(mut errors) = errors.lock() {
                    errors.push(format!("cannot write {}: {e}", f.path));
                }
            }
        }
    };
    timed(&mut timings, "write json", || {
        put(OutputFile {
            path: layout::DIRECTIVES_JSON.into(),
            bytes: json,
        })
    });
    let search = records.map(|records| {
        timed(&mut timings, "search index", || {
            crate::search_records::write_records_index(&records, &put)
        })
    });
    let files = files.into_inner().unwrap_or_default();
    let mut errors = errors.into_inner().unwrap_or_default();
    let mut changed = write::Changed {
        written: written.into_inner(),
        removed: 0,
    };
    let mut removed = HashSet::new();
    if errors.is_empty() {
        // Index files the new index no longer has (a shard fewer, say).
        let stale: HashSet<String> = before.difference(&files).cloned().collect();
        match timed(&mut timings, "remove", || {
            write::write_changed(&output, &[], &stale)
        }) {
            Ok(c) => changed.removed = c.removed,
            Err(e) => errors.push(format!("cannot remove old index files: {e}")),
        }
        remove_empty_folders(&output, &stale);
        removed = stale;
    }
    let mut all = files;
    if !errors.is_empty() {
        // Some old files may still be there: keep them in the reckoning.
        all.extend(before);
    }
    Settled {
        changed,
        search,
        files: all,
        removed,
        delta: delta.into_inner().unwrap_or_default(),
        errors,
        timings,
    }
}
