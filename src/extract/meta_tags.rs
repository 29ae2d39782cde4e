//! Dublin Core, plain `<meta name>` conventions (Parse.ly, Sailthru, news CMSs) and
//! `<link rel=canonical|icon|apple-touch-icon|image_src>`.

use super::found::{Found, ImageCandidate};
use super::scan::{LinkTag, MetaTag};

const TITLE: &[&str] = &[
    "dc.title",
    "dcterms.title",
    "title",
    "parsely-title",
    "sailthru.title",
    "headline",
];
const DESCRIPTION: &[&str] = &[
    "dc.description",
    "dcterms.description",
    "description",
    "sailthru.description",
    "abstract",
];
const AUTHOR: &[&str] = &[
    "dc.creator",
    "dcterms.creator",
    "author",
    "parsely-author",
    "sailthru.author",
    "byl",
    "article.author",
    "cxenseparse:author",
];
const PUBLISHED: &[&str] = &[
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "article:published_time",
    "datepublished",
    "date.available",
    "originalpublicationdate",
];
const MODIFIED: &[&str] = &[
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
    "revised",
    "lastmod",
];
const CATEGORY: &[&str] = &[
    "article:section",
    "section",
    "category",
    "parsely-section",
    "article.section",
    "cxenseparse:recs:category",
];
const KEYWORDS: &[&str] = &[
    "news_keywords",
    "keywords",
    "parsely-tags",
    "sailthru.tags",
    "article.tags",
];
const SITE_NAME: &[&str] = &[
    "dc.publisher",
    "dcterms.publisher",
    "publisher",
    "application-name",
    "apple-mobile-web-app-title",
];
const LANG: &[&str] = &[
    "content-language",
    "language",
    "dc.language",
    "dcterms.language",
];
const IMAGE: &[&str] = &["parsely-image-url", "sailthru.image.full", "thumbnail"];

/// Reads the plain `<meta>` and `<link>` conventions of a page.
#[must_use]
pub fn read(metas: &[MetaTag], links: &[LinkTag]) -> Found {
    let first = |keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|key| {
            metas
                .iter()
                .find(|m| m.is(key) && !m.content.trim().is_empty())
                .map(|m| m.content.clone())
        })
    };
    let link = |rel: &str| {
        links
            .iter()
            .find(|l| l.rel.iter().any(|r| r == rel))
            .map(|l| l.href.clone())
    };
    let mut out = Found {
        title: first(TITLE),
        description: first(DESCRIPTION),
        category: first(CATEGORY),
        site_name: first(SITE_NAME),
        published_at: first(PUBLISHED),
        modified_at: first(MODIFIED),
        lang: first(LANG),
        canonical_url: link("canonical"),
        favicon: favicon(links),
        theme_color: metas
            .iter()
            .find(|m| m.is("theme-color") || m.is("msapplication-tilecolor"))
            .map(|m| m.content.clone()),
        ..Found::default()
    };
    out.authors = first(AUTHOR).into_iter().collect();
    out.keywords = first(KEYWORDS)
        .map(|k| k.split([',', ';']).map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    out.images = link("image_src")
        .into_iter()
        .chain(first(IMAGE))
        .map(ImageCandidate::new)
        .collect();
    out
}

/// The page's icon: the largest declared `rel=icon`, else `shortcut icon`, else the
/// `apple-touch-icon`.
fn favicon(links: &[LinkTag]) -> Option<String> {
    let size = |l: &LinkTag| -> u32 {
        l.sizes
            .as_deref()
            .and_then(|s| s.split(['x', 'X']).next())
            .and_then(|w| w.trim().parse().ok())
            .unwrap_or(if l.media_type.as_deref() == Some("image/svg+xml") {
                512
            } else {
                16
            })
    };
    let icons = links.iter().filter(|l| l.rel.iter().any(|r| r == "icon"));
    // Reversed so that the first of equally large icons wins.
    icons
        .rev()
        .max_by_key(|l| size(l))
        .or_else(|| {
            links.iter().find(|l| {
                l.rel
                    .iter()
                    .any(|r| r == "apple-touch-icon" || r == "apple-touch-icon-precomposed")
            })
        })
        .map(|l| l.href.clone())
}
