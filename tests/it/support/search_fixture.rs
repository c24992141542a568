//! Search records for tests: the two seed policies parsed into directives,
//! and a synthetic site of any size shaped like real policies.
//!
//! Shared by the unit tests of `src/search` and the browser tests: the
//! including module must have `SearchRecord` in scope as `super::SearchRecord`.

use super::SearchRecord;
use std::borrow::Cow;

/// A record field that owns its text (the fixtures' records outlive what
/// they are made from).
pub fn own(s: impl Into<String>) -> Cow<'static, str> {
    Cow::Owned(s.into())
}

/// The seeds, as received (see shared/seeds/README.md).
pub const SEEDS: [(&str, i32, &str, &str, &str); 2] = [
    (
        "2023/somu",
        2023,
        "総務部",
        "令和５年度総務部の運営方針について",
        include_str!("../../search_fixture/2023-somu.txt"),
    ),
    (
        "2026/shimin",
        2026,
        "市民部",
        "令和8年度市民部の運営方針",
        include_str!("../../search_fixture/2026-shimin.txt"),
    ),
];

/// 「令和5年度」 for 2023 (fiscal years from 2019 are 令和).
pub fn era(year: i32) -> String {
    match year {
        2019 => "令和元年度".to_string(),
        y if y > 2019 => format!("令和{}年度", y - 2018),
        1989 => "平成元年度".to_string(),
        y => format!("平成{}年度", y - 1988),
    }
}

fn digits(s: &str) -> (u32, usize) {
    let mut n = 0;
    let mut len = 0;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        n = n * 10 + d;
        len += c.len_utf8();
    }
    (n, len)
}

/// Kind (0 = `N.`, 1 = `(N)`, 2 = circled), number and the rest of a line
/// that begins with a marker.
fn marker(line: &str) -> Option<(usize, u32, &str)> {
    fn rest(s: &str) -> &str {
        s.trim_start_matches([' ', '\u{3000}'])
    }
    let (n, len) = digits(line);
    if len > 0 {
        let after = &line[len..];
        return ['.', '．']
            .iter()
            .find_map(|&p| after.strip_prefix(p))
            .map(|r| (0, n, rest(r)));
    }
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(after) = line.strip_prefix(open) {
            let (n, len) = digits(after);
            if let Some(r) = after[len..].strip_prefix(close).filter(|_| len > 0) {
                return Some((1, n, rest(r)));
            }
        }
    }
    let c = line.chars().next()?;
    if ('①'..='⑳').contains(&c) {
        return Some((2, c as u32 - '①' as u32 + 1, rest(&line[c.len_utf8()..])));
    }
    None
}

/// Splits one seed into a preamble record and one record per directive,
/// the way the build does: continuation lines join with `\n`.
pub fn parse_seed(
    doc: &str,
    year: i32,
    department: &str,
    title: &str,
    text: &str,
) -> Vec<SearchRecord<'static>> {
    let mut out = vec![SearchRecord {
        page: own(format!("{doc}.html")),
        doc: own(doc),
        id: None,
        citation: own(String::new()),
        label_head: own(title),
        title: own(title),
        heading_path: own(String::new()),
        text: own(String::new()),
        year,
        department: own(department),
    }];
    let mut path: Vec<(u32, String)> = Vec::new(); // (number, "1. text") per level
    for raw in text.lines() {
        let line = raw.trim_matches([' ', '\u{3000}', '#']);
        if line.is_empty() {
            continue;
        }
        let Some((kind, n, rest)) = marker(line) else {
            let last = out.last_mut().unwrap();
            if !last.text.is_empty() {
                last.text.to_mut().push('\n');
            }
            last.text.to_mut().push_str(line);
            continue;
        };
        path.truncate(kind);
        while path.len() < kind {
            path.push((0, String::new()));
        }
        let mark = match kind {
            0 => format!("{n}."),
            1 => format!("({n})"),
            _ => char::from_u32('①' as u32 + n - 1).unwrap().to_string(),
        };
        let heading_path = path
            .iter()
            .map(|(_, h)| h.as_str())
            .collect::<Vec<_>>()
            .join(" › ");
        let codes = ["n", "p", "c"];
        let mut id: Vec<String> = path
            .iter()
            .enumerate()
            .map(|(k, (m, _))| format!("{}{m}", codes[k]))
            .collect();
        id.push(format!("{}{n}", codes[kind]));
        let citation: String = path
            .iter()
            .enumerate()
            .map(|(k, (m, _))| {
                if k == 0 {
                    format!("{m}.")
                } else {
                    format!("({m})")
                }
            })
            .chain([mark.clone()])
            .collect();
        let id = id.join("-");
        out.push(SearchRecord {
            page: own(format!("{doc}.html")),
            doc: own(doc),
            id: Some(own(id)),
            label_head: own(format!("{department}（{}）", era(year))),
            citation: own(citation),
            title: own(title),
            heading_path: own(heading_path),
            text: own(rest.to_string()),
            year,
            department: own(department),
        });
        path.push((n, format!("{mark} {rest}")));
    }
    out
}

/// The seeds as records.
pub fn seed_records() -> Vec<SearchRecord<'static>> {
    SEEDS
        .iter()
        .flat_map(|&(doc, year, dept, title, text)| parse_seed(doc, year, dept, title, text))
        .collect()
}

/// xorshift64: reproducible without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
    /// Zipf-like rank in `0..n`: rank r has weight ∝ 1/(r+1).
    pub fn zipf(&mut self, n: usize) -> usize {
        let u = (self.below(1 << 30) as f64 + 0.5) / f64::from(1u32 << 30);
        (((n as f64 + 1.0).powf(u)) as usize)
            .saturating_sub(1)
            .min(n - 1)
    }
}

pub const DEPARTMENTS: [&str; 30] = [
    "総務部",
    "企画部",
    "財務部",
    "市民部",
    "福祉部",
    "子ども家庭部",
    "健康部",
    "環境部",
    "都市計画部",
    "建設部",
    "教育部",
    "生涯学習部",
    "消防本部",
    "会計課",
    "議会事務局",
    "選挙管理委員会事務局",
    "監査委員事務局",
    "上下水道部",
    "経済部",
    "観光部",
    "危機管理室",
    "情報政策部",
    "人事部",
    "政策部",
    "文化部",
    "スポーツ振興部",
    "農業委員会事務局",
    "保険年金部",
    "税務部",
    "住宅部",
];

const TEMPLATES: [&str; 8] = [
    "{}の{}に向け、{}を{}すること。",
    "{}については、{}及び{}を踏まえ、{}に努めること。",
    "{}と{}の連携を図り、{}の{}を推進すること。",
    "{}における{}を徹底し、{}の{}を行うこと。",
    "また、{}の{}を意識しながら、{}に取り組むこと。",
    "{}の視点から{}を見直し、{}の{}を図ること。",
    "{}を契機に、{}の{}を一層推進するため、{}を確実に実施すること。",
    "{}に関しては、{}を精査し、{}による{}を目指すこと。",
];

/// The vocabulary of the synthetic site, most frequent first: the kanji
/// and katakana words of the seeds spread over the first ranks, then
/// compounds of their kanji.
pub fn vocabulary() -> Vec<String> {
    let mut seed_words: Vec<String> = Vec::new();
    let mut kanji: Vec<char> = Vec::new();
    for (_, _, _, _, text) in SEEDS {
        let mut word = String::new();
        for c in text.chars().chain([' ']) {
            let is_kanji = ('\u{4e00}'..='\u{9fff}').contains(&c);
            let is_kata = ('\u{30a1}'..='\u{30fc}').contains(&c);
            if is_kanji && !kanji.contains(&c) {
                kanji.push(c);
            }
            if is_kanji || is_kata {
                word.push(c);
            } else {
                if word.chars().count() >= 2 && !seed_words.contains(&word) {
                    seed_words.push(word.clone());
                }
                word.clear();
            }
        }
    }
    let mut rng = Rng::new(7);
    let mut words: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<String> = seed_words.iter().cloned().collect();
    let suffixes = [
        "", "", "", "化", "性", "的", "者", "率", "費", "制度", "計画", "事業", "体制",
    ];
    while words.len() < 20_000 {
        let mut w: String = (0..2).map(|_| kanji[rng.below(kanji.len())]).collect();
        w.push_str(suffixes[rng.below(suffixes.len())]);
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    // Seed words take every fourth of the first ranks.
    for (k, w) in seed_words.into_iter().enumerate() {
        let at = (k * 4 + 3).min(words.len());
        words.insert(at, w);
    }
    words
}

fn fill(rng: &mut Rng, vocab: &[String], template: &str) -> String {
    let mut out = String::new();
    for (k, piece) in template.split("{}").enumerate() {
        if k > 0 {
            out.push_str(&vocab[rng.zipf(vocab.len())]);
        }
        out.push_str(piece);
    }
    out
}

/// A synthetic site: `docs` documents of 60 directives (1. → (1) → ①) and a
/// preamble each, over 17 years and 30 departments, with PDF-style soft
/// line breaks in a quarter of the texts. Texts average about 75 characters,
/// as the seeds do.
pub fn synthetic_site(docs: usize) -> Vec<SearchRecord<'static>> {
    let vocab = vocabulary();
    let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
    let mut out = Vec::with_capacity(docs * 61);
    for d in 0..docs {
        let year = 2010 + (d % 17) as i32;
        let department = DEPARTMENTS[d / 17 % DEPARTMENTS.len()];
        let doc = format!("{year}/d{d}");
        let title = format!("{}{}の運営方針", era(year), department);
        let era_label = era(year);
        let text = |rng: &mut Rng, sentences: usize| {
            let mut t = String::new();
            for _ in 0..sentences {
                let template = TEMPLATES[rng.below(TEMPLATES.len())];
                t.push_str(&fill(rng, &vocab, template));
            }
            if rng.below(4) == 0 {
                // A PDF line break somewhere in the middle.
                let chars: Vec<char> = t.chars().collect();
                let at = chars.len() / 2;
                t = chars[..at]
                    .iter()
                    .chain(['\n'].iter())
                    .chain(&chars[at..])
                    .collect();
            }
            t
        };
        out.push(SearchRecord {
            page: own(format!("{doc}.html")),
            doc: own(doc.clone()),
            id: None,
            citation: own(String::new()),
            label_head: own(title.clone()),
            title: own(title.clone()),
            heading_path: own(String::new()),
            text: own(text(&mut rng, 3)),
            year,
            department: own(department),
        });
        let mut count = 0;
        'top: for n in 1..=5 {
            let h1 = format!(
                "{}の{}について",
                vocab[rng.zipf(vocab.len())],
                vocab[rng.zipf(vocab.len())]
            );
            let mut items = vec![(format!("n{n}"), format!("{n}."), String::new(), h1.clone())];
            for p in 1..=3 {
                let h2 = format!("{}に向けた取組", vocab[rng.zipf(vocab.len())]);
                let path1 = format!("{n}. {h1}");
                items.push((
                    format!("n{n}-p{p}"),
                    format!("{n}.({p})"),
                    path1.clone(),
                    h2.clone(),
                ));
                for c in 1..=3 {
                    let circled = char::from_u32('①' as u32 + c - 1).unwrap();
                    let sentences = 2 + rng.below(3);
                    items.push((
                        format!("n{n}-p{p}-c{c}"),
                        format!("{n}.({p}){circled}"),
                        format!("{path1} › ({p}) {h2}"),
                        text(&mut rng, sentences),
                    ));
                }
            }
            for (id, citation, heading_path, body) in items {
                if count == 60 {
                    break 'top;
                }
                count += 1;
                out.push(SearchRecord {
                    page: own(format!("{doc}.html")),
                    doc: own(doc.clone()),
                    id: Some(own(id)),
                    label_head: own(format!("{department}（{era_label}）")),
                    citation: own(citation),
                    title: own(title.clone()),
                    heading_path: own(heading_path),
                    text: own(body),
                    year,
                    department: own(department),
                });
            }
        }
    }
    out
}
