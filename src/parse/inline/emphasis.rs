//! Emphasis and strong emphasis (`*`, `_`) by CommonMark 0.31.2's delimiter
//! rules with the CJK-friendly amendments (`specification.md` of
//! <https://github.com/tats-u/markdown-cjk-friendly>).
//!
//! The latest pulldown-cmark release (0.13) pairs delimiters by plain
//! CommonMark, which leaves `**[リンク](…)**も` and `**「重要」**です` literal
//! and pairs `**C#**や**F#**` wrongly. So this pass takes pulldown-cmark's
//! events, turns every emphasis it formed back into the delimiter runs written
//! in the source, and pairs all runs again by the spec's "process emphasis"
//! procedure, judging flanking by the amended rules. As in CommonMark, the
//! content of a link, image or strikethrough is paired on its own; code
//! spans, raw HTML and autolinks are opaque.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use super::cjk::{can_open_close, Side};

/// An event and its byte range in the source.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// Re-pairs emphasis delimiters in `events`, parsed from `source`.
pub fn resolve<'a>(source: &'a str, events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    if !needs_pass(source, &events) {
        return events; // most documents: nothing to pair again, nothing to copy
    }
    let mut out = Vec::with_capacity(events.len() + events.len() / 4);
    let mut run: Vec<Spanned<'a>> = Vec::new();
    let mut verbatim = 0usize;
    for (event, range) in events {
        let inline = verbatim == 0 && is_inline(&event);
        match &event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => verbatim += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock) => {
                verbatim = verbatim.saturating_sub(1)
            }
            _ => {}
        }
        if inline {
            run.push((event, range));
            continue;
        }
        flush(source, &mut run, &mut out);
        out.push((event, range));
    }
    flush(source, &mut run, &mut out);
    out
}

fn flush<'a>(source: &'a str, run: &mut Vec<Spanned<'a>>, out: &mut Vec<Spanned<'a>>) {
    if run.is_empty() {
        return;
    }
    let events = std::mem::take(run);
    if !needs_pass(source, &events) || !understood(source, &events) {
        // Events this pass does not understand are left as pulldown-cmark gave them.
        out.extend(events);
        return;
    }
    let mut inline = Inline::new(source, events);
    inline.pair();
    inline.emit(out);
}

/// Events that belong to the inline content of one block.
pub fn is_inline(e: &Event<'_>) -> bool {
    match e {
        Event::Text(_)
        | Event::Code(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::InlineMath(_)
        | Event::TaskListMarker(_) => true,
        Event::Start(t) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. }
                | Tag::Superscript
                | Tag::Subscript
        ),
        Event::End(t) => matches!(
            t,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript
        ),
        _ => false,
    }
}

/// Only content with emphasis or a literal `*` / `_` can change.
fn needs_pass(source: &str, events: &[Spanned<'_>]) -> bool {
    events.iter().any(|(e, r)| match e {
        Event::Start(Tag::Emphasis | Tag::Strong) => true,
        Event::Text(t) => {
            t.bytes().any(|b| b == b'*' || b == b'_') && source.get(r.clone()) == Some(t.as_ref())
        }
        _ => false,
    })
}

/// True if every emphasis event stands on its delimiters in the source and
/// containers nest, as pulldown-cmark gives them.
fn understood(source: &str, events: &[Spanned<'_>]) -> bool {
    let mut depth = 0usize;
    events.iter().all(|(e, r)| {
        let delimiter_at = match e {
            Event::Start(Tag::Emphasis | Tag::Strong) => Some(r.start),
            Event::End(TagEnd::Emphasis) => r.end.checked_sub(1),
            Event::End(TagEnd::Strong) => r.end.checked_sub(2),
            Event::Start(_) => {
                depth += 1;
                return true;
            }
            Event::End(_) => return depth.checked_sub(1).map(|d| depth = d).is_some(),
            _ => return true,
        };
        delimiter_at
            .and_then(|i| source.as_bytes().get(i))
            .is_some_and(|&b| b == b'*' || b == b'_')
    })
}

/// A delimiter run: consecutive `*` or `_` written in the source.
struct Delim {
    ch: u8,
    /// Source range of the whole run.
    range: Range<usize>,
    /// The part not used by emphasis: closers use it from the left, openers from the right.
    lo: usize,
    hi: usize,
    can_open: bool,
    can_close: bool,
    /// Emphasis closed by this run (inner first): strong?, span.
    ends: Vec<(bool, Range<usize>)>,
    /// Emphasis opened by this run (outer first).
    starts: Vec<(bool, Range<usize>)>,
    scope: usize,
}

impl Delim {
    fn len(&self) -> usize {
        self.hi - self.lo
    }

    fn orig(&self) -> usize {
        self.range.len()
    }
}

enum Token<'a> {
    Event(Spanned<'a>),
    Delim(usize),
}

struct Inline<'a> {
    source: &'a str,
    tokens: Vec<Token<'a>>,
    delims: Vec<Delim>,
    scopes: usize,
}

impl<'a> Inline<'a> {
    /// Splits the content into events and delimiter runs, emphasis undone.
    /// The events must be [`understood`].
    fn new(source: &'a str, events: Vec<Spanned<'a>>) -> Self {
        let mut inline = Inline {
            source,
            tokens: Vec::with_capacity(events.len() + 8),
            delims: Vec::new(),
            scopes: 1,
        };
        let mut scope_stack = vec![0usize];
        let mut in_autolink = false;
        for (event, range) in events {
            let scope = scope_stack.last().copied().unwrap_or(0);
            match &event {
                _ if in_autolink => {
                    in_autolink = !matches!(event, Event::End(TagEnd::Link));
                    inline.tokens.push(Token::Event((event, range)));
                }
                Event::Start(Tag::Emphasis) => inline.piece(range.start, 1, scope),
                Event::Start(Tag::Strong) => inline.piece(range.start, 2, scope),
                Event::End(TagEnd::Emphasis) => inline.piece(range.end - 1, 1, scope),
                Event::End(TagEnd::Strong) => inline.piece(range.end - 2, 2, scope),
                Event::Text(t) if source.get(range.clone()) == Some(t.as_ref()) => {
                    inline.text(range.start, &source[range.clone()], scope)
                }
                Event::Start(Tag::Link {
                    link_type: LinkType::Autolink | LinkType::Email,
                    ..
                }) => {
                    in_autolink = true;
                    inline.tokens.push(Token::Event((event, range)));
                }
                Event::Start(_) => {
                    inline.tokens.push(Token::Event((event, range)));
                    scope_stack.push(inline.scopes);
                    inline.scopes += 1;
                }
                Event::End(_) => {
                    inline.tokens.push(Token::Event((event, range)));
                    scope_stack.pop();
                }
                _ => inline.tokens.push(Token::Event((event, range))),
            }
        }
        inline.classify();
        inline
    }

    /// Adds `len` delimiter characters at `start`, joining the run before it.
    fn piece(&mut self, start: usize, len: usize, scope: usize) {
        let ch = self.source.as_bytes()[start];
        if let Some(Token::Delim(d)) = self.tokens.last() {
            let d = &mut self.delims[*d];
            if d.ch == ch && d.range.end == start && d.scope == scope {
                d.range.end += len;
                d.hi = d.range.end;
                return;
            }
        }
        self.tokens.push(Token::Delim(self.delims.len()));
        self.delims.push(Delim {
            ch,
            range: start..start + len,
            lo: start,
            hi: start + len,
            can_open: false,
            can_close: false,
            ends: Vec::new(),
            starts: Vec::new(),
            scope,
        });
    }

    /// Splits literal text at its `*` and `_` runs (backslash-escaped ones stay text).
    fn text(&mut self, start: usize, text: &'a str, scope: usize) {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut plain = 0;
        while i < bytes.len() {
            let ch = bytes[i];
            if ch != b'*' && ch != b'_' {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < bytes.len() && bytes[j] == ch {
                j += 1;
            }
            let first = if self.escaped(start + i) { i + 1 } else { i };
            if first < j {
                if plain < first {
                    self.plain(start + plain, &text[plain..first]);
                }
                self.piece(start + first, j - first, scope);
                plain = j;
            }
            i = j;
        }
        if plain < bytes.len() {
            self.plain(start + plain, &text[plain..]);
        }
    }

    fn plain(&mut self, start: usize, text: &'a str) {
        self.tokens.push(Token::Event((
            Event::Text(CowStr::Borrowed(text)),
            start..start + text.len(),
        )));
    }

    /// True if the character at `pos` follows an odd number of backslashes.
    fn escaped(&self, pos: usize) -> bool {
        let before = &self.source.as_bytes()[..pos];
        before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
    }

    /// Decides which runs can open and close emphasis. The start of the content
    /// and a line break count as the edge of a line, whatever container marker
    /// stands before it in the source.
    fn classify(&mut self) {
        let is_break = |t: Option<&Token<'_>>| match t {
            None => true,
            Some(Token::Event((e, _))) => matches!(e, Event::SoftBreak | Event::HardBreak),
            Some(Token::Delim(_)) => false,
        };
        for k in 0..self.tokens.len() {
            let Token::Delim(d) = self.tokens[k] else {
                continue;
            };
            let range = self.delims[d].range.clone();
            let source = self.source;
            let prev = if k == 0 || is_break(self.tokens.get(k - 1)) {
                None
            } else {
                source[..range.start].chars().next_back()
            };
            let next = if is_break(self.tokens.get(k + 1)) {
                None
            } else {
                source[range.end..].chars().next()
            };
            let before = Side::before(prev, || {
                let mut back = source[..range.start].chars();
                back.next_back();
                back.next_back()
            });
            let (open, close) = can_open_close(self.delims[d].ch, before, Side::after(next));
            self.delims[d].can_open = open;
            self.delims[d].can_close = close;
        }
    }

    /// Pairs the runs of every scope.
    fn pair(&mut self) {
        let mut by_scope: Vec<Vec<usize>> = vec![Vec::new(); self.scopes];
        for (i, d) in self.delims.iter().enumerate() {
            by_scope[d.scope].push(i);
        }
        for list in by_scope {
            if list.len() > 1 {
                process_emphasis(&mut self.delims, &list);
            }
        }
    }

    /// The events: what pulldown-cmark gave, with the delimiters as paired here.
    fn emit(self, out: &mut Vec<Spanned<'a>>) {
        let source = self.source;
        for token in self.tokens {
            match token {
                Token::Event(e) => out.push(e),
                Token::Delim(d) => {
                    let d = &self.delims[d];
                    for (strong, span) in &d.ends {
                        let end = if *strong {
                            TagEnd::Strong
                        } else {
                            TagEnd::Emphasis
                        };
                        out.push((Event::End(end), span.clone()));
                    }
                    if d.lo < d.hi {
                        out.push((
                            Event::Text(CowStr::Borrowed(&source[d.lo..d.hi])),
                            d.lo..d.hi,
                        ));
                    }
                    for (strong, span) in &d.starts {
                        let start = if *strong { Tag::Strong } else { Tag::Emphasis };
                        out.push((Event::Start(start), span.clone()));
                    }
                }
            }
        }
    }
}

/// CommonMark's "process emphasis" over the runs `list` (in source order) of one scope.
fn process_emphasis(delims: &mut [Delim], list: &[usize]) {
    let mut alive = vec![true; list.len()];
    // openers_bottom[char][closer length % 3][closer can open]: positions at or
    // below which no opener for such a closer can be found.
    let mut bottom = [[[None::<usize>; 2]; 3]; 2];
    let mut current = 0;
    while current < list.len() {
        let c = list[current];
        if !alive[current] || !delims[c].can_close {
            current += 1;
            continue;
        }
        let ch_index = usize::from(delims[c].ch == b'_');
        let slot = (
            ch_index,
            delims[c].orig() % 3,
            usize::from(delims[c].can_open),
        );
        let floor = bottom[slot.0][slot.1][slot.2];
        let mut found = None;
        let mut k = current;
        while k > 0 {
            k -= 1;
            if floor.is_some_and(|f| k <= f) {
                break;
            }
            if !alive[k] {
                continue;
            }
            let o = &delims[list[k]];
            if o.ch != delims[c].ch || !o.can_open {
                continue;
            }
            // The "rule of 3": a run that can both open and close pairs only
            // when the lengths do not add up to a multiple of 3, unless both are.
            let both = o.can_close || delims[c].can_open;
            let sum = o.orig() + delims[c].orig();
            let both_thirds = o.orig().is_multiple_of(3) && delims[c].orig().is_multiple_of(3);
            if both && sum.is_multiple_of(3) && !both_thirds {
                continue;
            }
            found = Some(k);
            break;
        }
        let Some(k) = found else {
            bottom[slot.0][slot.1][slot.2] = current.checked_sub(1);
            if !delims[c].can_open {
                alive[current] = false;
            }
            current += 1;
            continue;
        };
        let o = list[k];
        let strong = delims[o].len() >= 2 && delims[c].len() >= 2;
        let n = if strong { 2 } else { 1 };
        let open_at = delims[o].hi - n;
        let close_at = delims[c].lo;
        let span = open_at..close_at + n;
        delims[o].hi -= n;
        delims[o].starts.insert(0, (strong, span.clone()));
        delims[c].lo += n;
        delims[c].ends.push((strong, span));
        for a in alive.iter_mut().take(current).skip(k + 1) {
            *a = false;
        }
        if delims[o].len() == 0 {
            alive[k] = false;
        }
        if delims[c].len() == 0 {
            alive[current] = false;
            current += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{html, Options, Parser};

    fn render(markdown: &str) -> String {
        let events: Vec<_> = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH)
            .into_offset_iter()
            .collect();
        let mut out = String::new();
        html::push_html(
            &mut out,
            resolve(markdown, events).into_iter().map(|(e, _)| e),
        );
        out
    }

    #[test]
    fn japanese_emphasis_next_to_punctuation_and_links() {
        assert_eq!(
            render("**[製品ほげ](./product-foo)**と"),
            "<p><strong><a href=\"./product-foo\">製品ほげ</a></strong>と</p>\n"
        );
        assert_eq!(
            render("これは**「重要」**です"),
            "<p>これは<strong>「重要」</strong>です</p>\n"
        );
        assert_eq!(
            render("**C#**や**F#**は**「.NET」**"),
            "<p><strong>C#</strong>や<strong>F#</strong>は<strong>「.NET」</strong></p>\n"
        );
        assert_eq!(
            render("先頭の**`コード`も注意。**"),
            "<p>先頭の<strong><code>コード</code>も注意。</strong></p>\n"
        );
    }

    #[test]
    fn commonmark_where_no_cjk_is_involved() {
        assert_eq!(render("a*\"foo\"*\n"), "<p>a*\"foo\"*</p>\n");
        assert_eq!(render("*(*foo)\n"), "<p>*(*foo)</p>\n");
        assert_eq!(
            render("***foo** bar*"),
            "<p><em><strong>foo</strong> bar</em></p>\n"
        );
        assert_eq!(
            render("*foo**bar**baz*"),
            "<p><em>foo<strong>bar</strong>baz</em></p>\n"
        );
        assert_eq!(render("foo*bar*"), "<p>foo<em>bar</em></p>\n");
        assert_eq!(render("foo_bar_"), "<p>foo_bar_</p>\n");
        assert_eq!(render("\\**foo*"), "<p>*<em>foo</em></p>\n");
        assert_eq!(render("*[a*](b)"), "<p>*<a href=\"b\">a*</a></p>\n");
        assert_eq!(render("5 * 3 = 15 * 1"), "<p>5 * 3 = 15 * 1</p>\n");
    }
}
