//! `hoshin watch` and `hoshin serve` (pending).

use std::net::SocketAddr;

use crate::build::BuildOptions;

/// Builds, then rebuilds on every change; serves the output when `serve` is given.
pub fn run(_opts: &BuildOptions, _poll: bool, _serve: Option<SocketAddr>) -> i32 {
    eprintln!("error: watch is not implemented yet");
    2
}
