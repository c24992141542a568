//! Load: walk `content/`, read each policy as UTF-8 text, and list the other
//! files (attachments such as PDFs) to copy beside the pages.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::model::Asset;

/// A policy file read from disk.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Document key: path under content/ without `.md`, `/`-separated.
    pub key: String,
    /// Text, BOM removed, CRLF turned into LF.
    pub source: SourceFile,
}

/// What the content folder holds.
#[derive(Debug, Default)]
pub struct Content {
    /// Markdown files, sorted by key.
    pub files: Vec<LoadedFile>,
    /// Other files: (path relative to content/ with `/`, absolute path).
    pub assets: Vec<Asset>,
}

/// Editor temporaries and hidden files never count as content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name == "4913"
        || name.starts_with(".#")
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

/// `2023/somu.md` → `2023/somu`.
pub fn key_of(relative: &Path) -> Option<String> {
    let s = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<Vec<_>>>()?
        .join("/");
    s.strip_suffix(".md").map(str::to_string)
}

/// Reads every document under `content_dir`. `root` is used to show paths relative to the site.
pub fn load(root: &Path, content_dir: &Path) -> (Content, Vec<Diagnostic>) {
    let mut md = Vec::new();
    let mut assets = Vec::new();
    let mut errors = Vec::new();
    if !content_dir.is_dir() {
        errors.push(
            Diagnostic::error(format!(
                "content folder `{}` not found",
                content_dir.display()
            ))
            .with_help(
                "create it and put one Markdown file per policy in it, e.g. content/2023/somu.md",
            ),
        );
        return (Content::default(), errors);
    }
    let (found, scan_errors) = scan(root, content_dir, "");
    errors.extend(scan_errors.into_iter().map(|(_, d)| d));
    for f in found {
        match f {
            Found::Document { key, path, display } => md.push((key, path, display)),
            Found::Asset(asset) => assets.push(asset),
        }
    }
    let read: Vec<Result<LoadedFile, Diagnostic>> = md
        .into_par_iter()
        .map(|(key, path, display)| {
            read_file(&path, &display).map(|source| LoadedFile { key, source })
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(f) => files.push(f),
            Err(d) => errors.push(d),
        }
    }
    (Content { files, assets }, errors)
}

/// A file found under content/.
pub enum Found {
    /// A policy document.
    Document {
        /// Its key (`2023/somu`).
        key: String,
        /// The file.
        path: PathBuf,
        /// Its path as shown in messages.
        display: String,
    },
    /// Any other file, copied as it is.
    Asset(Asset),
}

/// Lists the documents and attachments at `rel` under `content_dir` (a file,
/// a folder, or `""` for all of it): editor temporaries and hidden files
/// skipped, symbolic links not followed (except content/ itself). Problems
/// are returned with the path, relative to content/, they were found at.
/// [`load`] walks the whole folder with it, and a rebuild the paths that changed.
pub fn scan(root: &Path, content_dir: &Path, rel: &str) -> (Vec<Found>, Vec<(String, Diagnostic)>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    if !content_dir.is_dir() {
        return (found, errors);
    }
    let start = if rel.is_empty() {
        content_dir.to_path_buf()
    } else {
        content_dir.join(rel)
    };
    if std::fs::symlink_metadata(&start).is_err() {
        return (found, errors);
    }
    let walker = WalkDir::new(&start)
        .follow_links(false)
        // content/ itself is followed if it is a link, and no link below it.
        .follow_root_links(rel.is_empty())
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(is_ignored));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e
                    .path()
                    .and_then(|p| p.strip_prefix(content_dir).ok())
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_else(|| rel.to_string());
                errors.push((
                    at,
                    Diagnostic::error(format!("cannot read the content folder: {e}")),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path());
        let display = display_path(root, entry.path());
        if entry.path().extension().is_some_and(|e| e == "md") {
            match key_of(relative) {
                Some(key) => found.push(Found::Document {
                    key,
                    path: entry.path().to_path_buf(),
                    display,
                }),
                None => errors.push((
                    relative.to_string_lossy().replace('\\', "/"),
                    Diagnostic::error(format!("file name `{display}` is not valid Unicode"))
                        .in_file(&display),
                )),
            }
        } else if let Some(r) = relative.to_str() {
            found.push(Found::Asset(Asset {
                path: r.replace('\\', "/"),
                source: entry.path().to_path_buf(),
            }));
        }
    }
    (found, errors)
}

/// Path shown in messages: relative to the site root, with `/`.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads one policy: UTF-8 required; BOM and CRLF accepted.
pub fn read_file(path: &Path, display: &str) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(format!("cannot read {display}: {e}")).in_file(display))?;
    decode(bytes, display)
}

/// Decodes file bytes as UTF-8, locating the first invalid byte if it is not.
pub fn decode(bytes: Vec<u8>, display: &str) -> Result<SourceFile, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            // Reuse the buffer: most files have neither a BOM nor CR.
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            if text.contains('\r') {
                text = text.replace("\r\n", "\n").replace('\r', "\n");
            }
            // CommonMark reads NUL as U+FFFD; so does everything after load,
            // so that no stage sees a character it uses as a placeholder.
            if text.contains('\0') {
                text = text.replace('\0', "\u{fffd}");
            }
            Ok(SourceFile::new(display, text))
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let rest_of_line: String = String::from_utf8_lossy(&bytes[valid..])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let file = SourceFile::new(display, format!("{prefix}{rest_of_line}"));
            Err(Diagnostic::error("file is not UTF-8 text")
                .at(&file, valid..valid + 1)
                .with_note("it may have been saved as Shift_JIS (ANSI)")
                .with_help(
                    "save the file as UTF-8 (in Notepad: 名前を付けて保存 → 文字コード「UTF-8」)",
                ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_md_and_use_slashes() {
        assert_eq!(
            key_of(Path::new("2023/somu.md")).as_deref(),
            Some("2023/somu")
        );
        assert_eq!(key_of(Path::new("a.txt")), None);
    }

    #[test]
    fn editor_temporaries_are_ignored() {
        for name in [
            ".somu.md.swp",
            "somu.md~",
            "4913",
            "~$somu.md",
            ".#somu.md",
            "x.tmp",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("somu.md"));
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let f = decode(b"\xef\xbb\xbf---\r\nyear: 1\r\n".to_vec(), "a.md").unwrap();
        assert_eq!(&*f.text, "---\nyear: 1\n");
    }

    #[test]
    fn nul_is_read_as_the_replacement_character() {
        let f = decode(b"a\0b".to_vec(), "a.md").unwrap();
        assert_eq!(&*f.text, "a\u{fffd}b");
    }

    #[test]
    fn shift_jis_is_located() {
        // 「総務」 in Shift_JIS on line 2.
        let e = decode(b"---\nyear: \x91\x8d\x96\xb1\n".to_vec(), "a.md").unwrap_err();
        let loc = e.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 7));
    }
}
