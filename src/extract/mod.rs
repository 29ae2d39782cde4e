//! Article metadata from page bytes (SPEC §4). Pure: no network, no clock. The pipeline, as
//! named steps: decode the charset; one linear tokenizer pass (head metadata and a bounded
//! DOM); read each source (Open Graph, JSON-LD, Twitter, microdata, plain meta, the page);
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
mod open_graph;
mod page;
mod scan;
mod text;
mod title;
mod twitter;
mod urls;

pub use article::{Article, Field, LeadImage, Source, Sources, TextDirection};
pub use dates::Timestamp;
pub use text::has_forbidden_char;

use url::Url;

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
    })
}
