//! Render: the linked site → HTML pages (Tera), `directives.json` and static
//! files, as a list of files to write. Every page is independent, so pages
//! render in parallel and a rebuild can render just the pages it needs.

pub mod body;
mod context;
pub mod deps;
pub mod json;
pub mod theme;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::compare::{self, Comparisons};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::layout::{self, OutputFile};
use crate::link::Links;
use crate::model::Document;
pub use context::*;
pub use theme::Theme;

/// How much of a directive the directive index shows.
pub const OPENING_TEXT_CHARS: usize = 60;
// The directive index shortens a directive's heading, which parse keeps only
// so far (see `model::HEADING_CHARS`).
const _: () = assert!(OPENING_TEXT_CHARS < crate::model::HEADING_CHARS);

/// Above this many directives, the directive index is split into one page per year.
pub const DIRECTIVE_INDEX_SPLIT: usize = 2000;

/// How many pages a full build renders between handing freed memory back.
const RENDER_GROUP: usize = 2048;

/// The parts of a built site that pages are rendered from, with the
/// groupings listings need computed once.
pub struct SiteView<'a> {
    /// Configuration.
    pub config: &'a Config,
    /// Documents, sorted by key.
    pub docs: &'a [Document],
    /// Resolved references and backlinks.
    pub links: &'a Links,
    /// Each document against its predecessor.
    pub comparisons: &'a Comparisons,
    /// Document indexes by fiscal year.
    by_year: BTreeMap<i32, Vec<usize>>,
    /// Document indexes by department.
    by_department: BTreeMap<&'a str, Vec<usize>>,
}

/// A generated page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Page {
    /// `index.html`.
    Index,
    /// `<key>.html`.
    Document(usize),
    /// `years/<year>.html`.
    Year(i32),
    /// `departments/<slug>.html`.
    Department(String),
    /// `directives.html`.
    Directives,
    /// `directives/<year>.html`.
    DirectivesYear(i32),
    /// `search.html`.
    Search,
    /// `404.html`.
    NotFound,
    /// `compare/<key>.html`: the 新旧対照表 of a document with a predecessor.
    Compare(usize),
}

impl<'a> SiteView<'a> {
    /// A view over a linked site.
    pub fn new(
        config: &'a Config,
        docs: &'a [Document],
        links: &'a Links,
        comparisons: &'a Comparisons,
    ) -> Self {
        let mut by_year: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
        let mut by_department: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, d) in docs.iter().enumerate() {
            by_year.entry(d.meta.year).or_default().push(i);
            by_department.entry(&d.meta.department).or_default().push(i);
        }
        SiteView {
            config,
            docs,
            links,
            comparisons,
            by_year,
            by_department,
        }
    }

    /// Fiscal years with documents, newest first.
    pub fn years(&self) -> Vec<i32> {
        self.by_year.keys().rev().copied().collect()
    }

    /// Department names with documents, sorted.
    pub fn departments(&self) -> Vec<&'a str> {
        self.by_department.keys().copied().collect()
    }

    /// Documents of a year.
    pub fn year_docs(&self, year: i32) -> &[usize] {
        self.by_year.get(&year).map_or(&[], Vec::as_slice)
    }

    /// Documents of a department.
    pub fn department_docs(&self, department: &str) -> &[usize] {
        self.by_department
            .get(department)
            .map_or(&[], Vec::as_slice)
    }

    /// Directives in the documents of a year.
    pub fn year_directive_count(&self, year: i32) -> usize {
        self.year_docs(year)
            .iter()
            .map(|&i| self.docs[i].directives.len())
            .sum()
    }

    /// Total number of directives.
    pub fn directive_count(&self) -> usize {
        self.docs.iter().map(|d| d.directives.len()).sum()
    }

    /// Every page of the site.
    pub fn pages(&self) -> Vec<Page> {
        let mut pages = vec![Page::Index, Page::Directives, Page::Search, Page::NotFound];
        pages.extend((0..self.docs.len()).map(Page::Document));
        pages.extend(
            (0..self.docs.len())
                .filter(|&i| self.comparisons.get(i).is_some())
                .map(Page::Compare),
        );
        pages.extend(self.years().into_iter().map(Page::Year));
        pages.extend(self.years().into_iter().map(Page::DirectivesYear));
        pages.extend(
            self.departments()
                .into_iter()
                .map(|d| Page::Department(d.to_string())),
        );
        pages
    }

    /// Output path of a page.
    pub fn path(&self, page: &Page) -> String {
        match page {
            Page::Index => layout::INDEX.into(),
            Page::Document(i) => self.docs[*i].url(),
            Page::Year(y) => layout::year(*y),
            Page::Department(name) => layout::department(&self.config.department_slug(name)),
            Page::Directives => layout::DIRECTIVES.into(),
            Page::DirectivesYear(y) => layout::directives_year(*y),
            Page::Search => layout::SEARCH.into(),
            Page::NotFound => layout::NOT_FOUND.into(),
            Page::Compare(i) => layout::compare(&self.docs[*i].key),
        }
    }

    /// Renders one page.
    pub fn render(&self, theme: &Theme, page: &Page) -> Result<OutputFile, Diagnostic> {
        let path = self.path(page);
        let root = layout::root_of(&path);
        let (template, ctx) = match page {
            Page::Index => (
                "index.html",
                self.context(&root, Vec::new(), &self.index_context()),
            ),
            Page::Document(i) => {
                let doc = &self.docs[*i];
                let crumbs = vec![
                    Crumb::link("ホーム", layout::INDEX),
                    Crumb::link(&doc.meta.era_year(), &layout::year(doc.meta.year)),
                    Crumb::link(
                        &doc.meta.department,
                        &self.path(&Page::Department(doc.meta.department.clone())),
                    ),
                    Crumb::here(&doc.title),
                ];
                (
                    "document.html",
                    self.context(&root, crumbs, &self.document_context(*i)),
                )
            }
            Page::Year(y) => {
                let heading = crate::era::display_fiscal_year(*y);
                let listing = self.listing(
                    heading.clone(),
                    self.year_docs(*y),
                    Some(layout::directives_year(*y)),
                );
                let crumbs = vec![Crumb::link("ホーム", layout::INDEX), Crumb::here(&heading)];
                ("listing.html", self.context(&root, crumbs, &listing))
            }
            Page::Department(name) => {
                let mut docs = self.department_docs(name).to_vec();
                docs.sort_by_key(|&i| std::cmp::Reverse(self.docs[i].meta.year));
                let listing = self.listing(name.clone(), &docs, None);
                let crumbs = vec![Crumb::link("ホーム", layout::INDEX), Crumb::here(name)];
                ("listing.html", self.context(&root, crumbs, &listing))
            }
            Page::Directives => {
                let crumbs = vec![
                    Crumb::link("ホーム", layout::INDEX),
                    Crumb::here("指示事項一覧"),
                ];
                (
                    "directives.html",
                    self.context(&root, crumbs, &self.directives_context(None, &root)),
                )
            }
            Page::DirectivesYear(y) => {
                let crumbs = vec![
                    Crumb::link("ホーム", layout::INDEX),
                    Crumb::link("指示事項一覧", layout::DIRECTIVES),
                    Crumb::here(&crate::era::display_fiscal_year(*y)),
                ];
                (
                    "directives.html",
                    self.context(&root, crumbs, &self.directives_context(Some(*y), &root)),
                )
            }
            Page::Search => {
                let crumbs = vec![Crumb::link("ホーム", layout::INDEX), Crumb::here("検索")];
                (
                    "search.html",
                    self.context(
                        &root,
                        crumbs,
                        &SearchPage {
                            years: self.years(),
                            departments: self.departments(),
                            scripts: if self.config.search_enabled {
                                &crate::search::PAGE_SCRIPTS
                            } else {
                                &[]
                            },
                        },
                    ),
                )
            }
            Page::NotFound => (
                "404.html",
                self.context(&root, Vec::new(), &serde_json::json!({})),
            ),
            Page::Compare(i) => {
                let doc = &self.docs[*i];
                let crumbs = vec![
                    Crumb::link("ホーム", "index.html"),
                    Crumb::link(
                        &doc.meta.department,
                        &self.path(&Page::Department(doc.meta.department.clone())),
                    ),
                    Crumb::link(&doc.title, &layout::encode_path(&doc.url())),
                    Crumb::here("新旧対照表"),
                ];
                let page = compare::page::context(self.docs, self.comparisons, *i, &root)
                    .ok_or_else(|| Diagnostic::error(format!("{path}: no predecessor")))?;
                ("compare.html", self.context(&root, crumbs, &page))
            }
        };
        let ctx = ctx.map_err(|e| Diagnostic::error(format!("cannot prepare {path}: {e}")))?;
        // render_to a byte buffer: no second pass to validate the page as UTF-8.
        let mut html = Vec::with_capacity(64 * 1024);
        theme
            .tera
            .render_to(template, &ctx, &mut html)
            .map_err(|e| {
                Diagnostic::error(format!(
                    "template {template} failed for {path}: {}",
                    theme::tera_error_text(&e)
                ))
            })?;
        Ok(OutputFile { path, bytes: html })
    }

    fn context<T: Serialize>(
        &self,
        root: &str,
        breadcrumbs: Vec<Crumb>,
        page: &T,
    ) -> Result<Context, String> {
        let mut ctx = Context::from_serialize(page).map_err(|e| e.to_string())?;
        ctx.insert(
            "site",
            &SiteContext {
                title: &self.config.title,
                language: &self.config.language,
            },
        );
        ctx.insert("root", root);
        ctx.insert("breadcrumbs", &breadcrumbs);
        Ok(ctx)
    }

    /// Renders every page in parallel and hands each file to `sink` as soon as
    /// it is ready (a full build writes it straight away), then the JSON index
    /// (to `open`ed writers) and the static files. Returns the problems.
    pub fn render_each(
        &self,
        theme: &Theme,
        sink: &(dyn Fn(OutputFile) -> std::io::Result<()> + Sync),
        json_writer: &mut dyn std::io::Write,
    ) -> Vec<Diagnostic> {
        let io_error =
            |path: &str, e: std::io::Error| Diagnostic::error(format!("cannot write {path}: {e}"));
        // The pages are rendered 2,048 at a time, and the pages freed after
        // each group handed back (see `memory::return_freed`): the
        // allocator otherwise holds what rendering freed for seconds, and
        // at 5,000 policies that was 10–40 MB on top of render's ~285 MB
        // (BENCHMARKS.md, issue 11, eighth round).
        let mut errors: Vec<Diagnostic> = Vec::new();
        for pages in self.pages().chunks(RENDER_GROUP) {
            errors.extend(
                pages
                    .par_iter()
                    .filter_map(|p| match self.render(theme, p) {
                        Ok(f) => {
                            let path = f.path.clone();
                            sink(f).err().map(|e| io_error(&path, e))
                        }
                        Err(e) => Some(e),
                    })
                    .collect::<Vec<_>>(),
            );
            crate::memory::return_freed();
        }
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, json_writer);
        if let Err(e) = json::write_directives_json(self, &mut buffered)
            .and_then(|_| std::io::Write::flush(&mut buffered))
        {
            errors.push(io_error(layout::DIRECTIVES_JSON, e));
        }
        for (p, b) in &theme.static_files {
            if let Err(e) = sink(OutputFile {
                path: p.clone(),
                bytes: b.clone(),
            }) {
                errors.push(io_error(p, e));
            }
        }
        errors
    }

    /// Documents grouped by year then department (for the home page).
    fn index_context(&self) -> IndexPage {
        let years = self
            .by_year
            .iter()
            .rev()
            .map(|(&year, docs)| {
                let mut docs = docs.clone();
                docs.sort_by(|&a, &b| {
                    self.docs[a]
                        .meta
                        .department
                        .cmp(&self.docs[b].meta.department)
                });
                YearGroup {
                    year,
                    label: crate::era::display_fiscal_year(year),
                    url: layout::year(year),
                    documents: docs.iter().map(|&i| self.summary(i)).collect(),
                }
            })
            .collect();
        let departments = self
            .departments()
            .into_iter()
            .map(|name| DepartmentLink {
                name: name.to_string(),
                url: self.path(&Page::Department(name.to_string())),
                count: self.department_docs(name).len(),
            })
            .collect();
        let example_citation = self
            .docs
            .iter()
            .find_map(|d| {
                d.directives
                    .iter()
                    .find(|x| x.depth() >= 3)
                    .or(d.directives.first())
                    .map(|x| d.label(x))
            })
            .unwrap_or_else(|| "総務部（令和5年度）1.(3)⑥".to_string());
        IndexPage {
            years,
            departments,
            directive_count: self.directive_count(),
            example_citation,
        }
    }

    /// The row of a document in listings.
    pub fn summary(&self, i: usize) -> DocSummary {
        let d = &self.docs[i];
        DocSummary {
            key: d.key.clone(),
            title: d.title.clone(),
            url: layout::encode_path(&d.url()),
            year: d.meta.year,
            year_label: crate::era::display_fiscal_year(d.meta.year),
            department: d.meta.department.clone(),
            department_url: self.path(&Page::Department(d.meta.department.clone())),
            author: d.meta.author.clone(),
            status: d.meta.status,
            directive_count: d.directives.len(),
            changes: compare::page::summary(self.docs, self.comparisons, i),
        }
    }

    fn listing(
        &self,
        heading: String,
        docs: &[usize],
        directives_url: Option<String>,
    ) -> ListingPage {
        let directives_url =
            directives_url.filter(|_| self.directive_count() > DIRECTIVE_INDEX_SPLIT);
        ListingPage {
            heading,
            documents: docs.iter().map(|&i| self.summary(i)).collect(),
            directives_url,
        }
    }

    fn document_context(&self, i: usize) -> DocumentPage {
        let d = &self.docs[i];
        let backlinks = self.links.document_backlinks[i]
            .iter()
            .map(|c| {
                let (label, anchor) = body::citer_label(self.docs, c);
                let mut url = layout::encode_path(&self.docs[c.doc].url());
                if let Some(a) = anchor {
                    url = format!("{url}#{a}");
                }
                LinkItem {
                    url,
                    label,
                    title: self.docs[c.doc].title.clone(),
                }
            })
            .collect();
        let mut other_years: Vec<(i32, LinkItem)> = self
            .department_docs(&d.meta.department)
            .iter()
            .filter(|&&j| j != i)
            .map(|&j| &self.docs[j])
            .map(|o| {
                (
                    o.meta.year,
                    LinkItem {
                        url: layout::encode_path(&o.url()),
                        label: crate::era::display_fiscal_year(o.meta.year),
                        title: o.title.clone(),
                    },
                )
            })
            .collect();
        other_years.sort_by_key(|(y, _)| std::cmp::Reverse(*y));
        let marks = compare::page::DirectiveMarks::new(
            self.docs,
            self.comparisons,
            i,
            &layout::root_of(&d.url()),
        );
        DocumentPage {
            doc: DocumentContext {
                key: d.key.clone(),
                title: d.title.clone(),
                year: d.meta.year,
                year_display: crate::era::display_fiscal_year(d.meta.year),
                era_year: d.meta.era_year(),
                year_url: layout::year(d.meta.year),
                department: d.meta.department.clone(),
                department_url: self.path(&Page::Department(d.meta.department.clone())),
                author: d.meta.author.clone(),
                date_iso: d.meta.date.map(|x| x.iso()),
                date_ja: d.meta.date.map(|x| x.japanese()),
                audience: d.meta.audience.clone(),
                status: d.meta.status,
                tags: d.meta.tags.clone(),
                extra: d.meta.extra.clone(),
                toc: d.toc.clone(),
                body: body::fill(self.docs, self.links, i, &|out, n| marks.write(out, n)),
                changes: compare::page::summary(self.docs, self.comparisons, i),
                successor: compare::page::successor(self.docs, self.comparisons, i),
                backlinks,
                other_years: other_years.into_iter().map(|(_, l)| l).collect(),
                source: d.source.display_path.clone(),
            },
        }
    }

    fn directives_context(&self, year: Option<i32>, root: &str) -> DirectivesPage {
        let total = self.directive_count();
        let split = total > DIRECTIVE_INDEX_SPLIT;
        let year_pages = if split && year.is_none() {
            self.years()
                .into_iter()
                .map(|y| YearCount {
                    label: crate::era::display_fiscal_year(y),
                    url: layout::directives_year(y),
                    count: self.year_directive_count(y),
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut order: Vec<usize> = match year {
            Some(y) => self.year_docs(y).to_vec(),
            None if split => Vec::new(),
            None => (0..self.docs.len()).collect(),
        };
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.docs[a].meta, &self.docs[b].meta);
            y.year
                .cmp(&x.year)
                .then_with(|| x.department.cmp(&y.department))
        });
        // The rows are written here rather than by the template: a large
        // site has 300,000 of them (see `DirectiveGroup::html`).
        let root = escaped(root);
        let groups = order
            .into_iter()
            .map(|i| {
                let d = &self.docs[i];
                let url = layout::encode_path(&d.url());
                let mut href = root.clone();
                crate::parse::escape_attr(&mut href, &url);
                href.push('#');
                let mut html = String::with_capacity(d.directives.len() * 200);
                let texts = d.texts.all();
                for (k, x) in d.directives.iter().enumerate() {
                    html.push_str("<tr");
                    if x.depth() > 1 {
                        let _ = write!(html, " class=\"d{}\"", x.depth());
                    }
                    html.push_str("><th><a href=\"");
                    html.push_str(&href);
                    crate::parse::escape_attr(&mut html, x.id());
                    html.push_str("\">");
                    crate::parse::escape_attr(&mut html, x.citation());
                    // The end tags of th, td and tr, which HTML makes
                    // optional, are left out.
                    html.push_str("</a><td>");
                    let full = texts.get(k);
                    let text = match x.heading(full) {
                        "" => full,
                        heading => heading,
                    };
                    let (kept, cut) = crate::parse::shortened(text, OPENING_TEXT_CHARS);
                    crate::parse::escape_attr(&mut html, kept);
                    if cut {
                        html.push('…');
                    }
                    html.push('\n');
                }
                DirectiveGroup {
                    url,
                    department: d.meta.department.clone(),
                    era_year: d.meta.era_year(),
                    title: d.title.clone(),
                    html,
                }
            })
            .collect();
        let heading = match year {
            Some(y) => format!("指示事項一覧（{}）", crate::era::display_fiscal_year(y)),
            None => "指示事項一覧".to_string(),
        };
        let total = match year {
            Some(y) => self.year_directive_count(y),
            None => total,
        };
        DirectivesPage {
            heading,
            total,
            year_pages,
            groups,
        }
    }
}

/// `s` escaped for HTML.
fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::parse::escape_attr(&mut out, s);
    out
}
