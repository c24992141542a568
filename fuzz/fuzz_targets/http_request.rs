//! serve's HTTP request parser: any bytes from a client.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hoshin::fuzzing::check_http_request(data);
});
