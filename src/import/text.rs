//! Text copied or extracted from a PDF, in the shapes real tools give it:
//! a PDF reader's copy (every line followed by an empty line, trailing
//! spaces), `pdftotext` (pages split by form feeds) and `pdftotext -layout`
//! (lines placed with spaces: indents, centred and right-aligned lines).
//! This stage splits the text into lines, removes the blank lines that are
//! only spacing and the page furniture, and says how wide each line reaches.

use unicode_width::UnicodeWidthStr;

use super::furniture::{self, PageLine};
use super::{Line, Note};

/// The lines of a text, with what was learnt about its shape.
pub struct Shaped {
    /// Lines in order; blank lines are paragraph breaks.
    pub lines: Vec<Line>,
    /// How the text looked, for the report ("pdftotext -layout", …).
    pub shape: &'static str,
    /// Lines dropped as page furniture.
    pub dropped: Vec<Note>,
}

/// Splits `text` into lines and cleans its shape.
pub fn shape(text: &str) -> Shaped {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // Pages: a form feed starts a new page, on the line where it stands.
    let mut pages: Vec<Vec<(usize, &str)>> = vec![Vec::new()];
    for (i, raw) in text.split('\n').enumerate() {
        let mut parts = raw.split('\u{c}');
        if let (Some(first), Some(page)) = (parts.next(), pages.last_mut()) {
            page.push((i + 1, first));
        }
        for part in parts {
            pages.push(vec![(i + 1, part)]);
        }
    }
    pages.retain(|p| p.iter().any(|(_, t)| !t.trim().is_empty()));
    let all: Vec<&str> = pages.iter().flatten().map(|(_, t)| *t).collect();
    let double = is_double_spaced(&all);
    let layout = is_layout(&all);
    if double {
        for page in &mut pages {
            // An empty line straight after a line (even one of spaces) is only spacing.
            let mut kept = Vec::with_capacity(page.len());
            let mut after_line = false;
            for &(n, t) in page.iter() {
                if t.is_empty() && after_line {
                    after_line = false;
                    continue;
                }
                after_line = !t.is_empty();
                kept.push((n, t));
            }
            *page = kept;
        }
    }
    let page_lines: Vec<Vec<PageLine>> = pages
        .iter()
        .map(|p| {
            p.iter()
                .map(|&(number, text)| PageLine { number, text })
                .collect()
        })
        .collect();
    let dropped = furniture::find(&page_lines);
    let mut lines = Vec::new();
    for page in &pages {
        let kept: Vec<&(usize, &str)> = page
            .iter()
            .filter(|(n, _)| !dropped.iter().any(|d| d.at == *n))
            .collect();
        // Blank lines at either end of a page are the page's margin, not a
        // paragraph break: a sentence often runs on over the page break.
        let first = kept.iter().position(|(_, t)| !t.trim().is_empty());
        let last = kept.iter().rposition(|(_, t)| !t.trim().is_empty());
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        for &&(number, raw) in &kept[first..=last] {
            let right = raw.trim_end_matches(is_space);
            let body = right.trim_start_matches(is_space);
            let indent = &right[..right.len() - body.len()];
            let width = if layout { right.width() } else { body.width() };
            // Text already half-way to Markdown (like the second seed) marks headings with #.
            let (heading, body) = match markdown_heading(body) {
                Some((level, rest)) => (Some(level), rest),
                None => (None, body),
            };
            lines.push(Line {
                text: body.to_string(),
                number,
                width,
                whole: heading.is_some(),
                heading,
                indented: indent.contains('\u{3000}'),
            });
        }
    }
    let shape = match (double, layout, pages.len() > 1) {
        (true, _, _) => "text copied from a PDF reader",
        (_, true, _) => "pdftotext -layout output",
        (_, _, true) => "pdftotext output",
        _ => "plain text",
    };
    Shaped {
        lines,
        shape,
        dropped,
    }
}

/// 「### 見出し」: a Markdown heading's level and text.
fn markdown_heading(line: &str) -> Option<(u8, &str)> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    let text = rest.strip_prefix(' ')?.trim();
    ((1..=6).contains(&level) && !text.is_empty()).then_some((level as u8, text))
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t' || c == '\u{a0}'
}

/// A PDF reader's copy puts an empty line after every line.
fn is_double_spaced(lines: &[&str]) -> bool {
    let mut content = 0;
    let mut followed = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        content += 1;
        if lines.get(i + 1).is_some_and(|n| n.is_empty()) {
            followed += 1;
        }
    }
    content >= 4 && followed * 10 >= content * 7
}

/// `pdftotext -layout` places lines with runs of spaces: many lines start far in
/// or hold a wide gap.
fn is_layout(lines: &[&str]) -> bool {
    let content: Vec<&&str> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
    let placed = content
        .iter()
        .filter(|l| l.starts_with("        ") || l.trim().contains("    "))
        .count();
    content.len() >= 4 && placed * 10 >= content.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &Shaped) -> Vec<&str> {
        s.lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_pdf_readers_copy_loses_its_spacing_lines() {
        let copy = " 令和５年４月１日 \n\n総務部管理職各位 \n\n \n\n① 本文の \n\n続き。 \n\n   \n\n② 次。 \n\n";
        let s = shape(copy);
        assert_eq!(s.shape, "text copied from a PDF reader");
        assert_eq!(
            texts(&s),
            vec![
                "令和５年４月１日",
                "総務部管理職各位",
                "",
                "① 本文の",
                "続き。",
                "",
                "② 次。"
            ]
        );
        assert_eq!(s.lines[3].number, 7, "line numbers are the file's");
    }

    #[test]
    fn pdftotext_pages_lose_their_furniture() {
        let text = "運営方針\n① 本文の\n\n- 1 -\n\n\u{c}運営方針\n続き。\n\n- 2 -\n\n\u{c}";
        let s = shape(text);
        assert_eq!(s.shape, "pdftotext output");
        assert_eq!(texts(&s), vec!["① 本文の", "続き。"]);
        assert_eq!(s.dropped.len(), 4);
    }

    #[test]
    fn markdown_headings_in_text_are_headings() {
        let s = shape("#### 1. 施政方針を踏まえた対応\n\n①職員一人一人が…\n#1は見出しではない\n");
        assert_eq!(s.lines[0].text, "1. 施政方針を踏まえた対応");
        assert_eq!(s.lines[0].heading, Some(4));
        assert!(s.lines[0].whole);
        assert_eq!(s.lines[3].heading, None);
    }

    #[test]
    fn layout_lines_are_measured_to_their_right_end() {
        let text = "                                令和６年４月１日\n企画部管理職各位\n\n                  記\n① 行政手続のオンライン化を進め，\n 各部との連携を密にすること。\n";
        let s = shape(text);
        assert_eq!(s.shape, "pdftotext -layout output");
        assert_eq!(s.lines[0].text, "令和６年４月１日");
        assert_eq!(s.lines[0].width, 48);
        assert_eq!(s.lines[5].text, "各部との連携を密にすること。");
        assert_eq!(s.lines[5].width, 29);
    }
}
