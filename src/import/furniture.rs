//! Page furniture: what a printed page repeats on every sheet and a reader
//! of the policy never sees as text — page numbers (「- 3 -」, 「3/10」,
//! 「３」) and running headers or footers (the same short line at the top or
//! bottom of every page).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::Note;
use crate::marker;

/// A line of a page: its number in the source and its text (right-trimmed).
pub struct PageLine<'a> {
    /// Line number in the source (from 1).
    pub number: usize,
    /// The text.
    pub text: &'a str,
}

/// True for a line that is only a page number: 「3」「- 3 -」「－３－」「3/10」「3 / 10」「P.3」「3頁」.
pub fn is_page_number(line: &str) -> bool {
    let s: String = line.nfkc().filter(|c| !c.is_whitespace()).collect();
    let s = s.trim_matches(|c| matches!(c, '-' | '‐' | '−' | '–' | '—' | '―' | 'ー' | '~' | '〜'));
    let s = s
        .strip_prefix("P.")
        .or_else(|| s.strip_prefix("p."))
        .or_else(|| s.strip_prefix('P'))
        .or_else(|| s.strip_prefix('p'))
        .unwrap_or(s);
    let s = s
        .strip_suffix('頁')
        .or_else(|| s.strip_suffix("ページ"))
        .unwrap_or(s);
    let digits = |t: &str| !t.is_empty() && t.len() <= 4 && t.chars().all(|c| c.is_ascii_digit());
    match s.split_once('/') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(s),
    }
}

/// The form a running header takes on every page: spaces dropped, digits
/// (the page number in 「運営方針 3/10」) made alike.
fn header_key(line: &str) -> String {
    line.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Could a repeated line be a running header? Short, not a sentence, not a directive.
fn could_be_header(line: &str) -> bool {
    let t = line.trim();
    let n = t.chars().count();
    (2..=40).contains(&n)
        && !t.ends_with(['。', '、', '，', ','])
        && marker::detect(t).is_none()
        && !matches!(t, "記" | "以上")
}

/// The source line numbers to drop from `pages`, each with a note saying why.
///
/// With page breaks (pdftotext, a PDF), a header or footer is the first or last
/// line of a page that recurs at the same end of other pages. Without them (a
/// PDF reader's copy), it is a short line that recurs word for word.
pub fn find(pages: &[Vec<PageLine<'_>>]) -> Vec<Note> {
    let mut dropped: Vec<Note> = Vec::new();
    for page in pages {
        for l in page {
            if is_page_number(l.text) {
                dropped.push(Note::new(
                    l.number,
                    format!("page number 「{}」 dropped", l.text.trim()),
                ));
            }
        }
    }
    let is_dropped = |dropped: &[Note], n: usize| dropped.iter().any(|d| d.at == n);
    let mut repeats: HashMap<String, Vec<(usize, String)>> = HashMap::new();
    if pages.len() > 1 {
        for page in pages {
            let content: Vec<&PageLine> = page
                .iter()
                .filter(|l| !l.text.trim().is_empty() && !is_dropped(&dropped, l.number))
                .collect();
            let ends = [content.first(), content.last()];
            for (side, l) in ends.iter().enumerate() {
                let Some(l) = l else { continue };
                if could_be_header(l.text) {
                    let key = format!("{side}{}", header_key(l.text));
                    repeats
                        .entry(key)
                        .or_default()
                        .push((l.number, l.text.trim().to_string()));
                }
            }
        }
    } else {
        for l in pages.iter().flatten() {
            if could_be_header(l.text) && !is_dropped(&dropped, l.number) {
                repeats
                    .entry(header_key(l.text))
                    .or_default()
                    .push((l.number, l.text.trim().to_string()));
            }
        }
    }
    for lines in repeats.values() {
        let distinct: std::collections::BTreeSet<usize> = lines.iter().map(|(n, _)| *n).collect();
        if distinct.len() >= 2 {
            for (n, text) in lines {
                if !is_dropped(&dropped, *n) {
                    dropped.push(Note::new(*n, format!("running header 「{text}」 dropped")));
                }
            }
        }
    }
    dropped.sort_by_key(|d| d.at);
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_in_the_forms_printers_use() {
        for line in [
            "- 3 -",
            "－３－",
            "3",
            "　３　",
            "3/10",
            "3 / 10",
            "P.3",
            "― 12 ―",
            "3頁",
        ] {
            assert!(is_page_number(line), "{line}");
        }
        for line in ["（３）", "100年", "3月", "- 記 -", "", "１．", "2023年度"] {
            assert!(!is_page_number(line), "{line}");
        }
    }

    fn page<'a>(start: usize, lines: &[&'a str]) -> Vec<PageLine<'a>> {
        lines
            .iter()
            .enumerate()
            .map(|(i, text)| PageLine {
                number: start + i,
                text,
            })
            .collect()
    }

    #[test]
    fn running_headers_recur_at_the_same_end_of_pages() {
        let pages = vec![
            page(1, &["企画部運営方針 1/2", "本文です。", "- 1 -"]),
            page(4, &["企画部運営方針 2/2", "① 次の本文。", "- 2 -"]),
        ];
        let dropped: Vec<usize> = find(&pages).iter().map(|d| d.at).collect();
        assert_eq!(dropped, vec![1, 3, 4, 6]);
    }

    #[test]
    fn without_page_breaks_a_repeated_short_line_is_a_header() {
        let pages = vec![page(
            1,
            &[
                "企画部運営方針",
                "（１）施策",
                "こと。",
                "企画部運営方針",
                "（１）施策",
                "こと。",
            ],
        )];
        let dropped: Vec<usize> = find(&pages).iter().map(|d| d.at).collect();
        assert_eq!(
            dropped,
            vec![1, 4],
            "markers and sentence ends repeat without being headers"
        );
    }
}
