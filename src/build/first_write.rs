//! The first write of a workspace (watch's first build), streamed into a
//! staging folder as `hoshin build` streams its output.
//!
//! Collected first and written after, the pages of 5,000 policies held
//! 1.3 GB of memory on top of the site (watch peaked at 1.86 GB, the full
//! build at 0.75 GB). Written as they are rendered, the pages never sit in
//! memory together; only the search index's files (about 60 MB) and the
//! state a later search overlay needs are kept until written.

use std::collections::HashSet;
use std::sync::Mutex;

use super::emit::{Built, Failed, Written};
use super::loaded::Loaded;
use super::{timed, Timings};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::{self, OutputFile};
use crate::render::deps::PageFingerprint;
use crate::render::Theme;
use crate::search::IndexState;
use crate::write::Staging;

/// Renders every page of `pages` (all of the site's), `directives.json`,
/// the theme's static files and the search index into a fresh staging
/// folder, copies the attachments, and swaps it in place of the output.
/// On any error nothing is swapped in: the output stays as it was.
pub(super) fn first_write(
    loaded: &Loaded,
    theme: &Theme,
    pages: Vec<PageFingerprint>,
    timings: &mut Timings,
) -> Result<(Built, Written, Option<IndexState>), Failed> {
    let site = &loaded.site;
    let view = site.view();
    let cannot =
        |what: &str, e: std::io::Error| Diagnostic::error(format!("cannot write {what}: {e}"));
    let fail = |d: Diagnostic| {
        let mut all = Diagnostics::default();
        all.push(d);
        all
    };
    let output = loaded.output.display().to_string();
    let staging = Staging::new(&loaded.output).map_err(|e| (fail(cannot(&output, e)), None))?;
    // Every file the sink writes is what the output will hold.
    let produced = Mutex::new(HashSet::new());
    let sink = |f: OutputFile| -> std::io::Result<()> {
        staging.write(&f.path, &f.bytes)?;
        if let Ok(mut produced) = produced.lock() {
            produced.insert(f.path);
        }
        Ok(())
    };
    let problems = timed(timings, "render", || {
        let mut json = match staging.create(layout::DIRECTIVES_JSON) {
            Ok(file) => file,
            Err(e) => return vec![cannot(layout::DIRECTIVES_JSON, e)],
        };
        let mut problems = view.render_each(theme, &sink, &mut json);
        if let Err(e) = json.finish() {
            problems.push(cannot(layout::DIRECTIVES_JSON, e));
        }
        problems
    });
    let mut errors = Diagnostics::default();
    for p in problems {
        errors.push(p);
    }
    if errors.has_errors() {
        return Err((errors, None));
    }
    let (failed, search) = if site.config.search_enabled {
        let (failed, state) = timed(timings, "indexes", || {
            crate::search_records::write_index(&view, &sink)
        });
        (failed, Some(state))
    } else {
        (Vec::new(), None)
    };
    let mut produced = produced.into_inner().unwrap_or_default();
    produced.insert(layout::DIRECTIVES_JSON.into());
    produced.extend(loaded.assets.keys().cloned());
    if !failed.is_empty() {
        let mut d = Diagnostics::default();
        for (path, e) in failed {
            d.push(cannot(&path, e));
        }
        return Err((d, Some(produced)));
    }
    let swapped = timed(timings, "write", || {
        for (path, source) in &loaded.assets {
            staging.copy(path, source)?;
        }
        staging.commit()
    });
    match swapped {
        Ok(Some(old)) => old.remove(),
        Ok(None) => {}
        Err(e) => return Err((fail(cannot(&output, e)), Some(produced))),
    }
    let built = Built {
        documents: site.docs.len(),
        directives: site.docs.iter().map(|d| d.directives.len()).sum(),
        references: site.links.resolved,
        rendered: pages.len(),
        pages: pages.len(),
        written: produced.len(),
        removed: 0,
        full_write: true,
        indexes_deferred: false,
        pages_first: None,
        gave_way: false,
        warnings: Diagnostics::default(),
        output: loaded.output.clone(),
    };
    Ok((built, Written::of(&loaded.output, pages, produced), search))
}
