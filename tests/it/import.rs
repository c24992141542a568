//! `hoshin import` as a new user meets it: the first seed, a policy in every
//! shape real tools give it (a PDF, pdftotext plain and -layout, Shift_JIS, a
//! Word file with typed markers and one with Word's automatic numbering), each
//! imported and built; bad input refused with nothing written; the closing
//! 「以上」 rule of the parser. The fixtures and how they were made are in
//! tests/fixtures/import/ (README.md, make-fixtures.sh, make_docx.py).

use crate::support::site::{self, fixture, repo, Site};
use serde_json::Value;

/// The first seed as received (text copied from a PDF reader); the search
/// tests keep the copy.
fn seed() -> std::path::PathBuf {
    repo().join("tests/search_fixture/2023-somu.txt")
}

fn import_fixture(name: &str) -> String {
    fixture("import").join(name).display().to_string()
}

/// A site whose site.toml names the fixtures' departments.
fn site() -> Site {
    let site = Site::empty();
    site.write(
        "site.toml",
        "[departments]\n\"総務部\" = \"somu\"\n\"企画部\" = \"kikaku\"\n\"福祉部\" = \"fukushi\"\n",
    );
    site
}

fn front_matter(text: &str) -> Value {
    let yaml = text
        .strip_prefix("---\n")
        .and_then(|t| t.split("\n---\n").next())
        .expect("front matter");
    serde_yaml::from_str(yaml).expect("front matter parses")
}

fn ids(json: &Value, doc: &str) -> Vec<String> {
    json["directives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["doc"] == doc)
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// The fields of a directive that import must reproduce.
fn essentials(json: &Value) -> Vec<Value> {
    json["directives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            serde_json::json!({
                "doc": d["doc"], "id": d["id"], "citation": d["citation"], "label": d["label"],
                "url": d["url"], "parent": d["parent"], "text": d["text"],
            })
        })
        .collect()
}

#[test]
fn the_first_seed_imports_as_the_hand_converted_document() {
    let imported = site();
    let run = imported.run(&["import", &seed().display().to_string()]);
    run.expect_code(0);
    for part in [
        "content/2023/somu.md",
        "text copied from a PDF reader",
        "36 directives",
        "line 11: the name was written letter-spaced",
    ] {
        assert!(
            run.stdout.contains(part),
            "report lacks {part:?}:\n{}",
            run.stdout
        );
    }
    let text = std::fs::read_to_string(imported.root().join("content/2023/somu.md")).unwrap();
    imported.build_ok();

    let by_hand = site();
    by_hand.write(
        "content/2023/somu.md",
        std::fs::read(repo().join("content/2023/somu.md")).unwrap(),
    );
    by_hand.build_ok();

    let a = imported.directives_json();
    let b = by_hand.directives_json();
    assert_eq!(ids(&a, "2023/somu").len(), 36);
    assert_eq!(
        essentials(&a),
        essentials(&b),
        "same directives, ids and texts"
    );
    let doc = |j: &Value| {
        let d = &j["documents"][0];
        serde_json::json!([
            d["key"],
            d["title"],
            d["year"],
            d["era"],
            d["department"],
            d["author"],
            d["date"]
        ])
    };
    assert_eq!(doc(&a), doc(&b));

    let fm = front_matter(&text);
    assert_eq!(fm["year"], 2023);
    assert_eq!(fm["department"], "総務部");
    assert_eq!(fm["author"], "総務部長 伊藤 寿一");
    assert_eq!(fm["title"], "令和５年度総務部の運営方針について");
    assert_eq!(fm["date"], "2023-04-01");
    assert_eq!(fm["audience"], "総務部管理職各位");
}

#[test]
fn the_second_seed_markdown_like_text_imports_as_the_hand_converted_document() {
    let imported = site();
    let seed = repo().join("tests/search_fixture/2026-shimin.txt");
    imported.write(
        "site.toml",
        std::fs::read(repo().join("site.toml")).unwrap(),
    );
    let run = imported.run(&["import", &seed.display().to_string()]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("content/2026/shimin.md"),
        "{}",
        run.stdout
    );
    imported.build_ok();
    let by_hand = site();
    by_hand.write(
        "site.toml",
        std::fs::read(repo().join("site.toml")).unwrap(),
    );
    by_hand.write(
        "content/2026/shimin.md",
        std::fs::read(repo().join("content/2026/shimin.md")).unwrap(),
    );
    by_hand.build_ok();
    let (a, b) = (imported.directives_json(), by_hand.directives_json());
    assert_eq!(ids(&a, "2026/shimin").len(), 29);
    assert_eq!(essentials(&a), essentials(&b));
    let text = std::fs::read_to_string(imported.root().join("content/2026/shimin.md")).unwrap();
    let fm = front_matter(&text);
    assert_eq!(fm["author"], "市民部長 玉井 理加");
    assert_eq!(fm["audience"], "市民部管理職 各位");
    assert!(
        text.contains("\n#### 1. 施政方針を踏まえた対応\n"),
        "its own heading levels are kept"
    );
}

/// The directives of kikaku.html, whatever shape it arrives in.
const KIKAKU_IDS: &[&str] = &[
    "n1", "n1-p1", "n1-p1-c1", "n1-p1-c2", "n1-p1-c3", "n1-p2", "n1-p2-c1", "n1-p2-c2", "n1-p2-c3",
    "n2", "n2-p1", "n2-p1-c1", "n2-p1-c2", "n2-p2", "n2-p2-c1", "n2-p2-c2",
];

#[test]
fn a_policy_imports_alike_from_a_pdf_its_text_in_every_shape_and_a_word_file() {
    for (file, shape) in [
        ("kikaku.pdf", "PDF"),
        ("kikaku.pdftotext.txt", "pdftotext output, UTF-8"),
        ("kikaku.layout.txt", "pdftotext -layout output, UTF-8"),
        ("kikaku.sjis.txt", "pdftotext output, Shift_JIS"),
        ("kikaku-typed.docx", "Word document"),
    ] {
        let site = site();
        let run = site.run(&["import", &import_fixture(file)]);
        run.expect_code(0);
        assert!(run.stdout.contains(shape), "{file}: {}", run.stdout);
        assert!(
            run.stdout.contains("content/2024/kikaku.md"),
            "{file}: {}",
            run.stdout
        );
        let text = std::fs::read_to_string(site.root().join("content/2024/kikaku.md")).unwrap();
        let fm = front_matter(&text);
        assert_eq!(fm["year"], 2024, "{file}");
        assert_eq!(fm["department"], "企画部", "{file}");
        assert_eq!(fm["author"], "企画部長 山田 花子", "{file}");
        assert_eq!(fm["title"], "令和６年度企画部の運営方針について", "{file}");
        assert_eq!(fm["date"], "2024-04-01", "{file}");
        assert_eq!(fm["audience"], "企画部管理職各位", "{file}");

        let build = site.build_ok();
        assert!(
            !build.stderr.contains("warning"),
            "{file}: {}",
            build.stderr
        );
        let json = site.directives_json();
        let mut expected: Vec<&str> = KIKAKU_IDS.to_vec();
        if file.ends_with(".docx") {
            expected.push("n2-p2-c3"); // the Word file has one more, after a line break
        }
        assert_eq!(ids(&json, "2024/kikaku"), expected, "{file}");
        let text_of = |id: &str| {
            site.directive(&json, "2024/kikaku", id)["text"]
                .as_str()
                .unwrap()
                .to_string()
        };
        // A sentence over the page break is one directive; a slogan keeps its spaces.
        assert!(
            text_of("n1-p2-c3")
                .ends_with("組織全体の意識の向上を図るとともに，事故の未然防止に努めること。"),
            "{file}: {}",
            text_of("n1-p2-c3")
        );
        assert!(
            text_of("n1-p1-c1").contains("「みんなで つくる 住みよいまち」"),
            "{file}"
        );
        assert!(text_of("n1-p1-c2").contains("2030年を目標年次"), "{file}");
        // 「なお，」 continues ①; 「以上」 and what follows belong to no directive.
        assert!(
            text_of("n2-p2-c1").contains("\nなお，育成の状況は四半期ごとに部内で共有すること。"),
            "{file}"
        );
        assert_eq!(
            text_of("n2-p2-c2"),
            "風通しの良い職場づくりに努め，チームとして仕事を進めること。",
            "{file}"
        );
        let page = site.page("2024/kikaku.html");
        assert!(
            !page.contains("企画部運営方針</p>"),
            "{file}: the running header is dropped"
        );
        assert!(!page.contains("- 1 -"), "{file}: page numbers are dropped");
        assert!(page.contains("（担当）企画部企画政策課"), "{file}");
    }
}

#[test]
fn word_automatic_numbering_becomes_the_markers_word_shows() {
    let site = site();
    let run = site.run(&["import", &import_fixture("fukushi-numbered.docx")]);
    run.expect_code(0);
    let text = std::fs::read_to_string(site.root().join("content/2025/fukushi.md")).unwrap();
    for line in [
        "## １．地域福祉の推進について",
        "### （２）地域共生社会の実現",
        "\n① 地域の支え合いの担い手を育成すること。\n",
        "\nイ 地域福祉コーディネーターの配置\n",
        "\n（ロ）資格取得の支援\n",
    ] {
        assert!(text.contains(line), "lacks {line:?}:\n{text}");
    }
    let fm = front_matter(&text);
    assert_eq!(fm["author"], "福祉部長 佐藤 一郎");
    assert_eq!(fm["year"], 2025);

    let build = site.build_ok();
    assert!(!build.stderr.contains("warning"), "{}", build.stderr);
    let json = site.directives_json();
    assert_eq!(
        ids(&json, "2025/fukushi"),
        vec![
            "n1",
            "n1-p1",
            "n1-p1-c1",
            "n1-p1-c2",
            "n1-p2",
            "n1-p2-c1",
            "n1-p2-c2",
            "n1-p2-c2-k1",
            "n1-p2-c2-k2",
            "n2",
            "n2-p1",
            "n2-p1-c1",
            "n2-p1-c1-kp1",
            "n2-p1-c1-kp2",
        ]
    );
    let d = site.directive(&json, "2025/fukushi", "n2-p1-c1-kp2");
    assert_eq!(d["citation"], "2.(1)①(ロ)");
    assert_eq!(d["text"], "資格取得の支援");
    let d = site.directive(&json, "2025/fukushi", "n1-p2-c1");
    assert_eq!(
        d["text"], "地域の支え合いの担い手を育成すること。",
        "restarted at ①"
    );
}

#[test]
fn bad_input_is_a_clear_error_and_nothing_is_written() {
    for (file, message) in [
        ("empty.txt", "the file is empty"),
        ("no-directive.txt", "no directive found"),
        ("locked.pdf", "protected by a password"),
        ("broken.pdf", "the PDF cannot be read"),
        ("not-a-zip.docx", "not a Word document"),
    ] {
        let site = site();
        let before = site.snapshot();
        let run = site.run(&["import", &import_fixture(file)]);
        run.expect_code(1)
            .expect_stderr(message)
            .expect_stderr("nothing was written");
        assert!(
            run.stderr.contains(file),
            "the error names the file: {}",
            run.stderr
        );
        site::assert_same_files(&before, &site.snapshot());
    }
    // One bad file among good ones: none is written.
    let site = site();
    let before = site.snapshot();
    site.run(&[
        "import",
        &import_fixture("kikaku.pdf"),
        &import_fixture("empty.txt"),
    ])
    .expect_code(1)
    .expect_stderr("1 of 2 files");
    site::assert_same_files(&before, &site.snapshot());
}

#[test]
fn import_never_overwrites_without_force() {
    let site = site();
    let seed = seed().display().to_string();
    site.run(&["import", &seed]).expect_code(0);
    let path = site.root().join("content/2023/somu.md");
    std::fs::write(&path, "edited by hand").unwrap();
    site.run(&["import", &seed])
        .expect_code(2)
        .expect_stderr("already exists");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited by hand");
    site.run(&["import", &seed, "--force"]).expect_code(0);
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("---\nyear: 2023\n"));
    // Two files for one department and year would land on one path.
    site.run(&["import", &seed, &seed, "--force"])
        .expect_code(1)
        .expect_stderr("would both be written to");
}

#[test]
fn to_a_path_or_to_standard_output() {
    let site = site();
    let seed = seed().display().to_string();
    let run = site.run(&["import", &seed, "--to", "-"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("---\nyear: 2023\ndepartment: 総務部\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("36 directives"),
        "the report goes to stderr: {}",
        run.stderr
    );
    assert!(!site.root().join("content").exists());

    let out = site.root().join("drafts/somu.md");
    site.run(&["import", &seed, "--to", &out.display().to_string()])
        .expect_code(0);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("## ２．令和５年度重要課題について"));
    site.run(&["import", &seed, &seed, "--to", "x.md"])
        .expect_code(2)
        .expect_stderr("--to takes one FILE");
}

#[test]
fn a_closing_ijou_ends_the_last_directive_in_hand_written_documents() {
    let site = site();
    site.write(
        "content/2024/somu.md",
        "---\nyear: 2024\ndepartment: 総務部\nauthor: 総務部長 氏名\n---\n\n記\n\n１．基本方針\n\n① 指示事項を書く。\n\nまた，続きの段落。\n\n　以上\n\n（担当）総務課 内線123\n\n２．これは別紙の見出しで，指示事項ではない\n",
    );
    site.build_ok();
    let json = site.directives_json();
    assert_eq!(ids(&json, "2024/somu"), vec!["n1", "n1-c1"]);
    let d = site.directive(&json, "2024/somu", "n1-c1");
    assert_eq!(d["text"], "指示事項を書く。\nまた，続きの段落。");
    let page = site.page("2024/somu.html");
    assert!(
        page.contains("<p>　以上</p>") || page.contains("<p>以上</p>"),
        "{page}"
    );
    assert!(page.contains("<p>（担当）総務課 内線123</p>"), "{page}");
}
