//! 新旧対照表 (SPEC §8): each document read against its predecessor,
//! directive by directive.
//!
//! - [`mod@align`] pairs the directives of two documents (a dynamic-programming
//!   alignment over text similarity and hierarchy);
//! - [`grams`] is what the alignment knows of a document's directives (their
//!   normalised texts and an inverted index of their bigrams);
//! - [`diff`] marks the changed characters of a changed pair;
//! - [`site`] finds each document's predecessor (`previous:`, else the same
//!   department's latest earlier year) and aligns every such pair of the site;
//! - [`page`] is what the comparison page and the marks on document pages show,
//!   [`rows`] the comparison table's rows as HTML;
//! - [`terminal`] prints a comparison for `hoshin diff`.
//!
//! This stage runs after link and before render: it reads documents, never pages.

pub mod align;
pub mod diff;
pub mod grams;
pub mod page;
pub mod rows;
pub mod site;
pub mod terminal;

pub use align::{align, Alignment, Change, Counts, Row};
pub use site::{Comparison, Comparisons};

#[cfg(test)]
pub(crate) mod testing {
    use crate::config::Config;
    use crate::diagnostics::SourceFile;
    use crate::load::LoadedFile;
    use crate::model::Document;

    /// A parsed document of 総務部 for `year` with `body` as its Markdown.
    pub fn doc(key: &str, year: i32, body: &str) -> Document {
        doc_with(key, year, "総務部", "", body)
    }

    /// A parsed document with extra front matter lines.
    pub fn doc_with(key: &str, year: i32, department: &str, front: &str, body: &str) -> Document {
        let text = format!(
            "---\nyear: {year}\ndepartment: {department}\nauthor: 部長\n{front}---\n\n{body}"
        );
        let file = LoadedFile {
            key: key.to_string(),
            source: SourceFile::new(format!("content/{key}.md"), text),
        };
        match crate::parse::parse_document(file, &Config::default()) {
            Ok((d, _)) => d,
            Err(e) => panic!("{key} does not parse: {e:?}"),
        }
    }
}
