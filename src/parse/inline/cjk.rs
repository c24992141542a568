//! Character classes of the CommonMark CJK-friendly amendments
//! (<https://github.com/tats-u/markdown-cjk-friendly>, `specification.md` §2.1),
//! with the code point ranges of its `ranges.md` (Unicode 17).

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// CommonMark's Unicode whitespace (as pulldown-cmark reads it, so that plain
/// CommonMark text keeps the results it had).
pub fn is_whitespace(c: char) -> bool {
    c.is_whitespace()
}

/// CommonMark 0.31.2's Unicode punctuation character: general category P or S.
pub fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Punctuation | GeneralCategoryGroup::Symbol
    )
}

/// A CJK character: East Asian Width W, F or H and not an emoji presentation
/// character, or Hangul (`ranges.md`, "CJK characters").
pub fn is_cjk(c: char) -> bool {
    matches!(
        c as u32,
        0x1100..=0x11ff
            | 0x20a9
            | 0x2329..=0x232a
            | 0x2630..=0x2637
            | 0x268a..=0x268f
            | 0x2e80..=0x2e99
            | 0x2e9b..=0x2ef3
            | 0x2f00..=0x2fd5
            | 0x2ff0..=0x303e
            | 0x3041..=0x3096
            | 0x3099..=0x30ff
            | 0x3105..=0x312f
            | 0x3131..=0x318e
            | 0x3190..=0x31e5
            | 0x31ef..=0x321e
            | 0x3220..=0x3247
            | 0x3250..=0xa48c
            | 0xa490..=0xa4c6
            | 0xa960..=0xa97c
            | 0xac00..=0xd7a3
            | 0xd7b0..=0xd7c6
            | 0xd7cb..=0xd7fb
            | 0xf900..=0xfaff
            | 0xfe10..=0xfe19
            | 0xfe30..=0xfe52
            | 0xfe54..=0xfe66
            | 0xfe68..=0xfe6b
            | 0xff01..=0xffbe
            | 0xffc2..=0xffc7
            | 0xffca..=0xffcf
            | 0xffd2..=0xffd7
            | 0xffda..=0xffdc
            | 0xffe0..=0xffe6
            | 0xffe8..=0xffee
            | 0x16fe0..=0x16fe4
            | 0x16ff0..=0x16ff6
            | 0x17000..=0x18cd5
            | 0x18cff..=0x18d1e
            | 0x18d80..=0x18df2
            | 0x1aff0..=0x1aff3
            | 0x1aff5..=0x1affb
            | 0x1affd..=0x1affe
            | 0x1b000..=0x1b122
            | 0x1b132
            | 0x1b150..=0x1b152
            | 0x1b155
            | 0x1b164..=0x1b167
            | 0x1b170..=0x1b2fb
            | 0x1d300..=0x1d356
            | 0x1d360..=0x1d376
            | 0x1f200
            | 0x1f202
            | 0x1f210..=0x1f219
            | 0x1f21b..=0x1f22e
            | 0x1f230..=0x1f231
            | 0x1f237
            | 0x1f23b
            | 0x1f240..=0x1f248
            | 0x1f260..=0x1f265
            | 0x20000..=0x3fffd
    )
}

/// A non-emoji general-use variation selector (U+FE00–U+FE0E).
pub fn is_general_variation_selector(c: char) -> bool {
    ('\u{fe00}'..='\u{fe0e}').contains(&c)
}

/// An ideographic variation selector (U+E0100–U+E01EF).
pub fn is_ideographic_variation_selector(c: char) -> bool {
    ('\u{e0100}'..='\u{e01ef}').contains(&c)
}

/// A quotation mark that U+FE01 turns into a full-width (CJK ambiguous
/// punctuation) sequence.
fn is_fullwidth_quote_base(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}')
}

/// What a delimiter run sees on one side. `None` characters are the start or
/// end of the line, which count as whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    /// Unicode whitespace, or the edge of the line.
    pub space: bool,
    /// A Unicode punctuation character (or sequence, before the run).
    pub punct: bool,
    /// A CJK character (or sequence, or an ideographic variation selector before the run).
    pub cjk: bool,
}

impl Side {
    /// The side after a run: its next character.
    pub fn after(next: Option<char>) -> Side {
        match next {
            None => Side::EDGE,
            Some(c) if is_whitespace(c) => Side::EDGE,
            Some(c) => Side {
                space: false,
                punct: is_punctuation(c),
                cjk: is_cjk(c),
            },
        }
    }

    /// The side before a run: the character before it and, when that is a
    /// variation selector, the one before that (its base character).
    pub fn before(prev: Option<char>, two_back: impl FnOnce() -> Option<char>) -> Side {
        let Some(c) = prev else { return Side::EDGE };
        if is_whitespace(c) {
            return Side::EDGE;
        }
        if is_ideographic_variation_selector(c) {
            return Side {
                space: false,
                punct: false,
                cjk: true,
            };
        }
        if is_general_variation_selector(c) {
            // A sequence is judged by its base, unless that is a space.
            let base = two_back().unwrap_or(' ');
            if base.is_whitespace() {
                return Side {
                    space: false,
                    punct: false,
                    cjk: false,
                };
            }
            return Side {
                space: false,
                punct: is_punctuation(base),
                cjk: is_cjk(base) || (c == '\u{fe01}' && is_fullwidth_quote_base(base)),
            };
        }
        Side {
            space: false,
            punct: is_punctuation(c),
            cjk: is_cjk(c),
        }
    }

    const EDGE: Side = Side {
        space: true,
        punct: false,
        cjk: false,
    };
}

/// Left-flanking by the amended definition (`implementers-tips.md`, "Logical
/// expressions transformations").
pub fn left_flanking(before: Side, after: Side) -> bool {
    !after.space && (!after.punct || before.space || before.punct || after.cjk || before.cjk)
}

/// Right-flanking by the amended definition.
pub fn right_flanking(before: Side, after: Side) -> bool {
    !before.space && (!before.punct || after.space || after.punct || before.cjk || after.cjk)
}

/// Whether a run of `delim` (`*` or `_`) can open and close emphasis.
pub fn can_open_close(delim: u8, before: Side, after: Side) -> (bool, bool) {
    let left = left_flanking(before, after);
    let right = right_flanking(before, after);
    if delim == b'_' {
        (
            left && (!right || before.punct),
            right && (!left || after.punct),
        )
    } else {
        (left, right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_close(delim: u8, prev: Option<char>, next: Option<char>) -> (bool, bool) {
        can_open_close(delim, Side::before(prev, || None), Side::after(next))
    }

    /// The table "Emphasis Marker Start/End Conditions" of implementers-tips.md:
    /// (outside, marker, inside) → (can end, can start), for a run before its content.
    #[test]
    fn marker_start_end_conditions() {
        type Case = (Option<char>, u8, Option<char>, bool, bool);
        let cases: &[Case] = &[
            (Some(' '), b'*', Some(' '), false, false),
            (Some(' '), b'*', Some('"'), false, true),
            (Some(' '), b'*', Some('a'), false, true),
            (Some(' '), b'*', Some('～'), false, true),
            (Some(' '), b'*', Some('字'), false, true),
            (Some(' '), b'_', Some(' '), false, false),
            (Some(' '), b'_', Some('"'), false, true),
            (Some(' '), b'_', Some('a'), false, true),
            (Some(' '), b'_', Some('～'), false, true),
            (Some(' '), b'_', Some('字'), false, true),
            (Some('"'), b'*', Some('"'), true, true),
            (Some('"'), b'*', Some('a'), false, true),
            (Some('"'), b'*', Some('字'), true, true),
            (Some('～'), b'*', Some('a'), true, true),
            (Some('"'), b'_', Some('"'), true, true),
            (Some('"'), b'_', Some('a'), false, true),
            (Some('"'), b'_', Some('字'), false, true),
            (Some('～'), b'_', Some('a'), false, true),
            (Some('a'), b'*', Some('a'), true, true),
            (Some('a'), b'_', Some('a'), false, false),
        ];
        for &(out, m, inside, end, start) in cases {
            let (open, close) = open_close(m, out, inside);
            assert_eq!(
                (close, open),
                (end, start),
                "{out:?} {} {inside:?}",
                m as char
            );
        }
    }

    #[test]
    fn character_classes() {
        for c in [
            'あ', 'ア', '漢', '「', '。', '！', '한', '〰', '〽', '㊗', '🈂', '𠀋',
        ] {
            assert!(is_cjk(c), "{c}");
        }
        for c in ['a', '1', '"', '😀', '✅', '«', ' '] {
            assert!(!is_cjk(c), "{c}");
        }
        for c in ['"', '$', '£', '€', '「', '。', '«', '∇', '¥'] {
            assert!(is_punctuation(c), "{c}");
        }
        for c in ['a', '字', '④', '1'] {
            assert!(!is_punctuation(c), "{c}");
        }
    }

    #[test]
    fn variation_selectors_take_their_base() {
        // 。 + U+FE01 counts as CJK punctuation; “ + U+FE01 as a full-width quote.
        let side = Side::before(Some('\u{fe01}'), || Some('。'));
        assert!(side.cjk && side.punct);
        let side = Side::before(Some('\u{fe01}'), || Some('“'));
        assert!(side.cjk && side.punct);
        let side = Side::before(Some('\u{e0100}'), || Some('葛'));
        assert!(side.cjk && !side.punct);
    }
}
