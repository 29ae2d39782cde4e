//! Article URLs from where publishers list them, for warm-up: RSS 2.0, Atom and JSON Feed
//! (feed-rs), sitemaps, sitemap indexes and Google News sitemaps (quick-xml, which expands no
//! DTD entity), and plain-text sitemaps (one URL a line). Pure: bytes in, at most
//! [`MAX_URLS`] absolute http(s) URLs out.

use quick_xml::Reader;
use quick_xml::events::Event;
use url::Url;

/// URLs read from one listing, at most: the rest is left (a 100,000-item feed costs no more).
pub const MAX_URLS: usize = 1000;

/// What a listing holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Article pages (a feed, a sitemap, a news sitemap, a text sitemap).
    Articles(Vec<Url>),
    /// Further sitemaps (a sitemap index).
    Sitemaps(Vec<Url>),
}

/// Why a listing cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("it is neither a feed (RSS, Atom, JSON Feed) nor a sitemap: {0}")]
    Unreadable(String),
    #[error("it lists no article")]
    Empty,
    /// The site answered that there is no such feed (404 or 410).
    #[error("the site says it does not exist")]
    Missing,
}

/// Reads `bytes`, fetched from `base` (relative links resolve against it).
///
/// # Errors
/// [`FeedError`] when the bytes are no feed or sitemap, or list nothing.
pub fn read(bytes: &[u8], base: &Url) -> Result<Listing, FeedError> {
    let (text, _, _) = encoding_rs::UTF_8.decode(bytes);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let listing = if start.starts_with('<') {
        match root_element(start).as_deref() {
            Some("urlset") => Listing::Articles(scan(start, "url", "loc", base)),
            Some("sitemapindex") => Listing::Sitemaps(scan(start, "sitemap", "loc", base)),
            // feed-rs reads a whole, well-formed feed; one cut short (or carrying a DTD it
            // refuses) still gives the entries before the cut.
            Some(root @ ("rss" | "rdf" | "feed")) => match feed(bytes, base) {
                Ok(urls) => Listing::Articles(urls),
                Err(error) => {
                    let (entry, link) = if root == "feed" {
                        ("entry", "")
                    } else {
                        ("item", "link")
                    };
                    let urls = scan(start, entry, link, base);
                    if urls.is_empty() {
                        return Err(error);
                    }
                    Listing::Articles(urls)
                }
            },
            _ => Listing::Articles(feed(bytes, base)?),
        }
    } else if start.starts_with('{') {
        Listing::Articles(feed(bytes, base)?)
    } else {
        Listing::Articles(text_sitemap(start, base))
    };
    match &listing {
        Listing::Articles(urls) | Listing::Sitemaps(urls) if urls.is_empty() => {
            Err(FeedError::Empty)
        }
        _ => Ok(listing),
    }
}

/// The local name of the document's first element.
fn root_element(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(element) | Event::Empty(element)) => {
                return Some(element.local_name().as_ref().to_ascii_lowercase());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// The link of every `entry` element, as far as the document reads well (a listing cut short
/// still gives the URLs before the cut): the text of its `text_link` child (`<loc>` in a
/// sitemap, `<link>` in RSS), or the `href` of an Atom `<link>` that is the entry's alternate.
fn scan(text: &str, entry: &str, text_link: &str, base: &Url) -> Vec<Url> {
    let mut reader = Reader::from_str(text);
    let mut urls = Vec::new();
    let (mut in_entry, mut in_link) = (false, false);
    let mut link = String::new();
    while urls.len() < MAX_URLS {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => event,
        };
        match event {
            Event::Start(element) | Event::Empty(element)
                if in_entry && element.local_name().as_ref() == "link" && text_link != "link" =>
            {
                let attribute = |name: &str| {
                    element
                        .attributes()
                        .flatten()
                        .find(|attribute| attribute.key.local_name().as_ref() == name)
                        .and_then(|attribute| {
                            attribute
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                        })
                };
                if attribute("rel").is_none_or(|rel| rel == "alternate")
                    && let Some(href) = attribute("href")
                {
                    push(&mut urls, base, &href);
                }
            }
            Event::Start(element) => {
                let name = element.local_name();
                if name.as_ref().eq_ignore_ascii_case(entry) {
                    in_entry = true;
                } else if in_entry && name.as_ref() == text_link {
                    in_link = true;
                    link.clear();
                }
            }
            Event::End(element) => {
                let name = element.local_name();
                if name.as_ref().eq_ignore_ascii_case(entry) {
                    in_entry = false;
                } else if in_link && name.as_ref() == text_link {
                    in_link = false;
                    push(&mut urls, base, &link);
                }
            }
            Event::Text(content) if in_link => link.push_str(&content.xml10_content()),
            Event::CData(content) if in_link => link.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) if in_link => {
                // The five predefined entities and character references; anything a DTD would
                // define is dropped, never expanded.
                if let Ok(Some(c)) = reference.resolve_char_ref() {
                    link.push(c);
                } else {
                    let predefined = match reference.xml10_content().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    };
                    link.extend(predefined);
                }
            }
            _ => {}
        }
    }
    urls
}

/// Each entry's link (its `alternate` one when it has several) of an RSS, Atom or JSON feed.
fn feed(bytes: &[u8], base: &Url) -> Result<Vec<Url>, FeedError> {
    let parsed = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .build()
        .parse(bytes)
        .map_err(|e| FeedError::Unreadable(e.to_string().chars().take(200).collect()))?;
    let mut urls = Vec::new();
    for entry in parsed.entries {
        let link = entry
            .links
            .iter()
            .find(|link| link.rel.as_deref().is_none_or(|rel| rel == "alternate"))
            .or_else(|| entry.links.first());
        if let Some(link) = link {
            push(&mut urls, base, &link.href);
        }
        if urls.len() == MAX_URLS {
            break;
        }
    }
    Ok(urls)
}

/// A text sitemap: one URL a line.
fn text_sitemap(text: &str, base: &Url) -> Vec<Url> {
    let mut urls = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("http://") || line.starts_with("https://") {
            push(&mut urls, base, line);
        }
        if urls.len() == MAX_URLS {
            break;
        }
    }
    urls
}

/// Adds `raw`, resolved against `base`, when it is http(s) and not there yet.
fn push(urls: &mut Vec<Url>, base: &Url, raw: &str) {
    if let Ok(url) = base.join(raw.trim())
        && matches!(url.scheme(), "http" | "https")
        && !urls.contains(&url)
    {
        urls.push(url);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn base() -> Url {
        Url::parse("https://news.example/feeds/main.xml").unwrap()
    }

    fn articles(bytes: &str) -> Vec<String> {
        match read(bytes.as_bytes(), &base()).unwrap() {
            Listing::Articles(urls) => urls.into_iter().map(String::from).collect(),
            Listing::Sitemaps(_) => panic!("not a sitemap index"),
        }
    }

    #[test]
    fn rss_atom_json_feed_and_every_kind_of_sitemap_give_their_article_urls() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title>A</title><link>https://news.example/a</link></item>
            <item><title>B</title><link>/b</link></item></channel></rss>"#;
        assert_eq!(
            articles(rss),
            ["https://news.example/a", "https://news.example/b"]
        );
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>x</id><updated>2026-01-01T00:00:00Z</updated>
            <entry><title>A</title><id>1</id><updated>2026-01-01T00:00:00Z</updated>
            <link rel="self" href="https://news.example/a.atom"/><link rel="alternate" href="https://news.example/a"/></entry></feed>"#;
        assert_eq!(articles(atom), ["https://news.example/a"]);
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"T",
            "items":[{"id":"1","url":"https://news.example/a"},{"id":"2","url":"https://news.example/c"}]}"#;
        assert_eq!(
            articles(json),
            ["https://news.example/a", "https://news.example/c"]
        );
        let news = r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
            <url><loc>https://news.example/a?x=1&amp;y=2</loc><news:news><news:title>A</news:title></news:news></url>
            <url><loc> https://news.example/b </loc></url></urlset>"#;
        assert_eq!(
            articles(news),
            ["https://news.example/a?x=1&y=2", "https://news.example/b"]
        );
        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>https://news.example/s1.xml</loc></sitemap>
            <sitemap><loc>https://news.example/s2.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            read(index.as_bytes(), &base()).unwrap(),
            Listing::Sitemaps(vec![
                Url::parse("https://news.example/s1.xml").unwrap(),
                Url::parse("https://news.example/s2.xml").unwrap()
            ])
        );
        assert_eq!(
            articles("https://news.example/a\nnot a url\nhttps://news.example/b\n"),
            ["https://news.example/a", "https://news.example/b"]
        );
    }

    #[test]
    fn hostile_listings_are_refused_or_capped() {
        // Billion laughs: entities are never expanded.
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
            <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <urlset><url><loc>https://news.example/&lol3;</loc></url></urlset>"#;
        assert_eq!(articles(bomb), ["https://news.example/"]);
        let rss_bomb = bomb
            .replace("<urlset><url><loc>", "<rss><channel><item><link>")
            .replace("</loc></url></urlset>", "</link></item></channel></rss>");
        assert_eq!(articles(&rss_bomb), ["https://news.example/"]);
        // 100,000 items: the first MAX_URLS.
        let mut many = String::from("<urlset>");
        for n in 0..100_000 {
            write!(many, "<url><loc>https://news.example/{n}</loc></url>").unwrap();
        }
        assert_eq!(articles(&many).len(), MAX_URLS);
        // Cut short: what came before the cut.
        assert_eq!(
            articles(
                "<urlset><url><loc>https://news.example/a</loc></url><url><loc>https://news.ex"
            ),
            ["https://news.example/a"]
        );
        let mut rss = String::from(r#"<rss version="2.0"><channel><title>T</title>"#);
        for n in 0..3 {
            write!(
                rss,
                "<item><title>{n}</title><link>https://news.example/{n}</link></item>"
            )
            .unwrap();
        }
        assert_eq!(
            articles(&format!("{rss}<item><title>Cut")),
            [
                "https://news.example/0",
                "https://news.example/1",
                "https://news.example/2"
            ]
        );
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="self" href="/a.atom"/><link href="/a"/></entry><entry><link href="/b"#;
        assert_eq!(articles(atom), ["https://news.example/a"]);
        // Other schemes, garbage, nothing.
        assert_eq!(
            read(
                b"<urlset><url><loc>javascript:alert(1)</loc></url></urlset>",
                &base()
            ),
            Err(FeedError::Empty)
        );
        assert!(read(b"<html><body>not a feed</body></html>", &base()).is_err());
        assert!(read(b"\x00\x01\x02", &base()).is_err());
        assert!(read(b"", &base()).is_err());
    }
}
