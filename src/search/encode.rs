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
    let b = 0x23 + d as u8;
    if b >= b'\\' {
        b + 1
    } else {
        b
    }
}

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

/// Writes a posting list given in consecutive slices.
#[derive(Default)]
pub struct PostingWriter {
    next: u32,
}

impl PostingWriter {
    /// Appends postings packed `record << QBITS | impact`, sorted by record
    /// and following those already written.
    pub fn push(&mut self, out: &mut Vec<u8>, postings: &[u32]) {
        for &p in postings {
            let rec = p >> QBITS;
            push_uint(out, rec - self.next);
            out.push(digit(p & ((1 << QBITS) - 1)));
            self.next = rec + 1;
        }
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

/// Appends `s` as a JavaScript (JSON) string literal.
pub fn push_js_string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail, and a str always serialises.
    serde_json::to_writer(&mut *out, s).expect("string serialises");
}
