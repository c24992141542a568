//! Front matter: any bytes as a policy file — decoding (BOM, CRLF, not UTF-8),
//! the fences and the YAML fields — must give a document or located errors.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = match hoshin::load::decode(data.to_vec(), "content/2023/x.md") {
        Ok(f) => f,
        Err(d) => {
            let _ = d.to_string();
            return;
        }
    };
    if let Ok(split) = hoshin::frontmatter::split(&file) {
        assert!(split.body_start <= file.text.len());
        match hoshin::frontmatter::parse(&file, split.yaml) {
            Ok((_, warnings)) => {
                for w in warnings {
                    assert!(w.location.is_some(), "{w}");
                }
            }
            Err(errors) => {
                assert!(!errors.is_empty());
                for e in errors {
                    assert!(e.location.is_some(), "{e}");
                    let _ = e.to_string();
                }
            }
        }
    }
});
