//! Diagnostics: errors and warnings as values, located in a source file and
//! printed in the style of rustc (file:line:column, the source line, a caret,
//! a help line).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use unicode_width::UnicodeWidthStr;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops the build (exit status 1); nothing is written.
    Error,
    /// Reported, but the build goes on (an error under `[build] strict`).
    Warning,
}

/// A source file as read from disk, with a line index for locating byte offsets.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the site root, `/`-separated).
    pub display_path: String,
    /// The whole text (BOM removed).
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps `text` read from `display_path`.
    pub fn new(display_path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            display_path: display_path.into(),
            text,
            line_starts,
        }
    }

    /// Drops the text and its line index, keeping the path: for a full
    /// build, once link and compare are done no diagnostic points into a
    /// document again, and the sources of a large site are a sizeable part
    /// of its peak memory (100 MB at 5,000 policies). Locating in a released
    /// file gives line 1, column 1.
    pub fn release(&mut self) {
        self.text = Arc::from("");
        self.line_starts = vec![0];
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count()
            + 1;
        (line + 1, column)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as shown to the user.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The source line, for the excerpt: the whole line, or on a very long line
    /// a window around the column with `…` where it was cut.
    pub source_line: String,
    /// 1-based column of the span in `source_line` (differs from `column` on a cut line).
    pub excerpt_column: usize,
    /// How many characters of the excerpt to underline (at least 1).
    pub width: usize,
}

/// Lines longer than this many characters are shown as a window around the column.
pub const EXCERPT_MAX: usize = 160;
/// Characters shown before the column in a window.
const WINDOW_BEFORE: usize = 60;

/// The excerpt of `line` for a span starting at character `column0` (0-based)
/// and `width` characters wide: (excerpt, 1-based column in it, width in it).
fn excerpt(line: &str, column0: usize, width: usize) -> (String, usize, usize) {
    // Counting stops early: a line of ten million characters is not walked twice.
    let long = line.chars().nth(EXCERPT_MAX).is_some();
    if !long {
        return (line.to_string(), column0 + 1, width);
    }
    let width = width.min(EXCERPT_MAX - WINDOW_BEFORE);
    let start = column0.saturating_sub(WINDOW_BEFORE);
    let end = start + EXCERPT_MAX;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    let mut chars = line.chars().skip(start);
    shown.extend(chars.by_ref().take(end - start));
    if chars.next().is_some() {
        shown.push('…');
    }
    let column = column0 - start + 1 + usize::from(start > 0);
    (shown, column, width)
}

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// Where, if the problem is in a file (boxed: diagnostics travel in `Result`s).
    pub location: Option<Box<Location>>,
    /// Extra lines ("note: …") giving context.
    pub notes: Vec<String>,
    /// A suggestion ("did you mean …?").
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error not tied to a position.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// A warning not tied to a position.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Points the diagnostic at a byte range of a file.
    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        let (line, column) = file.locate(span.start);
        let source_line = file.line_text(line);
        // Underline the span, clipped to its first line.
        let line_start = file.line_start(line);
        let line_end = line_start + source_line.len();
        let start = floor_char_boundary(&file.text, span.start.clamp(line_start, line_end));
        let end = floor_char_boundary(&file.text, span.end.clamp(start, line_end));
        let width = file.text[start..end].chars().count().max(1);
        let (source_line, excerpt_column, width) = excerpt(source_line, column - 1, width);
        self.location = Some(Box::new(Location {
            path: file.display_path.clone(),
            line,
            column,
            source_line,
            excerpt_column,
            width,
        }));
        self
    }

    /// Points the diagnostic at a file as a whole (line 1, column 1).
    pub fn in_file(mut self, path: &str) -> Self {
        self.location = Some(Box::new(Location {
            path: path.to_string(),
            line: 1,
            column: 1,
            source_line: String::new(),
            excerpt_column: 1,
            width: 0,
        }));
        self
    }

    /// Adds a suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        if let Some(loc) = &self.location {
            let gutter = loc.line.to_string().len();
            let pad = " ".repeat(gutter);
            writeln!(f, "{pad}--> {}:{}:{}", loc.path, loc.line, loc.column)?;
            if loc.width > 0 || !loc.source_line.is_empty() {
                let shown = loc.source_line.replace('\t', "    ");
                writeln!(f, "{pad} |")?;
                writeln!(f, "{} | {}", loc.line, shown)?;
                let before: String = loc
                    .source_line
                    .chars()
                    .take(loc.excerpt_column.saturating_sub(1))
                    .collect();
                let marked: String = loc
                    .source_line
                    .chars()
                    .skip(loc.excerpt_column.saturating_sub(1))
                    .take(loc.width)
                    .collect();
                let indent = " ".repeat(before.replace('\t', "    ").width());
                let carets = "^".repeat(marked.width().max(1));
                writeln!(f, "{pad} | {indent}{carets}")?;
            }
            for note in &self.notes {
                writeln!(f, "{pad} = note: {note}")?;
            }
            if let Some(help) = &self.help {
                writeln!(f, "{pad} = help: {help}")?;
            }
        } else {
            for note in &self.notes {
                writeln!(f, "  = note: {note}")?;
            }
            if let Some(help) = &self.help {
                writeln!(f, "  = help: {help}")?;
            }
        }
        Ok(())
    }
}

/// Diagnostics collected across a whole build.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Records many.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// True if any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics, in a stable order: by file, line, column.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            let ka = a.location.as_ref().map(|l| (&l.path, l.line, l.column));
            let kb = b.location.as_ref().map(|l| (&l.path, l.line, l.column));
            ka.cmp(&kb)
        });
        v
    }

    /// Turns every warning into an error (`[build] strict`).
    pub fn promote_warnings(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Iterates in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Renders every diagnostic, sorted, as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            out.push_str(&d.to_string());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_character_columns() {
        let f = SourceFile::new("a.md", "一行目\n二行目 x\n");
        assert_eq!(f.locate(0), (1, 1));
        let x = f.text.find('x').unwrap();
        assert_eq!(f.locate(x), (2, 5));
        assert_eq!(f.line_text(2), "二行目 x");
    }

    #[test]
    fn a_very_long_line_shows_a_window_around_the_column() {
        let line = format!("{}[[x]]{}", "あ".repeat(1_000_000), "い".repeat(1_000_000));
        let f = SourceFile::new("content/a.md", format!("---\n{line}\n"));
        let start = f.text.find("[[x]]").unwrap();
        let d = Diagnostic::error("unresolved reference [[x]]").at(&f, start..start + 5);
        let text = d.to_string();
        assert!(text.len() < 2000, "{} bytes", text.len());
        assert!(text.contains("--> content/a.md:2:1000001"), "{text}");
        let shown = text
            .lines()
            .find(|l| l.contains(" | ") && l.contains("[[x]]"))
            .unwrap();
        assert!(shown.contains("…あ") && shown.contains("い…"), "{shown}");
        let caret = text.lines().find(|l| l.contains('^')).unwrap();
        // The caret stands under `[[x]]`: same display width before it.
        let before = &shown[..shown.find("[[x]]").unwrap()];
        let indent = caret.find('^').unwrap();
        assert_eq!(before.width(), indent, "{shown}\n{caret}");
        assert_eq!(caret.trim_end().matches('^').count(), 5);
    }

    #[test]
    fn renders_rustc_style_with_caret_under_wide_characters() {
        let f = SourceFile::new("content/a.md", "---\ndeparment: 総務部\n---\n");
        let start = f.text.find("deparment").unwrap();
        let d = Diagnostic::error("unknown key `deparment`")
            .at(&f, start..start + 9)
            .with_help("did you mean `department`?");
        let text = d.to_string();
        assert!(text.contains("--> content/a.md:2:1"), "{text}");
        assert!(text.contains("2 | deparment: 総務部"), "{text}");
        assert!(text.contains("  | ^^^^^^^^^\n"), "{text}");
        assert!(
            text.contains("= help: did you mean `department`?"),
            "{text}"
        );
    }
}
