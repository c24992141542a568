//! Attachments under `content/` are copied as they are — except that an
//! HTML or SVG file that would run script when opened is refused unless the
//! site allows raw HTML (`[build] allow_raw_html = true`): a policy site must
//! not publish script that its documents could not contain either (SPEC §5).
//!
//! Refusing rather than sanitising keeps the attachment intact: a sanitiser
//! would drop its `<head>` (styles, character set) and publish something else
//! than the author attached.

use std::path::Path;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::load::display_path;

/// File endings of attachments a browser runs script in when opened.
const ACTIVE_TYPES: &[&str] = &["html", "htm", "xhtml", "xht", "shtml", "svg", "xml"];

/// Checks the attachments (`(path under the output, file on disk)`) the build
/// will copy; one error per attachment with script.
pub fn check<'a>(
    root: &Path,
    config: &Config,
    assets: impl IntoIterator<Item = (&'a str, &'a Path)>,
) -> Vec<Diagnostic> {
    if config.allow_raw_html {
        return Vec::new();
    }
    let mut errors = Vec::new();
    for (rel, file) in assets {
        let active_type = Path::new(rel)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ACTIVE_TYPES.iter().any(|t| t.eq_ignore_ascii_case(e)));
        if !active_type {
            continue;
        }
        let Ok(bytes) = std::fs::read(file) else {
            continue; // Reported when it is copied.
        };
        let shown = display_path(root, file);
        if let Some(what) = crate::html_scan::active_content(&String::from_utf8_lossy(&bytes)) {
            errors.push(
                Diagnostic::error(format!(
                    "attachment {shown} contains {what}: with allow_raw_html = false, hoshin publishes no script"
                ))
                .in_file(&shown)
                .with_help("remove the script from the file (or attach it as PDF), or set `allow_raw_html = true` under [build] in site.toml to publish HTML attachments as they are"),
            );
        }
    }
    errors
}
