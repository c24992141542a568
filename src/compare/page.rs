//! What the comparison page (`compare/<key>.html`) and the marks on document
//! pages and listings show of a comparison. Every URL is relative to the site
//! root, as everywhere in template contexts.

use std::hash::{Hash, Hasher};

use serde::Serialize;

use super::align::{Alignment, Change, Counts};
use super::rows::Table;
use super::site::Comparisons;
use crate::era::display_fiscal_year;
use crate::layout::{self, encode_path};
use crate::model::Document;
use crate::parse::escape_attr;

/// Unchanged rows in a run at least this long are collapsed behind a toggle.
pub const COLLAPSE_MIN: usize = 3;

/// The comparison page of a document: `compare/<key>.html`.
pub fn path(doc: &Document) -> String {
    layout::compare(&doc.key)
}

/// The row of a directive on the comparison page: `new-<id>` or, for a
/// directive only in the old document, `old-<id>`.
pub fn row_anchor(new_id: Option<&str>, old_id: Option<&str>) -> String {
    match (new_id, old_id) {
        (Some(n), _) => format!("new-{n}"),
        (None, Some(o)) => format!("old-{o}"),
        (None, None) => String::new(),
    }
}

/// A document on either side of a comparison.
#[derive(Serialize)]
pub struct SideDoc {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Root-relative URL of its page.
    pub url: String,
    /// Department.
    pub department: String,
    /// 「令和5年度（2023年度）」.
    pub year_display: String,
    /// 「令和5年度」.
    pub era_year: String,
}

impl SideDoc {
    fn of(d: &Document) -> SideDoc {
        SideDoc {
            key: d.key.clone(),
            title: d.title.clone(),
            url: encode_path(&d.url()),
            department: d.meta.department.clone(),
            year_display: display_fiscal_year(d.meta.year),
            era_year: d.meta.era_year(),
        }
    }
}

/// Rows shown together; a collapsible group is a run of unchanged rows.
#[derive(Serialize)]
pub struct RowGroup {
    /// Whether the group is a run of unchanged rows to collapse.
    pub collapsible: bool,
    /// Its id (`same-3`), for the toggle.
    pub id: String,
    /// Its rows as HTML (safe), a `<tr>` line each: see `compare::rows`.
    pub html: String,
}

/// `compare` in `compare.html`.
#[derive(Serialize)]
pub struct CompareContext {
    /// The document (改正後).
    pub new: SideDoc,
    /// Its predecessor (改正前).
    pub old: SideDoc,
    /// 新設 / 変更 / 削除 / 変更なし.
    pub counts: Counts,
    /// The rows, in groups.
    pub groups: Vec<RowGroup>,
}

/// `compare.html`.
#[derive(Serialize)]
pub struct ComparePage {
    /// The comparison.
    pub compare: CompareContext,
}

/// The context of the comparison page of document `i`, if it has a
/// predecessor; `root` leads from the page to the site root.
pub fn context(
    docs: &[Document],
    comparisons: &Comparisons,
    i: usize,
    root: &str,
) -> Option<ComparePage> {
    let c = comparisons.get(i)?;
    let (new, old) = (&docs[i], &docs[c.old]);
    let (new_url, old_url) = (encode_path(&new.url()), encode_path(&old.url()));
    let table = Table::new(new, old, root, &new_url, &old_url);
    let mut groups: Vec<RowGroup> = Vec::new();
    let rows = &c.alignment.rows;
    let mut k = 0;
    while k < rows.len() {
        let run = rows[k..]
            .iter()
            .take_while(|r| r.change == Change::Same)
            .count();
        let take = if run >= COLLAPSE_MIN {
            run
        } else {
            // Up to the next collapsible run.
            let mut end = k + run.max(1);
            while end < rows.len() {
                let r = rows[end..]
                    .iter()
                    .take_while(|r| r.change == Change::Same)
                    .count();
                if r >= COLLAPSE_MIN {
                    break;
                }
                end += r.max(1);
            }
            end - k
        };
        let mut html = String::new();
        for r in &rows[k..k + take] {
            table.write_row(&mut html, r);
        }
        groups.push(RowGroup {
            collapsible: run >= COLLAPSE_MIN,
            id: format!("rows-{}", groups.len() + 1),
            html,
        });
        k += take;
    }
    Some(ComparePage {
        compare: CompareContext {
            new: SideDoc::of(new),
            old: SideDoc::of(old),
            counts: c.alignment.counts(),
            groups,
        },
    })
}

/// A document page's link to its comparison, and the counts.
#[derive(Serialize, Clone, PartialEq, Eq, Hash)]
pub struct ChangeSummary {
    /// Root-relative URL of the comparison page.
    pub url: String,
    /// Key of the predecessor.
    pub previous_key: String,
    /// Title of the predecessor.
    pub previous_title: String,
    /// Root-relative URL of the predecessor.
    pub previous_url: String,
    /// 「令和5年度（2023年度）」 of the predecessor.
    pub previous_year: String,
    /// 新設 / 変更 / 削除 / 変更なし.
    pub counts: Counts,
}

/// The comparison of document `i` in a few words, for its page and listings.
pub fn summary(docs: &[Document], comparisons: &Comparisons, i: usize) -> Option<ChangeSummary> {
    let c = comparisons.get(i)?;
    let old = &docs[c.old];
    Some(ChangeSummary {
        url: encode_path(&path(&docs[i])),
        previous_key: old.key.clone(),
        previous_title: old.title.clone(),
        previous_url: encode_path(&old.url()),
        previous_year: display_fiscal_year(old.meta.year),
        counts: c.alignment.counts(),
    })
}

/// The document that follows document `i`, for its page.
#[derive(Serialize, Clone, PartialEq, Eq, Hash)]
pub struct Successor {
    /// Root-relative URL of its page.
    pub url: String,
    /// Title.
    pub title: String,
    /// 「令和6年度（2024年度）」.
    pub year: String,
    /// Root-relative URL of its comparison with document `i`.
    pub compare_url: String,
}

/// The successor of document `i`.
pub fn successor(docs: &[Document], comparisons: &Comparisons, i: usize) -> Option<Successor> {
    let (s, _) = comparisons.next_of(i)?;
    let d = &docs[s];
    Some(Successor {
        url: encode_path(&d.url()),
        title: d.title.clone(),
        year: display_fiscal_year(d.meta.year),
        compare_url: encode_path(&path(d)),
    })
}

/// The year-over-year marks of one document page's directives: a quiet 新設
/// or 変更 badge linking to the directive's row of the comparison, and the
/// link to its continuation next year (「次年度」) or the note that it was
/// dropped. What the marks of every directive share (the escaped beginnings
/// of their links) is made once per page: a page has hundreds of directives.
pub struct DirectiveMarks<'a> {
    doc: &'a Document,
    /// The comparison with the predecessor, and `{root}compare/<key>.html#new-`, escaped.
    badges: Option<(&'a Alignment, String)>,
    /// The successor, its comparison with this document, and the escaped
    /// beginnings of the continuation's link (`{root}<next>.html#`) and of the
    /// dropped note's (`{root}compare/<next>.html#old-`).
    next: Option<(&'a Document, &'a Alignment, String, String)>,
}

impl<'a> DirectiveMarks<'a> {
    /// The marks of document `di`'s page; `root` leads from that page to the site root.
    pub fn new(
        docs: &'a [Document],
        comparisons: &'a Comparisons,
        di: usize,
        root: &str,
    ) -> DirectiveMarks<'a> {
        let doc = &docs[di];
        // Escaping is character by character, so an escaped beginning
        // followed by the escaped rest is the whole link escaped.
        let escaped = |url: String| {
            let mut out = String::with_capacity(url.len() + 8);
            escape_attr(&mut out, &url);
            out
        };
        let badges = comparisons.get(di).map(|c| {
            let start = format!(
                "{root}{}#{}",
                encode_path(&path(doc)),
                row_anchor(Some(""), None)
            );
            (&c.alignment, escaped(start))
        });
        let next = comparisons.next_of(di).map(|(s, c)| {
            let next = &docs[s];
            let continued = format!("{root}{}#", encode_path(&next.url()));
            let dropped = format!(
                "{root}{}#{}",
                encode_path(&path(next)),
                row_anchor(None, Some(""))
            );
            (next, &c.alignment, escaped(continued), escaped(dropped))
        });
        DirectiveMarks { doc, badges, next }
    }

    /// Appends the marks of directive `n` (nothing when it has none).
    pub fn write(&self, out: &mut String, n: usize) {
        let Some(d) = self.doc.directives.get(n) else {
            return;
        };
        let start = out.len();
        out.push_str("<span class=\"yoy\">");
        let opened = out.len();
        if let Some((alignment, href)) = &self.badges {
            let change = alignment.change_of_new.get(n).copied();
            if let Some(change @ (Change::New | Change::Changed)) = change {
                // The explanation (「前年度にはない新設の項目…」) is the badge's
                // title, added by hoshin.js: on every badge of every page it
                // was most of the badge's bytes.
                out.push_str("<a class=\"yoy-badge yoy-");
                out.push_str(change.code());
                out.push_str("\" href=\"");
                out.push_str(href);
                escape_attr(out, d.id());
                out.push_str("\">");
                out.push_str(change.label());
                out.push_str("</a>");
            }
        }
        // The continuation is a plain link in the marks (styled as
        // `.yoy > a:not(.yoy-badge)`); its text says which directive it is, and
        // the page's header names next year's document.
        if let Some((next, alignment, continued, dropped)) = &self.next {
            match alignment.new_of_old.get(n).copied().flatten() {
                Some(j) => {
                    super::rows::link_with(out, continued, "次年度 ", &next.directives[j as usize])
                }
                None => {
                    out.push_str("<a class=\"yoy-dropped\" href=\"");
                    out.push_str(dropped);
                    escape_attr(out, d.id());
                    out.push_str("\">次年度に削除</a>");
                }
            }
        }
        if out.len() == opened {
            out.truncate(start);
        } else {
            out.push_str("</span>");
        }
    }
}

/// Hashes everything of the comparisons that the page of document `i` shows:
/// its link to its comparison, the badges of its directives, its successor and
/// each directive's continuation there. (The watch fingerprints use it.)
pub fn hash_marks(docs: &[Document], comparisons: &Comparisons, i: usize, h: &mut impl Hasher) {
    summary(docs, comparisons, i).hash(h);
    successor(docs, comparisons, i).hash(h);
    comparisons
        .get(i)
        .map(|c| &c.alignment.change_of_new)
        .hash(h);
    if let Some((s, c)) = comparisons.next_of(i) {
        let next = &docs[s];
        (&next.key, &next.meta.department, next.meta.year).hash(h);
        for j in &c.alignment.new_of_old {
            j.map(|j| {
                (
                    next.directives[j as usize].id(),
                    next.directives[j as usize].citation(),
                )
            })
            .hash(h);
        }
    }
}
