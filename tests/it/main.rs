//! hoshin's integration tests, as one test binary: the real `hoshin` binary
//! run on fixture sites (`tests/fixtures/`), its output read back, and the
//! browser tests in headless Chromium. Shared helpers are in `support`.

mod support;

mod accessibility;
mod build;
mod build_errors;
mod cli;
mod compare;
mod directive_tools;
mod import;
mod markdown;
mod properties;
mod references;
mod safety;
mod search_browser;
mod watch;
