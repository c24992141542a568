//! The body parser, linker and renderer: any Markdown under a valid front
//! matter gives a document (or located errors), and its page renders.
#![no_main]
use libfuzzer_sys::fuzz_target;

const HEAD: &str = "---\nyear: 2023\ndepartment: 総務部\nauthor: 総務部長 X\n---\n";

fuzz_target!(|body: &str| {
    hoshin::fuzzing::check_document(&format!("{HEAD}{body}"));
});
