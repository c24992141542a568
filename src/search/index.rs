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
use super::tokenize::{for_each_term, Term};
use super::SearchRecord;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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
    pub heading: String,
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
            let mut last: Option<(&str, String)> = None;
            chunk
                .iter()
                .map(|&k| {
                    let r = &records[order[k]];
                    let is_heading = order.get(k + 1).is_some_and(|&next| {
                        let next = &records[next];
                        let own = r.text.trim();
                        next.doc == r.doc && !own.is_empty() && next.heading_path.trim_end().ends_with(own)
                    });
                    let heading = match &last {
                        Some((raw, n)) if *raw == r.heading_path => n.clone(),
                        _ => {
                            let n = normalize(&r.heading_path);
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
fn impact(tf: [u16; 3], norm: f64) -> u32 {
    let w = f64::from(tf[0]) / norm + W_HEADING * f64::from(tf[1]) + W_LABEL * f64::from(tf[2]);
    let part = w / (w + K1);
    ((part * f64::from(QMAX)).ceil() as u32).clamp(1, QMAX)
}

/// Postings of one chunk of records, with chunk-local term ids.
#[derive(Default)]
struct Chunk {
    keys: Vec<u64>,
    postings: Vec<Vec<u32>>,
    words: FxMap<u64, String>,
}

/// Per-chunk builder state; term ids are local to the chunk.
struct Builder {
    chunk: Chunk,
    ids: FxMap<u64, u32>,
    /// Term ids of BMP characters, looked up without hashing.
    bmp: Vec<u32>,
    /// `stamp[id] == current record + 1` when `tf[id]` belongs to it.
    stamp: Vec<u32>,
    tf: Vec<[u16; 3]>,
    touched: Vec<u32>,
    current: u32,
}

impl Builder {
    fn new() -> Self {
        Builder {
            chunk: Chunk::default(),
            ids: FxMap::default(),
            bmp: vec![u32::MAX; 0x1_0000],
            stamp: Vec::new(),
            tf: Vec::new(),
            touched: Vec::new(),
            current: 0,
        }
    }

    fn new_id(&mut self, key: u64) -> u32 {
        let id = self.chunk.keys.len() as u32;
        self.chunk.keys.push(key);
        self.chunk.postings.push(Vec::new());
        self.stamp.push(0);
        self.tf.push([0; 3]);
        id
    }

    fn id(&mut self, key: u64) -> u32 {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.new_id(key);
        self.ids.insert(key, id);
        id
    }

    fn char_id(&mut self, c: char) -> u32 {
        let u = c as usize;
        if u < self.bmp.len() {
            let id = self.bmp[u];
            if id != u32::MAX {
                return id;
            }
            let id = self.new_id(TAG_CHAR | u as u64);
            self.bmp[u] = id;
            return id;
        }
        self.id(TAG_CHAR | u as u64)
    }

    /// Calls `each` with the term id of every term `t` stands for (a word
    /// stands for each of its prefixes).
    fn term_ids(&mut self, t: Term<'_>, mut each: impl FnMut(&mut Self, u32)) {
        match t {
            Term::Char(c) => {
                let id = self.char_id(c);
                each(self, id);
            }
            Term::Bigram(a, b) => {
                let id = self.id(TAG_BIGRAM | (a as u64) << 21 | b as u64);
                each(self, id);
            }
            Term::Word(w) => {
                for (n, (i, c)) in w.char_indices().enumerate() {
                    if n == MAX_PREFIX {
                        break;
                    }
                    let prefix = &w[..i + c.len_utf8()];
                    let key = word_key(prefix);
                    let id = self.id(key);
                    if key & WORD_HASHED != 0 {
                        self.chunk
                            .words
                            .entry(key)
                            .or_insert_with(|| prefix.to_string());
                    }
                    each(self, id);
                }
            }
        }
    }

    fn count(&mut self, id: u32, field: usize, n: u16) {
        let i = id as usize;
        if self.stamp[i] != self.current {
            self.stamp[i] = self.current;
            self.tf[i] = [0; 3];
            self.touched.push(id);
        }
        self.tf[i][field] = self.tf[i][field].saturating_add(n);
    }

    fn add_field(&mut self, s: &str, field: usize) {
        for_each_term(s, |t| self.term_ids(t, |b, id| b.count(id, field, 1)));
    }

    /// Term ids and counts of a field, for reuse by the records that share it.
    fn field_counts(&mut self, s: &str) -> Vec<(u32, u16)> {
        let mut ids = Vec::new();
        for_each_term(s, |t| self.term_ids(t, |_, id| ids.push(id)));
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
        let mut heading: Option<(&str, Vec<(u32, u16)>)> = None;
        for (r, (n, &vid)) in normed.iter().zip(vids).enumerate() {
            self.current = r as u32 + 1;
            self.touched.clear();
            self.add_field(&n.text, 0);
            if n.is_heading {
                self.add_field(&n.text, 1);
            }
            if heading.as_ref().is_none_or(|(h, _)| *h != n.heading) {
                heading = Some((&n.heading, self.field_counts(&n.heading)));
            }
            if let Some((_, counts)) = &heading {
                for &(id, c) in counts {
                    self.count(id, 1, c);
                }
            }
            self.add_field(&n.label, 2);
            let norm = 1.0 - B + B * f64::from(n.len) / avglen;
            for &id in &self.touched {
                let q = impact(self.tf[id as usize], norm);
                self.chunk.postings[id as usize].push(vid << QBITS | q);
            }
        }
        self.chunk
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
    let mut terms: Vec<(u64, Vec<Vec<u32>>)> = Vec::new();
    let mut words: FxMap<u64, String> = FxMap::default();
    for chunk in chunks {
        words.extend(chunk.words);
        for (key, list) in chunk.keys.into_iter().zip(chunk.postings) {
            let id = *ids.entry(key).or_insert_with(|| {
                terms.push((key, Vec::new()));
                terms.len() - 1
            });
            terms[id].1.push(list);
        }
    }
    terms
        .into_par_iter()
        .map(|(key, lists)| {
            let mut postings = if lists.len() == 1 {
                lists.into_iter().next().unwrap_or_default()
            } else {
                lists.concat()
            };
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
