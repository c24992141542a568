//! The site layout: every output path, URL and reserved name in one place
//! (SPEC §5). Render asks it where a page goes and how to link to it, write
//! and watch ask it which files are indexes, and parse asks it which
//! document keys would land on a generated name. Nothing else spells a
//! generated file's name.
//!
//! Paths here are relative to the output root with `/` separators
//! (`2023/somu.html`); URLs are the same paths percent-encoded for an href.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// A file to write, by path relative to the output root (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path under the output root.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The home page.
pub const INDEX: &str = "index.html";
/// The search page.
pub const SEARCH: &str = "search.html";
/// The directive index (or its year overview, when split).
pub const DIRECTIVES: &str = "directives.html";
/// The page for unknown paths.
pub const NOT_FOUND: &str = "404.html";
/// The machine-readable anchor index.
pub const DIRECTIVES_JSON: &str = "directives.json";
/// Folder of the theme's static files.
pub const STATIC_DIR: &str = "static";
/// Folder of the search index shards.
pub const SEARCH_DIR: &str = "search";
/// Folder of the per-year listings.
pub const YEARS_DIR: &str = "years";
/// Folder of the per-department listings.
pub const DEPARTMENTS_DIR: &str = "departments";
/// Folder of the per-year directive index pages.
pub const DIRECTIVES_DIR: &str = "directives";
/// Folder of the year-over-year comparison pages (SPEC §8).
pub const COMPARE_DIR: &str = "compare";

/// Names at the root of the output that hoshin generates (files).
pub const RESERVED_FILES: &[&str] = &[INDEX, NOT_FOUND, SEARCH, DIRECTIVES, DIRECTIVES_JSON];
/// Folders at the root of the output that hoshin generates.
pub const RESERVED_DIRS: &[&str] = &[
    STATIC_DIR,
    SEARCH_DIR,
    YEARS_DIR,
    DEPARTMENTS_DIR,
    DIRECTIVES_DIR,
    COMPARE_DIR,
];

/// `2023/somu.html`: the page of the document with key `2023/somu`.
pub fn document(key: &str) -> String {
    format!("{key}.html")
}

/// `years/2023.html`.
pub fn year(year: i32) -> String {
    format!("{YEARS_DIR}/{year}.html")
}

/// `departments/somu.html`.
pub fn department(slug: &str) -> String {
    format!("{DEPARTMENTS_DIR}/{slug}.html")
}

/// `directives/2023.html`: one year's part of a split directive index.
pub fn directives_year(year: i32) -> String {
    format!("{DIRECTIVES_DIR}/{year}.html")
}

/// `compare/2024/somu.html`: the 新旧対照表 of a document (SPEC §8).
pub fn compare(key: &str) -> String {
    format!("{COMPARE_DIR}/{key}.html")
}

/// True for `directives.json` and the search index's files: the indexes that
/// watch brings up to date once the author pauses.
pub fn is_index_file(path: &str) -> bool {
    path == DIRECTIVES_JSON
        || path
            .strip_prefix(SEARCH_DIR)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// True if an output path would land on a name hoshin generates: a reserved
/// root file, or anything under a reserved folder.
pub fn is_reserved(path: &str) -> bool {
    match path.split_once('/') {
        Some((first, _)) => RESERVED_DIRS.contains(&first),
        None => RESERVED_FILES.contains(&path),
    }
}

/// True if the page of the document with this key would replace a page
/// hoshin generates (`content/index.md`, `content/years/2023.md`).
pub fn is_reserved_key(key: &str) -> bool {
    is_reserved(&document(key))
}

/// `../` once per folder level of a page path (`2023/somu.html` → `../`):
/// what a page prefixes to root-relative URLs, since every link is relative.
pub fn root_of(page_path: &str) -> String {
    "../".repeat(page_path.matches('/').count())
}

/// Characters left as they are in an href: unreserved ones and the path
/// separator. Everything else in a segment — `#`, `%`, `?`, spaces,
/// non-ASCII — is encoded (`content/2024/c#d.md` → `2024/c%23d.html`); an
/// anchor is added after encoding.
const HREF: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a root-relative output path for an href (keeps `/`).
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, HREF).to_string()
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it
/// is, and bytes that are not UTF-8 become U+FFFD.
pub fn decode_path(path: &str) -> String {
    percent_decode_str(path).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_encoding() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("2023/somu.html"), "../");
        assert_eq!(root_of("a/b/c.html"), "../../");
        assert_eq!(encode_path("2023/somu.html"), "2023/somu.html");
        assert_eq!(encode_path("2024/c#d.html"), "2024/c%23d.html");
        assert_eq!(
            encode_path("2023/総務.html"),
            "2023/%E7%B7%8F%E5%8B%99.html"
        );
        assert_eq!(encode_path("a b%?.html"), "a%20b%25%3F.html");
    }

    #[test]
    fn decoding_leaves_stray_percent_signs() {
        assert_eq!(decode_path("%E7%B7%8F%E5%8B%99.md"), "総務.md");
        assert_eq!(decode_path("100%.md"), "100%.md");
        assert_eq!(decode_path("%+1%2.md"), "%+1%2.md");
    }

    #[test]
    fn reserved_names() {
        for key in [
            "index",
            "search",
            "directives",
            "404",
            "years/2023",
            "static/x",
        ] {
            assert!(is_reserved_key(key), "{key}");
        }
        for key in ["2023/somu", "indexes", "search2/a", "compares/x"] {
            assert!(!is_reserved_key(key), "{key}");
        }
        assert!(is_reserved_key("compare/2024/somu"));
        assert!(is_reserved("directives.json"));
    }

    #[test]
    fn index_files() {
        assert!(is_index_file("directives.json"));
        assert!(is_index_file("search/p/1.js"));
        assert!(!is_index_file("search.html"));
        assert!(!is_index_file("searches/x.js"));
    }
}
