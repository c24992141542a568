//! Bridges the site to the search index: one record per directive and one per
//! document preamble (SPEC §6).
//!
//! A full build writes the whole index ([`index_files`]). While the author
//! edits (`hoshin watch`), a rebuild need not: keep the [`IndexState`] of
//! the last full index ([`index_files_with_state`]) and write only the
//! delta of the documents touched since then ([`delta_files`]); build the
//! full index again when the author pauses, which also empties the delta.

use std::borrow::Cow;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::layout::{encode_path, OutputFile};
use crate::model::{AllTexts, Document};
use crate::render::SiteView;
use crate::search::{
    build_delta, build_index_with_state, IndexState, RecordRef, Records, SearchRecord,
};

/// What every record of a document shares, made once per document: the
/// records of a full build borrow it, as they borrow the document's key,
/// title and department (at 5,000 policies a copy of these per record was
/// 55 MB of the search index's peak; BENCHMARKS.md, issue 11, sixth round).
pub struct Shared {
    /// The page, `2023/somu.html`, encoded.
    page: String,
    /// 「総務部（令和5年度）」, what each directive's label has before its
    /// citation.
    label_head: String,
    /// `paths[i]`: the heading path of directive i's children, its own
    /// path and its step (`1. 人材の育成 › (1) 研修の充実`); empty for a
    /// directive without children, whose path no record shows.
    paths: Vec<String>,
    /// The heading paths of directives whose parent comes after them,
    /// which a parsed document never has (kept so that every record can
    /// still borrow its path).
    odd: Vec<(usize, String)>,
}

impl Shared {
    /// The shared strings of `doc`'s records.
    pub fn of(doc: &Document) -> Shared {
        // The steps of the paths hold the directives' headings, which are
        // most often the openings of their texts.
        let texts = doc.texts.all();
        let mut has_children = vec![false; doc.directives.len()];
        for d in &doc.directives {
            if let Some(flag) = d.parent().and_then(|p| has_children.get_mut(p)) {
                *flag = true;
            }
        }
        let mut odd = Vec::new();
        for (i, d) in doc.directives.iter().enumerate() {
            if d.parent().is_some_and(|p| p >= i) {
                odd.push((i, ancestry_path(doc, &texts, i)));
            }
        }
        let mut paths: Vec<String> = Vec::with_capacity(doc.directives.len());
        for (i, d) in doc.directives.iter().enumerate() {
            if !has_children[i] {
                paths.push(String::new());
                continue;
            }
            let own = step(d, texts.get(i));
            let parent = heading_path(doc, &paths, &odd, i);
            paths.push(match parent {
                "" => own,
                parent => concat(&[parent, " › ", &own]),
            });
        }
        Shared {
            page: encode_path(&doc.url()),
            label_head: doc.label_prefix(),
            paths,
            odd,
        }
    }
}

/// Directive i's heading path: its parent's entry of `paths` (which holds
/// the entries of the directives before i), or its entry of `odd`.
fn heading_path<'p>(
    doc: &Document,
    paths: &'p [String],
    odd: &'p [(usize, String)],
    i: usize,
) -> &'p str {
    match doc.directives[i].parent() {
        Some(p) if p < i => paths[p].as_str(),
        Some(_) => odd
            .iter()
            .find(|(at, _)| *at == i)
            .map_or("", |(_, path)| path.as_str()),
        None => "",
    }
}

/// Directive i's heading path made from its ancestors' steps, for a
/// parent that comes after its child.
fn ancestry_path(doc: &Document, texts: &AllTexts<'_>, i: usize) -> String {
    let ancestry = doc.ancestry(i);
    ancestry[..ancestry.len() - 1]
        .iter()
        .map(|&a| step(&doc.directives[a], texts.get(a)))
        .collect::<Vec<_>>()
        .join(" › ")
}

/// The search records of one document, borrowing its key, title,
/// department and preamble and `shared` ([`Shared::of`] the document), and
/// its directives' texts too where the document holds them unpacked (a
/// parsed document holds them packed: each record then owns its text).
pub fn document_records<'a>(doc: &'a Document, shared: &'a Shared) -> Vec<SearchRecord<'a>> {
    let mut records = Vec::with_capacity(doc.directives.len() + 1);
    push_document_records(&mut records, doc, shared);
    records
}

/// How many records `doc` has: one per directive, and one for its
/// preamble if it has one.
fn record_count(doc: &Document) -> usize {
    doc.directives.len() + usize::from(!doc.preamble.is_empty())
}

/// Record `k` of `doc` (`k < record_count(doc)`): its preamble first, if it
/// has one, then its directives in order; `shared` is [`Shared::of`] it.
/// The one home of what a record holds.
fn record_ref<'a>(doc: &'a Document, shared: &'a Shared, k: usize) -> RecordRef<'a> {
    let has_preamble = !doc.preamble.is_empty();
    let Some(i) = k.checked_sub(usize::from(has_preamble)) else {
        return RecordRef {
            page: &shared.page,
            doc: &doc.key,
            id: None,
            citation: "",
            label_head: &doc.title,
            title: &doc.title,
            heading_path: "",
            year: doc.meta.year,
            department: &doc.meta.department,
        };
    };
    let d = &doc.directives[i];
    RecordRef {
        page: &shared.page,
        doc: &doc.key,
        id: Some(d.id()),
        citation: d.citation(),
        label_head: &shared.label_head,
        title: &doc.title,
        heading_path: heading_path(doc, &shared.paths, &shared.odd, i),
        year: doc.meta.year,
        department: &doc.meta.department,
    }
}

/// [`document_records`], appended to `records`.
fn push_document_records<'a>(
    records: &mut Vec<SearchRecord<'a>>,
    doc: &'a Document,
    shared: &'a Shared,
) {
    // Unpacked once for all of the document's records, which then own
    // their texts; texts held unpacked are borrowed.
    let unpacked = doc.texts.is_packed().then(|| doc.texts.all());
    let has_preamble = usize::from(!doc.preamble.is_empty());
    records.extend((0..record_count(doc)).map(|k| {
        let text = match (k.checked_sub(has_preamble), &unpacked) {
            (None, _) => Cow::Borrowed(doc.preamble.as_str()),
            (Some(i), Some(all)) => Cow::Owned(all.get(i).to_string()),
            (Some(i), None) => doc.texts.one(i),
        };
        SearchRecord::new(record_ref(doc, shared, k), text)
    }));
}

/// The search records of one document, owning every field: for a thread
/// that outlives the documents (watch's deferred index), and for a delta's
/// few documents.
pub fn owned_document_records(doc: &Document) -> Vec<SearchRecord<'static>> {
    let shared = Shared::of(doc);
    document_records(doc, &shared)
        .into_iter()
        .map(SearchRecord::into_owned)
        .collect()
}

/// A directive's step in the heading paths of its descendants: its citation
/// and its heading, shortened; `text` is its text.
fn step(d: &crate::model::Directive, text: &str) -> String {
    concat(&[
        d.citation(),
        " ",
        &crate::parse::shorten(d.heading(text), 40),
    ])
}

/// `parts` joined, in one allocation (`format!` costs several times more,
/// and this runs a few times per directive of the site).
fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// The shared strings of every document's records ([`Shared::of`]), in
/// document order: what [`SiteRecords`] borrows.
pub fn shared(view: &SiteView<'_>) -> Vec<Shared> {
    view.docs.par_iter().map(Shared::of).collect()
}

/// Every search record of the site, in document order, made when the
/// index asks for it ([`Records`]): the records only borrow, so making one
/// is a few copies of pointers, and the site's 300,000 records are never
/// held (at 5,000 policies a vector of them was 68 MB of the search
/// stage's peak, and a vector per document collected in parallel first
/// held them twice; BENCHMARKS.md, issue 11, seventh round).
pub struct SiteRecords<'a> {
    docs: &'a [Document],
    shared: &'a [Shared],
    /// Per record: its document, and its number among the document's.
    at: Vec<(u32, u32)>,
    /// Per thread of the pool, and one for any other thread: the texts of
    /// the document whose text it read last, unpacked. The index reads the
    /// records of a document one after another, so each pass over the
    /// texts unpacks each document about once, and the site's texts are
    /// never held unpacked together (93 MB at 5,000 policies; BENCHMARKS.md,
    /// issue 11, eighth round).
    unpacked: Vec<Mutex<Option<(u32, AllTexts<'a>)>>>,
}

impl<'a> SiteRecords<'a> {
    /// The records of `docs`; `shared[i]` is [`Shared::of`] `docs[i]`
    /// ([`shared`] of their view).
    pub fn new(docs: &'a [Document], shared: &'a [Shared]) -> Self {
        let count = docs.iter().map(record_count).sum();
        let mut at = Vec::with_capacity(count);
        for (d, doc) in docs.iter().enumerate() {
            at.extend((0..record_count(doc)).map(|k| (d as u32, k as u32)));
        }
        let unpacked = (0..=rayon::current_num_threads())
            .map(|_| Mutex::new(None))
            .collect();
        SiteRecords {
            docs,
            shared,
            at,
            unpacked,
        }
    }

    /// Record `i`'s document, and its directive if it is not the preamble.
    fn place(&self, i: usize) -> (u32, &'a Document, Option<usize>) {
        let (d, k) = self.at[i];
        let doc = &self.docs[d as usize];
        let has_preamble = usize::from(!doc.preamble.is_empty());
        (d, doc, (k as usize).checked_sub(has_preamble))
    }
}

impl Records for SiteRecords<'_> {
    fn count(&self) -> usize {
        self.at.len()
    }

    fn get(&self, i: usize) -> RecordRef<'_> {
        let (d, k) = self.at[i];
        record_ref(&self.docs[d as usize], &self.shared[d as usize], k as usize)
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        let (d, doc, directive) = self.place(i);
        let Some(j) = directive else {
            return Cow::Borrowed(&doc.preamble);
        };
        if !doc.texts.is_packed() {
            return doc.texts.one(j);
        }
        let last = self.unpacked.len() - 1;
        let slot = rayon::current_thread_index().map_or(last, |t| t.min(last));
        // A poisoned lock only means another thread panicked; the cache is
        // still a document's texts.
        let mut cache = self.unpacked[slot]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match &*cache {
            Some((held, all)) if *held == d => Cow::Owned(all.get(j).to_string()),
            _ => {
                let all = doc.texts.all();
                let text = all.get(j).to_string();
                *cache = Some((d, all));
                Cow::Owned(text)
            }
        }
    }

    fn text_len(&self, i: usize) -> usize {
        match self.place(i) {
            (_, doc, None) => doc.preamble.len(),
            (_, doc, Some(j)) => doc.texts.len_of(j),
        }
    }
}

/// The search index files of a site (with the empty delta).
pub fn index_files(view: &SiteView<'_>) -> Vec<OutputFile> {
    index_files_with_state(view).0
}

/// Builds the search index of a site and hands each file to `sink` as soon
/// as it is made (a full build writes it at once, so the index never sits
/// in memory whole). Returns the files `sink` could not take, and what
/// [`delta_files`] needs to overlay later changes on the index.
pub fn write_index(
    view: &SiteView<'_>,
    sink: &(dyn Fn(OutputFile) -> std::io::Result<()> + Sync),
) -> (Vec<(String, std::io::Error)>, IndexState) {
    let failed = std::sync::Mutex::new(Vec::new());
    let shared = shared(view);
    let state = crate::search::write_index(&SiteRecords::new(view.docs, &shared), &|f| {
        let path = f.path.clone();
        if let Err(e) = sink(convert(f)) {
            if let Ok(mut failed) = failed.lock() {
                failed.push((path, e));
            }
        }
    });
    let mut failed = failed.into_inner().unwrap_or_default();
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    (failed, state)
}

/// Builds the search index of `records` (owned, as watch's settle thread
/// keeps them) and hands each file to `sink` as soon as it is made; returns
/// what [`delta_files`] needs to overlay later changes on it.
pub fn write_records_index(
    records: &[SearchRecord],
    sink: &(dyn Fn(OutputFile) + Sync),
) -> IndexState {
    crate::search::write_index(records, &|f| sink(convert(f)))
}

/// The search index files of a site, and the state that [`delta_files`]
/// needs to overlay later changes on them.
pub fn index_files_with_state(view: &SiteView<'_>) -> (Vec<OutputFile>, IndexState) {
    let shared = shared(view);
    let (files, state) = build_index_with_state(&SiteRecords::new(view.docs, &shared));
    (files.into_iter().map(convert).collect(), state)
}

/// The delta over the full index that `state` describes: `touched` are the
/// keys of every document added, changed or removed since that full build
/// (the whole set, not just the latest edit; a key may be given more than
/// once). Those still in `view` are indexed anew, the others are removed.
/// Returns `search/delta.js`, to write over the previous one; it costs
/// time in proportion to the touched documents only.
pub fn delta_files(state: &IndexState, view: &SiteView<'_>, touched: &[String]) -> Vec<OutputFile> {
    let mut changed: Vec<(String, Vec<SearchRecord>)> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for key in touched {
        if !seen.insert(key.as_str()) {
            continue;
        }
        // A scan, not a binary search: it need not trust the order of the
        // documents, and a scan of thousands of keys takes microseconds.
        match view.docs.iter().find(|d| d.key == *key) {
            Some(doc) => changed.push((key.clone(), owned_document_records(doc))),
            None => removed.push(key.clone()),
        }
    }
    build_delta(state, &changed, &removed)
        .into_iter()
        .map(convert)
        .collect()
}

fn convert(f: crate::search::OutputFile) -> OutputFile {
    OutputFile {
        path: f.path,
        bytes: f.bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::testing::doc;
    use std::borrow::Cow;

    const BODY: &str =
        "前文の段落。\n\n## 1. 人材の育成\n\n### (1) 研修の充実\n\n職員研修を充実すること。\n";

    /// The fields of a record, by whether they borrow.
    fn borrowed(r: &SearchRecord<'_>) -> Vec<bool> {
        let b = |c: &Cow<'_, str>| matches!(c, Cow::Borrowed(_));
        let mut out = vec![b(&r.doc), b(&r.title), b(&r.text), b(&r.department)];
        out.extend([b(&r.page), b(&r.label_head), b(&r.heading_path)]);
        out.extend(r.id.as_ref().map(b));
        out
    }

    #[test]
    fn a_full_build_borrows_the_documents_strings_and_the_settle_thread_owns_them() {
        let mut d = doc("2023/somu", 2023, BODY);
        assert!(d.texts.is_packed(), "parse packs the texts");
        let shared = Shared::of(&d);
        let borrowing = document_records(&d, &shared);
        let owning = owned_document_records(&d);
        assert!(borrowing.len() >= 3, "{borrowing:?}");
        // The same records either way: only where their strings live differs.
        assert_eq!(borrowing, owning);
        for r in &borrowing {
            // The text (the third field `borrowed` gives) is unpacked from
            // the document's packed texts; the preamble's is borrowed.
            let mut expected = vec![true; borrowed(r).len()];
            expected[2] = r.id.is_none();
            assert_eq!(borrowed(r), expected, "{r:?}");
        }
        for r in &owning {
            assert!(borrowed(r).iter().all(|&b| !b), "{r:?}");
        }
        // Texts held unpacked are borrowed, not copied.
        d.texts.unpack();
        let shared = Shared::of(&d);
        let borrowing = document_records(&d, &shared);
        assert_eq!(borrowing, owning);
        for r in &borrowing {
            assert!(borrowed(r).iter().all(|&b| b), "{r:?}");
        }
        let last = borrowing.last().map(|r| r.text.as_ptr());
        let own = d.texts.one(d.directives.len() - 1);
        assert!(matches!(own, Cow::Borrowed(_)));
        assert_eq!(last, Some(own.as_ptr()));
    }

    /// [`document_records`] of each document in turn: what [`SiteRecords`]
    /// over them must give.
    fn each_documents_records<'a>(
        docs: &'a [Document],
        shared: &'a [Shared],
    ) -> Vec<SearchRecord<'a>> {
        docs.iter()
            .zip(shared)
            .flat_map(|(d, s)| document_records(d, s))
            .collect()
    }

    #[test]
    fn the_sites_records_made_on_demand_are_each_documents_records_in_order() {
        let docs = vec![
            doc("2023/somu", 2023, BODY),
            doc(
                "2023/zaisei",
                2023,
                "## 1. 予算\n\n### (1) 執行\n\n適正に執行すること。\n",
            ),
            doc("2024/somu", 2024, BODY),
        ];
        let shared: Vec<Shared> = docs.iter().map(Shared::of).collect();
        let site = SiteRecords::new(&docs, &shared);
        let expected = each_documents_records(&docs, &shared);
        // One preamble (the second document has none) and two directives each.
        assert_eq!(site.count(), 8);
        let made: Vec<SearchRecord> = (0..site.count())
            .map(|i| SearchRecord::new(site.get(i), site.text(i)))
            .collect();
        assert_eq!(made, expected);
        for (i, r) in made.iter().enumerate() {
            assert_eq!(site.text_len(i), r.text.len(), "record {i}");
        }
        assert_eq!(made[3].text, "予算");
        assert_eq!(made[4].heading_path, "1. 予算");
    }

    #[test]
    fn texts_read_from_many_threads_in_any_order_are_each_records_own() {
        // Documents of more than one block of texts each, read by the pool's
        // threads in an order that jumps between documents: every read that
        // misses a thread's last document unpacks another one.
        let body = |k: usize| -> String {
            (1..=40)
                .map(|n| format!("{n}. 文書{k}の第{n}の取組を進めること。\n\n"))
                .collect()
        };
        let docs: Vec<Document> = (0..6)
            .map(|k| doc(&format!("2023/d{k}"), 2023, &body(k)))
            .collect();
        // More than two blocks of 16 texts each.
        assert!(docs
            .iter()
            .all(|d| d.texts.len() > 32 && d.texts.is_packed()));
        let shared: Vec<Shared> = docs.iter().map(Shared::of).collect();
        let site = SiteRecords::new(&docs, &shared);
        let expected: Vec<String> = each_documents_records(&docs, &shared)
            .into_iter()
            .map(|r| r.text.into_owned())
            .collect();
        let count = site.count();
        // A fixed shuffle: stride 7 through the records, coprime to their count.
        assert_ne!(count % 7, 0, "{count} records");
        let order: Vec<usize> = (0..count).map(|k| k * 7 % count).collect();
        let read: Vec<(usize, String)> = order
            .par_iter()
            .map(|&i| (i, site.text(i).into_owned()))
            .collect();
        for (i, text) in read {
            assert_eq!(text, expected[i], "record {i}");
            assert!(!text.is_empty(), "record {i}");
        }
    }

    #[test]
    fn records_show_their_url_label_and_the_heading_path_of_their_ancestors() {
        let d = doc("2023/somu", 2023, BODY);
        let shared = Shared::of(&d);
        let records = document_records(&d, &shared);
        let shown: Vec<(String, String, &str)> = records
            .iter()
            .map(|r| (r.url(), r.label(), &*r.heading_path))
            .collect();
        let label = |c: &str| format!("{}{c}", d.label_prefix());
        assert_eq!(
            shown,
            [
                ("2023/somu.html".to_string(), d.title.clone(), ""),
                ("2023/somu.html#n1".to_string(), label("1."), ""),
                (
                    "2023/somu.html#n1-p1".to_string(),
                    label("1.(1)"),
                    "1. 人材の育成"
                ),
            ]
        );
        // Only a directive with children keeps a path for them.
        assert_eq!(shared.paths, ["1. 人材の育成".to_string(), String::new()]);
    }
}
