//! The rows of the comparison table as HTML, written in Rust rather than by
//! the template: a comparison page has a row per directive of both documents
//! (thousands on a site, each with a dozen fields), and a Tera loop over them
//! cost more than everything else on the page. The markup is the default
//! theme's; a theme places each group's rows with `{{ g.html | safe }}`.

use super::align::{Change, Row};
use std::fmt::Write as _;

use super::diff::{escape, marked_html};
use super::page::row_anchor;
use crate::model::{AllTexts, Directive, Document};
use crate::parse::escape_attr;

/// What every row of a table shares: the two documents, their texts
/// unpacked, and the escaped beginnings of the links to their directives.
pub struct Table<'a> {
    new: &'a Document,
    old: &'a Document,
    new_texts: AllTexts<'a>,
    old_texts: AllTexts<'a>,
    /// `{root}<new>.html#`, escaped.
    new_href: String,
    /// `{root}<old>.html#`, escaped.
    old_href: String,
}

impl<'a> Table<'a> {
    /// The table of `new` against `old`; `root` leads from the page to the
    /// site root, `new_url` and `old_url` are the documents' root-relative URLs.
    pub fn new(
        new: &'a Document,
        old: &'a Document,
        root: &str,
        new_url: &str,
        old_url: &str,
    ) -> Table<'a> {
        // Escaping is character by character: the escaped beginning followed
        // by the escaped id is the whole link escaped.
        let href = |url: &str| {
            let mut out = String::with_capacity(root.len() + url.len() + 1);
            escape_attr(&mut out, root);
            escape_attr(&mut out, url);
            out.push('#');
            out
        };
        Table {
            new,
            old,
            new_texts: new.texts.all(),
            old_texts: old.texts.all(),
            new_href: href(new_url),
            old_href: href(old_url),
        }
    }

    /// Appends a row (a line ending in a newline): `<tr>` with its id where a
    /// document page links to it, its classes (`d<depth>` below the top
    /// level, `renumbered`), `data-change`, `data-new` and `data-old` (bare
    /// where there is no directive on that side), and a cell per side with
    /// the directive's link, its citation and its marked text.
    pub fn write_row(&self, out: &mut String, r: &Row) {
        let n = r.new.map(|j| &self.new.directives[j as usize]);
        let o = r.old.map(|j| &self.old.directives[j as usize]);
        let new_text = r.new.map_or("", |j| self.new_texts.get(j as usize));
        let old_text = r.old.map_or("", |j| self.old_texts.get(j as usize));
        // Most rows are unchanged: their texts are escaped straight into
        // the row, only a changed pair's marked texts are made first.
        let marked = match (o, n) {
            (Some(_), Some(_)) if r.change == Change::Changed => {
                Some(marked_html(old_text, new_text))
            }
            _ => None,
        };
        let text = |out: &mut String, plain: &str, marked: Option<&String>| match marked {
            Some(html) => out.push_str(html),
            None => escape(out, plain),
        };
        let id = |d: Option<&'a Directive>| d.map_or("", |d| d.id());
        let (new_id, old_id) = (id(n), id(o));
        out.push_str("<tr");
        // Only the rows a document page links to carry an id: in a real
        // series most rows are unchanged, and their ids would repeat data-new.
        if r.change != Change::Same {
            let anchor = row_anchor(n.map(|d| d.id()), o.map(|d| d.id()));
            attribute(out, " id=\"", &anchor);
        }
        let depth = n.or(o).map_or(1, |d| d.depth());
        let renumbered = matches!((n, o), (Some(n), Some(o)) if n.citation() != o.citation());
        match (depth > 1, renumbered) {
            (true, true) => {
                let _ = write!(out, " class=\"d{depth} renumbered\"");
            }
            (true, false) => {
                let _ = write!(out, " class=\"d{depth}\"");
            }
            (false, true) => out.push_str(" class=\"renumbered\""),
            (false, false) => {}
        }
        out.push_str(" data-change=\"");
        out.push_str(r.change.code());
        out.push_str("\" data-new");
        attribute(out, "=\"", new_id);
        out.push_str(" data-old");
        attribute(out, "=\"", old_id);
        out.push_str("><td>");
        match n.filter(|_| !new_id.is_empty()) {
            Some(n) => {
                link(out, &self.new_href, n);
                if r.change == Change::Changed {
                    out.push_str(" <small>変更</small>");
                }
                out.push(' ');
                text(out, new_text, marked.as_ref().map(|(_, new)| new));
            }
            None => out.push_str("（削除）"),
        }
        // The end tags of td, which HTML makes optional, are left out.
        out.push_str("<td>");
        match o.filter(|_| !old_id.is_empty()) {
            Some(o) => {
                link(out, &self.old_href, o);
                out.push(' ');
                text(out, old_text, marked.as_ref().map(|(old, _)| old));
            }
            None => out.push_str("（新設）"),
        }
        out.push_str("</tr>\n");
    }
}

/// `start` + the escaped value + `"`, where the value is not empty.
fn attribute(out: &mut String, start: &str, value: &str) {
    if !value.is_empty() {
        out.push_str(start);
        escape_attr(out, value);
        out.push('"');
    }
}

/// The link to a directive, its citation as the text.
fn link(out: &mut String, href: &str, d: &Directive) {
    link_with(out, href, "", d);
}

/// The link to directive `d` (`href` is the escaped beginning of its URL,
/// up to the `#`), its text `before` (already HTML) and its citation.
pub(super) fn link_with(out: &mut String, href: &str, before: &str, d: &Directive) {
    out.push_str("<a href=\"");
    out.push_str(href);
    escape_attr(out, d.id());
    out.push_str("\">");
    out.push_str(before);
    escape_attr(out, d.citation());
    out.push_str("</a>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::align::align;
    use crate::compare::testing::doc;

    /// The rows of `new` against `old`, as the comparison page of `new`
    /// (`compare/2025/b.html`) writes them.
    fn rows(old: &Document, new: &Document) -> Vec<String> {
        let table = Table::new(new, old, "../../", "2025/b.html", "2024/a.html");
        let mut html = String::new();
        for r in &align(old, new).rows {
            table.write_row(&mut html, r);
        }
        html.lines().map(str::to_string).collect()
    }

    #[test]
    fn rows_carry_their_change_sides_and_links() {
        let old = doc(
            "2024/a",
            2024,
            "1. 研修を行う。\n2. 防災訓練を年2回実施する。\n3. 会議を減らす。\n",
        );
        let new = doc(
            "2025/b",
            2025,
            "1. 研修を行う。\n2. 防災訓練を年3回実施する。\n3. 会議を減らす。\n4. <b>新しい</b>取組を始める。\n",
        );
        let rows = rows(&old, &new);
        assert_eq!(rows.len(), 4, "{rows:#?}");
        // An unchanged row has no id; both sides link to their directive.
        assert_eq!(
            rows[0],
            "<tr data-change=\"same\" data-new=\"n1\" data-old=\"n1\"><td><a href=\"../../2025/b.html#n1\">1.</a> 研修を行う。<td><a href=\"../../2024/a.html#n1\">1.</a> 研修を行う。</tr>"
        );
        // A changed row is marked on both sides, with an id document pages link to.
        assert!(
            rows[1].starts_with("<tr id=\"new-n2\" data-change=\"changed\" data-new=\"n2\" data-old=\"n2\"><td><a href=\"../../2025/b.html#n2\">2.</a> <small>変更</small> "),
            "{}",
            rows[1]
        );
        assert!(rows[1].contains("<ins>3</ins>") && rows[1].contains("<del>2</del>"));
        // A new directive has a bare data-old, its text escaped.
        assert!(
            rows[3]
                .starts_with("<tr id=\"new-n4\" data-change=\"new\" data-new=\"n4\" data-old><td>"),
            "{}",
            rows[3]
        );
        assert!(rows[3].ends_with("<td>（新設）</tr>"), "{}", rows[3]);
        assert!(!rows[3].contains("<b>"), "{}", rows[3]);
    }
}
