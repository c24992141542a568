//! Property tests (proptest, stable): the same entry points and invariants
//! as the fuzz targets under fuzz/ (see `hoshin::fuzzing`), on random input
//! shaped like policies, bounded to a few seconds so that CI keeps
//! fuzz-style coverage without a nightly toolchain.

use proptest::prelude::*;

use hoshin::diagnostics::SourceFile;
use hoshin::fuzzing;

/// Characters that matter to the parsers: markers, brackets, escapes,
/// emphasis, HTML, Japanese text, full-width forms, line breaks, NUL.
const POLICY_CHARS: &str = "[\\[\\]\\\\|#*_`<>!&;()（）①②⑩㉑⑴1-3１-３第のアイウロハａ-ｃa-c .、。．\n\u{3000}\t総務部市民年度令和平成\0\u{feff}-]";

fn config() -> ProptestConfig {
    // PROPTEST_CASES=5000 for a longer run by hand.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn policy_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{POLICY_CHARS}{{0,{max}}}")).unwrap()
}

/// Lines that start like directives, references and HTML, joined.
fn policy_body() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        policy_text(40),
        policy_text(20).prop_map(|t| format!("① {t}")),
        policy_text(20).prop_map(|t| format!("## （１）{t}")),
        policy_text(20).prop_map(|t| format!("1. {t}")),
        policy_text(20).prop_map(|t| format!("[[{t}]]")),
        policy_text(20).prop_map(|t| format!("\\[[{t}]] [\\[{t}]]")),
        policy_text(20).prop_map(|t| format!("<img src=\"https://x/{t}\"> ![a](//x/{t})")),
        policy_text(20).prop_map(|t| format!("```\n{t}\n```")),
        Just("以上".to_string()),
    ];
    proptest::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_body_parses_links_and_renders(body in policy_body()) {
        fuzzing::check_document(&format!(
            "---\nyear: 2023\ndepartment: 総務部\nauthor: X\n---\n{body}\n"
        ));
    }

    #[test]
    fn any_file_gives_a_document_or_located_errors(text in policy_text(300)) {
        fuzzing::check_document(&text);
        fuzzing::check_document(&format!("---\n{text}\n---\n"));
    }

    #[test]
    fn any_front_matter_value_is_read_or_located(
        key in prop_oneof![Just("year"), Just("department"), Just("date"), Just("tags"), Just("extra"), Just("title"), Just("previous")],
        value in policy_text(40),
    ) {
        let text = format!("---\nyear: 2023\ndepartment: 総務部\nauthor: X\n{key}: {value}\n---\n本文\n");
        fuzzing::check_document(&text);
    }

    #[test]
    fn any_reference_text(text in policy_text(60)) {
        fuzzing::check_references(&text);
    }

    #[test]
    fn any_search_text(text in policy_text(200)) {
        fuzzing::check_search_text(&text);
    }

    #[test]
    fn any_bytes_to_the_preview_server(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        fuzzing::check_http_request(&bytes);
    }

    #[test]
    fn any_request_line_to_the_preview_server(
        path in proptest::string::string_regex("[/.%2eEfF5cC\\\\a-z0-9?#総]{0,40}").unwrap(),
    ) {
        fuzzing::check_http_request(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    }

    #[test]
    fn any_marker_text(text in policy_text(30)) {
        if let Some(m) = hoshin::marker::detect(&text) {
            prop_assert!(m.len <= text.len() && text.is_char_boundary(m.len));
        }
    }

    #[test]
    fn new_writes_front_matter_that_parses_back_exactly(
        name in proptest::string::string_regex("[^\\p{Cc}\\s][^\\p{Cc}]{0,15}[^\\p{Cc}\\s]").unwrap(),
    ) {
        let fields = hoshin::scaffold::FrontMatterOut {
            year: 2024,
            department: name.clone(),
            author: format!("{name}長 氏名"),
            title: Some(name.clone()),
            tags: Some(vec![name.clone()]),
            ..Default::default()
        };
        let text = hoshin::scaffold::render_document(&fields, "本文").unwrap();
        let file = SourceFile::new("content/2024/x.md", text.clone());
        let split = hoshin::frontmatter::split(&file).unwrap();
        let (meta, _) = hoshin::frontmatter::parse(&file, split.yaml)
            .unwrap_or_else(|e| panic!("{text}\n{}", e[0]));
        prop_assert_eq!(meta.department, name.clone());
        prop_assert_eq!(meta.title, Some(name.clone()));
        prop_assert_eq!(meta.tags, vec![name]);
    }
}
