//! Live reload: the state shared with the rebuild loop, the event stream that
//! tells open pages about it, and the script that listens to that stream.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::http::{Body, Response};

/// The tag injected into every HTML page the preview server sends.
pub const SCRIPT_TAG: &str = r#"<script src="/__hoshin/live.js"></script>"#;

/// The client script; `__HOSHIN_BUILD__` is replaced per request.
const LIVE_JS: &str = include_str!("live.js");

/// Shared state between the rebuild loop and the server: reload generation and
/// current build errors.
///
/// The rebuild loop calls [`rebuilt`](LiveState::rebuilt) or
/// [`failed`](LiveState::failed) after each build; every open event stream is
/// woken and tells its page to reload or to show the errors.
pub struct LiveState {
    inner: Mutex<Inner>,
    changed: Condvar,
}

struct Inner {
    /// Bumped by every call, so a waiting stream knows something happened.
    version: u64,
    /// Bumped by every successful build: a page from an older generation reloads.
    generation: u64,
    /// Diagnostics of the latest build, if it failed.
    error: Option<String>,
    /// Distinguishes this process's builds from a previous server's, so a page
    /// still open from before a restart reloads on reconnecting.
    nonce: u64,
}

/// What a stream knows of the state at one moment.
#[derive(Clone, Debug)]
pub struct Snapshot {
    version: u64,
    generation: u64,
    /// Diagnostics of the current failed build, if any.
    pub error: Option<String>,
    /// Identifies the last good build (see `live.js`).
    pub build_id: String,
}

/// How a wait for a change ended.
enum Wait {
    Changed(Snapshot),
    TimedOut,
    Stopped,
}

impl LiveState {
    /// A fresh state: no build failed, generation 0.
    pub fn new() -> Arc<LiveState> {
        let nonce = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ (u64::from(std::process::id()) << 32);
        Arc::new(LiveState {
            inner: Mutex::new(Inner {
                version: 0,
                generation: 0,
                error: None,
                nonce,
            }),
            changed: Condvar::new(),
        })
    }

    /// A rebuild succeeded: clear errors, tell every open page to reload.
    pub fn rebuilt(&self) {
        let mut inner = self.lock();
        inner.version += 1;
        inner.generation += 1;
        inner.error = None;
        drop(inner);
        self.changed.notify_all();
    }

    /// A rebuild failed: keep serving the last good site, show these
    /// diagnostics (plain text, may contain ANSI-free rustc-style multi-line
    /// messages) as an overlay on open pages until the next successful rebuild.
    ///
    /// ANSI colour codes are stripped anyway, should a coloured terminal
    /// rendering be passed by mistake.
    pub fn failed(&self, diagnostics: String) {
        let diagnostics = strip_ansi(&diagnostics);
        let mut inner = self.lock();
        inner.version += 1;
        inner.error = Some(diagnostics);
        drop(inner);
        self.changed.notify_all();
    }

    /// The current state.
    pub fn snapshot(&self) -> Snapshot {
        Self::snap(&self.lock())
    }

    fn snap(inner: &Inner) -> Snapshot {
        Snapshot {
            version: inner.version,
            generation: inner.generation,
            error: inner.error.clone(),
            build_id: format!("{:x}-{}", inner.nonce, inner.generation),
        }
    }

    /// Wakes every waiting stream so it can notice `stop` (the server stopping).
    pub fn wake(&self) {
        // Taking the lock orders this after any waiter's check of `stop`, so
        // the wake-up cannot fall between its check and its wait.
        drop(self.lock());
        self.changed.notify_all();
    }

    /// Waits until the version differs from `seen`, `timeout` passes, or `stop` is set.
    fn wait_change(&self, seen: u64, timeout: Duration, stop: &AtomicBool) -> Wait {
        let deadline = Instant::now() + timeout;
        let mut inner = self.lock();
        loop {
            if stop.load(Ordering::SeqCst) {
                return Wait::Stopped;
            }
            if inner.version != seen {
                return Wait::Changed(Self::snap(&inner));
            }
            let now = Instant::now();
            if now >= deadline {
                return Wait::TimedOut;
            }
            inner = self
                .changed
                .wait_timeout(inner, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state stays consistent whatever panicked while holding it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The `/__hoshin/live.js` response for the current build.
pub fn script_response(live: &LiveState) -> Response {
    let js = LIVE_JS.replace("__HOSHIN_BUILD__", &live.snapshot().build_id);
    Response::new(
        200,
        "text/javascript; charset=utf-8",
        Body::Bytes(js.into_bytes()),
    )
}

/// Streams server-sent events on `w` until the client goes away or `stop` is set.
///
/// On connecting: `retry`, then `hello` with the build id, then `error` if the
/// latest build failed. Afterwards: `reload` after a successful rebuild,
/// `error` after a failed one, and a comment every `keepalive` so that a
/// vanished client is noticed (the write fails) and proxies keep the stream open.
pub fn stream_events<W: Write>(
    w: &mut W,
    live: &LiveState,
    stop: &AtomicBool,
    keepalive: Duration,
    head_only: bool,
) -> io::Result<()> {
    Response::new(200, "text/event-stream; charset=utf-8", Body::Stream)
        .write_to(w, head_only, false)?;
    if head_only {
        return Ok(());
    }
    let mut seen = live.snapshot();
    let mut out = String::from("retry: 1000\n\n");
    out.push_str(&event("hello", &seen.build_id));
    if let Some(diagnostics) = &seen.error {
        out.push_str(&event("error", diagnostics));
    }
    w.write_all(out.as_bytes())?;
    w.flush()?;
    loop {
        match live.wait_change(seen.version, keepalive, stop) {
            Wait::Stopped => return Ok(()),
            Wait::TimedOut => w.write_all(b": keep-alive\n\n")?,
            Wait::Changed(now) => {
                // Several changes may have happened since the last wake-up. A
                // new generation means reload; the reloaded page reconnects and
                // is then sent any error that came after it.
                if now.generation != seen.generation {
                    w.write_all(event("reload", "").as_bytes())?;
                } else if let Some(diagnostics) = &now.error {
                    w.write_all(event("error", diagnostics).as_bytes())?;
                }
                seen = now;
            }
        }
        w.flush()?;
    }
}

/// One SSE event; every line of `data` gets its own `data:` field, which the
/// browser joins back with `\n`.
fn event(name: &str, data: &str) -> String {
    let mut out = format!("event: {name}\n");
    let data = data.replace("\r\n", "\n").replace('\r', "\n");
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out
}

/// Inserts [`SCRIPT_TAG`] before the last `</body` (any case), or appends it.
pub fn inject(mut html: Vec<u8>) -> Vec<u8> {
    const CLOSE: &[u8] = b"</body";
    let at = html
        .windows(CLOSE.len())
        .rposition(|w| w.eq_ignore_ascii_case(CLOSE))
        .unwrap_or(html.len());
    html.splice(at..at, SCRIPT_TAG.bytes());
    html
}

/// Removes ANSI escape sequences (`ESC [ … final`, or `ESC` + one character).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_closing_body() {
        let out = inject(b"<html><body><p>x</p></BODY></html>".to_vec());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("<html><body><p>x</p>{SCRIPT_TAG}</BODY></html>")
        );
        let out = inject("<p>本文</p>".as_bytes().to_vec());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("<p>本文</p>{SCRIPT_TAG}")
        );
        let out = inject(b"<pre>&lt;/body&gt;</body></body >".to_vec());
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with(&format!("{SCRIPT_TAG}</body >")));
    }

    #[test]
    fn events_split_every_kind_of_line_break() {
        assert_eq!(event("reload", ""), "event: reload\ndata: \n\n");
        assert_eq!(
            event("error", "error: x\r\n  --> a.md:1:2\r|\n"),
            "event: error\ndata: error: x\ndata:   --> a.md:1:2\ndata: |\ndata: \n\n"
        );
    }

    #[test]
    fn strips_ansi_colours() {
        assert_eq!(
            strip_ansi("\x1b[1;31merror\x1b[0m: 未解決の参照"),
            "error: 未解決の参照"
        );
    }

    #[test]
    fn state_transitions() {
        let live = LiveState::new();
        let s0 = live.snapshot();
        live.failed("bad".into());
        let s1 = live.snapshot();
        assert_eq!(s1.error.as_deref(), Some("bad"));
        assert_eq!(
            s1.build_id, s0.build_id,
            "a failure keeps the last good build"
        );
        live.rebuilt();
        let s2 = live.snapshot();
        assert_eq!(s2.error, None);
        assert_ne!(s2.build_id, s1.build_id);
    }

    #[test]
    fn waits_end_on_change_timeout_or_stop() {
        let live = LiveState::new();
        let stop = AtomicBool::new(false);
        let v = live.snapshot().version;
        assert!(matches!(
            live.wait_change(v, Duration::from_millis(1), &stop),
            Wait::TimedOut
        ));
        live.rebuilt();
        assert!(matches!(
            live.wait_change(v, Duration::from_secs(60), &stop),
            Wait::Changed(_)
        ));
        stop.store(true, Ordering::SeqCst);
        assert!(matches!(
            live.wait_change(v + 1, Duration::from_secs(60), &stop),
            Wait::Stopped
        ));
    }

    #[test]
    fn script_carries_the_build_id() {
        let live = LiveState::new();
        let mut out = Vec::new();
        script_response(&live)
            .write_to(&mut out, false, false)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(&format!("\"{}\"", live.snapshot().build_id)));
        assert!(!text.contains("__HOSHIN_BUILD__"));
    }
}
