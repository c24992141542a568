//! Compact integers for posting lists, and JavaScript literal writing.
//!
//! A number is written little-endian in printable ASCII digits taken from
//! `#` (0x23) to `~` (0x7E) without the backslash: 91 digits. Digits below
//! [`TERMINAL`] end a number and carry 46 values; the others carry 45 values
//! each and say that more digits follow. Values below 46 take one
//! character, below 2,070 two, below 93,150 three. The strings need no
//! escaping inside a JavaScript string literal.
//!
//! A posting list is a sequence of `(record, impact)` pairs sorted by record:
//! the first record number, then each gap minus one, each followed by its
//! impact (1..=[`QMAX`], one digit).

/// Digits `0..TERMINAL` end a number.
pub const TERMINAL: u32 = 46;
/// Values carried by a continuation digit.
pub const CONTINUATION: u32 = 45;
/// Highest quantised impact; impacts are `1..=QMAX`.
pub const QMAX: u32 = 31;
/// Bits of a packed posting (`record << QBITS | impact`) that hold the impact.
pub const QBITS: u32 = 5;

fn digit(d: u32) -> u8 {
    DIGITS[d as usize]
}

/// The 91 digits, `#` to `~` without the backslash.
const DIGITS: [u8; 91] = {
    let mut t = [0u8; 91];
    let mut d = 0;
    while d < 91 {
        let b = 0x23 + d as u8;
        t[d] = if b >= b'\\' { b + 1 } else { b };
        d += 1;
    }
    t
};

fn undigit(b: u8) -> u32 {
    let d = u32::from(b) - 0x23;
    if b > b'\\' {
        d - 1
    } else {
        d
    }
}

/// Appends `v` in the compact form.
pub fn push_uint(out: &mut Vec<u8>, mut v: u32) {
    while v >= TERMINAL {
        out.push(digit(TERMINAL + v % CONTINUATION));
        v /= CONTINUATION;
    }
    out.push(digit(v));
}

/// Reads the numbers of a compact string (for tests and tools).
pub fn decode_uints(s: &[u8]) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut val, mut mult) = (0u32, 1u32);
    for &b in s {
        let d = undigit(b);
        if d >= TERMINAL {
            val += (d - TERMINAL) * mult;
            mult *= CONTINUATION;
        } else {
            out.push(val + d * mult);
            val = 0;
            mult = 1;
        }
    }
    out
}

/// Writes a posting list given in consecutive slices or one by one,
/// through a small buffer: a site has tens of millions of postings, and a
/// `Vec` append per digit costs more than the encoding.
pub struct PostingWriter {
    next: u32,
    buf: [u8; 256],
    len: usize,
}

impl Default for PostingWriter {
    fn default() -> Self {
        PostingWriter {
            next: 0,
            buf: [0; 256],
            len: 0,
        }
    }
}

impl PostingWriter {
    /// A writer that goes on with a list whose last record is `next - 1`
    /// ([`PostingWriter::next`] of the writer that wrote it).
    pub fn resume(next: u32) -> Self {
        PostingWriter {
            next,
            ..PostingWriter::default()
        }
    }

    /// The record after the last one written.
    pub fn next(&self) -> u32 {
        self.next
    }

    /// Appends postings packed `record << QBITS | impact`, sorted by record
    /// and following those already written, then [`PostingWriter::flush`]es.
    pub fn push(&mut self, out: &mut Vec<u8>, postings: &[u32]) {
        for &p in postings {
            self.push_one(out, p);
        }
        self.flush(out);
    }

    /// Appends one packed posting (see [`PostingWriter::push`]); call
    /// [`PostingWriter::flush`] after the last.
    #[inline]
    pub fn push_one(&mut self, out: &mut Vec<u8>, p: u32) {
        // A gap takes at most 7 digits (u32), the impact one.
        if self.len > self.buf.len() - 8 {
            self.flush(out);
        }
        let rec = p >> QBITS;
        let mut gap = rec - self.next;
        self.next = rec + 1;
        while gap >= TERMINAL {
            self.buf[self.len] = digit(TERMINAL + gap % CONTINUATION);
            self.len += 1;
            gap /= CONTINUATION;
        }
        self.buf[self.len] = digit(gap);
        self.buf[self.len + 1] = digit(p & ((1 << QBITS) - 1));
        self.len += 2;
    }

    /// Appends what is buffered to `out`.
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.buf[..self.len]);
        self.len = 0;
    }
}

/// Appends a posting list; `postings` are packed `record << QBITS | impact`,
/// sorted by record.
pub fn push_postings(out: &mut Vec<u8>, postings: &[u32]) {
    PostingWriter::default().push(out, postings);
}

/// Reads a posting list back as `(record, impact)` pairs.
pub fn decode_postings(s: &[u8]) -> Vec<(u32, u32)> {
    let nums = decode_uints(s);
    let mut next = 0u32;
    nums.chunks(2)
        .map(|pair| {
            let rec = next + pair[0];
            next = rec + 1;
            (rec, pair.get(1).copied().unwrap_or(0))
        })
        .collect()
}

/// Appends `s` as a JavaScript (JSON) string literal, byte for byte as
/// `serde_json` writes it: `"` and `\` escaped, control characters as
/// `\n`-style or `\u00XX` escapes, everything else as it is.
///
/// Display shards are mostly this (the text of every record): it looks at
/// eight bytes at a time, since escapes are rare in policy text.
pub fn push_js_string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            if !needs_escape(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        i += 1;
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i - 1]);
        from = i;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        } else {
            out.extend_from_slice(escape);
        }
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `word` is a control character, `"`
/// or `\` (the classic bit tricks for "has a byte less than n" and "has a
/// zero byte", which may only err towards true).
#[inline]
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash) & HIGH != 0
}
