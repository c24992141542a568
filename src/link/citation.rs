//! Citations as people type them — `1.(3)⑥`, `１．（３）⑥`, `1(3)⑥`,
//! `第1 1.(1)イ` — parsed into marker steps that match a directive's path.

use crate::marker::{self, MarkerKind, Number};
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
/// Numbers, enclosed numbers and letters are read as markers are
/// ([`crate::marker`]), so a citation means what the marker it cites means.
pub fn parse(input: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut rest = input;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        if c.is_whitespace() || matches!(c, '.' | '．' | '、' | ',' | '，' | '・' | '-') {
            rest = after;
        } else if c == '第' {
            let (n, used) = marker::read_number(after)?;
            steps.push((MarkerKind::Dai, n.id_part()));
            rest = &after[used..];
        } else if c == '(' || c == '（' {
            let first = after.chars().next()?;
            let (step, used) = if let Some((n, used)) = marker::read_number(after) {
                ((MarkerKind::P, n.id_part()), used)
            } else if let Some(k) = marker::katakana_letter(first) {
                ((MarkerKind::Kp, k.to_string()), first.len_utf8())
            } else if let Some(l) = latin(first) {
                ((MarkerKind::Lp, l), first.len_utf8())
            } else {
                return None;
            };
            let close = after[used..].chars().next()?;
            if !matches!(close, ')' | '）') {
                return None;
            }
            steps.push(step);
            rest = &after[used + close.len_utf8()..];
        } else if let Some((kind, n)) = marker::enclosed(c) {
            let mut number = Number::new(n);
            rest = after;
            if let Some(branch) = rest.strip_prefix('の') {
                if let Some((b, used)) = marker::read_digits(branch) {
                    number.branch = Some(b);
                    rest = &branch[used..];
                }
            }
            steps.push((kind, number.id_part()));
        } else if let Some((n, used)) = marker::read_number(rest) {
            steps.push((MarkerKind::N, n.id_part()));
            rest = &rest[used..];
        } else if let Some(k) = marker::katakana_letter(c) {
            steps.push((MarkerKind::K, k.to_string()));
            rest = after;
        } else if let Some(l) = latin(c) {
            steps.push((MarkerKind::L, l));
            rest = after;
        } else {
            return None;
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// A latin letter's place in the alphabet (`b` → "2"); people cite upper case too.
fn latin(c: char) -> Option<String> {
    let l = marker::latin_letter(c.to_ascii_lowercase())
        .or_else(|| marker::latin_letter(c.to_lowercase().next()?))?;
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
