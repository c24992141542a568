//! Every kind of page the built-in theme makes passes axe-core's WCAG 2.1
//! A and AA rules (the level JIS X 8341-3:2016 asks of Japanese public
//! bodies), in real headless Chromium over `file://`, once hoshin.js has
//! added the directive tools and, on the search page, the results.
//!
//! axe-core comes from the npm registry: `.ci/run` installs it and sets
//! `HOSHIN_AXE` to its `axe.min.js`. Without it (or without Chromium) the
//! test is skipped with a loud message, unless `HOSHIN_REQUIRE_AXE=1`.
//! Every wait is bounded; nothing asserts timing.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::support::browser::{loud, Browser, Page, SECS_10};
use crate::support::site::Site;

/// axe-core's script, from `HOSHIN_AXE`.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("HOSHIN_AXE").map(PathBuf::from);
    match path.and_then(|p| std::fs::read_to_string(p).ok()) {
        Some(source) => Some(source),
        None if std::env::var("HOSHIN_REQUIRE_AXE").as_deref() == Ok("1") => {
            panic!("HOSHIN_REQUIRE_AXE=1 but HOSHIN_AXE names no readable axe.min.js")
        }
        None => {
            loud("accessibility: skipped (set HOSHIN_AXE to axe-core's axe.min.js; .ci/run does)");
            None
        }
    }
}

/// The WCAG 2.1 A and AA violations of the page at `url`, once `ready`
/// (a script expression) holds: rule id, impact and the first nodes.
fn violations(page: &Page, axe: &str, url: &str, ready: &str) -> Vec<Value> {
    page.goto(url).unwrap();
    page.wait_for(ready, SECS_10)
        .unwrap_or_else(|e| panic!("{url}: never ready ({ready}): {e:?}"));
    page.eval(axe).unwrap();
    let found = page
        .eval(
            "axe.run(document, {runOnly: {type: 'tag', \
               values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}) \
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, \
               nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))",
        )
        .unwrap();
    found.as_array().cloned().unwrap_or_default()
}

#[test]
fn every_kind_of_page_passes_wcag_2_1_aa() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some(browser) = Browser::launch_or_skip("accessibility") else {
        return;
    };
    let sample = Site::sample();
    sample.build_ok();
    // Several years of a department: comparison pages and their badges.
    let years = Site::fixture("nenji");
    years.build_ok();
    let tools = "document.querySelectorAll('.dtools').length > 0";
    let loaded = "document.readyState === 'complete'";
    let results = "document.querySelectorAll('#search-results li').length > 0";
    let pages: [(&Site, &str, &str); 10] = [
        (&sample, "index.html", loaded),
        (&sample, "2023/somu.html", tools),
        (&sample, "directives.html", loaded),
        (&sample, "directives/2023.html", loaded),
        (&sample, "departments/somu.html", loaded),
        (&sample, "years/2023.html", loaded),
        (&sample, "search.html?q=%E8%81%B7%E5%93%A1", results),
        (&sample, "404.html", loaded),
        (&years, "compare/2025/somu.html", loaded),
        (&years, "2025/somu.html", tools),
    ];
    let page = browser.new_page().unwrap();
    let mut failing = Vec::new();
    for (site, rel, ready) in pages {
        let (file, query) = rel.split_once('?').unwrap_or((rel, ""));
        let path = site.public().join(file);
        assert!(path.is_file(), "{rel} was not built");
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        let url = format!("file://{}{query}", path.display());
        let found = violations(&page, &axe, &url, ready);
        if !found.is_empty() {
            failing.push(json!({ "page": rel, "violations": found }));
        }
    }
    assert!(
        failing.is_empty(),
        "WCAG 2.1 AA violations:\n{}",
        serde_json::to_string_pretty(&failing).unwrap()
    );
}
