//! The process's CPU time, as `--timings` shows it beside each stage: a
//! stage's CPU time over its wall time is how many cores it kept busy, which
//! tells a stage that waits (on the disk, on one thread) from one that
//! computes.

use std::time::Duration;

/// User plus system time of every thread of the process so far, where the
/// system tells it (`getrusage` on Unix); `None` elsewhere.
pub fn used() -> Option<Duration> {
    #[cfg(unix)]
    {
        // SAFETY: getrusage writes one `rusage` into the zeroed value it is
        // given, which lives until the call returns; RUSAGE_SELF is valid.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
                return None;
            }
            usage
        };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec.max(0) as u64)
                + Duration::from_micros(t.tv_usec.max(0) as u64)
        };
        Some(time(usage.ru_utime) + time(usage.ru_stime))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn cpu_time_grows_with_work() {
        let before = super::used().expect("getrusage");
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        assert!(super::used().expect("getrusage") > before, "{x}");
    }
}
