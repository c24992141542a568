//! Reading what changed under content/ in a rebuild: one document, skipping
//! the parse when its bytes did not change (the walk is [`load::scan`]).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::Path;

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
        Ok((mut doc, warnings)) => {
            // As in a full build: a rebuild knows a file changed by its
            // hash, so of the source only what diagnostics point at stays.
            doc.keep_cited_lines();
            Fresh::Parsed {
                hash,
                doc: Box::new(doc),
                warnings,
            }
        }
        Err(errors) => Fresh::Broken { hash, errors },
    }
}
