//! End-to-end tests: a real server on 127.0.0.1:0 over a temp dir, spoken to
//! with plain `TcpStream`s. Every read has a timeout, so a hang fails a test
//! instead of stalling the suite; nothing asserts on timing.

use super::*;
use std::fs;
use std::io::{BufRead, Write};
use std::path::Path;
use tempfile::TempDir;

const TIMEOUT: Duration = Duration::from_secs(10);
const SECRET: &str = "TOP-SECRET-7f3a";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// A temp dir holding `public/` (the site) and, beside it, `secret.txt`,
/// which no request may ever read.
fn fixture() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("public");
    let files: &[(&str, &[u8])] = &[
        (
            "index.html",
            b"<!DOCTYPE html><html><body><h1>top</h1></body></html>",
        ),
        ("style.css", b"body { color: #333 }"),
        ("app.js", b"console.log(1);"),
        ("directives.json", "{\"documents\":[\"総務部\"]}".as_bytes()),
        ("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        ("a.png", PNG),
        ("photo.jpg", b"\xff\xd8\xff\xe0"),
        ("anim.gif", b"GIF89a"),
        ("pic.webp", b"RIFF\0\0\0\0WEBP"),
        ("favicon.ico", b"\0\0\x01\0"),
        ("font.woff2", b"wOF2"),
        ("robots.txt", "方針\n".as_bytes()),
        ("sitemap.xml", b"<?xml version=\"1.0\"?><urlset/>"),
        ("資料.pdf", b"%PDF-1.4"),
        ("blob.bin", b"\0\x01\x02"),
        ("fragment.html", "<p>本文のみ</p>".as_bytes()),
        (
            "2023/総務部.html",
            "<html><body><h1>令和5年度総務部の運営方針</h1></body></html>".as_bytes(),
        ),
        ("2023/index.html", b"<html><body>2023 index</body></html>"),
        (
            "令和5年度/index.html",
            "<html><body>令和5年度</body></html>".as_bytes(),
        ),
        ("a b/c+d.txt", b"space and plus"),
    ];
    for (name, bytes) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
    (dir, root)
}

fn serve(root: &Path) -> (Server, Arc<LiveState>) {
    serve_with(root, Options::default())
}

fn serve_with(root: &Path, opts: Options) -> (Server, Arc<LiveState>) {
    let live = LiveState::new();
    let addr = "127.0.0.1:0".parse().unwrap();
    let server = start_with(addr, root.to_path_buf(), Arc::clone(&live), opts).unwrap();
    (server, live)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    stream
}

/// A parsed response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response head from `r`.
fn read_head(r: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).expect("header line");
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':').expect("header");
        headers.push((n.to_string(), v.trim().to_string()));
    }
    (status, headers)
}

/// Reads one response whose body is framed by Content-Length (none for HEAD).
fn read_reply(r: &mut impl BufRead, head_only: bool) -> Reply {
    let (status, headers) = read_head(r);
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    if !head_only {
        let len: usize = reply
            .header("content-length")
            .expect("content-length")
            .parse()
            .unwrap();
        reply.body = vec![0; len];
        r.read_exact(&mut reply.body).expect("body");
    }
    reply
}

/// Sends raw bytes and reads everything until the server closes.
fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    let mut out = Vec::new();
    stream
        .read_to_end(&mut out)
        .expect("server closes the connection within the timeout");
    out
}

/// Parses a whole connection's output as one response.
fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(raw)));
    let mut reader = &raw[..split + 4];
    let (status, headers) = read_head(&mut reader);
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    let req = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    parse(&exchange(addr, req.as_bytes()))
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target)
}

/// Percent-encodes everything but unreserved characters and `/`.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const HTML_TYPE: &str = "text/html; charset=utf-8";

#[test]
fn serves_files_with_their_content_types() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();
    let cases = [
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/directives.json", "application/json; charset=utf-8"),
        ("/logo.svg", "image/svg+xml; charset=utf-8"),
        ("/a.png", "image/png"),
        ("/photo.jpg", "image/jpeg"),
        ("/anim.gif", "image/gif"),
        ("/pic.webp", "image/webp"),
        ("/favicon.ico", "image/x-icon"),
        ("/font.woff2", "font/woff2"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/資料.pdf", "application/pdf"),
        ("/blob.bin", "application/octet-stream"),
    ];
    for (path, want) in cases {
        let r = get(addr, &enc(path));
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(want), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        assert_eq!(r.header("connection"), Some("close"), "{path}");
        let file = fs::read(root.join(&path[1..])).unwrap();
        assert_eq!(r.body, file, "{path}: served unchanged");
        assert_eq!(r.header("content-length"), Some(&*file.len().to_string()));
    }
}

#[test]
fn directories_serve_their_index_and_redirect_without_slash() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();

    let r = get(addr, "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(HTML_TYPE));
    assert!(r.text().contains("<h1>top</h1>"));

    let r = get(addr, "/2023/?from=test");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("2023 index"));

    let r = get(addr, "/2023?from=test");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/2023/?from=test"));

    let r = get(addr, &enc("/令和5年度"));
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some(&*enc("/令和5年度/")));
    let r = get(addr, &enc("/令和5年度/"));
    assert_eq!(r.status, 200);
    assert!(r.text().contains("令和5年度"));

    // A directory without index.html is not listed.
    fs::create_dir(root.join("empty")).unwrap();
    assert_eq!(get(addr, "/empty/").status, 404);
}

#[test]
fn percent_encoded_japanese_paths() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();

    let r = get(addr, "/2023/%E7%B7%8F%E5%8B%99%E9%83%A8.html");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("令和5年度総務部の運営方針"));
    // Lower-case hex, and raw UTF-8 as some tools send it.
    assert_eq!(
        get(addr, "/2023/%e7%b7%8f%e5%8b%99%e9%83%a8.html").status,
        200
    );
    assert_eq!(get(addr, "/2023/総務部.html").status, 200);

    let r = get(addr, "/a%20b/c+d.txt");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"space and plus");

    // Broken escapes and non-UTF-8 are the client's error.
    assert_eq!(get(addr, "/%E7%B7.html").status, 400);
    assert_eq!(get(addr, "/%zz").status, 400);
}

#[test]
fn not_found_uses_the_builtin_page_then_the_sites_own() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();

    let r = get(addr, &enc("/2023/存在しない.html"));
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some(HTML_TYPE));
    let text = r.text();
    assert!(text.contains("ページが見つかりません"));
    assert!(text.contains("/2023/存在しない.html"));
    assert!(text.contains(live::SCRIPT_TAG));

    fs::write(root.join("404.html"), "<html><body>site 404</body></html>").unwrap();
    let r = get(addr, "/missing");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.text(),
        format!("<html><body>site 404{}</body></html>", live::SCRIPT_TAG)
    );

    assert_eq!(get(addr, "/__hoshin/other").status, 404);
}

#[test]
fn output_dir_is_resolved_per_request() {
    let (dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();

    // A build swaps a new directory in by rename.
    let next = dir.path().join("public.next");
    fs::create_dir(&next).unwrap();
    fs::write(next.join("index.html"), "<body>second build</body>").unwrap();
    fs::rename(&root, dir.path().join("public.old")).unwrap();
    fs::rename(&next, &root).unwrap();
    assert!(get(addr, "/").text().contains("second build"));
    assert_eq!(get(addr, "/style.css").status, 404);

    // No site at all (the first build failed): a 404 that will reload.
    fs::remove_dir_all(&root).unwrap();
    let r = get(addr, "/");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("まだ生成されていません"));
    assert!(r.text().contains(live::SCRIPT_TAG));
}

#[test]
fn path_escapes_never_leave_the_output_dir() {
    let (dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();
    let outside = dir.path().join("secret.txt");

    let attempts = [
        "/../secret.txt".to_string(),
        "/../../../../../../etc/passwd".into(),
        "/2023/../../secret.txt".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2E%2E/secret.txt".into(),
        "/..%2fsecret.txt".into(),
        "/..%2Fsecret.txt".into(),
        "/%2e%2e%2fsecret.txt".into(),
        "/.%2e/secret.txt".into(),
        "/%252e%252e/secret.txt".into(),
        "/..\\secret.txt".into(),
        "/..%5csecret.txt".into(),
        "/%5c..%5csecret.txt".into(),
        "/secret.txt%00.html".into(),
        "/%00".into(),
        "http://localhost/../secret.txt".into(),
        format!("/{}", outside.display()),
        format!("/{}", enc(&outside.display().to_string())),
        "/etc/passwd".into(),
        "//etc/passwd".into(),
    ];
    for target in &attempts {
        let r = get(addr, target);
        assert!(
            [400, 403, 404].contains(&r.status),
            "{target}: status {}",
            r.status
        );
        let text = r.text();
        assert!(!text.contains(SECRET), "{target} leaked the secret");
        assert!(!text.contains("root:"), "{target} leaked /etc/passwd");
    }
    assert_eq!(get(addr, "/../secret.txt").status, 400);
    assert_eq!(get(addr, "/%2e%2e/secret.txt").status, 400);
    assert_eq!(get(addr, "/..%2fsecret.txt").status, 400);

    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(&outside, root.join("leak.txt")).unwrap();
        symlink(dir.path(), root.join("leakdir")).unwrap();
        symlink(root.join("style.css"), root.join("alias.css")).unwrap();
        for target in ["/leak.txt", "/leakdir/secret.txt", "/leakdir", "/leakdir/"] {
            let r = get(addr, target);
            assert_eq!(r.status, 403, "{target}");
            assert!(!r.text().contains(SECRET), "{target} leaked the secret");
        }
        // A symlink that stays inside the site is fine.
        let r = get(addr, "/alias.css");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
    }
}

#[test]
fn html_gets_the_live_script_injected() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();

    let r = get(addr, "/index.html");
    let index = r.text();
    assert_eq!(
        index,
        format!(
            "<!DOCTYPE html><html><body><h1>top</h1>{}</body></html>",
            live::SCRIPT_TAG
        )
    );
    assert_eq!(r.header("content-length"), Some(&*r.body.len().to_string()));

    // No </body>: appended.
    let f = get(addr, "/fragment.html");
    assert_eq!(f.text(), format!("<p>本文のみ</p>{}", live::SCRIPT_TAG));

    // Other types are left alone.
    assert!(!get(addr, "/robots.txt").text().contains("__hoshin"));

    // HEAD: the same headers, the same length, no body.
    let h = request(addr, "HEAD", "/index.html");
    assert_eq!(h.status, 200);
    assert!(h.body.is_empty());
    assert_eq!(h.header("content-length"), Some(&*index.len().to_string()));
    assert_eq!(h.header("content-type"), Some(HTML_TYPE));
}

#[test]
fn live_js_is_served() {
    let (_dir, root) = fixture();
    let (server, live) = serve(&root);
    let r = get(server.local_addr(), "/__hoshin/live.js");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let js = r.text();
    for needle in [
        "new EventSource(\"/__hoshin/events\")",
        "location.reload()",
        "ビルドエラー",
        "createElement(\"pre\")",
        "textContent = diagnostics",
    ] {
        assert!(js.contains(needle), "live.js lacks {needle}");
    }
    assert!(js.contains(&live.snapshot().build_id));
}

/// An open event stream, read event by event.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = connect(addr);
        stream
            .write_all(b"GET /__hoshin/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .unwrap();
        let mut reader = BufReader::new(stream);
        let (status, headers) = read_head(&mut reader);
        assert_eq!(status, 200);
        let ct = headers.iter().find(|(n, _)| n == "Content-Type").unwrap();
        assert_eq!(ct.1, "text/event-stream; charset=utf-8");
        Events { reader }
    }

    /// The next block of lines up to a blank line (without it).
    fn block(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = self
                .reader
                .read_line(&mut line)
                .expect("an event within the timeout");
            assert!(n > 0, "stream ended early after {lines:?}");
            let line = line.trim_end_matches('\n').to_string();
            if line.is_empty() {
                return lines;
            }
            lines.push(line);
        }
    }

    /// The next named event as (name, data), as a browser's EventSource sees it.
    fn next(&mut self) -> (String, String) {
        loop {
            let lines = self.block();
            let mut name = None;
            let mut data: Vec<&str> = Vec::new();
            for l in &lines {
                if let Some(v) = l.strip_prefix("event: ") {
                    name = Some(v.to_string());
                } else if let Some(v) = l.strip_prefix("data: ") {
                    data.push(v);
                }
            }
            if let Some(name) = name {
                return (name, data.join("\n"));
            }
        }
    }
}

#[test]
fn events_send_reload_after_rebuilt() {
    let (_dir, root) = fixture();
    let (server, live) = serve(&root);
    let mut events = Events::open(server.local_addr());
    let (name, first_build) = events.next();
    assert_eq!(name, "hello");
    // hello came after the stream took its snapshot, so this cannot race it.
    live.rebuilt();
    assert_eq!(events.next().0, "reload");
    live.rebuilt();
    assert_eq!(events.next().0, "reload");

    // A page connecting now learns it is from an older build.
    let (_, now) = Events::open(server.local_addr()).next();
    assert_ne!(now, first_build);
}

const DIAGNOSTICS: &str = "error: 参照先が見つかりません: [[総務部/R5#1.(3)⑦]]\n  --> content/2023/somu.md:12:5\n   |\n12 | 詳しくは[[総務部/R5#1.(3)⑦]]を参照。\n   |         ^^^^^^^^^^^^^^^^^^^^^ もしかして 1.(3)⑥ ?\n<script>alert(1)</script>\n";

#[test]
fn events_send_errors_and_clear_them_with_reload() {
    let (_dir, root) = fixture();
    let (server, live) = serve(&root);
    let mut events = Events::open(server.local_addr());
    assert_eq!(events.next().0, "hello");

    live.failed(DIAGNOSTICS.to_string());
    assert_eq!(
        events.next(),
        ("error".to_string(), DIAGNOSTICS.to_string())
    );
    live.failed("error: second".to_string());
    assert_eq!(events.next(), ("error".into(), "error: second".into()));
    live.rebuilt();
    assert_eq!(events.next().0, "reload");

    // Fixed: a new page gets no error.
    live.failed("error: third".to_string());
    live.rebuilt();
    let mut fresh = Events::open(server.local_addr());
    assert_eq!(fresh.next().0, "hello");
    live.rebuilt();
    assert_eq!(fresh.next().0, "reload", "no error event in between");
}

#[test]
fn events_send_the_current_error_on_connect() {
    let (_dir, root) = fixture();
    let (server, live) = serve(&root);
    live.failed(DIAGNOSTICS.to_string());
    let mut events = Events::open(server.local_addr());
    assert_eq!(events.next().0, "hello");
    assert_eq!(
        events.next(),
        ("error".to_string(), DIAGNOSTICS.to_string())
    );
    live.rebuilt();
    assert_eq!(events.next().0, "reload");
}

#[test]
fn events_send_keepalive_comments() {
    let (_dir, root) = fixture();
    let opts = Options {
        keepalive: Duration::from_millis(20),
        ..Options::default()
    };
    let (server, _live) = serve_with(&root, opts);
    let mut events = Events::open(server.local_addr());
    assert_eq!(events.next().0, "hello");
    assert_eq!(events.block(), [": keep-alive"]);
}

#[test]
fn head_on_events_returns_headers_only() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let r = request(server.local_addr(), "HEAD", "/__hoshin/events");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
}

#[test]
fn stopping_closes_event_streams() {
    let (_dir, root) = fixture();
    let (server, live) = serve(&root);
    let mut events = Events::open(server.local_addr());
    assert_eq!(events.next().0, "hello");
    let mut idle = connect(server.local_addr());
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut idle = BufReader::new(idle);
    assert_eq!(read_reply(&mut idle, false).status, 200);

    server.stop();
    let mut rest = Vec::new();
    events
        .reader
        .read_to_end(&mut rest)
        .expect("the stream ends instead of hanging");
    idle.read_to_end(&mut rest)
        .expect("the idle keep-alive connection is closed too");
    // The state outlives the server, e.g. for a restarted one.
    live.rebuilt();

    let (_dir2, root2) = fixture();
    let (server, _) = serve(&root2);
    drop(server); // Dropping stops as well.
}

#[test]
fn many_event_clients_come_and_go() {
    let (_dir, root) = fixture();
    let opts = Options {
        keepalive: Duration::from_millis(20),
        ..Options::default()
    };
    let (server, live) = serve_with(&root, opts);
    let addr = server.local_addr();
    for _round in 0..3 {
        let mut clients: Vec<Events> = (0..30).map(|_| Events::open(addr)).collect();
        for c in &mut clients {
            assert_eq!(c.next().0, "hello");
        }
        live.rebuilt();
        for c in &mut clients {
            assert_eq!(c.next().0, "reload");
        }
        // Dropped without goodbye, as a reloading page does.
    }
    assert_eq!(get(addr, "/").status, 200);

    // Their threads notice on the next keep-alive write and let go. Bounded
    // wait; the assertion is only that they end, not how fast.
    let deadline = Instant::now() + TIMEOUT;
    while !lock(&server.shared.conns).is_empty() {
        assert!(Instant::now() < deadline, "event stream threads leaked");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn too_many_connections_get_503() {
    let (_dir, root) = fixture();
    let opts = Options {
        max_connections: 2,
        ..Options::default()
    };
    let (server, _live) = serve_with(&root, opts);
    let addr = server.local_addr();
    let mut a = Events::open(addr);
    let mut b = Events::open(addr);
    assert_eq!(a.next().0, "hello");
    assert_eq!(b.next().0, "hello");
    let r = parse(&exchange(addr, b""));
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
}

#[test]
fn keep_alive_connections_serve_several_requests() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let stream = connect(server.local_addr());
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);

    for (method, target, status) in [
        ("GET", "/style.css", 200),
        ("GET", "/missing", 404),
        ("HEAD", "/", 200),
        ("GET", "/", 200),
        ("POST", "/", 405),
    ] {
        write!(writer, "{method} {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let r = read_reply(&mut reader, method == "HEAD");
        assert_eq!(r.status, status, "{method} {target}");
        assert_eq!(r.header("connection"), Some("keep-alive"));
    }

    // Pipelined.
    writer
        .write_all(b"GET /app.js HTTP/1.1\r\nHost: x\r\n\r\nGET /a.png HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_reply(&mut reader, false).body, b"console.log(1);");
    assert_eq!(read_reply(&mut reader, false).body, PNG);

    // Connection: close ends it.
    writer
        .write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let r = read_reply(&mut reader, false);
    assert_eq!(r.header("connection"), Some("close"));
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());

    // HTTP/1.0 closes by default and needs no Host.
    let r = parse(&exchange(server.local_addr(), b"GET / HTTP/1.0\r\n\r\n"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), Some("close"));
}

#[test]
fn other_methods_get_405() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get"] {
        let r = request(addr, method, "/");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
    }
    // With a body, which is never read: the answer still arrives whole.
    let r = parse(&exchange(
        addr,
        b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\na=1&b=2&c",
    ));
    assert_eq!(r.status, 405);
    assert_eq!(r.header("connection"), Some("close"));
}

#[test]
fn malformed_requests_get_400_and_the_server_carries_on() {
    let (_dir, root) = fixture();
    let (server, _live) = serve(&root);
    let addr = server.local_addr();
    let mut huge = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 64 * 1024));
    huge.extend_from_slice(b"\r\n\r\n");

    let cases: Vec<(Vec<u8>, u16)> = vec![
        (b"GARBAGE\r\n\r\n".to_vec(), 400),
        (b"\x00\x01\x02\xff\r\n\r\n".to_vec(), 400),
        (b"GET\r\n\r\n".to_vec(), 400),
        (b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
        (b"GET relative HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), 400),
        (b"GET * HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), 400),
        (b"GET / HTTP/3.0\r\nHost: x\r\n\r\n".to_vec(), 505),
        (b"GET / HTTP/1.1\r\nNoColon\r\n\r\n".to_vec(), 400),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".to_vec(),
            400,
        ),
        (huge, 431),
    ];
    for (raw, want) in cases {
        let r = parse(&exchange(addr, &raw));
        assert_eq!(
            r.status,
            want,
            "{:?}",
            String::from_utf8_lossy(&raw[..20.min(raw.len())])
        );
        assert_eq!(r.header("connection"), Some("close"));
    }

    // Clients that vanish mid-request.
    for partial in [&b"GET / HT"[..], b"GET / HTTP/1.1\r\nHost: x\r\n", b""] {
        let mut s = connect(addr);
        s.write_all(partial).unwrap();
        drop(s);
    }
    assert_eq!(get(addr, "/").status, 200);
}
