//! Issue 10: nothing an author or an administrator does loses a file, crashes
//! hoshin or leaks out of the site. Each case runs the real binary and checks
//! the exit status, the located message, that no file of the site changed,
//! that the previous output is byte-identical and that nothing is left behind.

use std::path::{Path, PathBuf};

use crate::support::site::{self, assert_same_files, snapshot, Run, Site};

const HEAD: &str = "---\nyear: 2023\ndepartment: 総務部\nauthor: 総務部長 伊藤 寿一\n---\n";

/// A site at `<tmp>/site` (so that paths like `../site` mean something), built once.
struct Nested {
    dir: tempfile::TempDir,
}

impl Nested {
    fn new() -> Nested {
        let dir = tempfile::tempdir().unwrap();
        site::copy_tree(&site::fixture("minimal"), &dir.path().join("site"));
        let theme = dir.path().join("site/themes/custom/static");
        std::fs::create_dir_all(&theme).unwrap();
        std::fs::write(theme.join("x.css"), "p{}").unwrap();
        Nested { dir }
    }

    fn top(&self) -> &Path {
        self.dir.path()
    }

    fn root(&self) -> PathBuf {
        self.top().join("site")
    }

    /// `hoshin <args>` with the working directory `cwd` (relative to the top).
    fn run_in(&self, cwd: &str, args: &[&str]) -> Run {
        let mut cmd = assert_cmd::Command::cargo_bin("hoshin").unwrap();
        cmd.current_dir(self.top().join(cwd)).args(args);
        cmd.timeout(std::time::Duration::from_secs(120));
        let o = cmd.output().unwrap();
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `args` in `cwd` and asserts exit 2 with `message`, and that no file
/// anywhere under the temporary folder changed.
fn refused(n: &Nested, cwd: &str, args: &[&str], message: &str) -> Run {
    let before = snapshot(n.top());
    let run = n.run_in(cwd, args);
    run.expect_code(2).expect_stderr(message);
    assert_same_files(&before, &snapshot(n.top()));
    run
}

#[test]
fn an_output_folder_that_is_or_holds_the_site_is_refused_however_spelled() {
    let n = Nested::new();
    n.run_in("site", &["build"]).expect_code(0);
    let cases: &[(&str, &[&str])] = &[
        ("site", &["build", "--output", "../site"]),
        ("site", &["build", "--output", "."]),
        ("site", &["build", "--output", "./"]),
        ("site", &["build", "--output", "content/"]),
        ("site", &["build", "--output", "content/2023"]),
        ("site", &["build", "--output", "themes"]),
        ("site", &["build", "--output", "themes/custom/out"]),
        ("site", &["build", "--output", "site.toml"]),
        ("site", &["build", "--output", ".."]),
        ("site", &["build", "--output", "public/../../site"]),
        (
            ".",
            &["build", "--root", "site", "--output", "site/content/../"],
        ),
        ("site", &["watch", "--output", "../site"]),
        ("site", &["serve", "--port", "0", "--output", "content"]),
    ];
    for (cwd, args) in cases {
        let run = refused(&n, cwd, args, "would overwrite the site");
        assert!(run.stderr.contains("= help:"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn output_dir_in_site_toml_that_climbs_back_into_the_site_is_refused_at_its_line() {
    let n = Nested::new();
    std::fs::write(
        n.root().join("site.toml"),
        "title = \"x\"\noutput_dir = \"themes/../../site\"\n",
    )
    .unwrap();
    let run = refused(&n, "site", &["build"], "would overwrite the site");
    assert!(run.stderr.contains("--> site.toml:2:1"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn an_output_folder_that_is_a_link_to_content_is_refused() {
    let n = Nested::new();
    std::os::unix::fs::symlink(n.root().join("content"), n.root().join("public")).unwrap();
    refused(&n, "site", &["build"], "it is the content folder");
    // And a link elsewhere is followed: the site is built where it points.
    std::fs::remove_file(n.root().join("public")).unwrap();
    std::fs::create_dir(n.top().join("www")).unwrap();
    std::os::unix::fs::symlink(n.top().join("www"), n.root().join("public")).unwrap();
    n.run_in("site", &["build"]).expect_code(0);
    assert!(n.top().join("www/2023/somu.html").is_file());
    assert!(
        n.root().join("public").is_symlink(),
        "the link stays a link"
    );
}

#[test]
fn a_folder_hoshin_did_not_write_is_refused_unless_forced() {
    let n = Nested::new();
    std::fs::create_dir_all(n.top().join("other/keep")).unwrap();
    std::fs::write(n.top().join("other/keep/notes.txt"), "大事なメモ").unwrap();
    let run = refused(
        &n,
        "site",
        &["build", "--output", "../other"],
        "is not empty and was not written by hoshin",
    );
    run.expect_stderr("--force");
    refused(
        &n,
        "site",
        &["watch", "--output", "../other"],
        "not written by hoshin",
    );
    // An empty folder is fine, and so is one hoshin wrote before.
    std::fs::create_dir(n.top().join("empty")).unwrap();
    n.run_in("site", &["build", "--output", "../empty"])
        .expect_code(0);
    n.run_in("site", &["build", "--output", "../empty"])
        .expect_code(0);
    assert!(n.top().join("empty/.hoshin-output").is_file());
    // --force replaces the foreign folder with the site.
    n.run_in("site", &["build", "--output", "../other", "--force"])
        .expect_code(0);
    assert!(n.top().join("other/2023/somu.html").is_file());
    assert!(n.top().join("other/.hoshin-output").is_file());
    assert!(!n.top().join("other/keep").exists());
    let leftovers: Vec<_> = std::fs::read_dir(n.top())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("hoshin"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Builds the minimal site, adds `files`, builds again: exit `code`, every
/// `messages` in stderr, the site and its previous output byte-identical.
fn rejected(files: &[(&str, &[u8])], code: i32, messages: &[&str]) -> Run {
    let site = Site::fixture("minimal");
    site.build_ok();
    for (rel, bytes) in files {
        site.write(rel, bytes);
    }
    let before = site.snapshot();
    let run = site.build();
    run.expect_code(code);
    for m in messages {
        run.expect_stderr(m);
    }
    assert_same_files(&before, &site.snapshot());
    site.check().expect_code(code);
    run
}

#[test]
fn attachments_that_would_replace_generated_files_are_errors() {
    for (rel, names) in [
        ("content/static/search.js", "content/static/search.js"),
        ("content/index.html", "`index.html`, which hoshin generates"),
        ("content/directives.json", "content/directives.json"),
        ("content/search/meta.js", "content/search/meta.js"),
        ("content/2023/somu.html", "the page of content/2023/somu.md"),
        ("content/compare/x.pdf", "content/compare/x.pdf"),
        ("content/Index.HTML", "differ only in letter case"),
    ] {
        let run = rejected(&[(rel, b"alert(1)")], 1, &[names]);
        assert!(
            run.stderr.contains(&format!("--> {rel}")),
            "{rel}: {}",
            run.stderr
        );
    }
}

#[test]
fn documents_on_generated_names_are_errors() {
    let doc = format!("{HEAD}本文\n");
    rejected(
        &[("content/search.md", doc.as_bytes())],
        1,
        &["--> content/search.md", "would replace `search.html`"],
    );
    rejected(
        &[("content/years/a.md", doc.as_bytes())],
        1,
        &["--> content/years/a.md", "`years/`"],
    );
}

#[test]
fn html_attachments_with_script_are_not_published_unless_raw_html_is_allowed() {
    let page = b"<html><head><title>x</title></head><body><p>\xe5\x88\xa5\xe7\xb4\x99</p><img src=x onerror=alert(1)></body></html>";
    rejected(
        &[("content/2023/besshi.html", page)],
        1,
        &["--> content/2023/besshi.html", "onerror", "allow_raw_html"],
    );
    rejected(
        &[(
            "content/2023/chart.svg",
            b"<svg><script>alert(1)</script></svg>",
        )],
        1,
        &["<script>"],
    );
    // Allowed: published as it is; a harmless HTML attachment always is.
    let site = Site::fixture("minimal");
    site.write("content/2023/besshi.html", page);
    site.write(
        "content/2023/plain.html",
        "<html><body><p>別紙</p></body></html>",
    );
    site.write("site.toml", "[build]\nallow_raw_html = true\n");
    site.build_ok();
    assert_eq!(
        std::fs::read(site.public().join("2023/besshi.html")).unwrap(),
        page
    );
    assert!(site.public().join("2023/plain.html").is_file());
}

#[test]
fn two_departments_with_one_slug_are_errors() {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        "[departments]\n\"総務部\" = \"x\"\n\"市民部\" = \"x\"\n",
    );
    let before = site.snapshot();
    site.build()
        .expect_code(2)
        .expect_stderr("have the same slug")
        .expect_stderr("--> site.toml:");
    assert_same_files(&before, &site.snapshot());

    // A department whose name is itself the slug another one was given.
    site.write("site.toml", "[departments]\n\"総務部\" = \"somu\"\n");
    site.write(
        "content/2023/other.md",
        "---\nyear: 2023\ndepartment: somu\nauthor: X\n---\n本文\n",
    );
    site.build()
        .expect_code(1)
        .expect_stderr("departments `somu` and `総務部` have the same slug")
        .expect_stderr("departments/somu.html");
}

#[test]
fn outputs_that_differ_only_in_case_are_errors() {
    let doc = format!("{HEAD}本文\n");
    let run = rejected(
        &[
            ("content/2024/A.md", doc.as_bytes()),
            ("content/2024/a.md", doc.as_bytes()),
        ],
        1,
        &["differ only in letter case", "Windows"],
    );
    assert!(
        run.stderr.contains("--> content/2024/a.md")
            || run.stderr.contains("--> content/2024/A.md"),
        "{}",
        run.stderr
    );
    rejected(
        &[
            ("content/Somu/x.md", doc.as_bytes()),
            ("content/somu/y.md", doc.as_bytes()),
        ],
        1,
        &[
            "folder `Somu`",
            "folder `somu`",
            "differ only in letter case",
        ],
    );
}

#[test]
fn front_matter_errors_point_at_the_offending_line() {
    let dup = "---\nyear: 2023\ndepartment: 総務部\nauthor: X\ntitle: a\ntitle: b\n---\n本文\n";
    let run = rejected(
        &[("content/2023/dup.md", dup.as_bytes())],
        1,
        &["duplicate"],
    );
    assert!(
        run.stderr.contains("--> content/2023/dup.md:6:1"),
        "{}",
        run.stderr
    );
    let mut bomb = String::from(
        "---\nyear: 2023\ndepartment: 総務部\nauthor: X\nextra:\n  a: &a [x,x,x,x,x,x,x,x,x]\n",
    );
    let mut prev = 'a';
    for name in "bcdefghi".chars() {
        bomb.push_str(&format!(
            "  {name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
        prev = name;
    }
    bomb.push_str("---\n本文\n");
    let run = rejected(&[("content/2023/bomb.md", bomb.as_bytes())], 1, &["alias"]);
    assert!(
        run.stderr.contains("--> content/2023/bomb.md:14:"),
        "{}",
        run.stderr
    );
}

#[test]
fn years_past_their_era_build_with_a_warning_and_fail_under_strict() {
    let site = Site::fixture("minimal");
    site.write(
        "content/2033/x.md",
        "---\nyear: 平成45年度\ndepartment: 企画部\nauthor: X\n---\n本文\n",
    );
    let run = site.build_ok();
    let d = run.diagnostic("past the end of the 平成 era");
    assert!(d.contains("--> content/2033/x.md:2:7"), "{d}");
    assert!(d.contains("令和15年度"), "{d}");
    assert!(site.page("2033/x.html").contains("令和15年度"));
    let before = site.snapshot();
    site.write("site.toml", "[build]\nstrict = true\n");
    let before_toml = site.snapshot();
    site.build().expect_code(1).expect_stderr("平成45年度");
    assert_same_files(&before_toml, &site.snapshot());
    drop(before);
}

#[test]
fn a_theme_that_does_not_exist_is_an_error_at_its_line() {
    let site = Site::fixture("minimal");
    site.write("site.toml", "title = \"x\"\ntheme = \"custon\"\n");
    std::fs::create_dir_all(site.root().join("themes/custom/templates")).unwrap();
    let before = site.snapshot();
    site.build()
        .expect_code(2)
        .expect_stderr("theme `custon` not found")
        .expect_stderr("--> site.toml:2:1")
        .expect_stderr("did you mean `custom`?");
    assert_same_files(&before, &site.snapshot());
}

#[test]
fn resources_from_outside_the_site_are_warned_about_and_errors_under_strict() {
    let site = Site::fixture("minimal");
    site.write(
        "content/2023/img.md",
        format!(
            "{HEAD}\n前文 ![図](https://example.jp/a.png)\n\n<img src=\"https://example.jp/b.png\" alt=\"b\">\n\n[外部のページ](https://example.jp/)\n"
        ),
    );
    let run = site.build_ok();
    let a = run.diagnostic("https://example.jp/a.png");
    assert!(a.starts_with("warning:") || a.contains("warning:"), "{a}");
    assert!(a.contains("--> content/2023/img.md:7:"), "{a}");
    let b = run.diagnostic("https://example.jp/b.png");
    assert!(b.contains("--> content/2023/img.md:9:11"), "{b}");
    assert!(
        !run.stderr.contains("https://example.jp/`"),
        "links to outside pages are fine: {}",
        run.stderr
    );
    site.write("site.toml", "[build]\nstrict = true\n");
    let before = site.snapshot();
    site.build()
        .expect_code(1)
        .expect_stderr("outside the site");
    assert_same_files(&before, &site.snapshot());
}

#[test]
fn escaped_brackets_are_literal_and_empty_references_are_errors() {
    let site = Site::fixture("minimal");
    site.write(
        "content/2023/esc.md",
        format!("{HEAD}\n① 書き方は \\[[総務部/2023]] と [\\[#n1]] です。\n"),
    );
    let run = site.build_ok();
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    let page = site.page("2023/esc.html");
    assert!(page.contains("[[総務部/2023]]"), "literal text kept");
    assert!(page.contains("[[#n1]]"), "literal text kept");

    for (line, col) in [("[[]]", 6), ("[[|]]", 6), ("[[|x]]", 6), ("[[ ]]", 6)] {
        let text = format!("{HEAD}\n① 参照 {line} です。\n");
        let run = rejected(
            &[("content/2023/empty.md", text.as_bytes())],
            1,
            &["empty reference"],
        );
        let expected = format!("--> content/2023/empty.md:7:{col}");
        assert!(run.stderr.contains(&expected), "{line}: {}", run.stderr);
    }
    // An unresolved reference after an escaped one is located exactly.
    let text = format!("{HEAD}\n① \\[[x]] [[総務部/2099]]\n");
    let run = rejected(
        &[("content/2023/col.md", text.as_bytes())],
        1,
        &["unresolved"],
    );
    assert!(
        run.stderr.contains("--> content/2023/col.md:7:10"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_error_on_a_very_long_line_shows_a_window() {
    let long = format!(
        "{HEAD}\n① {}[[総務部/2099]]{}\n",
        "あ".repeat(500_000),
        "い".repeat(500_000)
    );
    let run = rejected(
        &[("content/2023/long.md", long.as_bytes())],
        1,
        &["unresolved"],
    );
    assert!(run.stderr.len() < 10_000, "{} bytes", run.stderr.len());
    assert!(
        run.stderr.contains("--> content/2023/long.md:7:500003"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_path_segments_are_percent_encoded_in_links() {
    let site = Site::fixture("minimal");
    for name in ["c#d", "100%", "a b", "x?y"] {
        site.write(
            &format!("content/2024/{name}.md"),
            format!("---\nyear: 2024\ndepartment: {name}部\nauthor: X\n---\n① 本文\n\n[[2023/somu#n1-c1]]\n"),
        );
    }
    site.build_ok();
    let index = site.page("index.html");
    assert!(index.contains("href=\"2024/c%23d.html\""), "{index}");
    assert!(index.contains("href=\"2024/100%25.html\""));
    assert!(index.contains("href=\"2024/a%20b.html\""));
    assert!(index.contains("href=\"2024/x%3Fy.html\""));
    let problems = site::broken_links(&site.public());
    assert!(problems.is_empty(), "{problems:#?}");
    let json = site.directives_json();
    let urls: Vec<&str> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["url"].as_str().unwrap())
        .collect();
    assert!(urls.contains(&"2024/c%23d.html"), "{urls:?}");
}

#[test]
fn new_writes_names_that_need_quoting_so_that_they_build_back_exactly() {
    let site = Site::fixture("minimal");
    for name in [
        "総務部: 分室",
        "*総務部",
        "\"総務部",
        "a#b",
        "[総務部]",
        "総務部 #分室",
    ] {
        let run = site.run(&["new", name, "2024"]);
        run.expect_code(0);
        let path = run
            .stdout
            .trim()
            .strip_prefix("created ")
            .unwrap_or_else(|| panic!("{}", run.stdout))
            .to_string();
        let before = std::fs::read(&path).unwrap();
        site.run(&["new", name, "2024"])
            .expect_code(2)
            .expect_stderr("already exists");
        assert_eq!(std::fs::read(&path).unwrap(), before, "not overwritten");
    }
    site.run(&["build", "--drafts"]).expect_code(0);
    let json = site.directives_json();
    let departments: Vec<&str> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["department"].as_str().unwrap())
        .collect();
    for name in [
        "総務部: 分室",
        "*総務部",
        "\"総務部",
        "a#b",
        "[総務部]",
        "総務部 #分室",
    ] {
        assert!(departments.contains(&name), "{name}: {departments:?}");
    }
    // --force replaces.
    let run = site.run(&["new", "a#b", "2024", "--force"]);
    run.expect_code(0);
}

#[test]
fn a_nul_byte_in_a_body_does_not_crash_the_build() {
    let site = Site::fixture("minimal");
    site.write(
        "content/2023/nul.md",
        format!("{HEAD}\n① 本文\0です。`a\0b` [[総務部/2023#\0]]\n\n```\n\0R0\0\n```\n").as_bytes(),
    );
    let run = site.build();
    run.expect_code(1)
        .expect_stderr("--> content/2023/nul.md:7:");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    site.write(
        "content/2023/nul.md",
        format!("{HEAD}\n① 本文\0です。`a\0b`\n\n```\n\0R0\0\n```\n").as_bytes(),
    );
    site.build_ok();
    assert!(site.page("2023/nul.html").contains("本文\u{fffd}です"));
}

#[test]
fn a_failed_build_leaves_the_previous_output_whole_and_nothing_behind() {
    let site = Site::fixture("minimal");
    site.build_ok();
    let public = snapshot(&site.public());
    site.write(
        "content/2023/bad.md",
        format!("{HEAD}\n① [[どこにもない]]\n"),
    );
    site.build().expect_code(1);
    assert_same_files(&public, &snapshot(&site.public()));
    let names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("hoshin")),
        "left behind: {names:?}"
    );
}
