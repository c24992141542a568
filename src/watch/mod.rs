//! `hoshin watch` and `hoshin serve`: build, then rebuild on every change
//! under content/, themes/ and site.toml, keeping the last good site in the
//! output folder whatever the documents contain (SPEC §7).
//!
//! This module is only about watching: the file watcher (`events`: platform
//! events or polling, and the debounce), editors that save by rename,
//! rechecks for polling's coarse timestamps, the pause before the indexes
//! are brought up to date, the line per rebuild, and the glue to `serve`.
//! The rebuild itself is the build's: [`crate::build::Workspace`] reads what
//! changed, relinks, renders the pages a change can reach and writes them.
//!
//! One line per rebuild on standard output; diagnostics on standard error, in
//! the same form as `hoshin build`. Set `HOSHIN_TIMINGS=1` to also print the
//! time of each stage of every rebuild.

mod events;

use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{EventKind, MetadataKind, ModifyKind};
use notify_debouncer_full::DebounceEventResult;

use notify_debouncer_full::notify::RecursiveMode;

use crate::build::{summary, BuildOptions, Built, ChangeSet, Report, SitePaths, Workspace};
use crate::diagnostics::Diagnostics;
use crate::serve::{self, LiveState};
use events::Watcher;

/// What to watch, and how: the recursive folders first, since the debouncer
/// takes the first watched root that holds a path to decide how to track it.
fn watched(paths: SitePaths) -> [(std::path::PathBuf, RecursiveMode); 3] {
    [
        (paths.content, RecursiveMode::Recursive),
        (paths.themes, RecursiveMode::Recursive),
        (paths.root, RecursiveMode::NonRecursive),
    ]
}

/// Builds, then rebuilds on every change until interrupted; serves the output
/// with live reload when `serve` is given. Returns the exit status: 2 if the
/// watcher or the server cannot start (content errors never end it).
pub fn run(opts: &BuildOptions, poll: bool, serve: Option<SocketAddr>) -> i32 {
    let mut opts = opts.clone();
    // Events come with the paths as watched: absolute ones are simplest to match.
    opts.root = std::path::absolute(&opts.root).unwrap_or(opts.root);
    opts.output = opts.output.map(|o| std::path::absolute(&o).unwrap_or(o));
    if !opts.root.is_dir() {
        // Nothing to watch: a folder that does not exist sends no events.
        eprintln!("error: site folder `{}` not found", opts.root.display());
        return 2;
    }
    // A wrong output folder is a usage error before anything is watched: it
    // would otherwise be reported on every rebuild while nothing is written.
    if let Ok(config) = crate::build::load_config(&opts.root) {
        let intent = crate::output_dir::Intent::Write { force: opts.force };
        if let Err(f) = crate::build::check_output_dir(&opts, &config, intent) {
            eprint!("{}", f.diagnostics.render());
            return 2;
        }
    }
    let mut workspace = Workspace::new(opts);
    workspace.defer_indexes = true;
    let (sender, events) = mpsc::channel();
    // Watch before the first build, so that nothing saved during it is missed.
    let mut watcher = match Watcher::start(poll, sender, &watched(workspace.watch_paths())) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch the site for changes: {e}");
            return 2;
        }
    };
    let live = serve.map(|_| LiveState::new());
    // See `next_settle`: events that arrive during a rebuild go here too.
    let mut stash: Vec<DebounceEventResult> = Vec::new();
    rebuild(
        &mut workspace,
        &ChangeSet::everything(),
        (&events, &mut stash),
        live.as_deref(),
        false,
    );
    let served = workspace.output_dir();
    let _server = match serve {
        None => None,
        Some(addr) => {
            let live = live.clone().expect("live state");
            match serve::start(addr, served.clone(), live) {
                Ok(server) => {
                    println!("serving http://{}/", server.local_addr());
                    Some(server)
                }
                Err(e) => {
                    eprintln!("error: cannot serve on {addr}: {e}");
                    return 2;
                }
            }
        }
    };
    println!(
        "watching content, themes and site.toml ({}); press Ctrl+C to stop",
        watcher.describe()
    );
    let polling = matches!(watcher, Watcher::Poll(_));
    // See `RECHECK`: documents to look at once more, and when.
    let mut recheck: Option<(Instant, ChangeSet)> = None;
    // See `SETTLE`: when to bring the deferred indexes up to date.
    let mut settle_at: Option<Instant> = None;
    loop {
        let deadline = [recheck.as_ref().map(|r| r.0), settle_at]
            .into_iter()
            .flatten()
            .min();
        let (changes, quiet) = match next_changes(&events, &mut stash, &workspace, deadline) {
            Next::Changes(c) => (c, false),
            Next::Recheck if recheck.as_ref().is_some_and(|r| r.0 <= Instant::now()) => {
                (recheck.take().expect("a recheck").1, true)
            }
            // The last rebuild gave way to events that turned out not to
            // matter: do the rest now.
            Next::Recheck if workspace.unfinished() => (ChangeSet::default(), false),
            Next::Recheck => {
                settle(&mut workspace, &events, &mut stash, live.as_deref());
                // Still stale if it gave way to a change: try again after the pause.
                settle_at = next_settle(&workspace);
                continue;
            }
            Next::Closed => break,
        };
        // A folder may have been created (again): watch it before reading it,
        // so that nothing written to it meanwhile is missed. Only the folders
        // concerned: watching again makes the polling watcher start afresh.
        let [content, themes, root] = watched(workspace.watch_paths());
        let again: Vec<_> = [
            (content, changes.content.contains("")),
            (themes, changes.theme),
            (root, changes.everything),
        ]
        .into_iter()
        .filter_map(|(p, wanted)| (wanted || changes.everything).then_some(p))
        .collect();
        if let Err(e) = watcher.watch_all(&again) {
            eprintln!("warning: cannot watch a folder of the site: {e}");
        }
        rebuild(
            &mut workspace,
            &changes,
            (&events, &mut stash),
            live.as_deref(),
            quiet,
        );
        settle_at = next_settle(&workspace);
        if polling && !quiet && !changes.content.is_empty() {
            let again = ChangeSet {
                content: changes.content.clone(),
                ..ChangeSet::default()
            };
            recheck = Some((Instant::now() + RECHECK, again));
        }
        if serve.is_some() && changes.everything && workspace.output_dir() != served {
            eprintln!(
                "warning: output_dir changed in site.toml; the preview still serves {} until serve is restarted",
                served.display()
            );
        }
        if changes.everything {
            // site.toml may have moved content/ or changed the theme.
            if let Err(e) = watcher.watch_all(&watched(workspace.watch_paths())) {
                eprintln!("warning: cannot watch a folder of the site: {e}");
            }
        }
    }
    eprintln!("error: the file watcher stopped");
    1
}

/// The polling watcher sees modification times in whole seconds: a second
/// save within the second of the first goes unseen. So after a rebuild in
/// polling mode, the same documents are read once more when that second is
/// over (nothing is printed or written if they did not change).
const RECHECK: Duration = Duration::from_millis(1100);

/// How long the author must pause before directives.json and the search
/// index, left as they were by the quick rebuilds, are brought up to date.
const SETTLE: Duration = Duration::from_millis(1500);

/// How often to look whether the indexes' own thread is done.
const SETTLE_POLL: Duration = Duration::from_millis(20);

/// When to look at the deferred indexes next: soon if they are being
/// written (to say so), after the pause if they are stale, else never; at
/// once if the last rebuild left pages to write (see `rebuild`).
fn next_settle(workspace: &Workspace) -> Option<Instant> {
    if workspace.unfinished() {
        Some(Instant::now())
    } else if workspace.settling() {
        Some(Instant::now() + SETTLE_POLL)
    } else {
        workspace.indexes_stale().then(|| Instant::now() + SETTLE)
    }
}

/// What woke the loop.
enum Next {
    Changes(ChangeSet),
    Recheck,
    Closed,
}

/// Waits for the next batch of changes that matter to the site, merging all
/// batches already waiting, or for the recheck `deadline`.
fn next_changes(
    events: &Receiver<DebounceEventResult>,
    stash: &mut Vec<DebounceEventResult>,
    workspace: &Workspace,
    deadline: Option<Instant>,
) -> Next {
    loop {
        let mut changes = ChangeSet::default();
        let first = if !stash.is_empty() {
            stash.remove(0)
        } else {
            match deadline {
                None => match events.recv() {
                    Ok(batch) => batch,
                    Err(_) => return Next::Closed,
                },
                Some(at) => match events.recv_timeout(at.saturating_duration_since(Instant::now()))
                {
                    Ok(batch) => batch,
                    Err(RecvTimeoutError::Timeout) => return Next::Recheck,
                    Err(RecvTimeoutError::Disconnected) => return Next::Closed,
                },
            }
        };
        let waiting = std::mem::take(stash);
        for batch in std::iter::once(first)
            .chain(waiting)
            .chain(events.try_iter())
        {
            match batch {
                Ok(list) => {
                    for event in list {
                        if !matters(&event.kind) {
                            continue;
                        }
                        if event.need_rescan() {
                            // The platform dropped events: look at everything again.
                            changes.everything = true;
                        }
                        for path in &event.paths {
                            workspace.classify(path, &mut changes);
                        }
                        if !changes.is_empty() {
                            changes.since =
                                Some(changes.since.map_or(event.time, |t| t.min(event.time)));
                        }
                    }
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("warning: file watcher: {e}");
                    }
                }
            }
        }
        if !changes.is_empty() {
            return Next::Changes(changes);
        }
    }
}

/// Whether an event can mean new content. Opening and reading a file are
/// events too (inotify reports them), and so is the access time that reading
/// updates (inotify's IN_ATTRIB, metadata of kind `Any`): the rebuild's own
/// reads must not start another rebuild. A new modification time is how the
/// polling watcher reports a write, so that one counts.
fn matters(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Modify(ModifyKind::Metadata(m)) => *m == MetadataKind::WriteTime,
        _ => true,
    }
}

/// Runs one rebuild, reports it, and tells the preview server.
///
/// A rebuild that panics (a bug, whatever a document contains) is reported as
/// an internal error and the workspace starts afresh: the watcher keeps going
/// and the output keeps the last good site.
///
/// A `quiet` rebuild (a recheck) says nothing unless something changed.
///
/// Once the saved pages are written, the rest of the rebuild gives way to
/// the next save (its events are kept in `stash` for the loop): that save's
/// rebuild writes its page first, then what this one left.
fn rebuild(
    workspace: &mut Workspace,
    changes: &ChangeSet,
    (events, stash): (
        &Receiver<DebounceEventResult>,
        &mut Vec<DebounceEventResult>,
    ),
    live: Option<&LiveState>,
    quiet: bool,
) {
    let mut cancelled = || {
        stash.extend(events.try_iter());
        // Only events that can mean new content (not the rebuild's own reads).
        stash.iter().any(|b| {
            b.as_ref()
                .is_ok_and(|list| list.iter().any(|e| matters(&e.kind)))
        })
    };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        workspace.rebuild_unless(changes, &mut cancelled)
    }));
    let report = match outcome {
        Ok(report) => report,
        Err(payload) => {
            workspace.reset();
            let message = panic_message(payload.as_ref());
            let text = format!(
                "error: internal error while rebuilding ({message}); the last good site was kept\n\
                 = note: this is a bug in hoshin; the next change rebuilds the whole site"
            );
            eprintln!("{text}");
            if let Some(live) = live {
                live.failed(text);
            }
            return;
        }
    };
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    match &report.result {
        Ok(built) if quiet && built.rendered + built.written + built.removed == 0 => return,
        Ok(built) => {
            eprint!("{}", built.warnings.render());
            println!("{}", success_line(&report, built, changes));
            if let Some(live) = live {
                live.rebuilt();
            }
        }
        Err(diagnostics) => {
            let rendered = diagnostics.render();
            eprint!("{rendered}");
            eprintln!("{}", failure_line(&report, diagnostics));
            if let Some(live) = live {
                live.failed(rendered);
            }
        }
    }
    if timings_asked() {
        print!("{}", report.timings.report());
        println!("  {:<13}{:>9.1} ms", "total", ms(report.elapsed));
    }
}

/// Starts bringing the deferred indexes up to date (the build then writes
/// them on a thread of its own, and rebuilds go on meanwhile), giving way
/// as soon as a new batch of events arrives (kept in `stash` for the
/// loop); or, if they are being written, says so once they are.
fn settle(
    workspace: &mut Workspace,
    events: &Receiver<DebounceEventResult>,
    stash: &mut Vec<DebounceEventResult>,
    live: Option<&LiveState>,
) {
    let mut cancelled = || {
        stash.extend(events.try_iter());
        !stash.is_empty()
    };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let gave_way = !workspace.settling() && !workspace.start_settle(&mut cancelled);
        (gave_way, workspace.finish_settle(false))
    }));
    let timings = timings_asked();
    match outcome {
        Ok((gave_way, None)) => {
            if gave_way && timings && workspace.indexes_stale() {
                println!("directives.json and search index: gave way to a change");
            }
        }
        Ok((_, Some(report))) => match &report.result {
            Ok(built) => {
                println!(
                    "{} updated: {} files written, {} removed in {:.0} ms",
                    report.what,
                    built.written,
                    built.removed,
                    report.elapsed.as_secs_f64() * 1000.0
                );
                if timings {
                    print!("{}", report.timings.report());
                }
            }
            Err(diagnostics) => {
                let rendered = diagnostics.render();
                eprint!("{rendered}");
                if let Some(live) = live {
                    live.failed(rendered);
                }
            }
        },
        Err(payload) => {
            workspace.reset();
            eprintln!(
                "error: internal error while writing the indexes ({}); the next change rebuilds the whole site",
                panic_message(payload.as_ref())
            );
        }
    }
}

/// `HOSHIN_TIMINGS=1`: print the time of each stage.
fn timings_asked() -> bool {
    std::env::var_os("HOSHIN_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn success_line(report: &Report, built: &Built, changes: &ChangeSet) -> String {
    let ms = report.elapsed.as_secs_f64() * 1000.0;
    let warnings = summary::warnings(built.warnings.warning_count());
    if built.full_write {
        return format!(
            "built {}, {} in {ms:.0} ms{warnings} → {}",
            summary::site_counts(built.documents, built.directives, built.references),
            summary::count(built.written, "file"),
            built.output.display()
        );
    }
    // From the first event of the batch to the last write: what an author waits.
    // The pages of the documents saved are written first: when they were on disk too.
    let latency = changes
        .since
        .map(|t| {
            let page = built
                .pages_first
                .map(|p| {
                    format!(
                        "its page {:.0} ms, ",
                        p.saturating_duration_since(t).as_secs_f64() * 1000.0
                    )
                })
                .unwrap_or_default();
            format!(
                " ({page}{:.0} ms after the change)",
                t.elapsed().as_secs_f64() * 1000.0
            )
        })
        .unwrap_or_default();
    let rest = if built.gave_way {
        "; the other pages gave way to a newer change"
    } else {
        ""
    };
    format!(
        "{}: {} of {} pages rendered, {} files written, {} removed in {ms:.0} ms{latency}{rest}{warnings}",
        report.what, built.rendered, built.pages, built.written, built.removed
    )
}

fn failure_line(report: &Report, diagnostics: &Diagnostics) -> String {
    let errors = diagnostics.error_count();
    let noun = if errors == 1 { "error" } else { "errors" };
    format!(
        "error: {}: {errors} {noun}; the last good site was kept (nothing written)",
        report.what
    )
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}
