//! The body: lines joined into paragraphs and paragraphs read as directives.
//!
//! A line continues its paragraph unless the paragraph ended: a blank line, a
//! sentence that ends short of the right margin, a line well short of it, or
//! the next line begins a directive that continues the numbering (the rule
//! the parser uses inside a paragraph, SPEC §3.1), 「記」, 「以上」, a bullet
//! or a full-width indent.

use unicode_width::UnicodeWidthStr;

use super::spaces;
use super::{Line, Note};
use crate::config::Config;
use crate::marker::{self, katakana_follows, Marker};

/// A paragraph of the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// The marker as written and the space after it (directives), e.g. 「① 」.
    pub marker: String,
    /// The text after the marker, spaces tidied.
    pub text: String,
    /// Source line (or paragraph) it starts on.
    pub at: usize,
    /// Source lines it was joined from.
    pub lines: usize,
    /// The Markdown heading level the source gave it (a Word heading style, a `###`).
    pub level: Option<u8>,
}

/// The kinds of paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Ordinary text: preamble, 「記」, 「以上」, a continuation.
    Text,
    /// A directive at a depth (1 = top) whose next directive is `parent_of_next`.
    Directive {
        /// Depth in the numbering, from 1.
        depth: usize,
        /// True if the next directive is its child.
        has_children: bool,
    },
    /// A heading the source styled as one (a Word heading) without a marker.
    Heading,
}

/// The numbering so far: the open directives, outermost first.
struct Numbering<'c> {
    config: &'c Config,
    stack: Vec<Marker>,
}

impl Numbering<'_> {
    /// The parser's rule for a marker line inside a paragraph: the next
    /// sibling of an open directive, or a first child of the innermost.
    fn continues(&self, m: &Marker) -> bool {
        let Some(top) = self.stack.last() else {
            return m.is_first();
        };
        if m.is_first() && self.config.rank(m.kind) > self.config.rank(top.kind) {
            return true;
        }
        self.stack.iter().any(|d| {
            d.kind == m.kind
                && match (d.letter, m.letter) {
                    (Some(a), Some(b)) if d.kind.is_katakana() => katakana_follows(a, b),
                    _ => d.number.is_followed_by(&m.number),
                }
        })
    }

    /// Opens a directive and returns its depth.
    fn open(&mut self, m: Marker) -> usize {
        let rank = self.config.rank(m.kind);
        while self
            .stack
            .last()
            .is_some_and(|top| self.config.rank(top.kind) >= rank)
        {
            self.stack.pop();
        }
        self.stack.push(m);
        self.stack.len()
    }
}

/// A paragraph being gathered.
struct Gathering {
    marker: Option<Marker>,
    head: String,
    text: String,
    at: usize,
    lines: usize,
    heading: Option<u8>,
    depth: usize,
    /// The paragraph ended with its last line.
    closed: bool,
    /// It ended only because its last line was short (no full stop).
    closed_short: Option<usize>,
}

/// Lines to paragraphs. `notes` gets every line the joining was unsure of.
pub fn blocks(lines: &[Line], config: &Config, notes: &mut Vec<Note>) -> Vec<Block> {
    let full = full_width(lines);
    let mut numbering = Numbering {
        config,
        stack: Vec::new(),
    };
    let mut out: Vec<Block> = Vec::new();
    let mut cur: Option<Gathering> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.text.trim_matches(|c: char| c.is_whitespace());
        if t.is_empty() {
            flush(&mut cur, &mut out);
            continue;
        }
        let m = marker::detect(t);
        let own = is_own_line(t) || line.indented || line.heading.is_some();
        let continues = m.as_ref().is_some_and(|m| numbering.continues(m));
        let starts = match &cur {
            None => true,
            Some(p) => p.closed || own || continues,
        };
        if let Some(p) = &cur {
            if starts && !own && !continues {
                if let Some(at) = p.closed_short {
                    notes.push(Note::new(
                        at,
                        "a short line without a full stop: taken as the end of its paragraph"
                            .to_string(),
                    ));
                }
            }
        }
        if starts {
            flush(&mut cur, &mut out);
            let (head, text, depth) = match &m {
                Some(m) => {
                    let written_end = t.len() - t[m.len..].len();
                    let head = normalise_gap(&t[..written_end], &m.written);
                    (head, t[m.len..].to_string(), numbering.open(m.clone()))
                }
                None => (String::new(), t.to_string(), 0),
            };
            cur = Some(Gathering {
                marker: m,
                head,
                text,
                at: line.number,
                lines: 1,
                heading: line.heading,
                depth,
                closed: false,
                closed_short: None,
            });
        } else if let Some(p) = &mut cur {
            if let Some(m) = m.as_ref().filter(|m| is_punctuated(m)) {
                notes.push(Note::new(
                    line.number,
                    format!(
                        "begins with 「{}」, which does not continue the numbering: joined to the line before",
                        m.written
                    ),
                ));
            }
            spaces::join(&mut p.text, t);
            p.lines += 1;
        }
        if let Some(p) = &mut cur {
            let next_plain = lines.get(i + 1).is_some_and(|n| {
                let nt = n.text.trim();
                !nt.is_empty() && marker::detect(nt).is_none() && !is_own_line(nt)
            });
            let sentence = ends_sentence(t);
            // At the margin: as wide as a full line, or a character wider
            // (a full stop hung past the margin, ぶら下がり).
            let at_margin = line.width + 1 >= full && line.width <= full + 4;
            // Without a margin (a paragraph to a line) only a long line
            // without a full stop runs on.
            let short = if full == NO_MARGIN {
                line.width < 40
            } else {
                line.width + 6 <= full
            };
            p.closed = line.whole || is_own_line(t) || (sentence && !at_margin) || short;
            p.closed_short =
                (short && !sentence && !line.whole && !is_own_line(t) && p.marker.is_none())
                    .then_some(line.number);
            if sentence && at_margin && !line.whole && next_plain {
                notes.push(Note::new(
                    line.number,
                    "a sentence ends at the right margin: the next line was joined to it"
                        .to_string(),
                ));
            }
        }
    }
    flush(&mut cur, &mut out);
    mark_children(&mut out);
    out
}

/// A marker with brackets, a full stop or an enclosed number (「（３）」「２．」「⑤」)
/// rarely begins a wrapped line by chance, so joining it is worth a note; a
/// bare 「ス」 or 「３ 」 often does.
fn is_punctuated(m: &Marker) -> bool {
    m.written.ends_with([')', '）', '.', '．', '、'])
        || matches!(
            m.kind,
            crate::marker::MarkerKind::C | crate::marker::MarkerKind::Dai
        )
        || m.written
            .chars()
            .next()
            .is_some_and(|c| !c.is_alphanumeric())
}

/// The marker as written, followed by at most one space of the kind written.
fn normalise_gap(with_space: &str, written: &str) -> String {
    let s = with_space.trim_start();
    let gap = &s[written.len().min(s.len())..];
    match gap.chars().next() {
        Some('\u{3000}') => format!("{written}\u{3000}"),
        Some(_) => format!("{written} "),
        None => written.to_string(),
    }
}

fn flush(cur: &mut Option<Gathering>, out: &mut Vec<Block>) {
    let Some(p) = cur.take() else { return };
    let (text, _) = spaces::tidy(&p.text);
    let kind = match (&p.marker, p.heading) {
        (Some(_), _) => BlockKind::Directive {
            depth: p.depth,
            has_children: false,
        },
        (None, Some(_)) => BlockKind::Heading,
        (None, None) => BlockKind::Text,
    };
    let text = if kind == BlockKind::Text {
        spaces::join_letter_spacing(&text)
    } else {
        text
    };
    out.push(Block {
        kind,
        marker: p.head,
        text,
        at: p.at,
        lines: p.lines,
        level: p.heading,
    });
}

/// Sets `has_children` on every directive followed by a deeper one.
fn mark_children(blocks: &mut [Block]) {
    let directives: Vec<usize> = (0..blocks.len())
        .filter(|&i| matches!(blocks[i].kind, BlockKind::Directive { .. }))
        .collect();
    for w in directives.windows(2) {
        let next_depth = match blocks[w[1]].kind {
            BlockKind::Directive { depth, .. } => depth,
            _ => 0,
        };
        if let BlockKind::Directive {
            depth,
            has_children,
        } = &mut blocks[w[0]].kind
        {
            *has_children = next_depth > *depth;
        }
    }
}

/// 「記」 and 「以上」 stand alone; a bullet starts its own paragraph.
pub fn is_own_line(t: &str) -> bool {
    let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed == "記"
        || squeezed == "以上"
        || t.starts_with(['・', '○', '●', '◯', '◎', '■', '□', '◆', '◇', '※', '＊'])
}

/// A line that ends a sentence: 。 (or ．！？), perhaps inside closing brackets.
fn ends_sentence(t: &str) -> bool {
    let t = t.trim_end_matches(['」', '）', ')', '』']);
    t.ends_with(['。', '．', '！', '？'])
}

/// The full width of a text whose lines are not wrapped.
const NO_MARGIN: usize = usize::MAX / 2;

/// How far a full line reaches: the width that most lines reach (give or
/// take a character), if the text is wrapped at all. Text with a paragraph to
/// a line has no such width, and then every line ends its paragraph.
fn full_width(lines: &[Line]) -> usize {
    let widths: Vec<usize> = lines
        .iter()
        .filter(|l| !l.whole && !l.text.trim().is_empty())
        .map(|l| l.width)
        .collect();
    let near = |c: usize| widths.iter().filter(|&&w| w <= c && w + 2 >= c).count();
    let best = widths
        .iter()
        .map(|&c| (near(c), c))
        .max()
        .filter(|&(n, _)| n >= 3 && n * 5 >= widths.len());
    match best {
        Some((_, c)) => c,
        None => NO_MARGIN,
    }
}

/// The display width of a text.
pub fn width(t: &str) -> usize {
    t.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line::text(t, i + 1))
            .collect()
    }

    fn run(texts: &[&str]) -> (Vec<Block>, Vec<Note>) {
        let mut notes = Vec::new();
        let b = blocks(&lines(texts), &Config::default(), &mut notes);
        (b, notes)
    }

    fn shown(b: &[Block]) -> Vec<String> {
        b.iter()
            .map(|b| format!("{}{}", b.marker, b.text))
            .collect()
    }

    #[test]
    fn broken_lines_are_joined_until_a_sentence_ends_short() {
        let (b, _) = run(&[
            "① 令和５年度施政方針では，「アフターコロナを見据えたまちの活性化」，「誰もが自分らし",
            "く，いきいき健やかに生活できるまちの実現」など，市政運営の基本姿勢が示されてい",
            "る。",
            "② 関東大震災から100年となる節目の年を契機に，災害に強いまちづくりを一層推進する",
            "ため，事業を確実に実施すること。",
            "また，人口減少・超高齢化社会に直面する現状を真正面から認識し，国分寺市ビジョン後",
            "期実行計画の各項目に該当する SDGｓのゴールの理念を意識すること。",
        ]);
        assert_eq!(
            shown(&b),
            vec![
                "① 令和５年度施政方針では，「アフターコロナを見据えたまちの活性化」，「誰もが自分らしく，いきいき健やかに生活できるまちの実現」など，市政運営の基本姿勢が示されている。",
                "② 関東大震災から100年となる節目の年を契機に，災害に強いまちづくりを一層推進するため，事業を確実に実施すること。",
                "また，人口減少・超高齢化社会に直面する現状を真正面から認識し，国分寺市ビジョン後期実行計画の各項目に該当するSDGｓのゴールの理念を意識すること。",
            ]
        );
        assert_eq!(b[2].kind, BlockKind::Text);
    }

    #[test]
    fn a_marker_line_starts_a_directive_only_when_it_continues_the_numbering() {
        let (b, notes) = run(&[
            "（１）施策の推進",
            "① 第一の指示事項であり，関係部署と連携を図りながら確実に実施することとし，その",
            "（３）の規定による手続を経ること。",
            "② 第二の指示事項。",
        ]);
        assert_eq!(b.len(), 3);
        assert!(b[1].text.contains("その（３）の規定"), "{:?}", b[1]);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].at, 3);
        assert_eq!(
            b[0].kind,
            BlockKind::Directive {
                depth: 1,
                has_children: true
            }
        );
    }

    #[test]
    fn ki_and_ijou_stand_alone_and_markers_keep_their_gap() {
        let (b, _) = run(&["記", "１．総則", "（１）目的", "①　全角の空白", "以　上"]);
        assert_eq!(
            shown(&b),
            vec!["記", "１．総則", "（１）目的", "①　全角の空白", "以上"]
        );
        assert_eq!(b[4].kind, BlockKind::Text);
    }

    #[test]
    fn a_short_line_without_a_full_stop_ends_its_paragraph_and_is_noted() {
        let (b, notes) = run(&[
            "各管理職におかれましては，市政運営の基本方針を熟読するとともに，本方針について理解を",
            "深め，各所属職員に徹底されますよう",
            "各管理職におかれましては，市政運営の基本方針を熟読するとともに，本方針について理解を",
            "深めること。",
        ]);
        assert_eq!(b.len(), 2);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].at, 2);
    }
}
