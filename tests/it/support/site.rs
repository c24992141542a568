//! Helpers for the integration tests that run the real `hoshin` binary on
//! fixture sites: a site in a temporary folder, the built output read back,
//! and a small HTML scanner for links, ids and elements.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The repository root (the sample site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// What a run of the binary gave.
pub struct Run {
    /// Exit status (None if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Panics with both streams unless the exit status is `code`.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Panics unless stderr contains `needle`.
    pub fn expect_stderr(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// The `--> file:line:col` locations printed, in order.
    pub fn locations(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("--> "))
            .map(str::to_string)
            .collect()
    }

    /// The diagnostic (from its `error:`/`warning:` line to the next blank line)
    /// whose text contains `needle`.
    pub fn diagnostic(&self, needle: &str) -> String {
        self.stderr
            .split("\n\n")
            .find(|d| d.contains(needle))
            .unwrap_or_else(|| panic!("no diagnostic with {needle:?}\n--- stderr\n{}", self.stderr))
            .to_string()
    }
}

/// A site in a temporary folder.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// An empty site.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A copy of `tests/fixtures/<name>`, then of each further fixture over it.
    pub fn from_fixtures(names: &[&str]) -> Site {
        let site = Site::empty();
        for name in names {
            let src = fixture(name);
            assert!(src.is_dir(), "missing fixture {}", src.display());
            copy_tree(&src, site.root());
        }
        site
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        Site::from_fixtures(&[name])
    }

    /// A copy of the sample site: the repository's `content/` and `site.toml`.
    pub fn sample() -> Site {
        let site = Site::empty();
        copy_tree(&repo().join("content"), &site.root().join("content"));
        std::fs::copy(repo().join("site.toml"), site.root().join("site.toml")).unwrap();
        site
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The default output folder.
    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes a file under the root, creating folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Runs `hoshin <args…> --root <root>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::cargo_bin("hoshin").unwrap();
        cmd.args(args).arg("--root").arg(self.root());
        cmd.timeout(std::time::Duration::from_secs(120));
        Run::from(cmd.output().unwrap())
    }

    /// `hoshin build`.
    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// `hoshin check`.
    pub fn check(&self) -> Run {
        self.run(&["check"])
    }

    /// `hoshin build`, which must succeed.
    pub fn build_ok(&self) -> Run {
        let run = self.build();
        run.expect_code(0);
        run
    }

    /// A built file as text.
    pub fn page(&self, rel: &str) -> String {
        let path = self.public().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// `public/directives.json`.
    pub fn directives_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.page("directives.json")).unwrap()
    }

    /// The directive `doc#id` of `directives.json`.
    pub fn directive(&self, json: &serde_json::Value, doc: &str, id: &str) -> serde_json::Value {
        json["directives"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["doc"] == doc && d["id"] == id)
            .unwrap_or_else(|| panic!("no directive {doc}#{id} in directives.json"))
            .clone()
    }

    /// Every file under the root (output included), path → bytes.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(self.root())
    }
}

/// Every file under `dir`, relative path → bytes (empty if `dir` does not exist).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
        if entry.file_type().is_file() {
            files.insert(rel, std::fs::read(entry.path()).unwrap());
        } else if entry.file_type().is_dir() {
            files.insert(rel.join(""), Vec::new());
        }
    }
    files
}

/// Asserts two snapshots are equal, naming the first difference.
pub fn assert_same_files(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    let added: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: Vec<_> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let changed: Vec<_> = before
        .iter()
        .filter(|(k, v)| after.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        added.is_empty() && removed.is_empty() && changed.is_empty(),
        "files differ: added {added:?}, removed {removed:?}, changed {changed:?}"
    );
}

// ---------------------------------------------------------------- HTML

/// A start tag found in a page.
#[derive(Debug, Clone)]
pub struct Tag {
    /// Lower-case element name.
    pub name: String,
    /// Attributes, names lower-cased, values with entities decoded.
    pub attrs: Vec<(String, String)>,
    /// Byte offset of `<`.
    pub start: usize,
    /// Byte offset after `>`.
    pub end: usize,
}

impl Tag {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Decodes the entities a generator writes (`&amp;` `&lt;` `&gt;` `&quot;` `&#39;` `&#x27;`).
pub fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Every start tag of a page, in order (comments skipped; the contents of
/// `<script>` and `<style>` are not scanned for tags).
pub fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        if html[start..].starts_with("<!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let name_start = start + 1;
        let name_len = html[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(html.len() - name_start);
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let mut j = name_start + name_len;
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j] as char).is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() {
                break;
            }
            if bytes[j] == b'>' {
                j += 1;
                break;
            }
            if bytes[j] == b'/' {
                j += 1;
                continue;
            }
            let an_start = j;
            while j < bytes.len() && !b" \t\n\r=>/".contains(&bytes[j]) {
                j += 1;
            }
            let an = html[an_start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let q = bytes[j] as char;
                    let v_end = html[j + 1..].find(q).map_or(html.len(), |e| j + 1 + e);
                    value = decode_entities(&html[j + 1..v_end]);
                    j = (v_end + 1).min(html.len());
                } else {
                    let v_start = j;
                    while j < bytes.len() && !b" \t\n\r>".contains(&bytes[j]) {
                        j += 1;
                    }
                    value = decode_entities(&html[v_start..j]);
                }
            }
            if !an.is_empty() {
                attrs.push((an, value));
            }
        }
        out.push(Tag {
            name: name.clone(),
            attrs,
            start,
            end: j,
        });
        i = j;
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = html[j..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| j + e);
        }
    }
    out
}

/// The start tag with `id="…"`.
pub fn element_by_id(html: &str, id: &str) -> Option<Tag> {
    tags(html).into_iter().find(|t| t.attr("id") == Some(id))
}

/// The HTML from an element's start tag to its matching end tag (no nesting of
/// the same element name inside is assumed beyond simple counting).
pub fn outer_html<'h>(html: &'h str, tag: &Tag) -> &'h str {
    let open = format!("<{}", tag.name);
    let close = format!("</{}>", tag.name);
    let mut depth = 1;
    let mut i = tag.end;
    while depth > 0 {
        let next_open = html[i..].find(&open).map(|o| i + o);
        let next_close = html[i..]
            .find(&close)
            .map(|c| i + c)
            .expect("unclosed element");
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o + open.len();
            }
            _ => {
                depth -= 1;
                i = next_close + close.len();
            }
        }
    }
    &html[tag.start..i]
}

/// The text of an HTML fragment: tags removed, entities decoded.
pub fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    let mut rest = fragment;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = rest[lt..].find('>').map_or("", |gt| &rest[lt + gt + 1..]);
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// Attributes that make a browser load or navigate to a URL.
pub const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "srcset",
    "poster",
    "data",
    "formaction",
];

/// Every (tag, attribute, URL) of a page.
pub fn urls(html: &str) -> Vec<(String, String, String)> {
    tags(html)
        .into_iter()
        .flat_map(|t| {
            let name = t.name.clone();
            t.attrs
                .into_iter()
                .filter(|(a, _)| URL_ATTRS.contains(&a.as_str()))
                .map(move |(a, v)| (name.clone(), a, v))
        })
        .collect()
}

/// True if a URL leaves the site: it has a scheme (`https:`, `javascript:`,
/// `data:` …) or is protocol-relative (`//host/…`).
pub fn is_external(url: &str) -> bool {
    let u = url.trim();
    if u.starts_with("//") || u.starts_with("\\\\") {
        return true;
    }
    match u.find(':') {
        Some(colon) => {
            let scheme = &u[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

/// `%E7%B7%8F` → 総.
pub fn percent_decode(s: &str) -> String {
    hoshin::layout::decode_path(s)
}

/// Resolves a relative URL found on page `page` (a path relative to the output
/// root) to (path relative to the root, fragment). Err if it is absolute,
/// external or climbs out of the output folder.
pub fn resolve(page: &str, url: &str) -> Result<(PathBuf, Option<String>), String> {
    if is_external(url) {
        return Err(format!("external URL {url:?}"));
    }
    if url.starts_with('/') {
        return Err(format!(
            "root-absolute URL {url:?} (breaks under file:// and sub-paths)"
        ));
    }
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(percent_decode(f))),
        None => (url, None),
    };
    let path = rest.split('?').next().unwrap_or("");
    let mut parts: Vec<String> = Path::new(page)
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if path.is_empty() {
        return Ok((PathBuf::from(page), fragment));
    }
    for comp in Path::new(&percent_decode(path)).components() {
        match comp {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(format!("{url:?} on {page} climbs out of the site"));
                }
            }
            _ => return Err(format!("{url:?} is not relative")),
        }
    }
    Ok((parts.iter().collect(), fragment))
}

/// Checks every URL of every page and stylesheet of a built site: each is
/// relative, stays inside the site and names an existing file (and, for a
/// fragment on an HTML page, an existing id). Returns the problems.
pub fn broken_links(public: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, bytes) in snapshot(public) {
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let mut found: Vec<String> = Vec::new();
        if rel_s.ends_with(".html") {
            found.extend(urls(&text).into_iter().map(|(_, _, u)| u));
        } else if rel_s.ends_with(".css") {
            found.extend(css_urls(&text));
        } else {
            continue;
        }
        for url in found {
            if url.starts_with("data:") {
                continue; // inline data, not a request
            }
            match resolve(&rel_s, &url) {
                Err(e) => problems.push(format!("{rel_s}: {e}")),
                Ok((target, fragment)) => {
                    let file = public.join(&target);
                    if !file.is_file() {
                        problems.push(format!(
                            "{rel_s}: {url:?} → missing file {}",
                            target.display()
                        ));
                        continue;
                    }
                    if let (Some(f), true) = (
                        fragment.filter(|f| !f.is_empty()),
                        target.extension().is_some_and(|e| e == "html"),
                    ) {
                        let page = std::fs::read_to_string(&file).unwrap();
                        if !tags(&page).iter().any(|t| t.attr("id") == Some(f.as_str())) {
                            problems.push(format!(
                                "{rel_s}: {url:?} → no id {f:?} in {}",
                                target.display()
                            ));
                        }
                    }
                }
            }
        }
    }
    problems
}

/// URLs in a stylesheet: `url(…)` and `@import "…"`.
pub fn css_urls(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = css;
    while let Some(p) = rest.find("url(") {
        let after = &rest[p + 4..];
        let end = after.find(')').unwrap_or(after.len());
        let u = after[..end].trim().trim_matches(['"', '\'']).to_string();
        out.push(u);
        rest = &after[end..];
    }
    for line in css.split(';') {
        if let Some(i) = line.find("@import") {
            let spec = line[i + 7..].trim();
            if !spec.starts_with("url(") {
                out.push(spec.trim_matches(['"', '\'']).to_string());
            }
        }
    }
    out
}
