//! Sizes and times of the search index's deflate, flate2 (zlib-rs backend)
//! against libdeflate, on the shards of a built site (a tuning aid).
//!
//! ```text
//! cargo run --release --example deflate_levels -- SITE
//! ```

use std::io::Write as _;
use std::time::Instant;

fn main() {
    let site =
        std::path::PathBuf::from(std::env::args().nth(1).expect("usage: deflate_levels SITE"));
    for (kind, dir) in [("t", "search/t"), ("d", "search/d")] {
        let mut data = Vec::new();
        for e in walkdir::WalkDir::new(site.join(dir)).into_iter().flatten() {
            if e.file_type().is_file() && data.len() < 300 {
                let bytes = std::fs::read(e.path()).expect("read shard");
                if let Some(json) = hoshin::search::shard::inflated_data(kind, &bytes) {
                    data.push(json);
                }
            }
        }
        let raw: usize = data.iter().map(Vec::len).sum();
        println!("{kind}: {} files, {raw} bytes of JSON", data.len());
        for level in [1u8, 2, 3, 4, 6, 9] {
            let t = Instant::now();
            let size: usize = data
                .iter()
                .map(|d| {
                    let mut e = flate2::write::ZlibEncoder::new(
                        Vec::new(),
                        flate2::Compression::new(u32::from(level)),
                    );
                    e.write_all(d).expect("deflate");
                    e.finish().expect("deflate").len()
                })
                .sum();
            let zrs = t.elapsed();
            let t = Instant::now();
            let size2: usize = data
                .iter()
                .map(|d| {
                    let lvl = libdeflater::CompressionLvl::new(i32::from(level)).expect("level");
                    let mut c = libdeflater::Compressor::new(lvl);
                    let mut out = vec![0u8; c.zlib_compress_bound(d.len())];
                    c.zlib_compress(d, &mut out).expect("deflate")
                })
                .sum();
            let libdeflate = t.elapsed();
            println!(
                "  level {level}: zlib-rs {:.3} in {:>4} ms   libdeflate {:.3} in {:>4} ms",
                size as f64 / raw as f64,
                zrs.as_millis(),
                size2 as f64 / raw as f64,
                libdeflate.as_millis()
            );
        }
    }
}
