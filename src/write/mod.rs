//! Write: put the rendered files on disk, in one of two ways.
//!
//! - [`Staging`]: a full build writes into a temporary folder beside the
//!   output and swaps it in at the end, so a failed or interrupted build
//!   leaves the previous site whole; the replaced output is then deleted in
//!   this process, and whatever an interrupted build left beside the output
//!   is deleted by the next one (SPEC §5).
//! - [`write_changed`]: a rebuild in watch mode writes only the files whose
//!   bytes changed, each atomically, and removes the ones the site no longer has.
//! - [`write_if_changed_paced`]: the same for one file, written by a
//!   background thread a slice at a time so that it does not hold up the
//!   rebuilds' writes (see `write/paced.rs`).

mod carry;
mod paced;

pub use carry::StagedFile;
pub use paced::{Entered, Foreground};

use std::collections::HashSet;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::layout::OutputFile;
use crate::model::Asset;

/// True if a relative output path stays inside the output folder.
fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// What hoshin names the folders it keeps beside the output while it swaps
/// it: `.public.hoshin-new-PID` (being written) and `.public.hoshin-old-PID`
/// (just replaced), PID being the process's.
fn sibling_prefix(output: &Path, tag: &str) -> String {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    format!(".{name}.hoshin-{tag}-")
}

fn sibling(output: &Path, tag: &str) -> PathBuf {
    output.with_file_name(format!(
        "{}{}",
        sibling_prefix(output, tag),
        std::process::id()
    ))
}

/// Removes what interrupted builds left beside `output`: staging and replaced
/// folders of processes that no longer run (a killed build cannot clean up
/// after itself). A folder of a build that is still running is left alone.
fn remove_leftovers(output: &Path) {
    let Some(parent) = output.parent() else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [sibling_prefix(output, "new"), sibling_prefix(output, "old")];
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let pid = prefixes
            .iter()
            .find_map(|p| name.strip_prefix(p.as_str()))
            .and_then(|pid| pid.parse::<u32>().ok());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if let (Some(pid), true) = (pid, is_dir) {
            if pid == std::process::id() || !is_running(pid, &entry.path()) {
                remove_tree(&entry.path());
            }
        }
    }
}

/// Whether the build that made `folder` may still be running. Linux tells by
/// the process id; elsewhere a folder untouched for an hour is taken as left
/// behind (no build takes that long between two writes).
fn is_running(pid: u32, folder: &Path) -> bool {
    if cfg!(target_os = "linux") {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    let age = std::fs::metadata(folder)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    age.is_none_or(|a| a < std::time::Duration::from_secs(3600))
}

/// Removes a folder tree, deleting its files in parallel: on network and
/// virtual disks each deletion waits on the file system, and a site has
/// thousands of files.
fn remove_tree(dir: &Path) {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    let _ = std::fs::remove_dir_all(dir);
}

/// The output a build replaced, renamed beside the new one until
/// [`Replaced::remove`] deletes it.
#[must_use = "the replaced output stays beside the new one until removed"]
pub struct Replaced(PathBuf);

impl Replaced {
    /// Deletes the replaced output, in this process (its files in parallel).
    pub fn remove(self) {
        remove_tree(&self.0);
    }
}

/// A fresh folder beside the output that files are written into as they are
/// rendered (so the whole site never sits in memory), swapped in place of the
/// output by [`Staging::commit`]. Dropped without commit, it removes itself and
/// the output is untouched.
///
/// This is the one way hoshin replaces an output folder: `hoshin build`
/// streams pages into it, and the first write of `hoshin watch` uses it
/// through [`write_all`].
pub struct Staging {
    tmp: PathBuf,
    output: PathBuf,
    /// The output exists: files equal to its own are carried over by hard
    /// link instead of written (see [`carry`]).
    carry: bool,
    committed: bool,
}

impl Staging {
    /// Creates the temporary folder for `output`, first removing what
    /// interrupted builds left beside it.
    pub fn new(output: &Path) -> io::Result<Staging> {
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        remove_leftovers(output);
        let tmp = sibling(output, "new");
        std::fs::create_dir_all(&tmp)?;
        crate::output_dir::mark(&tmp)?;
        Ok(Staging {
            tmp,
            output: output.to_path_buf(),
            carry: output.is_dir(),
            committed: false,
        })
    }

    /// Writes one file (its folders are created as needed), or carries the
    /// output's file over when it holds the same bytes. Safe to call from
    /// many threads.
    pub fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.target(path)?;
        if self.carry && carry::carry_bytes(&self.output.join(path), &target, bytes) {
            return Ok(());
        }
        use std::io::Write as _;
        carry::create_fresh(&target)?.write_all(bytes)
    }

    /// Opens a file for writing in pieces (large files such as
    /// directives.json), carried over from the output when its bytes turn out
    /// the same; [`StagedFile::finish`] completes it.
    pub fn create(&self, path: &str) -> io::Result<StagedFile> {
        let old = self.output.join(path);
        StagedFile::new(&self.target(path)?, self.carry.then_some(old.as_path()))
    }

    /// Copies a file into the staging folder, or carries the output's file
    /// over when it holds the same bytes.
    pub fn copy(&self, path: &str, source: &Path) -> io::Result<()> {
        let target = self.target(path)?;
        if self.carry && carry::carry_copy(&self.output.join(path), &target, source) {
            return Ok(());
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Never copied over a name that may be the previous site's file.
        match std::fs::remove_file(&target) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        std::fs::copy(source, target).map(|_| ())
    }

    fn target(&self, path: &str) -> io::Result<PathBuf> {
        if !is_contained(path) {
            return Err(outside(path));
        }
        Ok(self.tmp.join(path))
    }

    /// Swaps the staged site in place of the output. Returns the output it
    /// replaced, if there was one, for the caller to [`Replaced::remove`]
    /// once the new site is in place (a build measures that on its own).
    pub fn commit(mut self) -> io::Result<Option<Replaced>> {
        let old = swap(&self.tmp, &self.output)?;
        self.committed = true;
        Ok(old.map(Replaced))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            remove_tree(&self.tmp);
        }
    }
}

/// Renames `tmp` into place of `output`; returns where the old output went.
fn swap(tmp: &Path, output: &Path) -> io::Result<Option<PathBuf>> {
    if !output.exists() {
        std::fs::rename(tmp, output)?;
        return Ok(None);
    }
    let old = sibling(output, "old");
    if old.exists() {
        remove_tree(&old);
    }
    std::fs::rename(output, &old)?;
    if let Err(e) = std::fs::rename(tmp, output) {
        let _ = std::fs::rename(&old, output);
        return Err(e);
    }
    Ok(Some(old))
}

fn outside(path: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("refusing to write outside the output folder: {path}"),
    )
}

/// Writes `files` and copies `assets` into a fresh staging folder, swaps it
/// in place of `output` and removes the replaced output. Returns the number
/// of files written.
pub fn write_all(output: &Path, files: &[OutputFile], assets: &[Asset]) -> io::Result<usize> {
    if let Some(bad) = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(assets.iter().map(|a| a.path.as_str()))
        .find(|p| !is_contained(p))
    {
        return Err(outside(bad));
    }
    let staging = Staging::new(output)?;
    files
        .par_iter()
        .try_for_each(|f| staging.write(&f.path, &f.bytes))?;
    assets
        .par_iter()
        .try_for_each(|a| staging.copy(&a.path, &a.source))?;
    if let Some(old) = staging.commit()? {
        old.remove();
    }
    Ok(files.len() + assets.len())
}

/// Writes into an existing output only the files whose bytes differ, each by
/// writing a temporary file and renaming it over the old one, and deletes the
/// files of `previous` that are no longer produced.
pub fn write_changed(
    output: &Path,
    files: &[OutputFile],
    previous: &HashSet<String>,
) -> io::Result<Changed> {
    if let Some(bad) = files.iter().find(|f| !is_contained(&f.path)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {}", bad.path),
        ));
    }
    let written = files
        .par_iter()
        .map(|f| write_if_changed(output, f).map(usize::from))
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let current: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut removed = 0;
    for stale in previous
        .iter()
        .filter(|p| !current.contains(p.as_str()) && is_contained(p))
    {
        if std::fs::remove_file(output.join(stale)).is_ok() {
            removed += 1;
        }
    }
    Ok(Changed { written, removed })
}

/// Writes one file of the output unless it already holds the same bytes,
/// atomically (a temporary file beside it, renamed over it; the temporary is
/// removed if the write fails). Returns whether it wrote.
pub fn write_if_changed(output: &Path, f: &OutputFile) -> io::Result<bool> {
    write_if_changed_with(output, f, |tmp, bytes| std::fs::write(tmp, bytes))
}

/// [`write_if_changed`] for a background thread: the file is written a
/// slice at a time, each on the disk before the next, pausing while
/// `foreground` says a rebuild runs (see `write/paced.rs`).
pub fn write_if_changed_paced(
    output: &Path,
    f: &OutputFile,
    foreground: &Foreground,
) -> io::Result<bool> {
    write_if_changed_with(output, f, |tmp, bytes| {
        paced::write_slices(tmp, bytes, foreground)
    })
}

fn write_if_changed_with(
    output: &Path,
    f: &OutputFile,
    write: impl FnOnce(&Path, &[u8]) -> io::Result<()>,
) -> io::Result<bool> {
    if !is_contained(&f.path) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {}", f.path),
        ));
    }
    let path = output.join(&f.path);
    if holds(&path, &f.bytes) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.hoshin-tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let written = write(&tmp, &f.bytes).and_then(|()| std::fs::rename(&tmp, &path));
    if written.is_err() {
        // Nothing of hoshin's is left beside the output.
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(|()| true)
}

/// True if the file at `path` holds exactly `bytes`: compared by length
/// first, then a block at a time (directives.json is 160 MB at 5,000
/// policies: it is not read into memory whole to be compared).
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
    {
        return false;
    }
    // On the stack: a rebuild compares every page of the replaced output.
    let mut block = [0u8; 16 * 1024];
    let mut rest = bytes;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && block[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// What [`write_changed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Changed {
    /// Files written because their bytes differed (or they were new).
    pub written: usize,
    /// Files removed because the site no longer has them.
    pub removed: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn swaps_the_whole_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_all(&out, &[file("a.html", "1"), file("x/b.html", "2")], &[]).unwrap();
        write_all(&out, &[file("c.html", "3")], &[]).unwrap();
        assert!(!out.join("a.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("c.html")).unwrap(), "3");
        assert_eq!(
            names(dir.path()),
            ["public"],
            "temporary folders are cleaned up"
        );
    }

    #[test]
    fn a_later_build_removes_what_interrupted_ones_left() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // A killed build's staging and replaced folders (no process has PID
        // u32::MAX), and folders that only look alike.
        for name in [
            ".public.hoshin-new-4294967295",
            ".public.hoshin-old-4294967295",
            ".public.hoshin-old-x",
            ".other.hoshin-new-4294967295",
            "content",
        ] {
            std::fs::create_dir_all(dir.path().join(name).join("a/b")).unwrap();
            std::fs::write(dir.path().join(name).join("a/b/c.html"), "x").unwrap();
        }
        write_all(&out, &[file("index.html", "1")], &[]).unwrap();
        assert_eq!(
            names(dir.path()),
            [
                ".other.hoshin-new-4294967295",
                ".public.hoshin-old-x",
                "content",
                "public"
            ]
        );
    }

    #[test]
    fn a_running_builds_staging_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // PID 1 always runs.
        let running = dir.path().join(".public.hoshin-new-1");
        std::fs::create_dir_all(&running).unwrap();
        write_all(&out, &[file("index.html", "1")], &[]).unwrap();
        assert!(running.exists() || !cfg!(target_os = "linux"));
    }

    #[test]
    fn a_dropped_staging_leaves_the_output_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_all(&out, &[file("a.html", "1")], &[]).unwrap();
        let staging = Staging::new(&out).unwrap();
        staging.write("b.html", b"2").unwrap();
        drop(staging);
        assert_eq!(names(dir.path()), ["public"]);
        assert_eq!(names(&out), [crate::output_dir::MARKER, "a.html"]);
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::symlink_metadata(path).unwrap().ino()
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_carries_unchanged_files_over_and_writes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let source = dir.path().join("map.pdf");
        std::fs::write(&source, "pdf").unwrap();
        let asset = Asset {
            path: "files/map.pdf".into(),
            source: source.clone(),
        };
        let first = [file("a.html", "same"), file("x/b.html", "old b")];
        write_all(&out, &first, std::slice::from_ref(&asset)).unwrap();
        let before = [
            inode(&out.join("a.html")),
            inode(&out.join("x/b.html")),
            inode(&out.join("files/map.pdf")),
        ];
        // b.html changes, to text of the same length.
        let second = [file("a.html", "same"), file("x/b.html", "new b")];
        write_all(&out, &second, std::slice::from_ref(&asset)).unwrap();
        assert_eq!(
            inode(&out.join("a.html")),
            before[0],
            "unchanged: carried over"
        );
        assert_eq!(inode(&out.join("files/map.pdf")), before[2]);
        assert_ne!(inode(&out.join("x/b.html")), before[1], "changed: written");
        assert_eq!(
            std::fs::read_to_string(out.join("x/b.html")).unwrap(),
            "new b"
        );
        assert_eq!(names(dir.path()), ["map.pdf", "public"]);
    }

    #[test]
    fn a_failed_rebuild_leaves_carried_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_all(&out, &[file("a.html", "v1")], &[]).unwrap();
        let staging = Staging::new(&out).unwrap();
        staging.write("a.html", b"v1").unwrap();
        // The same path written again (with other bytes) replaces the
        // carried name; it does not write through it into the old site.
        staging.write("a.html", b"v2 longer").unwrap();
        let mut json = staging.create("a.html").unwrap();
        std::io::Write::write_all(&mut json, b"v3").unwrap();
        json.finish().unwrap();
        drop(staging);
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "v1");
        assert_eq!(names(dir.path()), ["public"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_in_the_old_output_is_not_carried_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_all(&out, &[file("index.html", "1")], &[]).unwrap();
        let elsewhere = dir.path().join("elsewhere.html");
        std::fs::write(&elsewhere, "same").unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("a.html")).unwrap();
        write_all(&out, &[file("a.html", "same")], &[]).unwrap();
        let meta = std::fs::symlink_metadata(out.join("a.html")).unwrap();
        assert!(
            meta.file_type().is_file(),
            "a file of its own, not the link"
        );
        assert_ne!(inode(&out.join("a.html")), inode(&elsewhere));
    }

    #[test]
    fn refuses_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        assert!(write_all(&out, &[file("../evil.html", "x")], &[]).is_err());
        assert!(write_all(&out, &[file("/etc/evil", "x")], &[]).is_err());
        assert!(!dir.path().join("evil.html").exists());
        assert!(!out.exists());
    }

    #[test]
    fn writes_only_changes_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_all(&out, &[file("a.html", "1"), file("b.html", "2")], &[]).unwrap();
        let previous: HashSet<String> = ["a.html".to_string(), "b.html".to_string()].into();
        let Changed { written, removed } = write_changed(
            &out,
            &[file("a.html", "1"), file("c/d.html", "4")],
            &previous,
        )
        .unwrap();
        assert_eq!((written, removed), (1, 1));
        assert!(!out.join("b.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("c/d.html")).unwrap(), "4");
    }

    #[test]
    fn a_file_of_the_same_length_with_other_bytes_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let foreground = Foreground::default();
        assert!(write_if_changed_paced(out, &file("i.json", "[1,2]"), &foreground).unwrap());
        assert!(!write_if_changed_paced(out, &file("i.json", "[1,2]"), &foreground).unwrap());
        assert!(write_if_changed(out, &file("i.json", "[1,3]")).unwrap());
        assert_eq!(
            std::fs::read_to_string(out.join("i.json")).unwrap(),
            "[1,3]"
        );
        assert!(!write_if_changed(out, &file("i.json", "[1,3]")).unwrap());
        // Nothing of hoshin's is left beside it.
        assert_eq!(names(out), ["i.json"]);
    }
}
