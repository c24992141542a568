//! Front matter: the YAML block at the top of a policy (SPEC §2), split off the
//! body and validated field by field, every problem located at file:line:column.

use std::ops::Range;

use serde_yaml::Value;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::era::{parse_date, parse_year, past_era_end};
use crate::model::{FrontMatter, Previous, Status};
use crate::suggest::did_you_mean;

const KEYS: &[&str] = &[
    "year",
    "department",
    "author",
    "title",
    "date",
    "audience",
    "status",
    "tags",
    "previous",
    "extra",
];

/// Where the body starts once the front matter is removed.
pub struct Split {
    /// Byte range of the YAML text (between the fences).
    pub yaml: Range<usize>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Finds the `---` fences. The file must open with one.
pub fn split(file: &SourceFile) -> Result<Split, Diagnostic> {
    let text = &file.text;
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_line_end].trim_end();
    if first != "---" {
        return Err(Diagnostic::error("missing front matter")
            .at(file, 0..first_line_end)
            .with_note("a policy starts with a `---` line, its fields (year, department, author), and another `---` line")
            .with_help("add at the top:\n---\nyear: 2023\ndepartment: 総務部\nauthor: 総務部長 氏名\n---"));
    }
    let yaml_start = (first_line_end + 1).min(text.len());
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Ok(Split {
                yaml: yaml_start..offset,
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error("front matter is not closed")
        .at(file, 0..first_line_end)
        .with_help("add a line `---` after the last field of the front matter"))
}

/// Parses and validates the YAML between the fences: the front matter and its
/// warnings, or every error found.
pub fn parse(
    file: &SourceFile,
    yaml: Range<usize>,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let src = &file.text[yaml.clone()];
    let at_key = |key: &str| key_span(file, yaml.clone(), key);
    let value: Value = match serde_yaml::from_str(src) {
        Ok(v) => v,
        Err(e) => return Err(vec![yaml_error(file, yaml, &e)]),
    };
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => serde_yaml::Mapping::new(),
        _ => {
            return Err(vec![Diagnostic::error(
                "front matter must be `key: value` lines",
            )
            .at(file, yaml.start..yaml.end.min(yaml.start + 1))])
        }
    };

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for key in map.keys() {
        let name = scalar_string(key).unwrap_or_default();
        if !KEYS.contains(&name.as_str()) {
            let mut d = Diagnostic::error(format!("unknown key `{name}` in front matter"))
                .at(file, at_key(&name));
            d.help = Some(match did_you_mean(&name, KEYS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the keys are: {}", KEYS.join(", ")),
            });
            errors.push(d);
        }
    }

    let get = |k: &str| map.get(Value::String(k.to_string()));
    let opening = 0..3;
    let missing = |key: &str, example: &str| {
        Diagnostic::error(format!("missing required field `{key}` in front matter"))
            .at(file, opening.clone())
            .with_help(format!("add a line `{key}: {example}`"))
    };

    let year = match get("year") {
        None | Some(Value::Null) => {
            errors.push(missing("year", "2023` (or `令和5年度`, `R5"));
            0
        }
        Some(v) => match scalar_string(v).as_deref().and_then(parse_year) {
            Some(y) => {
                if let Some((era, current)) = scalar_string(v).as_deref().and_then(past_era_end) {
                    warnings.push(
                        Diagnostic::warning(format!(
                            "year `{}` is past the end of the {era} era; it is read as {}",
                            scalar_string(v).unwrap_or_default(),
                            crate::era::display_fiscal_year(y)
                        ))
                        .at(file, value_span(file, yaml.clone(), "year"))
                        .with_help(format!("write `year: {current}`")),
                    );
                }
                y
            }
            None => {
                errors.push(
                    Diagnostic::error(format!(
                        "invalid year `{}`",
                        scalar_string(v).unwrap_or_else(|| "…".into())
                    ))
                    .at(file, value_span(file, yaml.clone(), "year"))
                    .with_help("write the fiscal year as 2023, 令和5年度, 令和元年度 or R5"),
                );
                0
            }
        },
    };

    let mut required_text = |key: &str, example: &str| -> String {
        match get(key) {
            None | Some(Value::Null) => {
                errors.push(missing(key, example));
                String::new()
            }
            Some(v) => match scalar_string(v) {
                Some(s) if !s.trim().is_empty() => s.trim().to_string(),
                _ => {
                    errors.push(
                        Diagnostic::error(format!("`{key}` must be text"))
                            .at(file, value_span(file, yaml.clone(), key))
                            .with_help(format!("write `{key}: {example}`")),
                    );
                    String::new()
                }
            },
        }
    };
    let department = required_text("department", "総務部");
    let author = required_text("author", "総務部長 氏名");

    let mut optional_text = |key: &str| -> Option<String> {
        match get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match scalar_string(v) {
                Some(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
                None => {
                    errors.push(
                        Diagnostic::error(format!("`{key}` must be text"))
                            .at(file, value_span(file, yaml.clone(), key)),
                    );
                    None
                }
            },
        }
    };
    let title = optional_text("title");
    let audience = optional_text("audience");
    let date_text = optional_text("date");
    let status_text = optional_text("status");
    let previous = optional_text("previous").map(|target| Previous {
        target,
        span: value_span(file, yaml.clone(), "previous"),
    });

    let date = date_text.and_then(|s| match parse_date(&s) {
        Some(d) => {
            if let Some((era, _)) = s.split_once('年').and_then(|(y, _)| past_era_end(y)) {
                warnings.push(
                    Diagnostic::warning(format!(
                        "date `{s}` is past the end of the {era} era; it is read as {}",
                        d.iso()
                    ))
                    .at(file, value_span(file, yaml.clone(), "date"))
                    .with_help(format!("write `date: {}`", d.japanese())),
                );
            }
            Some(d)
        }
        None => {
            errors.push(
                Diagnostic::error(format!("invalid date `{s}`"))
                    .at(file, value_span(file, yaml.clone(), "date"))
                    .with_help("write the date as 2023-04-01 or 令和5年4月1日"),
            );
            None
        }
    });

    let status = match status_text.as_deref() {
        None | Some("active") => Status::Active,
        Some("draft") => Status::Draft,
        Some("superseded") => Status::Superseded,
        Some(other) => {
            let options = ["draft", "active", "superseded"];
            let help = match did_you_mean(other, options) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "status is one of: draft, active, superseded".to_string(),
            };
            errors.push(
                Diagnostic::error(format!("invalid status `{other}`"))
                    .at(file, value_span(file, yaml.clone(), "status"))
                    .with_help(help),
            );
            Status::Active
        }
    };

    let tags = match get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(items)) => {
            let tags: Option<Vec<String>> = items.iter().map(scalar_string).collect();
            tags.unwrap_or_else(|| {
                errors.push(
                    Diagnostic::error("`tags` must be a list of words")
                        .at(file, value_span(file, yaml.clone(), "tags"))
                        .with_help("write `tags: [防災, 人材育成]`"),
                );
                Vec::new()
            })
        }
        Some(v) => match scalar_string(v) {
            Some(s) => s
                .split([',', '、'])
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            None => {
                errors.push(
                    Diagnostic::error("`tags` must be a list of words")
                        .at(file, value_span(file, yaml.clone(), "tags"))
                        .with_help("write `tags: [防災, 人材育成]`"),
                );
                Vec::new()
            }
        },
    };

    let extra = match get("extra") {
        None | Some(Value::Null) => serde_json::Value::Object(Default::default()),
        Some(v) => serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
    };

    if errors.is_empty() {
        Ok((
            FrontMatter {
                year,
                department,
                author,
                title,
                date,
                audience,
                status,
                tags,
                previous,
                extra,
            },
            warnings,
        ))
    } else {
        Err(errors)
    }
}

/// A YAML error, located where the problem is: serde_yaml puts a duplicate
/// key and an alias that expands too far at the start of the mapping, so
/// those are looked up in the text.
fn yaml_error(file: &SourceFile, yaml: Range<usize>, e: &serde_yaml::Error) -> Diagnostic {
    let message = strip_location(&e.to_string());
    let d = Diagnostic::error(format!("invalid YAML in front matter: {message}"));
    if let Some(key) = message
        .strip_prefix("duplicate entry with key \"")
        .and_then(|k| k.strip_suffix('"'))
    {
        let lines = key_lines(file, yaml.clone(), key);
        if let [first, second, ..] = lines.as_slice() {
            let (line, _) = file.locate(first.start);
            return d
                .at(file, second.clone())
                .with_note(format!("`{key}` is already given on line {line}"))
                .with_help(format!("keep one `{key}:` line"));
        }
    }
    if message.contains("repetition limit") || message.contains("recursion limit") {
        if let Some(span) = last_alias(file, yaml.clone()) {
            return d
                .at(file, span)
                .with_note("this alias expands to more values than a front matter can hold")
                .with_help(
                    "write the values out instead of repeating them with `&anchor` and `*alias`",
                );
        }
    }
    let d = match e.location() {
        Some(loc) => d.at(file, yaml.start + loc.index()..yaml.start + loc.index() + 1),
        None => d.at(file, yaml.start..yaml.start),
    };
    d.with_help(
        "each line is `key: value`; quote values that contain `:` or start with `[`, `{`, `*`, `&`",
    )
}

/// Byte spans of every line of the YAML where `key:` starts (at any indentation).
fn key_lines(file: &SourceFile, yaml: Range<usize>, key: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut offset = yaml.start;
    for line in file.text[yaml].split_inclusive('\n') {
        let trimmed = line
            .trim_start_matches([' ', '\t'])
            .trim_start_matches("- ");
        let indent = line.len() - trimmed.len();
        let bare = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| trimmed.strip_prefix(&format!("'{key}'")));
        if bare.is_some_and(|rest| rest.trim_start().starts_with(':')) {
            let start = offset + indent;
            found.push(start..start + key.len().min(line.trim_end().len() - indent));
        }
        offset += line.len();
    }
    found
}

/// The span of the last `*alias` in the YAML.
fn last_alias(file: &SourceFile, yaml: Range<usize>) -> Option<Range<usize>> {
    let text = &file.text[yaml.clone()];
    let bytes = text.as_bytes();
    let mut last = None;
    for (i, _) in text.match_indices('*') {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let starts_token = matches!(
            before,
            None | Some(b' ' | b'[' | b',' | b'\n' | b'\t' | b'{')
        );
        let name_len = text[i + 1..]
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
            .unwrap_or(text.len() - i - 1);
        if starts_token && name_len > 0 {
            last = Some(yaml.start + i..yaml.start + i + 1 + name_len);
        }
    }
    last
}

/// A YAML scalar as text (numbers and booleans too: `year: 2023`).
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// serde_yaml appends "at line L column C"; we print our own location.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Byte span of `key` where it starts a line of the YAML.
fn key_span(file: &SourceFile, yaml: Range<usize>, key: &str) -> Range<usize> {
    let mut offset = yaml.start;
    for line in file.text[yaml.clone()].split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(key) {
            if rest.trim_start().starts_with(':') {
                return offset..offset + key.len();
            }
        }
        offset += line.len();
    }
    yaml.start..yaml.start
}

/// Byte span of the value after `key:` (or the key itself if the value is on later lines).
fn value_span(file: &SourceFile, yaml: Range<usize>, key: &str) -> Range<usize> {
    let k = key_span(file, yaml, key);
    let line_end = file.text[k.end..]
        .find('\n')
        .map_or(file.text.len(), |i| k.end + i);
    let after = &file.text[k.end..line_end];
    let colon = after.find(':').map_or(0, |i| i + 1);
    let value = after[colon..].trim();
    if value.is_empty() {
        return k;
    }
    let start = k.end + colon + after[colon..].find(value).unwrap_or(0);
    start..start + value.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
        fm_warned(text).map(|(m, _)| m)
    }

    fn fm_warned(text: &str) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
        let file = SourceFile::new("content/a.md", text);
        let s = split(&file).map_err(|d| vec![d])?;
        parse(&file, s.yaml)
    }

    #[test]
    fn parses_all_fields() {
        let m = fm("---\nyear: 令和５年度\ndepartment: 総務部\nauthor: 総務部長 伊藤 寿一\ntitle: T\ndate: 令和5年4月1日\naudience: 各位\nstatus: superseded\ntags: [防災, 人材育成]\nextra: {a: 1}\n---\nbody")
            .unwrap();
        assert_eq!(m.year, 2023);
        assert_eq!(m.department, "総務部");
        assert_eq!(m.date.unwrap().iso(), "2023-04-01");
        assert_eq!(m.status, Status::Superseded);
        assert_eq!(m.tags, vec!["防災", "人材育成"]);
        assert_eq!(m.extra["a"], 1);
        assert_eq!(m.previous, None);
    }

    #[test]
    fn previous_keeps_its_target_and_where_it_was_written() {
        let text =
            "---\nyear: 2025\ndepartment: こども未来部\nauthor: X\nprevious: 2024/kodomo\n---\n";
        let m = fm(text).unwrap();
        let p = m.previous.unwrap();
        assert_eq!(p.target, "2024/kodomo");
        assert_eq!(&text[p.span], "2024/kodomo");
    }

    #[test]
    fn accepts_an_integer_year_and_iso_date() {
        let m =
            fm("---\nyear: 2026\ndepartment: 市民部\nauthor: X\ndate: 2026-04-01\n---\n").unwrap();
        assert_eq!((m.year, m.date.unwrap().day), (2026, 1));
    }

    #[test]
    fn unknown_key_points_at_it_and_suggests() {
        let e = fm("---\nyear: 2023\ndeparment: 総務部\nauthor: X\n---\n").unwrap_err();
        let all: String = e.iter().map(|d| d.to_string()).collect();
        assert!(all.contains("unknown key `deparment`"), "{all}");
        assert!(all.contains("content/a.md:3:1"), "{all}");
        assert!(all.contains("did you mean `department`?"), "{all}");
        assert!(all.contains("missing required field `department`"), "{all}");
    }

    #[test]
    fn invalid_year_points_at_the_value() {
        let e = fm("---\nyear: 来年度\ndepartment: 総務部\nauthor: X\n---\n").unwrap_err();
        assert_eq!(e.len(), 1);
        let loc = e[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.column), (2, 7));
    }

    #[test]
    fn missing_and_unterminated_fences() {
        let e = fm("year: 2023\n").unwrap_err();
        assert!(e[0].message.contains("missing front matter"));
        let e = fm("---\nyear: 2023\n").unwrap_err();
        assert!(e[0].message.contains("not closed"));
    }

    #[test]
    fn yaml_syntax_error_is_located() {
        let e = fm("---\nyear: 2023\ndepartment: [総務部\nauthor: X\n---\n").unwrap_err();
        assert!(e[0].message.starts_with("invalid YAML"), "{}", e[0]);
        assert!(e[0].location.as_ref().unwrap().line >= 3, "{}", e[0]);
    }

    #[test]
    fn years_past_their_era_are_read_but_warned_about() {
        for (written, year, suggestion) in [
            ("平成32年度", 2020, "令和2年度"),
            ("平成45年度", 2033, "令和15年度"),
            ("昭和99年度", 2024, "令和6年度"),
        ] {
            let (m, w) = fm_warned(&format!(
                "---\nyear: {written}\ndepartment: 総務部\nauthor: X\ndate: 平成32年4月1日\n---\n"
            ))
            .unwrap();
            assert_eq!(m.year, year);
            assert_eq!(w.len(), 2, "{w:?}");
            let text = w[0].to_string();
            assert!(text.starts_with("warning: year"), "{text}");
            assert!(text.contains("content/a.md:2:7"), "{text}");
            assert!(
                text.contains(&format!("write `year: {suggestion}`")),
                "{text}"
            );
            assert!(
                w[1].to_string().contains("write `date: 令和2年4月1日`"),
                "{}",
                w[1]
            );
        }
    }

    #[test]
    fn a_duplicate_key_is_reported_at_its_second_line() {
        let e = fm("---\nyear: 2023\ndepartment: 総務部\nauthor: X\ntitle: a\ntitle: b\n---\n")
            .unwrap_err();
        let loc = e[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.column), (6, 1), "{}", e[0]);
        assert!(
            e[0].to_string().contains("already given on line 5"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn an_alias_bomb_is_reported_at_the_alias_that_expands() {
        let mut text = String::from(
            "---\nyear: 2023\ndepartment: 総務部\nauthor: X\nextra:\n  a: &a [x,x,x,x,x,x,x,x,x]\n",
        );
        let mut prev = 'a';
        for name in "bcdefghi".chars() {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("  {name}: &{name} [{refs}]\n"));
            prev = name;
        }
        text.push_str("---\n");
        let e = fm(&text).unwrap_err();
        let loc = e[0].location.as_ref().unwrap();
        assert_eq!(loc.line, 14, "{}", e[0]);
        assert!(e[0].to_string().contains("*h"), "{}", e[0]);
    }

    #[test]
    fn invalid_status_and_date() {
        let e = fm("---\nyear: 2023\ndepartment: 総務部\nauthor: X\nstatus: actve\ndate: 2023-13-01\n---\n").unwrap_err();
        let all: String = e.iter().map(|d| d.to_string()).collect();
        assert!(all.contains("did you mean `active`?"), "{all}");
        assert!(all.contains("invalid date `2023-13-01`"), "{all}");
    }
}
