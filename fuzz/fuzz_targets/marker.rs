//! Marker detection: any text either starts with a marker whose length lies
//! on a character boundary inside the text, or does not.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(m) = hoshin::marker::detect(text) {
        assert!(m.len <= text.len() && text.is_char_boundary(m.len));
        let _ = hoshin::marker::citation_part(m.kind, &m.number, m.letter);
    }
});
