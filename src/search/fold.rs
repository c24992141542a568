//! The site's posting lists, made from the indexed chunks a few at a time.
//!
//! A chunk's lists are uncapped: the particles and the commonest bigrams
//! (の, こと, する) hold most of its postings. Holding every chunk until the
//! lists were merged was the search stage's peak (the chunks ~95 MB and
//! the merged lists ~45 MB at 5,000 policies). Folded a few chunks at a
//! time, the lists never hold more than twice the cap of postings per term:
//! the `cap` postings of highest impact of a whole list are those of its
//! `cap` best so far together with the rest (the order, impact then record
//! number, is total), so a list is cut back to `cap` whenever it reaches
//! twice that, and once more at the end. Once cut, a list takes no posting
//! of an impact at or below the lowest it kept ([`Folded::floor`]): such a
//! posting comes after all those it kept (records arrive in order), so it
//! could never be among the `cap` best. Without that floor, the lists of
//! the commonest terms were decoded and cut again every `cap` postings:
//! 6 % of a build's time at 5,000 policies.

use rayon::prelude::*;

use super::encode::{decode_postings, PostingWriter, QBITS};
use super::index::{decode_local, key_string, write_capped, Chunk, FxMap, TermList};

/// A term's list as chunks are folded into it, in its final encoding.
struct Folded {
    key: u64,
    /// Records holding the term in every chunk folded so far.
    df: u32,
    /// Postings in `encoded`: `df`, or fewer once the list was cut.
    kept: u32,
    /// The writer's state between chunks ([`PostingWriter::next`]).
    next: u32,
    /// The lowest impact kept at the last cut (0 before any): a later
    /// posting must have a higher impact to be among the `cap` best.
    floor: u32,
    encoded: Vec<u8>,
}

impl Folded {
    /// Keeps the `cap` postings of highest impact (see [`write_capped`]).
    fn cut(&mut self, cap: usize) {
        let postings: Vec<u32> = decode_postings(&self.encoded)
            .into_iter()
            .map(|(record, impact)| record << QBITS | impact)
            .collect();
        let mut encoded = Vec::with_capacity(self.encoded.len().min(cap * 3));
        let mut writer = PostingWriter::default();
        self.floor = write_capped(&[&postings], cap, &mut writer, &mut encoded);
        self.encoded = encoded;
        self.kept = cap as u32;
        self.next = writer.next();
    }
}

/// The terms whose keys fall in one part of the key space: each part is
/// folded by one task, with no locking.
#[derive(Default)]
struct Part {
    ids: FxMap<u64, u32>,
    terms: Vec<Folded>,
}

impl Part {
    /// Appends a chunk's list of `key` (`bytes`, with `vids` as the
    /// chunk's record numbers).
    fn add(&mut self, key: u64, bytes: &[u8], vids: &[u32], cap: usize) {
        let terms = &mut self.terms;
        let id = *self.ids.entry(key).or_insert_with(|| {
            terms.push(Folded {
                key,
                df: 0,
                kept: 0,
                next: 0,
                floor: 0,
                encoded: Vec::new(),
            });
            terms.len() as u32 - 1
        });
        let term = &mut terms[id as usize];
        let mut writer = PostingWriter::resume(term.next);
        let (mut seen, mut added) = (0u32, 0u32);
        let (out, floor) = (&mut term.encoded, term.floor);
        // A list grows by a quarter when it must, not by doubling: at
        // 5,000 policies the lists' unused room was 28 MB of the search
        // stage's peak. A posting takes at least two digits here and
        // usually one byte in the chunk.
        let want = bytes.len() * 2 + 8;
        if out.capacity() - out.len() < want {
            out.reserve_exact(want.max(out.len() / 4));
        }
        let qmask = (1u32 << QBITS) - 1;
        decode_local(bytes, vids, |p| {
            seen += 1;
            if p & qmask > floor {
                writer.push_one(out, p);
                added += 1;
            }
        });
        writer.flush(out);
        term.next = writer.next();
        term.df += seen;
        term.kept += added;
        if term.kept as usize > cap.saturating_mul(2) {
            term.cut(cap);
        }
    }
}

/// Posting lists being made from chunks given in record order.
pub(super) struct Fold {
    parts: Vec<Part>,
    words: FxMap<u64, String>,
    cap: usize,
}

impl Fold {
    /// No chunk yet; lists longer than `cap` will keep their `cap`
    /// postings of highest impact.
    pub(super) fn new(cap: usize) -> Fold {
        let parts = (rayon::current_num_threads() * 4).max(1);
        Fold {
            parts: (0..parts).map(|_| Part::default()).collect(),
            words: FxMap::default(),
            cap: cap.max(1),
        }
    }

    /// Folds in `chunks`, each with its records' numbers; they follow, in
    /// record order, every chunk folded before.
    pub(super) fn add(&mut self, chunks: &[(Chunk, &[u32])]) {
        for (chunk, _) in chunks {
            self.words
                .extend(chunk.words.iter().map(|(k, v)| (*k, v.clone())));
        }
        let (cap, count) = (self.cap, self.parts.len() as u64);
        self.parts.par_iter_mut().enumerate().for_each(|(n, part)| {
            for (chunk, vids) in chunks {
                for (local, &key) in chunk.keys.iter().enumerate() {
                    if part_of(key, count) != n {
                        continue;
                    }
                    let from = chunk.starts[local] as usize;
                    let to = chunk.starts[local + 1] as usize;
                    part.add(key, &chunk.postings[from..to], vids, cap);
                }
            }
        });
    }

    /// The posting list of every term, in no particular order.
    pub(super) fn finish(self) -> Vec<TermList> {
        let (cap, words) = (self.cap, &self.words);
        self.parts
            .into_par_iter()
            .flat_map_iter(|part| part.terms)
            .map(|mut term| {
                if term.kept as usize > cap {
                    term.cut(cap);
                }
                // Lists grew by doubling: a third of their bytes was slack.
                term.encoded.shrink_to_fit();
                TermList {
                    key: key_string(term.key, words),
                    df: term.df,
                    encoded: term.encoded,
                }
            })
            .collect()
    }
}

/// Which of `count` parts folds `key`: a multiplicative hash's high bits,
/// so that every part gets a like share of the terms.
fn part_of(key: u64, count: u64) -> usize {
    let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((u128::from(h) * u128::from(count)) >> 64) as usize
}
