//! Issue "build", bad input: every error of SPEC §2–3 is reported with
//! file:line:column and the right exit status, and a failed build leaves the
//! previously built site byte for byte as it was.

use crate::support::site::{assert_same_files, Run, Site};

const HEAD: &str = "---\nyear: 2023\ndepartment: 総務部\nauthor: 総務部長 伊藤 寿一\n---\n";

/// Builds the minimal site, breaks it by writing `rel`, and builds again.
/// Asserts the exit status, that nothing under the site changed (the previous
/// `public/` included, no temporary folder left), and that `check` fails the
/// same way. Returns the failed build.
fn rejected(rel: &str, bytes: &[u8], code: i32) -> Run {
    let site = Site::fixture("minimal");
    site.build_ok();
    assert!(site.public().join("2023/somu.html").is_file());
    site.write(rel, bytes);
    let before = site.snapshot();
    let run = site.build();
    run.expect_code(code);
    assert_same_files(&before, &site.snapshot());
    let check = site.check();
    check.expect_code(code);
    assert_same_files(&before, &site.snapshot());
    run
}

/// `path:line:col` of the first occurrence of `needle` in `text` (column in characters).
fn location(path: &str, text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the fixture"));
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..at].chars().count() + 1;
    format!("{path}:{line}:{col}")
}

fn assert_located(run: &Run, loc: &str) {
    assert!(
        run.locations().iter().any(|l| l == loc),
        "no diagnostic at {loc}\n--- stderr\n{}",
        run.stderr
    );
}

#[test]
fn missing_front_matter() {
    let run = rejected(
        "content/a.md",
        "year: 2023\ndepartment: 総務部\n\n① 本文\n".as_bytes(),
        1,
    );
    run.expect_stderr("missing front matter");
    assert_located(&run, "content/a.md:1:1");
}

#[test]
fn unterminated_front_matter() {
    let run = rejected(
        "content/a.md",
        "---\nyear: 2023\ndepartment: 総務部\nauthor: X\n\n① 本文\n".as_bytes(),
        1,
    );
    run.expect_stderr("front matter is not closed");
    assert_located(&run, "content/a.md:1:1");
}

#[test]
fn missing_required_fields() {
    for (field, text) in [
        ("year", "---\ndepartment: 総務部\nauthor: X\n---\n"),
        ("department", "---\nyear: 2023\nauthor: X\n---\n"),
        ("author", "---\nyear: 2023\ndepartment: 総務部\n---\n"),
    ] {
        let run = rejected("content/a.md", text.as_bytes(), 1);
        run.expect_stderr(&format!("missing required field `{field}`"));
        assert_located(&run, "content/a.md:1:1");
    }
}

#[test]
fn invalid_year() {
    let text = "---\nyear: 来年度\ndepartment: 総務部\nauthor: X\n---\n";
    let run = rejected("content/a.md", text.as_bytes(), 1);
    run.expect_stderr("invalid year `来年度`");
    assert_located(&run, "content/a.md:2:7");
}

#[test]
fn unknown_key_with_did_you_mean_and_every_error_of_the_file() {
    let text = "---\nyear: 2023\ndeparment: 総務部\nauthor: X\n---\n";
    let run = rejected("content/a.md", text.as_bytes(), 1);
    let d = run.diagnostic("unknown key `deparment`");
    assert!(d.contains("content/a.md:3:1"), "{d}");
    assert!(d.contains("did you mean `department`"), "{d}");
    // The missing field is reported in the same run.
    run.expect_stderr("missing required field `department`");
}

#[test]
fn invalid_yaml() {
    let text = "---\nyear: 2023\ndepartment: [総務部\nauthor: X\n---\n";
    let run = rejected("content/a.md", text.as_bytes(), 1);
    let d = run.diagnostic("invalid YAML");
    let loc = run.locations().into_iter().next().expect("a location");
    let line: usize = loc.split(':').nth(1).unwrap().parse().unwrap();
    assert!(
        loc.starts_with("content/a.md:") && (3..=4).contains(&line),
        "located in the front matter: {d}"
    );
}

#[test]
fn file_that_is_not_utf8() {
    // 「総務部」 in Shift_JIS on line 3, after `department: `.
    let mut bytes = b"---\nyear: 2023\ndepartment: ".to_vec();
    bytes.extend_from_slice(&[0x91, 0x8d, 0x96, 0xb1, 0x95, 0x94]);
    bytes.extend_from_slice(b"\nauthor: X\n---\n");
    let run = rejected("content/a.md", &bytes, 1);
    run.expect_stderr("not UTF-8");
    assert_located(&run, "content/a.md:3:13");
}

#[test]
fn duplicate_directive_number_is_an_error() {
    let text = format!("{HEAD}\n## １．方針\n\n① 一つ目。\n\n② 二つ目。\n\n② 二つ目の重複。\n");
    let run = rejected("content/a.md", text.as_bytes(), 1);
    run.expect_stderr("appears twice");
    assert_located(&run, &location("content/a.md", &text, "② 二つ目の重複"));
}

#[test]
fn gap_in_numbering_is_a_warning_and_the_site_is_built() {
    let site = Site::fixture("minimal");
    site.build_ok();
    let text = format!("{HEAD}\n## １．方針\n\n① 一つ目。\n\n② 二つ目。\n\n④ 四つ目。\n");
    site.write("content/a.md", &text);
    let run = site.build();
    run.expect_code(0);
    run.expect_stderr("warning: gap in numbering");
    assert_located(&run, &location("content/a.md", &text, "④ 四つ目"));
    assert!(
        site.page("a.html").contains("id=\"n1-c4\""),
        "the page is built"
    );
}

#[test]
fn strict_makes_the_gap_an_error() {
    let text = format!("{HEAD}\n① 一つ目。\n\n③ 三つ目。\n");
    let site = Site::fixture("minimal");
    site.build_ok();
    site.write("site.toml", "[build]\nstrict = true\n");
    site.write("content/a.md", &text);
    let before = site.snapshot();
    site.build()
        .expect_code(1)
        .expect_stderr("gap in numbering");
    assert_same_files(&before, &site.snapshot());
}

#[test]
fn unknown_site_toml_key_is_a_configuration_error() {
    let run = rejected("site.toml", b"title = \"x\"\n[build]\nstrikt = true\n", 2);
    let d = run.diagnostic("unknown key `build.strikt`");
    assert!(d.contains("site.toml:3:1"), "{d}");
    assert!(d.contains("did you mean `build.strict`"), "{d}");
}

#[test]
fn unknown_site_toml_key_with_swapped_letters_gets_a_suggestion() {
    let run = rejected("site.toml", b"titel = \"x\"\n", 2);
    let d = run.diagnostic("unknown key `titel`");
    assert!(d.contains("site.toml:1:1"), "{d}");
    assert!(d.contains("did you mean `title`"), "{d}");
}

#[test]
fn every_error_of_every_file_is_reported_in_one_run() {
    let site = Site::fixture("minimal");
    site.build_ok();
    let a = "---\nyear: 来年度\ndepartment: 総務部\nauthor: X\n---\n";
    let b = format!("{HEAD}\n① 一つ目。\n\n① 重複。\n");
    site.write("content/a.md", a);
    site.write("content/b.md", &b);
    let before = site.snapshot();
    let run = site.build();
    run.expect_code(1).expect_stderr("2 errors");
    assert_located(&run, "content/a.md:2:7");
    assert_located(&run, &location("content/b.md", &b, "① 重複"));
    assert_same_files(&before, &site.snapshot());
}

#[test]
fn bom_and_crlf_are_accepted_and_located_by_line() {
    let site = Site::fixture("minimal");
    let text = "\u{feff}---\r\nyear: 2023\r\ndepartment: 企画部\r\nauthor: X\r\n---\r\n\r\n## １．方針\r\n\r\n① 一つ目。\r\n";
    site.write("content/b.md", text);
    site.build_ok();
    let json = site.directives_json();
    let d = site.directive(&json, "b", "n1-c1");
    assert_eq!(d["text"], "一つ目。");
    // An error in such a file points at the right line and column.
    site.write("content/b.md", text.replace("department", "deparment"));
    let run = site.build();
    run.expect_code(1);
    assert_located(&run, "content/b.md:3:1");
}
