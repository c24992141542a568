//! Text normalisation, shared by the index and by `search.js`.
//!
//! `normalize(s)` is, in this order:
//!
//! 1. NFKC over the whole string (full-width ASCII → ASCII, half-width kana →
//!    full-width, `①` → `1`, `㈱` → `(株)`, `Ⅱ` → `II`, U+3000 → space …);
//! 2. lower case, code point by code point (Unicode full lower-case mapping,
//!    no context: `Σ` → `σ` everywhere, as `toLowerCase()` of one code point
//!    does in JavaScript);
//! 3. whitespace (see [`is_space`]): a run is dropped at the start and end of
//!    the string and wherever a CJK character (see [`is_cjk`]) stands on
//!    either side of it; any other run becomes one U+0020. So a soft line
//!    break or a stray space inside Japanese text never splits a phrase
//!    (`地域共\n生社会` → `地域共生社会`, `職員は BPR の視点` →
//!    `職員はbprの視点`), while ASCII words stay apart (`line account`).
//!
//! For speed the string is cut into chunks at characters before which NFKC
//! can never change anything ([`starts_chunk`]: starters that nothing composes
//! with); chunks of one such character are mapped directly, other chunks go
//! through the real NFKC. Cutting there gives exactly the NFKC of the whole
//! string. `search.js` cuts at the same places, which also gives it the
//! mapping from normalised offsets back to the original text for snippets.

use unicode_normalization::UnicodeNormalization;

/// True for characters indexed as CJK: kanji (all CJK ideograph blocks),
/// hiragana, katakana, the prolonged sound mark `ー`, iteration marks
/// (`々` `ゝ` `ヽ` …), `〆` `〇`, and Hangul. Runs of these are indexed as
/// bigrams. `・` and CJK punctuation are not CJK here: they separate.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007
        | 0x3031..=0x3035
        | 0x303B..=0x303C
        | 0x3041..=0x3096
        | 0x309D..=0x309F
        | 0x30A1..=0x30FA
        | 0x30FC..=0x30FF
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x1100..=0x11FF
        | 0x3131..=0x318E
        | 0xAC00..=0xD7AF
        | 0x1B000..=0x1B16F
        | 0x20000..=0x3FFFF)
}

/// True for characters of words (indexed whole, matched as prefixes):
/// letters and numbers (Unicode `Alphabetic` or `N*`) that are not CJK.
/// JavaScript: `/[\p{Alphabetic}\p{N}]/u` and not CJK.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        !is_cjk(c) && c.is_alphanumeric()
    }
}

/// Whitespace for normalisation: ASCII controls, space, DEL, NEL, NBSP and
/// the other Unicode spaces, line/paragraph separators, U+3000, zero-width
/// space and BOM (PDF extraction leaves the last two in text).
/// Listed explicitly so that Rust and JavaScript agree to the code point.
pub fn is_space(c: char) -> bool {
    matches!(c,
        '\u{0}'..=' '
        | '\u{7f}'
        | '\u{85}'
        | '\u{a0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200b}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{202f}'
        | '\u{205f}'
        | '\u{3000}'
        | '\u{feff}')
}

/// Characters before which a chunk may start: each is a starter that no
/// composition takes as its second part, and whose NFKC form starts with
/// such a starter, so NFKC of a string equals the concatenation of the NFKC
/// of its chunks. Kept to common, easily checked blocks; anything else just
/// stays in the chunk before it.
pub fn starts_chunk(c: char) -> bool {
    is_space(c)
        || matches!(c as u32,
            0x21..=0x7E
            | 0xFF01..=0xFF5E
            | 0x3001..=0x3003
            | 0x3008..=0x3011
            | 0x3041..=0x3096
            | 0x30A1..=0x30FC
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF)
}

/// NFKC + lower case of a chunk that is one [`starts_chunk`] character,
/// without going through the normaliser. Spaces are returned as they are:
/// the whitespace rule only asks whether a character is a space.
fn fast_map(c: char) -> char {
    match c as u32 {
        0x41..=0x5A => (c as u8 + 32) as char,
        0xFF21..=0xFF3A => char::from_u32(c as u32 - 0xFEE0 + 32).unwrap_or(c),
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Applies the whitespace rule while characters are pushed one by one.
struct Emitter {
    out: String,
    pending_space: bool,
    last_cjk: bool,
}

impl Emitter {
    fn push(&mut self, c: char) {
        if is_space(c) {
            self.pending_space = !self.out.is_empty();
            return;
        }
        let cjk = is_cjk(c);
        if self.pending_space {
            if !self.last_cjk && !cjk {
                self.out.push(' ');
            }
            self.pending_space = false;
        }
        self.out.push(c);
        self.last_cjk = cjk;
    }

    fn push_chunk(&mut self, chunk: &str) {
        let mut chars = chunk.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if starts_chunk(c) {
                self.push(fast_map(c));
                return;
            }
        }
        for n in chunk.nfkc() {
            for l in n.to_lowercase() {
                self.push(l);
            }
        }
    }
}

/// Normalises text or a query part for indexing and matching (see the
/// module documentation for the exact rule).
pub fn normalize(s: &str) -> String {
    let mut e = Emitter {
        out: String::with_capacity(s.len()),
        pending_space: false,
        last_cjk: false,
    };
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if i > start && starts_chunk(c) {
            e.push_chunk(&s[start..i]);
            start = i;
        }
    }
    if start < s.len() {
        e.push_chunk(&s[start..]);
    }
    e.out
}
