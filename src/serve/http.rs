//! A deliberately small HTTP/1.x: reading one request head, writing one response.
//!
//! Only what a local preview needs: no request bodies (a request that announces
//! one is answered and its connection closed, since its framing is not read),
//! no chunked responses, no ranges.

use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// Largest request head (request line + headers) accepted; browsers send ~1 KiB.
pub const MAX_HEAD: usize = 16 * 1024;
/// Most header lines accepted in one request.
const MAX_HEADERS: usize = 100;

/// One parsed request head.
#[derive(Debug)]
pub struct Request {
    /// Method token, case-sensitive as HTTP requires (`GET`, `HEAD`, ...).
    pub method: String,
    /// The raw request target, e.g. `/2023/%E7%B7%8F.html?q=1`.
    pub target: Vec<u8>,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    /// Header names lower-cased; values as sent, trimmed.
    headers: Vec<(String, Vec<u8>)>,
}

impl Request {
    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Whether the `Connection` headers hold `token` (case-insensitive).
    fn connection_has(&self, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == "connection")
            .flat_map(|(_, v)| v.split(|&b| b == b','))
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    }

    /// Whether the connection may carry another request after this one.
    pub fn keep_alive(&self) -> bool {
        // A body we did not read would be parsed as the next request: close instead.
        if self.has_body() {
            return false;
        }
        if self.minor == 0 {
            self.connection_has("keep-alive")
        } else {
            !self.connection_has("close")
        }
    }

    /// Whether the request announces a body.
    fn has_body(&self) -> bool {
        self.header("transfer-encoding").is_some()
            || self
                .header("content-length")
                .is_some_and(|v| v.iter().any(|&b| b != b'0'))
    }
}

/// What reading a request head gave.
#[derive(Debug)]
pub enum ReadOutcome {
    /// A complete, well-formed head.
    Request(Request),
    /// The peer closed, went idle past the read timeout, or the socket failed:
    /// nothing useful to answer.
    Closed,
    /// A malformed head: answer with this status, then close.
    Bad(u16),
}

/// Reads one request head from `r`, never more than [`MAX_HEAD`] bytes.
pub fn read_request<R: BufRead>(r: &mut R) -> ReadOutcome {
    let mut budget = MAX_HEAD;
    let mut line = Vec::new();

    // RFC 9112 §2.2: ignore at least one empty line before the request line
    // (some clients send a stray CRLF after a previous body).
    let request_line = loop {
        match read_line(r, &mut line, &mut budget) {
            Ok(Line::Full) if line.is_empty() => continue,
            Ok(Line::Full) => break std::mem::take(&mut line),
            Ok(Line::Eof) | Err(_) => return ReadOutcome::Closed,
            Ok(Line::TooLong) => return ReadOutcome::Bad(431),
        }
    };

    let (method, target, minor) = match parse_request_line(&request_line) {
        Ok(parts) => parts,
        Err(status) => return ReadOutcome::Bad(status),
    };

    let mut headers = Vec::new();
    loop {
        match read_line(r, &mut line, &mut budget) {
            Ok(Line::Full) if line.is_empty() => break,
            Ok(Line::Full) => {}
            Ok(Line::Eof) | Err(_) => return ReadOutcome::Closed,
            Ok(Line::TooLong) => return ReadOutcome::Bad(431),
        }
        if headers.len() == MAX_HEADERS {
            return ReadOutcome::Bad(431);
        }
        match parse_header(&line) {
            Some(h) => headers.push(h),
            None => return ReadOutcome::Bad(400),
        }
    }

    let req = Request {
        method,
        target,
        minor,
        headers,
    };
    if let Some(status) = check_headers(&req) {
        return ReadOutcome::Bad(status);
    }
    ReadOutcome::Request(req)
}

enum Line {
    Full,
    Eof,
    TooLong,
}

/// Reads one line into `line` without its `\r\n` or bare `\n`, charging `budget`.
fn read_line<R: BufRead>(r: &mut R, line: &mut Vec<u8>, budget: &mut usize) -> io::Result<Line> {
    line.clear();
    let n = r.by_ref().take(*budget as u64).read_until(b'\n', line)?;
    *budget -= n;
    if line.last() != Some(&b'\n') {
        // Either the peer stopped mid-line or the budget ran out.
        return Ok(if *budget == 0 {
            Line::TooLong
        } else {
            Line::Eof
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Line::Full)
}

/// `METHOD SP request-target SP HTTP/1.x`
fn parse_request_line(line: &[u8]) -> Result<(String, Vec<u8>, u8), u16> {
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(400);
    }
    // Visible ASCII, plus raw UTF-8 bytes that some tools (curl) send unencoded.
    if target.is_empty() || target.iter().any(|&b| b <= b' ' || b == 0x7f) {
        return Err(400);
    }
    let minor = match version {
        b"HTTP/1.1" => 1,
        b"HTTP/1.0" => 0,
        v if v.starts_with(b"HTTP/") && v.len() == 8 && v[5].is_ascii_digit() => return Err(505),
        _ => return Err(400),
    };
    let method = String::from_utf8(method.to_vec()).map_err(|_| 400u16)?;
    Ok((method, target.to_vec(), minor))
}

/// `name: value`; `None` when malformed (including obsolete line folding).
fn parse_header(line: &[u8]) -> Option<(String, Vec<u8>)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return None;
    }
    let value = value.trim_ascii();
    if value.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
        return None;
    }
    let name = String::from_utf8(name.to_ascii_lowercase()).ok()?;
    Some((name, value.to_vec()))
}

/// Header rules whose breach makes the request unanswerable.
fn check_headers(req: &Request) -> Option<u16> {
    // RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400.
    if req.minor == 1 && req.header("host").is_none() {
        return Some(400);
    }
    let lengths: Vec<&[u8]> = req
        .headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .map(|(_, v)| v.as_slice())
        .collect();
    if lengths
        .iter()
        .any(|v| v.is_empty() || !v.iter().all(u8::is_ascii_digit))
        || lengths.windows(2).any(|w| w[0] != w[1])
    {
        return Some(400);
    }
    // Both framings at once is the classic request-smuggling shape.
    if !lengths.is_empty() && req.header("transfer-encoding").is_some() {
        return Some(400);
    }
    None
}

/// RFC 9110 token characters.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The reason phrase of a status code this server sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// A response body.
pub enum Body {
    /// Bytes in memory (HTML after script injection, built-in pages).
    Bytes(Vec<u8>),
    /// An open file and its length, streamed without loading it whole.
    File(File, u64),
    /// No length known: the body runs until the connection closes (the event stream).
    Stream,
}

/// One response, written by [`Response::write_to`].
pub struct Response {
    /// Status code.
    pub status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl Response {
    /// A response with a content type and body.
    pub fn new(status: u16, content_type: &str, body: Body) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the status line, headers and (unless `head_only`) the body.
    ///
    /// `keep_alive` is what the caller will do with the connection afterwards;
    /// a streamed body always closes it.
    pub fn write_to<W: Write>(
        self,
        w: &mut W,
        head_only: bool,
        keep_alive: bool,
    ) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let len = match &self.body {
            Body::Bytes(b) => Some(b.len() as u64),
            Body::File(_, len) => Some(*len),
            Body::Stream => None,
        };
        if let Some(len) = len {
            head.push_str(&format!("Content-Length: {len}\r\n"));
        }
        // no-cache: the browser revalidates every time, so a reload sees the new build.
        head.push_str("Cache-Control: no-cache\r\n");
        head.push_str("X-Content-Type-Options: nosniff\r\n");
        head.push_str(&format!("Date: {}\r\n", http_date(SystemTime::now())));
        let keep = keep_alive && len.is_some();
        head.push_str(if keep {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        w.write_all(head.as_bytes())?;
        if !head_only {
            match self.body {
                Body::Bytes(b) => w.write_all(&b)?,
                Body::File(f, len) => {
                    // The file may be cut short if a build rewrote it in place; a
                    // short body would desynchronise keep-alive, so fail the connection.
                    let sent = io::copy(&mut f.take(len), w)?;
                    if sent != len {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "file shrank while being sent",
                        ));
                    }
                }
                Body::Stream => {}
            }
        }
        w.flush()
    }
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) for the `Date` header.
pub fn http_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::time::Duration;

    fn read(raw: &[u8]) -> ReadOutcome {
        read_request(&mut Cursor::new(raw.to_vec()))
    }

    #[test]
    fn parses_a_browser_request() {
        let ReadOutcome::Request(req) = read(
            b"GET /a%20b?q=1 HTTP/1.1\r\nHost: localhost\r\nConnection: Keep-Alive, Upgrade\r\n\r\n",
        ) else {
            panic!("not parsed");
        };
        assert_eq!(req.method, "GET");
        assert_eq!(req.target, b"/a%20b?q=1");
        assert_eq!(req.minor, 1);
        assert_eq!(req.header("host"), Some(&b"localhost"[..]));
        assert!(req.keep_alive());
    }

    #[test]
    fn keep_alive_rules() {
        let ka = |raw: &[u8]| match read(raw) {
            ReadOutcome::Request(r) => r.keep_alive(),
            other => panic!("{other:?}"),
        };
        assert!(ka(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(!ka(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ));
        assert!(!ka(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(ka(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assert!(!ka(
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"
        ));
        assert!(ka(
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        ));
    }

    #[test]
    fn tolerates_bare_newlines_and_leading_empty_lines() {
        assert!(matches!(
            read(b"\r\n\nGET / HTTP/1.1\nHost: x\n\n"),
            ReadOutcome::Request(_)
        ));
    }

    #[test]
    fn rejects_malformed_heads() {
        let bad: &[(&[u8], u16)] = &[
            (b"GARBAGE\r\n\r\n", 400),
            (b"GET /\r\n\r\n", 400),
            (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400),
            (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            (b"GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400),
            (b"GET / FTP/1.1\r\nHost: x\r\n\r\n", 400),
            (b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\n: x\r\nHost: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ];
        for (raw, want) in bad {
            match read(raw) {
                ReadOutcome::Bad(got) => assert_eq!(got, *want, "{}", String::from_utf8_lossy(raw)),
                other => panic!("{}: {other:?}", String::from_utf8_lossy(raw)),
            }
        }
    }

    #[test]
    fn oversized_heads_get_431() {
        let mut raw = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', MAX_HEAD));
        raw.extend_from_slice(b"\r\n\r\n");
        assert!(matches!(read(&raw), ReadOutcome::Bad(431)));

        let mut many = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
        for _ in 0..=MAX_HEADERS {
            many.extend_from_slice(b"A: b\r\n");
        }
        many.extend_from_slice(b"\r\n");
        assert!(matches!(read(&many), ReadOutcome::Bad(431)));
    }

    #[test]
    fn truncated_heads_are_closed_not_answered() {
        assert!(matches!(read(b""), ReadOutcome::Closed));
        assert!(matches!(read(b"GET / HT"), ReadOutcome::Closed));
        assert!(matches!(
            read(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            ReadOutcome::Closed
        ));
    }

    #[test]
    fn writes_length_and_connection_headers() {
        let mut out = Vec::new();
        Response::new(
            200,
            "text/plain; charset=utf-8",
            Body::Bytes(b"hi".to_vec()),
        )
        .write_to(&mut out, false, true)
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(text.contains("Content-Length: 2\r\n"));
        assert!(text.contains("Cache-Control: no-cache\r\n"));
        assert!(text.contains("Connection: keep-alive\r\n"));
        assert!(text.ends_with("\r\n\r\nhi"));

        let mut out = Vec::new();
        Response::new(200, "text/plain", Body::Bytes(b"hi".to_vec()))
            .write_to(&mut out, true, false)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Content-Length: 2\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.ends_with("\r\n\r\n"), "HEAD has no body");
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_208_000); // leap day
        assert_eq!(http_date(t), "Thu, 29 Feb 2024 12:00:00 GMT");
    }
}
