//! Issue "references" (SPEC §4): documents citing each other in every form,
//! into and out of nested folders — hrefs, link texts, backlinks and the
//! anchor index — and every way a reference can fail.

use crate::support::site::{
    self, assert_same_files, element_by_id, outer_html, tags, text_of, Run, Site, Tag,
};
use serde_json::{json, Value};

fn built() -> Site {
    let site = Site::fixture("references");
    site.build_ok();
    site
}

/// The `<a class="ref">` links of the directive `id` on `page`: (href, text).
fn refs_in(site: &Site, page: &str, id: &str) -> Vec<(String, String)> {
    let html = site.page(page);
    let el = element_by_id(&html, id).unwrap_or_else(|| panic!("no #{id} on {page}"));
    let inner = outer_html(&html, &el);
    tags(inner)
        .into_iter()
        .filter(|t| t.name == "a" && t.attr("class") == Some("ref"))
        .map(|t| {
            (
                t.attr("href").unwrap().to_string(),
                text_of(outer_html(inner, &t)),
            )
        })
        .collect()
}

fn one_ref(site: &Site, page: &str, id: &str) -> (String, String) {
    let refs = refs_in(site, page, id);
    assert_eq!(refs.len(), 1, "one reference in {page}#{id}: {refs:?}");
    refs.into_iter().next().unwrap()
}

fn pair(href: &str, text: &str) -> (String, String) {
    (href.to_string(), text.to_string())
}

const LABEL: &str = "総務部（令和5年度）1.(3)⑥";

#[test]
fn every_form_of_a_directive_reference_resolves_to_the_same_anchor() {
    let site = built();
    let p = "2024/somu.html";
    let expected = pair("../2023/somu.html#n1-p3-c6", LABEL);
    assert_eq!(
        one_ref(&site, p, "n1-p1"),
        expected,
        "[[2023/somu#n1-p3-c6]]"
    );
    assert_eq!(
        one_ref(&site, p, "n1-p2"),
        expected,
        "[[総務部/2023#1.(3)⑥]]"
    );
    assert_eq!(
        one_ref(&site, p, "n1-p3"),
        expected,
        "[[総務部/令和5年度#１．（３）⑥]]"
    );
    assert_eq!(one_ref(&site, p, "n1-p4"), expected, "[[総務部/R5#1(3)⑥]]");
    assert_eq!(
        one_ref(&site, p, "n1-p10"),
        pair("../2023/somu.html#n1-p2-c1", "総務部（令和5年度）1.(2)①"),
        "[[somu/2023#…]] by the department's slug"
    );
}

#[test]
fn same_document_references_link_to_the_anchor_only() {
    let site = built();
    assert_eq!(
        one_ref(&site, "2024/somu.html", "n1-p5"),
        pair("#n1-p1", "総務部（令和6年度）1.(1)")
    );
    assert_eq!(
        one_ref(&site, "2023/somu.html", "n1-p3-c6"),
        pair("#n1-p1", "総務部（令和5年度）1.(1)"),
        "[[#n1-p1]]"
    );
    assert_eq!(
        one_ref(&site, "2023/somu.html", "n1-p3-c10"),
        pair("#n1-p3-c9", "総務部（令和5年度）1.(3)⑨"),
        "[[#1.(3)⑨]] by citation"
    );
}

#[test]
fn whole_document_references_show_the_title_and_own_text_is_kept() {
    let site = built();
    assert_eq!(
        one_ref(&site, "2024/somu.html", "n1-p6"),
        pair("../2023/somu.html", "令和５年度総務部の運営方針について")
    );
    assert_eq!(
        one_ref(&site, "2024/somu.html", "n1-p7"),
        pair("../2023/somu.html#n1-p3-c6", "前年度の根拠法令の確認")
    );
}

#[test]
fn markdown_links_to_md_files_and_anchors_are_rewritten() {
    let site = built();
    assert_eq!(
        refs_in(&site, "2024/somu.html", "n1-p8"),
        [
            pair("../2023/somu.html#n1-p2", "前年度の(2)"),
            pair("#n1", "冒頭")
        ]
    );
    let html = site.page("2024/somu.html");
    assert!(!html.contains(".md"), "no link to a .md file is left");
}

#[test]
fn references_into_and_out_of_nested_folders() {
    let site = built();
    assert_eq!(
        one_ref(&site, "2024/somu.html", "n1-p9"),
        pair("../a/b/c.html#n1", "企画部（令和6年度）1.")
    );
    assert_eq!(
        refs_in(&site, "a/b/c.html", "n1"),
        [
            pair("../../2023/somu.html#n1-p3-c6", LABEL),
            pair("../../2023/somu.html#n1-p1", "前年度の総務部")
        ]
    );
}

#[test]
fn every_link_of_the_site_resolves() {
    let site = built();
    let problems = site::broken_links(&site.public());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The `<details class="backlinks">` right after the element of directive `id`.
fn backlinks_after(html: &str, id: &str) -> Vec<(String, String)> {
    let el = element_by_id(html, id).unwrap();
    let after = &html[el.start + outer_html(html, &el).len()..];
    let after = after.trim_start();
    assert!(
        after.starts_with("<details class=\"backlinks\""),
        "no backlinks right after #{id}: {}",
        &after[..after.len().min(200)]
    );
    let all = tags(after);
    let details: &Tag = &all[0];
    let block = outer_html(after, details);
    tags(block)
        .into_iter()
        .filter(|t| t.name == "a")
        .map(|t| {
            (
                t.attr("href").unwrap().to_string(),
                text_of(outer_html(block, &t)),
            )
        })
        .collect()
}

#[test]
fn the_cited_directive_lists_who_cites_it() {
    let site = built();
    let html = site.page("2023/somu.html");
    let links = backlinks_after(&html, "n1-p3-c6");
    for (href, text) in [
        ("../2024/somu.html#n1-p1", "総務部（令和6年度）1.(1)"),
        ("../2024/somu.html#n1-p2", "総務部（令和6年度）1.(2)"),
        ("../2024/somu.html#n1-p3", "総務部（令和6年度）1.(3)"),
        ("../2024/somu.html#n1-p4", "総務部（令和6年度）1.(4)"),
        ("../2024/somu.html#n1-p7", "総務部（令和6年度）1.(7)"),
        ("../a/b/c.html#n1", "企画部（令和6年度）1."),
    ] {
        assert!(
            links.contains(&pair(href, text)),
            "backlink {text} → {href} missing: {links:?}"
        );
    }
    assert_eq!(links.len(), 6, "{links:?}");
    // Same-document citers link within the page.
    assert!(backlinks_after(&html, "n1-p1").contains(&pair("#n1-p3-c6", LABEL)));
    // In a nested page, backlinks climb to the root.
    let nested = site.page("a/b/c.html");
    assert_eq!(
        backlinks_after(&nested, "n1"),
        [pair(
            "../../2024/somu.html#n1-p9",
            "総務部（令和6年度）1.(9)"
        )]
    );
    // A directive nobody cites has no backlinks block.
    let el = element_by_id(&html, "n1-p3-c8").unwrap();
    let after = &html[el.start + outer_html(&html, &el).len()..];
    assert!(!after
        .trim_start()
        .starts_with("<details class=\"backlinks\""));
}

#[test]
fn document_backlinks_list_references_to_the_whole_document() {
    let site = built();
    let html = site.page("2023/somu.html");
    let start = html
        .find("class=\"doc-backlinks\"")
        .expect("a section of document backlinks");
    let section = &html[start..html[start..].find("</section>").unwrap() + start];
    let links: Vec<(String, String)> = tags(section)
        .into_iter()
        .filter(|t| t.name == "a")
        .map(|t| {
            (
                t.attr("href").unwrap().to_string(),
                text_of(outer_html(section, &t)),
            )
        })
        .collect();
    assert!(
        links.contains(&pair("../2024/somu.html#n1-p6", "総務部（令和6年度）1.(6)")),
        "{links:?}"
    );
    assert!(
        links.iter().any(|(h, _)| h == "../2024/somu.html"),
        "the preamble's reference: {links:?}"
    );
}

#[test]
fn directives_json_records_references_both_ways() {
    let site = built();
    let j = site.directives_json();
    let d = site.directive(&j, "2023/somu", "n1-p3-c6");
    assert_eq!(
        d["references"],
        json!([{"doc": "2023/somu", "id": "n1-p1"}])
    );
    let by: Vec<Value> = d["referenced_by"].as_array().unwrap().clone();
    for (doc, id) in [
        ("2024/somu", "n1-p1"),
        ("2024/somu", "n1-p2"),
        ("2024/somu", "n1-p3"),
        ("2024/somu", "n1-p4"),
        ("2024/somu", "n1-p7"),
        ("a/b/c", "n1"),
    ] {
        assert!(
            by.contains(&json!({"doc": doc, "id": id})),
            "{doc}#{id} in {by:?}"
        );
    }
    assert_eq!(by.len(), 6);
    assert_eq!(
        site.directive(&j, "2024/somu", "n1-p6")["references"],
        json!([{"doc": "2023/somu", "id": null}])
    );
    assert_eq!(
        site.directive(&j, "2024/somu", "n1-p8")["references"],
        json!([{"doc": "2023/somu", "id": "n1-p2"}, {"doc": "2024/somu", "id": "n1"}])
    );
    assert_eq!(
        site.directive(&j, "a/b/c", "n1")["references"],
        json!([{"doc": "2023/somu", "id": "n1-p1"}, {"doc": "2023/somu", "id": "n1-p3-c6"}])
    );
    assert_eq!(
        site.directive(&j, "a/b/c", "n1")["referenced_by"],
        json!([{"doc": "2024/somu", "id": "n1-p9"}])
    );
    assert_eq!(
        site.directive(&j, "2023/somu", "n1-p3-c9")["referenced_by"],
        json!([{"doc": "2023/somu", "id": "n1-p3-c10"}])
    );
    assert_eq!(
        site.directive(&j, "2023/somu", "n1-p3-c8")["referenced_by"],
        json!([])
    );
}

// ------------------------------------------------------------ broken references

const BROKEN: &str = "content/2024/broken.md";

fn broken_text() -> String {
    std::fs::read_to_string(site::fixture("references_broken").join(BROKEN)).unwrap()
}

fn location(text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the fixture"));
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    format!(
        "{BROKEN}:{line}:{}",
        text[line_start..at].chars().count() + 1
    )
}

/// The good site is built, then broken; the failed build is returned.
fn broken_build() -> (Site, Run) {
    let site = built();
    site::copy_tree(&site::fixture("references_broken"), site.root());
    let before = site.snapshot();
    let run = site.build();
    run.expect_code(1);
    assert_same_files(&before, &site.snapshot());
    (site, run)
}

fn diagnostic_at(run: &Run, written: &str) -> String {
    let d = run.diagnostic(written);
    let loc = location(&broken_text(), written);
    assert!(
        d.contains(&format!("--> {loc}")),
        "{written} is located at {loc}:\n{d}"
    );
    d
}

#[test]
fn unknown_document() {
    let (_site, run) = broken_build();
    let d = diagnostic_at(&run, "[[2023/soumu#n1]]");
    assert!(d.contains("no document `2023/soumu`"), "{d}");
    assert!(d.contains("did you mean `2023/somu`"), "{d}");
}

#[test]
fn unknown_directive_suggests_the_nearest_citation_and_lists_the_level() {
    let (_site, run) = broken_build();
    let d = diagnostic_at(&run, "[[総務部/2023#1.(3)⑪]]");
    assert!(d.contains("has no directive `1.(3)⑪`"), "{d}");
    assert!(d.contains("did you mean 1.(3)⑩?"), "{d}");
    assert!(d.contains("note: 1.(3) has: 1.(3)①, 1.(3)②"), "{d}");
    assert!(d.contains("1.(3)⑩"), "{d}");
}

#[test]
fn unknown_anchor_id_suggests_the_nearest_id() {
    let (_site, run) = broken_build();
    let d = diagnostic_at(&run, "[[2023/somu#n1-p3-c11]]");
    assert!(d.contains("did you mean n1-p3-c10?"), "{d}");
}

#[test]
fn a_year_without_a_document_of_the_department() {
    let (_site, run) = broken_build();
    let d = diagnostic_at(&run, "[[総務部/2022#1.(1)]]");
    assert!(d.contains("no document of 総務部 for 令和4年度"), "{d}");
    assert!(
        d.contains("令和5年度（2023年度）") && d.contains("令和6年度（2024年度）"),
        "the years that exist: {d}"
    );
}

#[test]
fn ambiguous_department_and_year_lists_both_keys() {
    let (_site, run) = broken_build();
    let d = diagnostic_at(&run, "[[企画部/2024#1.]]");
    assert!(d.contains("ambiguous"), "{d}");
    assert!(d.contains("a/b/c") && d.contains("x/kikaku"), "{d}");
}

#[test]
fn a_broken_markdown_link_to_a_md_file() {
    let (_site, run) = broken_build();
    let d = diagnostic_at(&run, "[前年度](../2022/somu.md#n1)");
    assert!(d.contains("../2022/somu.md#n1"), "the link as written: {d}");
    assert!(d.contains("no document `2022/somu`"), "{d}");
}

#[test]
fn all_broken_references_are_reported_in_one_run() {
    let (_site, run) = broken_build();
    run.expect_stderr("6 errors");
    let locs = run.locations();
    assert_eq!(
        locs.iter().filter(|l| l.starts_with(BROKEN)).count(),
        6,
        "{locs:?}"
    );
}

#[test]
fn check_fails_the_same_way_and_writes_nothing() {
    let site = Site::from_fixtures(&["references", "references_broken"]);
    let before = site.snapshot();
    let run = site.check();
    run.expect_code(1).expect_stderr("6 errors");
    assert!(!site.public().exists(), "check wrote public/");
    assert_same_files(&before, &site.snapshot());
}

#[test]
fn a_non_utf8_escape_in_a_link_is_reported_not_a_crash() {
    let site = built();
    site.write(
        "content/2024/odd.md",
        "---\nyear: 2024\ndepartment: 市民部\nauthor: X\n---\n\n[壊れた](a%あ.md)\n",
    );
    let before = site.snapshot();
    let run = site.build();
    run.expect_code(1).expect_stderr("content/2024/odd.md:7:1");
    assert_same_files(&before, &site.snapshot());
}

// ------------------------------------------------------------ the copy button

#[test]
fn every_copy_buttons_reference_resolves_to_its_own_directive() {
    // The sample site and the 公用文 fixture side by side, and a new policy that
    // pastes what each directive's copy button gives.
    let site = Site::fixture("kobunsho");
    site::copy_tree(&site::repo().join("content"), &site.root().join("content"));
    site.build_ok();
    let mut expected = Vec::new();
    let mut pasted = String::from("---\nyear: 2030\ndepartment: 検証部\nauthor: X\n---\n");
    for (page, key) in [
        ("2023/somu.html", "2023/somu"),
        ("2026/shimin.html", "2026/shimin"),
        ("2024/kikaku.html", "2024/kikaku"),
    ] {
        let html = site.page(page);
        // hoshin.js composes the markup from the article's prefix and the directive's citation.
        let article = tags(&html)
            .into_iter()
            .find(|t| t.name == "article")
            .unwrap_or_else(|| panic!("no article on {page}"));
        let prefix = article.attr("data-ref-prefix").unwrap().to_string();
        for el in tags(&html).into_iter().filter(|t| {
            t.attr("class")
                .is_some_and(|c| c.split(' ').any(|c| c == "directive"))
        }) {
            // The button itself is added by hoshin.js (tests/directive_tools.rs).
            let id = el.attr("id").unwrap().to_string();
            let cite = el.attr("data-cite").unwrap();
            expected.push(json!([{"doc": key, "id": id}]));
            pasted.push_str(&format!("\n({}) [[{prefix}#{cite}]]\n", expected.len()));
        }
    }
    assert_eq!(expected.len(), 36 + 29 + 54);
    site.write("content/2030/check.md", &pasted);
    site.build_ok();
    let j = site.directives_json();
    let got: Vec<Value> = j["directives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["doc"] == "2030/check")
        .map(|d| d["references"].clone())
        .collect();
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "pasted reference ({})", i + 1);
    }
}

#[test]
fn a_reference_to_a_directive_previews_its_text() {
    let site = built();
    let html = site.page("2024/somu.html");
    let el = element_by_id(&html, "n1-p2").unwrap();
    let link = tags(outer_html(&html, &el))
        .into_iter()
        .find(|t| t.name == "a" && t.attr("class") == Some("ref"))
        .unwrap();
    let json = site.directives_json();
    let cited = json["directives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["doc"] == "2023/somu" && d["id"] == "n1-p3-c6")
        .unwrap();
    let opening: String = cited["text"].as_str().unwrap().chars().take(20).collect();
    let title = site::decode_entities(link.attr("title").expect("a tooltip"));
    assert!(title.starts_with(&opening), "{title:?} / {opening:?}");
}

#[test]
fn the_summary_line_counts_the_references_it_resolved() {
    let site = Site::fixture("references");
    let run = site.build_ok();
    let built = run.stdout.lines().next().unwrap_or_default().to_string();
    // Every resolved reference is a link on some page: the count the
    // summary gives must be the count of those links, not 0.
    let count: usize = built
        .split(", ")
        .find_map(|part| part.strip_suffix(" references"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no reference count in {built:?}"));
    assert!(count > 0, "{built}");
    let mut links = 0;
    for entry in walkdir::WalkDir::new(site.public()) {
        let entry = entry.unwrap();
        let path = entry.path();
        let is_page = path.extension().is_some_and(|e| e == "html")
            && !path.components().any(|c| c.as_os_str() == "compare");
        if is_page && entry.file_type().is_file() {
            let html = std::fs::read_to_string(path).unwrap();
            links += tags(&html)
                .into_iter()
                .filter(|t| t.name == "a" && t.attr("class") == Some("ref"))
                .count();
        }
    }
    assert_eq!(count, links, "{built}");
}
