//! The invariants the fuzz targets (`fuzz/`, nightly) and the property tests
//! (`cargo test`, stable) check on the entry points that read what users and
//! clients send: whatever the input, these return, and what they return is
//! well-formed. One home, so that both kinds of test check the same thing.

use std::path::Path;
use std::sync::OnceLock;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::load::LoadedFile;
use crate::render::{Page, SiteView, Theme};

/// Every diagnostic is located and prints (a long line prints a window, not the line).
fn check_diagnostics(diagnostics: &[Diagnostic], file: &SourceFile) {
    for d in diagnostics {
        let text = d.to_string();
        let loc = d
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("diagnostic without a location: {text}"));
        assert_eq!(loc.path, file.display_path, "{text}");
        assert!(loc.line >= 1 && loc.column >= 1, "{text}");
        // The excerpt is bounded whatever the line's length.
        assert!(text.len() < 4096 + d.message.len() * 2, "{}", text.len());
    }
}

fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| {
        Theme::load(Path::new("/nonexistent-hoshin-site"), "default").expect("built-in theme")
    })
}

/// A whole policy file: decoded, parsed, linked against itself, rendered.
pub fn check_document(text: &str) {
    let config = Config::default();
    // As the build reads a file: BOM, CRLF and NUL handled by load.
    let file = match crate::load::decode(text.as_bytes().to_vec(), "content/2023/x.md") {
        Ok(f) => f,
        Err(d) => panic!("valid UTF-8 refused: {d}"),
    };
    let loaded = LoadedFile {
        key: "2023/x".into(),
        source: file.clone(),
    };
    match crate::parse::parse_document(loaded, &config) {
        Ok((doc, warnings)) => {
            check_diagnostics(&warnings, &file);
            for d in &doc.directives {
                assert!(d.id().is_ascii(), "{}", d.id());
                assert!(d.span().end <= file.text.len());
            }
            // A full build links and compares documents that keep only
            // the lines of their references and `previous:`: what it
            // reports must read as it does against the whole source.
            let whole = vec![doc.clone()];
            let shown = |errors: &[Diagnostic]| -> Vec<String> {
                errors.iter().map(ToString::to_string).collect()
            };
            let (_, whole_link) = crate::link::link(&whole, &config);
            let (_, whole_compare) = crate::compare::site::compare(&whole, &config);
            let mut doc = doc;
            doc.keep_cited_lines();
            let docs = vec![doc];
            let (links, errors) = crate::link::link(&docs, &config);
            check_diagnostics(&errors, &file);
            assert_eq!(shown(&errors), shown(&whole_link));
            let (comparisons, errors) = crate::compare::site::compare(&docs, &config);
            check_diagnostics(&errors, &file);
            assert_eq!(shown(&errors), shown(&whole_compare));
            let view = SiteView::new(&config, &docs, &links, &comparisons);
            let page = view
                .render(theme(), &Page::Document(0))
                .unwrap_or_else(|e| panic!("page failed to render: {e}"));
            let html = String::from_utf8(page.bytes).expect("pages are UTF-8");
            assert!(!html.contains('\0'), "a placeholder was left in the page");
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            check_diagnostics(&errors, &file);
        }
    }
}

/// `[[…]]` splitting and citation parsing.
pub fn check_references(text: &str) {
    for piece in crate::parse::inline::split_wiki(text) {
        if let crate::parse::inline::Piece::Wiki { offset, len, .. } = piece {
            assert!(offset + len <= text.len());
            assert!(text.is_char_boundary(offset) && text.is_char_boundary(offset + len));
        }
    }
    if let Some(steps) = crate::link::citation::parse(text) {
        let _ = crate::link::citation::id_of(&steps);
    }
    check_document(&format!(
        "---\nyear: 2023\ndepartment: 総務部\nauthor: X\n---\n\n① 本文\n\n[[{text}]] [[#{text}]] [[総務部/2023#{text}]]\n"
    ));
}

/// The search normaliser and tokenizer, on text and on queries.
pub fn check_search_text(text: &str) {
    let normal = crate::search::normalize(text);
    for token in crate::search::tokenize(&normal) {
        assert!(!token.is_empty());
    }
    for part in crate::search::query_parts(text) {
        assert!(!part.is_empty());
    }
}

/// serve's request parser: any bytes give a request whose path stays inside
/// the output folder, or a status to answer with.
pub fn check_http_request(bytes: &[u8]) {
    if let Ok(segments) = crate::serve::parse_request(bytes) {
        for s in segments {
            assert!(!s.is_empty() && s != "." && s != "..", "{s:?}");
            assert!(!s.contains(['/', '\\', '\0']), "{s:?}");
        }
    }
}
