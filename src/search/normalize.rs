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

/// Class bits of a character (see [`classes`]): CJK ([`is_cjk`]).
pub(crate) const CJK: u8 = 1;
const SPACE: u8 = 2;
const CHUNK: u8 = 4;
/// A chunk of this character alone normalises to itself (and is no space).
const SAME: u8 = 8;
/// Class bit: a word character ([`is_word_char`]).
pub(crate) const WORD: u8 = 16;

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

/// Character classes of the Basic Multilingual Plane, computed once; hot
/// loops fetch it once and look characters up with [`class_in`].
pub(crate) fn classes() -> &'static [u8] {
    table()
}

/// The class bits of `c`, from `table` = [`classes`].
#[inline(always)]
pub(crate) fn class_in(table: &[u8], c: char) -> u8 {
    match table.get(c as usize) {
        Some(&f) => f,
        None => classify(c),
    }
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

/// Applies the whitespace rule while text is pushed onto `out` after
/// `start`.
struct Emitter<'a> {
    out: &'a mut String,
    start: usize,
    pending_space: bool,
    last_cjk: bool,
    /// [`table`], fetched once per string.
    table: &'static [u8],
}

impl Emitter<'_> {
    #[inline]
    fn flags(&self, c: char) -> u8 {
        match self.table.get(c as usize) {
            Some(&f) => f,
            None => classify(c),
        }
    }

    fn push(&mut self, c: char) {
        let f = self.flags(c);
        if f & SPACE != 0 {
            self.pending_space = self.out.len() > self.start;
            return;
        }
        let cjk = f & CJK != 0;
        self.space_before(cjk);
        self.out.push(c);
        self.last_cjk = cjk;
    }

    #[inline]
    fn space_before(&mut self, next_cjk: bool) {
        if self.pending_space {
            if !self.last_cjk && !next_cjk {
                self.out.push(' ');
            }
            self.pending_space = false;
        }
    }

    /// Pushes a run of characters that are chunks of their own and map to
    /// themselves (so hold no space): copied as they are. `first_cjk` and
    /// `last_cjk` say whether its first and last characters are CJK.
    #[inline]
    fn push_same(&mut self, run: &str, first_cjk: bool, last_cjk: bool) {
        self.space_before(first_cjk);
        self.out.push_str(run);
        self.last_cjk = last_cjk;
    }

    /// Pushes a chunk that needs mapping; `single` when it is the one
    /// character `c`.
    fn push_chunk(&mut self, chunk: &str, c: char, single: bool) {
        if single {
            let u = c as u32;
            if c.is_ascii_uppercase() {
                return self.push(c.to_ascii_lowercase());
            }
            if (0xFF01..=0xFF5E).contains(&u) {
                let a = char::from_u32(u - 0xFEE0).unwrap_or(c);
                return self.push(a.to_ascii_lowercase());
            }
            if self.flags(c) & CHUNK != 0 {
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

/// The code point at byte `i` of valid UTF-8, and its length in bytes.
#[inline(always)]
fn decode(b: &[u8], i: usize) -> (u32, usize) {
    let b0 = u32::from(b[i]);
    let cont = |k: usize| u32::from(b[i + k]) & 0x3F;
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        ((b0 & 0x1F) << 6 | cont(1), 2)
    } else if b0 < 0xF0 {
        ((b0 & 0x0F) << 12 | cont(1) << 6 | cont(2), 3)
    } else {
        (
            (b0 & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3),
            4,
        )
    }
}

/// Normalises text or a query part for indexing and matching (see the
/// module documentation for the exact rule).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_into(s, &mut out);
    out
}

/// Appends the normalisation of `s` to `out`. Returns true if `s` ended in
/// whitespace that would become a space before a following non-CJK word:
/// when false, and the text that follows starts a chunk and is no space,
/// the normalisation of `s` followed by it is the concatenation of the two
/// normalisations.
pub(crate) fn normalize_into(s: &str, out: &mut String) -> bool {
    let table = table();
    let flags = |u: u32| -> u8 {
        match table.get(u as usize) {
            Some(&f) => f,
            None => char::from_u32(u).map_or(0, classify),
        }
    };
    out.reserve(s.len());
    let mut e = Emitter {
        start: out.len(),
        out,
        pending_space: false,
        last_cjk: false,
        table,
    };
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Most text is a run of characters that map to themselves, each a
        // chunk of its own (kana, kanji, lower-case ASCII, 、。): copied in
        // one go. SAME implies CHUNK, so each of them ends the chunk before
        // it; the last one stands alone only if a chunk starts after it.
        let start = i;
        let (u, n) = decode(b, i);
        let mut f = flags(u);
        let first_cjk = f & CJK != 0;
        let (mut last_cjk, mut before_last_cjk) = (first_cjk, false);
        let mut last = i;
        if f & SAME != 0 {
            i += n;
            while i < b.len() {
                let (u, n) = decode(b, i);
                f = flags(u);
                if f & SAME == 0 {
                    break;
                }
                before_last_cjk = last_cjk;
                last_cjk = f & CJK != 0;
                last = i;
                i += n;
            }
        }
        let mut run_end = i;
        if i > start && i < b.len() && f & CHUNK == 0 {
            // The run's last character takes the following ones into its chunk.
            run_end = last;
            last_cjk = before_last_cjk;
        }
        if run_end > start {
            e.push_same(&s[start..run_end], first_cjk, last_cjk);
        }
        if run_end == b.len() {
            break;
        }
        // One chunk that needs mapping: a character and the characters
        // after it that cannot start a chunk.
        let (u, n) = decode(b, run_end);
        let c = char::from_u32(u).unwrap_or('\u{fffd}');
        let mut end = run_end + n;
        while end < b.len() {
            let (v, m) = decode(b, end);
            if flags(v) & CHUNK != 0 {
                break;
            }
            end += m;
        }
        e.push_chunk(&s[run_end..end], c, end == run_end + n);
        i = end;
    }
    e.pending_space
}

/// Whether `c` starts a chunk and is no space: what may follow a text that
/// [`normalize_into`] left without a pending space, normalised apart.
pub(crate) fn starts_clean(c: char) -> bool {
    flags(c) & (CHUNK | SPACE) == CHUNK
}
