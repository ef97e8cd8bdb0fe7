//! Where the browser may be sent after logging in: a path on this site, as the browser itself
//! would read it. Browsers drop tabs and line breaks from a URL, read a backslash as a slash and
//! take `//host` as another site, so anything that could become another origin after that
//! normalisation — in the value as given or after undoing percent-encoding — falls back to `/`.

/// `next` if it is a same-origin path, otherwise `/`. The result is safe to put in a
/// `Location` header: printable ASCII only, non-ASCII percent-encoded.
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_same_origin_path(n))
        .map(encode_non_ascii)
        .unwrap_or_else(|| "/".to_owned())
}

fn is_same_origin_path(n: &str) -> bool {
    // Undo percent-encoding a few times: a server or a browser along the way may decode once
    // more, and `%252F` is `%2F` is `/`.
    let mut forms = vec![n.to_owned()];
    let mut current = n.to_owned();
    for _ in 0..3 {
        match percent_decode(&current) {
            Some(d) if d != current => {
                forms.push(d.clone());
                current = d;
            }
            Some(_) => break,
            // Undecodable bytes cannot be a path the site made.
            None => return false,
        }
    }
    forms.iter().all(|f| plain_path(f))
}

/// A path that no browser reads as another origin.
fn plain_path(p: &str) -> bool {
    let mut chars = p.chars();
    if chars.next() != Some('/') {
        return false;
    }
    if matches!(chars.next(), Some('/' | '\\')) {
        return false;
    }
    !p.chars()
        .any(|c| c.is_control() || c == '\\' || c == ' ' || !xunshi_core::text::allowed(c))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|x| (*x as char).to_digit(16)),
                b.get(i + 2).and_then(|x| (*x as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn encode_non_ascii(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn own_paths_pass() {
        for p in [
            "/",
            "/units",
            "/units?q=a&b=c",
            "/rectification/tasks?status=closed#x",
        ] {
            assert_eq!(safe_next(Some(p)), p);
        }
        assert_eq!(safe_next(Some("/单位")), "/%E5%8D%95%E4%BD%8D");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn anything_a_browser_could_take_off_site_falls_back_to_the_home_page() {
        for p in [
            "//evil.example/x",
            "/\\evil.example/x",
            "\\\\evil.example",
            "/\t/evil.example/x",
            "/%09/evil.example/x",
            "/%2509/evil.example/x",
            "/%2F/evil.example/x",
            "/%5Cevil.example",
            "/%5C%5Cevil.example",
            "/\r\nSet-Cookie: a=b",
            "/%0d%0aSet-Cookie:%20a=b",
            "/a\0b",
            "/a%00b",
            "/%FF",
            "https://evil.example/",
            "evil.example",
            "",
            " /units",
            "/\u{202E}x",
        ] {
            assert_eq!(safe_next(Some(p)), "/", "{p:?}");
        }
    }
}
