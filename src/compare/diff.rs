//! Character-level differences of a changed pair. Japanese has no spaces
//! between words, so the unit is the character; the `similar` crate finds the
//! edit, and neighbouring edits of one kind are merged into one span.

use similar::DiffTag;

/// Which side a piece of text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// On both sides.
    Equal,
    /// Only in the new text (`<ins>`).
    Inserted,
    /// Only in the old text (`<del>`).
    Deleted,
}

/// A run of characters of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Side.
    pub side: Side,
    /// Text.
    pub text: String,
}

/// Above this product of the two texts' lengths in characters, a changed
/// pair is shown as one replacement instead of diffed character by
/// character: the diff's worst case grows with that product. (A time limit
/// would make the output depend on the machine's load, and a watch rebuild
/// could then differ from a clean build.) Directives run to a few hundred
/// characters; two of 2,000 characters each are still diffed.
pub const DIFF_LIMIT: usize = 4_000_000;

/// The edit from `old` to `new`, as runs of equal, deleted and inserted text.
pub fn pieces(old: &str, new: &str) -> Vec<Piece> {
    let (old_chars, old_at) = chars(old);
    let (new_chars, new_at) = chars(new);
    if old_chars.len().saturating_mul(new_chars.len()) > DIFF_LIMIT {
        let piece = |side, text: &str| Piece {
            side,
            text: text.to_string(),
        };
        return vec![piece(Side::Deleted, old), piece(Side::Inserted, new)];
    }
    // The diff of the two character slices, a range of characters per edit:
    // the same edit as `TextDiff::diff_chars` (which compares the characters
    // as one-character strings), without a string and a comparison of
    // strings per character.
    let ops = similar::capture_diff_slices(similar::Algorithm::Patience, &old_chars, &new_chars);
    let mut out: Vec<Piece> = Vec::new();
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_text = &old[old_at[old_range.start]..old_at[old_range.end]];
        let new_text = &new[new_at[new_range.start]..new_at[new_range.end]];
        let runs: [(Side, &str); 2] = match tag {
            DiffTag::Equal => [(Side::Equal, old_text), (Side::Equal, "")],
            DiffTag::Delete => [(Side::Deleted, old_text), (Side::Deleted, "")],
            DiffTag::Insert => [(Side::Inserted, new_text), (Side::Inserted, "")],
            DiffTag::Replace => [(Side::Deleted, old_text), (Side::Inserted, new_text)],
        };
        for (side, text) in runs {
            if text.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some(p) if p.side == side => p.text.push_str(text),
                _ => out.push(Piece {
                    side,
                    text: text.to_string(),
                }),
            }
        }
    }
    absorb_short_equal_runs(out)
}

/// A text's characters, and the byte offset of each with the text's length
/// after the last.
fn chars(text: &str) -> (Vec<char>, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let mut at: Vec<usize> = Vec::with_capacity(chars.len() + 1);
    at.extend(text.char_indices().map(|(i, _)| i));
    at.push(text.len());
    (chars, at)
}

/// A single equal character between two edits (「の」 in 「育成の推進」 →
/// 「確保の徹底」) makes the change hard to read: it is counted as deleted and
/// inserted, so the edit reads as one replacement.
fn absorb_short_equal_runs(pieces: Vec<Piece>) -> Vec<Piece> {
    let edited = |p: Option<&Piece>| p.is_some_and(|p| p.side != Side::Equal);
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for (i, p) in pieces.iter().enumerate() {
        let short = p.side == Side::Equal && p.text.chars().count() == 1;
        if short
            && edited(i.checked_sub(1).and_then(|j| pieces.get(j)))
            && edited(pieces.get(i + 1))
        {
            push(&mut out, Side::Deleted, &p.text);
            push(&mut out, Side::Inserted, &p.text);
        } else {
            push(&mut out, p.side, &p.text);
        }
    }
    out
}

/// Appends text to the run of its side: deletions and insertions between two
/// equal runs are kept as one deletion followed by one insertion.
fn push(out: &mut Vec<Piece>, side: Side, text: &str) {
    if side != Side::Equal {
        // Find the edit block at the end (after the last equal run).
        let block_start = out
            .iter()
            .rposition(|p| p.side == Side::Equal)
            .map_or(0, |i| i + 1);
        if let Some(p) = out[block_start..].iter_mut().find(|p| p.side == side) {
            p.text.push_str(text);
            return;
        }
        let piece = Piece {
            side,
            text: text.to_string(),
        };
        // Deletions come first within a block.
        if side == Side::Deleted {
            out.insert(block_start, piece);
        } else {
            out.push(piece);
        }
        return;
    }
    match out.last_mut() {
        Some(p) if p.side == Side::Equal => p.text.push_str(text),
        _ => out.push(Piece {
            side,
            text: text.to_string(),
        }),
    }
}

/// HTML of both sides: the new text with `<ins>` around inserted characters,
/// the old text with `<del>` around deleted ones; line breaks become `<br>`.
pub fn marked_html(old: &str, new: &str) -> (String, String) {
    let (mut old_html, mut new_html) = (String::new(), String::new());
    for p in pieces(old, new) {
        match p.side {
            Side::Equal => {
                escape(&mut old_html, &p.text);
                escape(&mut new_html, &p.text);
            }
            Side::Deleted => {
                old_html.push_str("<del>");
                escape(&mut old_html, &p.text);
                old_html.push_str("</del>");
            }
            Side::Inserted => {
                new_html.push_str("<ins>");
                escape(&mut new_html, &p.text);
                new_html.push_str("</ins>");
            }
        }
    }
    (old_html, new_html)
}

/// Escaped text, line breaks as `<br>`.
pub fn plain_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape(&mut out, text);
    out
}

/// Appends `text` escaped, line breaks as `<br>` (what [`plain_html`] gives).
pub fn escape(out: &mut String, text: &str) {
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        crate::parse::escape_attr(out, first);
    }
    for line in lines {
        out.push_str("<br>");
        crate::parse::escape_attr(out, line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_characters_are_wrapped() {
        let (old, new) = marked_html(
            "メンター制度を継続すること。",
            "メンター制度を拡充すること。",
        );
        assert_eq!(old, "メンター制度を<del>継続</del>すること。");
        assert_eq!(new, "メンター制度を<ins>拡充</ins>すること。");
    }

    #[test]
    fn an_addition_is_only_on_the_new_side() {
        let (old, new) = marked_html("研修を行う。", "研修を計画的に行う。");
        assert_eq!(old, "研修を行う。");
        assert_eq!(new, "研修を<ins>計画的に</ins>行う。");
    }

    #[test]
    fn a_deletion_is_only_on_the_old_side() {
        let (old, new) = marked_html("速やかに、確実に実施する。", "確実に実施する。");
        assert_eq!(old, "<del>速やかに、</del>確実に実施する。");
        assert_eq!(new, "確実に実施する。");
    }

    #[test]
    fn markup_in_the_text_is_escaped_and_lines_broken() {
        let (old, new) = marked_html("a<b>\n続き", "a<i>\n続き");
        assert!(!old.contains("<b>") && old.contains("&lt;"), "{old}");
        assert!(new.contains("<br>続き"), "{new}");
        assert!(!new.contains("<i>"), "{new}");
    }

    #[test]
    fn a_lone_equal_character_between_edits_joins_them() {
        let (old, new) = marked_html("人材育成の推進", "人材確保の徹底");
        assert_eq!(old, "人材<del>育成の推進</del>");
        assert_eq!(new, "人材<ins>確保の徹底</ins>");
    }

    #[test]
    fn texts_too_long_to_diff_are_one_replacement() {
        let old = "あ".repeat(2_100);
        let new = format!("{}い", "あ".repeat(2_000));
        let p = pieces(&old, &new);
        assert_eq!(
            p.len(),
            2,
            "{:?}",
            p.iter().map(|p| p.side).collect::<Vec<_>>()
        );
        assert_eq!(
            (p[0].side, p[0].text.as_str()),
            (Side::Deleted, old.as_str())
        );
        assert_eq!(
            (p[1].side, p[1].text.as_str()),
            (Side::Inserted, new.as_str())
        );
        // Just under the limit, the same texts are diffed.
        let shorter = "あ".repeat(1_999);
        assert!(pieces(&shorter, &new).iter().any(|p| p.side == Side::Equal));
    }

    #[test]
    fn pieces_rebuild_both_texts() {
        let (a, b) = (
            "令和５年度は防災訓練を年２回実施する。",
            "令和６年度は総合防災訓練を年３回実施し、検証する。",
        );
        let p = pieces(a, b);
        let old: String = p
            .iter()
            .filter(|p| p.side != Side::Inserted)
            .map(|p| p.text.as_str())
            .collect();
        let new: String = p
            .iter()
            .filter(|p| p.side != Side::Deleted)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!((old.as_str(), new.as_str()), (a, b));
    }

    /// The edit as `TextDiff::diff_chars` gives it, change by change (what
    /// `pieces` did before it diffed character slices).
    fn pieces_by_text_diff(old: &str, new: &str) -> Vec<Piece> {
        let diff = similar::TextDiff::configure()
            .algorithm(similar::Algorithm::Patience)
            .diff_chars(old, new);
        let mut out: Vec<Piece> = Vec::new();
        for change in diff.iter_all_changes() {
            let side = match change.tag() {
                similar::ChangeTag::Equal => Side::Equal,
                similar::ChangeTag::Insert => Side::Inserted,
                similar::ChangeTag::Delete => Side::Deleted,
            };
            match out.last_mut() {
                Some(p) if p.side == side => p.text.push_str(change.value()),
                _ => out.push(Piece {
                    side,
                    text: change.value().to_string(),
                }),
            }
        }
        absorb_short_equal_runs(out)
    }

    #[test]
    fn the_character_slices_give_the_edit_of_text_diff() {
        // Texts of a few characters (below and above `TextDiff`'s 100-token
        // switch to interned tokens), from a small alphabet so that they
        // share runs, edited at random.
        let alphabet: Vec<char> = "研修の実施をする。防災a<\n".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for round in 0..400 {
            let len = next(if round % 4 == 0 { 300 } else { 40 });
            let old: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let mut new: Vec<char> = old.chars().collect();
            for _ in 0..next(6) {
                let at = next(new.len() + 1);
                match next(3) {
                    0 if at < new.len() => {
                        new.remove(at);
                    }
                    1 if at < new.len() => new[at] = alphabet[next(alphabet.len())],
                    _ => new.insert(at, alphabet[next(alphabet.len())]),
                }
            }
            let new: String = new.into_iter().collect();
            assert_eq!(
                pieces(&old, &new),
                pieces_by_text_diff(&old, &new),
                "{old:?} -> {new:?}"
            );
        }
    }
}
