//! Bridges the site to the search index: one record per directive and one per
//! document preamble (SPEC §6).

use crate::render::{OutputFile, SiteView};

/// The search index files of a site.
pub fn index_files(_view: &SiteView<'_>) -> Vec<OutputFile> {
    Vec::new()
}
