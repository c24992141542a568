//! Reading HTML the way a browser does (html5ever's tokenizer, so entities,
//! odd spacing and letter case do not hide anything) to find what a page
//! would load from elsewhere or run: outside resources in a document's raw
//! HTML (SPEC §5) and scripts in HTML attachments.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// A resource a page loads: the element, the attribute and the URL as decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Element name, lower case (`img`).
    pub element: String,
    /// Attribute name (`src`).
    pub attribute: String,
    /// The URL.
    pub url: String,
}

struct Collect(RefCell<Vec<Tag>>);

impl TokenSink for Collect {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(tag) = token {
            if tag.kind == TagKind::StartTag {
                self.0.borrow_mut().push(tag);
            }
        }
        TokenSinkResult::Continue
    }
}

/// Every start tag of an HTML fragment.
fn start_tags(html: &str) -> Vec<Tag> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Collect(RefCell::new(Vec::new())), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// Attributes through which an element loads something into the page.
const LOADING: &[(&str, &str)] = &[
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("script", "src"),
    ("link", "href"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
    ("image", "href"),
    ("use", "href"),
];

/// True if a URL points outside the site: it has a scheme other than `data:`
/// (`https:`, `http:`, `ftp:`, `file:`) or is protocol-relative (`//host/…`).
pub fn is_outside(url: &str) -> bool {
    let u: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_control())
        .collect();
    if u.starts_with("//") || u.starts_with("\\\\") || u.starts_with("/\\") {
        return true;
    }
    match u.find(':') {
        Some(colon) => {
            let scheme = &u[..colon];
            let is_scheme = !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
            is_scheme && !scheme.eq_ignore_ascii_case("data")
        }
        None => false,
    }
}

/// The resources of an HTML fragment that lie outside the site, including
/// `url(…)` in `style` attributes.
pub fn outside_resources(html: &str) -> Vec<Resource> {
    let mut found = Vec::new();
    for tag in start_tags(html) {
        let element = tag.name.to_string();
        for attr in &tag.attrs {
            let name = attr.name.local.to_string();
            let value = attr.value.to_string();
            let loads = LOADING.iter().any(|(e, a)| *e == element && *a == name)
                || (name == "href" && attr.name.prefix.as_deref() == Some("xlink"));
            let urls: Vec<String> = if name == "style" {
                css_urls(&value)
            } else if loads && name == "srcset" {
                value
                    .split(',')
                    .filter_map(|c| c.split_whitespace().next())
                    .map(str::to_string)
                    .collect()
            } else if loads {
                vec![value.clone()]
            } else {
                Vec::new()
            };
            for url in urls.into_iter().filter(|u| is_outside(u)) {
                found.push(Resource {
                    element: element.clone(),
                    attribute: name.clone(),
                    url,
                });
            }
        }
    }
    found
}

/// `url(…)` and `@import "…"` in CSS text.
fn css_urls(css: &str) -> Vec<String> {
    let lower = css.to_ascii_lowercase();
    let mut out = Vec::new();
    for (i, _) in lower.match_indices("url(") {
        let rest = &css[i + 4..];
        let end = rest.find(')').unwrap_or(rest.len());
        out.push(rest[..end].trim().trim_matches(['"', '\'']).to_string());
    }
    for (i, _) in lower.match_indices("@import") {
        let rest = css[i + 7..].trim_start();
        let end = rest.find([';', ' ']).unwrap_or(rest.len());
        out.push(rest[..end].trim_matches(['"', '\'']).to_string());
    }
    out
}

/// The first thing in an HTML page that would run script or pull in another
/// page when opened: a `<script>`, an event handler (`onload=`), a
/// `javascript:` URL, a frame or plug-in, a refresh. None if there is nothing.
pub fn active_content(html: &str) -> Option<String> {
    const ACTIVE_ELEMENTS: &[&str] = &[
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
        "portal",
    ];
    for tag in start_tags(html) {
        let element = tag.name.to_string();
        if ACTIVE_ELEMENTS.contains(&element.as_str()) {
            return Some(format!("a <{element}> element"));
        }
        for attr in &tag.attrs {
            let name = attr.name.local.to_string().to_ascii_lowercase();
            if name.starts_with("on") {
                return Some(format!("an `{name}` attribute on <{element}>"));
            }
            let value: String = attr
                .value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if [
                "javascript:",
                "vbscript:",
                "data:text/html",
                "data:image/svg",
            ]
            .iter()
            .any(|s| value.starts_with(s))
            {
                return Some(format!("a script URL in `{name}` of <{element}>"));
            }
            if element == "meta" && name == "http-equiv" && value.eq_ignore_ascii_case("refresh") {
                return Some("a <meta http-equiv=\"refresh\">".into());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_loads_from_outside() {
        let html = r#"<p><IMG SRC = "https://example.jp/a.png"> <img src="local.png">
<img srcset="x.png 1x, //cdn.example/b.png 2x"><script src=//cdn.example/x.js></script>
<link rel=stylesheet href="http://example.jp/s.css"><div style="background: url('https://e.jp/bg.png')"></div>
<a href="https://example.jp/">a link is fine</a><img src="data:image/png;base64,AAAA"></p>"#;
        let urls: Vec<String> = outside_resources(html).into_iter().map(|r| r.url).collect();
        assert_eq!(
            urls,
            [
                "https://example.jp/a.png",
                "//cdn.example/b.png",
                "//cdn.example/x.js",
                "http://example.jp/s.css",
                "https://e.jp/bg.png"
            ]
        );
    }

    #[test]
    fn entities_do_not_hide_a_script_url() {
        assert!(active_content("<a href=\"&#106;avascript:alert(1)\">x</a>").is_some());
        assert!(active_content("<svg><g/ONLOAD=alert(1)></svg>").is_some());
        assert!(active_content("<SCRIPT>alert(1)</SCRIPT>").is_some());
        assert!(active_content("<iframe src=x>").is_some());
        assert_eq!(
            active_content("<html><head><style>p{color:red}</style></head><body><p onward>本文</p></body></html>"),
            Some("an `onward` attribute on <p>".into())
        );
        assert_eq!(
            active_content(
                "<html><body><h1>別紙</h1><p><a href=\"a.pdf\">PDF</a></p></body></html>"
            ),
            None
        );
    }
}
