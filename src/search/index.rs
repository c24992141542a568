//! Posting lists: for every term, the records that hold it, each with a
//! quantised BM25F impact, built in parallel over chunks of records.
//!
//! Fields and weights: the directive text (length-normalised, weight 1), the
//! heading path (weight [`W_HEADING`]) and the label, which holds the
//! department, the year and the citation (weight [`W_LABEL`]). The impact of
//! a term in a record is `tf'·(k1+1)/(tf'+k1)` with
//! `tf' = tf_text/(1-b+b·len/avglen) + W_HEADING·tf_heading + W_LABEL·tf_label`,
//! stored as `1..=QMAX` steps of `(k1+1)/QMAX`; the browser multiplies it by
//! the term's IDF. Lengths are counted in normalised characters.

use super::encode::{PostingWriter, QBITS, QMAX};
use super::fold::Fold;
use super::normalize::normalize_into;
use super::normalize::starts_clean;
use super::normalize::{class_in, classes, is_cjk, is_word_char, CJK, WORD};
use super::{RecordRef, Records};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Starts the term of a whole citation (`§1.(3)6`); never in a token.
pub const CITATION_MARK: char = '§';

/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalisation.
pub const B: f64 = 0.75;
/// Weight of a match in the heading path (the directive's ancestors).
pub const W_HEADING: f64 = 0.8;
/// Weight of a match in the label (department, year and citation).
pub const W_LABEL: f64 = 3.0;
/// Words are filed under each prefix up to this many characters; a longer
/// query word is looked up by this prefix and checked against the text.
pub const MAX_PREFIX: usize = 16;

/// Whether `r`, whose text is `text`, is the heading of `next`, the record
/// after it: the last step of `next`'s heading path is `r`'s text, or,
/// shortened with `…`, begins it (the build writes steps as `citation text`).
pub(crate) fn heads(r: &RecordRef, text: &str, next: &RecordRef) -> bool {
    let own = text.trim();
    if next.doc != r.doc || own.is_empty() || r.id.is_none() {
        return false;
    }
    let step = next
        .heading_path
        .rsplit(" › ")
        .next()
        .unwrap_or("")
        .trim_end();
    if step.ends_with(own) {
        return true;
    }
    step.strip_suffix('…')
        .and_then(|s| s.strip_prefix(r.citation))
        .map(str::trim_start)
        .is_some_and(|s| !s.is_empty() && own.starts_with(s))
}

/// Heading paths remembered while normalising, and their term counts while
/// indexing (a document returns to a parent's path after its children).
const RECENT: usize = 4;

/// A byte range of a chunk's arena.
pub(crate) type Span = (u32, u32);

/// A record's searchable fields after normalisation, in index order, as
/// ranges of its chunk's arena (one string per chunk, not several per
/// record: a large site has a million of them).
#[derive(Clone, Copy)]
pub(crate) struct Normed {
    pub text: Span,
    /// The label is `label_head + label`: the head (department and year,
    /// the same for a whole document) is shared like the heading path, and
    /// `label` keeps the citation. Tokens never cross the cut.
    pub label_head: Span,
    /// The normalised citation, filed whole as `§` + citation so that a
    /// query that is a citation finds it however common its numbers are.
    pub citation: Span,
    /// Shared by siblings: records with the same heading path (normalised
    /// once per run) have the same range.
    pub heading: Span,
    pub label: Span,
    /// Length of the text in normalised characters.
    pub len: u32,
    /// The directive is a heading: the next record of its document lists
    /// its text as the last step of its heading path. Its text then also
    /// counts as a heading match, so a query for a heading finds the
    /// directive itself before the children that inherit the heading.
    pub is_heading: bool,
}

/// The normalised records of one chunk.
pub(crate) struct NormChunk {
    pub arena: String,
    pub items: Vec<Normed>,
}

impl NormChunk {
    #[inline]
    pub fn get(&self, span: Span) -> &str {
        &self.arena[span.0 as usize..span.1 as usize]
    }
}

/// Appends `s` normalised to `arena`; returns its range and whether it
/// ended with a pending space (see [`normalize_into`]).
fn push_normalized(arena: &mut String, s: &str) -> (Span, bool) {
    let from = arena.len() as u32;
    let pending = normalize_into(s, arena);
    ((from, arena.len() as u32), pending)
}

/// Normalises the fields of `records` taken in `order`, in chunks of
/// `per_chunk` records (the chunks [`build_postings`] indexes).
pub(crate) fn normalize_records<R: Records + ?Sized>(
    records: &R,
    order: &[usize],
    per_chunk: usize,
) -> Vec<NormChunk> {
    let positions: Vec<usize> = (0..order.len()).collect();
    positions
        .par_chunks(per_chunk.max(1))
        .map(|chunk| normalize_chunk(records, order, chunk))
        .collect()
}

/// Normalises the records at `chunk`, positions in `order`: one chunk of
/// [`normalize_records`].
fn normalize_chunk<R: Records + ?Sized>(
    records: &R,
    order: &[usize],
    chunk: &[usize],
) -> NormChunk {
    let bytes: usize = chunk.iter().map(|&k| records.text_len(order[k]) + 32).sum();
    let mut arena = String::with_capacity(bytes + bytes / 4);
    let mut items = Vec::with_capacity(chunk.len());
    // Siblings share a heading path, and a document goes back to
    // its parent's path after each child: keep the last few.
    let mut recent: Vec<(&str, Span)> = Vec::with_capacity(RECENT);
    // The label head of the last records, by raw label prefix: the
    // same for a whole document.
    let mut last_prefix: Option<(&str, Span)> = None;
    let mut scratch = String::new();
    for &k in chunk {
        let r = records.get(order[k]);
        let own = records.text(order[k]);
        let is_heading = order
            .get(k + 1)
            .is_some_and(|&next| heads(&r, &own, &records.get(next)));
        let heading = match recent.iter().find(|(raw, _)| *raw == r.heading_path) {
            Some(&(_, span)) => span,
            None => {
                let (span, _) = push_normalized(&mut arena, r.heading_path);
                if recent.len() == RECENT {
                    recent.remove(0);
                }
                recent.push((r.heading_path, span));
                span
            }
        };
        let (citation, _) = push_normalized(&mut arena, r.citation);
        let (label_head, label) =
            split_label(r, citation, &mut arena, &mut scratch, &mut last_prefix);
        let (text, _) = push_normalized(&mut arena, &own);
        let len = arena[text.0 as usize..text.1 as usize].chars().count() as u32;
        items.push(Normed {
            text,
            label_head,
            citation,
            heading,
            label,
            len,
            is_heading,
        });
    }
    NormChunk { arena, items }
}

/// The normalised label of `r` as (head, rest): the head is the part
/// before the citation (department and year) when a separator ends it, the
/// same range for the records of a document; the rest holds the citation.
fn split_label<'a>(
    r: RecordRef<'a>,
    citation: Span,
    arena: &mut String,
    scratch: &mut String,
    last_prefix: &mut Option<(&'a str, Span)>,
) -> (Span, Span) {
    const NONE: Span = (0, 0);
    let cited = citation.1 > citation.0;
    // The label is a head shared by the document, then the citation: when
    // normalising them apart gives the same text, the head is normalised
    // once per document and the rest is the citation.
    if cited {
        let prefix = r.label_head;
        if let Some((raw, head)) = *last_prefix {
            if raw == prefix {
                return (head, citation);
            }
        }
        let starts_clean = r.citation.chars().next().is_some_and(starts_clean);
        if starts_clean {
            let from = arena.len();
            let pending = normalize_into(prefix, arena);
            let ends_apart = arena[from..]
                .chars()
                .next_back()
                .is_some_and(|c| !is_cjk(c) && !is_word_char(c));
            if !pending && ends_apart {
                let head = (from as u32, arena.len() as u32);
                *last_prefix = Some((prefix, head));
                return (head, citation);
            }
            arena.truncate(from);
        }
    }
    // Otherwise as a whole, cut before the citation if it ends the label
    // after a separator.
    scratch.clear();
    normalize_into(&r.label(), scratch);
    let cit = &arena[citation.0 as usize..citation.1 as usize];
    let cut = scratch.len().saturating_sub(cit.len());
    let from = arena.len() as u32;
    if cited
        && scratch.ends_with(cit)
        && scratch[..cut]
            .chars()
            .next_back()
            .is_some_and(|c| !is_cjk(c) && !is_word_char(c))
    {
        arena.push_str(&scratch[..cut]);
        let head = (from, arena.len() as u32);
        (head, citation)
    } else {
        arena.push_str(scratch);
        (NONE, (from, arena.len() as u32))
    }
}

/// A term's posting list, ready to be written.
pub(crate) struct TermList {
    /// The term as the browser looks it up: one CJK character, a bigram, or
    /// a word prefix.
    pub key: String,
    /// Number of records that hold the term.
    pub df: u32,
    /// The postings in compact form (see [`encode`](super::encode)): only
    /// the `cap` records of highest impact when `df > cap`.
    pub encoded: Vec<u8>,
}

/// Multiplicative hash for the u64 term keys (std's SipHash is several
/// times slower and needs no DoS resistance here).
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(super) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

const TAG_CHAR: u64 = 1 << 62;
const TAG_BIGRAM: u64 = 2 << 62;
const TAG_WORD: u64 = 3 << 62;
/// Word keys: ASCII prefixes of up to 8 characters are packed exactly;
/// others carry this bit and a 61-bit hash (the text is kept beside).
const WORD_HASHED: u64 = 1 << 61;

fn word_key(w: &str) -> u64 {
    if w.len() <= 8 && w.is_ascii() {
        let mut k = w.len() as u64;
        for b in w.bytes() {
            k = k << 7 | u64::from(b);
        }
        TAG_WORD | k
    } else {
        let mut h = FxHasher(w.len() as u64);
        h.write(w.as_bytes());
        TAG_WORD | WORD_HASHED | (h.finish() & (WORD_HASHED - 1))
    }
}

pub(super) fn key_string(key: u64, words: &FxMap<u64, String>) -> String {
    let ch = |v: u64| char::from_u32((v & 0x1F_FFFF) as u32).unwrap_or('\u{fffd}');
    match key & (3 << 62) {
        TAG_CHAR => ch(key).to_string(),
        TAG_BIGRAM => [ch(key >> 21), ch(key)].iter().collect(),
        _ if key & WORD_HASHED != 0 => words.get(&key).cloned().unwrap_or_default(),
        _ => {
            let mut k = key & (WORD_HASHED - 1);
            let mut bytes = Vec::new();
            while k >= 128 {
                bytes.push((k & 127) as u8);
                k >>= 7;
            }
            bytes.reverse();
            String::from_utf8(bytes).unwrap_or_default()
        }
    }
}

/// Text counts whose impacts are computed once per record.
const TEXT_TF: usize = 6;
/// Heading and label counts whose impacts (with no text) are computed once.
const SHARED_TF: usize = 8;

/// Quantised impact of a term in a record (see the module docs).
#[inline]
fn impact(tf: [u16; 3], norm: f64) -> u32 {
    let w = f64::from(tf[0]) / norm + W_HEADING * f64::from(tf[1]) + W_LABEL * f64::from(tf[2]);
    let x = w / (w + K1) * f64::from(QMAX);
    // Rounds up (ceil is a library call in the hot loop).
    let q = x as u32;
    (q + u32::from(f64::from(q) < x)).clamp(1, QMAX)
}

/// Open-addressing map from term key (never 0) to chunk-local term id:
/// the hot loop looks up every bigram, and this is several times faster
/// than a general-purpose map.
struct IdTable {
    /// (key, id); key 0 marks a free slot. One cache line per probe.
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl IdTable {
    /// A table for about `terms` terms (it grows when needed): a delta of
    /// one document should not pay for clearing a table sized for 4,096.
    fn new(terms: usize) -> Self {
        IdTable {
            slots: vec![(0, 0); (terms * 2).next_power_of_two().clamp(1 << 10, 1 << 14)],
            len: 0,
        }
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The id of `key`, or `new_id()` stored as its id.
    #[inline(always)]
    fn get_or_insert(&mut self, key: u64, new_id: impl FnOnce() -> u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, id) = self.slots[i];
            if k == key {
                return id;
            }
            if k == 0 {
                break;
            }
            i = (i + 1) & mask;
        }
        self.insert_at(i, key, new_id)
    }

    /// Stores a new key at free slot `i` (the cold half of
    /// [`IdTable::get_or_insert`]).
    #[inline(never)]
    fn insert_at(&mut self, i: usize, key: u64, new_id: impl FnOnce() -> u32) -> u32 {
        let id = new_id();
        self.slots[i] = (key, id);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    /// Doubles the table. The size must stay a power of two: slots are
    /// found by the top bits of the hash and probed with a mask.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); size]);
        let mask = self.slots.len() - 1;
        for (k, id) in old {
            if k != 0 {
                let mut i = self.slot(k);
                while self.slots[i].0 != 0 {
                    i = (i + 1) & mask;
                }
                self.slots[i] = (k, id);
            }
        }
    }
}

/// Postings of one chunk of records, with chunk-local term ids: the
/// postings of term `t` are `postings[starts[t]..starts[t + 1]]`, in the
/// compact form of [`push_local`].
///
/// Compact because a large site's chunks are all held until every list is
/// merged: 56 million postings at 5,000 policies, 229 MB as `u32`s, about
/// a third of that as varints of small gaps.
pub(super) struct Chunk {
    pub(super) keys: Vec<u64>,
    pub(super) starts: Vec<u32>,
    pub(super) postings: Vec<u8>,
    pub(super) words: FxMap<u64, String>,
}

/// A posting within a chunk: the gap from the term's previous record of
/// the chunk (record numbers local to the chunk, so gaps are small) and
/// the impact, `gap << QBITS | impact`, as a LEB128 varint.
#[inline]
fn local_posting(gap: u32, q: u32) -> u32 {
    gap << QBITS | q
}

/// Bytes of `v` as a LEB128 varint.
#[inline]
fn varint_len(v: u32) -> u32 {
    // 1 + one per 7 significant bits beyond the first 7.
    1 + (31 - (v | 1).leading_zeros()) / 7
}

/// Writes `v` as a LEB128 varint at `out[at..]`; returns the next position.
#[inline]
fn push_local(out: &mut [u8], mut at: usize, mut v: u32) -> usize {
    while v >= 0x80 {
        out[at] = (v as u8) | 0x80;
        v >>= 7;
        at += 1;
    }
    out[at] = v as u8;
    at + 1
}

/// Calls `each` with the postings of `bytes` (one term's list in a chunk,
/// see [`push_local`]) as `vid << QBITS | impact`, `vids` being the record
/// numbers of the chunk's records.
#[inline]
pub(super) fn decode_local(bytes: &[u8], vids: &[u32], mut each: impl FnMut(u32)) {
    let qmask = (1u32 << QBITS) - 1;
    let (mut record, mut v, mut shift) = (0usize, 0u32, 0u32);
    for &b in bytes {
        v |= u32::from(b & 0x7f) << shift;
        if b & 0x80 != 0 {
            shift += 7;
            continue;
        }
        record += (v >> QBITS) as usize;
        each(vids[record] << QBITS | (v & qmask));
        v = 0;
        shift = 0;
    }
}

/// Term ids and counts of a field.
type Counts = Vec<(u32, u16)>;

/// Term counts of the fields that the last records shared, by range.
#[derive(Default)]
struct Shared {
    recent: Vec<(Span, Counts)>,
}

/// Per-chunk builder state; term ids are local to the chunk.
struct Builder {
    /// Character classes ([`classes`]).
    table: &'static [u8],
    keys: Vec<u64>,
    words: FxMap<u64, String>,
    ids: IdTable,
    /// Term ids of BMP characters, looked up without hashing.
    bmp: Vec<u32>,
    /// Per term id: the record (`current`) its counts belong to, and its
    /// counts in text, heading and label. Kept together: one cache miss.
    counts: Vec<(u32, [u16; 3])>,
    touched: Vec<u32>,
    current: u32,
    /// (term id, posting) in record order; sorted by term at the end.
    flat: Vec<(u32, u32)>,
}

impl Builder {
    fn new(chars: usize) -> Self {
        Builder {
            table: classes(),
            keys: Vec::new(),
            words: FxMap::default(),
            ids: IdTable::new(chars),
            bmp: vec![u32::MAX; 0x1_0000],
            counts: Vec::new(),
            touched: Vec::new(),
            current: 0,
            flat: Vec::new(),
        }
    }

    fn new_id(keys: &mut Vec<u64>, counts: &mut Vec<(u32, [u16; 3])>, key: u64) -> u32 {
        keys.push(key);
        counts.push((0, [0; 3]));
        keys.len() as u32 - 1
    }

    #[inline]
    fn id(&mut self, key: u64) -> u32 {
        let (keys, counts) = (&mut self.keys, &mut self.counts);
        self.ids
            .get_or_insert(key, || Self::new_id(keys, counts, key))
    }

    #[inline]
    fn char_id(&mut self, c: u32) -> u32 {
        let u = c as usize;
        match self.bmp.get(u) {
            Some(&id) if id != u32::MAX => id,
            Some(_) => {
                let id = Self::new_id(&mut self.keys, &mut self.counts, TAG_CHAR | u as u64);
                self.bmp[u] = id;
                id
            }
            None => self.id(TAG_CHAR | u as u64),
        }
    }

    #[inline]
    fn count(&mut self, id: u32, field: usize, n: u16) {
        let entry = &mut self.counts[id as usize];
        if entry.0 != self.current {
            *entry = (self.current, [0; 3]);
            self.touched.push(id);
        }
        entry.1[field] = entry.1[field].saturating_add(n);
    }

    /// Counts a word under each of its prefixes.
    fn word(&mut self, w: &str, ids: &mut Vec<u32>) {
        for (n, (i, c)) in w.char_indices().enumerate() {
            if n == MAX_PREFIX {
                break;
            }
            let prefix = &w[..i + c.len_utf8()];
            let key = word_key(prefix);
            if key & WORD_HASHED != 0 {
                self.words.entry(key).or_insert_with(|| prefix.to_string());
            }
            ids.push(self.id(key));
        }
    }

    /// Calls `each` with the id of every term occurrence of `s`: each CJK
    /// character, each bigram of a CJK run, each prefix of each word. The
    /// walk of `tokenize::for_each_token`, written out with term ids
    /// because it is the hot loop of a build.
    #[inline]
    fn terms(&mut self, s: &str, mut each: impl FnMut(&mut Self, u32)) {
        let mut prev: Option<u32> = None;
        let mut word_start: Option<usize> = None;
        let mut word_ids = Vec::new();
        let mut word = |b: &mut Self, w: &str, each: &mut dyn FnMut(&mut Self, u32)| {
            word_ids.clear();
            b.word(w, &mut word_ids);
            for &id in &word_ids {
                each(b, id);
            }
        };
        for (i, c) in s.char_indices() {
            let class = class_in(self.table, c);
            if class & CJK != 0 {
                if let Some(w) = word_start.take() {
                    word(self, &s[w..i], &mut each);
                }
                let id = self.char_id(c as u32);
                each(self, id);
                if let Some(p) = prev {
                    let id = self.id(TAG_BIGRAM | u64::from(p) << 21 | c as u64);
                    each(self, id);
                }
                prev = Some(c as u32);
                continue;
            }
            prev = None;
            if class & WORD != 0 {
                word_start.get_or_insert(i);
            } else if let Some(w) = word_start.take() {
                word(self, &s[w..i], &mut each);
            }
        }
        if let Some(w) = word_start {
            word(self, &s[w..], &mut each);
        }
    }

    /// Term ids and counts of a field, for reuse by the records that share it.
    fn field_counts(&mut self, s: &str) -> Counts {
        let mut ids = Vec::new();
        self.terms(s, |_, id| ids.push(id));
        ids.sort_unstable();
        let mut out: Counts = Vec::new();
        for id in ids {
            match out.last_mut() {
                Some((last, n)) if *last == id => *n = n.saturating_add(1),
                _ => out.push((id, 1)),
            }
        }
        out
    }

    /// Counts a field that consecutive records share (heading path, label
    /// head), tokenised once per run.
    fn add_shared(&mut self, shared: &mut Shared, chunk: &NormChunk, span: Span, field: usize) {
        let k = match shared.recent.iter().position(|(of, _)| *of == span) {
            Some(k) => k,
            None => {
                if shared.recent.len() == RECENT {
                    shared.recent.remove(0);
                }
                let counts = self.field_counts(chunk.get(span));
                shared.recent.push((span, counts));
                shared.recent.len() - 1
            }
        };
        for &(id, c) in &shared.recent[k].1 {
            self.count(id, field, c);
        }
    }

    fn index(mut self, chunk: &NormChunk, avglen: f64) -> Chunk {
        let mut heading = Shared::default();
        let mut label_head = Shared::default();
        // About one posting per character of text, and a share of heading.
        self.flat.reserve(chunk.arena.len() / 2);
        let mut heading_ids: Vec<u32> = Vec::new();
        let mut key = String::new();
        // Without text, the length normalisation plays no part.
        let shared_only: [[u32; SHARED_TF]; SHARED_TF] =
            std::array::from_fn(|h| std::array::from_fn(|l| impact([0, h as u16, l as u16], 1.0)));
        for (r, n) in chunk.items.iter().enumerate() {
            self.current = r as u32 + 1;
            self.touched.clear();
            let text = chunk.get(n.text);
            if n.is_heading {
                // Its text counts as heading too: tokenised once for both.
                heading_ids.clear();
                self.terms(text, |b, id| {
                    b.count(id, 0, 1);
                    heading_ids.push(id);
                });
                for &id in &heading_ids {
                    self.count(id, 1, 1);
                }
            } else {
                self.terms(text, |b, id| b.count(id, 0, 1));
            }
            self.add_shared(&mut heading, chunk, n.heading, 1);
            self.add_shared(&mut label_head, chunk, n.label_head, 2);
            self.terms(chunk.get(n.label), |b, id| b.count(id, 2, 1));
            if n.citation.1 > n.citation.0 {
                key.clear();
                key.push(CITATION_MARK);
                key.push_str(chunk.get(n.citation));
                let k = word_key(&key);
                if k & WORD_HASHED != 0 {
                    self.words.entry(k).or_insert_with(|| key.clone());
                }
                let id = self.id(k);
                self.count(id, 2, 1);
            }
            let norm = 1.0 - B + B * f64::from(n.len) / avglen;
            // Most terms occur a few times in the text only, or only in
            // the heading and label: look those impacts up (the same
            // computation, done once) instead of working them out again.
            let text_only: [u32; TEXT_TF] =
                std::array::from_fn(|tf| impact([tf as u16, 0, 0], norm));
            for &id in &self.touched {
                let tf = self.counts[id as usize].1;
                let q = match tf {
                    [t, 0, 0] if (t as usize) < TEXT_TF => text_only[t as usize],
                    [0, h, l] if (h as usize) < SHARED_TF && (l as usize) < SHARED_TF => {
                        shared_only[h as usize][l as usize]
                    }
                    _ => impact(tf, norm),
                };
                // The record local to the chunk: its vid is looked up when
                // the chunks are merged.
                self.flat.push((id, (r as u32) << QBITS | q));
            }
        }
        // Counting sort by term id, stable, so each list stays in record
        // order; each list is written as gaps between its records (see
        // `push_local`): one pass for the sizes, one to write.
        let qmask = (1u32 << QBITS) - 1;
        let mut starts = vec![0u32; self.keys.len() + 1];
        let mut last = vec![0u32; self.keys.len()];
        for (id, p) in self.flat.iter_mut() {
            let record = *p >> QBITS;
            let gap = record - last[*id as usize];
            last[*id as usize] = record;
            // Kept in place for the second pass.
            *p = local_posting(gap, *p & qmask);
            starts[*id as usize + 1] += varint_len(*p);
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut postings = vec![0u8; starts[self.keys.len()] as usize];
        for &(id, v) in &self.flat {
            let at = &mut fill[id as usize];
            *at = push_local(&mut postings, *at as usize, v) as u32;
        }
        Chunk {
            keys: self.keys,
            starts,
            postings,
            words: self.words,
        }
    }
}

/// Average text length of `chunks` in normalised characters (at least 1),
/// the BM25 length normalisation's reference: what
/// [`average_text_length`] finds without the chunks (the tests check both
/// agree).
#[cfg(test)]
pub(crate) fn average_length(chunks: &[NormChunk]) -> f64 {
    let total: u64 = chunks
        .iter()
        .flat_map(|c| &c.items)
        .map(|n| u64::from(n.len))
        .sum();
    let count: usize = chunks.iter().map(|c| c.items.len()).sum();
    (total as f64 / count.max(1) as f64).max(1.0)
}

/// Records per chunk of [`normalize_records`] and [`build_postings`] for
/// `records` records: a few chunks per thread, each small enough that its
/// term tables stay in cache.
pub(crate) fn chunk_size(records: usize) -> usize {
    (records / (rayon::current_num_threads() * 4)).clamp(256, 4096)
}

/// Builds the posting list of every term of the records of `normed`,
/// numbered `vids` in order (increasing); lists longer than `cap` keep the
/// `cap` records of highest impact (the lowest record numbers among equal
/// impacts). `avglen` is [`average_text_length`] of the collection the impacts
/// are for: a delta ranks its few records against the main index's
/// statistics.
///
/// Takes the chunks by value and drops each as soon as it is indexed: the
/// normalised text of a large site (130 MB at 5,000 policies) then shrinks
/// while its postings grow, instead of being held beside all of them.
pub(crate) fn build_postings(
    normed: Vec<NormChunk>,
    vids: &[u32],
    cap: usize,
    avglen: f64,
) -> Vec<TermList> {
    let mut slices = Vec::with_capacity(normed.len());
    let mut from = 0;
    for c in normed {
        let to = from + c.items.len();
        slices.push((c, &vids[from..to]));
        from = to;
    }
    let chunks: Vec<(Chunk, &[u32])> = slices
        .into_par_iter()
        .map(|(c, v)| (Builder::new(c.arena.len() / 3).index(&c, avglen), v))
        .collect();
    merge_chunks(chunks, cap)
}

/// [`build_postings`] of [`normalize_records`]`(records, order, per_chunk)`,
/// each chunk normalised just before it is indexed: the normalised text of
/// a large site is never held whole (at 5,000 policies, 150 MB of the
/// search stage's peak; BENCHMARKS.md, issue 11, sixth round). Nor are the
/// indexed chunks: they are folded into the lists a few at a time
/// ([`Fold`]), four per thread. `avglen` is [`average_text_length`] of the
/// same records. The lists come in no particular order.
pub(crate) fn index_records<R: Records + ?Sized>(
    records: &R,
    order: &[usize],
    per_chunk: usize,
    vids: &[u32],
    cap: usize,
    avglen: f64,
) -> Vec<TermList> {
    let per_chunk = per_chunk.max(1);
    let positions: Vec<usize> = (0..order.len()).collect();
    let mut fold = Fold::new(cap);
    let per_fold = per_chunk * rayon::current_num_threads().max(1) * 4;
    for group in positions.chunks(per_fold) {
        let chunks: Vec<(Chunk, &[u32])> = group
            .par_chunks(per_chunk)
            .map(|chunk| {
                let normed = normalize_chunk(records, order, chunk);
                let from = chunk.first().copied().unwrap_or_default();
                let builder = Builder::new(normed.arena.len() / 3);
                (
                    builder.index(&normed, avglen),
                    &vids[from..from + chunk.len()],
                )
            })
            .collect();
        fold.add(&chunks);
        drop(chunks);
        // The chunks just folded, and the lists' buffers the fold grew out
        // of, are freed pages the allocator would hold for seconds.
        crate::memory::return_freed();
    }
    fold.finish()
}

/// Average text length of `records` in normalised characters (at least
/// 1), the BM25 length normalisation's reference: each text normalised
/// into a scratch string and counted, so that the normalised records need
/// not be held to know it before they are indexed.
pub(crate) fn average_text_length<R: Records + ?Sized>(records: &R) -> f64 {
    let total: u64 = (0..records.count())
        .into_par_iter()
        .map_init(String::new, |scratch, i| {
            scratch.clear();
            normalize_into(&records.text(i), scratch);
            scratch.chars().count() as u64
        })
        .sum();
    (total as f64 / records.count().max(1) as f64).max(1.0)
}

/// The posting lists of the indexed chunks, each with the record numbers
/// of its records, in record order.
fn merge_chunks(chunks: Vec<(Chunk, &[u32])>, cap: usize) -> Vec<TermList> {
    let cap = cap.max(1);
    // Merge chunk-local ids; chunks are in record order, so concatenating
    // their lists keeps each list sorted.
    let mut ids: FxMap<u64, usize> = FxMap::default();
    let mut terms: Vec<(u64, Vec<(u32, u32)>)> = Vec::new();
    let mut words: FxMap<u64, String> = FxMap::default();
    for (c, (chunk, _)) in chunks.iter().enumerate() {
        words.extend(chunk.words.iter().map(|(k, v)| (*k, v.clone())));
        for (local, &key) in chunk.keys.iter().enumerate() {
            let id = *ids.entry(key).or_insert_with(|| {
                terms.push((key, Vec::new()));
                terms.len() - 1
            });
            terms[id].1.push((c as u32, local as u32));
        }
    }
    terms
        .into_par_iter()
        .map_init(Vec::new, |postings, (key, parts)| {
            let lists = parts.iter().map(|&(c, local)| {
                let (chunk, vids) = &chunks[c as usize];
                let from = chunk.starts[local as usize] as usize;
                let to = chunk.starts[local as usize + 1] as usize;
                (&chunk.postings[from..to], *vids)
            });
            // A posting's last byte is the one below 0x80.
            let df: usize = lists
                .clone()
                .map(|(bytes, _)| bytes.iter().filter(|&&b| b < 0x80).count())
                .sum();
            let mut encoded = Vec::with_capacity(df.min(cap) * 3);
            let mut writer = PostingWriter::default();
            if df > cap {
                // Capped lists are read twice: gathered once.
                postings.clear();
                for (bytes, vids) in lists {
                    decode_local(bytes, vids, |p| postings.push(p));
                }
                write_capped(&[postings], cap, &mut writer, &mut encoded);
            } else {
                for (bytes, vids) in lists {
                    decode_local(bytes, vids, |p| writer.push_one(&mut encoded, p));
                }
                writer.flush(&mut encoded);
            }
            TermList {
                key: key_string(key, &words),
                df: df as u32,
                encoded,
            }
        })
        .collect()
}

/// `postings` (`record << QBITS | impact`, local records increasing)
/// written as a chunk's list and read back with `vids` as record numbers.
#[cfg(test)]
pub(crate) fn local_round_trip(postings: &[u32], vids: &[u32]) -> Vec<u32> {
    let qmask = (1u32 << QBITS) - 1;
    let mut last = 0;
    let values: Vec<u32> = postings
        .iter()
        .map(|&p| {
            let gap = (p >> QBITS) - last;
            last = p >> QBITS;
            local_posting(gap, p & qmask)
        })
        .collect();
    let size: u32 = values.iter().map(|&v| varint_len(v)).sum();
    let mut bytes = vec![0u8; size as usize];
    let at = values
        .iter()
        .fold(0, |at, &v| push_local(&mut bytes, at, v));
    assert_eq!(at, bytes.len());
    let mut out = Vec::new();
    decode_local(&bytes, vids, |p| out.push(p));
    out
}

/// An [`IdTable`] filled with `n` keys gives them back, through its growth.
#[cfg(test)]
pub(crate) fn id_table_round_trip(n: u64) -> bool {
    let mut t = IdTable::new(1);
    let mut next = 0;
    for key in 1..=n {
        let id = t.get_or_insert(key * 0x9E37, || {
            next += 1;
            next - 1
        });
        if id != (key - 1) as u32 {
            return false;
        }
    }
    (1..=n).all(|key| t.get_or_insert(key * 0x9E37, || u32::MAX) == (key - 1) as u32)
        && t.slots.len().is_power_of_two()
}

/// [`write_capped`] for the unit tests.
#[cfg(test)]
pub(crate) fn write_capped_for_tests(slices: &[&[u32]], cap: usize, out: &mut Vec<u8>) {
    write_capped(slices, cap, &mut PostingWriter::default(), out);
}

/// Writes the `cap` postings of highest impact, the lowest record numbers
/// first among equal impacts, in record order. Impacts take only
/// `1..=QMAX` values, so one count per impact finds the lowest impact kept
/// and how many of it fit, and one pass in record order writes them: no
/// copy, selection or sort of lists that can hold every record of the site
/// (`の` and `こと` make most of a site's postings). Returns the lowest
/// impact written.
pub(super) fn write_capped(
    slices: &[&[u32]],
    cap: usize,
    writer: &mut PostingWriter,
    out: &mut Vec<u8>,
) -> u32 {
    let qmask = (1u32 << QBITS) - 1;
    let mut counts = [0usize; 1 << QBITS];
    for slice in slices {
        for &p in *slice {
            counts[(p & qmask) as usize] += 1;
        }
    }
    // The lowest impact kept, and how many postings of that impact fit.
    let (mut lowest, mut above) = (QMAX, 0usize);
    while lowest > 1 && above + counts[lowest as usize] < cap {
        above += counts[lowest as usize];
        lowest -= 1;
    }
    let mut at_lowest = cap - above;
    for slice in slices {
        for &p in *slice {
            let q = p & qmask;
            if q > lowest || (q == lowest && at_lowest > 0) {
                if q == lowest {
                    at_lowest -= 1;
                }
                writer.push_one(out, p);
            }
        }
    }
    writer.flush(out);
    lowest
}
