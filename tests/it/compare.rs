//! Issue 12 (SPEC §8): the 新旧対照表. The fixture `nenji` is a small city's
//! 総務部 over three years (a directive inserted, one deleted, sentences
//! edited, a new section shifting every later number) and a department renamed
//! through `previous:` (子ども家庭部 2024 → こども未来部 2025). The tests read
//! what a user would: the comparison pages, the marks on document pages and
//! listings, `directives.json`, `hoshin diff`, and the page in Chromium.

use crate::support::browser::{Browser, Page};
use crate::support::site::{broken_links, element_by_id, outer_html, tags, text_of, Site, Tag};
use serde_json::{json, Value};

fn built() -> Site {
    let site = Site::fixture("nenji");
    site.build_ok();
    site
}

/// The rows of a comparison page: (data-new, data-old, data-change).
fn rows(html: &str) -> Vec<(String, String, String)> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "tr" && t.attr("data-change").is_some())
        .map(|t| {
            (
                t.attr("data-new").unwrap_or("?").to_string(),
                t.attr("data-old").unwrap_or("?").to_string(),
                t.attr("data-change").unwrap().to_string(),
            )
        })
        .collect()
}

/// The row whose `data-new` is `id` (unchanged rows carry no id of their own).
fn row_by_new(html: &str, id: &str) -> Tag {
    tags(html)
        .into_iter()
        .find(|t| t.name == "tr" && t.attr("data-new") == Some(id))
        .unwrap_or_else(|| panic!("no row with data-new={id}"))
}

fn row(new: &str, old: &str, change: &str) -> (String, String, String) {
    (new.to_string(), old.to_string(), change.to_string())
}

/// The `<a>` tags of an element, with their text.
fn links_in(html: &str, id: &str) -> Vec<(Tag, String)> {
    let el = element_by_id(html, id).unwrap_or_else(|| panic!("no #{id}"));
    let inner = outer_html(html, &el);
    tags(inner)
        .into_iter()
        .filter(|t| t.name == "a")
        .map(|t| {
            let text = text_of(outer_html(inner, &t));
            (t, text)
        })
        .collect()
}

/// The year-over-year marks of directive `id` on a document page: (class,
/// href, text) of each link in its `<span class="yoy">` (the first in the
/// element: nested directives come after its own).
fn marks(html: &str, id: &str) -> Vec<(String, String, String)> {
    let el = element_by_id(html, id).unwrap_or_else(|| panic!("no #{id}"));
    let own = outer_html(html, &el);
    let Some(start) = own.find("<span class=\"yoy\">") else {
        return Vec::new();
    };
    let span = &own[start..];
    let span = &span[..span.find("</span>").unwrap()];
    tags(span)
        .into_iter()
        .filter(|t| t.name == "a")
        .map(|t| {
            let text = text_of(outer_html(span, &t));
            (
                t.attr("class").unwrap_or("").to_string(),
                t.attr("href").unwrap().to_string(),
                text,
            )
        })
        .collect()
}

#[test]
fn every_document_with_a_predecessor_has_a_comparison_page_and_only_those() {
    let site = built();
    let public = site.public();
    for key in ["2025/somu", "2026/somu", "2025/kodomo-mirai"] {
        assert!(
            public.join(format!("compare/{key}.html")).is_file(),
            "{key}"
        );
    }
    for key in ["2024/somu", "2024/kodomo"] {
        assert!(
            !public.join(format!("compare/{key}.html")).exists(),
            "{key}"
        );
    }
    assert_eq!(broken_links(&public), Vec::<String>::new());
}

#[test]
fn directives_pair_by_text_across_renumbering_insertion_deletion_and_a_new_section() {
    let site = built();
    let r = rows(&site.page("compare/2025/somu.html"));
    // 1.(1)② is new, so last year's ② and ③ continue as ③ and ④.
    assert!(r.contains(&row("n1-p1-c1", "n1-p1-c1", "same")), "{r:?}");
    assert!(r.contains(&row("n1-p1-c2", "", "new")), "{r:?}");
    assert!(r.contains(&row("n1-p1-c3", "n1-p1-c2", "same")), "{r:?}");
    assert!(r.contains(&row("n1-p1-c4", "n1-p1-c3", "same")), "{r:?}");
    // An edited sentence, a deleted directive.
    assert!(r.contains(&row("n1-p2-c1", "n1-p2-c1", "changed")), "{r:?}");
    assert!(r.contains(&row("", "n1-p2-c2", "removed")), "{r:?}");
    // The new section 2. pushes last year's 2. to 3.
    assert!(r.contains(&row("n2", "", "new")), "{r:?}");
    assert!(r.contains(&row("n2-p1-c2", "", "new")), "{r:?}");
    assert!(r.contains(&row("n3", "n2", "same")), "{r:?}");
    assert!(r.contains(&row("n3-p1-c1", "n2-p1-c1", "same")), "{r:?}");
    assert!(r.contains(&row("n3-p1-c2", "n2-p1-c2", "changed")), "{r:?}");
    assert!(r.contains(&row("n3-p2-c1", "n2-p2-c1", "same")), "{r:?}");
    // One row per directive of either side, in the new document's order.
    let news: Vec<&str> = r
        .iter()
        .map(|x| x.0.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    let json = site.directives_json();
    let expected: Vec<&str> = json["directives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["doc"] == "2025/somu")
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(news, expected);
    assert_eq!(r.iter().filter(|x| x.2 == "removed").count(), 1);
}

#[test]
fn changed_characters_are_marked_and_both_sides_link_to_their_directives() {
    let site = built();
    let html = site.page("compare/2025/somu.html");
    let tr = element_by_id(&html, "new-n3-p1-c2").expect("row of 3.(1)②");
    let row_html = outer_html(&html, &tr);
    assert!(
        row_html.contains("徹底<ins>し，印刷経費を削減</ins>すること"),
        "{row_html}"
    );
    assert!(!row_html.contains("<del>"), "{row_html}");
    let tr = element_by_id(&html, "new-n1").expect("row of 1.");
    let row_html = outer_html(&html, &tr);
    assert!(row_html.contains("令和<ins>７</ins>年度"), "{row_html}");
    assert!(row_html.contains("令和<del>６</del>年度"), "{row_html}");
    let hrefs: Vec<String> = links_in(&html, "new-n3-p1-c2")
        .into_iter()
        .map(|(t, _)| t.attr("href").unwrap().to_string())
        .collect();
    assert_eq!(
        hrefs,
        [
            "../../2025/somu.html#n3-p1-c2",
            "../../2024/somu.html#n2-p1-c2"
        ]
    );
    // Unchanged rows carry no marks, and no id repeating their data-new
    // (nothing links to them); rows a document page links to have one.
    let same = row_by_new(&html, "n3-p1-c1");
    assert!(!outer_html(&html, &same).contains("<ins>"));
    assert_eq!(same.attr("id"), None);
    // The change is said in words, not only by colour (WCAG 1.3.1): 変更 on a
    // changed row, （新設）/（削除） on the empty side.
    let text = |id: &str| text_of(outer_html(&html, &element_by_id(&html, id).unwrap()));
    assert!(
        text("new-n3-p1-c2").contains("変更"),
        "{}",
        text("new-n3-p1-c2")
    );
    assert!(text("new-n1-p1-c2").contains("（新設）"));
    assert!(text("old-n1-p2-c2").contains("（削除）"));
    assert!(!text_of(outer_html(&html, &same)).contains("変更"));
}

#[test]
fn the_summary_counts_and_the_labels_are_japanese() {
    let site = built();
    let html = site.page("compare/2025/somu.html");
    let summary =
        text_of(&html[html.find("compare-summary").unwrap()..html.find("</ul>").unwrap()]);
    let summary: String = summary.split_whitespace().collect();
    assert!(
        summary.contains("新設5件変更3件削除1件変更なし10件"),
        "{summary}"
    );
    assert!(html.contains("改正後（令和7年度）"), "改正後 column");
    assert!(html.contains("改正前（令和6年度）"), "改正前 column");
    assert!(html.contains("<title>新旧対照表"), "title");
    // Unchanged stretches are grouped for the toggle; printing shows them (CSS).
    assert!(html.contains("class=\"same-run\""), "collapsible runs");
}

#[test]
fn document_pages_link_to_their_comparison_and_mark_new_and_changed_directives() {
    let site = built();
    let html = site.page("2025/somu.html");
    assert!(
        html.contains("href=\"../compare/2025/somu.html\""),
        "link to the comparison"
    );
    let new = marks(&html, "n1-p1-c2");
    assert_eq!(new[0].0, "yoy-badge yoy-new");
    assert_eq!(new[0].1, "../compare/2025/somu.html#new-n1-p1-c2");
    assert_eq!(new[0].2, "新設");
    let changed = marks(&html, "n3-p1-c2");
    assert_eq!(changed[0].0, "yoy-badge yoy-changed");
    assert_eq!(changed[0].2, "変更");
    // Unchanged directives carry no badge (only the link to next year).
    assert!(marks(&html, "n3-p1-c1")
        .iter()
        .all(|m| !m.0.contains("yoy-badge")));
    // The first year has no comparison, hence no badges.
    let first = site.page("2024/somu.html");
    assert!(!first.contains("yoy-badge"), "2024 has no predecessor");
    assert!(!first.contains("compare/2024/"), "2024 has no comparison");
}

#[test]
fn a_document_with_a_successor_links_each_directive_to_its_continuation_or_says_it_was_dropped() {
    let site = built();
    let html = site.page("2024/somu.html");
    let next = marks(&html, "n1-p1-c2");
    assert_eq!(
        next,
        vec![(
            String::new(),
            "../2025/somu.html#n1-p1-c3".to_string(),
            "次年度 1.(1)③".to_string()
        )]
    );
    let dropped = marks(&html, "n1-p2-c2");
    assert_eq!(dropped[0].0, "yoy-dropped");
    assert_eq!(dropped[0].1, "../compare/2025/somu.html#old-n1-p2-c2");
    assert_eq!(dropped[0].2, "次年度に削除");
    assert!(html.contains("次年度："), "link to next year's document");
    // The latest year has no successor.
    assert!(!site.page("2026/somu.html").contains("次年度"));
}

#[test]
fn listings_show_the_counts_of_each_document() {
    let site = built();
    let year = text_of(&site.page("years/2025.html"));
    assert!(year.contains("新設 5・変更 3・削除 1"), "{year}");
    let dept = site.page("departments/kodomo-mirai.html");
    assert!(dept.contains("compare/2025/kodomo-mirai.html"), "{dept}");
    assert!(
        text_of(&dept).contains("新設 1・変更 1・削除 0"),
        "{}",
        text_of(&dept)
    );
}

#[test]
fn a_renamed_department_is_compared_through_previous() {
    let site = built();
    let r = rows(&site.page("compare/2025/kodomo-mirai.html"));
    assert_eq!(
        r,
        vec![
            row("n1", "n1", "same"),
            row("n1-p1", "n1-p1", "same"),
            row("n1-p2", "n1-p2", "changed"),
            row("n1-p3", "", "new"),
            row("n2", "n2", "same"),
            row("n2-p1", "n2-p1", "same"),
        ]
    );
    let old = site.page("2024/kodomo.html");
    assert!(
        old.contains("../2025/kodomo-mirai.html#n1-p2"),
        "next-year link"
    );
}

#[test]
fn directives_json_carries_previous_next_and_change() {
    let site = built();
    let json = site.directives_json();
    let doc = |key: &str| -> Value {
        json["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(doc("2024/somu")["previous"], Value::Null);
    assert_eq!(doc("2025/somu")["previous"], "2024/somu");
    assert_eq!(doc("2025/kodomo-mirai")["previous"], "2024/kodomo");
    let d = site.directive(&json, "2025/somu", "n1-p1-c3");
    assert_eq!(d["previous"], json!({"doc": "2024/somu", "id": "n1-p1-c2"}));
    assert_eq!(d["change"], "same");
    let d = site.directive(&json, "2025/somu", "n1-p1-c2");
    assert_eq!(
        (d["previous"].clone(), d["change"].clone()),
        (Value::Null, json!("new"))
    );
    let d = site.directive(&json, "2025/somu", "n3-p1-c2");
    assert_eq!(d["change"], "changed");
    assert_eq!(d["next"], json!({"doc": "2026/somu", "id": "n3-p1-c2"}));
    // First year: previous and change do not apply; a dropped directive has next null.
    let d = site.directive(&json, "2024/somu", "n1-p2-c2");
    assert_eq!(
        (d["previous"].clone(), d["change"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(d["next"], Value::Null);
    let d = site.directive(&json, "2024/somu", "n1-p2-c1");
    assert_eq!(d["next"], json!({"doc": "2025/somu", "id": "n1-p2-c1"}));
    // Last year: no successor.
    let d = site.directive(&json, "2026/somu", "n1");
    assert_eq!(d["next"], Value::Null);
    for d in json["directives"].as_array().unwrap() {
        for field in ["previous", "next", "change"] {
            assert!(d.get(field).is_some(), "{field} missing in {d}");
        }
    }
}

#[test]
fn hoshin_diff_prints_the_comparison_in_any_document_form() {
    let site = Site::fixture("nenji");
    let by_key = site.run(&["diff", "2024/somu", "2025/somu"]);
    by_key.expect_code(0);
    let out = &by_key.stdout;
    assert!(out.contains("新設 5  変更 3  削除 1  変更なし 10"), "{out}");
    assert!(out.contains("+ 1.(1)②  新設  能登半島地震"), "{out}");
    assert!(out.contains("  1.(1)③ ← 1.(1)②  災害に強い"), "{out}");
    assert!(out.contains("- 1.(2)②  削除  超過勤務"), "{out}");
    assert!(out.contains("徹底{+し，印刷経費を削減+}すること"), "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal: {out:?}"
    );
    let by_year = site.run(&["diff", "総務部/令和6年度", "somu/R7"]);
    by_year.expect_code(0);
    assert_eq!(by_year.stdout, by_key.stdout);
    // Nothing is written.
    assert!(!site.public().exists());
}

#[test]
fn hoshin_diff_of_an_unknown_document_is_a_located_error_with_a_suggestion() {
    let site = Site::fixture("nenji");
    let run = site.run(&["diff", "2024/somu", "2025/smu"]);
    run.expect_code(1);
    let d = run.diagnostic("no document");
    assert!(d.contains("2025/smu"), "{d}");
    assert!(d.contains("did you mean `2025/somu`"), "{d}");
    assert!(d.contains("<command line>:1:"), "{d}");
    let run = site.run(&["diff", "総務部/2030", "2025/somu"]);
    run.expect_code(1);
    let d = run.diagnostic("no document of 総務部");
    assert!(d.contains("総務部 has documents for"), "{d}");
}

#[test]
fn an_unknown_previous_fails_the_build_at_its_line() {
    let site = Site::fixture("nenji");
    let path = site.root().join("content/2025/kodomo-mirai.md");
    let text = std::fs::read_to_string(&path).unwrap();
    site.write(
        "content/2025/kodomo-mirai.md",
        text.replace("previous: 子ども家庭部/令和6年度", "previous: 2024/kodmo"),
    );
    let run = site.build();
    run.expect_code(1);
    let d = run.diagnostic("2024/kodmo");
    assert!(d.contains("content/2025/kodomo-mirai.md:7:11"), "{d}");
    assert!(d.contains("did you mean `2024/kodomo`"), "{d}");
}

#[test]
fn a_document_under_compare_is_refused_as_a_reserved_name() {
    let site = Site::fixture("nenji");
    site.write(
        "content/compare/2025/somu.md",
        "---\nyear: 2025\ndepartment: 総務部\nauthor: X\n---\n\n1. a\n",
    );
    site.build()
        .expect_code(1)
        .expect_stderr("would land in `compare/`, a folder hoshin generates")
        .expect_stderr("content/compare/2025/somu.md:1:1");
}

/// Where the browser test saves its screenshots: `HOSHIN_SCREENSHOTS` if set.
fn screenshot_dir(tmp: &std::path::Path) -> std::path::PathBuf {
    std::env::var_os("HOSHIN_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.to_path_buf())
}

#[test]
fn unchanged_rows_collapse_behind_a_toggle_and_print_whole_on_a4_landscape() {
    let Some(browser) = Browser::launch_or_skip("compare toggle") else {
        return;
    };
    let site = built();
    let page = browser.new_page().unwrap();
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 1100, "deviceScaleFactor": 1, "mobile": false}),
    )
    .unwrap();
    let file = site.public().join("compare/2025/somu.html");
    let url = format!("file://{}", file.canonicalize().unwrap().display());
    page.goto(&url).unwrap();
    let shots = screenshot_dir(site.root());
    let hidden_same_rows = "Array.from(document.querySelectorAll('tbody.same-run > tr[data-change]')).filter(r => getComputedStyle(r).display === 'none').length";
    let same_rows = "document.querySelectorAll('tbody.same-run > tr[data-change]').length";
    let total = page.eval(same_rows).unwrap();
    assert!(
        total.as_u64().unwrap() >= 6,
        "runs of unchanged rows: {total}"
    );
    // Collapsed on load; changed, new and removed rows stay in sight.
    assert_eq!(page.eval(hidden_same_rows).unwrap(), total);
    let visible_changes = "Array.from(document.querySelectorAll('tr[data-change]:not([data-change=same])')).every(r => getComputedStyle(r).display !== 'none')";
    assert_eq!(page.eval(visible_changes).unwrap(), json!(true));
    let button = "document.querySelector('tbody.same-run .run-button')";
    assert_eq!(
        page.eval(&format!("{button}.getAttribute('aria-expanded')"))
            .unwrap(),
        "false"
    );
    assert_eq!(
        page.eval(&format!("{button}.textContent")).unwrap(),
        json!("変更のない3項目を表示")
    );
    screenshot(&page, &shots.join("issue-12-compare-collapsed.png"));
    // The toggle opens its own run only.
    page.eval(&format!("{button}.click()")).unwrap();
    assert_eq!(
        page.eval(&format!("{button}.getAttribute('aria-expanded')"))
            .unwrap(),
        "true"
    );
    let first_run_hidden = "Array.from(document.querySelector('tbody.same-run').querySelectorAll('tr[data-change]')).filter(r => getComputedStyle(r).display === 'none').length";
    assert_eq!(page.eval(first_run_hidden).unwrap(), json!(0));
    assert!(page.eval(hidden_same_rows).unwrap().as_u64().unwrap() > 0);
    screenshot(&page, &shots.join("issue-12-compare-expanded.png"));
    page.eval(&format!("{button}.click()")).unwrap();
    assert_eq!(page.eval(hidden_same_rows).unwrap(), total);
    // Printed: every row, no toggle, no site navigation.
    page.call("Emulation.setEmulatedMedia", json!({"media": "print"}))
        .unwrap();
    assert_eq!(page.eval(hidden_same_rows).unwrap(), json!(0));
    let toggles_shown = "Array.from(document.querySelectorAll('.run-toggle')).filter(r => getComputedStyle(r).display !== 'none').length";
    assert_eq!(page.eval(toggles_shown).unwrap(), json!(0));
    assert_eq!(
        page.eval("getComputedStyle(document.querySelector('.site-header')).display")
            .unwrap(),
        "none"
    );
    screenshot(&page, &shots.join("issue-12-compare-print.png"));
    // The printed page is A4 landscape (842 × 595 pt).
    let pdf = page
        .call("Page.printToPDF", json!({"preferCSSPageSize": true}))
        .unwrap();
    let pdf = pdf["data"].as_str().unwrap();
    let (w, h) = pdf_page_size(&base64(pdf)).expect("a page size in the PDF");
    assert!(
        (w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0,
        "page {w} × {h} pt"
    );
    page.call("Emulation.setEmulatedMedia", json!({"media": ""}))
        .unwrap();
    // A link to a row inside a run opens it, though an unchanged row has no
    // id of its own (compare.js finds #new-<id> by data-new).
    page.goto("about:blank").unwrap();
    page.goto(&format!("{url}#new-n1-p1-c3")).unwrap();
    let open =
        "getComputedStyle(document.querySelector('tr[data-new=\"n1-p1-c3\"]')).display !== 'none'";
    assert_eq!(page.eval(open).unwrap(), json!(true));
    assert!(
        page.eval(hidden_same_rows).unwrap().as_u64().unwrap() > 0,
        "other runs stay collapsed"
    );
    // The badges' explanation is their tooltip, added by hoshin.js.
    let doc = site.public().join("2025/somu.html");
    page.goto(&format!("file://{}", doc.canonicalize().unwrap().display()))
        .unwrap();
    let titles = "Array.from(document.querySelectorAll('.yoy-badge')).map(b => b.title)";
    let titles = page.eval(titles).unwrap();
    let titles = titles.as_array().unwrap();
    assert!(!titles.is_empty());
    assert!(
        titles
            .iter()
            .all(|t| t.as_str().unwrap().contains("新旧対照表")),
        "{titles:?}"
    );
    assert!(page.exceptions().is_empty(), "{:?}", page.exceptions());
}

/// Saves a PNG of the viewport.
fn screenshot(page: &Page, path: &std::path::Path) {
    let r = page
        .call("Page.captureScreenshot", json!({"format": "png"}))
        .unwrap();
    std::fs::write(path, base64(r["data"].as_str().unwrap())).unwrap();
}

/// The first `/MediaBox [0 0 W H]` of a PDF.
fn pdf_page_size(pdf: &[u8]) -> Option<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox")?;
    let rest = &text[at + "/MediaBox".len()..];
    let open = rest.find('[')?;
    let close = rest.find(']')?;
    let nums: Vec<f64> = rest[open + 1..close]
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match nums.as_slice() {
        [x0, y0, x1, y1] => Some((x1 - x0, y1 - y0)),
        _ => None,
    }
}

fn base64(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
