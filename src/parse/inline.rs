//! Inline helpers for the body walker: `[[…]]` references, emphasis around
//! Japanese punctuation, soft breaks between wide characters, raw HTML and
//! unsafe URLs.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use unicode_width::UnicodeWidthChar;

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

/// Splits text at `[[TARGET]]` / `[[TARGET|text]]`.
pub fn split_wiki(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest_start = 0;
    let mut search = 0;
    while let Some(open) = text[search..].find("[[").map(|i| i + search) {
        let inner_start = open + 2;
        let Some(close) = text[inner_start..].find("]]").map(|i| i + inner_start) else {
            break;
        };
        let inner = &text[inner_start..close];
        if inner.trim().is_empty() || inner.contains('\n') || inner.contains("[[") {
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

/// Turns `**…**` (and `*…*`) left literal by CommonMark's flanking rules next to
/// Japanese punctuation (`これは**「重要」**です`) into strong (emphasis) events.
pub fn cjk_emphasis(text: &str, out: &mut Vec<Event<'static>>) {
    let mut rest = text;
    while let Some((before, delim, inner, after)) = next_emphasis(rest) {
        if !before.is_empty() {
            out.push(Event::Text(CowStr::from(before.to_string())));
        }
        let (start, end) = if delim == "**" {
            (Tag::Strong, TagEnd::Strong)
        } else {
            (Tag::Emphasis, TagEnd::Emphasis)
        };
        out.push(Event::Start(start));
        out.push(Event::Text(CowStr::from(inner.to_string())));
        out.push(Event::End(end));
        rest = after;
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
}

fn next_emphasis(s: &str) -> Option<(&str, &'static str, &str, &str)> {
    let open = s.find('*')?;
    let delim = if s[open..].starts_with("**") {
        "**"
    } else {
        "*"
    };
    let inner_start = open + delim.len();
    let close = s[inner_start..].find(delim)? + inner_start;
    let inner = &s[inner_start..close];
    let valid = !inner.is_empty()
        && !inner.starts_with(char::is_whitespace)
        && !inner.ends_with(char::is_whitespace)
        && !inner.contains('*');
    if !valid {
        return None;
    }
    Some((&s[..open], delim, inner, &s[close + delim.len()..]))
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

/// Sanitises a raw HTML block (scripts, event handlers and unsafe URLs removed).
pub fn sanitize_block(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(None)
        .clean(html)
        .to_string()
}

/// True if a link or image URL is safe to put in an href/src: relative, or an
/// http(s), mailto, tel or file URL. `javascript:` and friends are not.
pub fn is_safe_url(url: &str) -> bool {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = trimmed.to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a slash, ? or # is not a scheme separator.
            if lower[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(
                &lower[..colon],
                "http" | "https" | "mailto" | "tel" | "file"
            )
        }
    }
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
        assert_eq!(split_wiki("[[]] [[ ]]"), vec![Piece::Text("[[]] [[ ]]")]);
        assert_eq!(split_wiki("開き[[だけ"), vec![Piece::Text("開き[[だけ")]);
    }

    #[test]
    fn emphasis_around_japanese_punctuation() {
        let mut out = Vec::new();
        cjk_emphasis("これは**「重要」**です", &mut out);
        assert_eq!(out.len(), 5);
        assert_eq!(out[1], Event::Start(Tag::Strong));
        assert_eq!(out[2], Event::Text("「重要」".into()));
        let mut out = Vec::new();
        cjk_emphasis("5 * 3 = 15 * 1", &mut out);
        assert_eq!(out, vec![Event::Text("5 * 3 = 15 * 1".into())]);
    }

    #[test]
    fn wide_characters() {
        assert!(is_wide('あ') && is_wide('漢') && is_wide('「') && is_wide('，') && is_wide('Ａ'));
        assert!(!is_wide('a') && !is_wide('1') && !is_wide(' '));
    }

    #[test]
    fn unsafe_urls_are_refused() {
        assert!(is_safe_url("../2023/somu.html#n1"));
        assert!(is_safe_url("https://example.jp/"));
        assert!(is_safe_url("mailto:somu@example.jp"));
        assert!(is_safe_url("file://server/share/a.pdf"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url(" JavaScript:alert(1)"));
        assert!(!is_safe_url("java\tscript:alert(1)"));
        assert!(!is_safe_url("data:text/html,<script>"));
        assert!(!is_safe_url("vbscript:x"));
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
