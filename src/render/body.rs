//! A document's body as HTML: parse's segments written out, with the slots
//! filled in. References become links with their labels, directive tools a
//! permalink and a copy button, backlinks a compact list of who cites the
//! directive.

use std::fmt::Write as _;

use crate::layout::{encode_path, root_of};
use crate::link::{Citer, Links, Target};
use crate::model::{Document, ReferenceKind, Segment, Slot};
use crate::parse::escape_attr;

/// The document's body HTML, every slot filled in; `marks` adds what a
/// directive shows after its tools (its year-over-year marks), given the
/// output and the directive.
pub fn fill(
    docs: &[Document],
    links: &Links,
    di: usize,
    marks: &dyn Fn(&mut String, usize),
) -> String {
    let doc = &docs[di];
    let root = root_of(&doc.url());
    let html_len = doc.body.html_len();
    let mut out = String::with_capacity(html_len + html_len / 8);
    for segment in doc.body.read().segments() {
        match segment {
            Segment::Html(h) => out.push_str(h),
            // The permalink and copy button are added here by hoshin.js
            // (the same markup on every directive of every page was a sixth
            // of a document page); the label and the `[[…]]` markup come
            // from `data-cite` and the article's data-label-prefix and
            // data-ref-prefix.
            // The year-over-year marks stay in the page (they differ per
            // directive and must work without script).
            Segment::Slot(Slot::Tools(d)) => marks(&mut out, d),
            Segment::Slot(Slot::Reference(n)) => reference(&mut out, docs, links, di, n, &root),
            Segment::Slot(Slot::ReferenceText(n)) => reference_text(&mut out, docs, links, di, n),
            Segment::Slot(Slot::Backlinks(d)) => {
                if let Some(citers) = links.directive_backlinks.get(di).and_then(|b| b.get(d)) {
                    backlinks(&mut out, docs, citers, di, &root);
                }
            }
        }
    }
    out
}

/// The text a `[[…]]` shows, escaped for an attribute (an image's alt text);
/// a Markdown link has none of its own.
fn reference_text(out: &mut String, docs: &[Document], links: &Links, di: usize, n: usize) {
    let Some(raw) = docs[di].references.get(n) else {
        return;
    };
    let target = links
        .targets
        .get(di)
        .and_then(|t| t.get(n))
        .and_then(Option::as_ref);
    if let ReferenceKind::Wiki { text } = &raw.kind {
        let label = match (text, target) {
            (Some(t), _) => t.clone(),
            (None, Some(t)) => target_label(docs, t),
            (None, None) => raw.target.clone(),
        };
        escape_attr(out, &label);
    }
}

/// href from a page of document `from` to a target.
pub fn href(
    docs: &[Document],
    from: usize,
    root: &str,
    doc: usize,
    anchor: Option<&str>,
) -> String {
    let mut s = if doc == from && anchor.is_some() {
        String::new()
    } else {
        format!("{root}{}", encode_path(&docs[doc].url()))
    };
    if let Some(a) = anchor {
        s.push('#');
        s.push_str(&encode_path(a));
    }
    s
}

/// Link text for a target: the directive's label, or the document's title.
pub fn target_label(docs: &[Document], t: &Target) -> String {
    let d = &docs[t.doc];
    match t.directive {
        Some(i) => d.label(&d.directives[i]),
        None => d.title.clone(),
    }
}

fn reference(out: &mut String, docs: &[Document], links: &Links, di: usize, n: usize, root: &str) {
    let doc = &docs[di];
    let Some(raw) = doc.references.get(n) else {
        return;
    };
    let target = links
        .targets
        .get(di)
        .and_then(|t| t.get(n))
        .and_then(Option::as_ref);
    match (target, &raw.kind) {
        (Some(t), ReferenceKind::Wiki { text }) => {
            out.push_str("<a class=\"ref\" href=\"");
            escape_attr(out, &href(docs, di, root, t.doc, t.anchor.as_deref()));
            push_preview(out, docs, t);
            out.push_str("\">");
            let label = text.clone().unwrap_or_else(|| target_label(docs, t));
            escape_attr(out, &label);
            out.push_str("</a>");
        }
        (Some(t), ReferenceKind::MarkdownLink) => {
            out.push_str("<a class=\"ref\" href=\"");
            escape_attr(out, &href(docs, di, root, t.doc, t.anchor.as_deref()));
            push_preview(out, docs, t);
            out.push_str("\">");
        }
        (None, ReferenceKind::Wiki { text }) => {
            out.push_str("<span class=\"ref broken\">");
            escape_attr(out, text.as_deref().unwrap_or(&raw.target));
            out.push_str("</span>");
        }
        (None, ReferenceKind::MarkdownLink) => out.push_str("<a class=\"ref broken\">"),
    }
}

/// How much of a cited directive a reference's tooltip shows.
pub const PREVIEW_CHARS: usize = 80;

/// A tooltip with the opening of the cited directive, so a reader sees what
/// is cited without leaving the page.
fn push_preview(out: &mut String, docs: &[Document], t: &Target) {
    if let Some(i) = t.directive {
        // Only the block of texts that holds it is unpacked.
        let text = docs[t.doc].texts.one(i);
        out.push_str("\" title=\"");
        // Shortened first, then line breaks made spaces (one character for
        // one, so the cut is the same): the whole text is not copied.
        let (kept, cut) = crate::parse::shortened(&text, PREVIEW_CHARS);
        for (k, line) in kept.split('\n').enumerate() {
            if k > 0 {
                out.push(' ');
            }
            escape_attr(out, line);
        }
        if cut {
            out.push('…');
        }
    }
}

/// A directive's backlinks: each citing place by its label (「総務部（令和6年度）
/// 1.(1)」 names the document; its title, repeated under every cited directive,
/// is on the page the link opens). The summary's tooltip is added by hoshin.js.
fn backlinks(out: &mut String, docs: &[Document], citers: &[Citer], di: usize, root: &str) {
    if citers.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details class=\"backlinks\"><summary>被参照 {}件</summary><ul>",
        citers.len()
    );
    for c in citers {
        let (label, anchor) = citer_label(docs, c);
        out.push_str("<li><a href=\"");
        escape_attr(out, &href(docs, di, root, c.doc, anchor.as_deref()));
        out.push_str("\">");
        escape_attr(out, &label);
        out.push_str("</a></li>");
    }
    out.push_str("</ul></details>\n");
}

/// How a citing place is named: its directive's label, or its document's department and year.
pub fn citer_label(docs: &[Document], c: &Citer) -> (String, Option<String>) {
    let d = &docs[c.doc];
    match c.directive {
        Some(i) => (
            d.label(&d.directives[i]),
            Some(d.directives[i].id().to_string()),
        ),
        None => (
            format!("{}（{}）", d.meta.department, d.meta.era_year()),
            None,
        ),
    }
}
