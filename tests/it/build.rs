//! Issue "build": the real binary on fixture sites — the sample site, a
//! 公用文-style policy, and what rendering does with Japanese line breaks,
//! emphasis and raw HTML.

use crate::support::site::{
    self, broken_links, element_by_id, outer_html, tags, text_of, urls, Site,
};
use serde_json::Value;

// ------------------------------------------------------------ sample site

#[test]
fn sample_site_anchors_directive_1_3_6_of_somu() {
    let site = Site::sample();
    site.build_ok();
    let html = site.page("2023/somu.html");
    let el = element_by_id(&html, "n1-p3-c6").expect("an element with id n1-p3-c6");
    assert_eq!(el.attr("data-cite"), Some("1.(3)⑥"));
    let text = text_of(outer_html(&html, &el));
    assert!(
        text.starts_with("⑥事務執行にあたっては根拠法令"),
        "「１．（３）⑥」 carries the id: {text}"
    );
    // Its ancestors carry theirs.
    let p3 = element_by_id(&html, "n1-p3").unwrap();
    assert!(text_of(outer_html(&html, &p3)).starts_with("（３）事務の適正化に向けて"));
    let n1 = element_by_id(&html, "n1").unwrap();
    assert!(text_of(outer_html(&html, &n1)).starts_with("１．令和５年度市政運営の基本方針"));
}

#[test]
fn sample_site_directives_json_has_every_directive_with_the_spec_fields() {
    let site = Site::sample();
    site.build_ok();
    let json = site.directives_json();
    let docs = json["documents"].as_array().unwrap();
    let keys: Vec<&str> = docs.iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["2023/somu", "2026/shimin"]);
    for d in docs {
        for field in [
            "key",
            "title",
            "year",
            "era",
            "department",
            "author",
            "date",
            "url",
        ] {
            assert!(d.get(field).is_some(), "document lacks `{field}`: {d}");
        }
    }
    let somu = &docs[0];
    assert_eq!(somu["year"], 2023);
    assert_eq!(somu["era"], "令和5年度");
    assert_eq!(somu["department"], "総務部");
    assert_eq!(somu["author"], "総務部長 伊藤 寿一");
    assert_eq!(somu["date"], "2023-04-01");
    assert_eq!(somu["url"], "2023/somu.html");
    assert_eq!(docs[1]["url"], "2026/shimin.html");

    let directives = json["directives"].as_array().unwrap();
    let count = |doc: &str| directives.iter().filter(|d| d["doc"] == doc).count();
    assert_eq!((count("2023/somu"), count("2026/shimin")), (36, 29));
    assert_eq!(directives.len(), 36 + 29);

    for d in directives {
        for field in [
            "doc",
            "id",
            "citation",
            "label",
            "url",
            "parent",
            "text",
            "references",
            "referenced_by",
        ] {
            assert!(d.get(field).is_some(), "directive lacks `{field}`: {d}");
        }
        let (doc, id) = (d["doc"].as_str().unwrap(), d["id"].as_str().unwrap());
        assert!(id.is_ascii() && !id.is_empty(), "ids are ASCII: {id}");
        assert_eq!(d["url"], format!("{doc}.html#{id}"));
        let meta = docs.iter().find(|m| m["key"] == doc).unwrap();
        assert_eq!(
            d["label"].as_str().unwrap(),
            format!(
                "{}（{}）{}",
                meta["department"].as_str().unwrap(),
                meta["era"].as_str().unwrap(),
                d["citation"].as_str().unwrap()
            )
        );
        match d["parent"].as_str() {
            None => assert!(!id.contains('-'), "top-level {id} has no parent"),
            Some(p) => {
                assert!(
                    id.starts_with(&format!("{p}-")),
                    "{id} is under its parent {p}"
                );
                assert!(
                    directives.iter().any(|x| x["doc"] == doc && x["id"] == p),
                    "parent {p} exists"
                );
            }
        }
        assert!(!d["text"].as_str().unwrap().is_empty(), "{id} has text");
    }
    let mut ids: Vec<String> = directives
        .iter()
        .map(|d| format!("{}#{}", d["doc"], d["id"]))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 65, "ids are unique");

    let d = site.directive(&json, "2023/somu", "n1-p3-c6");
    assert_eq!(d["citation"], "1.(3)⑥");
    assert_eq!(d["label"], "総務部（令和5年度）1.(3)⑥");
    assert_eq!(d["url"], "2023/somu.html#n1-p3-c6");
    assert_eq!(d["parent"], "n1-p3");
    assert!(d["text"]
        .as_str()
        .unwrap()
        .starts_with("事務執行にあたっては根拠法令"));
    // 市民部 writes #### for 1. and ### for (3): the hierarchy follows the markers.
    let d = site.directive(&json, "2026/shimin", "n1-p3-c2");
    assert_eq!(d["citation"], "1.(3)②");
    assert_eq!(d["label"], "市民部（令和8年度）1.(3)②");
}

#[test]
fn sample_site_links_are_relative_and_resolve_and_nothing_leaves_the_site() {
    let site = Site::sample();
    site.build_ok();
    let problems = broken_links(&site.public());
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The check above must have seen real links.
    let html = site.page("2023/somu.html");
    let all = urls(&html);
    assert!(
        all.iter()
            .any(|(_, a, u)| a == "href" && u == "../index.html"),
        "{all:?}"
    );
    assert!(all
        .iter()
        .any(|(t, a, u)| t == "link" && a == "href" && u.ends_with(".css")));
    // No script, stylesheet, image or frame from elsewhere, in any page or stylesheet.
    for (rel, bytes) in site::snapshot(&site.public()) {
        let name = rel.to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&bytes);
        if name.ends_with(".html") {
            for (tag, attr, url) in urls(&text) {
                assert!(
                    !site::is_external(&url),
                    "{name}: <{tag} {attr}={url:?}> leaves the site"
                );
            }
        }
        if name.ends_with(".css") {
            for url in site::css_urls(&text) {
                assert!(
                    !site::is_external(&url),
                    "{name}: url({url}) leaves the site"
                );
            }
        }
    }
}

/// The scripts of a page, in order.
fn scripts(html: &str) -> Vec<String> {
    site::tags(html)
        .iter()
        .filter(|t| t.name == "script")
        .filter_map(|t| t.attr("src").map(String::from))
        .collect()
}

#[test]
fn search_page_loads_the_index_files_every_query_needs_with_itself() {
    let site = Site::sample();
    site.build_ok();
    let search = scripts(&site.page("search.html"));
    assert_eq!(
        search,
        [
            "static/hoshin.js",
            "static/search.js",
            "search/meta.js",
            "search/delta.js"
        ]
    );
    for src in &search {
        assert!(site.public().join(src).is_file(), "{src} was not written");
    }
    // Other pages load them only when a search asks.
    assert_eq!(
        scripts(&site.page("2023/somu.html")),
        ["../static/hoshin.js", "../static/search.js"]
    );
    // A site without a search index names no index file.
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", format!("{toml}\n[search]\nenabled = false\n"));
    site.build_ok();
    assert_eq!(
        scripts(&site.page("search.html")),
        ["static/hoshin.js", "static/search.js"]
    );
}

#[test]
fn sample_site_index_links_to_every_document() {
    let site = Site::sample();
    site.build_ok();
    let index = site.page("index.html");
    let hrefs: Vec<String> = urls(&index)
        .into_iter()
        .filter(|(_, a, _)| a == "href")
        .map(|(_, _, u)| u)
        .collect();
    let json = site.directives_json();
    for doc in json["documents"].as_array().unwrap() {
        let url = doc["url"].as_str().unwrap();
        assert!(
            hrefs.iter().any(|h| h == url),
            "index.html has no link to {url}: {hrefs:?}"
        );
        assert!(
            index.contains(doc["title"].as_str().unwrap()),
            "index.html shows the title of {url}"
        );
    }
}

// ------------------------------------------------------------ 公用文

fn kobunsho() -> (Site, Value) {
    let site = Site::fixture("kobunsho");
    site.build_ok();
    let json = site.directives_json();
    (site, json)
}

/// id, citation and parent of every directive of the 公用文 fixture, in order.
const KOBUNSHO_DIRECTIVES: &str = "\
dai1 第1 -
dai1-n1 第1 1. dai1
dai1-n2 第1 2. dai1
dai1-n2-p1 第1 2.(1) dai1-n2
dai1-n2-p2 第1 2.(2) dai1-n2
dai2 第2 -
dai2-n1 第2 1. dai2
dai2-n1-p1 第2 1.(1) dai2-n1
dai2-n1-p1-k1 第2 1.(1)ア dai2-n1-p1
dai2-n1-p1-k2 第2 1.(1)イ dai2-n1-p1
dai2-n2 第2 2. dai2
dai2-n2-p1 第2 2.(1) dai2-n2
dai2-n3 第2 3. dai2
dai2-n3-p1 第2 3.(1) dai2-n3
dai2-n3-p2 第2 3.(2) dai2-n3
dai2-n3-p2-k1 第2 3.(2)ア dai2-n3-p2
dai2-n3-p2-k2 第2 3.(2)イ dai2-n3-p2
dai2-n3-p2-k2-kp1 第2 3.(2)イ(ア) dai2-n3-p2-k2
dai2-n3-p2-k2-kp2 第2 3.(2)イ(イ) dai2-n3-p2-k2
dai2-n3_2 第2 3の2. dai2
dai2-n3_2-p1 第2 3の2.(1) dai2-n3_2
dai2-n3_2-p2 第2 3の2.(2) dai2-n3_2
dai3 第3 -
dai3-n1 第3 1. dai3
dai3-n1-k1 第3 1.イ dai3-n1
dai3-n1-k2 第3 1.ロ dai3-n1
dai3-n1-k3 第3 1.ハ dai3-n1
dai3-n2 第3 2. dai3
dai3-n2-l1 第3 2.a. dai3-n2
dai3-n2-l2 第3 2.b. dai3-n2
dai3-n2-l2-lp1 第3 2.b.(a) dai3-n2-l2
dai3-n2-l2-lp2 第3 2.b.(b) dai3-n2-l2
dai3-n3 第3 3. dai3
";

#[test]
fn kobunsho_ids_citations_and_parents() {
    let (_site, json) = kobunsho();
    let directives = json["directives"].as_array().unwrap();
    let mut table = String::new();
    for d in directives.iter().take_while(|d| d["id"] != "dai3-n3-c1") {
        table.push_str(&format!(
            "{} {} {}\n",
            d["id"].as_str().unwrap(),
            d["citation"].as_str().unwrap(),
            d["parent"].as_str().unwrap_or("-")
        ));
    }
    assert_eq!(table, KOBUNSHO_DIRECTIVES);
    // ①…㉑ under 第3 3., every line its own directive.
    let circled: Vec<(&str, &str)> = directives
        .iter()
        .filter(|d| d["parent"] == "dai3-n3")
        .map(|d| (d["id"].as_str().unwrap(), d["citation"].as_str().unwrap()))
        .collect();
    assert_eq!(circled.len(), 21, "{circled:?}");
    assert_eq!(circled[0], ("dai3-n3-c1", "第3 3.①"));
    assert_eq!(circled[19], ("dai3-n3-c20", "第3 3.⑳"));
    assert_eq!(circled[20], ("dai3-n3-c21", "第3 3.㉑"));
    assert_eq!(directives.len(), 33 + 21);
}

#[test]
fn kobunsho_labels_and_the_example_of_the_spec() {
    let (site, json) = kobunsho();
    let d = site.directive(&json, "2024/kikaku", "dai2-n3-p2-k2");
    assert_eq!(d["citation"], "第2 3.(2)イ");
    assert_eq!(d["label"], "企画部（令和6年度）第2 3.(2)イ");
    assert_eq!(d["url"], "2024/kikaku.html#dai2-n3-p2-k2");
    assert_eq!(d["text"], "中堅職員への指導");
    let d = site.directive(&json, "2024/kikaku", "dai3-n3-c21");
    assert_eq!(d["label"], "企画部（令和6年度）第3 3.㉑");
    assert_eq!(d["text"], "二十一");
    let d = site.directive(&json, "2024/kikaku", "dai2-n3_2");
    assert_eq!(d["label"], "企画部（令和6年度）第2 3の2.");
    let doc = &json["documents"][0];
    assert_eq!(doc["era"], "令和6年度");
    assert_eq!(doc["date"], "2024-04-01");
}

#[test]
fn kobunsho_page_carries_every_id_and_the_marker_as_written() {
    let (site, json) = kobunsho();
    let html = site.page("2024/kikaku.html");
    for d in json["directives"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let el = element_by_id(&html, id).unwrap_or_else(|| panic!("no element with id {id}"));
        assert_eq!(el.attr("data-cite"), d["citation"].as_str(), "{id}");
    }
    let marker = |id: &str| {
        let el = element_by_id(&html, id).unwrap();
        let inner = outer_html(&html, &el);
        let span = tags(inner)
            .into_iter()
            .find(|t| t.attr("class") == Some("marker"))
            .unwrap();
        text_of(outer_html(inner, &span))
    };
    assert_eq!(marker("dai2-n3-p2-k2-kp1"), "(ｱ)");
    assert_eq!(marker("dai2-n3-p2-k2-kp2"), "（ｲ）");
    assert_eq!(marker("dai2-n3_2"), "３の２");
    assert_eq!(marker("dai2-n3_2-p1"), "⑴");
    assert_eq!(marker("dai3-n3-c21"), "㉑");
    assert_eq!(marker("dai3-n2-l1"), "ａ");
}

#[test]
fn kobunsho_hard_wrapped_sentences_stay_in_their_directive() {
    let (site, json) = kobunsho();
    // A wrapped line joins its sentence without a space.
    let d = site.directive(&json, "2024/kikaku", "dai1-n1");
    assert_eq!(
        d["text"],
        "目的この方針は、令和６年度における企画部の運営について必要な事項を定めるものである。"
    );
    // 「１ ポイント」 at the start of a line is not the next 1., 2., 3. sibling: it stays text.
    let d = site.directive(&json, "2024/kikaku", "dai2-n2-p1");
    assert_eq!(
        d["text"],
        "歳入の確保に努めること。特に市税の収納率は、前年度比１ ポイント以上の向上を目指す。"
    );
    assert!(json["directives"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["id"] != "dai2-n2-p1-n1"));
    // A paragraph that starts with 「eラーニング」 is not directive e.: it continues ⑵.
    let d = site.directive(&json, "2024/kikaku", "dai2-n3_2-p2");
    let text = d["text"].as_str().unwrap();
    assert!(
        text.starts_with("休暇の取得を促進すること。")
            && text.ends_with("eラーニングによる研修も活用する。"),
        "{text}"
    );
    assert!(json["directives"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| !d["id"].as_str().unwrap().contains("-l5")));
    let html = site.page("2024/kikaku.html");
    let el = element_by_id(&html, "dai1-n1").unwrap();
    let text = text_of(outer_html(&html, &el));
    assert!(text.contains("必要な事項を定めるものである"), "{text}");
}

#[test]
fn kobunsho_title_comes_from_the_h1_and_is_not_repeated_in_the_body() {
    let (site, json) = kobunsho();
    assert_eq!(json["documents"][0]["title"], "令和６年度企画部運営方針");
    let html = site.page("2024/kikaku.html");
    let h1: Vec<_> = tags(&html).into_iter().filter(|t| t.name == "h1").collect();
    assert_eq!(h1.len(), 1, "one h1");
    let body_start = html.find("class=\"policy-body\"").expect("policy body");
    let body = &html[body_start..];
    assert!(
        !body.contains("令和６年度企画部運営方針"),
        "the title H1 is repeated in the body"
    );
}

#[test]
fn check_accepts_the_kobunsho_fixture_and_writes_nothing() {
    let site = Site::fixture("kobunsho");
    let before = site.snapshot();
    let run = site.check();
    run.expect_code(0);
    assert!(run.stdout.contains("54 directives"), "{}", run.stdout);
    site::assert_same_files(&before, &site.snapshot());
}

// ------------------------------------------------------------ rendering

fn render_site(raw_html: bool) -> (Site, String) {
    let site = Site::fixture("render");
    if raw_html {
        site.write("site.toml", "[build]\nallow_raw_html = true\n");
    }
    site.build_ok();
    let html = site.page("2023/somu.html");
    (site, html)
}

fn policy_body(html: &str) -> &str {
    let start = html.find("class=\"policy-body\"").expect("policy body");
    &html[start..]
}

#[test]
fn soft_breaks_between_japanese_characters_vanish() {
    let (_site, html) = render_site(false);
    let body = policy_body(&html);
    assert!(body.contains("前文の一行目は、二行目に続く。"), "{body}");
    // Between Latin words the break stays a break.
    assert!(!body.contains("wordsstay"), "{body}");
    assert!(
        body.contains("words\nstay") || body.contains("words stay"),
        "{body}"
    );
}

#[test]
fn soft_breaks_before_emphasis_and_links_vanish_too() {
    let (_site, html) = render_site(false);
    let body = policy_body(&html);
    assert!(
        body.contains("次の行の<strong>強調</strong>と<em>斜体</em>と<a"),
        "{body}"
    );
}

#[test]
fn emphasis_around_japanese_brackets() {
    let (_site, html) = render_site(false);
    assert!(
        policy_body(&html).contains("これは<strong>「重要」</strong>です。"),
        "{html}"
    );
}

#[test]
fn raw_html_never_reaches_the_output() {
    let (_site, html) = render_site(false);
    let body = policy_body(&html);
    let tags = tags(body);
    let scripts: Vec<_> = tags
        .iter()
        .filter(|t| t.name == "script" && t.attr("src").is_none())
        .collect();
    assert!(scripts.is_empty(), "inline scripts: {scripts:?}");
    for t in &tags {
        for (name, value) in &t.attrs {
            assert!(
                !name.starts_with("on"),
                "event handler {name}={value:?} on <{}>",
                t.name
            );
            let v = value.to_ascii_lowercase();
            assert!(
                !v.trim_start().starts_with("javascript:"),
                "<{} {name}={value:?}>",
                t.name
            );
        }
    }
    for t in tags.iter().filter(|t| t.name == "span") {
        assert_ne!(
            t.attr("class"),
            Some("hl"),
            "raw inline HTML with attributes is escaped"
        );
    }
    assert!(
        !body.contains("alert(\"block\")"),
        "the script block is removed"
    );
    // What the author wrote in text stays readable, and formatting tags pass.
    assert!(body.contains("&lt;script&gt;"), "{body}");
    assert!(body.contains("<b>太字</b>"), "{body}");
    assert!(
        body.contains("<ruby>方針<rt>ほうしん</rt></ruby>"),
        "{body}"
    );
    assert!(
        body.contains("生のブロック"),
        "the sanitised block keeps its text"
    );
    // The theme's own scripts are still there.
    assert!(tags_of(&html).iter().any(|t| t.name == "script"
        && t.attr("src")
            .is_some_and(|s| s.ends_with("static/hoshin.js"))));
}

fn tags_of(html: &str) -> Vec<site::Tag> {
    tags(html)
}

#[test]
fn allow_raw_html_lets_raw_html_through() {
    let (_site, html) = render_site(true);
    let body = policy_body(&html);
    assert!(body.contains("<span class=\"hl\">装飾</span>"), "{body}");
    assert!(body.contains("<div class=\"raw-block\""), "{body}");
    assert!(body.contains("<script>alert(\"block\")</script>"), "{body}");
}

// ------------------------------------------------------------ NUL bytes

/// hoshin's own marks in the body are typed values, not text: an author's NUL
/// byte (once the delimiter of those marks) in text, a heading, code, a link
/// title or an image's alt text neither crashes the build, deletes text nor
/// produces hoshin markup.
#[test]
fn an_authors_nul_bytes_are_kept_as_text() {
    let site = Site::empty();
    site.write(
        "content/2023/somu.md",
        "---\nyear: 2023\ndepartment: 総務部\nauthor: 総務部長\n---\n\
         ## １．見出し\0B0\0あ\n\n\
         本文\0R0\0テキスト\0D0\0い\0T0\0\n\n\
         `コード\0R0\0う`\n\n\
         [リンク](https://example.com \"題\0R0\0名\")\n\n\
         ![代替\0B0\0文](a.png)\n\n\
         ② 指示\0あ\0\n",
    );
    site.write(
        "content/2023/kikaku.md",
        "---\nyear: 2023\ndepartment: 企画部\nauthor: 企画部長\n---\n① [[総務部/2023#1.]]を参照。\n",
    );
    site.build_ok();
    let html = site.page("2023/somu.html");
    let body = policy_body(&html);
    let text = text_of(body);
    for kept in [
        "見出し",
        "あ",
        "本文",
        "テキスト",
        "い",
        "コード",
        "う",
        "指示",
    ] {
        assert!(text.contains(kept), "{kept} is kept: {text}");
    }
    let tags = tags(body);
    let count = |class: &str| {
        tags.iter()
            .filter(|t| {
                t.attr("class")
                    .is_some_and(|c| c.split(' ').any(|c| c == class))
            })
            .count()
    };
    assert_eq!(count("directive"), 2, "two directives: {body}");
    // hoshin.js adds each directive's tools in the browser (tests/it/directive_tools.rs).
    assert_eq!(count("dtools"), 0, "no tools in the HTML: {body}");
    assert_eq!(count("backlinks"), 1, "only 1. is cited: {body}");
    assert_eq!(count("ref"), 0, "the document cites nothing: {body}");
    assert_eq!(tags.iter().filter(|t| t.attr("id").is_some()).count(), 2);
    let code = &body[body.find("<code>").unwrap()..body.find("</code>").unwrap()];
    assert!(!code[6..].contains('<'), "no markup inside code: {code}");
    let img = tags.iter().find(|t| t.name == "img").unwrap();
    assert!(img.attr("alt").unwrap().contains("代替"));
    assert!(img.attr("alt").unwrap().contains("文"));
    let link = tags
        .iter()
        .find(|t| t.name == "a" && t.attr("href") == Some("https://example.com"));
    let title = link.unwrap().attr("title").unwrap();
    assert!(title.contains('題') && title.contains('名'), "{title}");
}
