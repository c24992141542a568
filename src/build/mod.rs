//! The pipeline: load → parse → link → render → write, with every diagnostic
//! collected across the whole site and the time of each stage measured.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::compare::{self, Comparisons};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::OutputFile;
use crate::link::{self, Links};
use crate::load::{self, LoadedFile};
use crate::model::{Asset, Document, Status};
use crate::output_dir;
use crate::parse;
use crate::render::{SiteView, Theme};
use crate::write;

mod background;
mod content;
mod emit;
mod first_write;
mod incremental;
mod loaded;
mod settle;
pub mod summary;
#[cfg(test)]
mod tests;

use crate::memory;
pub use crate::memory::Memory;
pub use emit::Built;
pub use incremental::{ChangeSet, Report, SitePaths, Workspace};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site root (where site.toml and content/ are).
    pub root: PathBuf,
    /// Output folder, overriding site.toml.
    pub output: Option<PathBuf>,
    /// Include documents with `status: draft`.
    pub drafts: bool,
    /// Replace a non-empty output folder that hoshin did not write (`--force`).
    pub force: bool,
}

/// Wall time of each stage, the CPU time it used, and the memory at its end.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// (stage, time), in pipeline order.
    pub stages: Vec<(&'static str, Duration)>,
    /// (index in `stages`, CPU time of all threads during that stage), where
    /// the system tells it.
    pub cpu: Vec<(usize, Duration)>,
    /// (index in `stages`, memory when that stage ended), where the system
    /// tells it.
    pub memory: Vec<(usize, Memory)>,
}

/// Runs `f` as the stage `stage` of `timings`.
pub(crate) fn timed<T>(timings: &mut Timings, stage: &'static str, f: impl FnOnce() -> T) -> T {
    timings.record(stage, f)
}

impl Timings {
    fn record<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let cpu_start = crate::cpu::used();
        let value = f();
        self.stages.push((stage, start.elapsed()));
        if let (Some(from), Some(to)) = (cpu_start, crate::cpu::used()) {
            self.cpu
                .push((self.stages.len() - 1, to.saturating_sub(from)));
        }
        if let Some(m) = memory::now() {
            self.memory.push((self.stages.len() - 1, m));
        }
        value
    }

    /// One line per stage, aligned, as `--timings` prints them.
    pub fn report(&self) -> String {
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let mut out = String::from("timings:\n");
        for (i, (name, d)) in self.stages.iter().enumerate() {
            let pct = if total.is_zero() {
                0.0
            } else {
                d.as_secs_f64() * 100.0 / total.as_secs_f64()
            };
            out.push_str(&format!(
                "  {name:<13}{:>9.1} ms {pct:>5.1}%",
                d.as_secs_f64() * 1000.0
            ));
            // CPU time over wall time: the cores the stage kept busy.
            if let Some((_, cpu)) = self.cpu.iter().find(|(at, _)| *at == i) {
                let cores = if d.is_zero() {
                    0.0
                } else {
                    cpu.as_secs_f64() / d.as_secs_f64()
                };
                out.push_str(&format!(
                    "   cpu {:>8.1} ms ({cores:.1} cores)",
                    cpu.as_secs_f64() * 1000.0
                ));
            }
            // Memory as it stood at the stage's end: the peak so far grows
            // in the stage that holds the most.
            if let Some((_, m)) = self.memory.iter().find(|(at, _)| *at == i) {
                const MB: u64 = 1_000_000;
                out.push_str(&format!(
                    "   resident {:>5} MB, peak so far {:>5} MB",
                    m.resident / MB,
                    m.peak / MB
                ));
            }
            out.push('\n');
        }
        out
    }
}

/// A loaded, parsed and linked site: everything render needs.
pub struct Site {
    /// Site root.
    pub root: PathBuf,
    /// Configuration.
    pub config: Config,
    /// Documents, sorted by key.
    pub docs: Vec<Document>,
    /// Files under content/ that are not policies, copied as they are.
    pub assets: Vec<Asset>,
    /// Resolved references.
    pub links: Links,
    /// Each document against its predecessor (新旧対照表).
    pub comparisons: Comparisons,
}

impl Site {
    /// The view render works on.
    pub fn view(&self) -> SiteView<'_> {
        SiteView::new(&self.config, &self.docs, &self.links, &self.comparisons)
    }

    /// Output folder.
    pub fn output_dir(&self, overridden: Option<&Path>) -> PathBuf {
        match overridden {
            Some(p) => p.to_path_buf(),
            None => self.root.join(&self.config.output_dir),
        }
    }
}

/// Why a build stopped.
#[derive(Debug)]
pub struct Failure {
    /// Everything that was found.
    pub diagnostics: Diagnostics,
    /// 1 for content errors, 2 for configuration errors.
    pub exit_code: i32,
}

/// Reads and checks site.toml (exit status 2 on error).
pub fn load_config(root: &Path) -> Result<Config, Failure> {
    Config::load(root).map_err(|errors| {
        let mut diagnostics = Diagnostics::default();
        diagnostics.extend(errors);
        Failure {
            diagnostics,
            exit_code: 2,
        }
    })
}

/// Parses loaded files in parallel, each document keeping of its source
/// only the lines later stages can point at ([`Document::keep_cited_lines`]);
/// drafts are dropped unless asked for.
pub fn parse_all(
    files: Vec<LoadedFile>,
    config: &Config,
    drafts: bool,
    diagnostics: &mut Diagnostics,
) -> Vec<Document> {
    let results: Vec<parse::ParseResult> = files
        .into_par_iter()
        .map(|f| {
            let mut parsed = parse::parse_document(f, config);
            // Each source goes as soon as its document is parsed, but for
            // what link and compare can point at: the sources whole were a
            // quarter of what those stages hold.
            if let Ok((doc, _)) = &mut parsed {
                doc.keep_cited_lines();
            }
            parsed
        })
        .collect();
    let mut docs = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((doc, warnings)) => {
                diagnostics.extend(warnings);
                if drafts || doc.meta.status != Status::Draft {
                    docs.push(doc);
                }
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    docs.sort_by(|a, b| a.key.cmp(&b.key));
    docs
}

/// Load, parse and link the whole site. Errors are collected, not returned early,
/// so that a user sees every problem in one run.
pub fn compile(
    root: &Path,
    config: Config,
    drafts: bool,
    timings: &mut Timings,
) -> (Site, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let content_dir = root.join(&config.content_dir);
    let (content, load_errors) = timings.record("load", || load::load(root, &content_dir));
    diagnostics.extend(load_errors);
    let docs = timings.record("parse", || {
        let docs = parse_all(content.files, &config, drafts, &mut diagnostics);
        memory::return_freed();
        docs
    });
    let (links, link_errors) = timings.record("link", || link::link(&docs, &config));
    diagnostics.extend(link_errors);
    let (comparisons, compare_errors) =
        timings.record("compare", || compare::site::compare(&docs, &config));
    diagnostics.extend(compare_errors);
    (
        Site {
            root: root.to_path_buf(),
            config,
            docs,
            assets: content.assets,
            links,
            comparisons,
        },
        diagnostics,
    )
}

/// Resolves and checks the output folder (see [`output_dir`]): a problem is a
/// configuration error, exit status 2.
pub fn check_output_dir(
    opts: &BuildOptions,
    config: &Config,
    intent: output_dir::Intent,
) -> Result<PathBuf, Failure> {
    output_dir::resolve(&opts.root, config, opts.output.as_deref(), intent).map_err(|d| {
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(d);
        Failure {
            diagnostics,
            exit_code: 2,
        }
    })
}

fn write_failure(output: &Path, e: std::io::Error) -> Failure {
    let mut diagnostics = Diagnostics::default();
    diagnostics.push(Diagnostic::error(format!(
        "cannot write {}: {e}",
        output.display()
    )));
    Failure {
        diagnostics,
        exit_code: 1,
    }
}

/// Summary of a finished build.
#[derive(Debug)]
pub struct Outcome {
    /// Documents built.
    pub documents: usize,
    /// Directives in them.
    pub directives: usize,
    /// Resolved references.
    pub references: usize,
    /// HTML pages written (0 for `check`).
    pub pages_written: usize,
    /// Warnings (and nothing else: errors make a Failure).
    pub diagnostics: Diagnostics,
    /// Stage times.
    pub timings: Timings,
    /// Output folder.
    pub output: PathBuf,
}

/// Runs the whole pipeline. With `write == false` (`hoshin check`) nothing is written.
pub fn build(opts: &BuildOptions, write_output: bool) -> Result<Outcome, Failure> {
    let config = load_config(&opts.root)?;
    let strict = config.strict;
    let mut timings = Timings::default();
    let intent = if write_output {
        output_dir::Intent::Write { force: opts.force }
    } else {
        output_dir::Intent::Check
    };
    let output = check_output_dir(opts, &config, intent)?;
    let theme = Theme::load(&opts.root, &config.theme).map_err(|errors| {
        let mut diagnostics = Diagnostics::default();
        diagnostics.extend(errors);
        Failure {
            diagnostics,
            exit_code: 2,
        }
    })?;
    let (mut site, mut diagnostics) = compile(&opts.root, config, opts.drafts, &mut timings);
    diagnostics.extend(crate::output_plan::check(
        &opts.root,
        &site.view(),
        &theme,
        site.assets
            .iter()
            .map(|a| (a.path.as_str(), a.source.as_path())),
    ));
    diagnostics.extend(crate::attachments::check(
        &opts.root,
        &site.config,
        site.assets
            .iter()
            .map(|a| (a.path.as_str(), a.source.as_path())),
    ));
    if strict {
        diagnostics.promote_warnings();
    }
    if diagnostics.has_errors() {
        return Err(Failure {
            diagnostics,
            exit_code: 1,
        });
    }
    // Render reads no source text, and nothing after this points into one.
    for d in &mut site.docs {
        d.source.release();
    }
    memory::return_freed();
    // Pages are written to the staging folder as they are rendered, so the
    // site never sits in memory as a whole; the staging folder replaces the
    // output only if everything succeeded.
    let staging = if write_output {
        Some(write::Staging::new(&output).map_err(|e| write_failure(&output, e))?)
    } else {
        None
    };
    let pages_written = std::sync::atomic::AtomicUsize::new(0);
    let sink = |f: OutputFile| -> std::io::Result<()> {
        if f.path.ends_with(".html") {
            pages_written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        match &staging {
            Some(s) => s.write(&f.path, &f.bytes),
            None => Ok(()),
        }
    };
    let render_errors = timings.record("render+write", || {
        let cannot = |e: std::io::Error| {
            Diagnostic::error(format!(
                "cannot write {}: {e}",
                crate::layout::DIRECTIVES_JSON
            ))
        };
        let Some(staging) = &staging else {
            return site.view().render_each(&theme, &sink, &mut std::io::sink());
        };
        let mut json_file = match staging.create(crate::layout::DIRECTIVES_JSON) {
            Ok(f) => f,
            Err(e) => return vec![cannot(e)],
        };
        let mut errors = site.view().render_each(&theme, &sink, &mut json_file);
        if let Err(e) = json_file.finish() {
            errors.push(cannot(e));
        }
        errors
    });
    diagnostics.extend(render_errors);
    // Every page is written: what only pages show (the body, the table of
    // contents, the references) goes before the search index, the build's
    // peak of memory, is made; so do the links and the comparisons, which
    // the index does not read (with the purge, ~55 MB off the peak at
    // 5,000 policies).
    for d in &mut site.docs {
        d.release_page_parts();
    }
    let references = site.links.resolved;
    site.links = Default::default();
    site.comparisons = Default::default();
    memory::return_freed();
    let view = site.view();
    if site.config.search_enabled && !diagnostics.has_errors() {
        let search_errors = timings.record("search index", || {
            crate::search_records::write_index(&view, &sink)
                .0
                .into_iter()
                .map(|(path, e)| Diagnostic::error(format!("cannot write {path}: {e}")))
                .collect::<Vec<_>>()
        });
        diagnostics.extend(search_errors);
    }
    if diagnostics.has_errors() {
        return Err(Failure {
            diagnostics,
            exit_code: 1,
        });
    }
    if let Some(staging) = staging {
        let replaced = timings
            .record("write", || {
                for a in &site.assets {
                    staging.copy(&a.path, &a.source)?;
                }
                staging.commit()
            })
            .map_err(|e| write_failure(&output, e))?;
        // The new site is in place; the old one goes before the build ends,
        // so that nothing of hoshin's stays beside the output.
        if let Some(old) = replaced {
            timings.record("remove old", || old.remove());
        }
    }
    let pages_written = if write_output {
        pages_written.into_inner()
    } else {
        0
    };
    Ok(Outcome {
        documents: site.docs.len(),
        directives: site.docs.iter().map(|d| d.directives.len()).sum(),
        references,
        pages_written,
        diagnostics,
        timings,
        output,
    })
}
