//! Spaces in text that came from a page. Japanese is written without spaces,
//! so a space next to a Japanese character is an artefact of the layout — a
//! justified line, a change of font for digits (「３月 31日」), a name spread
//! over its box — except inside quotation marks, where a slogan keeps the
//! spaces its writer gave it (「魅力あふれ ひとがつながる 文化都市国分寺」).

use crate::parse::inline::is_wide;

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t' || c == '\u{a0}'
}

/// A space run stays (as one space) between two words of Latin letters or
/// digits, and between wide characters inside 「」 or 『』 unless the whole
/// line is letter-spaced; it goes everywhere else. Returns the text and
/// whether spaces inside quotation marks were kept.
pub fn tidy(text: &str) -> (String, bool) {
    let text = join_letter_spacing(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut depth: i32 = 0;
    let mut kept_in_quotes = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_space(c) {
            match c {
                '「' | '『' => depth += 1,
                '」' | '』' => depth = (depth - 1).max(0),
                _ => {}
            }
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_space(chars[i]) {
            i += 1;
        }
        let (Some(&before), Some(&after)) = (out.chars().last().as_ref(), chars.get(i)) else {
            continue; // Leading or trailing space.
        };
        let wide = is_wide(before) || is_wide(after);
        if !wide || spaced_latin_word(&chars, start, i) {
            out.push(' ');
        } else if depth > 0
            && is_wide(before)
            && is_wide(after)
            && !is_quote(before)
            && !is_quote(after)
        {
            kept_in_quotes = true;
            out.push(if chars[start..i].contains(&'\u{3000}') {
                '\u{3000}'
            } else {
                ' '
            });
        }
    }
    (out, kept_in_quotes)
}

/// A Latin word set off by spaces on both sides, as writers space one in
/// Japanese text (「職員は BPR の視点」, 「、LINE 公式アカウント」), keeps its
/// spaces; a space on one side only is the layout's (「該当する SDGｓの」).
/// `start..end` is the space run; the word is on one side of it.
fn spaced_latin_word(chars: &[char], start: usize, end: usize) -> bool {
    let latin = |c: char| c.is_ascii_alphabetic() || c == '-' || c == '.' || c == '&';
    let open = |c: Option<&char>| match c {
        None => true,
        Some(&c) => is_space(c) || (is_wide(c) && !c.is_alphanumeric()),
    };
    if chars.get(end).is_some_and(|&c| c.is_ascii_alphabetic()) {
        // The word follows the space: what comes after it?
        let mut j = end;
        while j < chars.len() && (latin(chars[j]) || chars[j].is_ascii_digit()) {
            j += 1;
        }
        return open(chars.get(j));
    }
    if start > 0 && chars[start - 1].is_ascii_alphabetic() {
        // The word precedes the space: what comes before it?
        let mut j = start;
        while j > 0 && (latin(chars[j - 1]) || chars[j - 1].is_ascii_digit()) {
            j -= 1;
        }
        return open(j.checked_sub(1).map(|k| &chars[k]));
    }
    false
}

fn is_quote(c: char) -> bool {
    matches!(c, '「' | '」' | '『' | '』')
}

/// Joins a run of single wide letters each followed by one space: 「以 上」 →
/// 以上, 「伊 藤 寿 一」 → 伊藤寿一. Other text is left as it is.
pub fn join_letter_spacing(text: &str) -> String {
    // Words and the gaps between them; gaps[i] follows words[i].
    let mut words: Vec<&str> = Vec::new();
    let mut gaps: Vec<&str> = Vec::new();
    let lead = text.len() - text.trim_start_matches(is_space).len();
    let mut rest = &text[lead..];
    while !rest.is_empty() {
        let end = rest.find(is_space).unwrap_or(rest.len());
        words.push(&rest[..end]);
        let after = &rest[end..];
        let next = after.trim_start_matches(is_space);
        gaps.push(&after[..after.len() - next.len()]);
        rest = next;
    }
    // Brackets do not count: 「ま ち づ く り」 is letter-spaced too.
    let single = |w: &str| {
        let mut cs = w.trim_matches(is_quote).chars();
        matches!((cs.next(), cs.next()), (Some(c), None) if is_wide(c))
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..lead]);
    for (i, w) in words.iter().enumerate() {
        out.push_str(w);
        let spaced = gaps[i] == " " && single(w) && words.get(i + 1).is_some_and(|n| single(n));
        if !spaced {
            out.push_str(gaps[i]);
        }
    }
    out
}

/// Joins a line to the next one of its paragraph: no space between Japanese
/// characters, one between two Latin words.
pub fn join(paragraph: &mut String, next: &str) {
    let last = paragraph.chars().last();
    let first = next.chars().next();
    if let (Some(a), Some(b)) = (last, first) {
        if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
            paragraph.push(' ');
        }
    }
    paragraph.push_str(next);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_next_to_japanese_go() {
        assert_eq!(tidy("令和５年３月 31日付市長").0, "令和５年３月31日付市長");
        assert_eq!(tidy("該当する SDGｓのゴール").0, "該当するSDGｓのゴール");
        assert_eq!(tidy("各日午後 8時前退庁").0, "各日午後8時前退庁");
        assert_eq!(tidy("関東大震災から 100年").0, "関東大震災から100年");
        assert_eq!(tidy("施策 を 構築 する").0, "施策を構築する");
        assert_eq!(tidy("職員は BPR の視点").0, "職員は BPR の視点");
        assert_eq!(
            tidy("また、LINE 公式アカウント").0,
            "また、LINE 公式アカウント"
        );
        assert_eq!(tidy("Word 文書").0, "Word 文書");
    }

    #[test]
    fn spaces_between_latin_words_and_inside_quotes_stay() {
        assert_eq!(tidy("ICT  and AI を活用").0, "ICT and AI を活用");
        let (t, kept) = tidy("「魅力あふれ ひとがつながる 文化都市国分寺」を標榜");
        assert_eq!(t, "「魅力あふれ ひとがつながる 文化都市国分寺」を標榜");
        assert!(kept);
        assert_eq!(tidy("「 みんなで 」").0, "「みんなで」");
    }

    #[test]
    fn letter_spacing_is_joined() {
        assert_eq!(join_letter_spacing("以 上"), "以上");
        assert_eq!(join_letter_spacing("山 田 花 子"), "山田花子");
        assert_eq!(
            join_letter_spacing("総務部長 伊 藤 寿 一"),
            "総務部長 伊藤寿一"
        );
        assert_eq!(
            join_letter_spacing("市民部管理職 各位"),
            "市民部管理職 各位"
        );
        assert_eq!(join_letter_spacing("a b c"), "a b c");
        // Inside quotes, a letter-spaced run is still letter-spacing.
        assert_eq!(tidy("「ま ち づ く り」").0, "「まちづくり」");
    }

    #[test]
    fn lines_join_without_a_space_unless_both_sides_are_latin() {
        let mut p = String::from("国分寺市ビジョン後");
        join(&mut p, "期実行計画");
        assert_eq!(p, "国分寺市ビジョン後期実行計画");
        let mut p = String::from("the e-Tax");
        join(&mut p, "system");
        assert_eq!(p, "the e-Tax system");
    }
}
