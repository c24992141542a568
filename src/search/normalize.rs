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

use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

const CJK: u8 = 1;
const SPACE: u8 = 2;
const CHUNK: u8 = 4;
/// A chunk of this character alone normalises to itself (and is no space).
const SAME: u8 = 8;
const WORD: u8 = 16;

fn cjk_range(u: u32) -> bool {
    matches!(u,
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

fn space_char(c: char) -> bool {
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

fn chunk_range(u: u32) -> bool {
    matches!(u,
        0x21..=0x7E
        | 0xFF01..=0xFF5E
        | 0x3001..=0x3003
        | 0x3008..=0x3011
        | 0x3041..=0x3096
        | 0x30A1..=0x30FC
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF)
}

fn classify(c: char) -> u8 {
    let u = c as u32;
    let mut f = 0;
    if cjk_range(u) {
        f |= CJK;
    } else if c.is_alphanumeric() {
        f |= WORD;
    }
    if space_char(c) {
        f |= SPACE | CHUNK;
    } else if chunk_range(u) {
        f |= CHUNK;
        if !c.is_ascii_uppercase() && !(0xFF01..=0xFF5E).contains(&u) {
            f |= SAME;
        }
    }
    f
}

/// Character classes of the Basic Multilingual Plane, computed once.
fn table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..0x1_0000u32)
            .map(|u| char::from_u32(u).map_or(0, classify))
            .collect()
    })
}

#[inline]
fn flags(c: char) -> u8 {
    match table().get(c as usize) {
        Some(&f) => f,
        None => classify(c),
    }
}

/// True for characters indexed as CJK: kanji (all CJK ideograph blocks),
/// hiragana, katakana, the prolonged sound mark `ー`, iteration marks
/// (`々` `ゝ` `ヽ` …), `〆` `〇`, and Hangul. Runs of these are indexed as
/// bigrams. `・` and CJK punctuation are not CJK here: they separate.
#[inline]
pub fn is_cjk(c: char) -> bool {
    flags(c) & CJK != 0
}

/// True for characters of words (indexed whole, matched as prefixes):
/// letters and numbers (Unicode `Alphabetic` or `N*`) that are not CJK.
/// JavaScript: `/[\p{Alphabetic}\p{N}]/u` and not CJK.
#[inline]
pub fn is_word_char(c: char) -> bool {
    flags(c) & WORD != 0
}

/// Whitespace for normalisation: ASCII controls, space, DEL, NEL, NBSP and
/// the other Unicode spaces, line/paragraph separators, U+3000, zero-width
/// space and BOM (PDF extraction leaves the last two in text).
/// Listed explicitly so that Rust and JavaScript agree to the code point.
#[inline]
pub fn is_space(c: char) -> bool {
    flags(c) & SPACE != 0
}

/// Characters before which a chunk may start: each is a starter that no
/// composition takes as its second part, and whose NFKC form starts with
/// such a starter, so NFKC of a string equals the concatenation of the NFKC
/// of its chunks. Kept to whitespace and common, easily checked blocks
/// (ASCII, full-width ASCII, CJK punctuation, kana, kanji); anything else
/// just stays in the chunk before it.
#[inline]
pub fn starts_chunk(c: char) -> bool {
    flags(c) & CHUNK != 0
}

/// Applies the whitespace rule while text is pushed.
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
        self.space_before(cjk);
        self.out.push(c);
        self.last_cjk = cjk;
    }

    fn space_before(&mut self, next_cjk: bool) {
        if self.pending_space {
            if !self.last_cjk && !next_cjk {
                self.out.push(' ');
            }
            self.pending_space = false;
        }
    }

    /// Pushes a run of characters that are chunks of their own and map to
    /// themselves (so hold no space): copied as they are.
    fn push_same(&mut self, run: &str, first: char, last: char) {
        self.space_before(is_cjk(first));
        self.out.push_str(run);
        self.last_cjk = is_cjk(last);
    }

    /// Pushes a chunk that needs mapping.
    fn push_chunk(&mut self, chunk: &str) {
        let mut chars = chunk.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            let u = c as u32;
            if c.is_ascii_uppercase() {
                return self.push(c.to_ascii_lowercase());
            }
            if (0xFF01..=0xFF5E).contains(&u) {
                let a = char::from_u32(u - 0xFEE0).unwrap_or(c);
                return self.push(a.to_ascii_lowercase());
            }
            if starts_chunk(c) {
                return self.push(c);
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
    // Characters that form a chunk alone and map to themselves accumulate
    // in `run` (start, first and last character) and are copied in one go.
    let mut run: Option<(usize, char, char)> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if starts_chunk(d) {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        if end == i + c.len_utf8() && flags(c) & SAME != 0 {
            match &mut run {
                Some((_, _, last)) => *last = c,
                None => run = Some((i, c, c)),
            }
            continue;
        }
        if let Some((from, first, last)) = run.take() {
            e.push_same(&s[from..i], first, last);
        }
        e.push_chunk(&s[i..end]);
    }
    if let Some((from, first, last)) = run {
        e.push_same(&s[from..], first, last);
    }
    e.out
}
