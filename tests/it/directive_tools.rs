//! Each directive's tools — a permalink and a copy button — are added by
//! `static/hoshin.js` instead of being repeated in the HTML of every
//! directive (issue: performance). Checked in real headless Chromium over
//! `file://` on the sample site: every directive gets exactly one set, in
//! the place the markup used to stand, and the copy button gives the label,
//! the URL and the `[[…]]` markup of its own directive.
//!
//! Skipped with a loud message when Chromium is absent, unless
//! `HOSHIN_REQUIRE_BROWSER=1`. Every wait is bounded; nothing asserts timing.

use serde_json::{json, Value};

use crate::support::browser::{Browser, SECS_10};
use crate::support::site::Site;

#[test]
fn every_directive_gets_its_permalink_and_copy_button() {
    let Some(browser) = Browser::launch_or_skip("directive tools") else {
        return;
    };
    let site = Site::sample();
    site.build_ok();
    let html = site.page("2023/somu.html");
    assert!(
        !html.contains("class=\"dtools\""),
        "the tools are not in the HTML any more"
    );
    let page = browser.new_page().unwrap();
    let url = format!("file://{}", site.public().join("2023/somu.html").display());
    page.goto(&url).unwrap();
    let counts = page
        .wait_for(
            "(() => { const d = document.querySelectorAll('.directive'); \
             const t = document.querySelectorAll('.dtools'); \
             return d.length > 0 && t.length === d.length && [d.length, t.length]; })()",
            SECS_10,
        )
        .unwrap();
    assert_eq!(counts[0], counts[1]);
    // Each directive holds one set of tools, linking to its own anchor, and
    // its own text comes before them (they end the directive's first block).
    let wrong = page
        .eval(
            "Array.from(document.querySelectorAll('.directive')).filter(d => { \
               const own = Array.from(d.querySelectorAll('.dtools')).filter(t => t.closest('.directive') === d); \
               if (own.length !== 1) return true; \
               const a = own[0].querySelector('a.permalink'); \
               const b = own[0].querySelector('button.copy'); \
               return !a || a.getAttribute('href') !== '#' + d.id || !b || !a.title || !b.title \
                 || !own[0].previousSibling; \
             }).map(d => d.id)",
        )
        .unwrap();
    assert_eq!(
        wrong,
        json!([]),
        "directives with missing or misplaced tools"
    );
    // The copy button of 1.(3)⑥ copies its label, URL and reference.
    let copied = page
        .eval(
            "new Promise(resolve => { \
               Object.defineProperty(window, 'isSecureContext', {value: true}); \
               Object.defineProperty(navigator, 'clipboard', {value: {writeText: t => { resolve(t); return Promise.resolve(); }}}); \
               document.getElementById('n1-p3-c6').querySelector('button.copy').click(); \
             })",
        )
        .unwrap();
    let copied: Vec<String> = copied.as_str().unwrap().lines().map(String::from).collect();
    assert_eq!(copied[0], "総務部（令和5年度）1.(3)⑥");
    assert!(copied[1].ends_with("2023/somu.html#n1-p3-c6"), "{copied:?}");
    assert_eq!(copied[2], "[[総務部/2023#1.(3)⑥]]");
    let label = page
        .wait_for(
            "document.getElementById('n1-p3-c6').querySelector('button.copy').textContent === 'コピーしました'",
            SECS_10,
        )
        .unwrap();
    assert_eq!(label, Value::Bool(true));
}
