//! The search normaliser and tokenizer: any text and any query.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    hoshin::fuzzing::check_search_text(text);
});
