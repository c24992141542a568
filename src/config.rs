//! `site.toml`: the site's configuration. Every key is optional; an unknown key
//! is an error with a did-you-mean suggestion (exit status 2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::marker::MarkerKind;
use crate::suggest::did_you_mean;

/// The parsed configuration of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Site title, shown in the header and the `<title>` of every page.
    pub title: String,
    /// Value of `<html lang>`.
    pub language: String,
    /// Folder of policy documents, relative to the root.
    pub content_dir: PathBuf,
    /// Output folder, relative to the root.
    pub output_dir: PathBuf,
    /// Theme name: `themes/<theme>/` overrides the built-in templates and static files.
    pub theme: String,
    /// Department name → ASCII slug, for listing page file names.
    pub departments: BTreeMap<String, String>,
    /// Marker kinds by rank, highest first.
    pub directive_order: Vec<MarkerKind>,
    /// Build a search index.
    pub search_enabled: bool,
    /// Warnings are errors.
    pub strict: bool,
    /// Pass raw HTML in documents through instead of sanitising it.
    pub allow_raw_html: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "運営方針".to_string(),
            language: "ja".to_string(),
            content_dir: PathBuf::from("content"),
            output_dir: PathBuf::from("public"),
            theme: "default".to_string(),
            departments: BTreeMap::new(),
            directive_order: MarkerKind::ALL.to_vec(),
            search_enabled: true,
            strict: false,
            allow_raw_html: false,
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "title",
    "language",
    "content_dir",
    "output_dir",
    "theme",
    "departments",
    "directives",
    "search",
    "build",
];
const DIRECTIVE_KEYS: &[&str] = &["order"];
const SEARCH_KEYS: &[&str] = &["enabled"];
const BUILD_KEYS: &[&str] = &["strict", "allow_raw_html"];

impl Config {
    /// Reads `site.toml` under `root`; a missing file gives the defaults.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join("site.toml");
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Config::parse(&SourceFile::new("site.toml", text)),
                Err(_) => Err(vec![Diagnostic::error("site.toml is not UTF-8 text")
                    .in_file("site.toml")
                    .with_help("save the file as UTF-8")]),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(vec![Diagnostic::error(format!(
                "cannot read site.toml: {e}"
            ))]),
        }
    }

    /// Parses the text of a `site.toml`.
    pub fn parse(file: &SourceFile) -> Result<Config, Vec<Diagnostic>> {
        let text = file.text.trim_start_matches('\u{feff}');
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let span = e.span().unwrap_or(0..0);
            let offset = file.text.len() - text.len();
            vec![Diagnostic::error(format!("invalid TOML: {}", e.message()))
                .at(file, span.start + offset..span.end + offset)]
        })?;
        let mut errors = Vec::new();
        let mut config = Config::default();
        let checker = KeyChecker { file };
        checker.unknown_keys(&table, TOP_KEYS, "", &mut errors);

        for (key, value) in &table {
            let v = value;
            match key.as_str() {
                "title" => checker.string(key, v, &mut config.title, &mut errors),
                "language" => checker.string(key, v, &mut config.language, &mut errors),
                "theme" => checker.string(key, v, &mut config.theme, &mut errors),
                "content_dir" | "output_dir" => {
                    let mut s = String::new();
                    checker.string(key, v, &mut s, &mut errors);
                    let target = if key == "content_dir" {
                        &mut config.content_dir
                    } else {
                        &mut config.output_dir
                    };
                    if !s.is_empty() {
                        *target = PathBuf::from(s);
                    }
                }
                "departments" => match v.as_table() {
                    Some(t) => {
                        // Slugs name listing pages: one per department, in any letter case.
                        let mut taken: BTreeMap<String, &str> = BTreeMap::new();
                        for (name, slug) in t {
                            match slug.as_str() {
                                Some(s) if is_slug(s) => {
                                    if let Some(other) = taken.insert(s.to_lowercase(), name) {
                                        errors.push(checker.error_at(
                                            name,
                                            format!("departments `{other}` and `{name}` have the same slug `{s}`: one listing page would replace the other"),
                                            Some(format!("give `{name}` a slug of its own (slugs that differ only in letter case are one file on Windows)")),
                                        ));
                                    }
                                    config.departments.insert(name.clone(), s.to_string());
                                }
                                _ => errors.push(checker.error_at(
                                    name,
                                    format!("the slug of department `{name}` must be ASCII letters, digits, `-` or `_`"),
                                    Some(format!("write it as `\"{name}\" = \"somu\"`")),
                                )),
                            }
                        }
                    }
                    None => {
                        errors.push(checker.type_error(key, "a table of department = \"slug\""))
                    }
                },
                "directives" => match v.as_table() {
                    Some(t) => {
                        checker.unknown_keys(t, DIRECTIVE_KEYS, "directives.", &mut errors);
                        if let Some(order) = t.get("order") {
                            match parse_order(order) {
                                Ok(o) => config.directive_order = o,
                                Err(msg) => errors.push(checker.error_at(
                                    "order",
                                    msg,
                                    Some("e.g. order = [\"dai\", \"n\", \"p\", \"c\", \"k\", \"kp\", \"l\", \"lp\"]".into()),
                                )),
                            }
                        }
                    }
                    None => errors.push(checker.type_error(key, "a table")),
                },
                "search" => match v.as_table() {
                    Some(t) => {
                        checker.unknown_keys(t, SEARCH_KEYS, "search.", &mut errors);
                        if let Some(b) = t.get("enabled") {
                            checker.boolean("enabled", b, &mut config.search_enabled, &mut errors);
                        }
                    }
                    None => errors.push(checker.type_error(key, "a table")),
                },
                "build" => match v.as_table() {
                    Some(t) => {
                        checker.unknown_keys(t, BUILD_KEYS, "build.", &mut errors);
                        if let Some(b) = t.get("strict") {
                            checker.boolean("strict", b, &mut config.strict, &mut errors);
                        }
                        if let Some(b) = t.get("allow_raw_html") {
                            checker.boolean(
                                "allow_raw_html",
                                b,
                                &mut config.allow_raw_html,
                                &mut errors,
                            );
                        }
                    }
                    None => errors.push(checker.type_error(key, "a table")),
                },
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// The slug of a department: from `[departments]`, else a stable ASCII name derived from it.
    pub fn department_slug(&self, department: &str) -> String {
        if let Some(slug) = self.departments.get(department) {
            return slug.clone();
        }
        if is_slug(department) {
            return department.to_string();
        }
        // FNV-1a: stable across builds and platforms, ASCII, short.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in department.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        format!("d{:08x}", h as u32)
    }

    /// The rank of a marker kind (0 is highest).
    pub fn rank(&self, kind: MarkerKind) -> usize {
        self.directive_order
            .iter()
            .position(|&k| k == kind)
            .unwrap_or(usize::MAX)
    }
}

/// Points a diagnostic at the line of site.toml under `root` that sets the
/// top-level `key`, if there is one (for problems found after parsing, such
/// as an output folder or a theme that cannot be used).
pub fn at_key(root: &Path, key: &str, d: Diagnostic) -> Diagnostic {
    let Ok(text) = std::fs::read_to_string(root.join("site.toml")) else {
        return d;
    };
    let file = SourceFile::new("site.toml", text);
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            break; // Past the top-level keys.
        }
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                let start = offset + line.len() - trimmed.len();
                return d.at(&file, start..start + key.len());
            }
        }
        offset += line.len();
    }
    d
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn parse_order(value: &toml::Value) -> Result<Vec<MarkerKind>, String> {
    let arr = value
        .as_array()
        .ok_or("`order` must be an array of marker codes")?;
    let mut order = Vec::new();
    for v in arr {
        let code = v
            .as_str()
            .ok_or("`order` must be an array of marker codes")?;
        let kind = MarkerKind::from_code(code).ok_or_else(|| {
            let codes = MarkerKind::ALL.map(MarkerKind::code);
            match did_you_mean(code, codes) {
                Some(s) => format!("unknown marker code `{code}` (did you mean `{s}`?)"),
                None => format!("unknown marker code `{code}`"),
            }
        })?;
        if order.contains(&kind) {
            return Err(format!("marker code `{code}` is listed twice"));
        }
        order.push(kind);
    }
    // Kinds left out rank below the listed ones, in their default order.
    for k in MarkerKind::ALL {
        if !order.contains(&k) {
            order.push(k);
        }
    }
    Ok(order)
}

struct KeyChecker<'a> {
    file: &'a SourceFile,
}

impl KeyChecker<'_> {
    /// Byte span of the first line that assigns `key` (or names the table `[key]`).
    fn span_of(&self, key: &str) -> std::ops::Range<usize> {
        let text = &self.file.text;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let bare = trimmed.trim_start_matches('[').trim_start_matches('"');
            if let Some(rest) = bare.strip_prefix(key) {
                let rest = rest.trim_start_matches('"').trim_start();
                if rest.starts_with('=') || rest.starts_with(']') {
                    let start = offset + indent + (trimmed.len() - bare.len());
                    return start..start + key.len();
                }
            }
            offset += line.len();
        }
        0..0
    }

    fn error_at(&self, key: &str, message: String, help: Option<String>) -> Diagnostic {
        let mut d = Diagnostic::error(message).at(self.file, self.span_of(key));
        d.help = help;
        d
    }

    fn unknown_keys(
        &self,
        table: &toml::Table,
        known: &[&str],
        prefix: &str,
        errors: &mut Vec<Diagnostic>,
    ) {
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                let help = match did_you_mean(key, known.iter().copied()) {
                    Some(s) => format!("did you mean `{prefix}{s}`?"),
                    None => format!(
                        "known keys here: {}",
                        known
                            .iter()
                            .map(|k| format!("`{prefix}{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                errors.push(self.error_at(
                    key,
                    format!("unknown key `{prefix}{key}` in site.toml"),
                    Some(help),
                ));
            }
        }
    }

    fn type_error(&self, key: &str, expected: &str) -> Diagnostic {
        self.error_at(key, format!("`{key}` must be {expected}"), None)
    }

    fn string(&self, key: &str, v: &toml::Value, out: &mut String, errors: &mut Vec<Diagnostic>) {
        match v.as_str() {
            Some(s) => *out = s.to_string(),
            None => errors.push(self.type_error(key, "a string")),
        }
    }

    fn boolean(&self, key: &str, v: &toml::Value, out: &mut bool, errors: &mut Vec<Diagnostic>) {
        match v.as_bool() {
            Some(b) => *out = b,
            None => errors.push(self.type_error(key, "true or false")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(&SourceFile::new("site.toml", text))
    }

    #[test]
    fn defaults_when_empty() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "title = \"方針\"\nlanguage = \"ja\"\noutput_dir = \"out\"\n[departments]\n\"総務部\" = \"somu\"\n[directives]\norder = [\"n\", \"dai\"]\n[build]\nstrict = true\nallow_raw_html = true\n[search]\nenabled = false\n",
        )
        .unwrap();
        assert_eq!(c.title, "方針");
        assert_eq!(c.output_dir, PathBuf::from("out"));
        assert_eq!(c.department_slug("総務部"), "somu");
        assert_eq!(c.rank(MarkerKind::N), 0);
        assert_eq!(c.rank(MarkerKind::Dai), 1);
        assert_eq!(c.rank(MarkerKind::P), 2);
        assert!(c.strict && c.allow_raw_html && !c.search_enabled);
    }

    #[test]
    fn unknown_keys_suggest_the_right_one() {
        let errors = parse("titel = \"x\"\n[build]\nstrictt = true\n").unwrap_err();
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            text[0].contains("unknown key `titel`") && text[0].contains("did you mean `title`?"),
            "{text:?}"
        );
        assert!(
            text[1].contains("site.toml:3:1") && text[1].contains("`build.strict`"),
            "{text:?}"
        );
    }

    #[test]
    fn bad_slug_and_bad_order_are_errors() {
        assert!(parse("[departments]\n\"総務部\" = \"総務\"\n").is_err());
        let e = parse("[directives]\norder = [\"nn\"]\n").unwrap_err();
        assert!(e[0].message.contains("did you mean `n`"), "{}", e[0]);
    }

    #[test]
    fn two_departments_with_one_slug_are_an_error() {
        let e = parse("[departments]\n\"総務部\" = \"x\"\n\"市民部\" = \"X\"\n").unwrap_err();
        let text = e[0].to_string();
        assert!(text.contains("have the same slug"), "{text}");
        assert!(text.contains("--> site.toml:"), "{text}");
    }

    #[test]
    fn department_without_slug_gets_a_stable_ascii_one() {
        let c = Config::default();
        let s = c.department_slug("福祉部");
        assert!(s.is_ascii() && s.starts_with('d'));
        assert_eq!(s, c.department_slug("福祉部"));
    }
}
