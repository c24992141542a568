//! The theme: Tera templates and static files, built into the binary and
//! overridable file by file from `themes/<theme>/` in the site.

use std::collections::BTreeMap;
use std::path::Path;

use tera::Tera;
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::load::{display_path, is_ignored};

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// Templates of the built-in theme.
const TEMPLATES: &[(&str, &str)] = builtin!(
    "base.html",
    "index.html",
    "document.html",
    "listing.html",
    "directives.html",
    "search.html",
    "404.html",
    "compare.html",
);

macro_rules! builtin_static {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../themes/default/static/", $name)) as &[u8])),*]
    };
}

/// Static files of the built-in theme, copied to `static/`.
const STATIC: &[(&str, &[u8])] = builtin_static!(
    "style.css",
    "hoshin.js",
    "search.js",
    "search.css",
    "compare.js"
);

/// Compiled templates and the static files to copy.
pub struct Theme {
    /// Compiled templates.
    pub tera: Tera,
    /// (path under the output root, bytes).
    pub static_files: Vec<(String, Vec<u8>)>,
}

impl Theme {
    /// Loads the built-in theme with the site's overrides from `themes/<name>/`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let mut static_files: BTreeMap<String, Vec<u8>> = STATIC
            .iter()
            .map(|(n, b)| (format!("static/{n}"), b.to_vec()))
            .collect();
        let dir = root.join("themes").join(name);
        // The default theme is built in; any other must exist, or the site
        // would silently build with the default look.
        if name != "default" && !dir.is_dir() {
            let available = available_themes(root);
            let d = Diagnostic::error(format!(
                "theme `{name}` not found: there is no folder themes/{name}/"
            ));
            let d = match crate::suggest::did_you_mean(name, available.iter().map(String::as_str)) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None if available.is_empty() => d.with_help("create themes/<name>/templates/ or themes/<name>/static/ with your overrides, or remove `theme` to use the built-in theme"),
                None => d.with_help(format!("the themes of this site: default, {}", available.join(", "))),
            };
            return Err(vec![crate::config::at_key(root, "theme", d)]);
        }
        let mut errors = Vec::new();
        for (sub, is_template) in [("templates", true), ("static", false)] {
            let base = dir.join(sub);
            if !base.is_dir() {
                continue;
            }
            for entry in WalkDir::new(&base)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
            {
                let ignored = entry.file_name().to_str().is_none_or(is_ignored);
                if !entry.file_type().is_file() || ignored {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&base)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                let shown = display_path(root, entry.path());
                match std::fs::read(entry.path()) {
                    Ok(bytes) if is_template => match String::from_utf8(bytes) {
                        Ok(text) => {
                            templates.insert(rel, text);
                        }
                        Err(_) => errors.push(
                            Diagnostic::error(format!("template {shown} is not UTF-8"))
                                .in_file(&shown),
                        ),
                    },
                    Ok(bytes) => {
                        static_files.insert(format!("static/{rel}"), bytes);
                    }
                    Err(e) => errors.push(
                        Diagnostic::error(format!("cannot read {shown}: {e}")).in_file(&shown),
                    ),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            return Err(vec![Diagnostic::error(format!(
                "theme template error: {}",
                tera_error_text(&e)
            ))
            .with_help(format!("check the templates in themes/{name}/templates/"))]);
        }
        Ok(Theme {
            tera,
            static_files: static_files.into_iter().collect(),
        })
    }
}

/// The folders under themes/ of a site.
fn available_themes(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !is_ignored(n))
        .collect();
    names.sort();
    names
}

/// A Tera error with its causes, on one line each.
pub fn tera_error_text(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    text
}
