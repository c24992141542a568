//! `hoshin diff OLD NEW`: the 新旧対照表 of two documents in the terminal.
//! Colour when standard output is a terminal and `NO_COLOR` is not set;
//! without colour, changed characters are marked `[-deleted-]{+inserted+}`
//! as `git diff --word-diff` does.

use std::path::Path;

use super::align::{align, Change};
use super::diff::{pieces, Side};
use crate::build::{self, Failure};
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};
use crate::link::{resolve_document, SiteIndex};
use crate::load;
use crate::model::Document;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";
const REVERSE_RED: &str = "\x1b[7;31m";
const REVERSE_GREEN: &str = "\x1b[7;32m";

/// Whether `hoshin diff` colours its output: stdout is a terminal and
/// `NO_COLOR` is unset or empty (<https://no-color.org>).
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Loads the site under `root`, finds the two documents and returns the comparison
/// as text; an unknown document is an error located in the command line.
pub fn diff_command(
    root: &Path,
    old: &str,
    new: &str,
    drafts: bool,
    color: bool,
) -> Result<(String, Diagnostics), Failure> {
    let config = build::load_config(root)?;
    let mut diagnostics = Diagnostics::default();
    let (content, load_errors) = load::load(root, &root.join(&config.content_dir));
    diagnostics.extend(load_errors);
    let docs = build::parse_all(content.files, &config, drafts, &mut diagnostics);
    if diagnostics.has_errors() {
        return Err(Failure {
            diagnostics,
            exit_code: 1,
        });
    }
    let index = SiteIndex::new(&docs, &config);
    // The command line as a source, so an unknown document is shown with a caret.
    let line = format!("hoshin diff {old} {new}");
    let command = SourceFile::new("<command line>", line.clone());
    let old_at = "hoshin diff ".len();
    let new_at = old_at + old.len() + 1;
    let mut found = Vec::new();
    for (arg, name, at) in [(old, "OLD", old_at), (new, "NEW", new_at)] {
        let error = |m: String| Diagnostic::error(m).at(&command, at..at + arg.len());
        match resolve_document(&index, arg.trim(), arg, "document", name, None, &error) {
            Ok(i) => found.push(i),
            Err(d) => diagnostics.push(d),
        }
    }
    if diagnostics.has_errors() {
        return Err(Failure {
            diagnostics,
            exit_code: 1,
        });
    }
    let (o, n) = (&docs[found[0]], &docs[found[1]]);
    Ok((render(o, n, color), diagnostics))
}

/// The comparison of `old` and `new` as terminal text.
pub fn render(old: &Document, new: &Document, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    };
    let alignment = align(old, new);
    let c = alignment.counts();
    let mut out = String::new();
    out.push_str(&paint(
        BOLD,
        &format!(
            "新旧対照表  改正後 {} {}  ←  改正前 {} {}",
            new.key, new.title, old.key, old.title
        ),
    ));
    out.push('\n');
    out.push_str(&format!(
        "新設 {}  変更 {}  削除 {}  変更なし {}\n\n",
        c.new, c.changed, c.removed, c.same
    ));
    let one_line = |s: &str| s.replace('\n', " ");
    let (new_texts, old_texts) = (new.texts.all(), old.texts.all());
    for r in &alignment.rows {
        let n = r.new.map(|j| &new.directives[j as usize]);
        let o = r.old.map(|j| &old.directives[j as usize]);
        let new_text = r.new.map_or("", |j| new_texts.get(j as usize));
        let old_text = r.old.map_or("", |j| old_texts.get(j as usize));
        match (r.change, n, o) {
            (Change::Same, Some(n), Some(o)) => {
                let number = if n.citation() == o.citation() {
                    n.citation().to_string()
                } else {
                    format!("{} ← {}", n.citation(), o.citation())
                };
                out.push_str(&paint(
                    DIM,
                    &format!(
                        "  {number}  {}",
                        crate::parse::shorten(&one_line(new_text), 40)
                    ),
                ));
                out.push('\n');
            }
            (Change::Changed, Some(n), Some(o)) => {
                let number = if n.citation() == o.citation() {
                    n.citation().to_string()
                } else {
                    format!("{} ← {}", n.citation(), o.citation())
                };
                out.push_str(&paint(BOLD, &format!("~ {number}  変更")));
                out.push_str("\n    ");
                for p in pieces(old_text, new_text) {
                    let text = one_line(&p.text);
                    match (p.side, color) {
                        (Side::Equal, _) => out.push_str(&text),
                        (Side::Deleted, true) => out.push_str(&paint(REVERSE_RED, &text)),
                        (Side::Inserted, true) => out.push_str(&paint(REVERSE_GREEN, &text)),
                        (Side::Deleted, false) => out.push_str(&format!("[-{text}-]")),
                        (Side::Inserted, false) => out.push_str(&format!("{{+{text}+}}")),
                    }
                }
                out.push('\n');
            }
            (Change::New, Some(n), _) => {
                out.push_str(&paint(
                    GREEN,
                    &format!("+ {}  新設  {}", n.citation(), one_line(new_text)),
                ));
                out.push('\n');
            }
            (Change::Removed, _, Some(o)) => {
                out.push_str(&paint(
                    RED,
                    &format!("- {}  削除  {}", o.citation(), one_line(old_text)),
                ));
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::testing::doc;

    #[test]
    fn plain_output_marks_changes_in_words() {
        let old = doc(
            "2023/a",
            2023,
            "1. 方針\n\n① 研修を行うこと。\n\n② 会議は短くすること。\n\n③ 古い項目。\n",
        );
        let new = doc("2024/a", 2024, "1. 方針\n\n① 新しい取組を始めること。\n\n② 研修を行うこと。\n\n③ 会議は三十分以内にすること。\n");
        let text = render(&old, &new, false);
        assert!(
            text.contains("新設 1  変更 1  削除 1  変更なし 2"),
            "{text}"
        );
        assert!(
            text.contains("+ 1.①  新設  新しい取組を始めること。"),
            "{text}"
        );
        assert!(text.contains("  1.② ← 1.①  研修を行うこと。"), "{text}");
        assert!(text.contains("~ 1.③ ← 1.②  変更"), "{text}");
        assert!(
            text.contains("会議は[-短く-]{+三十分以内に+}すること。"),
            "{text}"
        );
        assert!(text.contains("- 1.③  削除  古い項目。"), "{text}");
        assert!(!text.contains('\x1b'), "{text}");
    }

    #[test]
    fn colour_output_uses_escapes() {
        let old = doc("2023/a", 2023, "1. 方針\n\n① 研修を行うこと。\n");
        let new = doc("2024/a", 2024, "1. 方針\n\n① 研修を必ず行うこと。\n");
        let text = render(&old, &new, true);
        assert!(text.contains("\x1b[7;32m必ず\x1b[0m"), "{text:?}");
    }
}
