//! The body as Markdown: one paragraph per line, directives that head a
//! group of children as headings (`##` for the top level, `###` below it),
//! everything else as paragraphs, and the text escaped so that nothing in it
//! becomes Markdown syntax it did not mean (`*`, `[[`, `<`, a `1. ` list).

use super::assemble::{width, Block, BlockKind};

/// A heading is a directive that heads children and reads as a title.
const HEADING_WIDTH: usize = 80;

/// Writes the blocks as a Markdown body, and for each of its lines the
/// source line it came from (so that a problem is reported where it is in
/// the file imported).
pub fn write(blocks: &[Block]) -> (String, Vec<usize>) {
    let mut out = String::new();
    let mut lines = Vec::new();
    for b in blocks {
        if !out.is_empty() {
            out.push('\n');
            lines.push(b.at);
        }
        lines.push(b.at);
        match b.kind {
            BlockKind::Directive {
                depth,
                has_children,
            } => {
                let title_like = b.lines == 1
                    && !b.text.contains('。')
                    && width(&b.text) <= HEADING_WIDTH
                    && !b.text.is_empty();
                // The source's own heading level, else one by depth for a
                // directive that heads children.
                let level = b
                    .level
                    .or((has_children && title_like).then_some((depth + 1).min(6) as u8));
                match level {
                    Some(level) => {
                        out.push_str(&"#".repeat(level.clamp(1, 6) as usize));
                        out.push(' ');
                        out.push_str(&b.marker);
                    }
                    None => out.push_str(&paragraph_marker(&b.marker)),
                }
                out.push_str(&escape(&b.text, false));
            }
            BlockKind::Heading => {
                out.push_str(&"#".repeat(b.level.unwrap_or(2).clamp(1, 6) as usize));
                out.push(' ');
                out.push_str(&escape(&b.text, false));
            }
            BlockKind::Text => out.push_str(&escape(&b.text, true)),
        }
        out.push('\n');
    }
    (out, lines)
}

/// 「1. 」 at the start of a paragraph would open a Markdown list: the space
/// after a half-width 「1.」 or 「1)」 becomes a full-width one, which keeps
/// the marker as written and the paragraph a paragraph.
fn paragraph_marker(marker: &str) -> String {
    let digits = marker.trim_start_matches(|c: char| c.is_ascii_digit());
    let list_like =
        digits.len() < marker.len() && (digits.starts_with(". ") || digits.starts_with(") "));
    if list_like {
        format!("{}\u{3000}", marker.trim_end())
    } else {
        marker.to_string()
    }
}

/// Escapes Markdown syntax in text; `at_start` also guards the paragraph's
/// opening (`# `, `> `, `- `, `1. `).
pub fn escape(text: &str, at_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '&' | '~' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    if at_start {
        let digits = out.trim_start_matches(|c: char| c.is_ascii_digit());
        let n = out.len() - digits.len();
        if n > 0 && (digits.starts_with(". ") || digits.starts_with(") ")) {
            out.insert(n, '\\');
        } else if out.starts_with("- ")
            || out.starts_with("+ ")
            || out.starts_with('=')
            || out.starts_with('-')
        {
            out.insert(0, '\\');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: BlockKind, marker: &str, text: &str) -> Block {
        Block {
            kind,
            marker: marker.into(),
            text: text.into(),
            at: 1,
            lines: 1,
            level: None,
        }
    }

    fn d(depth: usize, has_children: bool) -> BlockKind {
        BlockKind::Directive {
            depth,
            has_children,
        }
    }

    #[test]
    fn directives_that_head_children_become_headings() {
        let (md, lines) = write(&[
            block(BlockKind::Text, "", "記"),
            block(
                d(1, true),
                "１．",
                "令和５年度市政運営の基本方針に基づく取組について",
            ),
            block(d(2, true), "（１）", "施政方針を踏まえて"),
            block(d(3, false), "① ", "施政方針では，次のとおりとする。"),
            block(d(2, false), "（２）", "具体的な重要課題は別紙のとおり。"),
        ]);
        assert_eq!(
            md,
            "記\n\n## １．令和５年度市政運営の基本方針に基づく取組について\n\n### （１）施政方針を踏まえて\n\n① 施政方針では，次のとおりとする。\n\n（２）具体的な重要課題は別紙のとおり。\n"
        );
        assert_eq!(lines.len(), md.lines().count());
    }

    #[test]
    fn text_cannot_become_markdown_syntax() {
        assert_eq!(
            escape("a*b*と[[総務部]]と<script>", false),
            "a\\*b\\*と\\[\\[総務部\\]\\]と\\<script\\>"
        );
        assert_eq!(escape("2023. 4. 1", true), "2023\\. 4. 1");
        assert_eq!(escape("- 項目", true), "\\- 項目");
        assert_eq!(paragraph_marker("1. "), "1.\u{3000}");
        assert_eq!(paragraph_marker("１．"), "１．");
        assert_eq!(paragraph_marker("(1) "), "(1) ");
    }
}
