//! Carrying unchanged files over from the output a build replaces.
//!
//! A full build writes every file into a fresh staging folder (SPEC §5), so
//! a build run again over the same site used to write all of it again
//! (830 MB at 5,000 policies) and then delete the replaced tree: every file
//! a new inode, every old one freed, which on a file system that discards
//! freed blocks (`mount -o discard`, common on virtual disks) is slower
//! than the writing. A staged file whose bytes equal the replaced output's
//! file at the same path is instead a hard link to that file: nothing is
//! written, and deleting the replaced tree only drops names.
//!
//! The previous site stays whole: a carried file is never written to (a
//! staged path is always created afresh, see [`create_fresh`]), and only
//! regular files are carried (a symbolic link in the old output is not
//! followed into the new one). Where hard links are not supported (FAT,
//! some network shares) the file is written as before.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write as _};
use std::path::Path;

/// If the file at `old` is a regular file holding exactly `bytes`, makes
/// `target` a hard link to it and returns true. False (and nothing made)
/// when it differs, is missing or cannot be linked: the caller writes.
pub(super) fn carry_bytes(old: &Path, target: &Path, bytes: &[u8]) -> bool {
    regular_of_len(old, bytes.len() as u64) && super::holds(old, bytes) && link(old, target)
}

/// [`carry_bytes`] for a file copied from `source` (an attachment).
pub(super) fn carry_copy(old: &Path, target: &Path, source: &Path) -> bool {
    let Ok(len) = std::fs::metadata(source).map(|m| m.len()) else {
        return false;
    };
    regular_of_len(old, len) && same_contents(old, source) && link(old, target)
}

fn regular_of_len(path: &Path, len: u64) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file() && m.len() == len)
}

/// True if two files hold the same bytes, compared a block at a time.
fn same_contents(a: &Path, b: &Path) -> bool {
    let (Ok(mut a), Ok(mut b)) = (File::open(a), File::open(b)) else {
        return false;
    };
    let (mut x, mut y) = (vec![0; 64 * 1024], vec![0; 64 * 1024]);
    loop {
        let n = match read_full(&mut a, &mut x) {
            Ok(n) => n,
            Err(_) => return false,
        };
        match read_full(&mut b, &mut y) {
            Ok(m) if m == n && x[..n] == y[..n] => {}
            _ => return false,
        }
        if n == 0 {
            return true;
        }
    }
}

/// Reads until `buf` is full or the file ends.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn link(old: &Path, target: &Path) -> bool {
    let make = || std::fs::hard_link(old, target);
    match make() {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => target
            .parent()
            .is_some_and(|p| std::fs::create_dir_all(p).is_ok() && make().is_ok()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(target).is_ok() && make().is_ok()
        }
        Err(_) => false,
    }
}

/// Creates `target` as a new file (its folders as needed). A file already
/// there is unlinked first rather than truncated: it may be a hard link to
/// the previous site's file, which must stay whole.
pub(super) fn create_fresh(target: &Path) -> io::Result<File> {
    let open = || OpenOptions::new().write(true).create_new(true).open(target);
    match open() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            open()
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(target)?;
            open()
        }
        other => other,
    }
}

/// A staged file written in pieces (`directives.json`, 175 MB at 5,000
/// policies) that is carried over like `carry_bytes` when its bytes turn
/// out equal to the output's file: while they agree, the pieces are only
/// compared with the old file; at the first difference the agreed prefix is
/// copied from it and writing goes on. [`StagedFile::finish`] completes it.
pub struct StagedFile {
    target: std::path::PathBuf,
    state: State,
}

enum State {
    /// Every byte so far equals the old file's first `matched` bytes.
    Comparing {
        old_path: std::path::PathBuf,
        old: File,
        matched: u64,
        block: Vec<u8>,
    },
    Writing(File),
}

impl StagedFile {
    /// `target` in the staging folder; `old`, the output's file at the same
    /// path, when it is to be compared with.
    pub(super) fn new(target: &Path, old: Option<&Path>) -> io::Result<StagedFile> {
        let regular =
            |p: &&Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file());
        let state = match old
            .filter(regular)
            .and_then(|p| Some((p, File::open(p).ok()?)))
        {
            Some((old_path, old)) => State::Comparing {
                old_path: old_path.to_path_buf(),
                old,
                matched: 0,
                block: Vec::new(),
            },
            None => State::Writing(create_fresh(target)?),
        };
        Ok(StagedFile {
            target: target.to_path_buf(),
            state,
        })
    }

    /// Stops comparing: the file is made of the old file's agreed prefix,
    /// and what follows is written to it.
    fn diverge(&mut self) -> io::Result<&mut File> {
        if let State::Comparing {
            old_path, matched, ..
        } = &self.state
        {
            let mut new = create_fresh(&self.target)?;
            io::copy(&mut File::open(old_path)?.take(*matched), &mut new)?;
            self.state = State::Writing(new);
        }
        match &mut self.state {
            State::Writing(file) => Ok(file),
            State::Comparing { .. } => unreachable!("diverged above"),
        }
    }

    /// Completes the file: a hard link to the old file if every byte agreed
    /// and the old file has no more, else the written file.
    pub fn finish(mut self) -> io::Result<()> {
        if let State::Comparing { old_path, old, .. } = &mut self.state {
            let at_end = old.read(&mut [0u8; 1]).is_ok_and(|n| n == 0);
            if at_end && link(old_path, &self.target) {
                return Ok(());
            }
        }
        self.diverge()?.flush()
    }
}

impl io::Write for StagedFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let State::Comparing {
            old,
            matched,
            block,
            ..
        } = &mut self.state
        {
            block.resize(data.len(), 0);
            if read_full(old, block).is_ok_and(|n| n == data.len() && block[..] == *data) {
                *matched += data.len() as u64;
                return Ok(data.len());
            }
        }
        self.diverge()?.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.state {
            State::Writing(file) => file.flush(),
            State::Comparing { .. } => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `pieces` through a StagedFile compared with an old file
    /// holding `old`; returns the staged file's bytes and whether it is the
    /// old file itself (a hard link).
    fn staged(old: &str, pieces: &[&str]) -> (String, bool) {
        let dir = tempfile::tempdir().unwrap();
        let (old_path, target) = (dir.path().join("old.json"), dir.path().join("new/i.json"));
        std::fs::write(&old_path, old).unwrap();
        let mut file = StagedFile::new(&target, Some(&old_path)).unwrap();
        for p in pieces {
            file.write_all(p.as_bytes()).unwrap();
        }
        file.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&old_path).unwrap(),
            old,
            "old file whole"
        );
        let same = same_file(&old_path, &target);
        (std::fs::read_to_string(&target).unwrap(), same)
    }

    #[cfg(unix)]
    fn same_file(a: &Path, b: &Path) -> bool {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(a).unwrap().ino() == std::fs::metadata(b).unwrap().ino()
    }

    #[cfg(not(unix))]
    fn same_file(_: &Path, _: &Path) -> bool {
        true
    }

    #[test]
    fn equal_bytes_are_the_old_file() {
        assert_eq!(
            staged("[1,2,3]", &["[1,", "2,3]"]),
            ("[1,2,3]".into(), true)
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_difference_anywhere_makes_a_file_of_its_own() {
        let cases = [
            (&["[1,", "9,3]"][..], "[1,9,3]"),     // in a later piece
            (&["[0,2,3]"][..], "[0,2,3]"),         // in the first
            (&["[1,2"][..], "[1,2"),               // shorter: a prefix of the old
            (&["[1,2,3]", ",4"][..], "[1,2,3],4"), // longer
            (&[][..], ""),                         // empty
        ];
        for (pieces, want) in cases {
            assert_eq!(
                staged("[1,2,3]", pieces),
                (want.to_string(), false),
                "{pieces:?}"
            );
        }
    }

    #[test]
    fn without_an_old_file_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("i.json");
        let mut file = StagedFile::new(&target, Some(&dir.path().join("missing"))).unwrap();
        file.write_all(b"{}").unwrap();
        file.finish().unwrap();
        assert_eq!(std::fs::read_to_string(target).unwrap(), "{}");
    }
}
