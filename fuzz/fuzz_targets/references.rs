//! Reference parsing: `[[…]]` splitting and citations as people type them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    hoshin::fuzzing::check_references(text);
});
