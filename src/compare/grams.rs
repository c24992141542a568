//! What the alignment knows of a document's directives: their normalised
//! texts and an inverted index of their character bigrams, made once per
//! document and used for its comparison with both its predecessor and its
//! successor ([`mod@super::align`]).

use crate::marker::MarkerKind;
use crate::model::Document;
use crate::search::normalize::normalize;

/// What the alignment knows of a directive.
pub struct Item {
    /// Normalised text.
    pub(super) text: String,
    /// How many distinct character bigrams the normalised text has (1 for
    /// a text of one character: the character itself).
    pub(super) size: u32,
    pub(super) kind: MarkerKind,
    pub(super) parent: Option<usize>,
}

/// The items of a document's directives, with the document's bigrams as an
/// inverted index, sorted: two documents' shared bigrams are found by
/// merging their two lists, with no hashing per comparison (hashing every
/// bigram of the old side into a table and looking up every bigram of the
/// new one was half the cost of a comparison; BENCHMARKS.md, issue 11,
/// ninth round).
pub struct Items {
    pub(super) items: Vec<Item>,
    /// The distinct bigrams of the document, sorted.
    pub(super) grams: Vec<u64>,
    /// The directives holding `grams[g]` are `holders[start[g]..start[g + 1]]`,
    /// in order.
    start: Vec<u32>,
    holders: Vec<u32>,
}

/// Buffers that one thread reuses from document to document, instead of
/// allocating them afresh for each: they are larger than jemalloc's thread
/// caches keep, and the build hands freed pages back to the system as it
/// goes (`crate::memory`), so fresh ones come back as page faults.
#[derive(Default)]
pub struct Scratch {
    occurrences: Vec<(u64, u32)>,
    sorted: Vec<(u64, u32)>,
    /// The shared bigram counts of a comparison (`super::align`).
    pub(super) common: Vec<u32>,
}

impl Items {
    /// The items of a document's directives, in order.
    pub fn of(doc: &Document, scratch: &mut Scratch) -> Items {
        let texts = doc.texts.all();
        let directives = doc
            .directives
            .iter()
            .enumerate()
            .map(|(i, d)| (normalize(texts.get(i)), d.kind, d.parent()));
        Items::new(directives, scratch)
    }

    /// The items of directives given as (normalised text, kind, parent).
    pub(super) fn new(
        directives: impl Iterator<Item = (String, MarkerKind, Option<usize>)>,
        scratch: &mut Scratch,
    ) -> Items {
        let mut items = Vec::new();
        // (bigram, directive) of every directive, sorted once for the whole
        // document: the bigram sets, their sizes and the inverted index all
        // come out of one walk over it.
        let occurrences = &mut scratch.occurrences;
        occurrences.clear();
        for (i, (text, kind, parent)) in directives.enumerate() {
            bigrams(&text, |g| occurrences.push((g, i as u32)));
            items.push(Item {
                text,
                size: 0,
                kind,
                parent,
            });
        }
        sort_by_gram(occurrences, &mut scratch.sorted);
        let mut grams = Vec::new();
        let mut start = Vec::new();
        let mut holders: Vec<u32> = Vec::with_capacity(occurrences.len());
        for &(g, i) in occurrences.iter() {
            if grams.last() != Some(&g) {
                grams.push(g);
                start.push(holders.len() as u32);
            } else if holders.last() == Some(&i) {
                // The directive has this bigram more than once.
                continue;
            }
            holders.push(i);
            items[i as usize].size += 1;
        }
        start.push(holders.len() as u32);
        holders.shrink_to_fit();
        Items {
            items,
            grams,
            start,
            holders,
        }
    }

    /// The directives holding bigram `g` (an index into `grams`), in order.
    pub(super) fn holders(&self, g: usize) -> &[u32] {
        &self.holders[self.start[g] as usize..self.start[g + 1] as usize]
    }
}

/// Calls `each` with the character bigrams of normalised `text`, spaces
/// left out (the character itself for a text of one), in text order and
/// repeated where the text repeats them.
///
/// The only whitespace normalisation leaves is U+0020 (see
/// `crate::search::normalize`), so that is the only one looked for: asking
/// `char::is_whitespace` of every Japanese character was a tenth of
/// [`Items::of`].
pub(super) fn bigrams(text: &str, mut each: impl FnMut(u64)) {
    let mut chars = text.chars().filter(|&c| c != ' ');
    let Some(mut prev) = chars.next() else {
        return;
    };
    let mut any = false;
    for c in chars {
        each(((prev as u64) << 32) | c as u64);
        prev = c;
        any = true;
    }
    if !any {
        each(prev as u64);
    }
}

/// Sorts `pairs` by bigram, stably (each bigram's directives stay in
/// order): a least-significant-digit radix sort by bytes, skipping the
/// bytes every bigram shares (most of them: the characters of a Japanese
/// text lie in a few narrow ranges). Several times faster here than a
/// comparison sort, and unlike the radix sort crates it sorts through a
/// buffer the caller keeps (see [`Scratch`]).
fn sort_by_gram(pairs: &mut Vec<(u64, u32)>, buffer: &mut Vec<(u64, u32)>) {
    // A bigram is two chars (21 bits each) at bits 0 and 32 (see
    // [`bigrams`]): bytes 3 and 7 are always zero.
    const BYTES: [u32; 6] = [0, 1, 2, 4, 5, 6];
    let len = pairs.len();
    let mut counts = [[0u32; 256]; BYTES.len()];
    for &(g, _) in pairs.iter() {
        for (&byte, count) in BYTES.iter().zip(counts.iter_mut()) {
            count[(g >> (8 * byte)) as usize & 0xff] += 1;
        }
    }
    buffer.clear();
    buffer.resize(len, (0, 0));
    for (&byte, count) in BYTES.iter().zip(&counts) {
        if count.iter().any(|&c| c as usize == len) {
            // Every bigram has the same byte here: nothing to move.
            continue;
        }
        let mut offsets = [0u32; 256];
        let mut total = 0;
        for (o, &c) in offsets.iter_mut().zip(count) {
            (*o, total) = (total, total + c);
        }
        for &p in pairs.iter() {
            let b = (p.0 >> (8 * byte)) as usize & 0xff;
            buffer[offsets[b] as usize] = p;
            offsets[b] += 1;
        }
        std::mem::swap(pairs, buffer);
    }
}

/// Helpers for the tests of this module and of `super::align`.
#[cfg(test)]
pub(super) mod testing {
    use super::*;
    use std::collections::BTreeSet;

    /// The bigram set of `text`, worked out on its own (the oracle for the
    /// inverted indexes).
    pub fn gram_set(text: &str) -> BTreeSet<u64> {
        let mut set = BTreeSet::new();
        bigrams(text, |g| {
            set.insert(g);
        });
        set
    }

    /// The items of directives of kind C without parents, with `texts`.
    pub fn items<S: AsRef<str>>(texts: &[S]) -> Items {
        let directives = texts
            .iter()
            .map(|t| (t.as_ref().to_string(), MarkerKind::C, None));
        Items::new(directives, &mut Scratch::default())
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{gram_set, items};
    use super::*;

    #[test]
    fn bigrams_leave_out_whitespace_and_keep_a_lone_character() {
        let mut seen = Vec::new();
        bigrams("研 修を", |g| seen.push(g));
        let pair = |a: char, b: char| (a as u64) << 32 | b as u64;
        assert_eq!(seen, vec![pair('研', '修'), pair('修', 'を')]);
        seen.clear();
        bigrams(" 市 ", |g| seen.push(g));
        assert_eq!(seen, vec!['市' as u64]);
        seen.clear();
        bigrams("  ", |g| seen.push(g));
        assert!(seen.is_empty());
    }

    #[test]
    fn normalised_text_holds_no_whitespace_but_spaces() {
        let written = "職員\u{3000}の\t育成\n BPR\u{a0}の\u{2028}推進\u{205f}x\u{1680}y\u{85}z\r\n";
        let text = normalize(written);
        assert!(
            text.chars().all(|c| !c.is_whitespace() || c == ' '),
            "{text:?}"
        );
        let mut seen = Vec::new();
        bigrams(&text, |g| seen.push(g));
        let spaced = |g: &u64| [*g >> 32, *g & 0xFFFF_FFFF].contains(&(' ' as u64));
        assert!(!seen.iter().any(spaced), "{text:?}");
    }

    #[test]
    fn the_radix_sort_orders_by_bigram_and_keeps_directive_order() {
        // Bigrams (two chars of up to 21 bits, at bits 0 and 32) differing
        // in every byte they can have, and in one byte only.
        let pair = |a: u64, b: u64| a << 32 | b;
        let grams = [
            pair(0x10_FFFF, 0x10_FFFF),
            0,
            pair(0x10_0000, 0),
            pair(0x01_0203, 0x04_0506),
            255,
            256,
            pair(0x10_0000, 0),
            pair(0x30A2, 0x4E00),
            // The same first character, the second beyond the BMP (𠀋).
            pair(0x30A2, 0x2_000B),
            pair(0x30A2, 0x1_0000),
            '市' as u64,
            0x2_000B,
        ];
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for i in 0..40u32 {
            pairs.push((grams[i as usize % grams.len()], i));
        }
        let mut expected = pairs.clone();
        expected.sort_by_key(|p| p.0);
        sort_by_gram(&mut pairs, &mut Vec::new());
        assert_eq!(pairs, expected);
        // All equal, and empty: left as they are.
        let mut same: Vec<(u64, u32)> = (0..5).map(|i| (7, i)).collect();
        sort_by_gram(&mut same, &mut Vec::new());
        assert_eq!(same, (0..5).map(|i| (7, i)).collect::<Vec<_>>());
        sort_by_gram(&mut Vec::new(), &mut Vec::new());
    }

    #[test]
    fn holders_and_sizes_agree_with_each_texts_bigram_set() {
        let texts = [
            "職員の育成を進めること。",
            "",
            "市",
            "育成の育成",
            "職員 の 育成",
            "窓口手続のオンライン化を進めること。",
        ];
        // Reused scratch must not carry one document into the next.
        let mut scratch = Scratch::default();
        let directives = texts.iter().map(|t| (t.to_string(), MarkerKind::C, None));
        let _ = Items::new(directives, &mut scratch);
        let directives = texts.iter().map(|t| (t.to_string(), MarkerKind::C, None));
        let reused = Items::new(directives, &mut scratch);
        let fresh = items(&texts);
        assert_eq!(reused.grams, fresh.grams);
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(reused.items[i].size as usize, gram_set(t).len(), "{t}");
        }
        assert!(reused.grams.windows(2).all(|w| w[0] < w[1]));
        for (g, gram) in reused.grams.iter().enumerate() {
            let expected: Vec<u32> = (0..texts.len() as u32)
                .filter(|&i| gram_set(texts[i as usize]).contains(gram))
                .collect();
            assert_eq!(reused.holders(g), &expected[..], "bigram {gram:x}");
        }
    }
}
