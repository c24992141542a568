//! Inline helpers for the body walker: `[[…]]` references, emphasis by the
//! CJK-friendly rules, soft breaks between wide characters, raw HTML and
//! unsafe URLs.

mod cjk;
mod emphasis;

pub use emphasis::is_inline;

use unicode_width::UnicodeWidthChar;

pub use emphasis::resolve as resolve_emphasis;

/// A piece of a text event: plain text or a `[[…]]` reference.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'t> {
    /// Ordinary text.
    Text(&'t str),
    /// A wiki reference: target, optional text, byte offset of `[[` in the text.
    Wiki {
        /// What stands before `|` (or all of it): `総務部/2023#1.(3)⑥`.
        target: &'t str,
        /// The `|text`, if given.
        text: Option<&'t str>,
        /// Byte offset of `[[` in the text.
        offset: usize,
        /// Bytes from `[[` to after `]]`.
        len: usize,
    },
}

/// Splits text at `[[TARGET]]` / `[[TARGET|text]]`. An empty target
/// (`[[]]`, `[[|x]]`) is a piece too, so that link reports it.
pub fn split_wiki(text: &str) -> Vec<Piece<'_>> {
    split_wiki_escaped(text, &|_| false)
}

/// [`split_wiki`] on text whose brackets may have been written escaped
/// (`\[[x]]`, `[\[x]]`): `escaped(i)` tells whether the byte at `i` was.
/// Brackets written escaped are literal text.
pub fn split_wiki_escaped<'t>(text: &'t str, escaped: &dyn Fn(usize) -> bool) -> Vec<Piece<'t>> {
    let mut pieces = Vec::new();
    let mut rest_start = 0;
    let mut search = 0;
    let bracket_pair = |at: usize| !escaped(at) && !escaped(at + 1);
    while let Some(open) = text[search..].find("[[").map(|i| i + search) {
        if !bracket_pair(open) {
            search = open + 1;
            continue;
        }
        let inner_start = open + 2;
        let mut from = inner_start;
        let close = loop {
            match text[from..].find("]]").map(|i| i + from) {
                Some(c) if bracket_pair(c) => break Some(c),
                Some(c) => from = c + 1,
                None => break None,
            }
        };
        let Some(close) = close else {
            break;
        };
        let inner = &text[inner_start..close];
        if inner.contains('\n') || inner.contains("[[") {
            search = inner_start;
            continue;
        }
        if open > rest_start {
            pieces.push(Piece::Text(&text[rest_start..open]));
        }
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t.trim(), Some(l.trim()).filter(|l| !l.is_empty())),
            None => (inner.trim(), None),
        };
        pieces.push(Piece::Wiki {
            target,
            text: label,
            offset: open,
            len: close + 2 - open,
        });
        rest_start = close + 2;
        search = rest_start;
    }
    if rest_start < text.len() {
        pieces.push(Piece::Text(&text[rest_start..]));
    }
    pieces
}

/// Maps a text event back to its source when they differ (backslash escapes,
/// entities, NUL read as U+FFFD): for each byte of `text`, the source offset of
/// its character and whether it was written escaped; the entry at `text.len()`
/// is the source offset after the last character. None if the two cannot be
/// lined up (the caller then falls back to searching).
pub fn align(source: &str, text: &str) -> Option<Vec<(usize, bool)>> {
    let mut map = vec![(0, false); text.len() + 1];
    let mut j = 0;
    for (i, c) in text.char_indices() {
        let rest = source.get(j..)?;
        let (escaped, used) =
            if c.is_ascii_punctuation() && rest.starts_with('\\') && rest[1..].starts_with(c) {
                (true, 1 + c.len_utf8())
            } else if let Some(end) = entity_len(rest) {
                (true, end)
            } else if rest.starts_with(c) {
                (false, c.len_utf8())
            } else if c == '\u{fffd}' && rest.starts_with('\0') {
                (false, 1)
            } else {
                return None;
            };
        for slot in &mut map[i..i + c.len_utf8()] {
            *slot = (j, escaped);
        }
        j += used;
    }
    map[text.len()] = (j, false);
    Some(map)
}

/// The length of an HTML entity (`&amp;`, `&#91;`) at the start of `s`.
fn entity_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix('&')?;
    let end = body.find(';')?;
    let name = &body[..end];
    let valid = (1..32).contains(&name.len())
        && name
            .strip_prefix('#')
            .unwrap_or(name)
            .chars()
            .all(|c| c.is_ascii_alphanumeric());
    valid.then_some(end + 2)
}

/// True for East Asian wide and full-width characters (kanji, kana, 「」、。).
pub fn is_wide(c: char) -> bool {
    c.width() == Some(2)
}

/// Inline HTML tags let through when raw HTML is not allowed: formatting only, no attributes.
const SAFE_INLINE_TAGS: &[&str] = &[
    "b", "i", "u", "s", "em", "strong", "small", "sub", "sup", "mark", "ruby", "rt", "rp", "kbd",
    "del", "ins", "code", "br",
];

/// True if an inline HTML fragment is a bare safe tag like `<b>`, `</b>`, `<br>`, `<br/>`.
pub fn is_safe_inline_tag(html: &str) -> bool {
    let Some(inner) = html.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
        return false;
    };
    let inner = inner.trim_end_matches('/').trim();
    let name = inner.strip_prefix('/').unwrap_or(inner);
    SAFE_INLINE_TAGS
        .iter()
        .any(|t| t.eq_ignore_ascii_case(name))
}

/// Sanitises a raw HTML block: scripts, event handlers and the URLs that
/// [`destination`] drops are removed; every other URL scheme (`file:`,
/// `notes:`, …) is kept, as in Markdown links.
pub fn sanitize_block(html: &str) -> String {
    // ammonia keeps only the schemes it is told of: tell it those this block
    // uses, and let `destination` judge each URL attribute.
    let schemes = schemes_in(html);
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(None)
        .add_url_schemes(&schemes)
        .attribute_filter(|element, attribute, value| {
            if is_url_attribute(element, attribute) && destination(value) == Destination::Dropped {
                None
            } else {
                Some(value.into())
            }
        });
    builder.clean(html).to_string()
}

/// Attributes that hold a URL (a superset of those ammonia checks against
/// its scheme list, so that a `data:` it lets through is judged here).
fn is_url_attribute(_element: &str, attribute: &str) -> bool {
    matches!(
        attribute,
        "href"
            | "src"
            | "srcset"
            | "action"
            | "formaction"
            | "data"
            | "ping"
            | "poster"
            | "cite"
            | "longdesc"
    )
}

/// Every word followed by `:` in `html` that could be a URL scheme, except
/// those [`destination`] drops.
fn schemes_in(html: &str) -> Vec<String> {
    let mut schemes: Vec<String> = Vec::new();
    for (i, _) in html.match_indices(':') {
        let start = html[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |p| p + 1);
        let word = html[start..i].to_ascii_lowercase();
        if word.starts_with(|c: char| c.is_ascii_alphabetic())
            && !matches!(word.as_str(), "javascript" | "vbscript")
            && !schemes.contains(&word)
        {
            schemes.push(word);
        }
    }
    schemes
}

/// What a link or image destination becomes in the page.
#[derive(Debug, PartialEq, Eq)]
pub enum Destination {
    /// Written into the page as it is.
    Kept,
    /// A UNC path (`\\server\share\file`), as the `file:` URL a browser opens.
    Unc(String),
    /// A URL that would run code (`javascript:`, `vbscript:`, `data:` other
    /// than an image): the link is dropped with a warning.
    Dropped,
}

/// Judges a link or image destination as pulldown-cmark gives it (backslash
/// escapes resolved, so `\\fileserver\share` arrives as `\fileserver\share`).
/// Every scheme is kept except those that run code, as CommonMark renderers
/// such as markdown-it do; `file:` is kept, an intranet needs it.
pub fn destination(url: &str) -> Destination {
    if let Some(unc) = unc_to_file_url(url) {
        return Destination::Unc(unc);
    }
    // Browsers ignore whitespace and control characters inside a scheme.
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = squeezed.to_ascii_lowercase();
    let Some(colon) = lower.find(':') else {
        return Destination::Kept;
    };
    let scheme = &lower[..colon];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return Destination::Kept; // a colon after a path, query or fragment
    }
    let image = ["image/png", "image/gif", "image/jpeg", "image/webp"]
        .iter()
        .any(|t| lower[colon + 1..].starts_with(t));
    match scheme {
        "javascript" | "vbscript" => Destination::Dropped,
        "data" if !image => Destination::Dropped,
        _ => Destination::Kept,
    }
}

/// `\\fileserver\share\予算.xlsx` (one backslash less once Markdown has read
/// its escapes) → `file://fileserver/share/%E4%BA%88%E7%AE%97.xlsx`.
fn unc_to_file_url(url: &str) -> Option<String> {
    let path = url.trim_start_matches('\\');
    if path.len() == url.len() {
        return None;
    }
    let mut parts = path.split(['\\', '/']);
    let host = parts.next().filter(|h| !h.is_empty())?;
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return None; // `\foo` alone is no share
    }
    let mut out = format!("file://{}", encode_segment(host));
    for part in rest {
        out.push('/');
        out.push_str(&encode_segment(part));
    }
    Some(out)
}

/// Characters of a path segment that a URL cannot hold as they are.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'^')
    .add(b'[')
    .add(b']');

fn encode_segment(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_wiki_references() {
        let p = split_wiki("前[[総務部/2023#1.(3)⑥]]中[[#n1|こちら]]後");
        assert_eq!(p.len(), 5);
        assert_eq!(p[0], Piece::Text("前"));
        assert!(matches!(
            p[1],
            Piece::Wiki {
                target: "総務部/2023#1.(3)⑥",
                text: None,
                offset: 3,
                ..
            }
        ));
        assert!(matches!(
            p[3],
            Piece::Wiki {
                target: "#n1",
                text: Some("こちら"),
                ..
            }
        ));
        assert_eq!(p[4], Piece::Text("後"));
        assert!(matches!(
            split_wiki("[[]]").as_slice(),
            [Piece::Wiki { target: "", .. }]
        ));
        assert!(matches!(
            split_wiki("[[|x]]").as_slice(),
            [Piece::Wiki {
                target: "",
                text: Some("x"),
                ..
            }]
        ));
        assert_eq!(split_wiki("開き[[だけ"), vec![Piece::Text("開き[[だけ")]);
    }

    #[test]
    fn escaped_brackets_are_literal() {
        // `\[[x]]` as pulldown-cmark gives it: text "[[x]]" from source `\[[x]]`.
        let source = "\\[[x]] [\\[y]] [[z]]";
        let text = "[[x]] [[y]] [[z]]";
        let map = align(source, text).unwrap();
        let pieces = split_wiki_escaped(text, &|i| map[i].1);
        let targets: Vec<&str> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Wiki { target, .. } => Some(*target),
                _ => None,
            })
            .collect();
        assert_eq!(targets, ["z"]);
        let Some(Piece::Wiki { offset, len, .. }) = pieces.last() else {
            panic!("{pieces:?}")
        };
        assert_eq!(&source[map[*offset].0..map[offset + len].0], "[[z]]");
        assert_eq!(align("a&amp;b", "a&b").unwrap()[2], (6, false));
        assert!(align("abc", "xyz").is_none());
    }

    #[test]
    fn wide_characters() {
        assert!(is_wide('あ') && is_wide('漢') && is_wide('「') && is_wide('，') && is_wide('Ａ'));
        assert!(!is_wide('a') && !is_wide('1') && !is_wide(' '));
    }

    #[test]
    fn links_keep_every_scheme_but_those_that_run_code() {
        for url in [
            "../2023/somu.html#n1",
            "https://example.jp/",
            "mailto:somu@example.jp",
            "file://server/share/a.pdf",
            "notes://server/db.nsf",
            "irc://foo.bar:2233/baz",
            "made-up-scheme://foo,bar",
            "localhost:5001/foo",
            "foo):",
            "data:image/png;base64,iVBORw0KGgo=",
            "a/b:c",
        ] {
            assert_eq!(destination(url), Destination::Kept, "{url}");
        }
        for url in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "DATA:image/svg+xml,<svg onload=x>",
        ] {
            assert_eq!(destination(url), Destination::Dropped, "{url}");
        }
    }

    #[test]
    fn unc_paths_become_file_urls() {
        assert_eq!(
            destination("\\fileserver\\share\\予算.xlsx"),
            Destination::Unc("file://fileserver/share/%E4%BA%88%E7%AE%97.xlsx".into())
        );
        assert_eq!(
            destination("\\\\srv\\共有 フォルダ\\a#1.pdf"),
            Destination::Unc(
                "file://srv/%E5%85%B1%E6%9C%89%20%E3%83%95%E3%82%A9%E3%83%AB%E3%83%80/a%231.pdf"
                    .into()
            )
        );
        assert_eq!(destination("\\foo"), Destination::Kept);
        assert_eq!(destination("foo\\bar"), Destination::Kept);
    }

    #[test]
    fn inline_tags() {
        assert!(
            is_safe_inline_tag("<b>") && is_safe_inline_tag("</b>") && is_safe_inline_tag("<br/>")
        );
        assert!(
            !is_safe_inline_tag("<script>")
                && !is_safe_inline_tag("<b onclick=x>")
                && !is_safe_inline_tag("<img src=x>")
        );
    }

    #[test]
    fn html_blocks_keep_the_links_markdown_keeps() {
        let clean = sanitize_block(
            "<p><a href=\"notes://srv/db.nsf\">Notes</a> <a href=\"file://srv/share/a.pdf\">共有</a> \
             <a href=\"javascript:alert(1)\">x</a> <img src=\"data:text/html,x\"> \
             <img src=\"data:image/png;base64,iVBORw0KGgo=\"></p>",
        );
        assert!(clean.contains("href=\"notes://srv/db.nsf\""), "{clean}");
        assert!(clean.contains("href=\"file://srv/share/a.pdf\""), "{clean}");
        assert!(clean.contains("src=\"data:image/png;"), "{clean}");
        assert!(
            !clean.contains("javascript") && !clean.contains("text/html"),
            "{clean}"
        );
    }

    #[test]
    fn html_blocks_are_sanitised() {
        let clean =
            sanitize_block("<div onclick=\"x()\"><script>alert(1)</script><b>太字</b></div>");
        assert!(
            !clean.contains("script")
                && !clean.contains("onclick")
                && clean.contains("<b>太字</b>"),
            "{clean}"
        );
    }
}
