//! Front matter from the letter's own lines. A policy opens like a letter:
//!
//! ```text
//!                                   令和５年４月１日      ← date
//! 総務部管理職各位                                        ← audience
//!           令和５年度総務部の運営方針について            ← title (year, department)
//!                                 総務部長  伊 藤 寿 一   ← author (department)
//! ```
//!
//! The head ends at the first line of the body: a directive, 「記」, or a
//! sentence. Head lines that are none of these go back to the body, noted.

use unicode_normalization::UnicodeNormalization;
use unicode_width::UnicodeWidthStr;

use super::names::{self, Author};
use super::{Line, Note};
use crate::era::{parse_date, parse_year, Date};
use crate::marker;

/// A value found in the letter, with the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<T> {
    /// The value.
    pub value: T,
    /// Source line (or paragraph) number.
    pub at: usize,
    /// Where it was read from, for the report ("the title").
    pub from: &'static str,
}

/// What the head of the letter gave.
#[derive(Debug, Default)]
pub struct Letter {
    /// Issue date.
    pub date: Option<Found<Date>>,
    /// The addressee line (…各位).
    pub audience: Option<Found<String>>,
    /// The title.
    pub title: Option<Found<String>>,
    /// The author line.
    pub author: Option<Found<String>>,
    /// Fiscal year.
    pub year: Option<Found<i32>>,
    /// Department.
    pub department: Option<Found<String>>,
    /// Index of the first line of the body in the lines given.
    pub body_start: usize,
    /// Head lines that were not understood; they stay in the body.
    pub leftovers: Vec<usize>,
    /// What the reader should check.
    pub notes: Vec<Note>,
}

/// At most this many lines open a letter.
const HEAD_LINES: usize = 12;

/// Reads the head of the letter from `lines`.
pub fn read(lines: &[Line]) -> Letter {
    let mut letter = Letter::default();
    let mut author: Option<(Author, usize)> = None;
    let mut seen = 0;
    let mut i = 0;
    let mut body_start = lines.len();
    while i < lines.len() {
        let line = &lines[i];
        let t = line.text.trim();
        if t.is_empty() {
            i += 1;
            continue;
        }
        seen += 1;
        if seen > HEAD_LINES || starts_body(t, line) {
            body_start = i;
            break;
        }
        let squeezed: String = t.chars().filter(|c| !is_space(*c)).collect();
        if letter.date.is_none() && parse_date(&squeezed).is_some() {
            letter.date = parse_date(&squeezed).map(|value| Found {
                value,
                at: line.number,
                from: "the date line",
            });
        } else if letter.audience.is_none() && squeezed.ends_with("各位") {
            letter.audience = Some(Found {
                value: collapse_spaces(t),
                at: line.number,
                from: "the addressee line",
            });
        } else if author.is_none() && names::read_author(t).is_some() {
            author = names::read_author(t).map(|a| (a, line.number));
        } else if author.is_none() && names::is_office_line(t) {
            // pdftotext puts a letter-spaced name on a line of its own.
            let next = (i + 1..lines.len()).find(|&j| !lines[j].text.trim().is_empty());
            match next.and_then(|j| Some((j, names::read_name_line(t, &lines[j].text)?))) {
                Some((j, a)) => {
                    author = Some((a, line.number));
                    i = j;
                }
                None => letter.leftovers.push(i),
            }
        } else if letter.title.is_none() && looks_like_title(&squeezed) {
            letter.title = Some(Found {
                value: collapse_spaces(t),
                at: line.number,
                from: "the title",
            });
        } else {
            letter.leftovers.push(i);
        }
        i += 1;
    }
    letter.body_start = body_start.min(lines.len());
    for &k in &letter.leftovers {
        letter.notes.push(Note::new(
            lines[k].number,
            format!("「{}」 at the head of the letter is not a date, addressee, title or author: kept as text", lines[k].text.trim()),
        ));
    }
    if let Some((a, at)) = author {
        if let Some(doubt) = &a.doubt {
            letter.notes.push(Note::new(at, doubt.clone()));
        }
        if let Some(d) = a.department() {
            letter.department = Some(Found {
                value: d,
                at,
                from: "the author line",
            });
        }
        letter.author = Some(Found {
            value: a.line(),
            at,
            from: "the author line",
        });
    }
    if let Some(title) = &letter.title {
        if let Some((year, rest)) = year_in(&title.value) {
            letter.year = Some(Found {
                value: year,
                at: title.at,
                from: "the title",
            });
            if let Some(d) = department_in(rest) {
                match &letter.department {
                    None => {
                        letter.department = Some(Found {
                            value: d,
                            at: title.at,
                            from: "the title",
                        })
                    }
                    Some(found) if found.value != d => letter.notes.push(Note::new(
                        title.at,
                        format!(
                            "the title names {d} but the author heads {}: used {}",
                            found.value, found.value
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    if letter.year.is_none() {
        if let Some(date) = &letter.date {
            // A policy is issued for the fiscal year that starts in April.
            let d = date.value;
            let year = if d.month >= 4 { d.year } else { d.year - 1 };
            letter.notes.push(Note::new(
                date.at,
                format!(
                    "no fiscal year in the title: took {year} from the date {}",
                    d.iso()
                ),
            ));
            letter.year = Some(Found {
                value: year,
                at: date.at,
                from: "the date",
            });
        }
    }
    letter
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t' || c == '\u{a0}'
}

/// Runs of spaces become one (a full-width one stays full-width).
pub fn collapse_spaces(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut gap: Option<char> = None;
    for c in t.trim_matches(is_space).chars() {
        if is_space(c) {
            gap = Some(match gap {
                Some('\u{3000}') => '\u{3000}',
                _ if c == '\u{3000}' => '\u{3000}',
                _ => ' ',
            });
            continue;
        }
        if let Some(g) = gap.take() {
            out.push(g);
        }
        out.push(c);
    }
    super::spaces::join_letter_spacing(&out)
}

/// The body starts at a directive, 「記」, or a sentence.
fn starts_body(t: &str, line: &Line) -> bool {
    let squeezed: String = t.chars().filter(|c| !is_space(*c)).collect();
    marker::detect(t).is_some()
        || squeezed == "記"
        || t.contains(['。', '，', '、', ','])
        || t.width() > 60
        || (line.whole && t.width() > 50)
}

fn looks_like_title(t: &str) -> bool {
    ["方針", "について", "計画", "目標", "要領", "指針"]
        .iter()
        .any(|w| t.contains(w))
}

/// The fiscal year written in a text (令和５年度, 2023年度, R5年度) and the text after it.
pub fn year_in(text: &str) -> Option<(i32, &str)> {
    for (pos, _) in text.match_indices("年度") {
        let before = &text[..pos];
        // Walk back over digits (or 元) and an era name.
        let mut start = pos;
        for (i, c) in before.char_indices().rev() {
            if c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '元' {
                start = i;
            } else {
                break;
            }
        }
        if start == pos {
            continue;
        }
        for era in ["令和", "平成", "昭和", "R", "Ｒ", "H", "Ｈ"] {
            if before[..start].ends_with(era) {
                start -= era.len();
                break;
            }
        }
        let written = &text[start..pos + "年度".len()];
        if let Some(y) = parse_year(written) {
            return Some((y, &text[pos + "年度".len()..]));
        }
    }
    None
}

/// The department a title names after its year: 「総務部の運営方針について」 → 総務部.
fn department_in(rest: &str) -> Option<String> {
    let rest = rest.trim_start_matches(is_space);
    let end = ["の", "運営方針", "方針", " ", "\u{3000}"]
        .iter()
        .filter_map(|w| rest.find(w))
        .min()?;
    let d: String = rest[..end].nfc().collect();
    names::department_of_office(&format!("{d}長")).filter(|_| !d.is_empty())
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

    #[test]
    fn the_seeds_letter_head() {
        let l = read(&lines(&[
            "令和５年４月１日",
            "総務部管理職各位",
            "",
            "令和５年度総務部の運営方針について",
            "総務部長  伊 藤 寿 一",
            "令和５年３月 31日付市長より示された「令和５年度市政運営の基本方針」に基づき，以下の",
        ]));
        assert_eq!(l.date.unwrap().value.iso(), "2023-04-01");
        assert_eq!(l.audience.unwrap().value, "総務部管理職各位");
        assert_eq!(l.title.unwrap().value, "令和５年度総務部の運営方針について");
        assert_eq!(l.author.unwrap().value, "総務部長 伊藤 寿一");
        assert_eq!(l.year.unwrap().value, 2023);
        let d = l.department.unwrap();
        assert_eq!((d.value.as_str(), d.from), ("総務部", "the author line"));
        assert_eq!(l.body_start, 5);
        assert!(l.leftovers.is_empty());
        assert_eq!(l.notes.len(), 1, "the letter-spaced name is noted");
        assert_eq!(l.notes[0].at, 5);
    }

    #[test]
    fn a_name_on_the_line_after_its_office_and_a_western_date() {
        let l = read(&lines(&[
            "2024年4月1日",
            "企画部管理職 各位",
            "令和６年度 企画部の運営方針",
            "企画部長",
            "",
            "山 田 花 子",
            "記",
        ]));
        assert_eq!(l.date.unwrap().value.iso(), "2024-04-01");
        assert_eq!(l.audience.unwrap().value, "企画部管理職 各位");
        assert_eq!(l.author.unwrap().value, "企画部長 山田 花子");
        assert_eq!(l.year.unwrap().value, 2024);
        assert_eq!(l.body_start, 6);
    }

    #[test]
    fn the_year_from_the_date_when_the_title_has_none() {
        let l = read(&lines(&[
            "令和元年５月７日",
            "福祉部の運営方針",
            "福祉部長　鈴木　一郎",
            "１．基本",
        ]));
        let y = l.year.unwrap();
        assert_eq!((y.value, y.from), (2019, "the date"));
        assert!(l.notes.iter().any(|n| n.message.contains("took 2019")));
    }

    #[test]
    fn head_lines_not_understood_stay_in_the_body() {
        let l = read(&lines(&["企総第１２３号", "令和６年４月１日", "１．基本"]));
        assert_eq!(l.leftovers, vec![0]);
        assert!(
            l.notes[0].message.contains("企総第１２３号"),
            "{:?}",
            l.notes
        );
        assert_eq!(l.body_start, 2);
    }

    #[test]
    fn years_in_titles() {
        assert_eq!(
            year_in("令和５年度総務部の運営方針").map(|y| y.0),
            Some(2023)
        );
        assert_eq!(year_in("令和元年度 方針").map(|y| y.0), Some(2019));
        assert_eq!(year_in("2026年度市民部").map(|y| y.0), Some(2026));
        assert_eq!(year_in("Ｒ８年度の方針").map(|y| y.0), Some(2026));
        assert_eq!(year_in("年度の方針"), None);
        assert_eq!(
            department_in("総務部の運営方針について").as_deref(),
            Some("総務部")
        );
        assert_eq!(
            department_in(" 市民生活部運営方針").as_deref(),
            Some("市民生活部")
        );
        assert_eq!(department_in("の運営方針"), None);
    }
}
