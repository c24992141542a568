//! The file watcher: notify's recommended watcher (inotify, FSEvents,
//! ReadDirectoryChangesW) behind a short debounce, or a polling watcher for
//! network shares and for platforms where the recommended one fails to start.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify_debouncer_full::notify::{
    self, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _,
};
use notify_debouncer_full::{
    new_debouncer, new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache,
};

/// How long the file system must be quiet before a batch of events is
/// handed over: long enough to merge an editor's write-temporary-then-rename
/// save into one rebuild, short enough not to be noticed.
/// Editors write a save's files within a millisecond or two; the time
/// spent here is time before the page shows (the target is 100 ms).
pub const DEBOUNCE: Duration = Duration::from_millis(25);

/// How often the polling watcher looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// A running watcher; events arrive on the channel given to [`Watcher::start`].
pub enum Watcher {
    /// The platform's file-system events.
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    /// Polling (`--poll`, or the fallback).
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Watcher {
    /// Starts watching `paths` (those that exist). Unless `poll` is asked
    /// for, tries the platform's watcher first and falls back to polling if
    /// it cannot start or cannot watch a path (e.g. the inotify watch limit);
    /// the reason is printed.
    pub fn start(
        poll: bool,
        events: Sender<DebounceEventResult>,
        paths: &[(PathBuf, RecursiveMode)],
    ) -> notify::Result<Watcher> {
        if !poll {
            let native = new_debouncer(DEBOUNCE, None, events.clone())
                .map(Watcher::Native)
                .and_then(|mut w| w.watch_all(paths).map(|()| w));
            match native {
                Ok(w) => return Ok(w),
                Err(e) => eprintln!(
                    "warning: the file system's change events are not available ({e}); polling instead"
                ),
            }
        }
        let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
        let mut w = Watcher::Poll(new_debouncer_opt(DEBOUNCE, None, events, NoCache, config)?);
        w.watch_all(paths)?;
        Ok(w)
    }

    /// Watches every path of `paths` that exists. Watching a path again is
    /// harmless, and is how a folder that was deleted and created again gets
    /// watched anew.
    pub fn watch_all(&mut self, paths: &[(PathBuf, RecursiveMode)]) -> notify::Result<()> {
        for (path, mode) in paths.iter().filter(|(p, _)| p.exists()) {
            self.watch(path, *mode)?;
        }
        Ok(())
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Poll(d) => d.watch(path, mode),
        }
    }

    /// How changes are noticed, for the start-up message.
    pub fn describe(&self) -> String {
        match self {
            Watcher::Native(_) => {
                let kind = match RecommendedWatcher::kind() {
                    notify::WatcherKind::Inotify => "inotify",
                    notify::WatcherKind::Fsevent => "FSEvents",
                    notify::WatcherKind::Kqueue => "kqueue",
                    notify::WatcherKind::ReadDirectoryChangesWatcher => "ReadDirectoryChangesW",
                    _ => "file-system events",
                };
                format!("{kind} events")
            }
            Watcher::Poll(_) => format!("polling every {} ms", POLL_INTERVAL.as_millis()),
        }
    }
}
