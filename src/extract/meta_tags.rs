//! Dublin Core, plain `<meta name>` conventions (Parse.ly, Sailthru, news CMSs) and
//! `<link rel=canonical|icon|apple-touch-icon|image_src>`.

use rustc_hash::FxHashMap;

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
/// Publication dates by the names publishers and their tools give them (Dublin Core, `RDFa`
/// `schema:`, Parse.ly, Sailthru, Shareaholic, Highwire's `citation_*`, PRISM…), the most
/// specific first: a data table, one line per name.
const PUBLISHED: &[&str] = &[
    "article:published_time",
    "schema:datepublished",
    "datepublished",
    "shareaholic:article_published_time",
    "parsely-pub-date",
    "sailthru.date",
    "bt:pubdate",
    "citation_publication_date",
    "citation_online_date",
    "citation_date",
    "prism.publicationdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "og:published_time",
    "published_time",
    "published-date",
    "date_published",
    "publication_date",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "release_date",
    "date.available",
    "schema:datecreated",
    "date",
];
const MODIFIED: &[&str] = &[
    "article:modified_time",
    "schema:datemodified",
    "datemodified",
    "shareaholic:article_modified_time",
    "bt:moddate",
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
    // The tables below ask for a hundred names: each tag's names are indexed once (the first
    // non-empty tag of a name wins, as it would scanning in document order).
    let mut by_name: FxHashMap<&str, &str> = FxHashMap::default();
    for m in metas.iter().filter(|m| !m.content.trim().is_empty()) {
        for key in [&m.property, &m.name, &m.http_equiv]
            .into_iter()
            .flatten()
            .flat_map(|k| k.split_ascii_whitespace())
        {
            by_name.entry(key).or_insert(&m.content);
        }
    }
    let first = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|key| by_name.get(key).map(|c| (*c).to_owned()))
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
        // Windows' tile is a square icon too, when the page links none.
        favicon: favicon(links).or_else(|| first(&["msapplication-tileimage"])),
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

/// The page's icon: the largest of its `rel=icon` and `apple-touch-icon` links (an icon
/// without `sizes` counts as 16 px, an SVG one as 512, an `apple-touch-icon` as the 180 px
/// phones ask for), the first of equally large ones.
fn favicon(links: &[LinkTag]) -> Option<String> {
    let touch = |l: &LinkTag| {
        l.rel
            .iter()
            .any(|r| r == "apple-touch-icon" || r == "apple-touch-icon-precomposed")
    };
    let size = |l: &LinkTag| -> u32 {
        let default = if l.media_type.as_deref() == Some("image/svg+xml") {
            512
        } else if touch(l) {
            180
        } else {
            16
        };
        l.sizes
            .as_deref()
            .and_then(|s| s.split(['x', 'X']).next())
            .and_then(|w| w.trim().parse().ok())
            .unwrap_or(default)
    };
    links
        .iter()
        .filter(|l| touch(l) || l.rel.iter().any(|r| r == "icon"))
        // Reversed so that the first of equally large icons wins.
        .rev()
        .max_by_key(|l| size(l))
        .map(|l| l.href.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(rel: &str, href: &str, sizes: Option<&str>) -> LinkTag {
        LinkTag {
            rel: vec![rel.to_owned()],
            href: href.to_owned(),
            sizes: sizes.map(str::to_owned),
            media_type: None,
        }
    }

    #[test]
    fn the_largest_icon_wins_and_an_apple_touch_icon_beats_an_unsized_favicon() {
        let tab = link("icon", "/favicon.ico", None);
        let touch = link("apple-touch-icon", "/touch.png", None);
        let big = link("icon", "/icon-192.png", Some("192x192"));
        assert_eq!(
            favicon(&[tab.clone(), touch.clone()]).as_deref(),
            Some("/touch.png")
        );
        assert_eq!(
            favicon(&[tab.clone(), touch, big]).as_deref(),
            Some("/icon-192.png")
        );
        assert_eq!(favicon(&[tab]).as_deref(), Some("/favicon.ico"));
        assert_eq!(favicon(&[]), None);
    }
}
