//! Browser tests of the search (SPEC §6) in real headless Chromium, over
//! `file://` and over `http://` (`hoshin::serve` on 127.0.0.1).
//!
//! - The real sample site: built from `content/` with the `hoshin` binary
//!   (or taken from `$HOSHIN_SEARCH_SITE`, an already built output folder).
//!   Expected directives are looked up in its `directives.json` by
//!   department, year and citation.
//! - A fixture site: the seed policies parsed into records, indexed with
//!   `build_index`, with minimal pages that follow the base.html contract;
//!   it also carries the shared normalisation vectors.
//!
//! - The delta overlay (`build_delta`): the fixture with one document
//!   edited, then removed, searched through `search/delta.js` over the
//!   full index, and compared with a full build of the same records.
//!
//! Skipped with a loud message when Chromium is absent, unless
//! `HOSHIN_REQUIRE_BROWSER=1`. Every wait is bounded; nothing asserts timing.
//! `large_site_budget` (ignored; run with `--ignored --nocapture`) measures
//! the bytes a query loads on a 5,000-document synthetic site.

use hoshin::search::{
    build_delta, build_index, build_index_with_state, normalize, OutputFile, SearchRecord,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::support::browser::{self as cdp, Browser, Page, SECS_10};
use crate::support::search_fixture;

/// The repository.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a query string may hold as it is.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn pct(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY).to_string()
}

/// A built site served over HTTP by hoshin's own preview server.
struct Served(hoshin::serve::Server);

impl Served {
    /// `http://127.0.0.1:PORT/` + `path`.
    fn url(&self, path: &str) -> String {
        format!(
            "http://{}/{}",
            self.0.local_addr(),
            path.trim_start_matches('/')
        )
    }
}

fn serve(root: &Path) -> Served {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let live = hoshin::serve::LiveState::new();
    Served(hoshin::serve::start(addr, root.to_path_buf(), live).expect("serve the site"))
}

/// A built site on disk and where its directives are.
struct Site {
    root: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    /// (department, year, citation) → url relative to the root.
    targets: HashMap<(String, i32, String), String>,
}

impl Site {
    fn url(&self, department: &str, year: i32, citation: &str) -> String {
        self.targets
            .get(&(department.to_string(), year, citation.to_string()))
            .cloned()
            .unwrap_or_else(|| panic!("no directive {department} {year} {citation} in the site"))
    }

    /// `file://` address of a page.
    fn file_url(&self, path: &str) -> String {
        let root = self.root.canonicalize().unwrap();
        format!("file://{}/{}", root.display(), path)
    }

    /// The seed policies indexed with `build_index` behind minimal pages.
    fn fixture() -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let records = search_fixture::seed_records();
        write_index(&root, &records);
        let mut targets = HashMap::new();
        let mut docs: Vec<(&str, &str)> = Vec::new();
        for r in &records {
            if !r.citation.is_empty() {
                targets.insert(
                    (r.department.to_string(), r.year, r.citation.to_string()),
                    r.url(),
                );
            }
            if !docs.iter().any(|(d, _)| *d == r.doc) {
                docs.push((&r.doc, &r.title));
            }
        }
        for (doc, title) in &docs {
            let body: String = records
                .iter()
                .filter(|r| r.doc == *doc)
                .map(|r| match &r.id {
                    Some(id) => format!("<p id=\"{id}\">{} {}</p>\n", r.citation, r.text),
                    None => format!("<h1>{title}</h1><p>{}</p>\n", r.text),
                })
                .collect();
            let path = root.join(format!("{doc}.html"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, layout("../", title, &body)).unwrap();
        }
        let links: String = docs
            .iter()
            .map(|(doc, title)| format!("<li><a href=\"{doc}.html\">{title}</a></li>"))
            .collect();
        std::fs::write(
            root.join("index.html"),
            layout("", "運営方針", &format!("<ul>{links}</ul>")),
        )
        .unwrap();
        Site {
            root,
            _tmp: Some(tmp),
            targets,
        }
    }

    /// The sample site built from `content/`, if it can be had here.
    fn real() -> Option<Site> {
        let (root, tmp) = if let Some(dir) = std::env::var_os("HOSHIN_SEARCH_SITE") {
            (PathBuf::from(dir), None)
        } else {
            let Some(bin) = option_env!("CARGO_BIN_EXE_hoshin") else {
                cdp::loud("!!! real-site search tests skipped: no hoshin binary in this build (set HOSHIN_SEARCH_SITE)");
                return None;
            };
            if !repo().join("content").is_dir() {
                cdp::loud("!!! real-site search tests skipped: no content/ folder");
                return None;
            }
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("public");
            let status = std::process::Command::new(bin)
                .arg("build")
                .arg("--root")
                .arg(repo())
                .arg("--output")
                .arg(&out)
                .status()
                .expect("run hoshin build");
            assert!(status.success(), "hoshin build of the sample site failed");
            (out, Some(tmp))
        };
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("directives.json")).ok()?)
                .ok()?;
        let mut docs = HashMap::new();
        for d in json["documents"].as_array()? {
            docs.insert(
                d["key"].as_str()?.to_string(),
                (
                    d["department"].as_str()?.to_string(),
                    d["year"].as_i64()? as i32,
                ),
            );
        }
        let mut targets = HashMap::new();
        for d in json["directives"].as_array()? {
            let (dept, year) = docs.get(d["doc"].as_str()?)?.clone();
            targets.insert(
                (dept, year, d["citation"].as_str()?.to_string()),
                d["url"].as_str()?.to_string(),
            );
        }
        Some(Site {
            root,
            _tmp: tmp,
            targets,
        })
    }
}

/// A page following the base.html contract.
fn layout(root: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\" data-root=\"{root}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"{root}static/search.css\"></head><body>\
         <header><form class=\"hoshin-search\" action=\"{root}search.html\" role=\"search\"><input type=\"search\" name=\"q\" \
         placeholder=\"検索\" aria-label=\"検索\" autocomplete=\"off\"></form></header>\
         <main id=\"main\">{body}</main><script src=\"{root}static/search.js\"></script></body></html>\n"
    )
}

/// Writes `files` under `root`.
fn write_files(root: &Path, files: Vec<OutputFile>) {
    for f in files {
        let path = root.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, f.bytes).unwrap();
    }
}

/// Writes the index of `records`, the theme's search files and search.html.
fn write_index(root: &Path, records: &[SearchRecord]) {
    write_files(root, build_index(records));
    let theme = repo().join("themes/default");
    std::fs::create_dir_all(root.join("static")).unwrap();
    for name in ["search.js", "search.css"] {
        std::fs::copy(
            theme.join("static").join(name),
            root.join("static").join(name),
        )
        .unwrap();
    }
    let template = std::fs::read_to_string(theme.join("templates/search.html")).unwrap();
    let start = template.find("{% block content %}").unwrap() + "{% block content %}".len();
    let end = template.find("{% endblock content %}").unwrap();
    let body = template[start..end].replace("{{ root }}", "");
    std::fs::write(root.join("search.html"), layout("", "検索", &body)).unwrap();
}

/// A query and the directive that must come first (None: no result).
struct Case {
    q: &'static str,
    year: Option<i32>,
    department: Option<&'static str>,
    first: Option<(&'static str, i32, &'static str)>,
}

const fn case(q: &'static str, first: Option<(&'static str, i32, &'static str)>) -> Case {
    Case {
        q,
        year: None,
        department: None,
        first,
    }
}

const SOMU: &str = "総務部";
const SHIMIN: &str = "市民部";

fn cases() -> Vec<Case> {
    vec![
        case("節目の年", Some((SOMU, 2023, "1.(1)②"))),
        case("風通しの良い職場", Some((SOMU, 2023, "1.(3)③"))),
        case("ハラスメントの根絶", Some((SOMU, 2023, "1.(4)③"))),
        case("苦情対応", Some((SOMU, 2023, "1.(3)⑤"))),
        case("感染予防対策", Some((SOMU, 2023, "1.(3)⑩"))),
        case("市税", Some((SOMU, 2023, "2.(1)④"))),
        // Width and case.
        case("sdgs", Some((SOMU, 2023, "1.(2)①"))),
        case("ＳＤＧＳ", Some((SOMU, 2023, "1.(2)①"))),
        case("SDGsのゴール", Some((SOMU, 2023, "1.(2)①"))),
        case("午後８時", Some((SOMU, 2023, "1.(3)⑨"))),
        case("生成ＡＩ", Some((SHIMIN, 2026, "1.(2)①"))),
        case("bprの視点", Some((SHIMIN, 2026, "2.(2)"))),
        case("第Ⅱ期", Some((SHIMIN, 2026, "2.(2)"))),
        // Soft line breaks of the PDF seed inside the phrase.
        case("地域共生社会の推進も視野", Some((SOMU, 2023, "1.(2)①"))),
        case("誰もが自分らしく", Some((SOMU, 2023, "1.(1)①"))),
        // Mixed and katakana.
        case("タイムパフォーマンス", Some((SHIMIN, 2026, "3.(9)"))),
        case("モデルケース", Some((SHIMIN, 2026, "1.(3)①"))),
        case("デジタル技術", Some((SHIMIN, 2026, "4.(3)"))),
        // A heading: the directive itself before its children.
        case("旧庁舎用地利活用事業", Some((SHIMIN, 2026, "1.(3)"))),
        // Citations, any width.
        case("1.(3)⑥", Some((SOMU, 2023, "1.(3)⑥"))),
        case("１．（３）⑥", Some((SOMU, 2023, "1.(3)⑥"))),
        // Filters.
        Case {
            q: "ワーク・ライフ・バランス",
            year: Some(2026),
            department: None,
            first: Some((SHIMIN, 2026, "3.(9)")),
        },
        Case {
            q: "ワーク・ライフ・バランス",
            year: None,
            department: Some(SOMU),
            first: Some((SOMU, 2023, "1.(3)⑧")),
        },
        Case {
            q: "1.(2)",
            year: Some(2026),
            department: Some(SHIMIN),
            first: Some((SHIMIN, 2026, "1.(2)")),
        },
        Case {
            q: "苦情対応",
            year: Some(2026),
            department: None,
            first: None,
        },
        // No result.
        case("存在しない語句", None),
        case("量子コンピュータ", None),
        case("zzqx", None),
    ]
}

fn search(page: &Page, q: &str, year: Option<i32>, department: Option<&str>) -> Vec<Value> {
    let opts = json!({"year": year, "department": department, "limit": 20});
    let js = format!(
        "hoshin.search({}, {opts})",
        serde_json::to_string(q).unwrap()
    );
    match page.eval(&js) {
        Ok(Value::Array(a)) => a,
        other => panic!("hoshin.search({q}): {other:?}"),
    }
}

/// Runs the query table on `base` (a folder URL ending in `/`).
fn check_queries(page: &Page, site: &Site, base: &str) {
    page.goto(&format!("{base}index.html")).unwrap();
    page.wait_for(
        "window.hoshin && typeof hoshin.search === 'function'",
        SECS_10,
    )
    .unwrap();
    let mut failures = Vec::new();
    for c in cases() {
        let results = search(page, c.q, c.year, c.department);
        let got = results
            .first()
            .map(|r| r["url"].as_str().unwrap_or("").to_string());
        let want = c.first.map(|(d, y, cit)| site.url(d, y, cit));
        if got != want {
            let urls: Vec<&str> = results
                .iter()
                .take(5)
                .filter_map(|r| r["url"].as_str())
                .collect();
            failures.push(format!(
                "{} {:?} {:?}: want {want:?}, got {urls:?}",
                c.q, c.year, c.department,
            ));
        }
        for r in &results {
            for key in ["url", "doc", "label", "title", "snippet"] {
                if !r[key].is_string() {
                    failures.push(format!("{}: result without {key}: {r}", c.q));
                }
            }
            if !r["score"].is_number() || !(r["id"].is_string() || r["id"].is_null()) {
                failures.push(format!("{}: bad score or id: {r}", c.q));
            }
        }
    }
    // Characters standing apart do not match: 1.(4)① holds 職員の育成, 1.(2)① 「職員育成」.
    let urls: Vec<String> = search(page, "職員育成", None, None)
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect();
    if !urls.contains(&site.url(SOMU, 2023, "1.(2)①"))
        || urls.contains(&site.url(SOMU, 2023, "1.(4)①"))
    {
        failures.push(format!("職員育成: {urls:?}"));
    }
    // Two parts: both must match, anywhere.
    let urls: Vec<String> = search(page, "職員 ハラスメント", None, None)
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect();
    if !urls.contains(&site.url(SOMU, 2023, "1.(4)③")) {
        failures.push(format!("職員 ハラスメント: {urls:?}"));
    }
    // Snippets: escaped text with the match in <mark>.
    let r = search(page, "苦情対応", None, None);
    let snippet = r[0]["snippet"].as_str().unwrap();
    if !snippet.contains("<mark>苦情対応</mark>") {
        failures.push(format!("snippet: {snippet}"));
    }
    let exceptions = page.exceptions();
    assert!(
        exceptions.is_empty(),
        "JavaScript exceptions: {exceptions:?}"
    );
    assert!(failures.is_empty(), "{base}:\n{}", failures.join("\n"));
}

/// search.html?q=… lists `hoshin.search`'s results as data-search-result links.
fn check_results_page(page: &Page, site: &Site, base: &str) {
    let mut failures = Vec::new();
    for (q, year, department, first) in [
        ("人材育成", None, None, None),
        (
            "ワーク・ライフ・バランス",
            Some(2023),
            Some(SOMU),
            Some((SOMU, 2023, "1.(3)⑧")),
        ),
        ("苦情対応", None, None, Some((SOMU, 2023, "1.(3)⑤"))),
        ("存在しない語句", None, None, None),
    ] {
        let mut url = format!("{base}search.html?q={}", pct(q));
        if let Some(y) = year {
            url.push_str(&format!("&year={y}"));
        }
        if let Some(d) = department {
            url.push_str(&format!("&department={}", pct(d)));
        }
        page.goto(&url).unwrap();
        let status = page
            .wait_for(
                "(t => /件|該当なし/.test(t) && t)(document.getElementById('search-status').textContent)",
                SECS_10,
            )
            .unwrap();
        // Page through with さらに表示 until every result is listed.
        for _ in 0..50 {
            let more = page
                .eval("(b => b && !b.hidden && (b.click(), document.querySelectorAll('a[data-search-result]').length))(document.getElementById('search-more'))")
                .unwrap();
            let Some(shown) = more.as_u64() else { break };
            page.wait_for(
                &format!("document.querySelectorAll('a[data-search-result]').length > {shown} || document.getElementById('search-more').hidden"),
                SECS_10,
            )
            .unwrap();
        }
        let links = page
            .eval("[...document.querySelectorAll('#search-results a[data-search-result]')].map(a => a.getAttribute('href'))")
            .unwrap();
        let opts = json!({"year": year, "department": department, "limit": 1000});
        let api: Vec<Value> = page
            .eval(&format!(
                "hoshin.search({}, {opts})",
                serde_json::to_string(q).unwrap()
            ))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["url"].clone())
            .collect();
        if links != Value::Array(api.clone()) {
            failures.push(format!("{q}: links {links} != hoshin.search {api:?}"));
        }
        if let Some((d, y, c)) = first {
            if links[0] != site.url(d, y, c).as_str() {
                failures.push(format!("{q}: first link {}", links[0]));
            }
        }
        let n = links.as_array().unwrap().len();
        if (n == 0) != (status == "該当なし") {
            failures.push(format!("{q}: {n} links, status {status}"));
        }
        let inputs = page
            .eval("[document.getElementById('search-q').value, document.getElementById('search-year').value, document.getElementById('search-department').value]")
            .unwrap();
        if inputs
            != json!([
                q,
                year.map(|y| y.to_string()).unwrap_or_default(),
                department.unwrap_or("")
            ])
        {
            failures.push(format!("{q}: form shows {inputs}"));
        }
    }
    let exceptions = page.exceptions();
    assert!(
        exceptions.is_empty(),
        "JavaScript exceptions: {exceptions:?}"
    );
    assert!(failures.is_empty(), "{base}:\n{}", failures.join("\n"));
}

/// ↑ ↓ Enter Esc and `/` in the header box; ↓ Enter on the results page.
fn check_keyboard(page: &Page, site: &Site, base: &str) {
    page.goto(&format!("{base}index.html")).unwrap();
    page.press("/").unwrap();
    page.wait_for(
        "document.activeElement && document.activeElement.name === 'q'",
        SECS_10,
    )
    .unwrap();
    page.insert_text("苦情").unwrap();
    page.wait_for(
        "document.querySelectorAll('.hoshin-search-item').length > 0",
        SECS_10,
    )
    .unwrap();
    let q = "document.querySelector('form.hoshin-search input')";
    page.press("ArrowDown").unwrap();
    let active = page
        .eval(&format!("[{q}.getAttribute('aria-activedescendant'), document.querySelector('.hoshin-search-item.is-active') && document.querySelector('.hoshin-search-item.is-active').id]"))
        .unwrap();
    assert!(
        active[0].is_string() && active[0] == active[1],
        "active option: {active}"
    );
    page.press("ArrowDown").unwrap();
    page.press("ArrowUp").unwrap();
    let first = page
        .eval("document.querySelector('.hoshin-search-item').classList.contains('is-active')")
        .unwrap();
    assert_eq!(first, json!(true), "ArrowUp back to the first option");
    page.press("Escape").unwrap();
    assert_eq!(
        page.eval("document.querySelector('.hoshin-search-dropdown').hidden")
            .unwrap(),
        json!(true),
        "Escape closes the list"
    );
    page.press("ArrowDown").unwrap();
    page.mark_document().unwrap();
    page.press("Enter").unwrap();
    page.wait_for_navigation().unwrap();
    let want = site.url(SOMU, 2023, "1.(3)⑤");
    let url = page.url().unwrap();
    assert!(
        url.ends_with(&want),
        "Enter on the first option opened {url}, want …{want}"
    );
    assert_eq!(
        page.eval("location.hash.slice(1) && !!document.getElementById(location.hash.slice(1))")
            .unwrap(),
        json!(true),
        "{url}: the anchor exists"
    );

    // Enter without a chosen option opens the results page.
    page.goto(&format!("{base}index.html")).unwrap();
    page.press("/").unwrap();
    page.insert_text("市民").unwrap();
    page.mark_document().unwrap();
    page.press("Enter").unwrap();
    page.wait_for_navigation().unwrap();
    let url = page.url().unwrap();
    assert!(url.contains("search.html?q="), "Enter submitted to {url}");
    page.wait_for(
        "document.querySelectorAll('a[data-search-result]').length > 1",
        SECS_10,
    )
    .unwrap();
    // On the results page: ↓ from the box to the results, ↓ ↑ between them.
    page.eval("document.getElementById('search-q').focus()")
        .unwrap();
    page.press("ArrowDown").unwrap();
    page.press("ArrowDown").unwrap();
    let second = page
        .eval("document.activeElement === document.querySelectorAll('a[data-search-result]')[1] && document.activeElement.getAttribute('href')")
        .unwrap();
    assert!(
        second.is_string(),
        "ArrowDown twice focuses the second result"
    );
    page.press("ArrowUp").unwrap();
    page.press("ArrowUp").unwrap();
    assert_eq!(
        page.eval("document.activeElement.id").unwrap(),
        json!("search-q"),
        "ArrowUp from the first result returns to the box"
    );
    page.press("ArrowDown").unwrap();
    page.press("ArrowDown").unwrap();
    page.mark_document().unwrap();
    page.press("Enter").unwrap();
    page.wait_for_navigation().unwrap();
    let url = page.url().unwrap();
    assert!(
        url.ends_with(second.as_str().unwrap().trim_start_matches("./")),
        "opened {url}, want {second}"
    );
    let exceptions = page.exceptions();
    assert!(
        exceptions.is_empty(),
        "JavaScript exceptions: {exceptions:?}"
    );
}

fn run_all(site: &Site, browser: &Browser, base: &str) {
    let page = browser.new_page().unwrap();
    check_queries(&page, site, base);
    check_results_page(&page, site, base);
    check_keyboard(&page, site, base);
}

#[test]
fn real_site_over_file_and_http() {
    let Some(site) = Site::real() else { return };
    let Some(browser) = Browser::launch_or_skip("real_site_over_file_and_http") else {
        return;
    };
    run_all(&site, &browser, &site.file_url(""));
    let server = serve(&site.root);
    run_all(&site, &browser, &server.url(""));
}

#[test]
fn fixture_site_over_file_and_http() {
    let site = Site::fixture();
    let Some(browser) = Browser::launch_or_skip("fixture_site_over_file_and_http") else {
        return;
    };
    run_all(&site, &browser, &site.file_url(""));
    let server = serve(&site.root);
    run_all(&site, &browser, &server.url(""));
}

#[test]
fn shared_vectors_in_the_browser() {
    let site = Site::fixture();
    let Some(browser) = Browser::launch_or_skip("shared_vectors_in_the_browser") else {
        return;
    };
    let page = browser.new_page().unwrap();
    page.goto(&site.file_url("index.html")).unwrap();
    let vectors = std::fs::read_to_string(repo().join("tests/search_vectors.json")).unwrap();
    let js = format!(
        "(d => {{
            const out = [];
            for (const v of d.vectors) {{
                const n = hoshin.normalize(v.text);
                if (n !== v.normalized) out.push(v.name + ': normalize = ' + JSON.stringify(n));
                const t = JSON.stringify(hoshin.tokenize(n));
                if (t !== JSON.stringify(v.tokens)) out.push(v.name + ': tokens = ' + t);
            }}
            for (const q of d.queries) {{
                const p = JSON.stringify(hoshin.queryParts(q.query));
                if (p !== JSON.stringify(q.parts)) out.push('query ' + q.query + ': parts = ' + p);
            }}
            return out;
        }})({vectors})"
    );
    let failures = page.eval(&js).unwrap();
    assert_eq!(
        failures,
        json!([]),
        "search.js disagrees with tests/search_vectors.json"
    );
}

/// Records of equal score come shard by shard, the shard holding most of
/// them first (a page of ties then loads few display shards), each shard's
/// in build order, whether one term's list or several find them.
#[test]
fn ties_come_shard_by_shard() {
    let Some(browser) = Browser::launch_or_skip("ties_come_shard_by_shard") else {
        return;
    };
    // 1,300 records: display shards of 512 (short texts never fill one by
    // bytes first). Ten hold the same sentence, so they score the same.
    let tied: [usize; 10] = [10, 20, 30, 600, 610, 620, 630, 640, 1100, 1110];
    let records: Vec<SearchRecord> = (0..1300usize)
        .map(|n| {
            let text = if tied.contains(&n) {
                "桜島の噴火に備えること。".to_string()
            } else {
                format!("記録{n}の文章。")
            };
            SearchRecord {
                page: "2023/somu.html".into(),
                doc: "2023/somu".into(),
                id: Some(format!("r{n}").into()),
                citation: format!("{n}.").into(),
                label_head: "総務部（令和5年度）".into(),
                title: "総務部の運営方針".into(),
                heading_path: "".into(),
                text: text.into(),
                year: 2023,
                department: "総務部".into(),
            }
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    write_index(tmp.path(), &records);
    std::fs::write(tmp.path().join("index.html"), layout("", "同点", "")).unwrap();
    let page = browser.new_page().unwrap();
    page.goto(&format!("file://{}/index.html", tmp.path().display()))
        .unwrap();
    page.wait_for(
        "window.hoshin && typeof hoshin.search === 'function'",
        SECS_10,
    )
    .unwrap();
    let ids = |q: &str| -> Vec<String> {
        search(&page, q, None, None)
            .iter()
            .map(|r| r["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    // Shard 1 holds five, shard 0 three, shard 2 two.
    let expected: Vec<String> = [600, 610, 620, 630, 640, 10, 20, 30, 1100, 1110]
        .map(|n| format!("r{n}"))
        .to_vec();
    assert_eq!(ids("桜島"), expected);
    assert_eq!(ids("桜島の噴火"), expected);
    // A citation query among them: the directive it names comes first.
    let cited = ids("620.");
    assert_eq!(cited.first().map(String::as_str), Some("r620"), "{cited:?}");
    let exceptions = page.exceptions();
    assert!(
        exceptions.is_empty(),
        "JavaScript exceptions: {exceptions:?}"
    );
}

/// Bytes a query loads on a 5,000-document synthetic site (~305,000
/// records), through the real search.js: `cargo test --release --test
/// it -- --ignored --nocapture large_site_budget`.
#[test]
#[ignore]
fn large_site_budget() {
    let Some(browser) = Browser::launch_or_skip("large_site_budget") else {
        return;
    };
    let records = search_fixture::synthetic_site(5000);
    let started = std::time::Instant::now();
    let files = build_index(&records);
    let took = started.elapsed();
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    println!(
        "build_index: {} records → {} files, {:.1} MB in {:.2} s",
        records.len(),
        files.len(),
        total as f64 / 1e6,
        took.as_secs_f64()
    );
    drop(files);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_index(root, &records);
    std::fs::write(root.join("index.html"), layout("", "大規模", "")).unwrap();
    let page = browser.new_page().unwrap();
    let vocab = search_fixture::vocabulary();
    // Typical: words of the seeds and of middle ranks; common: the most
    // frequent characters and words.
    let mut typical: Vec<String> = [
        "人材育成",
        "防災",
        "情報共有",
        "地域共生社会",
        "職員 育成",
        "1.(3)②",
    ]
    .map(String::from)
    .to_vec();
    typical.extend([30, 100, 300, 1000, 3000].map(|r| vocab[r].clone()));
    let common: Vec<String> = [
        "の",
        "こと",
        "すること",
        "推進すること",
        "市",
        vocab[0].as_str(),
    ]
    .map(String::from)
    .to_vec();
    let mut failures = Vec::new();
    for (kind, queries, budget) in [
        ("typical", &typical, 300 * 1024),
        ("common", &common, 500 * 1024),
    ] {
        for q in queries {
            // The header dropdown shows 8, search.html 10 a page, the API 20.
            for (limit, what) in [(8, "dropdown"), (10, "page"), (20, "api")] {
                page.goto(&format!("file://{}/index.html", root.display()))
                    .unwrap();
                let n = page
                    .eval(&format!(
                        "hoshin.search({}, {{limit: {limit}}}).then(r => r.length)",
                        serde_json::to_string(q).unwrap()
                    ))
                    .unwrap();
                let loaded = page.eval("hoshin.loadedShards()").unwrap();
                let paths: Vec<&str> = loaded
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let bytes: u64 = paths
                    .iter()
                    .map(|p| {
                        std::fs::metadata(root.join(p))
                            .map(|m| m.len())
                            .unwrap_or(0)
                    })
                    .sum();
                println!(
                    "{kind:8} {what:8} {q:16} {n:>3} results  {:>3} files  {:>4} KB",
                    paths.len(),
                    bytes / 1024
                );
                if bytes > budget {
                    failures.push(format!(
                        "{q} ({what}): {} KB > {} KB",
                        bytes / 1024,
                        budget / 1024
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// URLs of `hoshin.search` results.
fn result_urls(page: &Page, q: &str, year: Option<i32>, department: Option<&str>) -> Vec<String> {
    search(page, q, year, department)
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect()
}

/// A phrase of `target`'s text that no other field of any record holds.
fn unique_phrase(records: &[SearchRecord], target: &SearchRecord) -> String {
    let fields: Vec<String> = records
        .iter()
        .flat_map(|r| {
            let text = if r.url() == target.url() {
                String::new()
            } else {
                normalize(&r.text)
            };
            [text, normalize(&r.heading_path), normalize(&r.label())]
        })
        .collect();
    let chars: Vec<char> = normalize(&target.text).chars().collect();
    chars
        .windows(6)
        .map(|w| w.iter().collect::<String>())
        .find(|p| !p.contains(' ') && fields.iter().all(|f| !f.contains(p.as_str())))
        .unwrap_or_else(|| panic!("no phrase of its own in {}", target.text))
}

/// The search page's options of a filter.
fn options(page: &Page, id: &str) -> Value {
    page.eval(&format!(
        "[...document.getElementById('{id}').options].map(o => o.value).filter(v => v)"
    ))
    .unwrap()
}

/// The fixture with the delta for one edited directive of 総務部, then
/// with 総務部 removed, as `hoshin watch` writes them between full builds.
#[test]
fn delta_over_file_and_http() {
    let site = Site::fixture();
    let Some(browser) = Browser::launch_or_skip("delta_over_file_and_http") else {
        return;
    };
    let records = search_fixture::seed_records();
    // The fixture's index is `build_index(&records)`: the same files, so
    // this state describes it.
    let (_, state) = build_index_with_state(&records);
    let target = site.url(SOMU, 2023, "1.(3)⑤");
    let somu = records
        .iter()
        .find(|r| r.url() == target)
        .unwrap()
        .doc
        .to_string();
    let old = records.iter().find(|r| r.url() == target).unwrap();
    let old_phrase = unique_phrase(&records, old);
    let new_phrase = "量子コンピュータ";
    let mut edited: Vec<SearchRecord> = records.iter().filter(|r| r.doc == somu).cloned().collect();
    for r in edited.iter_mut().filter(|r| r.url() == target) {
        r.text = format!("{new_phrase}の活用に向けた研究会を設けること。").into();
    }
    write_files(
        &site.root,
        build_delta(&state, &[(somu.clone(), edited.clone())], &[]),
    );

    // A full build of the edited records, to compare with.
    let full = tempfile::tempdir().unwrap();
    let new_records: Vec<SearchRecord> = records
        .iter()
        .map(|r| match edited.iter().find(|e| e.url() == r.url()) {
            Some(e) => e.clone(),
            None => r.clone(),
        })
        .collect();
    write_index(full.path(), &new_records);
    std::fs::write(full.path().join("index.html"), layout("", "full", "")).unwrap();
    let full_url = format!("file://{}/", full.path().canonicalize().unwrap().display());

    let page = browser.new_page().unwrap();
    let server = serve(&site.root);
    let mut queries: Vec<(String, Option<i32>, Option<&str>)> = cases()
        .iter()
        .map(|c| (c.q.to_string(), c.year, c.department))
        .collect();
    queries.extend([
        (old_phrase.clone(), None, None),
        (new_phrase.to_string(), None, None),
        (new_phrase.to_string(), Some(2023), None),
        (new_phrase.to_string(), Some(2026), None),
        (new_phrase.to_string(), None, Some(SOMU)),
        (new_phrase.to_string(), None, Some(SHIMIN)),
        ("研究会".to_string(), None, None),
        ("職員".to_string(), None, Some(SOMU)),
        ("職員".to_string(), Some(2026), None),
    ]);
    page.goto(&format!("{full_url}index.html")).unwrap();
    let want: Vec<Vec<String>> = queries
        .iter()
        .map(|(q, y, d)| result_urls(&page, q, *y, *d))
        .collect();
    for base in [site.file_url(""), server.url("")] {
        page.goto(&format!("{base}index.html")).unwrap();
        page.wait_for(
            "window.hoshin && typeof hoshin.search === 'function'",
            SECS_10,
        )
        .unwrap();
        let mut failures = Vec::new();
        // The phrase only the old text had no longer matches; the new one
        // finds the edited directive first, with the filters applied.
        let hits = result_urls(&page, &old_phrase, None, None);
        if hits.contains(&target) {
            failures.push(format!("old phrase {old_phrase} still finds it: {hits:?}"));
        }
        for (year, dept, found) in [
            (None, None, true),
            (Some(2023), None, true),
            (None, Some(SOMU), true),
            (Some(2026), None, false),
            (None, Some(SHIMIN), false),
        ] {
            let hits = result_urls(&page, new_phrase, year, dept);
            if (hits.first() == Some(&target)) != found || (!found && !hits.is_empty()) {
                failures.push(format!("{new_phrase} {year:?} {dept:?}: {hits:?}"));
            }
        }
        // The rest of the edited document (now served by the delta) and
        // the other document are found as before.
        for (q, year, dept, want) in [
            ("節目の年", None, None, site.url(SOMU, 2023, "1.(1)②")),
            ("生成ＡＩ", None, None, site.url(SHIMIN, 2026, "1.(2)①")),
            ("1.(3)⑥", None, None, site.url(SOMU, 2023, "1.(3)⑥")),
            (
                "ワーク・ライフ・バランス",
                None,
                Some(SOMU),
                site.url(SOMU, 2023, "1.(3)⑧"),
            ),
            (
                "ワーク・ライフ・バランス",
                Some(2026),
                None,
                site.url(SHIMIN, 2026, "3.(9)"),
            ),
        ] {
            let hits = result_urls(&page, q, year, dept);
            if hits.first() != Some(&want) {
                failures.push(format!("{q} {year:?} {dept:?}: want {want}, got {hits:?}"));
            }
        }
        // Every query answers as the full build of the same records does.
        for ((q, y, d), want) in queries.iter().zip(&want) {
            let got = result_urls(&page, q, *y, *d);
            if got != *want {
                failures.push(format!(
                    "{q} {y:?} {d:?}: delta {got:?}, full build {want:?}"
                ));
            }
        }
        let loaded = page.eval("hoshin.loadedShards()").unwrap();
        if !loaded
            .as_array()
            .unwrap()
            .contains(&json!("search/delta.js"))
        {
            failures.push(format!("delta.js not loaded: {loaded}"));
        }
        // The results page lists the edited directive.
        page.goto(&format!("{base}search.html?q={}", pct(new_phrase)))
            .unwrap();
        page.wait_for(
            "/件|該当なし/.test(document.getElementById('search-status').textContent)",
            SECS_10,
        )
        .unwrap();
        let first = page
            .eval("(a => a && a.getAttribute('href'))(document.querySelector('a[data-search-result]'))")
            .unwrap();
        if first != json!(target) {
            failures.push(format!("search.html first link {first}"));
        }
        let exceptions = page.exceptions();
        assert!(
            exceptions.is_empty(),
            "JavaScript exceptions: {exceptions:?}"
        );
        assert!(failures.is_empty(), "{base}:\n{}", failures.join("\n"));
    }

    // Then the document is removed: none of it comes back, the other
    // document is still found, and the filters lose its year and department.
    write_files(
        &site.root,
        build_delta(&state, &[], std::slice::from_ref(&somu)),
    );
    page.goto(&site.file_url("index.html")).unwrap();
    page.wait_for(
        "window.hoshin && typeof hoshin.search === 'function'",
        SECS_10,
    )
    .unwrap();
    let mut failures = Vec::new();
    for q in [
        "節目の年",
        "苦情対応",
        "1.(3)⑥",
        "職員",
        new_phrase,
        old_phrase.as_str(),
    ] {
        let hits = result_urls(&page, q, None, None);
        if hits.iter().any(|u| u.starts_with(&format!("{somu}.html"))) {
            failures.push(format!("{q}: removed document found: {hits:?}"));
        }
    }
    let hits = result_urls(&page, "生成ＡＩ", Some(2026), Some(SHIMIN));
    if hits.first() != Some(&site.url(SHIMIN, 2026, "1.(2)①")) {
        failures.push(format!("生成ＡＩ: {hits:?}"));
    }
    page.goto(&site.file_url(&format!("search.html?q={}", pct("職員"))))
        .unwrap();
    page.wait_for(
        "/件|該当なし/.test(document.getElementById('search-status').textContent)",
        SECS_10,
    )
    .unwrap();
    for (id, want) in [
        ("search-year", json!(["2026"])),
        ("search-department", json!([SHIMIN])),
    ] {
        let got = options(&page, id);
        if got != want {
            failures.push(format!("#{id} options {got}, want {want}"));
        }
    }
    let links = page
        .eval("[...document.querySelectorAll('a[data-search-result]')].map(a => a.getAttribute('href'))")
        .unwrap();
    if links.as_array().unwrap().is_empty()
        || links
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u.as_str().unwrap().starts_with(&somu))
    {
        failures.push(format!("search.html?q=職員 lists {links}"));
    }
    let exceptions = page.exceptions();
    assert!(
        exceptions.is_empty(),
        "JavaScript exceptions: {exceptions:?}"
    );
    assert!(failures.is_empty(), "removed:\n{}", failures.join("\n"));
}
