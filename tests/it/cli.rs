//! The command line as an author and an administrator meet it: scaffolding,
//! drafts, the summary line, stage timings, usage errors and the guard on
//! the output folder.

use crate::support::site::{self, Site};

#[test]
fn new_scaffolds_a_draft_that_builds_only_with_drafts() {
    let site = Site::sample();
    site.run(&["new", "総務部", "令和6年度"]).expect_code(0);
    let path = site.root().join("content/2024/somu.md");
    let text = std::fs::read_to_string(&path).expect("content/2024/somu.md created");
    assert!(
        text.starts_with("---\nyear: 2024\ndepartment: 総務部\n"),
        "{text}"
    );
    assert!(text.contains("status: draft"), "{text}");

    let run = site.build_ok();
    assert!(
        !site.public().join("2024/somu.html").exists(),
        "drafts are not published by default"
    );
    assert!(run.stdout.contains("built 2 documents"), "{}", run.stdout);

    site.run(&["build", "--drafts"]).expect_code(0);
    let page = site.page("2024/somu.html");
    assert!(
        page.contains("id=\"n1-p1-c1\""),
        "the scaffold's directives are anchored"
    );

    // A second `new` for the same department and year does not overwrite.
    site.run(&["new", "総務部", "2024"])
        .expect_code(2)
        .expect_stderr("already exists");
    site.run(&["new", "総務部", "来年"])
        .expect_code(2)
        .expect_stderr("invalid year");
}

#[test]
fn build_prints_one_summary_line_and_timings_on_request() {
    let site = Site::sample();
    let run = site.build_ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let line = lines[0];
    for part in [
        "2 documents",
        "65 directives",
        "0 references",
        "pages in",
        " ms",
    ] {
        assert!(line.contains(part), "{line}");
    }

    let run = site.run(&["build", "--timings"]);
    run.expect_code(0);
    for stage in ["load", "parse", "link", "render", "search index", "write"] {
        assert!(
            run.stdout.contains(stage),
            "stage {stage} missing:\n{}",
            run.stdout
        );
    }
    if cfg!(target_os = "linux") {
        assert!(
            run.stdout.contains("resident") && run.stdout.contains("peak so far"),
            "no memory beside the stages:\n{}",
            run.stdout
        );
    }
    if cfg!(unix) {
        assert!(
            run.stdout.contains(" cores)"),
            "no CPU time beside the stages:\n{}",
            run.stdout
        );
    }
}

#[test]
fn check_writes_nothing() {
    let site = Site::sample();
    let run = site.check();
    run.expect_code(0);
    assert!(run.stdout.contains("checked 2 documents"), "{}", run.stdout);
    assert!(!site.public().exists());
}

#[test]
fn output_option_builds_elsewhere() {
    let site = Site::sample();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    site.run(&["build", "--output", target.to_str().unwrap()])
        .expect_code(0);
    assert!(target.join("2023/somu.html").is_file());
    assert!(!site.public().exists());
}

#[test]
fn an_output_folder_that_would_swallow_the_site_is_refused() {
    let site = Site::sample();
    site.write("site.toml", "output_dir = \".\"\n");
    site.build()
        .expect_code(2)
        .expect_stderr("would overwrite the site");
    assert!(
        site.root().join("content/2023/somu.md").is_file(),
        "content untouched"
    );
    site.write("site.toml", "output_dir = \"content/out\"\n");
    site.build().expect_code(2);
}

#[test]
fn usage_errors_exit_with_2() {
    let site = Site::sample();
    site.run(&["build", "--no-such-flag"]).expect_code(2);
    site.run(&["frobnicate"]).expect_code(2);
}

#[test]
fn attachments_in_content_are_copied_beside_the_pages() {
    let site = Site::sample();
    site.write("content/2023/別紙.pdf", b"%PDF-1.4 test");
    site.write(
        "content/2023/link.md",
        "---\nyear: 2023\ndepartment: 企画部\nauthor: X\n---\n\n[別紙](別紙.pdf)を参照。\n",
    );
    site.build_ok();
    assert_eq!(
        std::fs::read(site.public().join("2023/別紙.pdf")).unwrap(),
        b"%PDF-1.4 test"
    );
    assert!(
        site.page("2023/link.html")
            .contains("href=\"%E5%88%A5%E7%B4%99.pdf\"")
            || site.page("2023/link.html").contains("href=\"別紙.pdf\"")
    );
    assert!(
        site::broken_links(&site.public()).is_empty(),
        "{:?}",
        site::broken_links(&site.public())
    );
}

/// What is beside the output folder of a site whose output is `public/`.
fn beside_output(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hoshin-"))
        .collect();
    names.sort();
    names
}

#[test]
fn nothing_of_hoshins_stays_beside_the_output_even_after_a_killed_build() {
    let site = Site::sample();
    // What a build killed while staging, and one killed between swap and
    // delete, leave behind (no process has the PID 4294967295).
    for name in [
        ".public.hoshin-new-4294967295",
        ".public.hoshin-old-4294967295",
    ] {
        site.write(&format!("{name}/2023/somu.html"), "stale");
    }
    site.build_ok();
    assert_eq!(beside_output(&site), Vec::<String>::new());
    // The replaced output is removed by the build itself, before it exits.
    site.build_ok();
    assert_eq!(beside_output(&site), Vec::<String>::new());
    assert!(site.page("2023/somu.html").contains("n1-p3-c6"));
}
