//! The author line: 「総務部長  伊 藤 寿 一」 → office 総務部長, name 伊藤 寿一.
//!
//! A PDF spreads a name over its box (均等割付), so a copy holds a space
//! between every letter and the gap between family and given name is lost.
//! The letters are joined again; the family name is then split off when it
//! is one of the common family names below, or, for four letters, as two and
//! two — and the report says so, since only a person can be sure.

use crate::parse::inline::is_wide;

/// Common family names, longest first where one begins another.
const FAMILY_NAMES: &[&str] = &[
    "佐々木",
    "長谷川",
    "五十嵐",
    "久保田",
    "宇都宮",
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "渡邊",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々",
    "山口",
    "松本",
    "井上",
    "木村",
    "斎藤",
    "斉藤",
    "清水",
    "山崎",
    "阿部",
    "池田",
    "橋本",
    "山下",
    "石川",
    "中島",
    "前田",
    "藤田",
    "後藤",
    "小川",
    "岡田",
    "村上",
    "長田",
    "近藤",
    "石井",
    "坂本",
    "遠藤",
    "青木",
    "藤井",
    "西村",
    "福田",
    "太田",
    "三浦",
    "藤原",
    "岡本",
    "松田",
    "中川",
    "中野",
    "原田",
    "小野",
    "田村",
    "竹内",
    "金子",
    "和田",
    "中山",
    "石田",
    "上田",
    "森田",
    "小島",
    "柴田",
    "原",
    "宮崎",
    "酒井",
    "工藤",
    "横山",
    "宮本",
    "内田",
    "高木",
    "安藤",
    "島田",
    "谷口",
    "大野",
    "高田",
    "丸山",
    "今井",
    "河野",
    "藤本",
    "村田",
    "武田",
    "上野",
    "杉山",
    "増田",
    "小山",
    "大塚",
    "平野",
    "菅原",
    "千葉",
    "松井",
    "岩崎",
    "桜井",
    "野口",
    "松尾",
    "野村",
    "木下",
    "菊地",
    "菊池",
    "佐野",
    "大西",
    "杉本",
    "新井",
    "浜田",
    "市川",
    "古川",
    "水野",
    "小松",
    "島崎",
    "山内",
    "西田",
    "菅野",
    "玉井",
    "北村",
    "東",
    "林",
    "森",
    "関",
    "堀",
    "西",
    "南",
    "北",
    "谷",
    "辻",
    "岡",
    "星",
    "沢",
];

/// Offices that end an author's title: 部長, 局長, 室長, 課長, 所長, 次長, 市長…
const OFFICE_BEFORE_CHO: &[char] = &[
    '部', '局', '室', '課', '所', '場', '館', '署', '園', '校', '市', '区', '町', '村', '育', '次',
    '会', '団', 'ー', '署', '院', '事',
];

/// An author line read into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// The office, e.g. 総務部長.
    pub office: String,
    /// The name as it will be written, e.g. 伊藤 寿一.
    pub name: String,
    /// What the reader should check, when the name had to be guessed.
    pub doubt: Option<String>,
}

impl Author {
    /// 「総務部長 伊藤 寿一」.
    pub fn line(&self) -> String {
        format!("{} {}", self.office, self.name)
    }

    /// The department the office heads: 総務部長 → 総務部.
    pub fn department(&self) -> Option<String> {
        department_of_office(&self.office)
    }
}

/// The department an office heads: 総務部長 → 総務部, 市民生活部長 → 市民生活部.
pub fn department_of_office(office: &str) -> Option<String> {
    let dept = office.strip_suffix('長')?;
    let ok = ["部", "局", "室", "課", "所", "本部", "センター", "事務局"]
        .iter()
        .any(|s| dept.ends_with(s));
    (ok && dept.chars().count() >= 2).then(|| dept.to_string())
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t' || c == '\u{a0}'
}

/// Words of a line, with letter-spaced runs joined: 「伊 藤 寿 一」 is one word.
/// Returns the words and, for each, whether it was letter-spaced.
fn words(line: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    // (word, gap before it) where a gap of two or more spaces or a full-width
    // space is a real gap and a single space may be letter-spacing.
    let mut raw: Vec<(&str, bool)> = Vec::new();
    let mut rest = line.trim_matches(is_space);
    let mut wide_gap = false;
    while !rest.is_empty() {
        let end = rest.find(is_space).unwrap_or(rest.len());
        raw.push((&rest[..end], wide_gap));
        let after = &rest[end..];
        let trimmed = after.trim_start_matches(is_space);
        let gap = &after[..after.len() - trimmed.len()];
        wide_gap = gap.chars().count() >= 2 || gap.contains('\u{3000}');
        rest = trimmed;
    }
    let single = |w: &str| w.chars().count() == 1 && w.chars().all(is_wide);
    for (i, (w, gap_before)) in raw.iter().enumerate() {
        let prev_single = i > 0 && single(raw[i - 1].0);
        match out.last_mut() {
            Some((last, spaced)) if single(w) && prev_single && !gap_before => {
                last.push_str(w);
                *spaced = true;
            }
            _ => out.push((w.to_string(), false)),
        }
    }
    out
}

/// Reads an author line: an office ending in 長 and a name of wide letters.
/// 「総務部長  伊 藤 寿 一」, 「企画部長　山田　花子」, 「市民部長玉井理加」.
pub fn read_author(line: &str) -> Option<Author> {
    let ws = words(line);
    let (office, name_words): (String, Vec<(String, bool)>) = match ws.first() {
        Some((first, false)) if is_office(first) => (first.clone(), ws[1..].to_vec()),
        Some((first, _)) => {
            // No gap after the office: 「市民部長玉井理加」 or letter-spaced throughout.
            let (office, name) = split_office(first)?;
            let mut rest = vec![(name.to_string(), ws[0].1)];
            rest.extend(ws[1..].iter().cloned());
            (office.to_string(), rest)
        }
        None => return None,
    };
    let name_words: Vec<(String, bool)> = name_words
        .into_iter()
        .filter(|(w, _)| !w.is_empty())
        .collect();
    if name_words.is_empty() || !name_words.iter().all(|(w, _)| is_name_word(w)) {
        return None;
    }
    let total: usize = name_words.iter().map(|(w, _)| w.chars().count()).sum();
    if total > 10 {
        return None;
    }
    Some(name_from(office, &name_words))
}

/// A line that is only an office (its name on the next line, as pdftotext gives
/// a letter-spaced name): 「企画部長」.
pub fn is_office_line(line: &str) -> bool {
    let ws = words(line);
    ws.len() == 1 && is_office(&ws[0].0)
}

/// A line that is only a name (after an office line).
pub fn read_name_line(office: &str, line: &str) -> Option<Author> {
    let ws = words(line);
    if ws.is_empty() || !ws.iter().all(|(w, _)| is_name_word(w)) {
        return None;
    }
    let total: usize = ws.iter().map(|(w, _)| w.chars().count()).sum();
    (total <= 10).then(|| name_from(office.to_string(), &ws))
}

fn name_from(office: String, words: &[(String, bool)]) -> Author {
    let spaced = words.iter().any(|(_, s)| *s);
    if words.len() >= 2 {
        // 「伊藤 寿一」: the gap is the writer's own.
        let name = words
            .iter()
            .map(|(w, _)| w.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return Author {
            office,
            name,
            doubt: None,
        };
    }
    let whole = &words[0].0;
    let how = if spaced {
        "the name was written letter-spaced; "
    } else {
        "the name has no gap; "
    };
    let (name, doubt) = match split_family_name(whole) {
        Some((family, given, true)) => (
            format!("{family} {given}"),
            format!("{how}read 「{whole}」 as family name {family}, given name {given}: check the author"),
        ),
        Some((family, given, false)) => (
            format!("{family} {given}"),
            format!("{how}split 「{whole}」 two and two, as {family} {given}: check the author"),
        ),
        None => (
            whole.clone(),
            format!("{how}could not tell family name from given name in 「{whole}」: check the author"),
        ),
    };
    Author {
        office,
        name,
        doubt: Some(doubt),
    }
}

/// Family and given name of a name written without a gap, and whether the
/// family name is a known one (else four letters are split two and two).
pub fn split_family_name(name: &str) -> Option<(String, String, bool)> {
    let count = name.chars().count();
    let known = |min: usize, max_count: usize| {
        FAMILY_NAMES
            .iter()
            .filter(|f| f.chars().count() >= min)
            .find_map(|family| {
                let given = name.strip_prefix(family)?;
                (!given.is_empty() && count <= max_count)
                    .then(|| (family.to_string(), given.to_string(), true))
            })
    };
    // Two- and three-letter family names first; a one-letter one (林, 森) only
    // for a short name, so that 森本太郎 is not read as 森 本太郎.
    if let Some(split) = known(2, 7) {
        return Some(split);
    }
    if count == 4 {
        let cut = name.char_indices().nth(2).map(|(i, _)| i)?;
        return Some((name[..cut].to_string(), name[cut..].to_string(), false));
    }
    known(1, 3)
}

fn is_office(word: &str) -> bool {
    word.chars().count() >= 2
        && (word.ends_with('長') || word.ends_with("理事") || word.ends_with("参事"))
        && word.chars().all(is_wide)
}

/// Splits 「市民部長玉井理加」 after the office.
fn split_office(word: &str) -> Option<(&str, &str)> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if c == '長' && k > 0 && OFFICE_BEFORE_CHO.contains(&chars[k - 1].1) {
            let end = i + c.len_utf8();
            if end < word.len() {
                return Some((&word[..end], &word[end..]));
            }
        }
    }
    None
}

fn is_name_word(w: &str) -> bool {
    !w.is_empty()
        && w.chars().all(|c| {
            let u = c as u32;
            (0x4E00..=0x9FFF).contains(&u)
                || (0x3400..=0x4DBF).contains(&u)
                || (0x3040..=0x30FF).contains(&u)
                || c == '々'
                || c == 'ヶ'
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_spaced_name_is_joined_and_split_at_the_family_name() {
        let a = read_author(" 総務部長  伊 藤 寿 一    ").unwrap();
        assert_eq!(a.line(), "総務部長 伊藤 寿一");
        assert!(
            a.doubt.as_deref().unwrap().contains("letter-spaced"),
            "{a:?}"
        );
        assert_eq!(a.department().as_deref(), Some("総務部"));
    }

    #[test]
    fn a_name_with_its_own_gap_is_kept() {
        let a = read_author("企画部長　山田　花子").unwrap();
        assert_eq!(
            (a.line(), a.doubt),
            ("企画部長 山田 花子".to_string(), None)
        );
        let a = read_author("市民部長 玉井 理加").unwrap();
        assert_eq!(a.line(), "市民部長 玉井 理加");
    }

    #[test]
    fn an_office_run_into_the_name() {
        let a = read_author("市民部長玉井理加").unwrap();
        assert_eq!(a.line(), "市民部長 玉井 理加");
        let a = read_author("総 務 部 長 伊 藤 寿 一").unwrap();
        assert_eq!(a.office, "総務部長");
        assert_eq!(a.name, "伊藤 寿一");
    }

    #[test]
    fn unknown_family_names() {
        let a = read_author("福祉部長 鬼頭 一郎").unwrap();
        assert_eq!(a.name, "鬼頭 一郎");
        let a = read_author("福祉部長 鬼頭一郎").unwrap();
        assert_eq!(a.name, "鬼頭 一郎");
        assert!(a.doubt.unwrap().contains("two and two"));
        let a = read_author("福祉部長 鬼頭誠").unwrap();
        assert_eq!(a.name, "鬼頭誠");
        assert!(a.doubt.unwrap().contains("could not tell"));
    }

    #[test]
    fn lines_that_are_not_author_lines() {
        for line in [
            "令和５年度総務部の運営方針について",
            "総務部管理職各位",
            "各課長は，次のとおり取り組むこと。",
            "部長",
            "",
        ] {
            assert_eq!(read_author(line), None, "{line}");
        }
    }

    #[test]
    fn office_and_name_on_two_lines() {
        assert!(is_office_line("企画部長"));
        assert!(!is_office_line("企画部の方針"));
        let a = read_name_line("企画部長", "山 田 花 子").unwrap();
        assert_eq!(a.line(), "企画部長 山田 花子");
    }

    #[test]
    fn departments_of_offices() {
        assert_eq!(
            department_of_office("市民生活部長").as_deref(),
            Some("市民生活部")
        );
        assert_eq!(department_of_office("教育長"), None);
        assert_eq!(
            department_of_office("危機管理室長").as_deref(),
            Some("危機管理室")
        );
    }
}
