//! Word's automatic numbering (`word/numbering.xml`): the markers Word shows
//! but does not store in the text. A paragraph names a list (`w:numId`) and a
//! level (`w:ilvl`); the list points to an abstract definition whose level
//! gives a start value, a format (`w:numFmt`: decimal, decimalFullWidth,
//! decimalEnclosedCircle, aiueoFullWidth, iroha, …) and a text such as
//! `%1．` or `（%2）`. Counters are kept per list and level; a higher level
//! restarts the ones below it, and a list's `w:lvlOverride/w:startOverride`
//! restarts it at a given value.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::marker::{circled, AIUEO, IROHA};

/// One level of a list definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// First value.
    pub start: u32,
    /// `w:numFmt`.
    pub format: String,
    /// `w:lvlText`, e.g. `（%2）`.
    pub text: String,
    /// `w:lvlRestart`: restart after this (1-based) level; 0 never; None: after any higher level.
    pub restart: Option<u32>,
    /// `w:suff`: tab (default), space or nothing.
    pub suffix: String,
    /// `w:isLgl`: every number in the text as a decimal.
    pub legal: bool,
    /// `w:pStyle`: a paragraph style that this level belongs to.
    pub style: Option<String>,
}

impl Default for Level {
    fn default() -> Self {
        Level {
            start: 1,
            format: "decimal".into(),
            text: String::new(),
            restart: None,
            suffix: "tab".into(),
            legal: false,
            style: None,
        }
    }
}

/// `word/numbering.xml`, read.
#[derive(Debug, Default, Clone)]
pub struct Numbering {
    abstracts: HashMap<String, HashMap<u32, Level>>,
    /// numId → its definition and overrides.
    lists: HashMap<String, List>,
    /// Counters per abstract definition and level: Word continues a list's
    /// numbering in every list that shares its definition.
    counters: HashMap<String, HashMap<u32, u32>>,
    /// (numId, level) pairs already counted: a start override applies once.
    used: std::collections::HashSet<(String, u32)>,
}

#[derive(Debug, Default, Clone)]
struct List {
    abstract_id: String,
    levels: HashMap<u32, Level>,
    start_overrides: HashMap<u32, u32>,
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        let local = key.rsplit(|&b| b == b':').next().unwrap_or(key);
        (local == name).then(|| match a.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        })
    })
}

fn local(name: &[u8]) -> &[u8] {
    name.rsplit(|&b| b == b':').next().unwrap_or(name)
}

impl Numbering {
    /// Reads `numbering.xml`.
    pub fn parse(xml: &str) -> Result<Numbering, String> {
        let mut reader = Reader::from_str(xml);
        let mut n = Numbering::default();
        // Where we are: an abstractNum (its id) or a num (its id), and a level.
        let mut abstract_id: Option<String> = None;
        let mut num_id: Option<String> = None;
        let mut level: Option<(u32, Level)> = None;
        let mut override_level: Option<u32> = None;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| format!("word/numbering.xml is not valid XML ({e})"))?;
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let val = attr(&e, b"val");
                    match local(e.name().as_ref()) {
                        b"abstractNum" => abstract_id = attr(&e, b"abstractNumId"),
                        b"num" => {
                            num_id = attr(&e, b"numId");
                            if let Some(id) = &num_id {
                                n.lists.entry(id.clone()).or_default();
                            }
                        }
                        b"abstractNumId" => {
                            if let (Some(id), Some(v)) = (&num_id, val) {
                                n.lists.entry(id.clone()).or_default().abstract_id = v;
                            }
                        }
                        b"lvlOverride" => {
                            override_level = attr(&e, b"ilvl").and_then(|v| v.parse().ok())
                        }
                        b"startOverride" => {
                            if let (Some(id), Some(l), Some(v)) =
                                (&num_id, override_level, val.and_then(|v| v.parse().ok()))
                            {
                                n.lists
                                    .entry(id.clone())
                                    .or_default()
                                    .start_overrides
                                    .insert(l, v);
                            }
                        }
                        b"lvl" => {
                            let ilvl = attr(&e, b"ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                            level = Some((ilvl, Level::default()));
                        }
                        b"start" => set(&mut level, |l| {
                            l.start = val.and_then(|v| v.parse().ok()).unwrap_or(1)
                        }),
                        b"numFmt" => set(&mut level, |l| l.format = val.unwrap_or_default()),
                        b"lvlText" => set(&mut level, |l| l.text = val.unwrap_or_default()),
                        b"lvlRestart" => {
                            set(&mut level, |l| l.restart = val.and_then(|v| v.parse().ok()))
                        }
                        b"suff" => set(&mut level, |l| l.suffix = val.unwrap_or_default()),
                        b"isLgl" => set(&mut level, |l| {
                            l.legal = val.as_deref() != Some("0") && val.as_deref() != Some("false")
                        }),
                        b"pStyle" => set(&mut level, |l| l.style = val),
                        _ => {}
                    }
                }
                Event::End(e) => match local(e.name().as_ref()) {
                    b"lvl" => {
                        if let Some((ilvl, l)) = level.take() {
                            match (&num_id, &abstract_id) {
                                // A level inside a num's lvlOverride replaces the abstract one.
                                (Some(id), _) if override_level.is_some() => {
                                    n.lists
                                        .entry(id.clone())
                                        .or_default()
                                        .levels
                                        .insert(ilvl, l);
                                }
                                (_, Some(a)) => {
                                    n.abstracts.entry(a.clone()).or_default().insert(ilvl, l);
                                }
                                _ => {}
                            }
                        }
                    }
                    b"abstractNum" => abstract_id = None,
                    b"num" => num_id = None,
                    b"lvlOverride" => override_level = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(n)
    }

    fn level(&self, num_id: &str, ilvl: u32) -> Option<&Level> {
        let list = self.lists.get(num_id)?;
        list.levels
            .get(&ilvl)
            .or_else(|| self.abstracts.get(&list.abstract_id)?.get(&ilvl))
    }

    /// The list level a paragraph style is bound to (`w:pStyle` in a level).
    pub fn level_of_style(&self, style: &str) -> Option<(String, u32)> {
        let mut found: Vec<(String, u32)> = self
            .lists
            .iter()
            .filter_map(|(id, list)| {
                let levels = self.abstracts.get(&list.abstract_id)?;
                levels
                    .iter()
                    .find(|(_, l)| l.style.as_deref() == Some(style))
                    .map(|(ilvl, _)| (id.clone(), *ilvl))
            })
            .collect();
        found.sort();
        found.into_iter().next()
    }

    /// Counts a paragraph of list `num_id` at level `ilvl` and returns its
    /// marker as Word shows it (with the space Word's suffix gives), or None
    /// when the list or level is not defined or shows nothing.
    pub fn next(&mut self, num_id: &str, ilvl: u32) -> Option<String> {
        if num_id == "0" {
            return None; // numId 0 switches numbering off.
        }
        let level = self.level(num_id, ilvl)?.clone();
        let list = self.lists.get(num_id)?.clone();
        let key = list.abstract_id.clone();
        let first_use = self.used.insert((num_id.to_string(), ilvl));
        let counters = self.counters.entry(key.clone()).or_default();
        // A list's start override restarts the level the first time the list uses it.
        let value = match (list.start_overrides.get(&ilvl), counters.get(&ilvl)) {
            (Some(&start), _) if first_use => start,
            (_, Some(v)) => v + 1,
            (None, None) => level.start,
            (Some(&start), None) => start,
        };
        counters.insert(ilvl, value);
        // Deeper levels restart after this one, unless they say otherwise.
        let deeper: Vec<u32> = counters.keys().copied().filter(|&k| k > ilvl).collect();
        for k in deeper {
            let restart = self.level(num_id, k).and_then(|l| l.restart);
            let restarts = match restart {
                None => true,
                Some(0) => false,
                Some(r) => ilvl < r,
            };
            if restarts {
                if let Some(c) = self.counters.get_mut(&key) {
                    c.remove(&k);
                }
            }
        }
        let counters = self.counters.get(&key)?;
        let mut text = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                if let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    chars.next();
                    let l = d.saturating_sub(1);
                    let lvl = self.level(num_id, l).cloned().unwrap_or_default();
                    let v = counters.get(&l).copied().unwrap_or(lvl.start);
                    let format = if level.legal && l != ilvl {
                        "decimal"
                    } else {
                        lvl.format.as_str()
                    };
                    text.push_str(&format_number(v, format));
                    continue;
                }
            }
            text.push(c);
        }
        if text.trim().is_empty() || level.format == "bullet" || level.format == "none" {
            // A bullet is not a directive marker: keep the bullet as text.
            return (level.format == "bullet" && !text.trim().is_empty()).then_some(text);
        }
        match level.suffix.as_str() {
            "nothing" => {}
            _ => text.push(' '),
        }
        Some(text)
    }
}

fn set(level: &mut Option<(u32, Level)>, f: impl FnOnce(&mut Level)) {
    if let Some((_, l)) = level {
        f(l);
    }
}

/// A number in one of Word's formats.
pub fn format_number(n: u32, format: &str) -> String {
    let full = |s: String| -> String {
        s.chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect()
    };
    let nth = |order: &str, half: bool| -> String {
        let letter = order
            .chars()
            .nth((n.max(1) as usize - 1) % order.chars().count());
        match (letter, half) {
            (Some(l), false) => l.to_string(),
            (Some(l), true) => half_width_katakana(l),
            (None, _) => n.to_string(),
        }
    };
    match format {
        "decimalFullWidth" | "decimalFullWidth2" => full(n.to_string()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => circled(n)
            .map(String::from)
            .unwrap_or_else(|| format!("({n})")),
        "decimalEnclosedParen" => match n {
            1..=20 => char::from_u32(0x2474 + n - 1)
                .map(String::from)
                .unwrap_or_default(),
            _ => format!("({n})"),
        },
        "decimalEnclosedFullstop" => match n {
            1..=20 => char::from_u32(0x2488 + n - 1)
                .map(String::from)
                .unwrap_or_default(),
            _ => format!("{n}."),
        },
        "aiueoFullWidth" => nth(AIUEO, false),
        "aiueo" => nth(AIUEO, true),
        "irohaFullWidth" => nth(IROHA, false),
        "iroha" => nth(IROHA, true),
        "lowerLetter" => letters(n, 'a'),
        "upperLetter" => letters(n, 'A'),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "japaneseCounting"
        | "japaneseLegal"
        | "japaneseDigitalTenThousand"
        | "ideographTraditional" => kanji(n),
        _ => n.to_string(),
    }
}

fn half_width_katakana(c: char) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ";
    FULL.chars()
        .position(|f| f == c)
        .and_then(|i| HALF.chars().nth(i))
        .unwrap_or(c)
        .to_string()
}

fn letters(n: u32, base: char) -> String {
    // Word repeats the letter past z: aa, bb, …
    let n = n.max(1) - 1;
    let c = char::from_u32(base as u32 + n % 26).unwrap_or(base);
    std::iter::repeat_n(c, n as usize / 26 + 1).collect()
}

fn roman(mut n: u32) -> String {
    const TABLE: &[(u32, &str)] = &[
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for &(v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

fn kanji(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return DIGITS[0].into();
    }
    let mut s = String::new();
    let (thousands, hundreds, tens, ones) = (n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10);
    for (d, unit) in [(thousands, "千"), (hundreds, "百"), (tens, "十")] {
        if d > 0 {
            if d > 1 {
                s.push_str(DIGITS[d as usize]);
            }
            s.push_str(unit);
        }
    }
    if ones > 0 {
        s.push_str(DIGITS[ones as usize]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:abstractNum w:abstractNumId="0">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="%1．"/><w:suff w:val="nothing"/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%3"/><w:suff w:val="space"/></w:lvl>
    <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="aiueoFullWidth"/><w:lvlText w:val="%4"/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="1">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="irohaFullWidth"/><w:lvlText w:val="（%1）"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="0"/>
    <w:lvlOverride w:ilvl="2"><w:startOverride w:val="1"/></w:lvlOverride>
  </w:num>
  <w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>
  <w:num w:numId="4"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"#;

    #[test]
    fn levels_count_and_restart_below_a_higher_level() {
        let mut n = Numbering::parse(XML).unwrap();
        let seq: Vec<String> = [
            (0, "1"),
            (1, "1"),
            (2, "1"),
            (2, "1"),
            (3, "1"),
            (3, "1"),
            (1, "1"),
            (2, "1"),
            (0, "1"),
            (1, "1"),
        ]
        .iter()
        .map(|&(l, id)| n.next(id, l).unwrap())
        .collect();
        assert_eq!(
            seq,
            vec![
                "１．",
                "（１）",
                "① ",
                "② ",
                "ア ",
                "イ ",
                "（２）",
                "① ",
                "２．",
                "（１）"
            ]
        );
    }

    #[test]
    fn a_start_override_restarts_a_list_that_shares_its_definition() {
        let mut n = Numbering::parse(XML).unwrap();
        assert_eq!(n.next("1", 2).unwrap(), "① ");
        assert_eq!(n.next("1", 2).unwrap(), "② ");
        assert_eq!(
            n.next("2", 2).unwrap(),
            "① ",
            "list 2 restarts at its override"
        );
        assert_eq!(n.next("2", 2).unwrap(), "② ");
        assert_eq!(n.next("1", 2).unwrap(), "③ ", "list 1 goes on");
        assert_eq!(n.next("3", 0).unwrap(), "（イ） ");
        assert_eq!(n.next("3", 0).unwrap(), "（ロ） ");
        assert_eq!(n.next("0", 0), None);
        assert_eq!(n.next("9", 0), None);
    }

    #[test]
    fn word_number_formats() {
        assert_eq!(format_number(3, "decimal"), "3");
        assert_eq!(format_number(12, "decimalFullWidth"), "１２");
        assert_eq!(format_number(21, "decimalEnclosedCircle"), "㉑");
        assert_eq!(format_number(2, "decimalEnclosedParen"), "⑵");
        assert_eq!(format_number(2, "aiueoFullWidth"), "イ");
        assert_eq!(format_number(2, "aiueo"), "ｲ");
        assert_eq!(format_number(3, "irohaFullWidth"), "ハ");
        assert_eq!(format_number(2, "iroha"), "ﾛ");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(24, "japaneseCounting"), "二十四");
    }
}
