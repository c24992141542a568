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

use super::encode::{QBITS, QMAX};
use super::normalize::normalize;
use super::normalize::{is_cjk, is_word_char};
use super::SearchRecord;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalisation.
pub const B: f64 = 0.75;
/// Weight of a match in the heading path (the directive's ancestors).
pub const W_HEADING: f64 = 1.5;
/// Weight of a match in the label (department, year and citation).
pub const W_LABEL: f64 = 3.0;
/// Words are filed under each prefix up to this many characters; a longer
/// query word is looked up by this prefix and checked against the text.
pub const MAX_PREFIX: usize = 16;

/// A record's searchable fields after normalisation, in index order.
pub(crate) struct Normed {
    pub text: String,
    /// Shared by siblings (normalised once per run of equal heading paths).
    pub heading: Arc<str>,
    pub label: String,
    /// Length of the text in normalised characters.
    pub len: u32,
    /// The directive is a heading: the next record of its document lists
    /// its text as the last step of its heading path. Its text then also
    /// counts as a heading match, so a query for a heading finds the
    /// directive itself before the children that inherit the heading.
    pub is_heading: bool,
}

/// Normalises the fields of `records` taken in `order`.
pub(crate) fn normalize_records(records: &[SearchRecord], order: &[usize]) -> Vec<Normed> {
    let positions: Vec<usize> = (0..order.len()).collect();
    positions
        .par_chunks(512)
        .flat_map_iter(|chunk| {
            // Siblings share their heading path: normalise it once per run.
            let mut last: Option<(&str, Arc<str>)> = None;
            chunk
                .iter()
                .map(|&k| {
                    let r = &records[order[k]];
                    let is_heading = order.get(k + 1).is_some_and(|&next| {
                        let next = &records[next];
                        let own = r.text.trim();
                        next.doc == r.doc
                            && !own.is_empty()
                            && next.heading_path.trim_end().ends_with(own)
                    });
                    let heading = match &last {
                        Some((raw, n)) if *raw == r.heading_path => n.clone(),
                        _ => {
                            let n: Arc<str> = normalize(&r.heading_path).into();
                            last = Some((&r.heading_path, n.clone()));
                            n
                        }
                    };
                    let label = if r.label.contains(&r.citation) {
                        normalize(&r.label)
                    } else {
                        normalize(&format!("{} {}", r.label, r.citation))
                    };
                    let text = normalize(&r.text);
                    let len = text.chars().count() as u32;
                    Normed {
                        text,
                        heading,
                        label,
                        len,
                        is_heading,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A term's posting list, ready to be written.
pub(crate) struct TermList {
    /// The term as the browser looks it up: one CJK character, a bigram, or
    /// a word prefix.
    pub key: String,
    /// Number of records that hold the term.
    pub df: u32,
    /// `record << QBITS | impact`, sorted by record; only the `cap` records
    /// of highest impact when `df > cap`.
    pub postings: Vec<u32>,
}

/// Multiplicative hash for the u64 term keys (std's SipHash is several
/// times slower and needs no DoS resistance here).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

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

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

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

fn key_string(key: u64, words: &FxMap<u64, String>) -> String {
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
    keys: Vec<u64>,
    ids: Vec<u32>,
    len: usize,
}

impl IdTable {
    fn new() -> Self {
        IdTable {
            keys: vec![0; 1 << 16],
            ids: vec![0; 1 << 16],
            len: 0,
        }
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        let bits = self.keys.len().trailing_zeros();
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The id of `key`, or `new_id()` stored as its id.
    #[inline]
    fn get_or_insert(&mut self, key: u64, new_id: impl FnOnce() -> u32) -> u32 {
        let mask = self.keys.len() - 1;
        let mut i = self.slot(key);
        loop {
            let k = self.keys[i];
            if k == key {
                return self.ids[i];
            }
            if k == 0 {
                break;
            }
            i = (i + 1) & mask;
        }
        let id = new_id();
        self.keys[i] = key;
        self.ids[i] = id;
        self.len += 1;
        if self.len * 2 > self.keys.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let keys = std::mem::replace(&mut self.keys, vec![0; self.len * 4]);
        let ids = std::mem::replace(&mut self.ids, vec![0; self.len * 4]);
        let mask = self.keys.len() - 1;
        for (k, id) in keys.into_iter().zip(ids) {
            if k != 0 {
                let mut i = self.slot(k);
                while self.keys[i] != 0 {
                    i = (i + 1) & mask;
                }
                self.keys[i] = k;
                self.ids[i] = id;
            }
        }
    }
}

/// Postings of one chunk of records, with chunk-local term ids: the
/// postings of term `t` are `postings[starts[t]..starts[t + 1]]`.
struct Chunk {
    keys: Vec<u64>,
    starts: Vec<u32>,
    postings: Vec<u32>,
    words: FxMap<u64, String>,
}

/// Per-chunk builder state; term ids are local to the chunk.
struct Builder {
    keys: Vec<u64>,
    words: FxMap<u64, String>,
    ids: IdTable,
    /// Term ids of BMP characters, looked up without hashing.
    bmp: Vec<u32>,
    /// `stamp[id] == current` when `tf[id]` belongs to the current record.
    stamp: Vec<u32>,
    tf: Vec<[u16; 3]>,
    touched: Vec<u32>,
    current: u32,
    /// (term id, posting) in record order; sorted by term at the end.
    flat: Vec<(u32, u32)>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            keys: Vec::new(),
            words: FxMap::default(),
            ids: IdTable::new(),
            bmp: vec![u32::MAX; 0x1_0000],
            stamp: Vec::new(),
            tf: Vec::new(),
            touched: Vec::new(),
            current: 0,
            flat: Vec::new(),
        }
    }

    fn new_id(keys: &mut Vec<u64>, stamp: &mut Vec<u32>, tf: &mut Vec<[u16; 3]>, key: u64) -> u32 {
        keys.push(key);
        stamp.push(0);
        tf.push([0; 3]);
        keys.len() as u32 - 1
    }

    #[inline]
    fn id(&mut self, key: u64) -> u32 {
        let (keys, stamp, tf) = (&mut self.keys, &mut self.stamp, &mut self.tf);
        self.ids
            .get_or_insert(key, || Self::new_id(keys, stamp, tf, key))
    }

    #[inline]
    fn char_id(&mut self, c: char) -> u32 {
        let u = c as usize;
        match self.bmp.get(u) {
            Some(&id) if id != u32::MAX => id,
            Some(_) => {
                let id = Self::new_id(
                    &mut self.keys,
                    &mut self.stamp,
                    &mut self.tf,
                    TAG_CHAR | u as u64,
                );
                self.bmp[u] = id;
                id
            }
            None => self.id(TAG_CHAR | u as u64),
        }
    }

    #[inline]
    fn count(&mut self, id: u32, field: usize, n: u16) {
        let i = id as usize;
        if self.stamp[i] != self.current {
            self.stamp[i] = self.current;
            self.tf[i] = [0; 3];
            self.touched.push(id);
        }
        self.tf[i][field] = self.tf[i][field].saturating_add(n);
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
        let mut prev: Option<char> = None;
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
            if is_cjk(c) {
                if let Some(w) = word_start.take() {
                    word(self, &s[w..i], &mut each);
                }
                let id = self.char_id(c);
                each(self, id);
                if let Some(p) = prev {
                    let id = self.id(TAG_BIGRAM | (p as u64) << 21 | c as u64);
                    each(self, id);
                }
                prev = Some(c);
                continue;
            }
            prev = None;
            if is_word_char(c) {
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
    fn field_counts(&mut self, s: &str) -> Vec<(u32, u16)> {
        let mut ids = Vec::new();
        self.terms(s, |_, id| ids.push(id));
        ids.sort_unstable();
        let mut out: Vec<(u32, u16)> = Vec::new();
        for id in ids {
            match out.last_mut() {
                Some((last, n)) if *last == id => *n = n.saturating_add(1),
                _ => out.push((id, 1)),
            }
        }
        out
    }

    fn index(mut self, normed: &[Normed], vids: &[u32], avglen: f64) -> Chunk {
        let mut heading: Option<(&Arc<str>, Vec<(u32, u16)>)> = None;
        for (r, (n, &vid)) in normed.iter().zip(vids).enumerate() {
            self.current = r as u32 + 1;
            self.touched.clear();
            self.terms(&n.text, |b, id| b.count(id, 0, 1));
            if n.is_heading {
                self.terms(&n.text, |b, id| b.count(id, 1, 1));
            }
            if heading
                .as_ref()
                .is_none_or(|(h, _)| !Arc::ptr_eq(h, &n.heading))
            {
                heading = Some((&n.heading, self.field_counts(&n.heading)));
            }
            if let Some((_, counts)) = &heading {
                for &(id, c) in counts {
                    self.count(id, 1, c);
                }
            }
            self.terms(&n.label, |b, id| b.count(id, 2, 1));
            let norm = 1.0 - B + B * f64::from(n.len) / avglen;
            for &id in &self.touched {
                let q = impact(self.tf[id as usize], norm);
                self.flat.push((id, vid << QBITS | q));
            }
        }
        // Counting sort by term id; stable, so each list stays in record order.
        let mut starts = vec![0u32; self.keys.len() + 1];
        for &(id, _) in &self.flat {
            starts[id as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut postings = vec![0u32; self.flat.len()];
        for &(id, p) in &self.flat {
            let at = &mut fill[id as usize];
            postings[*at as usize] = p;
            *at += 1;
        }
        Chunk {
            keys: self.keys,
            starts,
            postings,
            words: self.words,
        }
    }
}

/// Builds the posting list of every term. `vids[i]` is the record number of
/// `normed[i]` (increasing); lists longer than `cap` keep the `cap` records
/// of highest impact.
pub(crate) fn build_postings(normed: &[Normed], vids: &[u32], cap: usize) -> Vec<TermList> {
    let total: u64 = normed.iter().map(|n| u64::from(n.len)).sum();
    let avglen = (total as f64 / normed.len().max(1) as f64).max(1.0);
    let per_chunk = (normed.len() / (rayon::current_num_threads() * 4)).clamp(256, 16_384);
    let chunks: Vec<Chunk> = normed
        .par_chunks(per_chunk)
        .zip(vids.par_chunks(per_chunk))
        .map(|(n, v)| Builder::new().index(n, v, avglen))
        .collect();

    // Merge chunk-local ids; chunks are in record order, so concatenating
    // their lists keeps each list sorted.
    let mut ids: FxMap<u64, usize> = FxMap::default();
    let mut terms: Vec<(u64, Vec<(u32, u32)>)> = Vec::new();
    let mut words: FxMap<u64, String> = FxMap::default();
    for (c, chunk) in chunks.iter().enumerate() {
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
        .map(|(key, parts)| {
            let mut postings = Vec::new();
            for (c, local) in parts {
                let chunk = &chunks[c as usize];
                let (from, to) = (
                    chunk.starts[local as usize],
                    chunk.starts[local as usize + 1],
                );
                postings.extend_from_slice(&chunk.postings[from as usize..to as usize]);
            }
            let df = postings.len() as u32;
            if postings.len() > cap && cap > 0 {
                let qmask = (1u32 << QBITS) - 1;
                postings.select_nth_unstable_by_key(cap - 1, |&p| {
                    (std::cmp::Reverse(p & qmask), p >> QBITS)
                });
                postings.truncate(cap);
                postings.sort_unstable();
            }
            TermList {
                key: key_string(key, &words),
                df,
                postings,
            }
        })
        .collect()
}
