//! The texts of a document's directives, held apart from the directives and
//! LZ4-packed from parse on.
//!
//! The texts are most of what a parsed site holds (93 MB of the 283 MB
//! resident after parse at 5,000 policies), and each stage reads them a few
//! times: compare aligns by them, render writes them into the comparison
//! pages, `directives.json` and the directive index, the search index
//! indexes them. Packed they take three fifths of the memory from parse on
//! (BENCHMARKS.md, issue 11, eighth round). They are packed in blocks of
//! [`BLOCK`] texts, not as one block a document, so that a reference's
//! tooltip, which shows the opening of one directive of another document,
//! unpacks a few KB and not the whole document ([`Texts::one`]).

use std::borrow::Cow;

/// How many texts one LZ4 block holds: a few KB of text, enough for LZ4 to
/// find the repeats of a policy's phrasing, and little to unpack for one.
pub const BLOCK: usize = 16;

/// The texts of a document's directives, in directive order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    /// Every text, one after another, while not packed (empty once packed).
    plain: String,
    /// `ends[i]`: where text i ends among all the texts one after another.
    ends: Vec<u32>,
    /// Once packed: block b is the LZ4 of texts `b * BLOCK..(b + 1) * BLOCK`.
    blocks: Vec<Box<[u8]>>,
}

impl Texts {
    /// The texts given, in order, not packed.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Texts {
        let mut plain = String::new();
        let mut ends = Vec::new();
        for text in texts {
            plain.push_str(text);
            // A policy's texts are a few hundred KB; a document of 4 GiB
            // of them (which no policy is) would read as empty texts past
            // that point, not panic.
            ends.push(u32::try_from(plain.len()).unwrap_or(u32::MAX));
        }
        plain.shrink_to_fit();
        ends.shrink_to_fit();
        Texts {
            plain,
            ends,
            blocks: Vec::new(),
        }
    }

    /// How many texts there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The length in bytes of text `i` (0 past the last), packed or not.
    pub fn len_of(&self, i: usize) -> usize {
        self.range(i).map_or(0, |r| r.len())
    }

    /// Whether the texts are held packed.
    pub fn is_packed(&self) -> bool {
        !self.blocks.is_empty()
    }

    /// Compresses the texts for keeping.
    pub fn pack(&mut self) {
        if self.is_packed() || self.plain.is_empty() {
            return;
        }
        let plain = std::mem::take(&mut self.plain);
        let blocks = self.block_ranges();
        self.blocks = blocks
            .map(|r| {
                let bytes = plain.as_bytes().get(r).unwrap_or_default();
                lz4_flex::block::compress(bytes).into_boxed_slice()
            })
            .collect();
    }

    /// Holds the texts plain again, as parse made them before packing (for
    /// tests of the readers that borrow plain texts; the build never
    /// unpacks them for good).
    #[cfg(test)]
    pub(crate) fn unpack(&mut self) {
        if self.is_packed() {
            let all = self.all();
            let plain: String = (0..all.len()).map(|i| all.get(i)).collect();
            self.plain = plain;
            self.blocks = Vec::new();
        }
    }

    /// Every text, unpacked once: for a reader of all of them.
    pub fn all(&self) -> AllTexts<'_> {
        let whole = if self.is_packed() {
            // Each block into a vector of its own: `decompress` writes into
            // room it has not zeroed, where one vector for all the blocks
            // had to be zeroed first (1 % of a build's instructions).
            Whole::Blocks(
                self.blocks
                    .iter()
                    .zip(self.block_ranges())
                    .map(|(lz4, r)| {
                        // A block this process packed unpacks to its length;
                        // were one ever not to, its texts read as empty.
                        lz4_flex::block::decompress(lz4, r.len())
                            .ok()
                            .filter(|b| b.len() == r.len())
                            .unwrap_or_default()
                    })
                    .collect(),
            )
        } else {
            Whole::Plain(&self.plain)
        };
        AllTexts {
            whole,
            ends: &self.ends,
        }
    }

    /// Text `i` (empty past the last): unpacks only its block.
    pub fn one(&self, i: usize) -> Cow<'_, str> {
        let Some(range) = self.range(i) else {
            return Cow::Borrowed("");
        };
        if !self.is_packed() {
            return Cow::Borrowed(self.plain.get(range).unwrap_or_default());
        }
        let block = i / BLOCK;
        let (Some(lz4), Some(span)) = (self.blocks.get(block), self.block_ranges().nth(block))
        else {
            return Cow::Borrowed("");
        };
        let Ok(bytes) = lz4_flex::block::decompress(lz4, span.len()) else {
            return Cow::Borrowed("");
        };
        let inside = range.start - span.start..range.end - span.start;
        Cow::Owned(
            bytes
                .get(inside)
                .and_then(|b| simdutf8::basic::from_utf8(b).ok())
                .unwrap_or_default()
                .to_string(),
        )
    }

    /// Where text i lies among all the texts.
    fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)? as usize;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        Some(start.min(end)..end)
    }

    /// Where each block's texts lie among all the texts.
    fn block_ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let ends = &self.ends;
        (0..ends.len().div_ceil(BLOCK)).map(move |b| {
            let start = (b * BLOCK).checked_sub(1).map_or(0, |p| ends[p] as usize);
            let end = ends[((b + 1) * BLOCK).min(ends.len()) - 1] as usize;
            start.min(end)..end
        })
    }
}

/// Every text of a document, for reading ([`Texts::all`]).
pub struct AllTexts<'a> {
    whole: Whole<'a>,
    ends: &'a [u32],
}

/// The texts one after another: the held string, or each block's bytes
/// unpacked.
enum Whole<'a> {
    Plain(&'a str),
    Blocks(Vec<Vec<u8>>),
}

impl AllTexts<'_> {
    /// Text `i` (empty past the last).
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]) as usize;
        let range = start.min(end as usize)..end as usize;
        match &self.whole {
            Whole::Plain(s) => s.get(range).unwrap_or_default(),
            // Each text is whole UTF-8; checked again here (simdutf8 checks
            // at several GB/s, std's `from_utf8` at a few hundred MB/s on
            // Japanese, and every text is read several times a build).
            Whole::Blocks(blocks) => {
                let block = i / BLOCK;
                let from = (block * BLOCK).checked_sub(1).map_or(0, |p| self.ends[p]) as usize;
                let inside = range.start.saturating_sub(from)..range.end.saturating_sub(from);
                blocks
                    .get(block)
                    .and_then(|b| b.get(inside))
                    .and_then(|b| simdutf8::basic::from_utf8(b).ok())
                    .unwrap_or_default()
            }
        }
    }

    /// How many texts there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| match i % 3 {
                0 => String::new(),
                1 => format!("第{i}項 職員研修を充実すること。\n（継続）"),
                _ => "人材育成は行政運営の要であることから".repeat(i % 5 + 1),
            })
            .collect()
    }

    #[test]
    fn texts_read_back_as_given_plain_packed_and_unpacked_again() {
        for n in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5] {
            let given = sample(n);
            let mut texts = Texts::new(given.iter().map(String::as_str));
            let check = |texts: &Texts, stage: &str| {
                let all = texts.all();
                assert_eq!(all.len(), n, "{stage}");
                for (i, t) in given.iter().enumerate() {
                    assert_eq!(all.get(i), t, "{stage}: all, text {i} of {n}");
                    assert_eq!(texts.one(i), t.as_str(), "{stage}: one, text {i} of {n}");
                }
                assert_eq!(all.get(n), "", "{stage}: past the last");
                assert_eq!(texts.one(n), "", "{stage}: past the last");
            };
            check(&texts, "plain");
            texts.pack();
            let has_text = given.iter().any(|t| !t.is_empty());
            assert_eq!(texts.is_packed(), has_text, "{n} texts");
            check(&texts, "packed");
            texts.unpack();
            assert!(!texts.is_packed());
            check(&texts, "unpacked");
        }
    }

    #[test]
    fn one_text_is_unpacked_from_its_block_alone() {
        let given = sample(3 * BLOCK);
        let mut texts = Texts::new(given.iter().map(String::as_str));
        texts.pack();
        // Spoil every block but the second: text BLOCK + 1 still reads.
        for (b, block) in texts.blocks.iter_mut().enumerate() {
            if b != 1 {
                *block = Box::new([0xff]);
            }
        }
        assert_eq!(texts.one(BLOCK + 1), given[BLOCK + 1].as_str());
        assert_eq!(texts.one(1), "", "a spoilt block reads as empty");
        assert_eq!(texts.all().get(1), "");
        assert_eq!(texts.all().get(BLOCK + 1), given[BLOCK + 1]);
    }
}
