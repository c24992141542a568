//! From a request target to a file inside the output directory, and nowhere else.
//!
//! Two independent fences keep requests inside the site: the URL path is
//! decoded and every segment must be a plain file name (no `..`, `.`,
//! backslash, NUL or drive prefix, whether written raw or percent-encoded);
//! then the file actually found is canonicalised and must still lie under the
//! canonicalised output directory, which refuses symlinks that point outside.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::thread;
use std::time::Duration;

/// A request target that cannot name a file (answered with 400).
#[derive(Debug, PartialEq, Eq)]
pub struct BadPath;

/// The decoded path of a request target.
#[derive(Debug, PartialEq, Eq)]
pub struct UrlPath {
    /// Decoded, validated segments; empty segments (`//`) are dropped.
    pub segments: Vec<String>,
    /// Whether the path ends in `/` (a directory: serve its `index.html`).
    pub trailing_slash: bool,
    /// The raw query string after `?`, if any, kept for redirects.
    pub query: Option<Vec<u8>>,
}

impl UrlPath {
    /// The canonical percent-encoded form of this path, with `/` appended,
    /// and the query kept: where a directory request without a slash is sent,
    /// so that the relative links of its `index.html` resolve.
    pub fn directory_location(&self) -> String {
        let mut loc = String::from("/");
        for seg in &self.segments {
            loc.push_str(&encode_segment(seg));
            loc.push('/');
        }
        if let Some(q) = &self.query {
            loc.push('?');
            for &b in q {
                if b.is_ascii() {
                    loc.push(b as char);
                } else {
                    loc.push_str(&format!("%{b:02X}"));
                }
            }
        }
        loc
    }
}

/// Parses an origin-form (`/a/b?q`) or absolute-form (`http://host/a/b`) target.
pub fn parse_target(target: &[u8]) -> Result<UrlPath, BadPath> {
    let target = strip_scheme_and_authority(target)?;
    let target = match target.iter().position(|&b| b == b'#') {
        Some(i) => &target[..i],
        None => target,
    };
    let (path, query) = match target.iter().position(|&b| b == b'?') {
        Some(i) => (&target[..i], Some(target[i + 1..].to_vec())),
        None => (target, None),
    };
    if path.first() != Some(&b'/') {
        return Err(BadPath);
    }
    // Decode the whole path first, so an encoded `%2F` separates segments and
    // the checks below see `..` however it was spelt.
    let decoded = percent_decode(path)?;
    if decoded.iter().any(|&b| b == 0 || b == b'\\') {
        return Err(BadPath);
    }
    let decoded = String::from_utf8(decoded).map_err(|_| BadPath)?;
    let mut segments = Vec::new();
    for seg in decoded.split('/').filter(|s| !s.is_empty()) {
        if !is_plain_name(seg) {
            return Err(BadPath);
        }
        segments.push(seg.to_string());
    }
    Ok(UrlPath {
        segments,
        trailing_slash: decoded.ends_with('/'),
        query,
    })
}

/// `http://host:port/path` → `/path`; anything else is returned as is.
fn strip_scheme_and_authority(target: &[u8]) -> Result<&[u8], BadPath> {
    let lower = |n: usize| target.get(..n).map(<[u8]>::to_ascii_lowercase);
    let rest = if lower(7).as_deref() == Some(b"http://") {
        &target[7..]
    } else if lower(8).as_deref() == Some(b"https://") {
        &target[8..]
    } else {
        return Ok(target);
    };
    match rest.iter().position(|&b| b == b'/' || b == b'?') {
        Some(i) if rest[i] == b'/' => Ok(&rest[i..]),
        // `http://host` or `http://host?q`: the path is `/`, but a query
        // before any slash is too odd to bother with.
        Some(_) => Err(BadPath),
        None => Ok(b"/"),
    }
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is an error
/// (the crate would pass it through; a request for a file has no use for it).
fn percent_decode(s: &[u8]) -> Result<Vec<u8>, BadPath> {
    let malformed = s.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && !s
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed {
        return Err(BadPath);
    }
    Ok(percent_encoding::percent_decode(s).collect())
}

/// Whether `seg` is a single ordinary file name on this platform.
fn is_plain_name(seg: &str) -> bool {
    if seg == "." || seg == ".." {
        return false;
    }
    // On Windows `C:` is a drive prefix and `a:b` an alternate data stream.
    if cfg!(windows) && seg.contains(':') {
        return false;
    }
    let mut comps = Path::new(seg).components();
    matches!(
        (comps.next(), comps.next()),
        (Some(Component::Normal(c)), None) if c == seg
    )
}

/// What a path segment of a `Location` header may hold as it is (RFC 3986 `pchar`).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Percent-encodes one segment for a `Location` header.
fn encode_segment(seg: &str) -> String {
    percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string()
}

/// What a decoded path names in the output directory.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A regular file, canonicalised, inside the output directory.
    File(PathBuf),
    /// A directory requested without its trailing slash.
    Redirect,
    /// Nothing servable there.
    NotFound,
    /// It resolves outside the output directory (a symlink pointing out).
    Forbidden,
    /// The output directory itself does not exist (yet).
    NoSite,
}

/// Resolves `url` under `root`, freshly per request: a build replaces the
/// output directory as a whole, so nothing about it may be cached.
pub fn resolve(root: &Path, url: &UrlPath) -> Resolved {
    let Some(root) = site_root(root) else {
        return Resolved::NoSite;
    };
    let mut path = root.clone();
    path.extend(&url.segments);
    let canon = match inside(&root, &path) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Ok(meta) = fs::metadata(&canon) else {
        return Resolved::NotFound;
    };
    if meta.is_dir() {
        if !url.trailing_slash {
            return Resolved::Redirect;
        }
        // index.html may itself be a symlink: check it again.
        return match inside(&root, &canon.join("index.html")) {
            Ok(index) if index.is_file() => Resolved::File(index),
            Ok(_) => Resolved::NotFound,
            Err(r) => r,
        };
    }
    // Only regular files: opening a FIFO or device would block or leak.
    if meta.is_file() && !url.trailing_slash {
        Resolved::File(canon)
    } else {
        Resolved::NotFound
    }
}

/// Canonicalises the output directory, riding out the instant of a swap.
fn site_root(root: &Path) -> Option<PathBuf> {
    // A build that swaps with two renames (old away, new in) leaves a moment
    // with nothing at `root`; a request landing there should not see a 404.
    const ATTEMPTS: u32 = 5;
    for attempt in 1..=ATTEMPTS {
        match fs::canonicalize(root) {
            Ok(p) if p.is_dir() => return Some(p),
            Ok(_) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempt < ATTEMPTS => {
                thread::sleep(Duration::from_millis(20));
            }
            Err(_) => return None,
        }
    }
    None
}

/// Canonicalises `path` and checks that it lies under the canonical `root`.
fn inside(root: &Path, path: &Path) -> Result<PathBuf, Resolved> {
    let canon = fs::canonicalize(path).map_err(|_| Resolved::NotFound)?;
    if canon.starts_with(root) {
        Ok(canon)
    } else {
        Err(Resolved::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(target: &str) -> Vec<String> {
        parse_target(target.as_bytes()).unwrap().segments
    }

    #[test]
    fn decodes_japanese_and_spaces() {
        assert_eq!(
            segs("/2023/%E7%B7%8F%E5%8B%99%E9%83%A8.html"),
            ["2023", "総務部.html"]
        );
        assert_eq!(segs("/a%20b/c+d.txt"), ["a b", "c+d.txt"]);
        // Raw UTF-8 as curl sends it.
        assert_eq!(segs("/総務部.html"), ["総務部.html"]);
    }

    #[test]
    fn splits_query_and_trailing_slash() {
        let u = parse_target(b"/sub/?q=%E4%BA%BA").unwrap();
        assert_eq!(u.segments, ["sub"]);
        assert!(u.trailing_slash);
        assert_eq!(u.query.as_deref(), Some(&b"q=%E4%BA%BA"[..]));
        let root = parse_target(b"/").unwrap();
        assert!(root.segments.is_empty() && root.trailing_slash);
        assert_eq!(segs("//a///b"), ["a", "b"]);
    }

    #[test]
    fn accepts_absolute_form() {
        assert_eq!(segs("http://localhost:8080/a/b.html"), ["a", "b.html"]);
        assert_eq!(segs("HTTPS://x"), Vec::<String>::new());
    }

    #[test]
    fn rejects_escapes_and_odd_bytes() {
        for bad in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/..%2fetc%2fpasswd",
            "/.%2e/etc/passwd",
            "/./index.html",
            "/..\\etc\\passwd",
            "/%5c..%5cetc",
            "/a%00.html",
            "/%zz",
            "/%e",
            "/%ff%fe",
            "relative",
            "*",
            "example.com:443",
            "http://x/../etc/passwd",
            "http://x?q",
        ] {
            assert_eq!(parse_target(bad.as_bytes()), Err(BadPath), "{bad}");
        }
    }

    #[test]
    fn directory_location_is_encoded() {
        let u = parse_target("/令和5年度?q=総".as_bytes()).unwrap();
        assert_eq!(
            u.directory_location(),
            "/%E4%BB%A4%E5%92%8C5%E5%B9%B4%E5%BA%A6/?q=%E7%B7%8F"
        );
    }

    #[test]
    fn resolves_files_dirs_and_refuses_outside() {
        let outer = tempfile::tempdir().unwrap();
        let site = outer.path().join("public");
        fs::create_dir_all(site.join("sub")).unwrap();
        fs::write(site.join("index.html"), "top").unwrap();
        fs::write(site.join("sub/page.html"), "page").unwrap();
        fs::write(outer.path().join("secret.txt"), "secret").unwrap();
        let r = |t: &str| resolve(&site, &parse_target(t.as_bytes()).unwrap());
        let canon = fs::canonicalize(&site).unwrap();

        assert_eq!(r("/"), Resolved::File(canon.join("index.html")));
        assert_eq!(
            r("/sub/page.html"),
            Resolved::File(canon.join("sub/page.html"))
        );
        assert_eq!(r("/sub"), Resolved::Redirect);
        assert_eq!(r("/sub/"), Resolved::NotFound, "no index, no listing");
        assert_eq!(r("/sub/page.html/"), Resolved::NotFound);
        assert_eq!(r("/missing.html"), Resolved::NotFound);
        assert_eq!(r("/etc/passwd"), Resolved::NotFound);

        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(outer.path().join("secret.txt"), site.join("leak.txt")).unwrap();
            symlink(outer.path(), site.join("leakdir")).unwrap();
            symlink(site.join("sub/page.html"), site.join("alias.html")).unwrap();
            assert_eq!(r("/leak.txt"), Resolved::Forbidden);
            assert_eq!(r("/leakdir/secret.txt"), Resolved::Forbidden);
            assert_eq!(r("/leakdir"), Resolved::Forbidden, "no redirect either");
            assert_eq!(
                r("/alias.html"),
                Resolved::File(canon.join("sub/page.html"))
            );
        }

        fs::remove_dir_all(&site).unwrap();
        assert_eq!(r("/"), Resolved::NoSite);
    }
}
