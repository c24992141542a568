//! Helpers for the `hoshin watch` / `hoshin serve` tests: a copy of the sample
//! site in a temporary folder, the binary running on it as a child process
//! (killed when the guard drops), bounded waits on the file system, and a
//! bare HTTP client for the preview server.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::site::{copy_tree, repo};

/// How long any one expected state may take to appear. Generous: the tests
/// run in parallel on small machines; nothing here asserts on timing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A site in a temporary folder: `root` (site.toml, content/) and `out`,
/// the output folder, beside it.
pub struct TempSite {
    _dir: tempfile::TempDir,
    /// The site root.
    pub root: PathBuf,
    /// The output folder given with `--output`.
    pub out: PathBuf,
}

impl TempSite {
    /// A copy of the sample site (site.toml and content/).
    pub fn sample() -> TempSite {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        copy_tree(&repo().join("content"), &root.join("content"));
        std::fs::copy(repo().join("site.toml"), root.join("site.toml")).unwrap();
        let out = dir.path().join("public");
        TempSite {
            _dir: dir,
            root,
            out,
        }
    }

    /// Writes a file under the site root, creating folders.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Reads a file under the site root.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    /// Replaces the first `from` with `to` in a file under the root, in place.
    pub fn edit_in_place(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(self.root.join(rel), text.replacen(from, to, 1)).unwrap();
    }

    /// Saves as many editors do: writes a temporary file beside the original,
    /// then renames it over the original.
    pub fn edit_by_rename(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        let path = self.root.join(rel);
        let tmp = path.with_file_name(format!(
            ".{}.tmp",
            path.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&tmp, text.replacen(from, to, 1)).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }

    /// A file of the output, if it exists and is UTF-8.
    pub fn output(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.out.join(rel)).ok()
    }
}

/// Every file (with its bytes) and folder (`None`) under `dir`, by
/// `/`-separated relative path.
///
/// A running watch may be renaming files meanwhile: a file that vanishes
/// between listing and reading is left out (the caller compares again).
pub fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if !e.file_type().is_file() {
                return Some((rel, None));
            }
            match std::fs::read(e.path()) {
                Ok(bytes) => Some((rel, Some(bytes))),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
                Err(err) => panic!("{}: {err}", e.path().display()),
            }
        })
        .collect()
}

/// The first difference between two trees (files, their bytes, and
/// folders), if any.
pub fn tree_difference(a: &Path, b: &Path) -> Option<String> {
    let (ta, tb) = (tree(a), tree(b));
    let only_a: Vec<&String> = ta.keys().filter(|k| !tb.contains_key(*k)).collect();
    let only_b: Vec<&String> = tb.keys().filter(|k| !ta.contains_key(*k)).collect();
    if !only_a.is_empty() || !only_b.is_empty() {
        return Some(format!(
            "only in {}: {only_a:?}; only in {}: {only_b:?}",
            a.display(),
            b.display()
        ));
    }
    ta.iter()
        .find(|(path, bytes)| tb[*path] != **bytes)
        .map(|(path, _)| format!("{path} differs"))
}

/// A running `hoshin watch` or `hoshin serve`; killed on drop.
pub struct Running {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    /// Starts `hoshin watch --root ROOT --output OUT`.
    pub fn watch(site: &TempSite, extra: &[&str]) -> Running {
        let mut args = vec!["watch", "--root"];
        let root = site.root.to_str().unwrap();
        let out = site.out.to_str().unwrap();
        args.extend([root, "--output", out]);
        args.extend(extra);
        Running::start(&args)
    }

    /// Starts `hoshin serve --root ROOT --output OUT --port 0` and waits for
    /// the address it prints.
    pub fn serve(site: &TempSite) -> (Running, SocketAddr) {
        let root = site.root.to_str().unwrap();
        let out = site.out.to_str().unwrap();
        let running = Running::start(&["serve", "--root", root, "--output", out, "--port", "0"]);
        let line = running.wait_for_line("serving http://");
        let addr = line
            .trim()
            .trim_start_matches("serving http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| panic!("cannot read the address in {line:?}: {e}"));
        (running, addr)
    }

    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("hoshin"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hoshin");
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        Running {
            child,
            stdout,
            stderr,
        }
    }

    /// What the child printed so far.
    pub fn transcript(&self) -> String {
        format!(
            "--- stdout\n{}\n--- stderr\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    /// Waits (bounded) until `done` holds; panics with `what` and the
    /// child's output if it does not, or if the child exits.
    pub fn wait_until(&mut self, what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        loop {
            if done() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // One last look: the state may have come just before the exit.
                assert!(
                    done(),
                    "hoshin exited ({status}) while waiting for: {what}\n{}",
                    self.transcript()
                );
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for: {what}\n{}",
                self.transcript()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Like [`wait_until`](Running::wait_until), for a check that says what
    /// is still wrong: the last answer is part of the failure message.
    pub fn wait_until_ok(&mut self, what: &str, mut check: impl FnMut() -> Result<(), String>) {
        let start = Instant::now();
        loop {
            let Err(last) = check() else { return };
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for: {what}\nlast: {last}\n{}",
                self.transcript()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (bounded) until standard error so far satisfies `done`.
    pub fn wait_for_stderr(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let stderr = self.stderr.clone();
        self.wait_until(what, || done(&stderr.lock().unwrap()));
    }

    /// Waits (bounded) until standard output so far satisfies `done`.
    pub fn wait_for_stdout(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let stdout = self.stdout.clone();
        self.wait_until(what, || done(&stdout.lock().unwrap()));
    }

    /// Waits (bounded) for a line of standard output starting with `prefix`.
    pub fn wait_for_line(&self, prefix: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(line) = self
                .stdout
                .lock()
                .unwrap()
                .lines()
                .find(|l| l.starts_with(prefix))
            {
                return line.to_string();
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for a line {prefix:?}\n{}",
                self.transcript()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// True while the child runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a child's stream into a shared string on a thread of its own.
fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    text
}

/// `GET path` over a fresh connection: (status, body).
pub fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect_timeout(&addr, PATIENCE).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .expect("read the response");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// An open server-sent-event stream.
pub struct EventStream {
    reader: BufReader<TcpStream>,
}

impl EventStream {
    /// Opens `path` (e.g. `/__hoshin/events`) and reads past the response head.
    pub fn open(addr: SocketAddr, path: &str) -> EventStream {
        let mut stream = TcpStream::connect_timeout(&addr, PATIENCE).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let start = Instant::now();
        // read_line keeps what it read before a timeout: one buffer throughout.
        let mut head = String::new();
        while !head.ends_with("\r\n\r\n") {
            assert!(start.elapsed() < PATIENCE, "no response head: {head:?}");
            match reader.read_line(&mut head) {
                Ok(0) => panic!("the event stream closed: {head:?}"),
                Ok(_) => {}
                Err(e) if is_timeout(&e) => {}
                Err(e) => panic!("reading the event stream: {e}"),
            }
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        EventStream { reader }
    }

    /// Reads event names until one named `name` comes; panics after
    /// [`PATIENCE`] with the events seen.
    pub fn wait_for_event(&mut self, name: &str) {
        let start = Instant::now();
        let mut seen = Vec::new();
        let mut line = String::new();
        loop {
            assert!(
                start.elapsed() < PATIENCE,
                "no `{name}` event within {PATIENCE:?}; saw {seen:?}"
            );
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("the event stream closed; saw {seen:?}"),
                Ok(_) => {
                    if let Some(event) = line.trim_end().strip_prefix("event: ") {
                        if event == name {
                            return;
                        }
                        seen.push(event.to_string());
                    }
                    line.clear();
                }
                // A partial line stays in `line` until the rest comes.
                Err(e) if is_timeout(&e) => {}
                Err(e) => panic!("reading the event stream: {e}"),
            }
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}
