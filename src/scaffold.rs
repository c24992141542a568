//! Writing new policy documents: `hoshin new`'s scaffold, and the one writer
//! that `hoshin new` and `hoshin import` share, which serialises the front
//! matter (so every value parses back exactly) and never overwrites a file
//! unless asked to.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Config;
use crate::era::{era_fiscal_year, parse_year};

/// The front matter of a document hoshin writes, in the order it is written.
/// Fields left `None` are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FrontMatterOut {
    /// Fiscal year (Western).
    pub year: i32,
    /// Department, e.g. 総務部.
    pub department: String,
    /// Author line, e.g. 総務部長 伊藤 寿一.
    pub author: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Issue date, ISO (`2023-04-01`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Addressees, e.g. 総務部管理職各位.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// draft | active | superseded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// A whole document: front matter block, a blank line, the Markdown body.
pub fn render_document(front: &FrontMatterOut, body: &str) -> Result<String, String> {
    let yaml =
        serde_yaml::to_string(front).map_err(|e| format!("cannot write the front matter: {e}"))?;
    let body = body.trim_end();
    Ok(format!("---\n{yaml}---\n\n{body}\n"))
}

/// Where a new document of `department` and `year` goes: `content/<year>/<slug>.md`.
pub fn document_path(root: &Path, config: &Config, department: &str, year: i32) -> PathBuf {
    root.join(&config.content_dir)
        .join(year.to_string())
        .join(format!("{}.md", config.department_slug(department)))
}

/// Writes `text` to `path`, creating its folder. An existing file is an error
/// unless `force`; the file appears whole or not at all (written beside it,
/// then renamed).
pub fn write_document(path: &Path, text: &str, force: bool) -> Result<(), String> {
    if path.exists() && !force {
        return Err(format!(
            "{} already exists (use --force to replace it)",
            path.display()
        ));
    }
    if path.is_dir() {
        return Err(format!("{} is a folder", path.display()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.hoshin-{}", std::process::id()));
    std::fs::write(&temp, text).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// Creates `content/<year>/<slug>.md` and returns its path, or says why not;
/// an existing file is replaced only with `force`.
pub fn new_document(
    root: &Path,
    config: &Config,
    department: &str,
    year: &str,
    force: bool,
) -> Result<PathBuf, String> {
    let y = parse_year(year)
        .ok_or_else(|| format!("invalid year `{year}`: write it as 2024, 令和6年度 or R6"))?;
    let department = department.trim();
    if department.is_empty() {
        return Err("the department must not be empty".into());
    }
    if department.chars().any(char::is_control) {
        return Err("the department must be one line of text".into());
    }
    let path = document_path(root, config, department, y);
    let era = era_fiscal_year(y);
    let front = FrontMatterOut {
        year: y,
        department: department.to_string(),
        author: format!("{department}長 氏名"),
        title: Some(format!("{era}{department}の運営方針")),
        date: Some(format!("{y}-04-01")),
        audience: Some(format!("{department}管理職各位")),
        status: Some("draft".into()),
        tags: Some(Vec::new()),
    };
    let body = format!(
        "{era}の{department}の運営方針を次のとおり定める。\n\n## 1. 基本方針\n\n### (1) 項目\n\n① 指示事項を書く。\n\n② 次の指示事項を書く。\n"
    );
    write_document(&path, &render_document(&front, &body)?, force)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(department: &str, author: &str) -> FrontMatterOut {
        FrontMatterOut {
            year: 2024,
            department: department.into(),
            author: author.into(),
            title: Some("令和6年度の方針: 改訂".into()),
            date: Some("2024-04-01".into()),
            audience: Some("# 各位".into()),
            status: None,
            tags: Some(vec![]),
        }
    }

    #[test]
    fn front_matter_keeps_new_documents_plain() {
        let text = render_document(&front("総務部", "総務部長 氏名"), "本文").unwrap();
        assert!(
            text.starts_with("---\nyear: 2024\ndepartment: 総務部\nauthor: 総務部長 氏名\n"),
            "{text}"
        );
        assert!(text.contains("\ndate: 2024-04-01\n"), "{text}");
        assert!(text.contains("\ntags: []\n"), "{text}");
        assert!(text.ends_with("---\n\n本文\n"), "{text}");
    }

    #[test]
    fn values_yaml_would_misread_parse_back_exactly() {
        for department in [
            "総務部: 分室",
            "*総務部",
            "\"総務部",
            "a#b",
            "- 部",
            "yes",
            "2024",
        ] {
            let fm = front(department, "部長 [氏名]");
            let text = render_document(&fm, "x").unwrap();
            let yaml = text
                .strip_prefix("---\n")
                .and_then(|t| t.split("---\n").next())
                .unwrap();
            let back: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
            assert_eq!(back["department"].as_str(), Some(department), "{text}");
            assert_eq!(back["author"].as_str(), Some("部長 [氏名]"), "{text}");
            assert_eq!(back["title"].as_str(), Some("令和6年度の方針: 改訂"));
            assert_eq!(back["audience"].as_str(), Some("# 各位"));
        }
    }

    #[test]
    fn an_existing_file_is_kept_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("2024/somu.md");
        write_document(&path, "one", false).unwrap();
        let err = write_document(&path, "two", false).unwrap_err();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write_document(&path, "two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }
}
