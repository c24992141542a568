//! Parse: a loaded file → a [`Document`] with front matter, directives
//! (anchored and numbered), table of contents and the body as typed segments.

mod body;
mod hierarchy;
pub mod inline;
mod segments;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::frontmatter;
use crate::load::LoadedFile;
use crate::model::{Directive, DirectiveDraft, Document, Texts, TocEntry};

pub use body::markdown_options;

/// A parsed document and its warnings, or every error found in it.
pub type ParseResult = Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>>;

/// The directives to keep, each draft's strings joined in one allocation of
/// their length ([`DirectiveDraft::finish`]), and their texts, packed; they
/// live for the whole build, and a text grown by pushing holds up to twice
/// its length.
fn fit(directives: Vec<DirectiveDraft>) -> (Vec<Directive>, Texts) {
    let mut texts = Vec::with_capacity(directives.len());
    let mut kept: Vec<Directive> = directives
        .into_iter()
        .map(|d| {
            let (directive, text) = d.finish();
            texts.push(text);
            directive
        })
        .collect();
    // The collect reuses the drafts' larger allocation, room to spare.
    kept.shrink_to_fit();
    let mut texts = Texts::new(texts.iter().map(String::as_str));
    texts.pack();
    (kept, texts)
}

/// Parses one policy file.
pub fn parse_document(file: LoadedFile, config: &Config) -> ParseResult {
    let source = file.source;
    let split = frontmatter::split(&source).map_err(|d| vec![d])?;
    let (meta, front_matter_warnings) = frontmatter::parse(&source, split.yaml)?;
    let body::Body {
        events,
        mut directives,
        plain_headings,
        preamble,
        references,
        h1,
        warnings: body_warnings,
    } = body::walk(&source, split.body_start, config, meta.title.is_none());
    let mut diagnostics = hierarchy::finish(&mut directives, &source);
    diagnostics.extend(front_matter_warnings);
    diagnostics.extend(body_warnings);
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.retain(Diagnostic::is_error);
        return Err(diagnostics);
    }
    let title = meta
        .title
        .clone()
        .or(h1)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("{}運営方針（{}）", meta.department, meta.era_year()));
    let body = segments::segments(events, &directives);
    let toc = table_of_contents(&directives, &plain_headings);
    let (directives, texts) = fit(directives);
    let preamble = preamble.trim().to_string();
    Ok((
        Document {
            key: file.key,
            source,
            meta,
            title,
            body,
            directives,
            texts,
            toc,
            preamble,
            references,
        },
        diagnostics,
    ))
}

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(out: &mut String, s: &str) {
    pulldown_cmark_escape::escape_html(&mut *out, s).ok();
}

fn table_of_contents(
    directives: &[DirectiveDraft],
    headings: &[body::PlainHeading],
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
                    text: shorten(d.heading(), 40),
                    depth: d.depth,
                },
            )
        })
        .collect();
    entries.extend(headings.iter().map(|h| {
        (
            h.pos,
            TocEntry {
                id: h.id.clone(),
                citation: String::new(),
                text: h.text.clone(),
                depth: 1,
            },
        )
    }));
    entries.sort_by_key(|(pos, _)| *pos);
    entries.into_iter().map(|(_, e)| e).collect()
}

/// The first `max` characters of a text, with … when cut.
pub fn shorten(text: &str, max: usize) -> String {
    match shortened(text, max) {
        (kept, true) => format!("{kept}…"),
        (kept, false) => kept.to_string(),
    }
}

/// [`shorten`] without the copy: the first `max` characters, and whether
/// anything was cut (then `…` follows them).
pub fn shortened(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Segment, Slot};

    fn parse(body: &str) -> Document {
        let text = format!("---\nyear: 2023\ndepartment: 総務部\nauthor: 総務部長\n---\n{body}");
        let file = LoadedFile {
            key: "2023/somu".into(),
            source: crate::load::decode(text.into_bytes(), "content/2023/somu.md").unwrap(),
        };
        parse_document(file, &Config::default()).unwrap().0
    }

    fn html(doc: &Document) -> String {
        doc.body
            .read()
            .segments()
            .filter_map(|s| match s {
                Segment::Html(h) => Some(h),
                Segment::Slot(_) => None,
            })
            .collect()
    }

    fn count(doc: &Document, f: fn(&Segment) -> bool) -> usize {
        doc.body.read().segments().filter(|s| f(s)).count()
    }

    /// The old body held `\0R{n}\0`-style marks in its HTML: an author's NUL
    /// byte could crash the build, delete text or become hoshin markup.
    #[test]
    fn an_authors_nul_bytes_are_text_and_never_slots() {
        let doc = parse(
            "## １．見出し\0B0\0あ\n\n\
             本文\0R0\0テキスト\0D0\0い\0T0\0\n\n\
             `コード\0R0\0う`\n\n\
             [リンク](https://example.com \"題\0R0\0名\")\n\n\
             ![代替\0B0\0文](a.png)\n\n\
             ```\nブロック\0B0\0え\n```\n\n\
             ② 指示\0あ\0\n",
        );
        assert_eq!(doc.directives.len(), 2);
        assert!(doc.references.is_empty());
        assert_eq!(
            count(&doc, |s| matches!(s, Segment::Slot(Slot::Reference(_)))),
            0
        );
        assert_eq!(
            count(&doc, |s| matches!(s, Segment::Slot(Slot::ReferenceText(_)))),
            0
        );
        assert_eq!(
            count(&doc, |s| matches!(s, Segment::Slot(Slot::Tools(_)))),
            2
        );
        assert_eq!(
            count(&doc, |s| matches!(s, Segment::Slot(Slot::Backlinks(_)))),
            2
        );
        let html = html(&doc);
        for text in [
            "見出し",
            "あ",
            "本文",
            "テキスト",
            "い",
            "コード",
            "う",
            "題",
            "名",
            "代替",
            "文",
            "ブロック",
            "え",
            "指示",
        ] {
            assert!(html.contains(text), "{text} is kept: {html}");
        }
        assert_eq!(html.matches("id=\"").count(), 2, "{html}");
    }

    #[test]
    fn slots_stand_where_the_reference_and_directive_stood() {
        let doc = parse("① 詳しくは[[2023/kikaku#n1]]を参照。\n\n![図[[2023/kikaku]]](a.png)\n");
        assert_eq!(doc.references.len(), 2);
        let kinds: Vec<String> = doc
            .body
            .read()
            .segments()
            .map(|s| match s {
                Segment::Html(h) => format!("html:{h}"),
                Segment::Slot(slot) => format!("{slot:?}"),
            })
            .collect();
        let at = |needle: &str| kinds.iter().position(|k| k.contains(needle)).unwrap();
        assert!(at("詳しくは") < at("Reference(0)") && at("Reference(0)") < at("を参照"));
        assert!(at("Reference(0)") < at("Tools(0)") && at("Tools(0)") < at("Backlinks(0)"));
        // Inside an image's alt text a reference can only be text.
        assert!(at("ReferenceText(1)") > at("alt=\""), "{kinds:#?}");
    }
}
