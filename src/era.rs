//! Japanese fiscal years (年度) and dates in Western and era (和暦) forms.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// A Japanese era, with the Western year before its first year.
const ERAS: &[(&str, &str, i32)] = &[
    ("令和", "R", 2018),
    ("平成", "H", 1988),
    ("昭和", "S", 1925),
];

/// The last year number of each era that has ended (平成31年 is 2019, when
/// 令和 began; 昭和64年 is 1989).
fn last_year(era: &str) -> Option<i32> {
    match era {
        "平成" => Some(31),
        "昭和" => Some(64),
        _ => None,
    }
}

/// For a year written in an era past that era's end (平成32年度, 昭和99年度),
/// the era it was written in and the year in the current era's form
/// (「令和2年度」); None for every other input.
pub fn past_era_end(input: &str) -> Option<(&'static str, String)> {
    let s: String = input.nfkc().filter(|c| !c.is_whitespace()).collect();
    let s = s
        .strip_suffix("年度")
        .or_else(|| s.strip_suffix('年'))
        .unwrap_or(&s);
    let (base, rest) = split_era(s)?;
    let &(era, _, _) = ERAS.iter().find(|e| e.2 == base)?;
    let n: i32 = rest.parse().ok()?;
    (n > last_year(era)? && n <= 99).then(|| (era, era_fiscal_year(base + n)))
}

/// The era name and year number for a Western year, e.g. 2023 → ("令和", 5).
pub fn era_of(year: i32) -> (&'static str, i32) {
    for &(name, _, base) in ERAS {
        if year > base {
            return (name, year - base);
        }
    }
    ("", year)
}

/// "令和5年度" for 2023, "令和元年度" for 2019.
pub fn era_fiscal_year(year: i32) -> String {
    let (era, n) = era_of(year);
    if era.is_empty() {
        return format!("{year}年度");
    }
    if n == 1 {
        format!("{era}元年度")
    } else {
        format!("{era}{n}年度")
    }
}

/// "令和5年度（2023年度）": how a year is shown to readers.
pub fn display_fiscal_year(year: i32) -> String {
    format!("{}（{year}年度）", era_fiscal_year(year))
}

/// Parses a fiscal year in any accepted form: `2023`, `"2023年度"`,
/// `"令和5年度"`, `"令和５年度"`, `"R5"`, `"令和元年度"`, `"H30"`.
pub fn parse_year(input: &str) -> Option<i32> {
    let s: String = input.nfkc().filter(|c| !c.is_whitespace()).collect();
    let s = s
        .strip_suffix("年度")
        .or_else(|| s.strip_suffix('年'))
        .unwrap_or(&s);
    if let Ok(y) = s.parse::<i32>() {
        return (1000..=9999).contains(&y).then_some(y);
    }
    let (base, rest) = split_era(s)?;
    let n = if rest == "元" {
        1
    } else {
        rest.parse::<i32>().ok()?
    };
    (1..=99).contains(&n).then_some(base + n)
}

fn split_era(s: &str) -> Option<(i32, &str)> {
    for &(name, letter, base) in ERAS {
        if let Some(rest) = s.strip_prefix(name) {
            return Some((base, rest));
        }
        if let Some(rest) = s
            .strip_prefix(letter)
            .or_else(|| s.strip_prefix(&letter.to_ascii_lowercase()))
        {
            return Some((base, rest));
        }
    }
    None
}

/// A calendar date (issue date of a policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date {
    /// Western year.
    pub year: i32,
    /// 1–12.
    pub month: u32,
    /// 1–31, valid for the month.
    pub day: u32,
}

impl Date {
    /// ISO form, `2023-04-01`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Era form, `令和5年4月1日`.
    pub fn japanese(&self) -> String {
        let (era, n) = era_of(self.year);
        let y = if n == 1 {
            "元".to_string()
        } else {
            n.to_string()
        };
        format!("{era}{y}年{}月{}日", self.month, self.day)
    }
}

/// Parses `2023-04-01`, `2023/4/1`, `令和5年4月1日`, `令和５年４月１日`, `2023年4月1日`.
pub fn parse_date(input: &str) -> Option<Date> {
    let s: String = input.nfkc().filter(|c| !c.is_whitespace()).collect();
    let (year, month, day) = if let Some(body) = s.strip_suffix('日') {
        let (y, rest) = body.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        let year = match y.parse::<i32>() {
            Ok(y) => y,
            Err(_) => {
                let (base, rest) = split_era(y)?;
                let n = if rest == "元" {
                    1
                } else {
                    rest.parse::<i32>().ok()?
                };
                base + n
            }
        };
        (year, m.parse().ok()?, d.parse().ok()?)
    } else {
        let mut parts = s.split(['-', '/', '.']);
        let y = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok()?;
        let d = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    let date = Date { year, month, day };
    ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(date)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_year_form() {
        for form in [
            "2023",
            "2023年度",
            "令和5年度",
            "令和５年度",
            "R5",
            "r5",
            "Ｒ５",
            "令和5",
        ] {
            assert_eq!(parse_year(form), Some(2023), "{form}");
        }
        assert_eq!(parse_year("令和元年度"), Some(2019));
        assert_eq!(parse_year("平成30年度"), Some(2018));
        assert_eq!(parse_year("H31"), Some(2019));
        assert_eq!(parse_year("昭和60年度"), Some(1985));
        assert_eq!(parse_year("来年"), None);
        assert_eq!(parse_year("令和0年度"), None);
        assert_eq!(parse_year("20"), None);
    }

    #[test]
    fn years_past_their_era_are_recognised() {
        assert_eq!(parse_year("平成32年度"), Some(2020));
        assert_eq!(
            past_era_end("平成32年度"),
            Some(("平成", "令和2年度".to_string()))
        );
        assert_eq!(
            past_era_end("昭和99年度"),
            Some(("昭和", "令和6年度".to_string()))
        );
        assert_eq!(past_era_end("Ｈ４５"), Some(("平成", "令和15年度".into())));
        assert_eq!(past_era_end("平成31年度"), None);
        assert_eq!(past_era_end("昭和64年"), None);
        assert_eq!(past_era_end("令和99年度"), None);
        assert_eq!(past_era_end("2020"), None);
    }

    #[test]
    fn shows_years_in_era_and_western_form() {
        assert_eq!(display_fiscal_year(2023), "令和5年度（2023年度）");
        assert_eq!(era_fiscal_year(2019), "令和元年度");
        assert_eq!(era_fiscal_year(2018), "平成30年度");
    }

    #[test]
    fn parses_dates() {
        let d = Date {
            year: 2023,
            month: 4,
            day: 1,
        };
        for form in [
            "2023-04-01",
            "2023/4/1",
            "令和5年4月1日",
            "令和５年４月１日",
            "2023年4月1日",
        ] {
            assert_eq!(parse_date(form), Some(d), "{form}");
        }
        assert_eq!(parse_date("令和元年5月1日").unwrap().iso(), "2019-05-01");
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(
            parse_date("2024-02-29").unwrap().japanese(),
            "令和6年2月29日"
        );
        assert_eq!(parse_date("April 1"), None);
    }
}
