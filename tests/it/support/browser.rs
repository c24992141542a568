//! A small Chrome DevTools Protocol client for browser tests: launches
//! headless Chromium, opens pages, evaluates JavaScript, dispatches real key
//! presses and text input, takes screenshots.
//!
//! Synchronous and bounded: every call and every wait has a deadline.
//! The WebSocket is tungstenite's; CDP is a few JSON messages over it.
//! Chromium is found as `$HOSHIN_CHROMIUM`, else `chromium`,
//! `chromium-browser`, `google-chrome` or `google-chrome-stable` on `PATH`.
//! [`Browser::launch_or_skip`] returns `None` with a loud message when there
//! is none, unless `HOSHIN_REQUIRE_BROWSER=1` (CI), where that is a failure.
//!
//! ```ignore
//! let Some(browser) = Browser::launch_or_skip("my test") else { return };
//! let page = browser.new_page()?;
//! page.goto("http://127.0.0.1:8000/index.html")?;
//! page.press("/")?;
//! page.insert_text("人材育成")?;
//! page.wait_for("document.querySelector('.hoshin-search-item') !== null", SECS_10)?;
//! ```

use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A common deadline for waits.
pub const SECS_10: Duration = Duration::from_secs(10);
/// Deadline of one protocol call.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Most events kept for inspection (older ones are dropped).
const EVENTS_KEPT: usize = 2000;

pub type Result<T> = std::result::Result<T, String>;

/// Prints to the real stderr, past the test harness's capture, so that a
/// skipped browser test is seen in a plain `cargo test` run.
pub fn loud(message: &str) {
    let _ = writeln!(std::io::stderr(), "\n{message}\n");
}

/// The Chromium executable, if any.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOSHIN_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The DevTools WebSocket (tungstenite: text messages, pings answered).
struct Ws(tungstenite::WebSocket<TcpStream>);

impl Ws {
    fn connect(addr: &str, path: &str) -> Result<Ws> {
        let stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
        stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| e.to_string())?;
        let (socket, _) = tungstenite::client(format!("ws://{addr}{path}"), stream)
            .map_err(|e| format!("WebSocket handshake: {e}"))?;
        Ok(Ws(socket))
    }

    fn send_text(&mut self, text: &str) -> tungstenite::Result<()> {
        self.0.send(tungstenite::Message::text(text))
    }

    /// The next text message.
    fn read_text(&mut self) -> tungstenite::Result<String> {
        loop {
            match self.0.read()? {
                tungstenite::Message::Text(t) => return Ok(t.as_str().to_string()),
                tungstenite::Message::Close(_) => return Err(tungstenite::Error::ConnectionClosed),
                // Pings are answered by tungstenite; nothing else comes from CDP.
                _ => {}
            }
        }
    }
}

struct Conn {
    ws: Ws,
    next_id: u64,
    events: VecDeque<Value>,
}

impl Conn {
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send_text(&msg.to_string())
            .map_err(|e| format!("{method}: send: {e}"))?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            if Instant::now() > deadline {
                return Err(format!("{method}: no answer within {CALL_TIMEOUT:?}"));
            }
            let text = self
                .ws
                .read_text()
                .map_err(|e| format!("{method}: read: {e}"))?;
            let v: Value = serde_json::from_str(&text).map_err(|e| format!("{method}: {e}"))?;
            if v["id"].as_u64() == Some(id) {
                if let Some(err) = v.get("error") {
                    return Err(format!("{method}: {err}"));
                }
                return Ok(v["result"].clone());
            }
            if v.get("method").is_some() {
                if self.events.len() == EVENTS_KEPT {
                    self.events.pop_front();
                }
                self.events.push_back(v);
            }
        }
    }
}

/// A headless Chromium with its own temporary profile; killed on drop.
pub struct Browser {
    child: Child,
    conn: Rc<RefCell<Conn>>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Launches Chromium, or returns `None` after a loud message when it is
    /// not installed. Panics when it is missing and `HOSHIN_REQUIRE_BROWSER=1`,
    /// or when it is installed but does not start.
    pub fn launch_or_skip(test: &str) -> Option<Browser> {
        match find_chromium() {
            Some(path) => {
                Some(Browser::launch(&path).unwrap_or_else(|e| panic!("{test}: chromium: {e}")))
            }
            None if std::env::var("HOSHIN_REQUIRE_BROWSER").as_deref() == Ok("1") => {
                panic!("{test}: HOSHIN_REQUIRE_BROWSER=1 but no chromium found (apt-get install chromium)")
            }
            None => {
                loud(&format!(
                    "!!! SKIPPED {test}: no chromium found; install it (apt-get install chromium)\n\
                     !!! or set HOSHIN_CHROMIUM; CI sets HOSHIN_REQUIRE_BROWSER=1 to fail instead."
                ));
                None
            }
        }
    }

    /// Launches the Chromium at `path`.
    pub fn launch(path: &Path) -> Result<Browser> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let child = Command::new(path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--window-size=1200,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", path.display()))?;
        let mut browser = Browser {
            child,
            conn: Rc::new(RefCell::new(Conn {
                ws: Self::connect(profile.path())?,
                next_id: 0,
                events: VecDeque::new(),
            })),
            _profile: profile,
        };
        if let Ok(Some(status)) = browser.child.try_wait() {
            return Err(format!("chromium exited: {status}"));
        }
        Ok(browser)
    }

    /// Chromium writes the port and path of its endpoint to DevToolsActivePort.
    fn connect(profile: &Path) -> Result<Ws> {
        let file = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let (port, path) = loop {
            if let Ok(s) = std::fs::read_to_string(&file) {
                let mut lines = s.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break (port.trim().to_string(), path.trim().to_string());
                }
            }
            if Instant::now() > deadline {
                return Err("no DevToolsActivePort within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Ws::connect(&format!("127.0.0.1:{port}"), &path)
    }

    /// A protocol call at browser level.
    pub fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.conn.borrow_mut().call(None, method, params)
    }

    /// Opens a new tab on `about:blank`.
    pub fn new_page(&self) -> Result<Page> {
        let target = self.call("Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"]
            .as_str()
            .ok_or("no targetId")?
            .to_string();
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("no sessionId")?
            .to_string();
        let page = Page {
            conn: self.conn.clone(),
            session,
        };
        page.call("Page.enable", json!({}))?;
        page.call("Runtime.enable", json!({}))?;
        Ok(page)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .conn
            .borrow_mut()
            .call(None, "Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One tab.
pub struct Page {
    conn: Rc<RefCell<Conn>>,
    session: String,
}

/// Key names to (code, Windows virtual key code, text typed).
fn key_info(key: &str) -> (&str, u32, Option<&str>) {
    match key {
        "Enter" => ("Enter", 13, Some("\r")),
        "Escape" => ("Escape", 27, None),
        "ArrowDown" => ("ArrowDown", 40, None),
        "ArrowUp" => ("ArrowUp", 38, None),
        "ArrowLeft" => ("ArrowLeft", 37, None),
        "ArrowRight" => ("ArrowRight", 39, None),
        "Tab" => ("Tab", 9, None),
        "Backspace" => ("Backspace", 8, None),
        "/" => ("Slash", 191, Some("/")),
        _ => ("", 0, Some(key)),
    }
}

impl Page {
    /// A protocol call in this tab's session.
    pub fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.conn
            .borrow_mut()
            .call(Some(&self.session), method, params)
    }

    /// Events received so far with this `method` in this tab.
    pub fn events(&self, method: &str) -> Vec<Value> {
        self.conn
            .borrow()
            .events
            .iter()
            .filter(|e| e["method"] == method && e["sessionId"] == self.session.as_str())
            .cloned()
            .collect()
    }

    /// Uncaught JavaScript exceptions so far, as text.
    pub fn exceptions(&self) -> Vec<String> {
        self.events("Runtime.exceptionThrown")
            .iter()
            .map(|e| {
                let d = &e["params"]["exceptionDetails"];
                format!("{} {}", d["text"], d["exception"]["description"])
            })
            .collect()
    }

    /// Evaluates `js` (awaiting a Promise) and returns its JSON value.
    pub fn eval(&self, js: &str) -> Result<Value> {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": js, "awaitPromise": true, "returnByValue": true, "userGesture": true}),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!(
                "{}: {}",
                ex["text"],
                ex["exception"]["description"].as_str().unwrap_or("")
            ));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Polls `js` until it is truthy; fails after `timeout`.
    pub fn wait_for(&self, js: &str, timeout: Duration) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            // A page being replaced may refuse a call: retry until the deadline.
            if let Ok(v) = self.eval(js) {
                if !(v.is_null() || v == json!(false) || v == json!(0) || v == json!("")) {
                    return Ok(v);
                }
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?} waiting for: {js}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Navigates and waits for the new document to finish loading.
    pub fn goto(&self, url: &str) -> Result<()> {
        let _ = self.eval("window.__cdpOldDocument = true");
        let r = self.call("Page.navigate", json!({"url": url}))?;
        if let Some(e) = r.get("errorText") {
            return Err(format!("navigate {url}: {e}"));
        }
        self.wait_for_navigation()
    }

    /// Waits until the document has been replaced and has loaded (after a
    /// click or key press that follows a link, or after [`Page::goto`]).
    pub fn wait_for_navigation(&self) -> Result<()> {
        self.wait_for(
            "!window.__cdpOldDocument && document.readyState === 'complete'",
            SECS_10,
        )
        .map(|_| ())
    }

    /// Marks the current document so that [`Page::wait_for_navigation`] can
    /// tell when it has been replaced.
    pub fn mark_document(&self) -> Result<()> {
        self.eval("window.__cdpOldDocument = true").map(|_| ())
    }

    /// The current URL.
    pub fn url(&self) -> Result<String> {
        Ok(self
            .eval("location.href")?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Presses and releases a key: "Enter", "Escape", "ArrowDown", "/", a character…
    pub fn press(&self, key: &str) -> Result<()> {
        let (code, vk, text) = key_info(key);
        let mut down = json!({"type": if text.is_some() { "keyDown" } else { "rawKeyDown" },
            "key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk});
        if let Some(t) = text {
            down["text"] = json!(t);
            down["unmodifiedText"] = json!(t);
        }
        self.call("Input.dispatchKeyEvent", down)?;
        self.call(
            "Input.dispatchKeyEvent",
            json!({"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}),
        )?;
        Ok(())
    }

    /// Types text into the focused element as an input method would commit it.
    pub fn insert_text(&self, text: &str) -> Result<()> {
        self.call("Input.insertText", json!({"text": text}))
            .map(|_| ())
    }
}
