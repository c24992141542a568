//! `hoshin new`: a new policy document with its front matter filled in.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::era::{era_fiscal_year, parse_year};

/// Creates `content/<year>/<slug>.md` and returns its path, or says why not.
pub fn new_document(
    root: &Path,
    config: &Config,
    department: &str,
    year: &str,
) -> Result<PathBuf, String> {
    let y = parse_year(year)
        .ok_or_else(|| format!("invalid year `{year}`: write it as 2024, 令和6年度 or R6"))?;
    let department = department.trim();
    if department.is_empty() {
        return Err("the department must not be empty".into());
    }
    let slug = config.department_slug(department);
    let path = root
        .join(&config.content_dir)
        .join(y.to_string())
        .join(format!("{slug}.md"));
    if path.exists() {
        return Err(format!("{} already exists", path.display()));
    }
    let era = era_fiscal_year(y);
    let text = format!(
        "---\nyear: {y}\ndepartment: {department}\nauthor: {department}長 氏名\ntitle: {era}{department}の運営方針\ndate: {y}-04-01\naudience: {department}管理職各位\nstatus: draft\ntags: []\n---\n\n{era}の{department}の運営方針を次のとおり定める。\n\n## 1. 基本方針\n\n### (1) 項目\n\n① 指示事項を書く。\n\n② 次の指示事項を書く。\n"
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
