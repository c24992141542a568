//! The body walker: Markdown events in, HTML out, with directives recognised
//! in headings, paragraphs and list items (and at marker lines inside one
//! paragraph), each given a placeholder for its attributes that the hierarchy
//! post-pass fills in.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeWithOffset};

use super::inline::{self, is_inline, Piece};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::marker::{self, katakana_follows, Marker, MarkerKind, Number};
use crate::model::{DirectiveDraft, Heading, RawReference, ReferenceKind, Slot};

/// What the walker emits: Markdown events for pulldown-cmark's HTML writer,
/// and the places where hoshin's own markup goes. They are values of their
/// own, never text, so nothing an author writes can be taken for one.
pub enum Out<'a> {
    /// An event for the HTML writer.
    Event(Event<'a>),
    /// The attributes of directive n's element (`id`, `class`, `data-cite`),
    /// written once the hierarchy has given it its id.
    Attributes(usize),
    /// A place that render fills in (tools, a reference, backlinks).
    Slot(Slot),
}

/// A heading that is not a directive (「別紙」): it gets an id of its own
/// (`sec-1`) and a place in the table of contents.
pub struct PlainHeading {
    /// Byte position in the source, to order it among the directives.
    pub pos: usize,
    /// Its anchor id.
    pub id: String,
    /// Its text.
    pub text: String,
}

/// What the walker produces from a document body.
pub struct Body<'a> {
    /// The body, to be turned into segments once the directives have ids.
    pub events: Vec<Out<'a>>,
    /// Directives in document order (ids and citations not yet set).
    pub directives: Vec<DirectiveDraft>,
    /// Plain headings (not directives).
    pub plain_headings: Vec<PlainHeading>,
    /// Text outside every directive.
    pub preamble: String,
    /// References in document order.
    pub references: Vec<RawReference>,
    /// Text of the first H1, when it was taken as the title.
    pub h1: Option<String>,
    /// Warnings found on the way: links dropped; images, scripts, styles and
    /// frames from outside the site.
    pub warnings: Vec<Diagnostic>,
}

/// Markdown extensions enabled for policies.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LeafKind {
    Paragraph,
    Heading(u8),
    /// The inline text of a tight list item (no paragraph around it).
    ItemText,
}

struct Leaf {
    kind: LeafKind,
    /// HTML closing the current segment.
    close: &'static str,
    /// Directive the current segment belongs to (its tools and backlinks close it).
    directive: Option<usize>,
    /// Bytes of marker still to remove from the next text.
    strip: usize,
    /// Text of the current segment (a directive's heading).
    segment_text: String,
    /// The title H1, collected and not rendered.
    suppressed: bool,
    /// Whether the leaf can hold directives (not in a quote, table or footnote).
    capable: bool,
}

enum Container {
    List { ordered: bool, next: u64 },
    Item(ItemState),
    Quote,
    Footnote,
    Table,
}

struct ItemState {
    replaced: bool,
    /// The directive the item is, waiting for its first leaf.
    pending: Option<(usize, usize, Option<String>)>,
}

enum LinkState {
    Rewritten,
    Normal,
    /// A link that would run code: only its text is written.
    Dropped,
}

struct Walker<'a> {
    file: &'a SourceFile,
    base: usize,
    config: &'a Config,
    out: Vec<Out<'a>>,
    directives: Vec<DirectiveDraft>,
    stack: Vec<usize>,
    current: Option<usize>,
    plain_headings: Vec<PlainHeading>,
    preamble: String,
    references: Vec<RawReference>,
    h1: Option<String>,
    want_h1: bool,
    containers: Vec<Container>,
    leaf: Option<Leaf>,
    links: Vec<LinkState>,
    /// Open images: false for one dropped (its description is written as text).
    images: Vec<bool>,
    /// Warnings about the body: links dropped, resources from outside the site.
    warnings: Vec<Diagnostic>,
    last_char: Option<char>,
    in_code_block: bool,
    html_block: Option<String>,
    /// Inside an image: its text becomes the `alt` attribute, where no markup may go.
    in_image: usize,
    /// Where the raw HTML block being collected starts.
    html_block_start: usize,
    /// A new block started: its first text goes on a new line of the plain text.
    block_break: bool,
    /// A paragraph that is only 「以上」 closed the directives (SPEC §3.1).
    closed: bool,
}

/// Walks the Markdown `body`, which starts at byte `base` of `file`.
pub fn walk<'a>(file: &'a SourceFile, base: usize, config: &'a Config, want_h1: bool) -> Body<'a> {
    let body = &file.text[base..];
    let parsed = Parser::new_ext(body, markdown_options()).into_offset_iter();
    let events = inline::resolve_emphasis(body, parsed.collect());
    let events: Vec<(Event<'_>, Range<usize>)> =
        TextMergeWithOffset::new(events.into_iter()).collect();
    let mut w = Walker {
        file,
        base,
        config,
        out: Vec::with_capacity(events.len() + events.len() / 4),
        directives: Vec::new(),
        stack: Vec::new(),
        current: None,
        plain_headings: Vec::new(),
        preamble: String::new(),
        references: Vec::new(),
        h1: None,
        want_h1,
        containers: Vec::new(),
        leaf: None,
        links: Vec::new(),
        images: Vec::new(),
        warnings: Vec::new(),
        last_char: None,
        in_code_block: false,
        html_block: None,
        in_image: 0,
        html_block_start: base,
        block_break: false,
        closed: false,
    };
    for i in 0..events.len() {
        w.event(&events, i);
    }
    w.end_leaf();
    Body {
        events: w.out,
        directives: w.directives,
        plain_headings: w.plain_headings,
        preamble: w.preamble,
        references: w.references,
        h1: w.h1,
        warnings: w.warnings,
    }
}

impl<'a> Walker<'a> {
    fn event(&mut self, events: &[(Event<'a>, Range<usize>)], i: usize) {
        let (event, range) = &events[i];
        let range = range.start + self.base..range.end + self.base;
        if let Some(buf) = &mut self.html_block {
            match event {
                Event::Html(h) | Event::Text(h) => buf.push_str(h),
                Event::End(TagEnd::HtmlBlock) => {
                    let raw = self.html_block.take().unwrap_or_default();
                    let html = if self.config.allow_raw_html {
                        raw
                    } else {
                        inline::sanitize_block(&raw)
                    };
                    // What is published is checked: sanitising may have removed a script.
                    self.outside_html(&html, self.html_block_start..range.end);
                    self.push(Event::Html(html.into()));
                }
                _ => {}
            }
            return;
        }
        if is_inline(event) && self.leaf.as_ref().is_some_and(|l| l.suppressed) {
            // The title H1: its words become the title and none of it goes to the body.
            match event {
                Event::Text(t) | Event::Code(t) => self.sink(t),
                Event::SoftBreak | Event::HardBreak => self.sink(" "),
                _ => {}
            }
            return;
        }
        if is_inline(event)
            && self.leaf.is_none()
            && matches!(self.containers.last(), Some(Container::Item(_)))
        {
            self.start_leaf(LeafKind::ItemText, events, i);
        } else if !is_inline(event)
            && self
                .leaf
                .as_ref()
                .is_some_and(|l| l.kind == LeafKind::ItemText)
        {
            // A tight item's text ends at the first block event (a nested list, the item's end).
            self.end_leaf();
        }
        match event {
            Event::Start(Tag::Paragraph) => self.start_leaf(LeafKind::Paragraph, events, i),
            Event::Start(Tag::Heading { level, .. }) => {
                self.start_leaf(LeafKind::Heading(*level as u8), events, i)
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Heading(_)) => self.end_leaf(),
            Event::Start(Tag::List(start)) => {
                self.containers.push(Container::List {
                    ordered: start.is_some(),
                    next: start.unwrap_or(1),
                });
                self.push(event.clone());
            }
            Event::End(TagEnd::List(_)) => {
                self.containers.pop();
                self.push(event.clone());
            }
            Event::Start(Tag::Item) => self.start_item(events, i, range),
            Event::End(TagEnd::Item) => {
                if let Some(Container::Item(state)) = self.containers.pop() {
                    if state.replaced {
                        self.push(Event::Html("</li>\n".into()));
                        return;
                    }
                }
                self.push(event.clone());
            }
            Event::Start(Tag::BlockQuote(_)) => self.open_container(Container::Quote, event),
            Event::Start(Tag::FootnoteDefinition(_)) => {
                self.open_container(Container::Footnote, event)
            }
            Event::Start(Tag::Table(_)) => self.open_container(Container::Table, event),
            Event::End(TagEnd::BlockQuote(_))
            | Event::End(TagEnd::FootnoteDefinition)
            | Event::End(TagEnd::Table) => {
                self.containers.pop();
                self.push(event.clone());
            }
            Event::Start(Tag::HtmlBlock) => {
                self.html_block = Some(String::new());
                self.html_block_start = range.start;
            }
            Event::Start(Tag::CodeBlock(_)) => {
                self.in_code_block = true;
                self.push(event.clone());
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code_block = false;
                self.push(event.clone());
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.start_link(*link_type, dest_url, title, id, range);
            }
            Event::End(TagEnd::Link) => match self.links.pop() {
                Some(LinkState::Rewritten) => self.push(Event::Html("</a>".into())),
                Some(LinkState::Dropped) => {}
                _ => self.push(event.clone()),
            },
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if crate::html_scan::is_outside(dest_url) {
                    self.outside(format!("image `{dest_url}`"), dest_url, range.clone());
                }
                match self.judge_destination(dest_url, range, "image") {
                    Some(dest) => {
                        self.images.push(true);
                        self.in_image += 1;
                        self.push(Event::Start(Tag::Image {
                            link_type: *link_type,
                            dest_url: dest,
                            title: title.clone(),
                            id: id.clone(),
                        }));
                    }
                    // Its description stays, as text.
                    None => self.images.push(false),
                }
            }
            Event::End(TagEnd::Image) => {
                if self.images.pop().unwrap_or(true) {
                    self.in_image = self.in_image.saturating_sub(1);
                    self.push(event.clone());
                }
            }
            Event::Text(text) if self.in_code_block => {
                self.sink(text);
                self.push(event.clone());
            }
            Event::Text(text) => self.text(text, range),
            Event::Code(code) => {
                self.sink(code);
                self.last_char = code.chars().last();
                self.push(event.clone());
            }
            Event::SoftBreak | Event::HardBreak => self.line_break(events, i),
            Event::InlineHtml(h) | Event::Html(h) => {
                if self.config.allow_raw_html {
                    self.outside_html(h, range.clone());
                }
                if self.config.allow_raw_html || inline::is_safe_inline_tag(h) {
                    self.push(Event::InlineHtml(h.clone()));
                } else {
                    self.sink(h);
                    self.push(Event::Text(h.clone()));
                }
            }
            _ => self.push(event.clone()),
        }
    }

    fn push(&mut self, event: Event<'a>) {
        self.out.push(Out::Event(event));
    }

    /// An opening tag that carries directive `d`'s attributes: `<p`, the
    /// attributes, then `rest` (`>` and the marker).
    fn open_tag(&mut self, tag: &str, d: usize, rest: String) {
        self.push(Event::Html(tag.to_string().into()));
        self.out.push(Out::Attributes(d));
        self.push(Event::Html(rest.into()));
    }

    /// Where reference `n` goes: a link, or only its text inside an image's
    /// alt text (an attribute).
    fn reference_slot(&mut self, n: usize) {
        self.out.push(Out::Slot(if self.in_image > 0 {
            Slot::ReferenceText(n)
        } else {
            Slot::Reference(n)
        }));
    }

    fn open_container(&mut self, c: Container, event: &Event<'a>) {
        self.containers.push(c);
        self.push(event.clone());
    }

    /// Directives live outside quotes, tables and footnotes, and before the closing 「以上」.
    fn capable(&self) -> bool {
        !self.closed
            && !self
                .containers
                .iter()
                .any(|c| matches!(c, Container::Quote | Container::Footnote | Container::Table))
    }

    fn list_depth(&self) -> usize {
        self.containers
            .iter()
            .filter(|c| matches!(c, Container::List { .. }))
            .count()
    }

    fn first_text<'e>(
        events: &'e [(Event<'a>, Range<usize>)],
        mut i: usize,
    ) -> Option<(&'e str, usize)> {
        // Skip the opening of a paragraph inside an item.
        while let Some((e, r)) = events.get(i) {
            match e {
                Event::Text(t) => return Some((t, r.start)),
                Event::Start(Tag::Paragraph) | Event::Start(Tag::Item) => i += 1,
                _ => return None,
            }
        }
        None
    }

    fn start_item(&mut self, events: &[(Event<'a>, Range<usize>)], i: usize, range: Range<usize>) {
        let top_level = self.list_depth() == 1;
        let capable = self.capable();
        let (ordered, number) = match self.containers.last_mut() {
            Some(Container::List { ordered, next }) => {
                let n = *next;
                *next += 1;
                (*ordered, n)
            }
            _ => (false, 1),
        };
        let mut state = ItemState {
            replaced: false,
            pending: None,
        };
        if capable && ordered && top_level && (1..=u32::MAX as u64).contains(&number) {
            let written = format!("{number}.");
            let span = range.start..range.start + written.len();
            let d = self.open_directive(
                MarkerKind::N,
                Number::new(number as u32),
                None,
                written,
                span,
                false,
            );
            state.replaced = true;
            state.pending = Some((d, 0, None));
        } else if capable {
            if let Some((text, pos)) = Self::first_text(events, i + 1) {
                if let Some(m) = self.detect_marker(text, pos) {
                    let span = self.base + pos..self.base + pos + m.len;
                    let len = m.len;
                    let written = m.written.clone();
                    let d = self.open_directive(m.kind, m.number, m.letter, m.written, span, false);
                    state.replaced = true;
                    state.pending = Some((d, len, Some(written)));
                }
            }
        }
        if let Some((d, _, _)) = state.pending {
            self.open_tag("<li", d, String::from(">"));
        } else {
            self.push(Event::Start(Tag::Item));
        }
        self.containers.push(Container::Item(state));
    }

    fn start_leaf(&mut self, kind: LeafKind, events: &[(Event<'a>, Range<usize>)], i: usize) {
        self.end_leaf();
        self.last_char = None;
        // Blocks of one directive (or of the preamble) are separate lines of its text.
        self.block_break = true;
        let capable = self.capable();
        let mut leaf = Leaf {
            kind,
            close: "",
            directive: None,
            strip: 0,
            segment_text: String::new(),
            suppressed: false,
            capable,
        };
        // The first leaf of an item that is itself a directive.
        let pending = match self.containers.last_mut() {
            Some(Container::Item(state)) => state.pending.take(),
            _ => None,
        };
        if let Some((d, strip, written)) = pending {
            leaf.directive = Some(d);
            leaf.strip = strip;
            let (open, close) = match kind {
                LeafKind::Paragraph => ("<p>".to_string(), "</p>\n"),
                LeafKind::Heading(l) => (format!("<h{l}>"), heading_close(l)),
                LeafKind::ItemText => (String::new(), ""),
            };
            leaf.close = close;
            let mut html = open;
            if let Some(w) = written {
                push_marker(&mut html, &w);
            }
            self.push(Event::Html(html.into()));
            self.leaf = Some(leaf);
            return;
        }
        let text_index = if kind == LeafKind::ItemText { i } else { i + 1 };
        if capable && kind == LeafKind::Paragraph && is_closing(events, i + 1) {
            // 「以上」 ends the last directive; it and all after it belong to none.
            self.current = None;
            self.closed = true;
        }
        let capable = capable && !self.closed;
        leaf.capable = capable;
        let marker = match (capable, events.get(text_index)) {
            (true, Some((Event::Text(t), r))) => {
                if shown_escape(t) {
                    leaf.strip = 1;
                }
                self.detect_marker(t, r.start).map(|m| (m, r.start))
            }
            _ => None,
        };
        match (kind, marker) {
            (_, Some((m, pos))) => {
                let span = self.base + pos..self.base + pos + m.len;
                let is_heading = matches!(kind, LeafKind::Heading(_));
                leaf.strip = m.len;
                let written = m.written.clone();
                let d =
                    self.open_directive(m.kind, m.number, m.letter, m.written, span, is_heading);
                leaf.directive = Some(d);
                let tag = match kind {
                    LeafKind::Heading(l) => {
                        leaf.close = heading_close(l);
                        format!("<h{l}")
                    }
                    _ => {
                        leaf.close = "</p>\n";
                        "<p".to_string()
                    }
                };
                let mut rest = String::from(">");
                push_marker(&mut rest, &written);
                self.open_tag(&tag, d, rest);
            }
            (LeafKind::Heading(level), None) => {
                self.current = None;
                // Only an H1 that opens the body is its title (SPEC §2); any
                // other H1 stays where it was written.
                if level == 1 && self.want_h1 && i == 0 {
                    leaf.suppressed = true;
                } else {
                    let n = self.plain_headings.len() + 1;
                    let id = format!("sec-{n}");
                    let pos = events.get(i).map_or(0, |(_, r)| r.start) + self.base;
                    self.plain_headings.push(PlainHeading {
                        pos,
                        id: id.clone(),
                        text: String::new(),
                    });
                    self.push(Event::Html(format!("<h{level} id=\"{id}\">").into()));
                    leaf.close = heading_close(level);
                }
            }
            (LeafKind::Paragraph, None) => {
                let html = match (self.current, capable) {
                    (Some(d), true) => {
                        format!("<p class=\"cont depth-{}\">", self.directives[d].depth)
                    }
                    _ => "<p>".to_string(),
                };
                leaf.close = "</p>\n";
                self.push(Event::Html(html.into()));
            }
            (LeafKind::ItemText, None) => {}
        }
        self.leaf = Some(leaf);
    }

    fn end_leaf(&mut self) {
        let Some(leaf) = self.leaf.take() else { return };
        if leaf.suppressed {
            self.h1 = Some(leaf.segment_text.trim().to_string());
            return;
        }
        self.close_segment(&leaf);
        if matches!(leaf.kind, LeafKind::Heading(_)) && leaf.directive.is_none() {
            if let Some(h) = self.plain_headings.last_mut() {
                h.text = leaf.segment_text.trim().to_string();
            }
        }
    }

    /// Ends the current segment: the directive's tools, the closing tag, its backlinks.
    fn close_segment(&mut self, leaf: &Leaf) {
        if let Some(d) = leaf.directive {
            self.out.push(Out::Slot(Slot::Tools(d)));
            let block = leaf.segment_text.trim();
            let end = block
                .char_indices()
                .nth(crate::model::HEADING_CHARS)
                .map_or(block.len(), |(i, _)| i);
            let directive = &mut self.directives[d];
            directive.heading = Heading::new(&block[..end], &directive.text);
        }
        if !leaf.close.is_empty() {
            self.push(Event::Html(leaf.close.into()));
        }
        if let Some(d) = leaf.directive {
            self.out.push(Out::Slot(Slot::Backlinks(d)));
        }
    }

    fn open_directive(
        &mut self,
        kind: MarkerKind,
        number: Number,
        letter: Option<char>,
        written: String,
        span: Range<usize>,
        is_heading: bool,
    ) -> usize {
        let rank = self.config.rank(kind);
        while let Some(&top) = self.stack.last() {
            if self.config.rank(self.directives[top].kind) >= rank {
                self.stack.pop();
            } else {
                break;
            }
        }
        let index = self.directives.len();
        self.directives.push(DirectiveDraft {
            kind,
            number,
            letter,
            written,
            id: String::new(),
            citation: String::new(),
            parent: self.stack.last().copied(),
            depth: self.stack.len() + 1,
            heading: Heading::default(),
            text: String::new(),
            span,
            is_heading,
        });
        self.stack.push(index);
        self.current = Some(index);
        index
    }

    /// The marker that `text` (at byte `pos` of the body) begins with, unless a
    /// backslash makes it literal: `\１．` and `\(1)` before it, or `1\.` inside it.
    fn detect_marker(&self, text: &str, pos: usize) -> Option<Marker> {
        if shown_escape(text) {
            return None;
        }
        let m = marker::detect(text)?;
        let start = self.base + pos;
        let source = self.file.text.as_bytes();
        let backslashes = source[..start]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        let as_written = self.file.text.get(start..start + m.len) == text.get(..m.len);
        (backslashes % 2 == 0 && as_written).then_some(m)
    }

    /// True if a marker at the start of a line continues the numbering: the next
    /// sibling of the directive before it (or of one of its ancestors), or its first child.
    fn continues(&self, m: &Marker) -> bool {
        let Some(&top) = self.stack.last() else {
            return m.is_first();
        };
        let top_d = &self.directives[top];
        if m.is_first() && self.config.rank(m.kind) > self.config.rank(top_d.kind) {
            return true;
        }
        self.stack.iter().any(|&s| {
            let d = &self.directives[s];
            d.kind == m.kind
                && match (d.letter, m.letter) {
                    (Some(a), Some(b)) if d.kind.is_katakana() => katakana_follows(a, b),
                    _ => d.number.is_followed_by(&m.number),
                }
        })
    }

    fn line_break(&mut self, events: &[(Event<'a>, Range<usize>)], i: usize) {
        let next = events.get(i + 1);
        let splittable = self.leaf.as_ref().is_some_and(|l| {
            l.capable && !l.suppressed && matches!(l.kind, LeafKind::Paragraph | LeafKind::ItemText)
        });
        if let (true, Some((Event::Text(t), r))) = (splittable, next) {
            if let Some(m) = self.detect_marker(t, r.start).filter(|m| self.continues(m)) {
                self.split(m, r.start + self.base);
                return;
            }
            if shown_escape(t) {
                if let Some(leaf) = &mut self.leaf {
                    leaf.strip = 1;
                }
            }
        }
        let hard = matches!(events[i].0, Event::HardBreak);
        let next_char = first_char_after(&events[i + 1..]);
        let joins = !hard
            && self.last_char.is_some_and(inline::is_wide)
            && next_char.is_some_and(inline::is_wide);
        if joins {
            return; // No stray space between Japanese characters.
        }
        self.sink(if hard { "\n" } else { " " });
        self.push(events[i].0.clone());
    }

    /// A marker line inside a paragraph starts a new directive.
    fn split(&mut self, m: Marker, pos: usize) {
        let Some(mut leaf) = self.leaf.take() else {
            return;
        };
        self.close_segment(&leaf);
        let span = pos..pos + m.len;
        let written = m.written.clone();
        let len = m.len;
        let d = self.open_directive(m.kind, m.number, m.letter, m.written, span, false);
        let mut rest = String::from(">");
        push_marker(&mut rest, &written);
        self.open_tag("<p", d, rest);
        leaf.close = "</p>\n";
        leaf.directive = Some(d);
        leaf.strip = len;
        leaf.segment_text.clear();
        self.leaf = Some(leaf);
        self.last_char = None;
    }

    fn start_link(
        &mut self,
        link_type: pulldown_cmark::LinkType,
        dest: &CowStr<'a>,
        title: &CowStr<'a>,
        id: &CowStr<'a>,
        range: Range<usize>,
    ) {
        // A UNC path (`\\server\share\a.md`) is a file on a share, not another policy.
        if !dest.starts_with('\\') && is_document_link(dest) {
            let n = self.references.len();
            self.references.push(RawReference {
                target: dest.to_string(),
                kind: ReferenceKind::MarkdownLink,
                span: range,
                from: self.current,
            });
            self.reference_slot(n);
            self.links.push(LinkState::Rewritten);
            return;
        }
        let Some(dest_url) = self.judge_destination(dest, range, "link") else {
            // Its text stays, as text.
            self.links.push(LinkState::Dropped);
            return;
        };
        self.push(Event::Start(Tag::Link {
            link_type,
            dest_url,
            title: title.clone(),
            id: id.clone(),
        }));
        self.links.push(LinkState::Normal);
    }

    /// The destination to write for a link or image: a UNC path as its
    /// `file:` URL, the URL as written, or none (with a warning) for one that
    /// would run code.
    fn judge_destination(
        &mut self,
        dest: &CowStr<'a>,
        range: Range<usize>,
        what: &str,
    ) -> Option<CowStr<'a>> {
        match inline::destination(dest) {
            inline::Destination::Kept => Some(dest.clone()),
            inline::Destination::Unc(url) => Some(url.into()),
            inline::Destination::Dropped => {
                let shown = crate::parse::shorten(dest, 40);
                self.warnings.push(
                    Diagnostic::warning(format!(
                        "{what} to `{shown}` dropped: it would run code in the page"
                    ))
                    .at(self.file, range)
                    .with_help(format!(
                        "link to a page or file instead (https://…, file://…, a relative path); the {what}'s text is kept"
                    )),
                );
                None
            }
        }
    }

    fn text(&mut self, cow: &CowStr<'a>, range: Range<usize>) {
        // Text borrowed from the source is passed on without copying it.
        let borrowed: Option<&'a str> = match cow {
            CowStr::Borrowed(b) => Some(b),
            _ => None,
        };
        let full: &str = cow;
        let mut text: &str = full;
        let mut start = range.start;
        let exact = self.file.text.get(range.clone()) == Some(text);
        if let Some(leaf) = &mut self.leaf {
            if leaf.strip > 0 {
                let strip = leaf.strip.min(text.len());
                leaf.strip = 0;
                text = &text[strip..];
                if exact {
                    start += strip;
                }
            }
        }
        if text.is_empty() {
            return;
        }
        let event_text = |s: &str| -> CowStr<'a> {
            match borrowed {
                Some(b) => {
                    let offset = s.as_ptr() as usize - full.as_ptr() as usize;
                    CowStr::Borrowed(&b[offset..offset + s.len()])
                }
                None => CowStr::from(s.to_string()),
            }
        };
        if !text.contains("[[") {
            self.last_char = text.chars().next_back();
            self.sink(text);
            self.push(Event::Text(event_text(text)));
            return;
        }
        // Where the event's text differs from the source (escapes, entities),
        // map it back: escaped brackets are literal, spans point at the source.
        let map = if exact {
            None
        } else {
            self.file
                .text
                .get(range.clone())
                .and_then(|src| inline::align(src, full))
        };
        let skipped = full.len() - text.len();
        let escaped = |i: usize| map.as_ref().is_some_and(|m| m[skipped + i].1);
        for piece in inline::split_wiki_escaped(text, &escaped) {
            match piece {
                Piece::Text(s) => {
                    self.last_char = s.chars().last();
                    self.sink(s);
                    self.push(Event::Text(event_text(s)));
                }
                Piece::Wiki {
                    target,
                    text: label,
                    offset,
                    len,
                } => {
                    let span = if exact {
                        start + offset..start + offset + len
                    } else if let Some(m) = &map {
                        range.start + m[skipped + offset].0
                            ..range.start + m[skipped + offset + len].0
                    } else {
                        let raw = format!("[[{target}");
                        match self.file.text[range.clone()].find(&raw) {
                            Some(p) => range.start + p..range.start + p + raw.len() + 2,
                            None => range.clone(),
                        }
                    };
                    let n = self.references.len();
                    self.references.push(RawReference {
                        target: target.to_string(),
                        kind: ReferenceKind::Wiki {
                            text: label.map(str::to_string),
                        },
                        span,
                        from: self.current,
                    });
                    self.sink(label.unwrap_or(target));
                    self.last_char = None;
                    self.reference_slot(n);
                }
            }
        }
    }

    /// Warns about every resource of published raw HTML that lies outside the site.
    fn outside_html(&mut self, html: &str, range: Range<usize>) {
        for r in crate::html_scan::outside_resources(html) {
            let what = format!("<{} {}> `{}`", r.element, r.attribute, r.url);
            self.outside(what, &r.url, range.clone());
        }
    }

    /// A resource from outside the site: a warning at the URL (SPEC §5).
    fn outside(&mut self, what: String, url: &str, range: Range<usize>) {
        let span = self
            .file
            .text
            .get(range.clone())
            .and_then(|src| src.find(url))
            .map_or(range.start..range.start + 1, |i| {
                range.start + i..range.start + i + url.len()
            });
        self.warnings.push(
            Diagnostic::warning(format!(
                "{what} is loaded from outside the site: an intranet without internet access cannot show it"
            ))
            .at(self.file, span)
            .with_help("save the file under content/ (e.g. content/2023/images/) and refer to it by a relative path; links to outside pages are fine"),
        );
    }

    /// Plain text goes to the current directive, or to the preamble.
    fn sink(&mut self, s: &str) {
        if let Some(leaf) = &mut self.leaf {
            leaf.segment_text.push_str(s);
            if leaf.suppressed {
                return;
            }
        }
        let text = match self.current {
            Some(d) => &mut self.directives[d].text,
            None => &mut self.preamble,
        };
        if std::mem::take(&mut self.block_break) && !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(s);
    }
}

/// True if `text` is a backslash and a marker that CommonMark leaves the
/// backslash in front of (`\１．`, `\①`, `\ア`): the author escaped the marker,
/// so the backslash is not shown.
fn shown_escape(text: &str) -> bool {
    text.strip_prefix('\\')
        .is_some_and(|rest| marker::detect(rest).is_some())
}

/// The first character shown after a line break, looking into emphasis and links
/// (`これは\n**重要**です`). A `[[…]]` without its own text shows a label that
/// starts with a department name or a title, so it counts as a wide character.
fn first_char_after(events: &[(Event<'_>, Range<usize>)]) -> Option<char> {
    for (event, _) in events {
        match event {
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. }) => {}
            Event::Code(t) => return t.chars().next(),
            Event::Text(t) => {
                return match inline::split_wiki(t).first() {
                    Some(Piece::Wiki { text: Some(l), .. }) => l.chars().next(),
                    Some(Piece::Wiki { text: None, .. }) => Some('参'),
                    _ => t.chars().next(),
                }
            }
            _ => return None,
        }
    }
    None
}

/// True if the paragraph whose text starts at `events[i]` is only 「以上」, the
/// closing of a 公用文 (spaces aside: 「　以上」, 「以　上」).
fn is_closing(events: &[(Event<'_>, Range<usize>)], i: usize) -> bool {
    match (events.get(i), events.get(i + 1)) {
        (Some((Event::Text(t), _)), Some((Event::End(TagEnd::Paragraph), _))) => {
            t.chars().filter(|c| !c.is_whitespace()).eq("以上".chars())
        }
        _ => false,
    }
}

fn heading_close(level: u8) -> &'static str {
    [
        "</h1>\n", "</h2>\n", "</h3>\n", "</h4>\n", "</h5>\n", "</h6>\n",
    ][(level.clamp(1, 6) - 1) as usize]
}

fn push_marker(html: &mut String, written: &str) {
    html.push_str("<span class=\"marker\">");
    pulldown_cmark_escape::escape_html(&mut *html, written).ok();
    html.push_str("</span>");
}

/// A relative link to a `.md` file or to an anchor in this page.
fn is_document_link(dest: &str) -> bool {
    if dest.starts_with('#') {
        return dest.len() > 1;
    }
    if dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with('/') {
        return false;
    }
    let path = dest.split('#').next().unwrap_or("");
    path.ends_with(".md")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Segment;

    /// What the tests look at: the walked body and its HTML (slots left out).
    struct Walked {
        html: String,
        h1: Option<String>,
        directives: Vec<DirectiveDraft>,
        references: Vec<RawReference>,
        warnings: Vec<Diagnostic>,
    }

    fn walk_body(markdown: &str) -> Walked {
        let file = SourceFile::new("content/2023/t.md", markdown);
        let config = Config::default();
        let body = walk(&file, 0, &config, true);
        let made = crate::parse::segments::segments(body.events, &body.directives);
        let html = made
            .read()
            .segments()
            .filter_map(|s| match s {
                Segment::Html(h) => Some(h),
                Segment::Slot(_) => None,
            })
            .collect();
        Walked {
            html,
            h1: body.h1,
            directives: body.directives,
            references: body.references,
            warnings: body.warnings,
        }
    }

    fn citations(body: &Walked) -> Vec<&str> {
        body.directives.iter().map(|d| d.written.as_str()).collect()
    }

    #[test]
    fn title_only_from_an_h1_that_opens_the_body() {
        let body = walk_body("# 令和５年度の方針\n\n本文\n\n# 別紙\n");
        assert_eq!(body.h1.as_deref(), Some("令和５年度の方針"));
        assert!(!body.html.contains("令和５年度の方針") && body.html.contains("別紙</h1>"));

        for later in [
            "前文\n\n# 見出し\n",
            "> # 引用の見出し\n",
            "- # 項目の見出し\n",
        ] {
            let body = walk_body(later);
            assert_eq!(body.h1, None, "{later}");
            assert!(body.html.contains("</h1>"), "{later}: {}", body.html);
        }
    }

    #[test]
    fn escaped_markers_are_literal_text() {
        let body = walk_body("\\１．これは指示ではない。\n\n\\(1) これも。\n\n\\① これも。\n");
        assert!(citations(&body).is_empty(), "{:?}", citations(&body));
        assert!(
            body.html.contains("<p>１．これは指示ではない。</p>"),
            "{}",
            body.html
        );
        assert!(body.html.contains("<p>(1) これも。</p>"), "{}", body.html);
        assert!(body.html.contains("<p>① これも。</p>"), "{}", body.html);

        // Inside a paragraph an escaped marker line keeps flowing in it.
        let body = walk_body("１．本文\n1\\. 続き\n\\２．続き\n（１）子\n");
        assert_eq!(citations(&body), ["１．", "（１）"]);
        assert!(
            body.html.contains("本文\n1. 続き\n２．続き"),
            "{}",
            body.html
        );
        // Unescaped, the same lines split it.
        let body = walk_body("１．本文\n２．次\n");
        assert_eq!(citations(&body), ["１．", "２．"]);
    }

    #[test]
    fn unc_paths_become_file_urls() {
        let body = walk_body(
            "[共有フォルダ](\\\\fileserver\\share\\予算.xlsx) [議事録](\\\\srv\\共有\\議事録.md)\n",
        );
        assert!(body.references.is_empty());
        assert!(
            body.html
                .contains("href=\"file://srv/%E5%85%B1%E6%9C%89/%E8%AD%B0%E4%BA%8B%E9%8C%B2.md\""),
            "{}",
            body.html
        );
        assert!(
            body.html.contains(
                "<a href=\"file://fileserver/share/%E4%BA%88%E7%AE%97.xlsx\">共有フォルダ</a>"
            ),
            "{}",
            body.html
        );
        assert!(body.warnings.is_empty());
    }

    #[test]
    fn links_that_run_code_are_dropped_with_a_warning() {
        let body = walk_body(
            "[Notes](notes://srv/db.nsf) <irc://irc.example/x> [共有](file://srv/a.pdf)\n\n前文 [危険](javascript:alert(1)) と ![図](data:text/html,x)\n",
        );
        for kept in [
            "notes://srv/db.nsf",
            "irc://irc.example/x",
            "file://srv/a.pdf",
        ] {
            assert!(
                body.html.contains(&format!("href=\"{kept}\"")),
                "{kept}: {}",
                body.html
            );
        }
        assert!(body.html.contains("前文 危険 と 図"), "{}", body.html);
        assert!(!body.html.contains("javascript") && !body.html.contains("text/html"));
        let located: Vec<String> = body
            .warnings
            .iter()
            .map(|w| {
                let l = w.location.as_ref().unwrap();
                format!("{}:{}:{}", l.path, l.line, l.column)
            })
            .collect();
        assert_eq!(located, ["content/2023/t.md:3:4", "content/2023/t.md:3:32"]);
    }
}
