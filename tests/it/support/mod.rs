//! Helpers shared by the integration tests.
//!
//! - `site`: a site in a temporary folder, `hoshin` runs, the output read back
//!   and parsed for links, ids and elements.
//! - `watch`: `hoshin watch`/`serve` as a child process, edits, HTTP.
//! - `browser`: headless Chromium for the browser tests.
//! - `search_fixture`: search records from the seeds and synthetic sites.

pub mod browser;
pub mod search_fixture;
pub mod site;
pub mod watch;

use hoshin::search::SearchRecord;
