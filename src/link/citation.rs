//! Citations as people type them — `1.(3)⑥`, `１．（３）⑥`, `1(3)⑥`,
//! `第1 1.(1)イ` — parsed into marker steps that match a directive's path.

use unicode_normalization::UnicodeNormalization;

use crate::marker::{MarkerKind, Number};
use crate::model::{Directive, Document};

/// One step of a directive's path: its kind and what identifies it among
/// siblings (the letter for katakana kinds, the number otherwise).
pub type Step = (MarkerKind, String);

/// The path of a directive from the top.
pub fn path_of(doc: &Document, index: usize) -> Vec<Step> {
    doc.ancestry(index)
        .into_iter()
        .map(|i| step_of(&doc.directives[i]))
        .collect()
}

fn step_of(d: &Directive) -> Step {
    match (d.kind.is_katakana(), d.letter) {
        (true, Some(l)) => (d.kind, l.to_string()),
        _ => (d.kind, d.number.id_part()),
    }
}

/// The anchor id that numbered steps spell (`n1-p3-c6`); None if a step is
/// katakana, whose number depends on the order its siblings follow.
pub fn id_of(steps: &[Step]) -> Option<String> {
    let mut id = String::new();
    for (kind, value) in steps {
        if kind.is_katakana() {
            return None;
        }
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(kind.code());
        id.push_str(value);
    }
    Some(id)
}

/// Parses a citation in any width and spacing. None if it is not one.
pub fn parse(input: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || matches!(c, '.' | '．' | '、' | ',' | '，' | '・' | '-') {
            i += 1;
            continue;
        }
        if c == '第' {
            let (n, used) = number(&chars[i + 1..])?;
            steps.push((MarkerKind::Dai, n.id_part()));
            i += 1 + used;
        } else if c == '(' || c == '（' {
            let inner = &chars[i + 1..];
            let (step, used) = if let Some((n, used)) = number(inner) {
                ((MarkerKind::P, n.id_part()), used)
            } else if let Some(k) = inner.first().and_then(|&c| katakana(c)) {
                ((MarkerKind::Kp, k.to_string()), 1)
            } else if let Some(l) = inner.first().and_then(|&c| latin(c)) {
                ((MarkerKind::Lp, l.to_string()), 1)
            } else {
                return None;
            };
            if !matches!(inner.get(used), Some(')') | Some('）')) {
                return None;
            }
            steps.push(step);
            i += used + 2;
        } else if let Some((kind, n)) = enclosed(c) {
            let mut number = Number::new(n);
            i += 1;
            if chars.get(i) == Some(&'の') {
                if let Some((b, used)) = number_digits(&chars[i + 1..]) {
                    number.branch = Some(b);
                    i += 1 + used;
                }
            }
            steps.push((kind, number.id_part()));
        } else if let Some((n, used)) = number(&chars[i..]) {
            steps.push((MarkerKind::N, n.id_part()));
            i += used;
        } else if let Some(k) = katakana(c) {
            steps.push((MarkerKind::K, k.to_string()));
            i += 1;
        } else if let Some(l) = latin(c) {
            steps.push((MarkerKind::L, l.to_string()));
            i += 1;
        } else {
            return None;
        }
    }
    (!steps.is_empty()).then_some(steps)
}

fn digit(c: char) -> Option<u32> {
    c.to_digit(10)
        .or_else(|| ('０'..='９').contains(&c).then(|| c as u32 - '０' as u32))
}

fn number_digits(chars: &[char]) -> Option<(u32, usize)> {
    let mut value = 0u32;
    let mut used = 0;
    while let Some(d) = chars.get(used).and_then(|&c| digit(c)) {
        value = value.checked_mul(10)?.checked_add(d)?;
        used += 1;
    }
    (used > 0).then_some((value, used))
}

fn number(chars: &[char]) -> Option<(Number, usize)> {
    let (main, mut used) = number_digits(chars)?;
    let mut n = Number::new(main);
    if chars.get(used) == Some(&'の') {
        if let Some((b, u)) = number_digits(&chars[used + 1..]) {
            n.branch = Some(b);
            used += 1 + u;
        }
    }
    Some((n, used))
}

fn enclosed(c: char) -> Option<(MarkerKind, u32)> {
    let u = c as u32;
    match u {
        0x2460..=0x2473 => Some((MarkerKind::C, u - 0x2460 + 1)),
        0x3251..=0x325F => Some((MarkerKind::C, u - 0x3251 + 21)),
        0x32B1..=0x32BF => Some((MarkerKind::C, u - 0x32B1 + 36)),
        0x2474..=0x2487 => Some((MarkerKind::P, u - 0x2474 + 1)),
        _ => None,
    }
}

fn katakana(c: char) -> Option<char> {
    let full = c.to_string().nfkc().next()?;
    (crate::marker::AIUEO.contains(full) || full == 'ヰ' || full == 'ヱ').then_some(full)
}

fn latin(c: char) -> Option<String> {
    let l = match c {
        'a'..='z' => c,
        'A'..='Z' => c.to_ascii_lowercase(),
        'ａ'..='ｚ' => char::from_u32(c as u32 - 'ａ' as u32 + 'a' as u32)?,
        _ => return None,
    };
    Some((l as u32 - 'a' as u32 + 1).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<String> {
        parse(s)
            .unwrap()
            .into_iter()
            .map(|(k, v)| format!("{}{}", k.code(), v))
            .collect()
    }

    #[test]
    fn every_width_and_spacing_gives_the_same_path() {
        for s in [
            "1.(3)⑥",
            "１．（３）⑥",
            "1(3)⑥",
            "1. (3) ⑥",
            "１（３）⑥",
            "1.⑶⑥",
        ] {
            assert_eq!(codes(s), ["n1", "p3", "c6"], "{s}");
        }
    }

    #[test]
    fn dai_katakana_and_latin() {
        assert_eq!(codes("第1 1.(1)イ"), ["dai1", "n1", "p1", "kイ"]);
        assert_eq!(
            codes("第２ ３ (2) イ (ア)"),
            ["dai2", "n3", "p2", "kイ", "kpア"]
        );
        assert_eq!(codes("1.a.(b)"), ["n1", "l1", "lp2"]);
        assert_eq!(codes("3の2.(1)"), ["n3_2", "p1"]);
    }

    #[test]
    fn numbered_steps_spell_the_anchor_id() {
        assert_eq!(
            id_of(&parse("１．（３）⑥").unwrap()).as_deref(),
            Some("n1-p3-c6")
        );
        assert_eq!(
            id_of(&parse("第2 3.(2)").unwrap()).as_deref(),
            Some("dai2-n3-p2")
        );
        assert_eq!(
            id_of(&parse("1.a.(b)").unwrap()).as_deref(),
            Some("n1-l1-lp2")
        );
        assert_eq!(id_of(&parse("1.(1)イ").unwrap()), None);
    }

    #[test]
    fn not_citations() {
        assert!(parse("総務").is_none());
        assert!(parse("").is_none());
        assert!(parse("(x").is_none());
    }
}
