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
    /// The whole text (BOM removed); once [`SourceFile::keep_lines`] has
    /// been called, only the lines it kept, one after another.
    pub text: Arc<str>,
    /// Where each line starts in `text`; empty once lines are kept.
    line_starts: Vec<usize>,
    /// The lines [`SourceFile::keep_lines`] kept, in order (empty while
    /// the whole text is held).
    kept: Vec<KeptLine>,
}

/// A line of a [`SourceFile`] kept after the rest of its text was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeptLine {
    /// 1-based line number.
    number: usize,
    /// Byte offset of the line in the whole text.
    start: usize,
    /// Byte offset of the line in the kept text.
    at: usize,
}

/// A line of a source file, as [`SourceFile::line_of`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line<'a> {
    /// 1-based line number.
    number: usize,
    /// Byte offset of the line in the whole text.
    start: usize,
    /// The line with its line ending.
    text: &'a str,
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
            kept: Vec::new(),
        }
    }

    /// Drops the text and its line index, keeping the path: for a full
    /// build, once link and compare are done no diagnostic points into a
    /// document again, and the sources of a large site are a sizeable part
    /// of its peak memory (100 MB at 5,000 policies). Locating in a released
    /// file gives line 1, column 1.
    pub fn release(&mut self) {
        self.keep_lines(std::iter::empty());
    }

    /// Keeps only the lines that hold the byte offsets `at` (of the whole
    /// text), and drops the rest of the text and the line index: a
    /// diagnostic at an offset on a kept line reads as before, one
    /// elsewhere points at line 1, column 1. A full build keeps the lines
    /// of each document's references and `previous:` once it is parsed,
    /// which are all that link and compare can point at: the whole
    /// sources were a quarter of the memory allocated after parse at 5,000
    /// policies, the kept lines a fifth of them (BENCHMARKS.md, issue 11,
    /// sixth round).
    pub fn keep_lines(&mut self, at: impl IntoIterator<Item = usize>) {
        let mut lines: Vec<Line<'_>> = at.into_iter().filter_map(|o| self.line_of(o)).collect();
        lines.sort_unstable_by_key(|l| l.number);
        lines.dedup_by_key(|l| l.number);
        let mut text = String::with_capacity(lines.iter().map(|l| l.text.len()).sum());
        let mut kept = Vec::with_capacity(lines.len());
        for line in &lines {
            kept.push(KeptLine {
                number: line.number,
                start: line.start,
                at: text.len(),
            });
            text.push_str(line.text);
        }
        self.text = Arc::from(text);
        self.line_starts = Vec::new();
        self.kept = kept;
    }

    /// The line that holds byte offset `offset` of the whole text (the
    /// last line for an offset past the end); `None` where the line was
    /// not kept.
    fn line_of(&self, offset: usize) -> Option<Line<'_>> {
        if self.line_starts.is_empty() {
            let i = match self.kept.binary_search_by_key(&offset, |k| k.start) {
                Ok(i) => i,
                Err(0) => return None,
                Err(i) => i - 1,
            };
            let k = self.kept[i];
            let end = self.kept.get(i + 1).map_or(self.text.len(), |n| n.at);
            let text = self.text.get(k.at..end)?;
            // An offset past the line's end (its newline included) is on a
            // line that was not kept; the end of a last line without one
            // is on it.
            let past = offset - k.start;
            let on = past < text.len() || (past == text.len() && !text.ends_with('\n'));
            return on.then_some(Line {
                number: k.number,
                start: k.start,
                text,
            });
        }
        let offset = offset.min(self.text.len());
        let i = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[i];
        let end = self
            .line_starts
            .get(i + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(Line {
            number: i + 1,
            start,
            text: &self.text[start..end],
        })
    }

    /// 1-based line and column (in characters) of a byte offset; line 1,
    /// column 1 where its line is not kept.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        match self.line_of(offset) {
            Some(line) => (line.number, line.column(offset)),
            None => (1, 1),
        }
    }
}

impl Line<'_> {
    /// 1-based column, in characters, of a byte offset on this line.
    fn column(&self, offset: usize) -> usize {
        let within = offset.saturating_sub(self.start).min(self.text.len());
        self.text[..floor_char_boundary(self.text, within)]
            .chars()
            .count()
            + 1
    }

    /// The line without its line ending.
    fn content(&self) -> &str {
        self.text.trim_end_matches(['\n', '\r'])
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
        let Some(line) = file.line_of(span.start) else {
            return self.in_file(&file.display_path);
        };
        let column = line.column(span.start);
        let source_line = line.content();
        // Underline the span, clipped to its first line.
        let within = |offset: usize| {
            floor_char_boundary(
                source_line,
                offset.saturating_sub(line.start).min(source_line.len()),
            )
        };
        let (start, end) = (within(span.start), within(span.end.max(span.start)));
        let width = source_line[start..end].chars().count().max(1);
        let (source_line, excerpt_column, width) = excerpt(source_line, column - 1, width);
        self.location = Some(Box::new(Location {
            path: file.display_path.clone(),
            line: line.number,
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
        let d = Diagnostic::error("e").at(&f, x..x + 1);
        assert_eq!(d.location.unwrap().source_line, "二行目 x");
    }

    #[test]
    fn a_diagnostic_on_a_kept_line_reads_as_it_did_on_the_whole_text() {
        let text =
            "---\nprevious: 2024/som\n---\n前文\r\n① 詳しくは[[2023/kikak]]を参照。\r\n② 末尾[[x]]";
        let whole = SourceFile::new("content/2025/somu.md", text);
        let mut kept = whole.clone();
        let spans: Vec<Range<usize>> = ["2024/som", "[[2023/kikak]]", "[[x]]"]
            .iter()
            .map(|n| text.find(n).map(|s| s..s + n.len()).unwrap())
            .collect();
        kept.keep_lines(spans.iter().map(|s| s.start));
        assert!(kept.text.len() < text.len() && !kept.text.contains("前文"));
        for span in &spans {
            let on = |f: &SourceFile| Diagnostic::error("e").at(f, span.clone()).to_string();
            assert_eq!(on(&kept), on(&whole), "{span:?}");
        }
        // A line that was not kept: line 1, column 1, no excerpt.
        let preface = text.find("前文").unwrap();
        assert_eq!(kept.locate(preface), (1, 1));
        let d = Diagnostic::error("e").at(&kept, preface..preface + 3);
        assert_eq!(d.location.unwrap().source_line, "");
        // The start of a line that was not kept is not the end of the one before.
        let next = text.find("---\n前文").unwrap();
        assert_eq!(kept.locate(next), (1, 1));
        // Keeping again keeps within what was kept; releasing drops it all.
        kept.keep_lines([spans[2].start]);
        assert_eq!(kept.locate(spans[2].start), whole.locate(spans[2].start));
        assert_eq!(kept.locate(spans[1].start), (1, 1));
        kept.release();
        assert_eq!((kept.text.len(), kept.locate(spans[2].start)), (0, (1, 1)));
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
