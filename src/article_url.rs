//! `ArticleUrl`: an article URL that is safe to look at (docs/api.md, docs/security.md
//! §2.1 step 1). Parse, don't validate: once a value of this type exists it is absolute http(s),
//! has no userinfo, is at most 2048 bytes, names an allowed port, and is normalised (lower-case
//! host without a trailing dot, punycode, no fragment), so it is also the cache key. Whether its
//! host may be fetched is the fetch layer's question (`fetch::guard`).

use std::fmt;

use url::Url;

/// Longest `url` parameter accepted (docs/api.md: longer is 414).
pub const MAX_URL_BYTES: usize = 2048;

/// Ports fetched unless a deployment allows more (`APERCU_ALLOW_ADDRESSES` entries add theirs).
pub const DEFAULT_PORTS: &[u16] = &[80, 443];

/// Why a `url` parameter was refused. Every variant is the client's mistake (400, or 414).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("the url is longer than {MAX_URL_BYTES} bytes")]
    TooLong,
    #[error("the url is not an absolute URL")]
    Invalid,
    #[error("only http and https URLs can be previewed")]
    Scheme,
    #[error("URLs with a user name or password are not accepted")]
    Userinfo,
    #[error("port {0} is not allowed")]
    Port(u16),
}

/// An article URL that passed [`ArticleUrl::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArticleUrl(Url);

impl ArticleUrl {
    /// Parses and normalises a client-supplied URL. `extra_ports` are allowed besides 80 and 443.
    ///
    /// # Errors
    /// [`UrlError`] saying what is wrong with it.
    pub fn parse(raw: &str, extra_ports: &[u16]) -> Result<Self, UrlError> {
        if raw.len() > MAX_URL_BYTES {
            return Err(UrlError::TooLong);
        }
        let mut url = Url::parse(raw.trim()).map_err(|_| UrlError::Invalid)?;
        Self::check(&url, extra_ports)?;
        url.set_fragment(None);
        if let Some(host) = url.host_str().filter(|h| h.ends_with('.') && h.len() > 1) {
            let trimmed = host.trim_end_matches('.').to_owned();
            url.set_host(Some(&trimmed))
                .map_err(|_| UrlError::Invalid)?;
        }
        if url.as_str().len() > MAX_URL_BYTES {
            return Err(UrlError::TooLong);
        }
        Ok(Self(url))
    }

    /// The same rules for a URL found on a page or in a redirect (its fragment dropped too).
    ///
    /// # Errors
    /// As [`ArticleUrl::parse`].
    pub fn from_url(url: &Url, extra_ports: &[u16]) -> Result<Self, UrlError> {
        Self::parse(url.as_str(), extra_ports)
    }

    fn check(url: &Url, extra_ports: &[u16]) -> Result<(), UrlError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlError::Scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::Userinfo);
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlError::Invalid);
        }
        let port = url.port_or_known_default().ok_or(UrlError::Invalid)?;
        if !DEFAULT_PORTS.contains(&port) && !extra_ports.contains(&port) {
            return Err(UrlError::Port(port));
        }
        Ok(())
    }

    #[must_use]
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for ArticleUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<String, UrlError> {
        ArticleUrl::parse(raw, &[]).map(|u| u.to_string())
    }

    #[test]
    fn urls_are_normalised_into_one_cache_key() {
        // docs/security.md I1: these name one resource.
        for raw in [
            "HTTP://News.Example/a/./b?x=1#top",
            "http://news.example:80/a/b?x=1",
            "http://news.example./a/b?x=1",
        ] {
            assert_eq!(
                parse(raw).as_deref(),
                Ok("http://news.example/a/b?x=1"),
                "{raw}"
            );
        }
        // I2: query order is meaning, not noise.
        assert_ne!(
            parse("http://x.example/?a=1&b=2"),
            parse("http://x.example/?b=2&a=1")
        );
    }

    #[test]
    fn only_http_and_https_are_accepted() {
        for raw in [
            "file:///etc/passwd",
            "gopher://127.0.0.2:70/_x",
            "dict://x.example/",
            "ftp://x.example/",
            "data:text/html,<p>",
            "javascript:alert(1)",
            "ws://x.example/",
            "jar:http://x!/",
        ] {
            assert_eq!(parse(raw), Err(UrlError::Scheme), "{raw}");
        }
        for raw in ["", "not a url", "//x.example/a", "/relative", "http://"] {
            assert!(parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn userinfo_is_refused() {
        assert_eq!(
            parse("http://user:pass@x.example/"),
            Err(UrlError::Userinfo)
        );
        assert_eq!(parse("http://evil.com@127.0.0.2/"), Err(UrlError::Userinfo));
    }

    #[test]
    fn ports_other_than_80_and_443_need_an_exemption() {
        for port in [22, 25, 6379, 11211, 8080] {
            assert_eq!(
                parse(&format!("http://x.example:{port}/")),
                Err(UrlError::Port(port))
            );
        }
        assert!(parse("http://x.example:0/").is_err());
        assert!(parse("http://x.example:65536/").is_err());
        assert!(ArticleUrl::parse("http://127.0.0.1:8087/ok", &[8087]).is_ok());
        assert!(parse("https://x.example:443/").is_ok());
    }

    #[test]
    fn a_url_over_2048_bytes_is_too_long() {
        let long = format!("https://x.example/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(parse(&long), Err(UrlError::TooLong));
    }

    #[test]
    fn international_names_become_punycode_and_broken_ones_are_refused() {
        assert_eq!(
            parse("https://ex\u{0430}mple.com/").as_deref(),
            Ok("https://xn--exmple-4nf.com/")
        );
        assert!(parse("http://exa mple.com/").is_err());
        assert!(parse("http://exa%00mple.com/").is_err());
    }

    #[test]
    fn the_parsed_host_is_what_parser_confusion_tricks_resolve_to() {
        // docs/security.md A11: classify the host the url crate parsed, and fetch the same value.
        let parsed = ArticleUrl::parse("http://127.0.0.1\\@127.0.0.2/", &[]).unwrap();
        assert_eq!(parsed.as_url().host_str(), Some("127.0.0.1"));
        let parsed = ArticleUrl::parse("http:/\\127.0.0.2/", &[]).unwrap();
        assert_eq!(parsed.as_url().host_str(), Some("127.0.0.2"));
    }
}
