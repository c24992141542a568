//! The output plan: every path the build will write, checked as a whole
//! before anything is written (SPEC §5). An attachment under `content/` must
//! not land on a name hoshin generates, no two outputs may share a path (two
//! departments with one slug), and no two may differ only in letter case:
//! the site is deployed to Windows file shares, where `A.html` and `a.html`
//! are one file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::load::display_path;
use crate::output_dir::MARKER;
use crate::render::{Page, SiteView, Theme};

// Folders of the output that belong to hoshin, whether or not this build
// writes into them (`search/` without search, `compare/` without comparisons).
use crate::layout::RESERVED_DIRS;

/// Files at the top of the output that belong to hoshin: the layout's and
/// the marker.
fn reserved_files() -> impl Iterator<Item = &'static str> {
    crate::layout::RESERVED_FILES
        .iter()
        .copied()
        .chain([MARKER])
}

/// What puts a file in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A page or file hoshin generates.
    Generated,
    /// The listing page of a department.
    Department(String),
    /// The page of a document (its file, as shown).
    Document(String),
    /// An attachment under content/ (its file, as shown).
    Attachment(String),
}

impl Source {
    fn describe(&self, path: &str) -> String {
        match self {
            Source::Generated => format!("`{path}`, which hoshin generates"),
            Source::Department(name) => format!("the listing page of {name} (`{path}`)"),
            Source::Document(file) => format!("the page of {file} (`{path}`)"),
            Source::Attachment(file) => format!("{file} (copied to `{path}`)"),
        }
    }

    fn file(&self) -> Option<&str> {
        match self {
            Source::Document(f) | Source::Attachment(f) => Some(f),
            _ => None,
        }
    }
}

/// Checks the whole output plan of a build: the pages of `view`, the theme's
/// static files, the indexes and the attachments (`(path under the output,
/// file on disk)`). Returns one error per clash, naming the files.
pub fn check<'a>(
    root: &Path,
    view: &SiteView<'_>,
    theme: &Theme,
    assets: impl IntoIterator<Item = (&'a str, &'a Path)>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut plan: BTreeMap<String, Source> = BTreeMap::new();
    for file in reserved_files() {
        plan.insert(file.to_string(), Source::Generated);
    }
    for (path, _) in &theme.static_files {
        plan.insert(path.clone(), Source::Generated);
    }
    // Pages: generated ones first, so that a document is blamed for a clash.
    let mut pages = view.pages();
    pages.sort_by_key(|p| matches!(p, Page::Document(_)));
    let mut departments: HashMap<String, Vec<String>> = HashMap::new();
    for page in &pages {
        let path = view.path(page);
        let source = match page {
            Page::Document(i) => Source::Document(view.docs[*i].source.display_path.clone()),
            Page::Department(name) => {
                departments
                    .entry(path.clone())
                    .or_default()
                    .push(name.clone());
                Source::Department(name.clone())
            }
            _ => Source::Generated,
        };
        if let Source::Document(file) = &source {
            if let Some(dir) = reserved_dir(&path) {
                errors.push(
                    Diagnostic::error(format!(
                        "the page of {file} would land in `{dir}/`, a folder hoshin generates"
                    ))
                    .in_file(file)
                    .with_help("move the file into a folder such as content/2023/, or rename it"),
                );
                continue;
            }
        }
        if let Some(existing) = plan.get(&path) {
            match (existing, &source) {
                // Reported below, once per slug.
                (Source::Department(_), Source::Department(_)) => continue,
                // A page that is also a reserved name.
                (Source::Generated, Source::Generated) => continue,
                _ => {}
            }
            errors.push(replaces(&source, existing, &path));
            continue;
        }
        plan.insert(path, source);
    }
    for (path, names) in departments.iter().filter(|(_, n)| n.len() > 1) {
        errors.push(same_slug(root, path, names));
    }
    for (rel, file) in assets {
        let shown = display_path(root, file);
        let source = Source::Attachment(shown.clone());
        if let Some(dir) = reserved_dir(rel) {
            errors.push(
                Diagnostic::error(format!(
                    "attachment {shown} would be copied into `{dir}/`, a folder hoshin generates"
                ))
                .in_file(&shown)
                .with_help("move it into a folder of its own, e.g. content/2023/files/"),
            );
            continue;
        }
        if let Some(existing) = plan.get(rel) {
            errors.push(replaces(&source, existing, rel));
            continue;
        }
        plan.insert(rel.to_string(), source);
    }
    errors.extend(case_collisions(&plan));
    errors
}

/// The reserved folder a path lies in, if any.
fn reserved_dir(path: &str) -> Option<&'static str> {
    let (first, _) = path.split_once('/')?;
    RESERVED_DIRS.iter().copied().find(|d| *d == first)
}

fn replaces(source: &Source, existing: &Source, path: &str) -> Diagnostic {
    let subject = match source {
        Source::Attachment(f) => format!("attachment {f}"),
        Source::Document(f) => format!("the page of {f}"),
        other => other.describe(path),
    };
    let d = Diagnostic::error(format!(
        "{subject} would replace {}",
        existing.describe(path)
    ))
    .with_help("rename the file, or move it into a folder of its own");
    match source.file() {
        Some(f) => d.in_file(f),
        None => d,
    }
}

/// Two departments with one slug would write one listing page over the other.
fn same_slug(root: &Path, path: &str, names: &[String]) -> Diagnostic {
    let listed = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let d = Diagnostic::error(format!(
        "departments {listed} have the same slug: both listing pages would be `{path}`"
    ))
    .with_help("give each department its own slug in [departments] of site.toml");
    // Point at the second department's line of site.toml, if it is there.
    let Ok(text) = std::fs::read_to_string(root.join("site.toml")) else {
        return d;
    };
    let file = SourceFile::new("site.toml", text);
    for name in names.iter().rev() {
        for quoted in [format!("\"{name}\""), name.clone()] {
            if let Some(start) = file.text.find(&quoted) {
                return d.at(&file, start..start + quoted.len());
            }
        }
    }
    d
}

/// Every pair of output paths (files and the folders on their way) that
/// differ only in letter case.
fn case_collisions(plan: &BTreeMap<String, Source>) -> Vec<Diagnostic> {
    /// A name in the output: a file, or a folder some file lies in.
    struct Name<'p> {
        name: String,
        source: &'p Source,
        folder: bool,
    }
    impl Name<'_> {
        fn describe(&self) -> String {
            match (self.folder, self.source.file()) {
                (true, Some(f)) => format!("folder `{}` (of {f})", self.name),
                (true, None) => format!("folder `{}`, which hoshin generates", self.name),
                (false, _) => self.source.describe(&self.name),
            }
        }
    }
    let mut errors = Vec::new();
    let mut seen: HashMap<String, Name> = HashMap::new();
    let reserved = RESERVED_DIRS.iter().map(|d| Name {
        name: d.to_string(),
        source: &Source::Generated,
        folder: true,
    });
    let names = reserved.chain(plan.iter().flat_map(|(path, source)| {
        let mut names: Vec<Name> = path
            .match_indices('/')
            .map(|(i, _)| Name {
                name: path[..i].to_string(),
                source,
                folder: true,
            })
            .collect();
        names.push(Name {
            name: path.clone(),
            source,
            folder: false,
        });
        names
    }));
    let mut reported: std::collections::HashSet<String> = Default::default();
    for name in names {
        let folded = name.name.to_lowercase();
        let Some(first) = seen.get(&folded) else {
            seen.insert(folded, name);
            continue;
        };
        if first.name == name.name || !reported.insert(name.name.clone()) {
            continue;
        }
        // Blame a file of the author's, not what hoshin generates.
        let (blamed, other) = match name.source.file() {
            Some(_) => (&name, first),
            None => (first, &name),
        };
        let d = Diagnostic::error(format!(
            "`{}` and `{}` differ only in letter case: {} and {} would be one on a Windows file share",
            blamed.name,
            other.name,
            blamed.describe(),
            other.describe()
        ))
        .with_help("rename one of them (folders too) so that the names differ in more than case");
        errors.push(match blamed.source.file() {
            Some(f) => d.in_file(f),
            None => d,
        });
    }
    errors
}
