//! Write: put the rendered files on disk. A full build writes into a
//! temporary folder beside the output and swaps it in at the end, so a failed
//! or interrupted build leaves the previous site whole. A rebuild in watch mode
//! writes only the files whose bytes changed, each atomically.

use std::collections::{BTreeSet, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::layout::OutputFile;

/// True if a relative output path stays inside the output folder.
fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn sibling(output: &Path, tag: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.hoshin-{tag}-{}", std::process::id()))
}

/// Writes `files` and copies `assets` ((relative path, source)) into a fresh
/// folder and swaps it in place of `output`. Returns the number of files written.
pub fn write_site(
    output: &Path,
    files: &[OutputFile],
    assets: &[(String, PathBuf)],
) -> io::Result<usize> {
    if let Some(bad) = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(assets.iter().map(|a| a.0.as_str()))
        .find(|p| !is_contained(p))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {bad}"),
        ));
    }
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = sibling(output, "new");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    let result = fill(&tmp, files, assets).and_then(|n| swap_in(&tmp, output).map(|_| n));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn fill(dir: &Path, files: &[OutputFile], assets: &[(String, PathBuf)]) -> io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let folders: BTreeSet<&Path> = files
        .iter()
        .map(|f| Path::new(f.path.as_str()))
        .chain(assets.iter().map(|a| Path::new(a.0.as_str())))
        .filter_map(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    for folder in folders {
        std::fs::create_dir_all(dir.join(folder))?;
    }
    files
        .par_iter()
        .try_for_each(|f| std::fs::write(dir.join(&f.path), &f.bytes))?;
    assets
        .par_iter()
        .try_for_each(|(rel, src)| std::fs::copy(src, dir.join(rel)).map(|_| ()))?;
    Ok(files.len() + assets.len())
}

fn swap_in(tmp: &Path, output: &Path) -> io::Result<()> {
    if let Some(old) = swap(tmp, output)? {
        remove_tree(&old);
    }
    Ok(())
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

/// The hidden subcommand that deletes a replaced output (see [`remove_replaced`]).
pub const REMOVE_COMMAND: &str = "__remove-replaced-output";

/// Deletes a replaced output folder in a detached `hoshin` process, or here
/// if that cannot be started (or this is not the hoshin binary, as in tests).
fn remove_in_background(old: &Path) {
    let exe = std::env::current_exe().ok().filter(|e| {
        e.file_stem()
            .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("hoshin"))
    });
    let spawned = exe.is_some_and(|exe| {
        std::process::Command::new(exe)
            .arg(REMOVE_COMMAND)
            .arg(old)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .is_ok()
    });
    if !spawned {
        remove_tree(old);
    }
}

/// Deletes a folder that a build swapped out, refusing anything that is not
/// named like one (`.NAME.hoshin-old-PID`), so the subcommand cannot be
/// turned against other folders.
pub fn remove_replaced(path: &Path) -> bool {
    let named_right = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.contains(".hoshin-old-"));
    if named_right && path.is_dir() {
        remove_tree(path);
        true
    } else {
        false
    }
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

/// A fresh folder beside the output that files are written into as they are
/// rendered (so the whole site never sits in memory), swapped in place of the
/// output by [`Staging::commit`]. Dropped without commit, it removes itself and
/// the output is untouched.
pub struct Staging {
    tmp: PathBuf,
    output: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the temporary folder for `output`.
    pub fn new(output: &Path) -> io::Result<Staging> {
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = sibling(output, "new");
        if tmp.exists() {
            remove_tree(&tmp);
        }
        std::fs::create_dir_all(&tmp)?;
        Ok(Staging {
            tmp,
            output: output.to_path_buf(),
            committed: false,
        })
    }

    /// Writes one file (its folders are created as needed). Safe to call from many threads.
    pub fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.target(path)?;
        match std::fs::write(&target, bytes) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&target, bytes)
            }
            other => other,
        }
    }

    /// Opens a file for writing in pieces (large files such as directives.json).
    pub fn create(&self, path: &str) -> io::Result<std::fs::File> {
        let target = self.target(path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::File::create(target)
    }

    /// Copies a file into the staging folder.
    pub fn copy(&self, path: &str, source: &Path) -> io::Result<()> {
        let target = self.target(path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(source, target).map(|_| ())
    }

    fn target(&self, path: &str) -> io::Result<PathBuf> {
        if !is_contained(path) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output folder: {path}"),
            ));
        }
        Ok(self.tmp.join(path))
    }

    /// Swaps the staged site in place of the output. The replaced site is
    /// deleted by a helper process, so the build need not wait for thousands
    /// of file deletions (seconds on a large site).
    pub fn commit(mut self) -> io::Result<()> {
        let old = swap(&self.tmp, &self.output)?;
        self.committed = true;
        if let Some(old) = old {
            remove_in_background(&old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Writes into an existing output only the files whose bytes differ, each by
/// writing a temporary file and renaming it over the old one, and deletes the
/// files of `previous` that are no longer produced. Returns files written and removed.
pub fn write_changed(
    output: &Path,
    files: &[OutputFile],
    previous: &HashSet<String>,
) -> io::Result<(usize, usize)> {
    if let Some(bad) = files.iter().find(|f| !is_contained(&f.path)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {}", bad.path),
        ));
    }
    let written = files
        .par_iter()
        .map(|f| -> io::Result<usize> {
            let path = output.join(&f.path);
            if std::fs::read(&path).is_ok_and(|old| old == f.bytes) {
                return Ok(0);
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
            std::fs::write(&tmp, &f.bytes)?;
            std::fs::rename(&tmp, &path)?;
            Ok(1)
        })
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
    Ok((written, removed))
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

    #[test]
    fn swaps_the_whole_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a.html", "1"), file("x/b.html", "2")], &[]).unwrap();
        write_site(&out, &[file("c.html", "3")], &[]).unwrap();
        assert!(!out.join("a.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("c.html")).unwrap(), "3");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary folders are cleaned up");
    }

    #[test]
    fn only_replaced_outputs_can_be_removed_by_the_helper_process() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("content");
        std::fs::create_dir_all(&other).unwrap();
        assert!(!remove_replaced(&other));
        assert!(other.exists());
        let old = dir.path().join(".public.hoshin-old-42");
        std::fs::create_dir_all(old.join("a/b")).unwrap();
        std::fs::write(old.join("a/b/c.html"), "x").unwrap();
        assert!(remove_replaced(&old));
        assert!(!old.exists());
    }

    #[test]
    fn refuses_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        assert!(write_site(&out, &[file("../evil.html", "x")], &[]).is_err());
        assert!(write_site(&out, &[file("/etc/evil", "x")], &[]).is_err());
        assert!(!dir.path().join("evil.html").exists());
        assert!(!out.exists());
    }

    #[test]
    fn writes_only_changes_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a.html", "1"), file("b.html", "2")], &[]).unwrap();
        let previous: HashSet<String> = ["a.html".to_string(), "b.html".to_string()].into();
        let (written, removed) = write_changed(
            &out,
            &[file("a.html", "1"), file("c/d.html", "4")],
            &previous,
        )
        .unwrap();
        assert_eq!((written, removed), (1, 1));
        assert!(!out.join("b.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("c/d.html")).unwrap(), "4");
    }
}
