//! Relative URLs: every link in the site is relative to the page it is on, so
//! the site works from any server path and straight from a file share.

/// `../` once per folder level of a root-relative page path (`2023/somu.html` → `../`).
pub fn root_of(page_path: &str) -> String {
    "../".repeat(page_path.matches('/').count())
}

/// Percent-encodes a root-relative path for use in an href (keeps `/` and `#`).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' | b'#' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_encoding() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("2023/somu.html"), "../");
        assert_eq!(root_of("a/b/c.html"), "../../");
        assert_eq!(encode_path("2023/somu.html#n1-p3"), "2023/somu.html#n1-p3");
        assert_eq!(
            encode_path("2023/総務.html"),
            "2023/%E7%B7%8F%E5%8B%99.html"
        );
    }
}
