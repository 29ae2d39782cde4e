//! Article metadata from page bytes (docs/api.md, `GET /meta`). Pure: no network, no clock. The
//! pipeline, as named steps: decode the charset; one linear tokenizer pass (head metadata and a
//! bounded DOM); read each source (Open Graph, JSON-LD, Twitter, microdata, plain meta, the page);
//! merge them by priority per field.

mod article;
mod attribute_cap;
mod charset;
mod dates;
mod dom;
mod found;
mod json_ld;
mod merge;
mod meta_tags;
mod microdata;
mod months;
mod open_graph;
mod page;
mod scan;
pub mod tags;
mod text;
mod title;
mod twitter;
mod urls;

pub use article::{
    Article, Field, LeadImage, Source, Sources, TextDirection, is_blurhash, is_hex_colour,
};
pub use dates::Timestamp;
pub use text::has_forbidden_char;

use url::Url;

/// What `bytes` are when they are clearly not an HTML page (an image, a PDF, an archive, binary
/// data), named for a person; `None` when they may be one. A byte-order mark means text: UTF-16
/// pages have NUL bytes of their own.
#[must_use]
pub fn not_html(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\x89PNG\r\n\x1A\n", "a PNG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"%PDF-", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1F\x8B", "gzip-compressed data"),
        (b"\x00\x00\x01\x00", "an icon"),
    ];
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return None;
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("a WebP image");
    }
    if let Some((_, what)) = SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return Some(what);
    }
    bytes[..bytes.len().min(1024)]
        .contains(&0)
        .then_some("binary data")
}

/// Bytes of a page read at most. The fetch layer stops earlier (`APERCU_MAX_HTML_BYTES`);
/// this bound keeps the extractor's time bounded whoever calls it.
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Extracts an article's metadata from a page.
///
/// `page` is the body as received, `http_charset` the `charset` of its `Content-Type` header
/// (if any), `url` the page's final URL (relative URLs resolve against it, or `<base href>`).
/// Never fails: an empty, binary or hostile page gives an article with empty fields.
///
/// ```
/// use apercu::extract::{extract, Source, Field};
/// use url::Url;
///
/// let page = br#"<html lang="fr"><title>Le Japon mise sur l'IA - Le Quotidien</title>
///   <meta property="og:site_name" content="Le Quotidien">
///   <nav class="breadcrumb"><a href="/">Accueil</a> <a href="/chiffres/">CHIFFRES</a></nav>
///   <h1>Le Japon mise sur l'IA</h1><img src="/img/lead.jpg" width="1600" height="900">"#;
/// let url = Url::parse("https://news.example/chiffres/japon-ia").unwrap();
/// let article = extract(page, None, &url);
///
/// assert_eq!(article.title.as_deref(), Some("Le Japon mise sur l'IA"));
/// assert_eq!(article.category.as_deref(), Some("CHIFFRES"));
/// assert_eq!(article.sources.get(Field::Category), Some(Source::Breadcrumb));
/// assert_eq!(article.lead_image.unwrap().url.as_str(), "https://news.example/img/lead.jpg");
/// ```
#[must_use]
pub fn extract(page: &[u8], http_charset: Option<&str>, url: &Url) -> Article {
    extract_as_of(page, http_charset, url, None)
}

/// [`extract`] on a known day (the caller's clock, in UTC): a date after it is no publication
/// date. The page's own day may run ahead of UTC by up to 14 hours, so the day after `today`
/// still counts. Extraction stays pure: the day is a value, not a clock read here.
#[must_use]
pub fn extract_as_of(
    page: &[u8],
    http_charset: Option<&str>,
    url: &Url,
    today: Option<chrono::NaiveDate>,
) -> Article {
    let page = &page[..page.len().min(MAX_PAGE_BYTES)];
    let tld = url.host_str().and_then(|h| h.rsplit('.').next());
    let (text, _, _) = charset::decode(page, http_charset, tld);
    let scanned = scan::scan(&text);

    let og = open_graph::read(&scanned.metas);
    let ld = json_ld::read(&scanned.json_ld, scanned.title.as_deref());
    let twitter = twitter::read(&scanned.metas);
    let microdata = microdata::read(&scanned.document);
    let meta = meta_tags::read(&scanned.metas, &scanned.links);
    let title_hint = [&og, &ld.article, &twitter, &microdata.article, &meta]
        .iter()
        .find_map(|f| f.title.as_deref());
    let latest_day = today.and_then(|d| d.succ_opt());
    let page = page::read(&scanned.document, title_hint);

    let base = urls::base(url, scanned.base_href.as_deref());
    merge::merge(&merge::Inputs {
        page_url: url,
        base: &base,
        og: &og,
        json_ld: &ld.article,
        twitter: &twitter,
        microdata: &microdata.article,
        meta: &meta,
        page: &page,
        trails: [&ld.breadcrumb, &microdata.breadcrumb, &page.breadcrumb],
        title_element: scanned.title.as_deref(),
        html_lang: scanned.html_lang.as_deref(),
        html_dir: scanned.html_dir.as_deref(),
        body_dir: scanned.body_dir.as_deref(),
        latest_day,
    })
}

#[cfg(test)]
mod tests {
    use super::not_html;

    #[test]
    fn images_documents_and_binary_data_are_told_apart_from_pages() {
        assert_eq!(
            not_html(b"\xFF\xD8\xFF\xE0\x00\x10JFIF"),
            Some("a JPEG image")
        );
        assert_eq!(
            not_html(b"RIFF\x00\x00\x00\x00WEBPVP8 "),
            Some("a WebP image")
        );
        assert_eq!(not_html(b"%PDF-1.7"), Some("a PDF document"));
        assert_eq!(not_html(b"text\x00with a NUL"), Some("binary data"));
        assert_eq!(not_html(b"<!doctype html><title>t</title>"), None);
        assert_eq!(not_html(b"\xFF\xFE<\x00h\x00"), None);
        assert_eq!(not_html(b""), None);
    }
}
