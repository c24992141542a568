//! The server's own small pages: not found, redirects and errors, in Japanese.

use super::http::{reason, Body, Response};
use super::live;

const HTML: &str = "text/html; charset=utf-8";

/// The built-in 404 page, used when the site has no `404.html` of its own.
///
/// It carries the live-reload script: when the very first build failed there
/// is no site yet, and this page is where the error overlay must show, and
/// what reloads into the site once a build succeeds.
pub fn not_found(path: &str, site_exists: bool) -> Response {
    let mut body = format!(
        "<h1>ページが見つかりません</h1>\n<p><code>{}</code> に該当するページはありません。</p>\n",
        escape_html(path)
    );
    if site_exists {
        body.push_str("<p><a href=\"/\">トップページへ</a></p>\n");
    } else {
        body.push_str(
            "<p>サイトはまだ生成されていません。ビルドが成功すると、このページは自動で再読み込みされます。</p>\n",
        );
    }
    let html = live::inject(page("ページが見つかりません", &body).into_bytes());
    Response::new(404, HTML, Body::Bytes(html))
}

/// A 301 to `location` (a directory requested without its trailing slash).
pub fn redirect(location: String) -> Response {
    let body = format!(
        "<p><a href=\"{0}\">{0}</a> へ移動しました。</p>\n",
        escape_html(&location)
    );
    Response::new(
        301,
        HTML,
        Body::Bytes(page("移動しました", &body).into_bytes()),
    )
    .with_header("Location", location)
}

/// A page for an error status (4xx, 5xx).
pub fn error(status: u16) -> Response {
    let message = match status {
        400 => "リクエストが正しくありません。",
        403 => "このファイルはサイトの外を指しているため表示できません。",
        405 => "このメソッドには対応していません（GET と HEAD のみ）。",
        431 => "リクエストヘッダーが大きすぎます。",
        503 => "接続が多すぎます。しばらくしてから再読み込みしてください。",
        505 => "この HTTP バージョンには対応していません。",
        _ => "サーバーでエラーが発生しました。",
    };
    let title = format!("{status} {}", reason(status));
    let body = format!("<h1>{title}</h1>\n<p>{message}</p>\n");
    let resp = Response::new(status, HTML, Body::Bytes(page(&title, &body).into_bytes()));
    match status {
        405 => resp.with_header("Allow", "GET, HEAD"),
        503 => resp.with_header("Retry-After", "1"),
        _ => resp,
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.7}}\
         code{{word-break:break-all}}</style>\n\
         </head>\n<body>\n{body}</body>\n</html>\n",
        escape_html(title)
    )
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(resp: Response) -> String {
        let mut out = Vec::new();
        resp.write_to(&mut out, false, false).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn not_found_escapes_the_path_and_carries_the_script() {
        let t = text(not_found("/<script>alert(1)</script>", true));
        assert!(t.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(t.contains("ページが見つかりません"));
        assert!(t.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(t.contains(&format!("{}</body>", live::SCRIPT_TAG)));
        assert!(text(not_found("/", false)).contains("まだ生成されていません"));
    }

    #[test]
    fn error_pages_have_their_headers() {
        let t = text(error(405));
        assert!(t.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
        assert!(t.contains("Allow: GET, HEAD\r\n"));
        let t = text(redirect("/a/?q=\"x\"".into()));
        assert!(t.contains("Location: /a/?q=\"x\"\r\n"));
        assert!(t.contains("href=\"/a/?q=&quot;x&quot;\""));
    }
}
