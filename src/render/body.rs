//! Fills the placeholders parse left in a document's HTML: references
//! (`\0R{n}\0`) become links with their labels, backlinks (`\0B{n}\0`) become
//! a compact list of who cites the directive.

use std::fmt::Write as _;

use crate::link::{Citer, Links, Target};
use crate::model::{Document, ReferenceKind};
use crate::parse::escape_attr;

use crate::layout::{encode_path, root_of};

/// The document's body HTML, references and backlinks filled in.
pub fn fill(docs: &[Document], links: &Links, di: usize) -> String {
    let doc = &docs[di];
    let root = root_of(&doc.url());
    let html = &doc.body_html;
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut parts = html.split('\0');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    while let Some(code) = parts.next() {
        let after = parts.next().unwrap_or("");
        let (tag, n) = code.split_at(code.len().min(1));
        let n: usize = n.parse().unwrap_or(usize::MAX);
        match tag {
            "R" => reference(&mut out, docs, links, di, n, &root),
            "B" => {
                if let Some(citers) = links.directive_backlinks.get(di).and_then(|b| b.get(n)) {
                    backlinks(&mut out, docs, citers, di, &root);
                }
            }
            _ => {}
        }
        out.push_str(after);
    }
    out
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
        let d = &docs[t.doc].directives[i];
        out.push_str("\" title=\"");
        escape_attr(
            out,
            &crate::parse::shorten(&d.text.replace('\n', " "), PREVIEW_CHARS),
        );
    }
}

fn backlinks(out: &mut String, docs: &[Document], citers: &[Citer], di: usize, root: &str) {
    if citers.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details class=\"backlinks\"><summary title=\"この項目を参照している箇所\">被参照 {}件</summary><ul>",
        citers.len()
    );
    for c in citers {
        let (label, anchor) = citer_label(docs, c);
        out.push_str("<li><a href=\"");
        escape_attr(out, &href(docs, di, root, c.doc, anchor.as_deref()));
        out.push_str("\">");
        escape_attr(out, &label);
        out.push_str("</a> <span class=\"bl-title\">");
        escape_attr(out, &docs[c.doc].title);
        out.push_str("</span></li>");
    }
    out.push_str("</ul></details>\n");
}

/// How a citing place is named: its directive's label, or its document's department and year.
pub fn citer_label(docs: &[Document], c: &Citer) -> (String, Option<String>) {
    let d = &docs[c.doc];
    match c.directive {
        Some(i) => (d.label(&d.directives[i]), Some(d.directives[i].id.clone())),
        None => (
            format!("{}（{}）", d.meta.department, d.meta.era_year()),
            None,
        ),
    }
}
