//! Aligning a document's directives with its predecessor's (SPEC §8): by
//! directive, not by line or by number, so that old 1.(1)② can continue as
//! new 1.(1)③ after an insertion.
//!
//! The alignment is a dynamic-programming maximum-weight alignment of the two
//! directive sequences, order preserved (like a longest common subsequence
//! whose matches are weighted). Two directives may be paired only when their
//! normalised texts are similar enough ([`MATCH_THRESHOLD`]); a pair's weight is
//!
//! - its text similarity, the Dice coefficient of the character bigrams of the
//!   normalised texts (1 for equal texts),
//! - plus [`IDENTICAL_BONUS`] when the texts are equal after normalisation, so
//!   that identical text is the strongest evidence and never loses to two
//!   edited pairs,
//! - plus [`PARENT_WEIGHT`] × the similarity of the two parents' texts, and
//!   [`KIND_WEIGHT`] when the markers are of the same kind: the hierarchy
//!   decides between otherwise equal candidates (the same sentence under two
//!   headings) without keeping a directive that moved to another parent from
//!   being paired.
//!
//! Order preserved means a directive that moved past others cannot be paired
//! by the alignment itself; a second pass pairs what is left on both sides
//! when the texts are nearly the same ([`MOVE_THRESHOLD`]), and shows the
//! pair where the directive stands now.

use super::grams::{Item, Items, Scratch};
use crate::model::Document;

/// The lowest text similarity at which two directives are the same directive,
/// edited. Below it the old one is 削除 and the new one 新設. A sentence with a
/// few words changed scores 0.7–0.9; half a directive split off scores about
/// 0.67; two different directives on one theme score below 0.4.
pub const MATCH_THRESHOLD: f64 = 0.5;

/// Added to the weight of a pair whose texts are equal after normalisation.
pub const IDENTICAL_BONUS: f64 = 1.0;

/// Weight of the parents' text similarity in a pair's weight.
pub const PARENT_WEIGHT: f64 = 0.2;

/// Added to the weight of a pair whose markers are of the same kind.
pub const KIND_WEIGHT: f64 = 0.05;

/// A directive the ordered alignment left unpaired on both sides is paired
/// anyway, as moved, when the two texts are at least this similar: a
/// directive that moved past others (to another section) is not 削除 and 新設.
pub const MOVE_THRESHOLD: f64 = 0.8;

/// How a directive changed from one year to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// Paired, text equal after normalisation.
    Same,
    /// Paired, text edited.
    Changed,
    /// Only in the new document (新設).
    New,
    /// Only in the old document (削除).
    Removed,
}

impl Change {
    /// `same`, `changed`, `new`, `removed`: the `data-change` and JSON value.
    pub fn code(self) -> &'static str {
        match self {
            Change::Same => "same",
            Change::Changed => "changed",
            Change::New => "new",
            Change::Removed => "removed",
        }
    }

    /// 変更なし, 変更, 新設, 削除.
    pub fn label(self) -> &'static str {
        match self {
            Change::Same => "変更なし",
            Change::Changed => "変更",
            Change::New => "新設",
            Change::Removed => "削除",
        }
    }
}

/// One row of a comparison: a pair, or a directive on one side only.
///
/// Directive indices are `u32` here and in [`Alignment`] (a document of
/// 2³² directives would be gigabytes of Markdown): the alignments are held
/// from compare to render, and with `usize` they were 33 MB of the
/// build's peak at 5,000 policies, 19 MB more than now (BENCHMARKS.md,
/// issue 11, seventh round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Row {
    /// Directive index in the new document.
    pub new: Option<u32>,
    /// Directive index in the old document.
    pub old: Option<u32>,
    /// What happened to it.
    pub change: Change,
}

/// Number of rows of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Counts {
    /// 新設.
    pub new: usize,
    /// 変更.
    pub changed: usize,
    /// 削除.
    pub removed: usize,
    /// 変更なし.
    pub same: usize,
}

/// The aligned rows of two documents, in reading order: the new document's
/// order, with each removed directive where it stood in the old one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alignment {
    /// Rows in order.
    pub rows: Vec<Row>,
    /// Per new directive: its counterpart in the old document.
    pub old_of_new: Vec<Option<u32>>,
    /// Per old directive: its continuation in the new document.
    pub new_of_old: Vec<Option<u32>>,
    /// Per new directive: same, changed or new.
    pub change_of_new: Vec<Change>,
}

impl Alignment {
    /// The summary counts.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.rows {
            match r.change {
                Change::New => c.new += 1,
                Change::Changed => c.changed += 1,
                Change::Removed => c.removed += 1,
                Change::Same => c.same += 1,
            }
        }
        c
    }
}

/// The text similarity of every old directive (rows) with every new one
/// (columns): the Dice coefficient of their bigram sets, 1 for equal texts.
///
/// The shared bigrams are counted through the two documents' inverted
/// indexes, so the cost follows the bigrams two directives share rather
/// than the product of their lengths.
struct Similarities {
    width: usize,
    values: Vec<f32>,
}

impl Similarities {
    fn new(old: &Items, new: &Items, scratch: &mut Scratch) -> Similarities {
        let (m, n) = (old.items.len(), new.items.len());
        // common[j * m + i]: the bigrams new j shares with old i. Column by
        // column, so that the innermost loop (over an old bigram's holders)
        // writes one contiguous column.
        let common = &mut scratch.common;
        common.clear();
        common.resize(m * n, 0);
        let (mut a, mut b) = (0, 0);
        while a < old.grams.len() && b < new.grams.len() {
            match old.grams[a].cmp(&new.grams[b]) {
                std::cmp::Ordering::Less => a += 1,
                std::cmp::Ordering::Greater => b += 1,
                std::cmp::Ordering::Equal => {
                    let holders = old.holders(a);
                    for &j in new.holders(b) {
                        let column = &mut common[j as usize * m..(j as usize + 1) * m];
                        for &i in holders {
                            column[i as usize] += 1;
                        }
                    }
                    a += 1;
                    b += 1;
                }
            }
        }
        let width = n;
        let mut values = vec![0.0f32; m * width];
        for (j, (item, column)) in new
            .items
            .iter()
            .zip(common.chunks_exact(m.max(1)))
            .enumerate()
        {
            for (i, (&count, o)) in column.iter().zip(&old.items).enumerate() {
                if count == 0 {
                    continue;
                }
                values[i * width + j] = if o.text == item.text {
                    1.0
                } else {
                    2.0 * count as f32 / (o.size + item.size) as f32
                };
            }
            if item.text.is_empty() {
                // No bigrams: equal only to the other empty texts.
                for i in (0..m).filter(|&i| old.items[i].text.is_empty()) {
                    values[i * width + j] = 1.0;
                }
            }
        }
        Similarities { width, values }
    }

    fn get(&self, i: usize, j: usize) -> f64 {
        f64::from(self.values[i * self.width + j])
    }
}

/// The weight of pairing old `i` with new `j`, or None when they are too different.
fn weight(old: &[Item], new: &[Item], sim: &Similarities, i: usize, j: usize) -> Option<f64> {
    let (a, b) = (&old[i], &new[j]);
    let text = sim.get(i, j);
    if text < MATCH_THRESHOLD {
        return None;
    }
    let mut w = text;
    if a.text == b.text {
        w += IDENTICAL_BONUS;
    }
    let parents = match (a.parent, b.parent) {
        (None, None) => 1.0,
        (Some(p), Some(q)) => sim.get(p, q),
        _ => 0.0,
    };
    w += PARENT_WEIGHT * parents;
    if a.kind == b.kind {
        w += KIND_WEIGHT;
    }
    Some(w)
}

/// Aligns the directives of `old` (the predecessor) and `new`.
pub fn align(old: &Document, new: &Document) -> Alignment {
    let mut scratch = Scratch::default();
    let (old, new) = (Items::of(old, &mut scratch), Items::of(new, &mut scratch));
    align_items(&old, &new, &mut scratch)
}

/// Aligns two documents given the items of their directives ([`Items::of`]),
/// with a thread's reusable buffers.
pub fn align_items(old: &Items, new: &Items, scratch: &mut Scratch) -> Alignment {
    let sim = Similarities::new(old, new, scratch);
    let (old_items, new_items) = (&old.items[..], &new.items[..]);
    let pairs = best_pairs(old_items, new_items, &sim);
    let (m, n) = (old_items.len(), new_items.len());
    let moved = moved_pairs(&sim, m, n, &pairs);
    // Every directive makes one row, a pair two directives and one row.
    let mut rows = Vec::with_capacity(m + n);
    let mut old_of_new = vec![None; n];
    let mut new_of_old = vec![None; m];
    let mut change_of_new = vec![Change::New; n];
    let mut pair = |rows: &mut Vec<Row>, pi: usize, pj: usize| {
        let change = if old_items[pi].text == new_items[pj].text {
            Change::Same
        } else {
            Change::Changed
        };
        rows.push(Row {
            new: Some(pj as u32),
            old: Some(pi as u32),
            change,
        });
        old_of_new[pj] = Some(pi as u32);
        new_of_old[pi] = Some(pj as u32);
        change_of_new[pj] = change;
    };
    let (mut i, mut j) = (0, 0);
    let sentinel = std::iter::once((m, n));
    for (pi, pj) in pairs.iter().copied().chain(sentinel) {
        // Between two pairs: what was removed, where it stood, then what is new
        // (or moved here from elsewhere).
        rows.extend(
            (i..pi)
                .filter(|k| !moved.iter().any(|&(o, _)| o == *k))
                .map(|k| Row {
                    new: None,
                    old: Some(k as u32),
                    change: Change::Removed,
                }),
        );
        for k in j..pj {
            match moved.iter().find(|&&(_, nw)| nw == k) {
                Some(&(o, _)) => pair(&mut rows, o, k),
                None => rows.push(Row {
                    new: Some(k as u32),
                    old: None,
                    change: Change::New,
                }),
            }
        }
        if pi < m && pj < n {
            pair(&mut rows, pi, pj);
        }
        (i, j) = (pi + 1, pj + 1);
    }
    rows.shrink_to_fit();
    Alignment {
        rows,
        old_of_new,
        new_of_old,
        change_of_new,
    }
}

/// Pairs of directives left unpaired on both sides whose texts are nearly the
/// same: each new one takes the most similar old one left.
fn moved_pairs(
    sim: &Similarities,
    m: usize,
    n: usize,
    pairs: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    let mut old_left: Vec<bool> = vec![true; m];
    let mut new_left: Vec<bool> = vec![true; n];
    for &(i, j) in pairs {
        old_left[i] = false;
        new_left[j] = false;
    }
    let mut moved = Vec::new();
    for j in (0..n).filter(|&j| new_left[j]) {
        let best = (0..m)
            .filter(|&i| old_left[i])
            .map(|i| (sim.get(i, j), i))
            .filter(|(sim, _)| *sim >= MOVE_THRESHOLD)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, i)) = best {
            old_left[i] = false;
            moved.push((i, j));
        }
    }
    moved
}

/// The order-preserving set of pairs (old, new) of greatest total weight.
fn best_pairs(old: &[Item], new: &[Item], sim: &Similarities) -> Vec<(usize, usize)> {
    let (m, n) = (old.len(), new.len());
    let width = n + 1;
    // score[(i)*(width)+j]: best total over old[..i] and new[..j].
    let mut score = vec![0.0f64; (m + 1) * width];
    // 0: skip old, 1: skip new, 2: pair.
    let mut step = vec![0u8; (m + 1) * width];
    for i in 1..=m {
        for j in 1..=n {
            let up = score[(i - 1) * width + j];
            let left = score[i * width + j - 1];
            let (mut best, mut how) = if up >= left { (up, 0) } else { (left, 1) };
            if let Some(w) = weight(old, new, sim, i - 1, j - 1) {
                let diag = score[(i - 1) * width + j - 1] + w;
                if diag > best {
                    (best, how) = (diag, 2);
                }
            }
            score[i * width + j] = best;
            step[i * width + j] = how;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (m, n);
    while i > 0 && j > 0 {
        match step[i * width + j] {
            2 => {
                pairs.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
            }
            0 => i -= 1,
            _ => j -= 1,
        }
    }
    pairs.reverse();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::grams::testing::{gram_set, items};
    use crate::compare::testing::doc;

    /// The rows as (new citation, old citation, change), `-` for none.
    fn rows(old: &str, new: &str) -> Vec<(String, String, &'static str)> {
        let (o, n) = (doc("2023/a", 2023, old), doc("2024/a", 2024, new));
        align(&o, &n)
            .rows
            .iter()
            .map(|r| {
                let cite = |d: &Document, i: Option<u32>| {
                    i.map_or("-".to_string(), |i| {
                        d.directives[i as usize].citation().to_string()
                    })
                };
                (cite(&n, r.new), cite(&o, r.old), r.change.code())
            })
            .collect()
    }

    fn row(new: &str, old: &str, change: &'static str) -> (String, String, &'static str) {
        (new.to_string(), old.to_string(), change)
    }

    const BASE: &str = "## １．人材の育成について\n\n\
        ① 職員一人ひとりが能力を発揮できるよう、研修体系を見直すこと。\n\n\
        ② 若手職員の育成のため、メンター制度を継続すること。\n\n\
        ③ 管理職はハラスメントのない職場づくりに努めること。\n\n\
        ## ２．業務改革について\n\n\
        ① 窓口手続のオンライン化を進めること。\n\n\
        ② 会議資料のペーパーレス化を徹底すること。\n";

    /// Texts of `count` directives over a small alphabet, so that some
    /// bigrams are held by most directives and others by a few (the
    /// inverted index's long and short lists), with empty and
    /// one-character texts among them.
    fn random_texts(count: usize, seed: u64) -> Vec<String> {
        const ALPHABET: &[char] = &[
            '職', '員', 'の', 'を', 'す', 'る', 'こ', 'と', '育', '成', '防', '災', '計', '画',
            '地', '域', '予', '算', '研', '修', '市', '民', '情', '報', '共', '有', '推', '進',
            'に', 'て', '業', '務', '改', '革', '窓', '口', '電', '子', '申', '請',
        ];
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        (0..count)
            .map(|k| {
                let len = match k % 7 {
                    0 => 0,
                    1 => 1,
                    _ => 2 + next() % 120,
                };
                // Skewed: low letters far more often, as particles are.
                (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len()).min(next() % ALPHABET.len())])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn similarities_are_the_dice_coefficient_of_every_pair() {
        for seed in 0..6 {
            let old = random_texts(90, seed);
            let mut new = random_texts(70, seed + 100);
            new[5] = old[3].clone();
            let sim = Similarities::new(&items(&old), &items(&new), &mut Scratch::default());
            for (i, o) in old.iter().enumerate() {
                for (j, n) in new.iter().enumerate() {
                    let (a, b) = (gram_set(o), gram_set(n));
                    let shared = a.intersection(&b).count();
                    let expected = if o == n {
                        1.0
                    } else if shared == 0 {
                        0.0
                    } else {
                        2.0 * shared as f32 / (a.len() + b.len()) as f32
                    };
                    assert_eq!(
                        sim.get(i, j),
                        f64::from(expected),
                        "seed {seed}, old {i}, new {j}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_thread_s_reused_buffers_give_each_comparison_its_own_similarities() {
        let mut scratch = Scratch::default();
        for seed in 0..4 {
            let (old, new) = (
                random_texts(40 + 9 * seed as usize, seed),
                random_texts(33, seed + 50),
            );
            let reused = Similarities::new(&items(&old), &items(&new), &mut scratch);
            let fresh = Similarities::new(&items(&old), &items(&new), &mut Scratch::default());
            assert_eq!(reused.values, fresh.values, "seed {seed}");
        }
    }

    #[test]
    fn identical_documents_pair_every_directive() {
        let r = rows(BASE, BASE);
        assert_eq!(r.len(), 7);
        assert!(r.iter().all(|(n, o, c)| n == o && *c == "same"), "{r:?}");
    }

    #[test]
    fn an_insertion_renumbers_what_follows() {
        let new = BASE.replace(
            "② 若手職員",
            "② 職員の健康管理のため、定期的な面談を行うこと。\n\n③ 若手職員",
        );
        let new = new.replace("③ 管理職", "④ 管理職");
        let r = rows(BASE, &new);
        assert!(r.contains(&row("1.②", "-", "new")), "{r:?}");
        assert!(r.contains(&row("1.③", "1.②", "same")), "{r:?}");
        assert!(r.contains(&row("1.④", "1.③", "same")), "{r:?}");
        assert!(r.contains(&row("1.①", "1.①", "same")), "{r:?}");
    }

    #[test]
    fn a_deletion_renumbers_what_follows() {
        let new = BASE
            .replace(
                "② 若手職員の育成のため、メンター制度を継続すること。\n\n",
                "",
            )
            .replace("③ 管理職", "② 管理職");
        let r = rows(BASE, &new);
        assert!(r.contains(&row("-", "1.②", "removed")), "{r:?}");
        assert!(r.contains(&row("1.②", "1.③", "same")), "{r:?}");
        assert_eq!(r.len(), 7, "{r:?}");
    }

    #[test]
    fn a_new_section_shifts_every_later_number() {
        let new = BASE.replace(
            "## ２．業務改革",
            "## ２．防災対策について\n\n① 地域防災計画を改定すること。\n\n## ３．業務改革",
        );
        let r = rows(BASE, &new);
        assert!(r.contains(&row("2.", "-", "new")), "{r:?}");
        assert!(r.contains(&row("2.①", "-", "new")), "{r:?}");
        assert!(r.contains(&row("3.", "2.", "same")), "{r:?}");
        assert!(r.contains(&row("3.①", "2.①", "same")), "{r:?}");
        assert!(r.contains(&row("3.②", "2.②", "same")), "{r:?}");
    }

    #[test]
    fn a_directive_moved_into_a_new_section_is_still_paired() {
        // The last directive of section 1 opens a new section 2: new parent, new number.
        let new = BASE
            .replace("③ 管理職はハラスメントのない職場づくりに努めること。\n\n", "")
            .replace(
                "## ２．業務改革",
                "## ２．職場環境について\n\n① 管理職はハラスメントのない職場づくりに努めること。\n\n## ３．業務改革",
            );
        let r = rows(BASE, &new);
        assert!(r.contains(&row("2.", "-", "new")), "{r:?}");
        assert!(r.contains(&row("2.①", "1.③", "same")), "{r:?}");
        assert!(r.contains(&row("3.①", "2.①", "same")), "{r:?}");
        assert_eq!(r.len(), 8, "{r:?}");
    }

    #[test]
    fn a_directive_moved_past_others_is_paired_where_it_stands_now() {
        // Section 1's ③ moves to the end of section 2, past the heading 2. and its
        // items: the ordered alignment cannot pair it, the second pass does.
        let new = BASE
            .replace("③ 管理職はハラスメントのない職場づくりに努めること。\n\n", "")
            .replace(
                "② 会議資料のペーパーレス化を徹底すること。\n",
                "② 会議資料のペーパーレス化を徹底すること。\n\n③ 管理職はハラスメントのない職場づくりに努めること。\n",
            );
        let r = rows(BASE, &new);
        assert_eq!(r.last(), Some(&row("2.③", "1.③", "same")), "{r:?}");
        assert!(!r.iter().any(|x| x.2 == "removed" || x.2 == "new"), "{r:?}");
        assert_eq!(r.len(), 7, "{r:?}");
    }

    #[test]
    fn an_edited_sentence_is_changed() {
        let new = BASE.replace("メンター制度を継続すること", "メンター制度を拡充すること");
        let r = rows(BASE, &new);
        assert!(r.contains(&row("1.②", "1.②", "changed")), "{r:?}");
        assert_eq!(r.iter().filter(|x| x.2 == "same").count(), 6);
    }

    #[test]
    fn a_split_directive_continues_as_its_first_half_and_adds_the_second() {
        let new = BASE
            .replace(
                "① 窓口手続のオンライン化を進めること。",
                "① 窓口手続のオンライン化を進めること。\n\n② 電子申請の利用を広く周知すること。",
            )
            .replace("② 会議資料", "③ 会議資料");
        let old = BASE.replace(
            "① 窓口手続のオンライン化を進めること。",
            "① 窓口手続のオンライン化を進め、電子申請の利用を広く周知すること。",
        );
        let r = rows(&old, &new);
        // One half continues the old directive (the more similar one), the other is new.
        let first =
            r.contains(&row("2.①", "2.①", "changed")) && r.contains(&row("2.②", "-", "new"));
        let second =
            r.contains(&row("2.②", "2.①", "changed")) && r.contains(&row("2.①", "-", "new"));
        assert!(first || second, "{r:?}");
        assert!(r.contains(&row("2.③", "2.②", "same")), "{r:?}");
        assert!(!r.iter().any(|x| x.2 == "removed"), "{r:?}");
    }

    #[test]
    fn different_text_is_removed_and_new_not_paired() {
        let new = BASE.replace(
            "② 会議資料のペーパーレス化を徹底すること。",
            "② 公用車の電動化を計画的に進めること。",
        );
        let r = rows(BASE, &new);
        assert!(r.contains(&row("-", "2.②", "removed")), "{r:?}");
        assert!(r.contains(&row("2.②", "-", "new")), "{r:?}");
    }

    #[test]
    fn the_same_sentence_under_two_headings_pairs_by_parent() {
        let text = "## １．総務課\n\n① 年度内に実施すること。\n\n## ２．人事課\n\n① 年度内に実施すること。\n";
        let new = text.replace(
            "## １．総務課\n\n① 年度内に実施すること。\n\n## ２．",
            "## １．",
        );
        let r = rows(text, &new);
        assert!(r.contains(&row("1.①", "2.①", "same")), "{r:?}");
        assert!(r.contains(&row("-", "1.①", "removed")), "{r:?}");
    }

    #[test]
    fn width_and_spacing_differences_are_the_same_text() {
        let new = BASE
            .replace("研修体系", "研修 体系")
            .replace("オンライン", "ｵﾝﾗｲﾝ");
        let r = rows(BASE, &new);
        assert!(r.iter().all(|x| x.2 == "same"), "{r:?}");
    }

    #[test]
    fn counts_and_lookups_agree_with_the_rows() {
        let new = BASE.replace("メンター制度を継続すること", "メンター制度を拡充すること");
        let (o, n) = (doc("2023/a", 2023, BASE), doc("2024/a", 2024, &new));
        let a = align(&o, &n);
        let c = a.counts();
        assert_eq!((c.new, c.changed, c.removed, c.same), (0, 1, 0, 6));
        assert_eq!(a.old_of_new[2], Some(2));
        assert_eq!(a.new_of_old[2], Some(2));
        assert_eq!(a.change_of_new[2], Change::Changed);
    }
}
