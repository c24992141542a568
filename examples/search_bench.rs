//! Times the search index of a site (a profiling aid for `src/search/`).
//!
//! ```text
//! cargo run --release --example search_bench -- ROOT [--repeat N] [--skip-index] [--delta N]
//! ```
//!
//! Loads, parses and links the site at `ROOT` (e.g. one written by
//! `examples/gen_corpus.rs`), makes its search records, then builds the full
//! index `--repeat` times (default 1) and prints the time, file count and
//! bytes of each build, records included (the build's `search index`
//! stage makes them too). `--skip-index` stops before the records: under
//! `valgrind --tool=callgrind` the difference between a run with and one
//! without it is the instruction count of the stage (rayon runs the work
//! on its own threads, so `--toggle-collect` would miss it).
//! `--delta N` also times `build_delta` for one edited document N times.

use hoshin::build::{compile, load_config, Timings};
use hoshin::search::{build_delta, build_index_with_state, Records, SearchRecord};
use hoshin::search_records::SiteRecords;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let (mut repeat, mut skip, mut delta) = (1usize, false, 0usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => {
                repeat = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--repeat N")
            }
            "--delta" => delta = args.next().and_then(|n| n.parse().ok()).expect("--delta N"),
            "--skip-index" => skip = true,
            _ => root = Some(PathBuf::from(a)),
        }
    }
    let root = root.expect("usage: search_bench ROOT [--repeat N] [--skip-index] [--delta N]");
    let config = load_config(&root).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    let mut timings = Timings::default();
    let (site, _) = compile(&root, config, false, &mut timings);
    let view = site.view();
    println!("{} documents", site.docs.len());
    if skip {
        return;
    }
    let shared = hoshin::search_records::shared(&view);
    let mut state = None;
    for _ in 0..repeat {
        // The records too: the build's "search index" stage makes them.
        let t = Instant::now();
        let records = SiteRecords::new(view.docs, &shared);
        let (files, built) = build_index_with_state(&records);
        let took = t.elapsed();
        state = Some(built);
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        println!(
            "build_index: {} files, {:.1} MB in {:.0} ms",
            files.len(),
            bytes as f64 / 1e6,
            took.as_secs_f64() * 1e3
        );
    }
    if let (true, Some(state)) = (delta > 0, state) {
        // Edit one directive of a document in the middle of the site.
        let records = SiteRecords::new(view.docs, &shared);
        let key = records.get(records.count() / 2).doc.to_string();
        let mut edited: Vec<SearchRecord> = (0..records.count())
            .filter(|&i| records.get(i).doc == key)
            .map(|i| SearchRecord::new(records.get(i), records.text(i)))
            .collect();
        if let Some(r) = edited.iter_mut().find(|r| r.id.is_some()) {
            r.text
                .to_mut()
                .push_str("（改訂：新たな取組を追加すること。）");
        }
        let changed = vec![(key.clone(), edited)];
        let t = Instant::now();
        let mut bytes = 0;
        for _ in 0..delta {
            bytes = build_delta(&state, &changed, &[])
                .iter()
                .map(|f| f.bytes.len())
                .sum();
        }
        if let Ok(path) = std::env::var("DELTA_OUT") {
            let files = build_delta(&state, &changed, &[]);
            std::fs::write(path, &files[0].bytes).expect("write the delta");
        }
        println!(
            "build_delta ({key}, {} records): {bytes} bytes in {:.3} ms each",
            changed[0].1.len(),
            t.elapsed().as_secs_f64() * 1e3 / delta as f64
        );
    }
}
