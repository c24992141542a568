//! Writing files in the background without holding up a rebuild's writes.
//!
//! Watch's settle thread rewrites `directives.json` (160 MB at 5,000
//! policies) and the search index while the author goes on saving. Written
//! in one go, that much data sits dirty in the page cache until the rename
//! over the old file and the file system's journal flush it, and a page a
//! rebuild wrote meanwhile (50 KB, atomically too) waited 50–155 ms for the
//! disk (BENCHMARKS.md, issue 11's fourth round). So a paced write puts a
//! file down a [`SLICE`] at a time, each slice on the disk before the next
//! is written (on Linux, `sync_file_range`), and waits while a rebuild runs
//! ([`Foreground`]): a rebuild's page then has at most one slice ahead of it
//! in the disk's queue.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How much a paced write puts down before it waits for the disk: a few
/// milliseconds of a disk's time, so that a page written meanwhile waits
/// no longer than that.
pub const SLICE: usize = 1 << 20;

/// How often a paced write looks again whether the rebuild is done.
const POLL: Duration = Duration::from_millis(2);

/// Whether a rebuild is running: the foreground whose writes a paced write
/// gives way to. Clones share the state.
#[derive(Debug, Clone, Default)]
pub struct Foreground(Arc<State>);

#[derive(Debug, Default)]
struct State {
    /// Rebuilds running.
    running: AtomicUsize,
    /// Callers waiting for the paced writes to end: they go on at once.
    hurried: AtomicUsize,
}

/// A mark on [`Foreground`] (a rebuild running, or someone waiting for the
/// background), until dropped.
#[derive(Debug)]
pub struct Entered(Arc<State>, fn(&State) -> &AtomicUsize);

impl Foreground {
    /// Marks a rebuild as running until the returned guard is dropped.
    pub fn enter(&self) -> Entered {
        self.mark(|s| &s.running)
    }

    /// Lets paced writes go on even while a rebuild runs, until the returned
    /// guard is dropped: for a rebuild that waits for the background
    /// thread (it would otherwise wait for itself).
    pub fn hurry(&self) -> Entered {
        self.mark(|s| &s.hurried)
    }

    fn mark(&self, which: fn(&State) -> &AtomicUsize) -> Entered {
        which(&self.0).fetch_add(1, Ordering::SeqCst);
        Entered(Arc::clone(&self.0), which)
    }

    /// True while a rebuild runs and no one hurries the background.
    pub fn busy(&self) -> bool {
        self.0.running.load(Ordering::SeqCst) > 0 && self.0.hurried.load(Ordering::SeqCst) == 0
    }

    /// Returns once [`busy`](Foreground::busy) is false.
    pub fn wait_idle(&self) {
        while self.busy() {
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        (self.1)(&self.0).fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes `bytes` to a new file at `path` a slice at a time, each on the
/// disk before the next, waiting before each slice while `foreground` is
/// busy.
pub(super) fn write_slices(path: &Path, bytes: &[u8], foreground: &Foreground) -> io::Result<()> {
    let mut file = File::create(path)?;
    let mut at = 0;
    for slice in bytes.chunks(SLICE) {
        foreground.wait_idle();
        file.write_all(slice)?;
        to_disk(&file, at, slice.len());
        at += slice.len();
    }
    Ok(())
}

/// Writes `len` bytes of `file` from `at` to the disk and waits until they
/// are there; only the data, not the file's metadata, so no journal commit
/// is forced (which would hold up every other writer). Best effort: an
/// error leaves the data to the kernel's own writeback.
#[cfg(target_os = "linux")]
fn to_disk(file: &File, at: usize, len: usize) {
    use std::os::fd::AsRawFd;
    let flags = libc::SYNC_FILE_RANGE_WAIT_BEFORE
        | libc::SYNC_FILE_RANGE_WRITE
        | libc::SYNC_FILE_RANGE_WAIT_AFTER;
    // SAFETY: sync_file_range takes a file descriptor we own (open for the
    // call's whole length, borrowed from `file`) and plain integers; it
    // touches no memory of ours.
    unsafe {
        let _ = libc::sync_file_range(file.as_raw_fd(), at as i64, len as i64, flags);
    }
}

/// Elsewhere the kernel's writeback takes the data; the pauses for the
/// rebuilds remain.
#[cfg(not(target_os = "linux"))]
fn to_disk(_file: &File, _at: usize, _len: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch folder, a file path in it, and a rebuild running.
    fn running_rebuild() -> (tempfile::TempDir, std::path::PathBuf, Foreground, Entered) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        let foreground = Foreground::default();
        let rebuild = foreground.enter();
        (dir, path, foreground, rebuild)
    }

    #[test]
    fn a_paced_write_holds_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let bytes: Vec<u8> = (0..(SLICE * 2 + 123)).map(|i| (i % 251) as u8).collect();
        write_slices(&path, &bytes, &Foreground::default()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }

    #[test]
    fn a_paced_write_waits_for_the_rebuild() {
        let (_dir, path, foreground, rebuild) = running_rebuild();
        let writer = {
            let (path, foreground) = (path.clone(), foreground.clone());
            std::thread::spawn(move || write_slices(&path, b"{}", &foreground))
        };
        // The file is created at once, but nothing is written into it while
        // the rebuild runs.
        std::thread::sleep(Duration::from_millis(50));
        assert!(!writer.is_finished());
        assert_eq!(std::fs::read(&path).unwrap_or_default(), b"");
        drop(rebuild);
        writer.join().unwrap().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        assert!(!foreground.busy());
    }

    #[test]
    fn a_rebuild_that_waits_for_the_background_lets_it_write() {
        let (_dir, path, foreground, _rebuild) = running_rebuild();
        let _waiting = foreground.hurry();
        assert!(!foreground.busy());
        write_slices(&path, b"[]", &foreground).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"[]");
    }
}
