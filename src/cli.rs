//! Command-line interface (SPEC §7).
// The doc comments of the arguments are clap's help text, written for a
// terminal: `<year>` there is a placeholder, not an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// hoshin (方針): build a city's department policies into a static intranet site.
#[derive(Debug, Parser)]
#[command(name = "hoshin", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by commands that read a site.
#[derive(Debug, Args, Clone)]
pub struct SiteArgs {
    /// Site root: the folder with site.toml and content/.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Include documents with `status: draft`.
    #[arg(long)]
    pub drafts: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        #[command(flatten)]
        #[allow(missing_docs)] // documented on SiteArgs; a doc here would become clap help
        site: SiteArgs,
        /// Output folder (overrides output_dir in site.toml).
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Print the time of each stage after the summary.
        #[arg(long)]
        timings: bool,
        /// Replace a non-empty output folder that hoshin did not write.
        #[arg(long)]
        force: bool,
    },
    /// Check everything a build checks, writing nothing.
    Check {
        #[command(flatten)]
        #[allow(missing_docs)] // documented on SiteArgs; a doc here would become clap help
        site: SiteArgs,
    },
    /// Build, then rebuild on every change under content/, themes/ and site.toml.
    Watch {
        #[command(flatten)]
        #[allow(missing_docs)] // documented on SiteArgs; a doc here would become clap help
        site: SiteArgs,
        /// Output folder (overrides output_dir in site.toml).
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Poll for changes instead of relying on file-system events (network shares).
        #[arg(long)]
        poll: bool,
        /// Replace a non-empty output folder that hoshin did not write.
        #[arg(long)]
        force: bool,
    },
    /// Watch, and serve the site locally with live reload.
    Serve {
        #[command(flatten)]
        #[allow(missing_docs)] // documented on SiteArgs; a doc here would become clap help
        site: SiteArgs,
        /// Output folder (overrides output_dir in site.toml).
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Port to listen on.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to bind (127.0.0.1 keeps the preview on this PC).
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Poll for changes instead of relying on file-system events (network shares).
        #[arg(long)]
        poll: bool,
        /// Replace a non-empty output folder that hoshin did not write.
        #[arg(long)]
        force: bool,
    },
    /// Print the 新旧対照表 of two documents (OLD → NEW) in the terminal.
    Diff {
        /// The old document: a key (2023/somu) or department/year (総務部/令和5年度).
        old: String,
        /// The new document, in the same forms.
        new: String,
        /// The site.
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Create a new policy document from a template.
    New {
        /// Department, e.g. 総務部.
        department: String,
        /// Fiscal year, e.g. 2024, 令和6年度 or R6.
        year: String,
        /// Site root.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Overwrite the document if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Turn existing policies (PDF text, PDF, Word .docx) into documents.
    Import {
        /// Files to import: text copied or extracted from a PDF (UTF-8 or
        /// Shift_JIS), a .pdf or a .docx.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Site root (its site.toml gives the department slugs).
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Write to PATH instead of content/<year>/<slug>.md (`-`: standard output).
        #[arg(long, value_name = "PATH", allow_hyphen_values = true)]
        to: Option<PathBuf>,
        /// Replace a file that already exists.
        #[arg(long)]
        force: bool,
    },
}
