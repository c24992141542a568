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
use super::normalize::normalize;
use super::normalize::{is_cjk, is_word_char};
use super::SearchRecord;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

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

/// Whether `r` is the heading of `next`, the record after it: the last step
/// of `next`'s heading path is `r`'s text, or, shortened with `…`, begins it
/// (the build writes steps as `citation text`).
pub(crate) fn heads(r: &SearchRecord, next: &SearchRecord) -> bool {
    let own = r.text.trim();
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
        .and_then(|s| s.strip_prefix(r.citation.as_str()))
        .map(str::trim_start)
        .is_some_and(|s| !s.is_empty() && own.starts_with(s))
}

/// Heading paths remembered while normalising, and their term counts while
/// indexing (a document returns to a parent's path after its children).
const RECENT: usize = 4;

/// A record's searchable fields after normalisation, in index order.
pub(crate) struct Normed {
    pub text: String,
    /// The label is `label_head + label`: the head (department and year,
    /// the same for a whole document) is shared like the heading path, and
    /// `label` keeps the citation. Tokens never cross the cut.
    pub label_head: Arc<str>,
    /// The normalised citation, filed whole as `§` + citation so that a
    /// query that is a citation finds it however common its numbers are.
    pub citation: String,
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
            // Siblings share a heading path, and a document goes back to
            // its parent's path after each child: keep the last few.
            let mut recent: Vec<(&str, Arc<str>)> = Vec::with_capacity(RECENT);
            let mut last_head: Arc<str> = Arc::from("");
            chunk
                .iter()
                .map(|&k| {
                    let r = &records[order[k]];
                    let is_heading = order
                        .get(k + 1)
                        .is_some_and(|&next| heads(r, &records[next]));
                    let heading = match recent.iter().find(|(raw, _)| *raw == r.heading_path) {
                        Some((_, n)) => n.clone(),
                        None => {
                            let n: Arc<str> = normalize(&r.heading_path).into();
                            if recent.len() == RECENT {
                                recent.remove(0);
                            }
                            recent.push((&r.heading_path, n.clone()));
                            n
                        }
                    };
                    let mut label = if r.label.contains(&r.citation) {
                        normalize(&r.label)
                    } else {
                        normalize(&format!("{} {}", r.label, r.citation))
                    };
                    let citation = normalize(&r.citation);
                    let cut = label.len().saturating_sub(citation.len());
                    let head = if !citation.is_empty()
                        && label.ends_with(citation.as_str())
                        && label[..cut]
                            .chars()
                            .next_back()
                            .is_some_and(|c| !is_cjk(c) && !is_word_char(c))
                    {
                        let head = &label[..cut];
                        if *last_head != *head {
                            last_head = head.into();
                        }
                        label.drain(..cut);
                        last_head.clone()
                    } else {
                        Arc::from("")
                    };
                    let text = normalize(&r.text);
                    let len = text.chars().count() as u32;
                    Normed {
                        text,
                        label_head: head,
                        citation,
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
    /// The postings in compact form (see [`encode`](super::encode)): only
    /// the `cap` records of highest impact when `df > cap`.
    pub encoded: Vec<u8>,
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
    /// (key, id); key 0 marks a free slot. One cache line per probe.
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl IdTable {
    fn new() -> Self {
        IdTable {
            slots: vec![(0, 0); 1 << 16],
            len: 0,
        }
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The id of `key`, or `new_id()` stored as its id.
    #[inline]
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
        let id = new_id();
        self.slots[i] = (key, id);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); self.len * 4]);
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
/// postings of term `t` are `postings[starts[t]..starts[t + 1]]`.
struct Chunk {
    keys: Vec<u64>,
    starts: Vec<u32>,
    postings: Vec<u32>,
    words: FxMap<u64, String>,
}

/// Term ids and counts of a field.
type Counts = Vec<(u32, u16)>;

/// Term counts of the fields that the last records shared.
#[derive(Default)]
struct Shared<'a> {
    recent: Vec<(&'a Arc<str>, Counts)>,
}

/// Per-chunk builder state; term ids are local to the chunk.
struct Builder {
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
    fn new() -> Self {
        Builder {
            keys: Vec::new(),
            words: FxMap::default(),
            ids: IdTable::new(),
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
    fn char_id(&mut self, c: char) -> u32 {
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
    fn add_shared<'a>(&mut self, shared: &mut Shared<'a>, s: &'a Arc<str>, field: usize) {
        let k = match shared.recent.iter().position(|(of, _)| Arc::ptr_eq(of, s)) {
            Some(k) => k,
            None => {
                if shared.recent.len() == RECENT {
                    shared.recent.remove(0);
                }
                let counts = self.field_counts(s);
                shared.recent.push((s, counts));
                shared.recent.len() - 1
            }
        };
        for &(id, c) in &shared.recent[k].1 {
            self.count(id, field, c);
        }
    }

    fn index(mut self, normed: &[Normed], vids: &[u32], avglen: f64) -> Chunk {
        let mut heading = Shared::default();
        let mut label_head = Shared::default();
        let chars: usize = normed.iter().map(|n| n.text.len() + n.label.len()).sum();
        self.flat.reserve(chars);
        for (r, (n, &vid)) in normed.iter().zip(vids).enumerate() {
            self.current = r as u32 + 1;
            self.touched.clear();
            self.terms(&n.text, |b, id| b.count(id, 0, 1));
            if n.is_heading {
                self.terms(&n.text, |b, id| b.count(id, 1, 1));
            }
            self.add_shared(&mut heading, &n.heading, 1);
            self.add_shared(&mut label_head, &n.label_head, 2);
            self.terms(&n.label, |b, id| b.count(id, 2, 1));
            if !n.citation.is_empty() {
                let key = format!("{CITATION_MARK}{}", n.citation);
                let id = self.id(word_key(&key));
                self.words.entry(word_key(&key)).or_insert(key);
                self.count(id, 2, 1);
            }
            let norm = 1.0 - B + B * f64::from(n.len) / avglen;
            for &id in &self.touched {
                let q = impact(self.counts[id as usize].1, norm);
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
    let cap = cap.max(1);
    let total: u64 = normed.iter().map(|n| u64::from(n.len)).sum();
    let avglen = (total as f64 / normed.len().max(1) as f64).max(1.0);
    let per_chunk = (normed.len() / (rayon::current_num_threads() * 4)).clamp(256, 4096);
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
            let slices: Vec<&[u32]> = parts
                .iter()
                .map(|&(c, local)| {
                    let chunk = &chunks[c as usize];
                    let from = chunk.starts[local as usize] as usize;
                    let to = chunk.starts[local as usize + 1] as usize;
                    &chunk.postings[from..to]
                })
                .collect();
            let df: usize = slices.iter().map(|s| s.len()).sum();
            let mut encoded = Vec::with_capacity(df.min(cap) * 3);
            let mut writer = PostingWriter::default();
            if df > cap {
                let mut postings = slices.concat();
                let qmask = (1u32 << QBITS) - 1;
                postings.select_nth_unstable_by_key(cap - 1, |&p| {
                    (std::cmp::Reverse(p & qmask), p >> QBITS)
                });
                postings.truncate(cap);
                postings.sort_unstable();
                writer.push(&mut encoded, &postings);
            } else {
                for slice in slices {
                    writer.push(&mut encoded, slice);
                }
            }
            TermList {
                key: key_string(key, &words),
                df: df as u32,
                encoded,
            }
        })
        .collect()
}
