//! What templates see: one serialisable struct per page kind. Theme authors
//! rely on these names; README documents them.

use serde::Serialize;

use crate::compare::page::{ChangeSummary, Successor};
use crate::model::{Status, TocEntry};

/// `site` in every template.
#[derive(Serialize)]
pub struct SiteContext<'a> {
    /// Site title.
    pub title: &'a str,
    /// `lang` of the pages.
    pub language: &'a str,
}

/// One step of the breadcrumbs (`url` empty for the current page).
#[derive(Serialize)]
pub struct Crumb {
    /// Shown text.
    pub name: String,
    /// Root-relative URL, empty for the current page.
    pub url: String,
}

impl Crumb {
    /// A step that links.
    pub fn link(name: &str, url: &str) -> Crumb {
        Crumb {
            name: name.to_string(),
            url: url.to_string(),
        }
    }
    /// The current page.
    pub fn here(name: &str) -> Crumb {
        Crumb {
            name: name.to_string(),
            url: String::new(),
        }
    }
}

/// A document in listings.
#[derive(Serialize, Clone)]
pub struct DocSummary {
    /// Document key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Root-relative URL.
    pub url: String,
    /// Fiscal year.
    pub year: i32,
    /// 「令和5年度（2023年度）」.
    pub year_label: String,
    /// Department.
    pub department: String,
    /// URL of the department's listing.
    pub department_url: String,
    /// Author.
    pub author: String,
    /// Status.
    pub status: Status,
    /// Number of directives.
    pub directive_count: usize,
    /// Its comparison with its predecessor: the page and the counts.
    pub changes: Option<ChangeSummary>,
}

/// Documents of one year on the home page.
#[derive(Serialize)]
pub struct YearGroup {
    /// Fiscal year.
    pub year: i32,
    /// 「令和5年度（2023年度）」.
    pub label: String,
    /// URL of the year's listing.
    pub url: String,
    /// Its documents, by department.
    pub documents: Vec<DocSummary>,
}

/// A department on the home page.
#[derive(Serialize)]
pub struct DepartmentLink {
    /// Name.
    pub name: String,
    /// URL of its listing.
    pub url: String,
    /// Number of documents.
    pub count: usize,
}

/// `index.html`.
#[derive(Serialize)]
pub struct IndexPage {
    /// Years, newest first.
    pub years: Vec<YearGroup>,
    /// Departments.
    pub departments: Vec<DepartmentLink>,
    /// Number of directives in the site.
    pub directive_count: usize,
    /// A real label to show how citing works.
    pub example_citation: String,
}

/// A link with a label and the title of the page it leads to.
#[derive(Serialize)]
pub struct LinkItem {
    /// Root-relative URL.
    pub url: String,
    /// Label.
    pub label: String,
    /// Title of the target document.
    pub title: String,
}

/// `doc` in `document.html`.
#[derive(Serialize)]
pub struct DocumentContext {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Fiscal year.
    pub year: i32,
    /// 「令和5年度（2023年度）」.
    pub year_display: String,
    /// 「令和5年度」.
    pub era_year: String,
    /// URL of the year's listing.
    pub year_url: String,
    /// Department.
    pub department: String,
    /// URL of the department's listing.
    pub department_url: String,
    /// Author.
    pub author: String,
    /// `2023-04-01`.
    pub date_iso: Option<String>,
    /// 「令和5年4月1日」.
    pub date_ja: Option<String>,
    /// Audience.
    pub audience: Option<String>,
    /// Status.
    pub status: Status,
    /// Tags.
    pub tags: Vec<String>,
    /// Front matter `extra`.
    pub extra: serde_json::Value,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Body HTML (safe).
    pub body: String,
    /// Its comparison with its predecessor (新旧対照表), if it has one.
    pub changes: Option<ChangeSummary>,
    /// The document that follows it next year, if any.
    pub successor: Option<Successor>,
    /// Who cites the document as a whole.
    pub backlinks: Vec<LinkItem>,
    /// The same department's other years.
    pub other_years: Vec<LinkItem>,
    /// Source path, for "edit this file" links.
    pub source: String,
}

/// `document.html`.
#[derive(Serialize)]
pub struct DocumentPage {
    /// The document.
    pub doc: DocumentContext,
}

/// `listing.html` (per year, per department).
#[derive(Serialize)]
pub struct ListingPage {
    /// Heading.
    pub heading: String,
    /// Documents.
    pub documents: Vec<DocSummary>,
    /// The year's directive index, when the index is split.
    pub directives_url: Option<String>,
}

/// A year's part of a split directive index.
#[derive(Serialize)]
pub struct YearCount {
    /// 「令和5年度（2023年度）」.
    pub label: String,
    /// URL.
    pub url: String,
    /// Directives that year.
    pub count: usize,
}

/// One document's directives in the directive index.
#[derive(Serialize)]
pub struct DirectiveGroup {
    /// Document URL.
    pub url: String,
    /// Department.
    pub department: String,
    /// 「令和5年度」.
    pub era_year: String,
    /// Title.
    pub title: String,
    /// Its directives as table rows (safe HTML), a `<tr>` line each: the
    /// citation linking to the directive, the depth as the class `d<depth>`
    /// below the top level, and the opening of the text.
    pub html: String,
}

/// `directives.html`.
#[derive(Serialize)]
pub struct DirectivesPage {
    /// Heading.
    pub heading: String,
    /// Number of directives listed (or in the site).
    pub total: usize,
    /// Per-year pages, when the index is split.
    pub year_pages: Vec<YearCount>,
    /// Documents and their directives.
    pub groups: Vec<DirectiveGroup>,
}

/// `search.html`.
#[derive(Serialize)]
pub struct SearchPage<'a> {
    /// Years for the filter.
    pub years: Vec<i32>,
    /// Departments for the filter.
    pub departments: Vec<&'a str>,
    /// Index files the page loads with itself, after `search.js` (none
    /// when the site has no search index).
    pub scripts: &'static [&'static str],
}
