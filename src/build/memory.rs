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
