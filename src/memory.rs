//! The process's memory, as `--timings` shows it beside each stage: which
//! stage holds the build's peak is what a change to memory use is aimed at.

/// Resident memory, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident now (VmRSS).
    pub resident: u64,
    /// The most resident so far in the process's life (VmHWM).
    pub peak: u64,
}

/// The memory now, where the system tells it (Linux's `/proc/self/status`);
/// `None` elsewhere.
pub fn now() -> Option<Memory> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    Some(Memory {
        resident: field_kb(&status, "VmRSS:")? * 1024,
        peak: field_kb(&status, "VmHWM:")? * 1024,
    })
}

/// Hands the pages that jemalloc holds freed back to the system at once
/// (`arena.<all>.purge`), instead of over the next ten seconds as its decay
/// would. A full build calls it each time it has dropped a large part of
/// what it holds: the sources after parse, their kept lines before render,
/// and the pages' bodies, links and comparisons before the search index
/// (there it lowered the peak by ~30 MB at 5,000 policies; BENCHMARKS.md,
/// issue 11, fifth round); and, in the two stages that free the most as
/// they go, after each group of pages rendered and of search chunks folded
/// (eighth round). Purging always, as
/// `dirty_decay_ms:0` does, costs seconds of system time; a short decay
/// from here on (100 ms) saved 25 MB more for 0.15–0.4 s, and is not used.
///
/// Without jemalloc (MSVC builds, where the system allocator is used)
/// nothing is done; where jemalloc is linked but is not the allocator (the
/// library's tests), it purges jemalloc's own unused arenas, harmlessly.
pub fn return_freed() {
    #[cfg(not(target_env = "msvc"))]
    {
        // 4096 is MALLCTL_ARENAS_ALL: every arena.
        let name = c"arena.4096.purge";
        // SAFETY: a void mallctl takes no old or new value: every pointer
        // is null and the length 0, so jemalloc touches no memory of ours;
        // the name is a NUL-terminated C string that outlives the call. A
        // failure (an error code) is harmless: the pages stay resident.
        unsafe {
            let _ = tikv_jemalloc_sys::mallctl(
                name.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                0,
            );
        }
    }
}

/// `VmRSS:    1234 kB` → 1234.
fn field_kb(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_in_kilobytes() {
        let status = "Name:\thoshin\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        assert_eq!(field_kb(status, "VmRSS:"), Some(102_400));
        assert_eq!(field_kb(status, "VmHWM:"), Some(204_800));
        assert_eq!(field_kb(status, "VmSwap:"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_linux_process_knows_its_memory() {
        let m = now().expect("/proc/self/status");
        assert!(m.resident > 0 && m.peak >= m.resident);
    }
}
