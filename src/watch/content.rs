//! Reading content/: walking a path as `load::load` walks the folder, and
//! reading one document, skipping the parse when its bytes did not change.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::load::{self, LoadedFile};
use crate::model::Document;
use crate::parse;

/// Hash of a file's bytes: equal bytes, no parse.
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

/// The keys of `map` that stand at `rel` or under it, once `suffix` is
/// added to them (`.md` turns a document key into its path).
pub(super) fn within<V>(map: &BTreeMap<String, V>, rel: &str, suffix: &str) -> Vec<String> {
    if rel.is_empty() {
        return map.keys().cloned().collect();
    }
    let mut keys: Vec<String> = Vec::new();
    let exact = rel.strip_suffix(suffix).unwrap_or(rel);
    if suffix.is_empty() || rel.ends_with(suffix) {
        keys.extend(map.get_key_value(exact).map(|(k, _)| k.clone()));
    }
    // Everything under the folder `rel`: keys from "rel/" up to "rel0" ('0' follows '/').
    let (low, high) = (format!("{rel}/"), format!("{rel}0"));
    keys.extend(map.range(low..high).map(|(k, _)| k.clone()));
    keys
}

/// A file found under content/.
pub(super) enum Found {
    Document {
        key: String,
        path: PathBuf,
        display: String,
    },
    Asset {
        rel: String,
        path: PathBuf,
    },
}

/// What reading a document file gave.
pub(super) enum Fresh {
    Gone,
    Same,
    Broken {
        hash: u64,
        errors: Vec<Diagnostic>,
    },
    Parsed {
        hash: u64,
        doc: Box<Document>,
        warnings: Vec<Diagnostic>,
    },
}

/// Reads and parses one document, unless its bytes hash to `old`.
pub(super) fn read_document(
    key: &str,
    path: &Path,
    display: &str,
    old: Option<u64>,
    config: &Config,
) -> Fresh {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Fresh::Gone,
        Err(e) => {
            let d = Diagnostic::error(format!("cannot read {display}: {e}")).in_file(display);
            return Fresh::Broken {
                hash: 0,
                errors: vec![d],
            };
        }
    };
    let hash = hash_bytes(&bytes);
    if old == Some(hash) {
        return Fresh::Same;
    }
    let source = match load::decode(bytes, display) {
        Ok(s) => s,
        Err(d) => {
            return Fresh::Broken {
                hash,
                errors: vec![d],
            }
        }
    };
    let file = LoadedFile {
        key: key.to_string(),
        source,
    };
    match parse::parse_document(file, config) {
        Ok((doc, warnings)) => Fresh::Parsed {
            hash,
            doc: Box::new(doc),
            warnings,
        },
        Err(errors) => Fresh::Broken { hash, errors },
    }
}

/// Lists the documents and attachments at `rel` under `content_dir` the way
/// `load::load` does: editor temporaries and hidden files skipped, symbolic
/// links not followed. Problems are returned by path relative to content/.
pub(super) fn scan(
    root: &Path,
    content_dir: &Path,
    rel: &str,
) -> (Vec<Found>, Vec<(String, Diagnostic)>) {
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
        // load::load follows content/ itself if it is a link, and no link below it.
        .follow_root_links(rel.is_empty())
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(load::is_ignored));
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
        let display = load::display_path(root, entry.path());
        if entry.path().extension().is_some_and(|e| e == "md") {
            match load::key_of(relative) {
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
            found.push(Found::Asset {
                rel: r.replace('\\', "/"),
                path: entry.path().to_path_buf(),
            });
        }
    }
    (found, errors)
}
