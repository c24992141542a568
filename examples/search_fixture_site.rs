//! Writes the search index of the browser tests' synthetic site to a folder
//! (a profiling aid: `node bench/search_bytes.js DIR QUERY…` then reads it).
//!
//! ```text
//! cargo run --release --example search_fixture_site -- DIR [DOCS]
//! ```
//!
//! DOCS defaults to 5,000, the site of `large_site_budget`.

use hoshin::search::{build_index, SearchRecord};

#[allow(dead_code)]
#[path = "../tests/it/support/search_fixture.rs"]
mod fixture;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: search_fixture_site DIR [DOCS]"));
    let docs = args.next().and_then(|n| n.parse().ok()).unwrap_or(5000);
    let records: Vec<SearchRecord> = fixture::synthetic_site(docs);
    let t = std::time::Instant::now();
    let files = build_index(&records);
    println!(
        "{} records → {} files, {:.1} MB in {:.2} s",
        records.len(),
        files.len(),
        files.iter().map(|f| f.bytes.len()).sum::<usize>() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    for f in files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("a file under search/"))
            .expect("create folder");
        std::fs::write(path, f.bytes).expect("write file");
    }
}
