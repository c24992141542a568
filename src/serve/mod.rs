//! The preview server of `hoshin serve`: serves the output directory over
//! HTTP/1.1 on a local address, with live reload and an in-browser overlay for
//! build errors.
//!
//! Standard library only: one thread accepts, one thread serves each
//! connection (a preview has a handful of clients). The output directory is
//! resolved afresh for every request because each build swaps it in whole.
//!
//! Live reload: every HTML response gets `live::SCRIPT_TAG` injected. The
//! script opens a server-sent-event stream at `/__hoshin/events`; the rebuild
//! loop reports each build to a [`LiveState`], which wakes every stream to send
//! `reload` or `error` (with the diagnostics) to its page.
//!
//! ```no_run
//! # use hoshin::serve;
//! let live = serve::LiveState::new();
//! let server = serve::start(
//!     "127.0.0.1:1111".parse().unwrap(),
//!     "public".into(),
//!     live.clone(),
//! )?;
//! println!("http://{}/", server.local_addr());
//! // After each build:
//! live.rebuilt(); // or live.failed(diagnostics)
//! # Ok::<(), std::io::Error>(())
//! ```

mod http;
mod live;
mod mime;
mod pages;
mod path;
#[cfg(test)]
mod tests;

pub use live::LiveState;

/// Reads one request head from `bytes` and decodes its target as the server
/// does, returning the decoded path segments, or the status a malformed
/// request is answered with (0 when the bytes end before a full head). For
/// the fuzz targets and property tests: whatever a client sends, this must
/// return, and no segment may climb out of the output folder.
#[doc(hidden)]
pub fn parse_request(bytes: &[u8]) -> Result<Vec<String>, u16> {
    match http::read_request(&mut &bytes[..]) {
        ReadOutcome::Request(r) => path::parse_target(&r.target)
            .map(|p| p.segments)
            .map_err(|_| 400),
        ReadOutcome::Closed => Err(0),
        ReadOutcome::Bad(status) => Err(status),
    }
}

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use http::{Body, ReadOutcome, Request, Response};
use path::{Resolved, UrlPath};

/// A running preview server; dropping it or calling [`stop`](Server::stop)
/// shuts it down.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// The address actually bound (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes every open connection (event streams
    /// included), and waits for the accept thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // The accept thread is blocked in accept(): a connection of our own
        // wakes it, and it then sees `stopping`.
        let woke =
            TcpStream::connect_timeout(&wake_addr(self.addr), Duration::from_secs(1)).is_ok();
        if woke {
            // Joined before closing connections, so none is added after.
            let _ = accept.join();
        }
        for conn in lock(&self.shared.conns).values() {
            // Their threads then see EOF or a failed write, and end.
            let _ = conn.shutdown(Shutdown::Both);
        }
        // Event streams wait on the live state, not the socket: wake them.
        self.shared.live.wake();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Serve `output_dir` (which is replaced as a whole by each build — the
/// directory may be swapped by rename at any moment, so paths are resolved
/// per request) on `addr`.
///
/// `output_dir` need not exist yet: until it does, every page is a 404 that
/// shows build errors and reloads once a build succeeds.
pub fn start(
    addr: SocketAddr,
    output_dir: PathBuf,
    live: Arc<LiveState>,
) -> std::io::Result<Server> {
    start_with(addr, output_dir, live, Options::default())
}

/// Timing and limits; tests shorten them.
#[derive(Clone, Debug)]
struct Options {
    /// Interval of the keep-alive comment on idle event streams.
    keepalive: Duration,
    /// How long a keep-alive connection may sit idle between requests.
    idle_timeout: Duration,
    /// How long a write may block on a client that does not read.
    write_timeout: Duration,
    /// Open connections at most; more are answered 503.
    max_connections: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            keepalive: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

/// What the accept thread and the connection threads share.
struct Shared {
    root: PathBuf,
    live: Arc<LiveState>,
    opts: Options,
    stopping: AtomicBool,
    /// Clones of open connections, so that stopping can close them.
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

fn start_with(
    addr: SocketAddr,
    output_dir: PathBuf,
    live: Arc<LiveState>,
    opts: Options,
) -> std::io::Result<Server> {
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        root: output_dir,
        live,
        opts,
        stopping: AtomicBool::new(false),
        conns: Mutex::new(HashMap::new()),
        next_id: AtomicU64::new(0),
    });
    let accept = {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("hoshin-serve".into())
            .spawn(move || accept_loop(listener, shared))?
    };
    Ok(Server {
        addr,
        shared,
        accept: Some(accept),
    })
}

/// Where to connect to wake our own listener.
fn wake_addr(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        match conn {
            Ok(stream) => spawn_connection(stream, &shared),
            // Out of file descriptors and the like: back off instead of spinning.
            Err(e) if e.kind() != std::io::ErrorKind::ConnectionAborted => {
                thread::sleep(Duration::from_millis(50));
            }
            Err(_) => {}
        }
    }
}

/// Removes a connection from the registry when its thread ends, even by panic.
struct ConnGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        lock(&self.shared.conns).remove(&self.id);
    }
}

fn spawn_connection(stream: TcpStream, shared: &Arc<Shared>) {
    // Some platforms hand out accepted sockets in the listener's mode.
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(shared.opts.write_timeout));
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    {
        let mut conns = lock(&shared.conns);
        if conns.len() >= shared.opts.max_connections {
            drop(conns);
            let mut stream = stream;
            let _ = pages::error(503).write_to(&mut stream, false, false);
            return;
        }
        match stream.try_clone() {
            Ok(clone) => conns.insert(id, clone),
            Err(_) => return,
        };
    }
    let guard = ConnGuard {
        shared: Arc::clone(shared),
        id,
    };
    let spawned = thread::Builder::new()
        .name("hoshin-serve-conn".into())
        .spawn(move || {
            serve_connection(stream, &guard.shared);
            drop(guard);
        });
    // On failure the closure, and with it the guard, is dropped: deregistered.
    drop(spawned);
}

/// Serves requests on one connection until it closes, goes idle, or the server stops.
fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(shared.opts.idle_timeout));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while !shared.stopping.load(Ordering::SeqCst) {
        let req = match http::read_request(&mut reader) {
            ReadOutcome::Request(req) => req,
            ReadOutcome::Closed => return,
            ReadOutcome::Bad(status) => {
                if pages::error(status)
                    .write_to(&mut writer, false, false)
                    .is_ok()
                {
                    linger_close(&writer, &mut reader);
                }
                return;
            }
        };
        let head_only = req.method == "HEAD";
        let keep_alive = req.keep_alive();
        match route(&req, shared) {
            Reply::Events => {
                let _ = live::stream_events(
                    &mut writer,
                    &shared.live,
                    &shared.stopping,
                    shared.opts.keepalive,
                    head_only,
                );
                return;
            }
            Reply::Response(resp) => {
                // A client that sent a target we cannot parse may not frame
                // its next request right either.
                let keep_alive = keep_alive && resp.status != 400;
                if resp.write_to(&mut writer, head_only, keep_alive).is_err() {
                    return;
                }
                if !keep_alive {
                    linger_close(&writer, &mut reader);
                    return;
                }
            }
        }
    }
}

/// Closes after a final response without losing it: closing a socket that
/// still has unread input (a request body, the rest of an oversized head)
/// sends a reset, and the client may then drop the response it had not read
/// yet. So: stop sending, read and discard for a short, bounded while, then close.
fn linger_close(stream: &TcpStream, reader: &mut BufReader<TcpStream>) {
    const LINGER: Duration = Duration::from_secs(1);
    const MAX_DISCARD: usize = 256 * 1024;
    if stream.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER;
    let mut buf = [0u8; 8192];
    let mut discarded = 0;
    while discarded < MAX_DISCARD {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || reader.get_ref().set_read_timeout(Some(left)).is_err() {
            return;
        }
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => discarded += n,
        }
    }
}

/// What to do with a request.
enum Reply {
    Response(Response),
    /// Switch the connection to the server-sent event stream.
    Events,
}

fn route(req: &Request, shared: &Shared) -> Reply {
    if req.method != "GET" && req.method != "HEAD" {
        return Reply::Response(pages::error(405));
    }
    let Ok(url) = path::parse_target(&req.target) else {
        return Reply::Response(pages::error(400));
    };
    if url.segments.first().map(String::as_str) == Some("__hoshin") {
        let name = url.segments.get(1).map(String::as_str);
        return match (name, url.segments.len()) {
            (Some("live.js"), 2) => Reply::Response(live::script_response(&shared.live)),
            (Some("events"), 2) => Reply::Events,
            _ => Reply::Response(pages::not_found(&display(&url), true)),
        };
    }
    Reply::Response(match path::resolve(&shared.root, &url) {
        Resolved::File(file) => serve_file(file, &url, shared),
        Resolved::Redirect => pages::redirect(url.directory_location()),
        Resolved::NotFound => not_found(&url, shared, true),
        Resolved::NoSite => not_found(&url, shared, false),
        Resolved::Forbidden => pages::error(403),
    })
}

fn serve_file(file: PathBuf, url: &UrlPath, shared: &Shared) -> Response {
    // Opened once and sent from this handle: if a build swaps the directory
    // meanwhile, the old file's contents still arrive whole.
    let Ok(mut f) = File::open(&file) else {
        // Gone between resolving and opening: a build swapped the site.
        return not_found(url, shared, true);
    };
    let content_type = mime::content_type(&file);
    if mime::is_html(&file) {
        let mut html = Vec::new();
        if f.read_to_end(&mut html).is_err() {
            return pages::error(500);
        }
        Response::new(200, content_type, Body::Bytes(live::inject(html)))
    } else {
        match f.metadata() {
            Ok(meta) => Response::new(200, content_type, Body::File(f, meta.len())),
            Err(_) => pages::error(500),
        }
    }
}

/// The site's own `404.html` (with the live script), else the built-in page.
fn not_found(url: &UrlPath, shared: &Shared, site_exists: bool) -> Response {
    if site_exists {
        let page = UrlPath {
            segments: vec!["404.html".into()],
            trailing_slash: false,
            query: None,
        };
        if let Resolved::File(file) = path::resolve(&shared.root, &page) {
            if let Ok(html) = std::fs::read(file) {
                return Response::new(
                    404,
                    "text/html; charset=utf-8",
                    Body::Bytes(live::inject(html)),
                );
            }
        }
    }
    pages::not_found(&display(url), site_exists)
}

/// The decoded path, for messages.
fn display(url: &UrlPath) -> String {
    let mut s = format!("/{}", url.segments.join("/"));
    if url.trailing_slash && !url.segments.is_empty() {
        s.push('/');
    }
    s
}
