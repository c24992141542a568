//! Lowering the scheduling priority of the threads that bring the deferred
//! indexes up to date.
//!
//! The machine may have only two cores: a settle thread at the same
//! priority as the watch loop takes one of them for seconds, and a save
//! that lands meanwhile waits for the scheduler before its rebuild starts
//! (and its rebuild's render threads share the cores with it). At the
//! lowest priority the settle only gets the time a rebuild leaves over: a
//! rebuild's threads preempt it as soon as they wake.

/// Gives the calling thread the lowest scheduling priority (nice 19), on
/// Linux, where the nice value is a thread's own; elsewhere it would be the
/// whole process's, so nothing is done there. A failure is harmless: the
/// thread keeps its priority.
pub(super) fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid and setpriority take plain integers and touch no
        // memory of ours; setpriority on our own thread id changes only
        // that thread's nice value.
        unsafe {
            let tid = libc::gettid();
            // PRIO_PROCESS with a thread id: that thread alone on Linux.
            let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
        }
    }
}

/// Drops `value` on a thread of its own at the lowest priority: for large
/// structures of many small allocations whose freeing would hold up the
/// caller. If no thread can be had, it is dropped here (with the closure
/// that `spawn` hands back).
pub(super) fn free<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("hoshin-free".into())
        .spawn(move || {
            lower_priority();
            drop(value);
        });
}
