//! The document model at the centre of the pipeline: what load and parse
//! produce, what link annotates and render consumes. Plain data only.

use std::ops::Range;

use serde::Serialize;

use crate::diagnostics::SourceFile;
use crate::era::{self, Date};
use crate::marker::{MarkerKind, Number};

mod texts;

pub use texts::{AllTexts, Texts};

/// Publication status of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not published unless `--drafts`.
    Draft,
    /// In force.
    Active,
    /// Replaced by a later policy; still published.
    Superseded,
}

/// Validated front matter (SPEC §2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontMatter {
    /// Fiscal year, Western (2023).
    pub year: i32,
    /// Department name (総務部).
    pub department: String,
    /// Who issued the policy.
    pub author: String,
    /// Explicit title, if given.
    pub title: Option<String>,
    /// Issue date.
    pub date: Option<Date>,
    /// Addressees.
    pub audience: Option<String>,
    /// draft / active / superseded.
    pub status: Status,
    /// Free tags.
    pub tags: Vec<String>,
    /// The document this one follows, as written (`previous:`), if given.
    pub previous: Option<Previous>,
    /// Free-form data for templates.
    pub extra: serde_json::Value,
}

/// `previous:` in the front matter: the document a policy follows (SPEC §2, §8),
/// in any DOC form of SPEC §4.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Previous {
    /// The target as written: `2024/kodomo`, `子ども部/令和6年度`.
    pub target: String,
    /// Byte range of the value in the source, for diagnostics.
    pub span: Range<usize>,
}

impl FrontMatter {
    /// 「令和5年度」.
    pub fn era_year(&self) -> String {
        era::era_fiscal_year(self.year)
    }
}

/// How many characters of a directive's own block [`Directive::heading`]
/// keeps: one more than the longest opening any page shows
/// (`render::OPENING_TEXT_CHARS`), so that shortening it with
/// `parse::shorten` to that length or less gives what the whole text gives.
pub const HEADING_CHARS: usize = 61;

/// A directive as parse makes it, its strings growing as its blocks are
/// read; [`DirectiveDraft::finish`] makes the [`Directive`] the rest of the
/// build holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectiveDraft {
    /// Marker kind.
    pub kind: MarkerKind,
    /// Number (katakana: place in its order).
    pub number: Number,
    /// Katakana or latin letter, when the kind has one.
    pub letter: Option<char>,
    /// The marker as written (「（３）」).
    pub written: String,
    /// Anchor id, `n1-p3-c6`.
    pub id: String,
    /// Citation, `1.(3)⑥`.
    pub citation: String,
    /// Index of the parent directive in the same document.
    pub parent: Option<usize>,
    /// 1 for top-level directives.
    pub depth: usize,
    /// The block's own text, marker removed (a heading's words, a paragraph's
    /// sentence), cut after [`HEADING_CHARS`] characters: pages show at most
    /// a shortened opening of it, and the whole block is already in `text`
    /// (a paragraph directive's heading is most of its text, and keeping it
    /// whole cost 18 KB of memory a document). Read it with
    /// [`DirectiveDraft::heading`].
    pub heading: Heading,
    /// Plain text of the directive and its continuation paragraphs.
    pub text: String,
    /// Byte range of the marker in the source.
    pub span: Range<usize>,
    /// Whether the directive is a Markdown heading.
    pub is_heading: bool,
}

/// A directive: a numbered block (SPEC §3).
///
/// Its marker as written, anchor id and citation are one string, one after
/// another (read them with [`Directive::written`], [`Directive::id`],
/// [`Directive::citation`]): the directives are held through the whole
/// build, and a `String` each was 24 bytes of header and an allocation
/// (BENCHMARKS.md, issue 11, seventh round). Its text is kept with the
/// other texts of its document, packed ([`Document::texts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    /// Marker kind.
    pub kind: MarkerKind,
    /// Number (katakana: place in its order).
    pub number: Number,
    /// Katakana or latin letter, when the kind has one.
    pub letter: Option<char>,
    /// The marker as written, the id and the citation.
    strings: Box<str>,
    /// Where the marker as written and the id end in `strings`.
    ends: [u32; 2],
    /// Index of the parent directive in the same document (read it with
    /// [`Directive::parent`]; `u32`s here, `usize`s in the draft: a site
    /// holds hundreds of thousands of directives).
    parent: Option<u32>,
    /// 1 for top-level directives ([`Directive::depth`]).
    depth: u32,
    /// The block's own text, marker removed, cut after [`HEADING_CHARS`]
    /// characters (see [`DirectiveDraft::heading`]). Read it with
    /// [`Directive::heading`].
    pub heading: Heading,
    /// Byte range of the marker in the source ([`Directive::span`]).
    span: Range<u32>,
    /// Whether the directive is a Markdown heading.
    pub is_heading: bool,
}

impl DirectiveDraft {
    /// The directive to keep, and its text (for the document's
    /// [`Texts`]). Its strings are joined in one allocation of their length,
    /// so no room that growing left is kept either.
    pub fn finish(self) -> (Directive, String) {
        let mut ends = [0u32; 2];
        let mut strings =
            String::with_capacity(self.written.len() + self.id.len() + self.citation.len());
        for (end, part) in ends.iter_mut().zip([&self.written, &self.id]) {
            strings.push_str(part);
            // A directive's marker, id and citation are a few dozen bytes.
            *end = u32::try_from(strings.len()).unwrap_or(u32::MAX);
        }
        strings.push_str(&self.citation);
        let directive = Directive {
            kind: self.kind,
            number: self.number,
            letter: self.letter,
            strings: strings.into_boxed_str(),
            ends,
            // A document of 4 GiB or of 4 billion directives, which no
            // policy is, would see its later spans and parents cut short,
            // not a panic.
            parent: self.parent.map(|p| u32::try_from(p).unwrap_or(u32::MAX)),
            depth: u32::try_from(self.depth).unwrap_or(u32::MAX),
            heading: self.heading,
            span: u32::try_from(self.span.start).unwrap_or(u32::MAX)
                ..u32::try_from(self.span.end).unwrap_or(u32::MAX),
            is_heading: self.is_heading,
        };
        (directive, self.text)
    }

    /// The block's own text, cut after [`HEADING_CHARS`] characters.
    pub fn heading(&self) -> &str {
        heading_of(&self.heading, &self.text)
    }
}

impl Directive {
    /// `strings[from..to]`, or "" should the ends not fall on boundaries
    /// (they always do: [`DirectiveDraft::finish`] sets them).
    fn part(&self, from: usize, to: Option<usize>) -> &str {
        match to {
            Some(to) => self.strings.get(from..to),
            None => self.strings.get(from..),
        }
        .unwrap_or_default()
    }

    /// The marker as written (「（３）」).
    pub fn written(&self) -> &str {
        self.part(0, Some(self.ends[0] as usize))
    }

    /// Anchor id, `n1-p3-c6`.
    pub fn id(&self) -> &str {
        self.part(self.ends[0] as usize, Some(self.ends[1] as usize))
    }

    /// Citation, `1.(3)⑥`.
    pub fn citation(&self) -> &str {
        self.part(self.ends[1] as usize, None)
    }

    /// Index of the parent directive in the same document.
    pub fn parent(&self) -> Option<usize> {
        self.parent.map(|p| p as usize)
    }

    /// 1 for top-level directives.
    pub fn depth(&self) -> usize {
        self.depth as usize
    }

    /// Byte range of the marker in the source.
    pub fn span(&self) -> Range<usize> {
        self.span.start as usize..self.span.end as usize
    }

    /// The block's own text, cut after [`HEADING_CHARS`] characters;
    /// `text` is the directive's text (the heading is most often a part
    /// of it).
    pub fn heading<'a>(&'a self, text: &'a str) -> &'a str {
        heading_of(&self.heading, text)
    }
}

/// The heading `heading` keeps of a directive whose text is `text`.
fn heading_of<'a>(heading: &'a Heading, text: &'a str) -> &'a str {
    match heading {
        Heading::InText { start, end } => {
            text.get(*start as usize..*end as usize).unwrap_or_default()
        }
        Heading::Own(s) => s,
    }
}

/// Where a directive's heading ([`Directive::heading`]) is kept.
///
/// The heading is the opening of the directive's own block, and so almost
/// always the opening of its text: then only its place in the text is kept
/// (a copy cost 8 KB of memory a document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heading {
    /// `text[start..end]` of the directive.
    InText {
        /// Byte offset of the heading in the text.
        start: u32,
        /// Byte offset of its end.
        end: u32,
    },
    /// A heading that is not a part of the text.
    Own(String),
}

impl Default for Heading {
    /// No heading (yet, while parsing).
    fn default() -> Heading {
        Heading::Own(String::new())
    }
}

impl Heading {
    /// How `heading` is kept for a directive whose text is `text`: its place
    /// when the text, leading white space aside, begins with it.
    pub fn new(heading: &str, text: &str) -> Heading {
        let start = text.len() - text.trim_start().len();
        let end = start + heading.len();
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(s), Ok(e)) if text[start..].starts_with(heading) => {
                Heading::InText { start: s, end: e }
            }
            _ => Heading::Own(heading.to_string()),
        }
    }
}

/// An entry of a document's table of contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    /// Anchor id.
    pub id: String,
    /// Marker in citation form, empty for plain headings.
    pub citation: String,
    /// Text.
    pub text: String,
    /// Nesting level, 1 = top.
    pub depth: usize,
}

/// How a reference was written.
#[derive(Debug, Clone, PartialEq)]
pub enum ReferenceKind {
    /// `[[TARGET]]` or `[[TARGET|text]]`: the whole link is generated.
    Wiki {
        /// The `|text`, if given.
        text: Option<String>,
    },
    /// A Markdown link to a `.md` file or an anchor: only the href is rewritten.
    MarkdownLink,
}

/// A reference found in a document, before resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct RawReference {
    /// The target as written: `総務部/2023#1.(3)⑥`, `../2022/somu.md#n1`.
    pub target: String,
    /// Wiki or Markdown link.
    pub kind: ReferenceKind,
    /// Byte range in the source, for diagnostics.
    pub span: Range<usize>,
    /// The directive the reference stands in (None: preamble).
    pub from: Option<usize>,
}

/// A file under content/ that is not a policy (a PDF, an image), copied to
/// the same place in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Path under content/ and under the output root, `/`-separated.
    pub path: String,
    /// The file to copy.
    pub source: std::path::PathBuf,
}

/// A place in a document's body where render puts markup of hoshin's own,
/// known by its type and never by any byte of the text, so nothing a
/// document contains can be mistaken for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The permalink and copy button of directive n (an index into
    /// [`Document::directives`]).
    Tools(usize),
    /// Reference n (an index into [`Document::references`]) as a link: the
    /// whole `<a>` of a `[[…]]`, or the opening `<a …>` of a Markdown link
    /// (the author's link text and `</a>` follow as HTML).
    Reference(usize),
    /// Only the link text of reference n, escaped for an attribute: where the
    /// reference stands inside an image's alt text.
    ReferenceText(usize),
    /// The list of who cites directive n.
    Backlinks(usize),
}

/// One piece of a document's body, in order, as [`BodyText::segments`] gives
/// them: HTML from the author's Markdown (escaped or sanitised), or a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// HTML, written out as it is.
    Html(&'a str),
    /// A place render fills in.
    Slot(Slot),
}

/// A document's body: its HTML in one string, and the slots with the byte
/// offset where each stands in it.
///
/// One string a document, not one a piece between slots: at 5,000 policies
/// the pieces were 660,000 small strings, 150 MB held through the pages,
/// and once freed they left the slabs they shared with the directives'
/// strings half used: the search index started from 110 MB more resident
/// memory (BENCHMARKS.md, issue 11, sixth round).
///
/// Once parse has made it, the body is [packed](Body::pack): the HTML is
/// held LZ4-compressed until render reads it ([`Body::read`]). Bodies are
/// only read when their page is written, and were a third of the memory
/// held from parse to render; compressed they are a quarter of their size
/// (BENCHMARKS.md, issue 11, seventh round).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// The HTML while the body is being made; empty once packed.
    html: String,
    /// The HTML once packed.
    packed: Option<Packed>,
    /// In order of offset; every offset is a char boundary of the HTML
    /// (the HTML is only ever pushed whole strings).
    slots: Vec<SlotAt>,
}

/// A slot and its byte offset in a body, in 12 bytes instead of the 24 of
/// `(usize, Slot)`: a site has a slot or two per directive, 15 MB of
/// `(usize, Slot)`s at 5,000 policies. A body of 4 GiB or more (which no
/// policy is) would see its later slots at its end, not a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SlotAt {
    at: u32,
    index: u32,
    kind: u8,
}

impl SlotAt {
    fn new(at: usize, slot: Slot) -> SlotAt {
        let (kind, index) = match slot {
            Slot::Tools(n) => (0, n),
            Slot::Reference(n) => (1, n),
            Slot::ReferenceText(n) => (2, n),
            Slot::Backlinks(n) => (3, n),
        };
        SlotAt {
            at: u32::try_from(at).unwrap_or(u32::MAX),
            // An index counts a document's directives or references.
            index: u32::try_from(index).unwrap_or(u32::MAX),
            kind,
        }
    }

    fn slot(self) -> Slot {
        let n = self.index as usize;
        match self.kind {
            0 => Slot::Tools(n),
            1 => Slot::Reference(n),
            2 => Slot::ReferenceText(n),
            _ => Slot::Backlinks(n),
        }
    }
}

/// A packed body's HTML: an LZ4 block of its UTF-8, and its length.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Packed {
    lz4: Box<[u8]>,
    len: usize,
}

impl Packed {
    /// The HTML's bytes again. The block was made by [`Body::pack`] from a
    /// String in this process, so it decompresses to valid UTF-8 of exactly
    /// `len` bytes; were it ever not to, the page shows an empty body, not a
    /// panic ([`BodyText::html`] checks).
    fn bytes(&self) -> Vec<u8> {
        lz4_flex::block::decompress(&self.lz4, self.len).unwrap_or_default()
    }

    /// The HTML again, as a String (for pushing more to a packed body).
    fn unpack(&self) -> String {
        String::from_utf8(self.bytes()).unwrap_or_default()
    }
}

impl Body {
    /// Appends HTML.
    pub fn push_html(&mut self, html: &str) {
        self.plain().push_str(html);
    }

    /// Puts a slot after the HTML pushed so far.
    pub fn push_slot(&mut self, slot: Slot) {
        let at = self.plain().len();
        self.slots.push(SlotAt::new(at, slot));
    }

    /// The HTML made so far, unpacked first if need be (nothing pushes to
    /// a packed body; this keeps every call well defined).
    fn plain(&mut self) -> &mut String {
        if let Some(packed) = self.packed.take() {
            self.html = packed.unpack();
        }
        &mut self.html
    }

    /// Compresses the HTML for keeping, once the body is complete.
    pub fn pack(&mut self) {
        if self.packed.is_none() {
            let html = std::mem::take(&mut self.html);
            self.packed = Some(Packed {
                lz4: lz4_flex::block::compress(html.as_bytes()).into_boxed_slice(),
                len: html.len(),
            });
        }
        self.slots.shrink_to_fit();
    }

    /// Bytes of HTML, slots aside.
    pub fn html_len(&self) -> usize {
        self.packed.as_ref().map_or(self.html.len(), |p| p.len)
    }

    /// The body to read: its HTML unpacked, and its slots.
    pub fn read(&self) -> BodyText<'_> {
        let html = match &self.packed {
            None => Html::Plain(self.html.as_str()),
            Some(packed) => Html::Unpacked(packed.bytes()),
        };
        BodyText {
            html,
            slots: &self.slots,
        }
    }
}

/// A body being read ([`Body::read`]): its HTML and its slots.
pub struct BodyText<'a> {
    html: Html<'a>,
    slots: &'a [SlotAt],
}

/// A body's HTML being read: the held string, or the unpacked bytes.
enum Html<'a> {
    Plain(&'a str),
    Unpacked(Vec<u8>),
}

impl BodyText<'_> {
    /// The HTML. Unpacked bytes are checked to be UTF-8 with simdutf8
    /// (std's check was 2 % of a build's instructions: every body is read
    /// once, and Japanese is checked at a few hundred MB/s), and read as
    /// empty were they ever not.
    fn html(&self) -> &str {
        match &self.html {
            Html::Plain(s) => s,
            Html::Unpacked(bytes) => simdutf8::basic::from_utf8(bytes).unwrap_or_default(),
        }
    }

    /// The pieces in order; no HTML piece is empty.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> + '_ {
        let html: &str = self.html();
        let mut from = 0;
        let mut slots = self.slots.iter();
        let mut pending: Option<Slot> = None;
        std::iter::from_fn(move || {
            if let Some(slot) = pending.take() {
                return Some(Segment::Slot(slot));
            }
            match slots.next() {
                Some(&s) => {
                    let (at, slot) = ((s.at as usize).min(html.len()), s.slot());
                    let piece = html.get(from..at).unwrap_or_default();
                    from = at;
                    if piece.is_empty() {
                        Some(Segment::Slot(slot))
                    } else {
                        pending = Some(slot);
                        Some(Segment::Html(piece))
                    }
                }
                None => {
                    let piece = html.get(from..).unwrap_or_default();
                    from = html.len();
                    (!piece.is_empty()).then_some(Segment::Html(piece))
                }
            }
        })
    }
}

/// A parsed policy document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path under content/ without `.md`: `2023/somu`.
    pub key: String,
    /// The source file.
    pub source: SourceFile,
    /// Front matter.
    pub meta: FrontMatter,
    /// Title: front matter, else first H1, else 「{department}運営方針（{和暦年度}）」.
    pub title: String,
    /// The body: HTML made by parse, and the slots render fills in.
    pub body: Body,
    /// Directives in document order.
    pub directives: Vec<Directive>,
    /// The text of each directive (plain text of the directive and its
    /// continuation paragraphs), in the same order; packed from parse on.
    pub texts: Texts,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Plain text before the first directive.
    pub preamble: String,
    /// References in document order.
    pub references: Vec<RawReference>,
}

impl Document {
    /// Drops what only the document's own page needs, the body, the
    /// table of contents and the references its links are made from: for a
    /// full build, once every page is written (then the search index, which
    /// reads directives and preamble only, is made with a third less
    /// memory). The document renders empty after, and cannot be linked
    /// again.
    pub fn release_page_parts(&mut self) {
        self.body = Body::default();
        self.toc = Vec::new();
        self.references = Vec::new();
    }

    /// Keeps of the source text only the lines that link and compare can
    /// point a diagnostic at, those of the references and of `previous:`
    /// (see [`SourceFile::keep_lines`]): what a full build holds of a
    /// document once it is parsed.
    pub fn keep_cited_lines(&mut self) {
        let previous = self.meta.previous.as_ref().map(|p| p.span.start);
        let references = self.references.iter().map(|r| r.span.start);
        self.source.keep_lines(references.chain(previous));
    }

    /// `2023/somu.html`, relative to the site root.
    pub fn url(&self) -> String {
        crate::layout::document(&self.key)
    }

    /// 「総務部（令和5年度）1.(3)⑥」.
    pub fn label(&self, directive: &Directive) -> String {
        let mut label = self.label_prefix();
        label.push_str(directive.citation());
        label
    }

    /// 「総務部（令和5年度）」: what [`Document::label`] puts before the citation.
    pub fn label_prefix(&self) -> String {
        format!("{}（{}）", self.meta.department, self.meta.era_year())
    }

    /// Path of directive indexes from the top (ancestors first, the directive last).
    pub fn ancestry(&self, index: usize) -> Vec<usize> {
        let mut chain = vec![index];
        let mut cur = self.directives[index].parent();
        while let Some(p) = cur {
            chain.push(p);
            cur = self.directives[p].parent();
        }
        chain.reverse();
        chain
    }

    /// Directive index by anchor id.
    pub fn directive_by_id(&self, id: &str) -> Option<usize> {
        self.directives.iter().position(|d| d.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(written: &str, id: &str, citation: &str, text: &str) -> DirectiveDraft {
        DirectiveDraft {
            kind: MarkerKind::P,
            number: Number::new(3),
            letter: None,
            written: written.into(),
            id: id.into(),
            citation: citation.into(),
            parent: Some(0),
            depth: 2,
            heading: Heading::new("職員研修を", text),
            text: text.into(),
            span: 10..16,
            is_heading: false,
        }
    }

    #[test]
    fn every_kind_of_slot_comes_back_as_it_was_put() {
        let slots = [
            Slot::Tools(7),
            Slot::Reference(0),
            Slot::ReferenceText(3),
            Slot::Backlinks(70_000),
        ];
        let mut body = Body::default();
        for (n, slot) in slots.iter().enumerate() {
            body.push_html(&format!("<p>{n}</p>"));
            body.push_slot(*slot);
        }
        body.pack();
        let read = body.read();
        let back: Vec<Slot> = read
            .segments()
            .filter_map(|s| match s {
                Segment::Slot(slot) => Some(slot),
                Segment::Html(_) => None,
            })
            .collect();
        assert_eq!(back, slots);
    }

    #[test]
    fn a_finished_directive_reads_each_of_its_strings_as_the_draft_had_it() {
        let d = draft(
            "（３）",
            "n1-p3",
            "1.(3)",
            "  職員研修を充実すること。\n（継続）",
        );
        let (kept, text) = d.clone().finish();
        let read = (kept.written(), kept.id(), kept.citation(), text.as_str());
        assert_eq!(
            read,
            (
                "（３）",
                "n1-p3",
                "1.(3)",
                "  職員研修を充実すること。\n（継続）"
            )
        );
        assert_eq!(kept.heading(&text), d.heading());
        assert_eq!(kept.heading(&text), "職員研修を");
        assert_eq!(
            (kept.parent(), kept.depth(), kept.span()),
            (Some(0), 2, 10..16)
        );
        // Empty parts stay empty and keep the others in place.
        let (bare, text) = draft("", "", "", "本文").finish();
        assert_eq!(
            (bare.written(), bare.id(), bare.citation(), text.as_str()),
            ("", "", "", "本文")
        );
        let (no_text, text) = draft("１．", "n1", "1.", "").finish();
        assert_eq!((no_text.citation(), text.as_str()), ("1.", ""));
    }

    #[test]
    fn a_heading_at_the_opening_of_the_text_is_kept_as_its_place() {
        let text = "  職員の育成に努める。\n研修を行う。";
        let h = Heading::new("職員の育成に努める。", text);
        assert_eq!(h, Heading::InText { start: 2, end: 32 });
    }

    #[test]
    fn a_body_gives_its_html_and_slots_in_order_without_empty_pieces() {
        let mut body = Body::default();
        body.push_slot(Slot::Tools(0));
        body.push_html("<p>詳しくは");
        body.push_slot(Slot::Reference(0));
        body.push_slot(Slot::Backlinks(0));
        body.push_html("を参照。</p>");
        let expected = [
            Segment::Slot(Slot::Tools(0)),
            Segment::Html("<p>詳しくは"),
            Segment::Slot(Slot::Reference(0)),
            Segment::Slot(Slot::Backlinks(0)),
            Segment::Html("を参照。</p>"),
        ];
        let plain = body.read();
        assert!(matches!(plain.html, Html::Plain(_)));
        assert_eq!(plain.segments().collect::<Vec<_>>(), expected);
        body.pack();
        let packed = body.read();
        assert!(
            matches!(packed.html, Html::Unpacked(_)),
            "read from the packed HTML"
        );
        assert_eq!(packed.segments().collect::<Vec<_>>(), expected);
        assert_eq!(body.html_len(), "<p>詳しくはを参照。</p>".len());
        assert_eq!(Body::default().read().segments().count(), 0);
    }

    #[test]
    fn a_packed_body_takes_more_html_after_what_it_holds() {
        let mut body = Body::default();
        body.push_html("<p>一</p>");
        body.pack();
        body.push_slot(Slot::Tools(1));
        body.push_html("<p>二</p>");
        body.pack();
        let read = body.read();
        assert_eq!(
            read.segments().collect::<Vec<_>>(),
            [
                Segment::Html("<p>一</p>"),
                Segment::Slot(Slot::Tools(1)),
                Segment::Html("<p>二</p>"),
            ]
        );
    }

    #[test]
    fn a_heading_the_text_does_not_begin_with_is_kept_whole() {
        let h = Heading::new("見出し", "本文");
        assert_eq!(h, Heading::Own("見出し".to_string()));
        let h = Heading::new("", "");
        assert_eq!(h, Heading::InText { start: 0, end: 0 });
    }
}
