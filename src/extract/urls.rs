//! URLs found on a page, resolved the way a browser would against `<base href>` and the page
//! URL, and kept only when they are absolute http(s) (`javascript:`, `data:` and the rest never
//! leave the extractor).

use url::Url;

/// Longest URL kept; longer ones are junk or an attack on whoever uses them next.
const MAX_URL_BYTES: usize = 4096;

/// The base for relative URLs: `<base href>` when it resolves to http(s), else the page URL.
#[must_use]
pub fn base(page_url: &Url, base_href: Option<&str>) -> Url {
    base_href
        .and_then(|href| resolve(page_url, href))
        .unwrap_or_else(|| page_url.clone())
}

/// Resolves `raw` against `base`; `None` unless the result is an http(s) URL with a host.
#[must_use]
pub fn resolve(base: &Url, raw: &str) -> Option<Url> {
    // Browsers drop tabs and newlines anywhere in a URL and trim the ends.
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if cleaned.is_empty() || cleaned.len() > MAX_URL_BYTES || cleaned.starts_with('#') {
        return None;
    }
    let url = base.join(&cleaned).ok()?;
    let web = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none();
    web.then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://news.example/a/b/page.html").unwrap()
    }

    #[test]
    fn relative_and_protocol_relative_urls_resolve_against_the_base() {
        let base = base(&page(), Some("/static/"));
        assert_eq!(
            resolve(&base, "img/x.jpg").unwrap().as_str(),
            "https://news.example/static/img/x.jpg"
        );
        assert_eq!(
            resolve(&base, "//cdn.example/x.jpg").unwrap().as_str(),
            "https://cdn.example/x.jpg"
        );
        assert_eq!(
            resolve(&page(), " ../c.jpg\n").unwrap().as_str(),
            "https://news.example/a/c.jpg"
        );
    }

    #[test]
    fn only_http_and_https_urls_are_kept() {
        for raw in [
            "javascript:alert(1)",
            "data:image/png;base64,AA",
            "mailto:a@b.c",
            "ftp://x.example/a",
            "#top",
            "",
            "https://user:pw@x.example/",
        ] {
            assert_eq!(resolve(&page(), raw), None, "{raw}");
        }
    }

    #[test]
    fn a_base_href_that_is_not_http_is_ignored() {
        assert_eq!(base(&page(), Some("javascript:void(0)")), page());
    }
}
