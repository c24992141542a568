//! Issue "watch and serve": the real binary watching a copy of the sample
//! site, driven as an author would — edits in place and by rename, a broken
//! edit and its fix, a new document and its deletion, a template override —
//! and compared with a clean `hoshin build` at the end; `serve` answering
//! HTTP and sending `reload` over its event stream.
//!
//! Every wait is bounded (see `support::watch::PATIENCE`) and fails with what the
//! child printed; nothing asserts on timing.

use crate::support::watch::{http_get, tree_difference, EventStream, Running, TempSite};

const SOMU: &str = "content/2023/somu.md";
const SHIMIN: &str = "content/2026/shimin.md";
const KIKAKU: &str = "content/2024/kikaku.md";

/// A new document that cites 「総務部（令和5年度）1.(3)⑥」.
const KIKAKU_TEXT: &str = "---\nyear: 2024\ndepartment: 企画部\nauthor: 企画部長\ntitle: 企画部の運営方針\n---\n\n1. 事務の適正化\n\n(1) [[総務部/2023#1.(3)⑥]] に倣い、根拠法令を確認する。\n";

fn page(site: &TempSite, rel: &str) -> String {
    site.output(rel).unwrap_or_default()
}

fn started(site: &TempSite, extra: &[&str]) -> Running {
    let mut running = Running::watch(site, extra);
    running.wait_until("the first build", || {
        page(site, "2023/somu.html").contains("事務の適正化")
    });
    running
}

/// The watched output must become what a clean build makes of the same site,
/// file for file and byte for byte, nothing excluded; watch keeps running.
fn ends_equal_to_a_clean_build(site: &TempSite, w: &mut Running) {
    let clean = site.root.parent().unwrap().join("clean");
    assert_cmd::Command::cargo_bin("hoshin")
        .unwrap()
        .args(["build", "--root"])
        .arg(&site.root)
        .arg("--output")
        .arg(&clean)
        .assert()
        .success();
    w.wait_until_ok("the watched output to equal a clean build", || {
        tree_difference(&site.out, &clean).map_or(Ok(()), Err)
    });
    assert!(w.is_running());
}

#[test]
fn watch_follows_an_author_and_ends_equal_to_a_clean_build() {
    let site = TempSite::sample();
    let mut w = started(&site, &[]);

    site.edit_in_place(
        SOMU,
        "市民に寄り添う徹底した現場主義",
        "市民に寄り添う徹底した現場第一主義",
    );
    w.wait_until("an in-place edit", || {
        page(&site, "2023/somu.html").contains("現場第一主義")
    });

    site.edit_by_rename(SHIMIN, "運営方針", "運営基本方針");
    w.wait_until("a save by rename", || {
        page(&site, "2026/shimin.html").contains("運営基本方針")
    });

    site.write(KIKAKU, KIKAKU_TEXT);
    w.wait_until("a new document, and its backlink on the cited page", || {
        page(&site, "2024/kikaku.html").contains("根拠法令を確認する")
            && page(&site, "2023/somu.html").contains("2024/kikaku.html")
    });

    std::fs::remove_file(site.root.join(KIKAKU)).unwrap();
    w.wait_until("the deleted document's page and backlink to go", || {
        !site.out.join("2024/kikaku.html").exists()
            && !page(&site, "2023/somu.html").contains("kikaku")
    });

    let builtin = include_str!("../../themes/default/templates/base.html");
    let banner = "<p class=\"watch-test-banner\">テスト環境</p>";
    assert!(builtin.contains("<main"));
    site.write(
        "themes/default/templates/base.html",
        &builtin.replacen("<main", &format!("{banner}<main"), 1),
    );
    w.wait_until("a template override in every page", || {
        page(&site, "index.html").contains(banner) && page(&site, "2023/somu.html").contains(banner)
    });

    ends_equal_to_a_clean_build(&site, &mut w);
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_until_it_is_fixed() {
    let site = TempSite::sample();
    let mut w = started(&site, &[]);
    let good = page(&site, "2023/somu.html");

    site.edit_in_place(SOMU, "year: \"令和５年度\"", "year: \"来年度\"");
    w.wait_for_stderr("the error to be reported", |err| {
        err.contains("content/2023/somu.md:") && err.contains("the last good site was kept")
    });
    // Another change while broken: still nothing written.
    site.edit_in_place(SOMU, "市民に寄り添う", "市民に必ず寄り添う");
    w.wait_for_stderr("the second failed rebuild", |err| {
        err.matches("the last good site was kept").count() >= 2
    });
    assert_eq!(
        page(&site, "2023/somu.html"),
        good,
        "the page keeps its old content"
    );
    assert!(
        w.is_running(),
        "a broken document does not stop the watcher"
    );

    // Bytes that are not UTF-8 cannot stop it either.
    std::fs::write(
        site.root.join("content/2023/bad.md"),
        b"---\nyear: \x91\x8d\n",
    )
    .unwrap();
    w.wait_for_stderr("the encoding error", |err| err.contains("not UTF-8"));
    std::fs::remove_file(site.root.join("content/2023/bad.md")).unwrap();

    site.edit_in_place(SOMU, "year: \"来年度\"", "year: \"令和５年度\"");
    w.wait_until(
        "the fix to be built with the edit made while broken",
        || page(&site, "2023/somu.html").contains("市民に必ず寄り添う"),
    );
    w.wait_for_stdout("the rebuild's line", |out| {
        out.contains("content/2023/somu.md changed")
    });
}

#[test]
fn polling_notices_changes_too() {
    let site = TempSite::sample();
    let mut w = started(&site, &["--poll"]);
    assert!(w.wait_for_line("watching").contains("polling"));
    // The polling watcher compares modification times in whole seconds: let
    // the second in which the site was copied end, as it has for any real edit.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    site.edit_in_place(SOMU, "風通しの良い職場", "風通しの良い明るい職場");
    w.wait_until("a polled change", || {
        page(&site, "2023/somu.html").contains("明るい職場")
    });
}

#[test]
fn serve_answers_http_and_tells_pages_to_reload() {
    let site = TempSite::sample();
    let (mut s, addr) = Running::serve(&site);
    let (status, body) = http_get(addr, "/2023/somu.html");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("事務の適正化"), "the page is served");
    assert!(
        body.contains("/__hoshin/live.js"),
        "with the live-reload script"
    );

    let mut events = EventStream::open(addr, "/__hoshin/events");
    events.wait_for_event("hello");
    site.edit_in_place(SOMU, "会議の開催は必要最小限", "会議の開催は真に必要最小限");
    events.wait_for_event("reload");
    s.wait_until("the new page to be served", || {
        http_get(addr, "/2023/somu.html")
            .1
            .contains("真に必要最小限")
    });
}

#[test]
fn watch_writes_its_output_again_after_it_was_deleted() {
    let site = TempSite::sample();
    let mut w = started(&site, &[]);

    std::fs::remove_dir_all(site.out.join("static")).unwrap();
    site.edit_in_place(
        SOMU,
        "市民に寄り添う徹底した現場主義",
        "市民に寄り添う徹底した現場第一主義",
    );
    w.wait_until("static/ to come back with the edit", || {
        site.out.join("static/style.css").is_file()
            && page(&site, "2023/somu.html").contains("現場第一主義")
    });

    std::fs::remove_dir_all(&site.out).unwrap();
    site.edit_in_place(SOMU, "現場第一主義", "現場主義");
    w.wait_until("the whole output folder to come back", || {
        page(&site, "2023/somu.html").contains("徹底した現場主義")
            && site.out.join("index.html").is_file()
            && site.out.join("static/hoshin.js").is_file()
    });

    ends_equal_to_a_clean_build(&site, &mut w);
}
