//! hoshin (方針): a static site generator for municipal department policies.
//!
//! The build is a pipeline over plain data: [`load`] → [`parse`] → [`link`] →
//! [`render`] → [`write`](mod@write), orchestrated by [`build`], with the [`model`] at the
//! centre and errors collected as [`diagnostics`]. Output paths and URLs
//! come from [`layout`]. ARCHITECTURE.md tells how the parts fit together.

#![warn(missing_docs)]

pub mod attachments;
pub mod build;
pub mod cli;
pub mod compare;
pub mod config;
pub mod cpu;
pub mod diagnostics;
pub mod era;
pub mod frontmatter;
#[doc(hidden)]
pub mod fuzzing;
pub mod html_scan;
pub mod import;
pub mod layout;
pub mod link;
pub mod load;
pub mod marker;
pub mod memory;
pub mod model;
pub mod output_dir;
pub mod output_plan;
pub mod parse;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod search_records;
pub mod serve;
pub mod suggest;
pub mod watch;
pub mod write;
