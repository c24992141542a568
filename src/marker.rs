//! Directive markers: recognising 「１．」「（３）」「⑥」「第２」「ア」… at the start
//! of a block, in every width, and the numbers, ids and citations they give.
//!
//! The kind is decided on the raw text (NFKC would turn ① into 1 and ⑴ into
//! (1)); only the number is normalised.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// The kinds of numbering marker, in their default rank order (SPEC §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MarkerKind {
    /// 第１, 第2
    Dai,
    /// 1. ／ １． ／ 1、 ／ 「１　」 ／ ordered-list items
    N,
    /// (1) ／ （１） ／ ⑴
    P,
    /// ① … ㊿
    C,
    /// ア イ ウ … (or イ ロ ハ …)
    K,
    /// (ア) ／ （ア） ／ (ｱ)
    Kp,
    /// a. ／ a ／ ａ
    L,
    /// (a) ／ （ａ）
    Lp,
}

impl MarkerKind {
    /// Every kind, in default rank order.
    pub const ALL: [MarkerKind; 8] = [
        MarkerKind::Dai,
        MarkerKind::N,
        MarkerKind::P,
        MarkerKind::C,
        MarkerKind::K,
        MarkerKind::Kp,
        MarkerKind::L,
        MarkerKind::Lp,
    ];

    /// The code used in anchor ids (`n1-p3-c6`).
    pub fn code(self) -> &'static str {
        match self {
            MarkerKind::Dai => "dai",
            MarkerKind::N => "n",
            MarkerKind::P => "p",
            MarkerKind::C => "c",
            MarkerKind::K => "k",
            MarkerKind::Kp => "kp",
            MarkerKind::L => "l",
            MarkerKind::Lp => "lp",
        }
    }

    /// The kind for an anchor code.
    pub fn from_code(code: &str) -> Option<MarkerKind> {
        MarkerKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Katakana kinds number by letter, so their order (アイウ or イロハ) matters.
    pub fn is_katakana(self) -> bool {
        matches!(self, MarkerKind::K | MarkerKind::Kp)
    }
}

/// A directive number: 3, or 3の2 (a branch number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Number {
    /// The main number, from 1.
    pub main: u32,
    /// The branch number of 「３の２」.
    pub branch: Option<u32>,
}

impl Number {
    /// A plain number.
    pub const fn new(main: u32) -> Number {
        Number { main, branch: None }
    }

    /// How the number appears in an anchor id: `3`, `3_2`.
    pub fn id_part(&self) -> String {
        match self.branch {
            Some(b) => format!("{}_{}", self.main, b),
            None => self.main.to_string(),
        }
    }

    /// How the number appears in a citation: `3`, `3の2`.
    pub fn display(&self) -> String {
        match self.branch {
            Some(b) => format!("{}の{}", self.main, b),
            None => self.main.to_string(),
        }
    }

    /// True if `next` may directly follow `self` among siblings (4 after 3, 3の2 after 3, 3の3 after 3の2).
    pub fn is_followed_by(&self, next: &Number) -> bool {
        (next.main == self.main + 1 && next.branch.is_none())
            || (next.main == self.main && next.branch == Some(self.branch.unwrap_or(1) + 1))
    }
}

/// Katakana in アイウ (gojūon) order.
pub const AIUEO: &str =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";
/// Katakana in イロハ order.
pub const IROHA: &str = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン";

/// Position (from 1) of a katakana letter in an order.
pub fn katakana_index(order: &str, letter: char) -> Option<u32> {
    order
        .chars()
        .position(|c| c == letter)
        .map(|i| i as u32 + 1)
}

/// True if `next` is the letter after `prev` in either katakana order.
pub fn katakana_follows(prev: char, next: char) -> bool {
    [AIUEO, IROHA].iter().any(|order| {
        let mut it = order.chars().skip_while(|&c| c != prev);
        it.next().is_some() && it.next() == Some(next)
    })
}

/// A marker recognised at the start of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The kind.
    pub kind: MarkerKind,
    /// The number (for katakana kinds: the letter's place in アイウ order, until the
    /// document is parsed and イロハ siblings are renumbered).
    pub number: Number,
    /// For katakana kinds, the letter (full width); for latin kinds, the letter (lower case).
    pub letter: Option<char>,
    /// The marker as written, e.g. 「（３）」.
    pub written: String,
    /// Bytes of the text taken by leading space, the marker and the space after it.
    pub len: usize,
}

impl Marker {
    /// True if this is the first marker of its kind (1, ア or イ, a): a possible first child.
    pub fn is_first(&self) -> bool {
        match self.kind {
            MarkerKind::K | MarkerKind::Kp => matches!(self.letter, Some('ア') | Some('イ')),
            _ => self.number == Number::new(1),
        }
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t'
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_katakana_char(c: char) -> bool {
    ('\u{30A0}'..='\u{30FF}').contains(&c) || ('\u{FF65}'..='\u{FF9F}').contains(&c)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF65..=0xFF9F | 0x20000..=0x3FFFF)
}

/// Reads digits (either width), optionally with a branch 「の２」. Returns the number and bytes read.
pub fn read_number(s: &str) -> Option<(Number, usize)> {
    let (main, mut used) = read_digits(s)?;
    let mut number = Number::new(main);
    if let Some(rest) = s[used..].strip_prefix('の') {
        if let Some((branch, n)) = read_digits(rest) {
            number.branch = Some(branch);
            used += 'の'.len_utf8() + n;
        }
    }
    Some((number, used))
}

/// Reads a positive number in digits of either width; returns it and the bytes read.
pub fn read_digits(s: &str) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    let mut used = 0;
    for c in s.chars() {
        let Some(d) = digit_value(c) else { break };
        value = value.checked_mul(10)?.checked_add(d)?;
        used += c.len_utf8();
        if used > 12 {
            return None;
        }
    }
    (used > 0 && value > 0).then_some((value, used))
}

/// The number of an enclosed character: ①=1 … ㊿=50 (circled), ⑴=1 … ⒇=20 (parenthesised).
pub fn enclosed(c: char) -> Option<(MarkerKind, u32)> {
    let u = c as u32;
    match u {
        0x2460..=0x2473 => Some((MarkerKind::C, u - 0x2460 + 1)),
        0x3251..=0x325F => Some((MarkerKind::C, u - 0x3251 + 21)),
        0x32B1..=0x32BF => Some((MarkerKind::C, u - 0x32B1 + 36)),
        0x2474..=0x2487 => Some((MarkerKind::P, u - 0x2474 + 1)),
        _ => None,
    }
}

/// A katakana marker letter in full width (ｱ → ア), if `c` is one.
pub fn katakana_letter(c: char) -> Option<char> {
    if !is_katakana_char(c) {
        return None;
    }
    let full = c.to_string().nfkc().next()?;
    AIUEO
        .contains(full)
        .then_some(full)
        .or_else(|| (full == 'ヰ' || full == 'ヱ').then_some(full))
}

/// A lower-case latin marker letter in half width (ａ → a), if `c` is one.
pub fn latin_letter(c: char) -> Option<char> {
    match c {
        'a'..='z' => Some(c),
        'ａ'..='ｚ' => char::from_u32(c as u32 - 'ａ' as u32 + 'a' as u32),
        _ => None,
    }
}

fn letter_number(kind: MarkerKind, letter: char) -> Number {
    let n = if kind.is_katakana() {
        katakana_index(AIUEO, letter)
            .or_else(|| katakana_index(IROHA, letter))
            .unwrap_or(1)
    } else {
        letter as u32 - 'a' as u32 + 1
    };
    Number::new(n)
}

/// Recognises a marker at the start of `text` (after any leading spaces).
///
/// Bare markers (第１, １, ア, a) must be followed by a space or something that
/// cannot continue a word, so that 「第1回」「100年」「アンケート」「e-Tax」 are not
/// mistaken for markers; enclosed and dotted ones need nothing after them.
pub fn detect(text: &str) -> Option<Marker> {
    let lead = text.len() - text.trim_start_matches(is_space).len();
    let s = &text[lead..];
    let mut chars = s.chars();
    let first = chars.next()?;
    let (kind, number, letter, used) = if first == '第' {
        let (number, n) = read_number(&s[first.len_utf8()..])?;
        let used = first.len_utf8() + n;
        match s[used..].chars().next() {
            None => {}
            Some(c) if is_space(c) => {}
            Some(c) if is_cjk(c) || c.is_alphanumeric() || digit_value(c).is_some() => return None,
            Some(_) => {}
        }
        (MarkerKind::Dai, number, None, used)
    } else if digit_value(first).is_some() {
        let (number, n) = read_number(s)?;
        let rest = &s[n..];
        let next = rest.chars().next()?;
        match next {
            '.' | '．' | '、' => {
                let after = rest[next.len_utf8()..].chars().next();
                if after.is_some_and(|c| digit_value(c).is_some()) {
                    return None; // 1.5倍
                }
                (MarkerKind::N, number, None, n + next.len_utf8())
            }
            c if is_space(c) && number.main < 100 => (MarkerKind::N, number, None, n),
            _ => return None,
        }
    } else if first == '(' || first == '（' {
        let inner = &s[first.len_utf8()..];
        let c = inner.chars().next()?;
        let (kind, number, letter, n) = if let Some((number, n)) = read_number(inner) {
            (MarkerKind::P, number, None, n)
        } else if let Some(k) = katakana_letter(c) {
            (
                MarkerKind::Kp,
                letter_number(MarkerKind::Kp, k),
                Some(k),
                c.len_utf8(),
            )
        } else if let Some(l) = latin_letter(c) {
            (
                MarkerKind::Lp,
                letter_number(MarkerKind::Lp, l),
                Some(l),
                c.len_utf8(),
            )
        } else {
            return None;
        };
        let close = inner[n..].chars().next()?;
        if close != ')' && close != '）' {
            return None;
        }
        (
            kind,
            number,
            letter,
            first.len_utf8() + n + close.len_utf8(),
        )
    } else if let Some((kind, main)) = enclosed(first) {
        let mut number = Number::new(main);
        let mut used = first.len_utf8();
        if let Some(rest) = s[used..].strip_prefix('の') {
            if let Some((b, n)) = read_digits(rest) {
                number.branch = Some(b);
                used += 'の'.len_utf8() + n;
            }
        }
        (kind, number, None, used)
    } else if let Some(k) = katakana_letter(first) {
        let mut used = first.len_utf8();
        match s[used..].chars().next() {
            None => {}
            Some(c) if is_katakana_char(c) => return None, // アンケート
            Some(c @ ('.' | '．' | '、')) => used += c.len_utf8(),
            Some(_) => {}
        }
        (
            MarkerKind::K,
            letter_number(MarkerKind::K, k),
            Some(k),
            used,
        )
    } else if let Some(l) = latin_letter(first) {
        let mut used = first.len_utf8();
        match s[used..].chars().next() {
            Some(c @ ('.' | '．')) => used += c.len_utf8(),
            // 「c職員」 is a marker; 「eラーニング」 is a word.
            Some(c) if is_space(c) || (is_cjk(c) && !is_katakana_char(c)) => {}
            _ => return None,
        }
        (
            MarkerKind::L,
            letter_number(MarkerKind::L, l),
            Some(l),
            used,
        )
    } else {
        return None;
    };
    let written = s[..used].to_string();
    let rest = &s[used..];
    let space = rest.len() - rest.trim_start_matches(is_space).len();
    Some(Marker {
        kind,
        number,
        letter,
        written,
        len: lead + used + space,
    })
}

/// The circled form of a number (1 → ①, 21 → ㉑, 50 → ㊿).
pub fn circled(n: u32) -> Option<char> {
    match n {
        1..=20 => char::from_u32(0x2460 + n - 1),
        21..=35 => char::from_u32(0x3251 + n - 21),
        36..=50 => char::from_u32(0x32B1 + n - 36),
        _ => None,
    }
}

/// One step of a citation: the marker in half-width form (`1.`, `(3)`, `⑥`, `第2`, `イ`).
pub fn citation_part(kind: MarkerKind, number: &Number, letter: Option<char>) -> String {
    let letter_or_number = || letter.map(String::from).unwrap_or_else(|| number.display());
    match kind {
        MarkerKind::Dai => format!("第{}", number.display()),
        MarkerKind::N => format!("{}.", number.display()),
        MarkerKind::P => format!("({})", number.display()),
        MarkerKind::C => match (circled(number.main), number.branch) {
            (Some(c), None) => c.to_string(),
            (Some(c), Some(b)) => format!("{c}の{b}"),
            (None, _) => format!("({})", number.display()),
        },
        MarkerKind::K => letter_or_number(),
        MarkerKind::Kp => format!("({})", letter_or_number()),
        MarkerKind::L => format!("{}.", letter_or_number()),
        MarkerKind::Lp => format!("({})", letter_or_number()),
    }
}

/// Joins citation parts: `第2` is followed by a space, the rest run together (`第2 3.(2)イ`).
pub fn join_citation<'a>(parts: impl IntoIterator<Item = (MarkerKind, &'a str)>) -> String {
    let mut out = String::new();
    let mut after_dai = false;
    for (kind, part) in parts {
        if after_dai {
            out.push(' ');
        }
        out.push_str(part);
        after_dai = kind == MarkerKind::Dai;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_num(text: &str) -> Option<(MarkerKind, String, usize)> {
        detect(text).map(|m| (m.kind, m.number.id_part(), m.len))
    }

    #[test]
    fn recognises_n_in_every_width_and_form() {
        assert_eq!(
            kind_num("1. 施政方針"),
            Some((MarkerKind::N, "1".into(), 3))
        );
        assert_eq!(kind_num("１．令和５年度").unwrap().0, MarkerKind::N);
        assert_eq!(kind_num("１．令和５年度").unwrap().1, "1");
        assert_eq!(kind_num("2、総務").unwrap().1, "2");
        assert_eq!(
            kind_num("１　総則").unwrap(),
            (MarkerKind::N, "1".into(), 6)
        );
        assert_eq!(kind_num("12 項目").unwrap().1, "12");
        assert_eq!(kind_num("３の２　枝番").unwrap().1, "3_2");
    }

    #[test]
    fn numbers_that_are_not_markers() {
        assert_eq!(detect("100年となる節目"), None);
        assert_eq!(detect("1.5倍にする"), None);
        assert_eq!(detect("2023 年度"), None);
        assert_eq!(detect("5年度の目標"), None);
        assert_eq!(detect("第1回会議"), None);
        assert_eq!(detect("第２期計画"), None);
        assert_eq!(detect("アンケート調査"), None);
        assert_eq!(detect("ワーク・ライフ・バランス"), None);
        assert_eq!(detect("e-Taxの活用"), None);
        assert_eq!(detect("BPRの推進"), None);
        assert_eq!(detect("また、"), None);
        assert_eq!(detect("(注)"), None);
        assert_eq!(detect(""), None);
    }

    #[test]
    fn recognises_dai() {
        let m = detect("第１　総則").unwrap();
        assert_eq!(
            (m.kind, m.number.main, m.written.as_str()),
            (MarkerKind::Dai, 1, "第１")
        );
        assert_eq!(detect("第2 組織").unwrap().number.main, 2);
        assert_eq!(detect("第３の２　補則").unwrap().number.id_part(), "3_2");
        assert_eq!(detect("第10").unwrap().number.main, 10);
    }

    #[test]
    fn recognises_parenthesised_numbers() {
        for text in [
            "(1) 多様化",
            "（１）施政方針",
            "⑴ 丸括弧",
            "(1）混在",
            "（１)混在",
        ] {
            let m = detect(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((m.kind, m.number.main), (MarkerKind::P, 1), "{text}");
        }
        assert_eq!(detect("（１０）十").unwrap().number.main, 10);
        assert_eq!(detect("⒇").unwrap().number.main, 20);
        assert_eq!(detect("(3の2)").unwrap().number.id_part(), "3_2");
    }

    #[test]
    fn recognises_circled_numbers_up_to_fifty() {
        assert_eq!(kind_num("①職員").unwrap().0, MarkerKind::C);
        assert_eq!(kind_num("⑩ 不必要").unwrap().1, "10");
        assert_eq!(kind_num("⑳").unwrap().1, "20");
        assert_eq!(kind_num("㉑").unwrap().1, "21");
        assert_eq!(kind_num("㉟").unwrap().1, "35");
        assert_eq!(kind_num("㊱").unwrap().1, "36");
        assert_eq!(kind_num("㊿").unwrap().1, "50");
        for n in 1..=50 {
            let c = circled(n).unwrap();
            assert_eq!(detect(&c.to_string()).unwrap().number.main, n);
        }
    }

    #[test]
    fn recognises_katakana_and_parenthesised_katakana() {
        let m = detect("ア　目的").unwrap();
        assert_eq!(
            (m.kind, m.letter, m.number.main),
            (MarkerKind::K, Some('ア'), 1)
        );
        assert_eq!(detect("イ 次").unwrap().number.main, 2);
        assert_eq!(detect("ｱ 半角").unwrap().letter, Some('ア'));
        assert_eq!(detect("ウ．点付き").unwrap().letter, Some('ウ'));
        assert_eq!(detect("ロ 職員").unwrap().letter, Some('ロ'));
        for text in ["(ア) 括弧", "（ア）全角", "(ｱ)半角", "（ｱ）"] {
            let m = detect(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((m.kind, m.letter), (MarkerKind::Kp, Some('ア')), "{text}");
        }
        assert_eq!(detect("（イ）").unwrap().number.main, 2);
    }

    #[test]
    fn recognises_latin_and_parenthesised_latin() {
        assert_eq!(kind_num("a. 英字").unwrap().0, MarkerKind::L);
        assert_eq!(kind_num("b 英字").unwrap().1, "2");
        assert_eq!(kind_num("ａ　全角").unwrap().0, MarkerKind::L);
        assert_eq!(kind_num("c職員").unwrap().1, "3");
        assert_eq!(kind_num("(a) 括弧").unwrap().0, MarkerKind::Lp);
        assert_eq!(kind_num("（ｂ）全角").unwrap().1, "2");
    }

    #[test]
    fn leading_and_trailing_space_is_part_of_the_marker_length() {
        let m = detect("　（１）　本文").unwrap();
        assert_eq!(&"　（１）　本文"[m.len..], "本文");
        assert_eq!(m.written, "（１）");
    }

    #[test]
    fn katakana_order() {
        assert!(katakana_follows('ア', 'イ'));
        assert!(katakana_follows('イ', 'ロ'));
        assert!(katakana_follows('ロ', 'ハ'));
        assert!(!katakana_follows('ア', 'ウ'));
        assert_eq!(katakana_index(IROHA, 'ハ'), Some(3));
    }

    #[test]
    fn branch_numbers_follow() {
        let three = Number::new(3);
        assert!(three.is_followed_by(&Number::new(4)));
        assert!(three.is_followed_by(&Number {
            main: 3,
            branch: Some(2)
        }));
        assert!(Number {
            main: 3,
            branch: Some(2)
        }
        .is_followed_by(&Number::new(4)));
        assert!(!three.is_followed_by(&Number::new(5)));
    }

    #[test]
    fn citations_are_half_width() {
        assert_eq!(citation_part(MarkerKind::N, &Number::new(1), None), "1.");
        assert_eq!(citation_part(MarkerKind::P, &Number::new(3), None), "(3)");
        assert_eq!(citation_part(MarkerKind::C, &Number::new(6), None), "⑥");
        assert_eq!(
            citation_part(MarkerKind::Kp, &Number::new(1), Some('ア')),
            "(ア)"
        );
        let parts = [
            (MarkerKind::Dai, "第2".to_string()),
            (MarkerKind::N, "3.".to_string()),
            (MarkerKind::P, "(2)".to_string()),
            (MarkerKind::K, "イ".to_string()),
        ];
        assert_eq!(
            join_citation(parts.iter().map(|(k, s)| (*k, s.as_str()))),
            "第2 3.(2)イ"
        );
    }

    #[test]
    fn half_width_katakana_in_context() {
        // Half-width letters are markers, normalised to full width…
        let m = detect("ｲ　中堅職員").unwrap();
        assert_eq!(
            (m.kind, m.letter, m.number.main),
            (MarkerKind::K, Some('イ'), 2)
        );
        assert_eq!(&"ｲ　中堅職員"[m.len..], "中堅職員");
        assert_eq!(detect("ｳ．点付き").unwrap().letter, Some('ウ'));
        assert_eq!(detect("ﾛ 職員").unwrap().letter, Some('ロ'));
        let m = detect("（ｲ）主任の育成").unwrap();
        assert_eq!(
            (m.kind, m.letter, m.written.as_str()),
            (MarkerKind::Kp, Some('イ'), "（ｲ）")
        );
        // …but a half-width word is not.
        for text in ["ｱﾝｹｰﾄ調査", "ｲﾍﾞﾝﾄの開催", "ｱｰﾄ", "(ｱﾝｹｰﾄ)", "アート"]
        {
            assert_eq!(detect(text), None, "{text}");
        }
    }

    #[test]
    fn circled_numbers_beyond_twenty_in_citations() {
        assert_eq!(citation_part(MarkerKind::C, &Number::new(21), None), "㉑");
        assert_eq!(citation_part(MarkerKind::C, &Number::new(36), None), "㊱");
        assert_eq!(citation_part(MarkerKind::C, &Number::new(50), None), "㊿");
        assert_eq!(circled(51), None);
        assert_eq!(citation_part(MarkerKind::C, &Number::new(51), None), "(51)");
        let m = detect("㉑二十一番目").unwrap();
        assert_eq!(
            (m.kind, m.number.main, m.written.as_str()),
            (MarkerKind::C, 21, "㉑")
        );
        assert_eq!(&"㉑二十一番目"[m.len..], "二十一番目");
    }

    #[test]
    fn parenthesised_numbers_are_not_circled() {
        // NFKC turns ⑴ into (1) and ① into 1: the kind comes from the raw text.
        assert_eq!(detect("⑴").unwrap().kind, MarkerKind::P);
        assert_eq!(detect("①").unwrap().kind, MarkerKind::C);
        assert_eq!(detect("1.").unwrap().kind, MarkerKind::N);
    }

    #[test]
    fn space_after_a_marker_is_optional_and_any_width() {
        for text in ["(1)本文", "(1) 本文", "(1)　本文", "(1)\t本文"] {
            let m = detect(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(&text[m.len..], "本文", "{text}");
        }
        assert_eq!(detect("１．５倍").map(|m| m.kind), None);
        assert_eq!(detect("100 年").map(|m| m.kind), None);
        assert_eq!(detect("1、総務").unwrap().written, "1、");
    }

    #[test]
    fn branch_numbers_in_ids_and_citations() {
        let m = detect("３の２　働き方改革").unwrap();
        assert_eq!(
            (m.kind, m.number.id_part(), m.written.as_str()),
            (MarkerKind::N, "3_2".to_string(), "３の２")
        );
        assert_eq!(citation_part(MarkerKind::N, &m.number, None), "3の2.");
        let c = detect("①の２ 追加").unwrap();
        assert_eq!(
            (c.kind, c.number.id_part()),
            (MarkerKind::C, "1_2".to_string())
        );
        assert_eq!(citation_part(MarkerKind::C, &c.number, None), "①の2");
    }

    #[test]
    fn latin_letters_in_every_width() {
        let m = detect("ａ　全角の英字").unwrap();
        assert_eq!(
            (m.kind, m.letter, m.number.main),
            (MarkerKind::L, Some('a'), 1)
        );
        assert_eq!(citation_part(MarkerKind::L, &m.number, m.letter), "a.");
        let m = detect("（ｂ）全角括弧").unwrap();
        assert_eq!((m.kind, m.letter), (MarkerKind::Lp, Some('b')));
        assert_eq!(citation_part(MarkerKind::Lp, &m.number, m.letter), "(b)");
        assert_eq!(detect("A 大文字"), None);
        for word in ["eラーニングを活用する", "eスポーツ", "ｅメール"] {
            assert_eq!(detect(word), None, "{word}");
        }
    }
}
