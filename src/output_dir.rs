//! The output folder: resolved once, checked against the site before anything
//! is written, and marked as hoshin's (SPEC §5, §7).
//!
//! A build replaces the output folder whole, so a wrong output folder loses
//! files. The folder is resolved the way the operating system would resolve it
//! (`..` after a symbolic link goes to the link target's parent, trailing
//! slashes and `.` do not matter) and compared with the site's own folders,
//! letter case folded where the disk ignores it. It must not be the site
//! root, `content/`, `themes/`, `site.toml` or inside them, nor contain the
//! site. A folder that already holds files must carry the marker file hoshin
//! leaves in everything it writes, unless the user says `--force`.

use std::path::{Component, Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

/// The marker file hoshin writes at the top of every output folder.
pub const MARKER: &str = ".hoshin-output";

/// What the marker file says to someone who finds it.
pub const MARKER_TEXT: &str = "This folder was written by hoshin. Every `hoshin build` replaces it as a whole:\nkeep nothing of your own in it.\n";

/// Writes the marker into a folder hoshin is filling.
pub fn mark(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join(MARKER), MARKER_TEXT)
}

/// What the build is allowed to do with the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// `hoshin check`: nothing is written, only where the folder lies is checked.
    Check,
    /// `build`/`watch`: the folder will be replaced; `force` allows replacing a
    /// non-empty folder hoshin did not write.
    Write {
        /// `--force` was given.
        force: bool,
    },
}

/// Resolves the output folder (`--output`, relative to the working directory,
/// else `output_dir` of site.toml, relative to the site) and checks it.
/// Returns the resolved folder, which is where the build writes; every
/// problem is a configuration error (exit status 2).
pub fn resolve(
    root: &Path,
    config: &Config,
    given: Option<&Path>,
    intent: Intent,
) -> Result<PathBuf, Diagnostic> {
    let spelled = match given {
        Some(p) => p.to_path_buf(),
        None => root.join(&config.output_dir),
    };
    let locate = |d: Diagnostic| match given {
        Some(_) => d.with_note("given with --output"),
        None => crate::config::at_key(root, "output_dir", d),
    };
    let output = real_path(&spelled);
    let site = real_path(root);
    let fold = case_insensitive(&site) || case_insensitive(&output);
    let shown = spelled.display();
    let help = "give the site an output folder of its own, e.g. output_dir = \"public\" or --output ../public";

    if same(&output, &site, fold) {
        return Err(locate(
            Diagnostic::error(format!(
                "output folder `{shown}` would overwrite the site: it is the site folder itself"
            ))
            .with_help(help),
        ));
    }
    if within(&site, &output, fold) {
        return Err(locate(
            Diagnostic::error(format!(
                "output folder `{shown}` would overwrite the site: it contains the site folder `{}`",
                site.display()
            ))
            .with_help(help),
        ));
    }
    let protected = [
        (
            real_path(&root.join(&config.content_dir)),
            "the content folder",
        ),
        (real_path(&root.join("themes")), "the themes folder"),
        (real_path(&root.join("site.toml")), "site.toml"),
    ];
    for (path, name) in &protected {
        let relation = if same(&output, path, fold) {
            Some("is")
        } else if within(&output, path, fold) {
            Some("is inside")
        } else if within(path, &output, fold) {
            Some("contains")
        } else {
            None
        };
        if let Some(relation) = relation {
            return Err(locate(
                Diagnostic::error(format!(
                    "output folder `{shown}` would overwrite the site: it {relation} {name} (`{}`)",
                    path.display()
                ))
                .with_help(help),
            ));
        }
    }
    if output.exists() && !output.is_dir() {
        return Err(locate(
            Diagnostic::error(format!("output folder `{shown}` is a file, not a folder"))
                .with_help(help),
        ));
    }
    if let Intent::Write { force: false } = intent {
        if is_foreign(&output) {
            return Err(locate(
                Diagnostic::error(format!(
                    "output folder `{shown}` is not empty and was not written by hoshin"
                ))
                .with_note(format!(
                    "a build replaces the output folder whole; hoshin leaves a `{MARKER}` file in what it writes, and this folder has none"
                ))
                .with_help("choose a new or empty folder, or add --force to replace this folder and everything in it with the site"),
            ));
        }
    }
    Ok(output)
}

/// True if `dir` holds something but not hoshin's marker. A site written by
/// a hoshin from before the marker (its `directives.json` and
/// `static/hoshin.js` at the top) counts as hoshin's, so upgrading does not
/// make the usual `public/` need `--force` once.
fn is_foreign(dir: &Path) -> bool {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let earlier_hoshin = dir.join(crate::layout::DIRECTIVES_JSON).is_file()
        && dir.join("static/hoshin.js").is_file();
    entries.next().is_some() && !dir.join(MARKER).is_file() && !earlier_hoshin
}

/// The path as the operating system resolves it: absolute, every existing
/// part with its symbolic links followed, `.` dropped and `..` applied to the
/// resolved parent. Parts that do not exist yet are kept as written.
pub fn real_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::Prefix(_) => {
                out.push(part);
                continue; // `C:` alone is the drive's working directory.
            }
            Component::RootDir | Component::Normal(_) => out.push(part),
            Component::CurDir => continue,
            Component::ParentDir => {
                out.pop();
                continue;
            }
        }
        // Every existing part in its canonical spelling (on Windows `\\?\C:\…`),
        // so that paths that exist and paths that do not compare alike.
        if let Ok(real) = std::fs::canonicalize(&out) {
            out = real;
        }
    }
    out
}

/// True if the disk holding `path` (or its nearest existing folder) treats
/// `A` and `a` as the same name. Found out by looking a name up in the other
/// case; where no name with letters exists, the platform's usual disk decides.
pub fn case_insensitive(path: &Path) -> bool {
    for dir in path.ancestors() {
        let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !dir.exists() {
            continue;
        }
        let flipped: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        if flipped == name {
            continue;
        }
        let other = dir.with_file_name(flipped);
        return same_file::is_same_file(dir, &other).unwrap_or(false);
    }
    cfg!(any(windows, target_os = "macos"))
}

fn parts(path: &Path, fold: bool) -> Vec<String> {
    path.components()
        .map(|c| {
            let s = c.as_os_str().to_string_lossy();
            if fold {
                s.to_lowercase()
            } else {
                s.into_owned()
            }
        })
        .collect()
}

/// True if two resolved paths name the same place.
fn same(a: &Path, b: &Path, fold: bool) -> bool {
    parts(a, fold) == parts(b, fold)
}

/// True if `inner` lies strictly inside `outer` (both resolved).
pub fn within(inner: &Path, outer: &Path, fold: bool) -> bool {
    let (i, o) = (parts(inner, fold), parts(outer, fold));
    i.len() > o.len() && i[..o.len()] == o[..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_from_before_the_marker_is_hoshins_and_other_folders_are_not() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_foreign(dir.path()), "an empty folder is free");
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(is_foreign(dir.path()));
        std::fs::write(dir.path().join("directives.json"), "{}").unwrap();
        assert!(is_foreign(dir.path()), "one generated name is not enough");
        std::fs::create_dir(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/hoshin.js"), "").unwrap();
        assert!(!is_foreign(dir.path()));
    }

    #[test]
    fn real_paths_apply_dot_dot_after_links() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(base.join("a/b")).unwrap();
        assert_eq!(real_path(&base.join("a/./b/../b/")), base.join("a/b"));
        assert_eq!(real_path(&base.join("a/new/../x")), base.join("a/x"));
        #[cfg(unix)]
        {
            std::fs::create_dir_all(base.join("elsewhere/deep")).unwrap();
            std::os::unix::fs::symlink(base.join("elsewhere/deep"), base.join("a/link")).unwrap();
            // `link/..` is the link target's parent, as the system sees it.
            assert_eq!(real_path(&base.join("a/link/..")), base.join("elsewhere"));
        }
    }

    #[test]
    fn containment_folds_case_only_where_asked() {
        let a = Path::new("/srv/Site/content");
        let b = Path::new("/srv/site");
        assert!(!within(a, b, false));
        assert!(within(a, b, true));
        assert!(!within(b, b, true), "a folder is not inside itself");
        assert!(same(Path::new("/srv/SITE"), b, true));
    }

    #[test]
    fn a_temporary_folder_on_linux_is_case_sensitive() {
        let dir = tempfile::tempdir().unwrap();
        if cfg!(target_os = "linux") {
            assert!(!case_insensitive(dir.path()));
        }
    }
}
