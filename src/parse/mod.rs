//! Parse: a loaded file → a [`Document`] with front matter, directives
//! (anchored and numbered), table of contents and body HTML.

mod body;
mod hierarchy;
pub mod inline;

use std::fmt::Write as _;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::frontmatter;
use crate::load::LoadedFile;
use crate::model::{Directive, Document, TocEntry};

pub use body::markdown_options;

/// A parsed document and its warnings, or every error found in it.
pub type ParseResult = Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Parses one policy file.
pub fn parse_document(file: LoadedFile, config: &Config) -> ParseResult {
    let source = file.source;
    let split = frontmatter::split(&source).map_err(|d| vec![d])?;
    let meta = frontmatter::parse(&source, split.yaml)?;
    let body = body::walk(&source, split.body_start, config, meta.title.is_none());
    let mut directives = body.directives;
    let mut diagnostics = hierarchy::finish(&mut directives, &source);
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.retain(Diagnostic::is_error);
        return Err(diagnostics);
    }
    let title = meta
        .title
        .clone()
        .or(body.h1)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("{}運営方針（{}）", meta.department, meta.era_year()));
    let body_html = fill_directive_placeholders(&body.html, &directives);
    let toc = table_of_contents(&directives, &body.plain_headings);
    let preamble = body.preamble.trim().to_string();
    if let Some(d) = reserved_key(&file.key) {
        return Err(vec![d.in_file(&source.display_path)]);
    }
    Ok((
        Document {
            key: file.key,
            source,
            meta,
            title,
            body_html,
            directives,
            toc,
            preamble,
            references: body.references,
        },
        diagnostics,
    ))
}

/// The page of a document must not land on a name the site layout reserves.
fn reserved_key(key: &str) -> Option<Diagnostic> {
    crate::layout::is_reserved_key(key).then(|| {
        Diagnostic::error(format!(
            "the page of `{key}.md` would replace a page that hoshin generates"
        ))
        .with_help("move the file into a folder such as content/2023/, or rename it")
    })
}

/// Replaces `\0D{n}\0` with a directive's attributes and `\0T{n}\0` with its tools.
fn fill_directive_placeholders(html: &str, directives: &[Directive]) -> String {
    let mut out = String::with_capacity(html.len() + directives.len() * 400);
    let mut parts = html.split('\0');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    while let Some(code) = parts.next() {
        let text_after = parts.next().unwrap_or("");
        let (tag, n) = code.split_at(code.len().min(1));
        match (tag, n.parse::<usize>().ok().and_then(|n| directives.get(n))) {
            ("D", Some(d)) => {
                let _ = write!(
                    out,
                    " id=\"{}\" class=\"directive dk-{} depth-{}\" data-cite=\"",
                    d.id,
                    d.kind.code(),
                    d.depth
                );
                escape_attr(&mut out, &d.citation);
                out.push('"');
            }
            ("T", Some(d)) => {
                // Kept small (a page has dozens of directives): the label and the
                // [[…]] markup are composed by hoshin.js from data-cite and the
                // article's data-label-prefix / data-ref-prefix.
                let _ = write!(
                    out,
                    "<span class=\"dtools\"><a class=\"permalink\" href=\"#{}\" aria-label=\"リンク\">#</a><button type=\"button\" class=\"copy\">コピー</button></span>",
                    d.id
                );
            }
            _ => {
                // R and B are filled by render.
                out.push('\0');
                out.push_str(code);
                out.push('\0');
            }
        }
        out.push_str(text_after);
    }
    out
}

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(out: &mut String, s: &str) {
    pulldown_cmark_escape::escape_html(&mut *out, s).ok();
}

fn table_of_contents(
    directives: &[Directive],
    headings: &[(usize, String, String)],
) -> Vec<TocEntry> {
    let mut entries: Vec<(usize, TocEntry)> = directives
        .iter()
        .filter(|d| d.is_heading || d.depth <= 2)
        .map(|d| {
            (
                d.span.start,
                TocEntry {
                    id: d.id.clone(),
                    citation: d.citation.clone(),
                    text: shorten(&d.heading, 40),
                    depth: d.depth,
                },
            )
        })
        .collect();
    entries.extend(headings.iter().map(|(pos, id, text)| {
        (
            *pos,
            TocEntry {
                id: id.clone(),
                citation: String::new(),
                text: text.clone(),
                depth: 1,
            },
        )
    }));
    entries.sort_by_key(|(pos, _)| *pos);
    entries.into_iter().map(|(_, e)| e).collect()
}

/// The first `max` characters of a text, with … when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let mut chars = text.char_indices();
    match chars.nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
