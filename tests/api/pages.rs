//! `/embed` and `/share`: self-contained, escaped, with their security headers.

use base64::Engine as _;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, header, spawn_app};

fn select<'a>(document: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    document
        .select(&Selector::parse(selector).unwrap())
        .collect()
}

pub fn attr<'a>(document: &'a Html, selector: &str, name: &str) -> &'a str {
    let found = select(document, selector);
    assert_eq!(found.len(), 1, "{selector}");
    found[0].value().attr(name).unwrap()
}

async fn page(app: &TestApp, route: &str, path: &str) -> (reqwest::header::HeaderMap, Html) {
    let response = app.get(&app.url(route, path)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        "text/html; charset=utf-8"
    );
    let headers = response.headers().clone();
    (
        headers,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

fn csp_hash(source: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(source.as_bytes()))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embed_page_is_self_contained_and_may_be_framed_anywhere() {
    let app = spawn_app().await;
    let article = app.origin.url("/article");
    let (headers, document) = page(&app, "/embed", "/article").await;
    let value = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let csp = value("content-security-policy").unwrap();
    // No frame-ancestors at all: pages with an opaque origin (sandboxed) may frame it too.
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("frame-ancestors"),
        "{csp}"
    );
    assert_eq!(value("x-frame-options"), None);
    assert_eq!(value("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(value("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(value("access-control-allow-origin"), None);
    assert!(value("etag").is_some());

    assert_eq!(attr(&document, "html", "lang"), "fr");
    assert_eq!(attr(&document, "html", "dir"), "ltr");
    assert_eq!(
        select(&document, "h1")[0].text().collect::<String>(),
        "Un article sur la boucle locale"
    );
    assert_eq!(
        select(&document, ".category")[0].text().collect::<String>(),
        "Tests"
    );
    // Every link goes to the article, outside the frame.
    let links = select(&document, "a");
    assert!(!links.is_empty());
    for link in links {
        assert_eq!(link.value().attr("href"), Some(article.as_str()));
        assert_eq!(link.value().attr("target"), Some("_blank"));
        assert!(link.value().attr("rel").unwrap().contains("noopener"));
    }
    // The only things loaded come from us: the photo through /thumb, nothing else.
    let photo = attr(&document, "img", "src");
    assert!(
        photo.starts_with(&format!("{}/thumb?", app.base)),
        "{photo}"
    );
    assert_eq!(app.get(photo).await.status(), StatusCode::OK);
    assert!(select(&document, "link[rel=stylesheet], script[src], iframe").is_empty());
    // oEmbed discovery.
    let json = attr(&document, "link[type='application/json+oembed']", "href");
    assert!(json.starts_with(&format!("{}/oembed?", app.base)) && json.ends_with("format=json"));
    assert!(attr(&document, "link[type='text/xml+oembed']", "href").ends_with("format=xml"));
    // The policy allows exactly the inline style and script the page has.
    // (`text()`: serialising a script's children alone would escape its `&&`.)
    let style: String = select(&document, "style")[0].text().collect();
    let script: String = select(&document, "script")[0].text().collect();
    assert!(csp.contains(&csp_hash(&style)), "{csp}");
    assert!(csp.contains(&csp_hash(&script)), "{csp}");
    assert!(script.contains("postMessage") && script.contains("Intl.DateTimeFormat"));
    assert!(style.contains("prefers-color-scheme:dark"));
    // The photo's box is reserved from the first paint, its dominant colour standing in; the
    // photo link repeats the title's, so it is hidden from assistive technology and the tab
    // order (one link per card for them).
    let img = select(&document, ".photo img")[0].value();
    assert!(img.attr("width").is_some() && img.attr("height").is_some());
    assert!(style.contains(".photo{--placeholder:#"), "{style}");
    let photo_link = select(&document, "a.photo")[0].value();
    assert_eq!(photo_link.attr("aria-hidden"), Some("true"));
    assert_eq!(photo_link.attr("tabindex"), Some("-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embed_footer_shows_the_sites_icon_inline_beside_its_name() {
    let app = spawn_app().await;
    let (headers, document) = page(&app, "/embed", "/article/icon").await;
    let icon = select(&document, ".source img");
    assert_eq!(icon.len(), 1);
    let icon = icon[0].value();
    // Inline, re-encoded by us: no request to the site for each reader, nothing of theirs run.
    assert!(
        icon.attr("src")
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    assert_eq!(
        (icon.attr("width"), icon.attr("height")),
        (Some("20"), Some("20"))
    );
    assert_eq!(
        icon.attr("alt"),
        Some(""),
        "decorative: the site's name follows"
    );
    let source: String = select(&document, ".source")[0].text().collect();
    assert!(source.contains("Allotment Weekly"), "{source}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains(" data:;"), "{csp}");
    assert_eq!(app.origin.hits("/image/icon.png"), 1);

    // A page whose icons are all too small: the footer has the name alone.
    let (_, document) = page(&app, "/embed", "/article/tiny-icon").await;
    assert!(select(&document, ".source img").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_right_to_left_article_gets_a_right_to_left_page_and_no_foreign_canonical() {
    let app = spawn_app().await;
    let (_, document) = page(&app, "/embed", "/article/rtl").await;
    assert_eq!(attr(&document, "html", "lang"), "he");
    assert_eq!(attr(&document, "html", "dir"), "rtl");
    assert_eq!(
        attr(&document, "time", "datetime"),
        "2024-04-10T08:15:00+02:00"
    );
    let (_, share) = page(&app, "/share", "/article/rtl").await;
    // The page claims a canonical URL on another site: people are not sent there.
    assert_eq!(
        attr(&share, "link[rel=canonical]", "href"),
        app.origin.url("/article/rtl")
    );
    assert!(attr(&share, "meta[http-equiv=refresh]", "content").ends_with("/article/rtl"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_share_page_points_crawlers_at_the_card_and_people_at_the_article() {
    let app = spawn_app().await;
    let article = app.origin.url("/article");
    let (headers, document) = page(&app, "/share", "/article").await;
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    let meta = |property: &str| {
        attr(
            &document,
            &format!("meta[property='{property}'], meta[name='{property}']"),
            "content",
        )
        .to_owned()
    };
    let card = meta("og:image");
    // Our card, at its current version: a URL a CDN may keep for a year.
    let version = card
        .strip_prefix(&format!("{}&v=", app.url("/card.jpg", "/article")))
        .unwrap_or_else(|| panic!("{card}"));
    assert!(version.len() >= 8 && version.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(meta("og:image:width"), "1200");
    assert_eq!(meta("og:image:height"), "630");
    assert_eq!(meta("og:image:type"), "image/jpeg");
    assert_eq!(meta("og:image:alt"), "Un article sur la boucle locale");
    assert_eq!(meta("og:title"), "Un article sur la boucle locale");
    assert_eq!(meta("og:site_name"), "La Boucle");
    assert_eq!(meta("og:url"), article);
    assert_eq!(meta("twitter:card"), "summary_large_image");
    assert_eq!(meta("twitter:image"), card);
    assert_eq!(attr(&document, "link[rel=canonical]", "href"), article);
    assert_eq!(meta_refresh(&document), format!("0; url={article}"));
    // What the crawler then fetches is the card.
    let image = app.get(&card).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(header(&image, "content-type"), "image/jpeg");
    assert_eq!(
        header(&image, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}

fn meta_refresh(document: &Html) -> String {
    attr(document, "meta[http-equiv=refresh]", "content").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_metadata_stays_text_in_both_pages() {
    let app = spawn_app().await;
    for route in ["/embed", "/share"] {
        let (_, document) = page(&app, route, "/article/xss").await;
        let scripts = select(&document, "script");
        assert!(scripts.len() <= 1, "{route}");
        assert!(
            scripts.iter().all(|s| !s.inner_html().contains("alert")),
            "{route}"
        );
        assert!(select(&document, "b, evil, i").is_empty(), "{route}");
        assert_eq!(
            select(&document, "title")[0].text().collect::<String>(),
            "\"><script>alert(1)</script>&<b>"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_errors_are_html_pages_with_the_status() {
    let app = spawn_app().await;
    let bad = app
        .get(&format!("{}/embed?url=ftp://example.com/", app.base))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(header(&bad, "content-type"), "text/html; charset=utf-8");
    let missing = app.get(&app.url("/share", "/notfound")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&missing, "content-type"), "text/html; charset=utf-8");
    let document = Html::parse_document(&missing.text().await.unwrap());
    assert_eq!(attr(&document, "a", "href"), app.origin.url("/notfound"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_url_cannot_break_out_into_styles() {
    // docs/security.md H3: the page's photo is our own `/thumb` URL in an `src` attribute; no URL
    // is ever written into CSS, and the only style is the fixed one the CSP hashes.
    let app = spawn_app().await;
    let (headers, document) = page(&app, "/embed", "/article/css-breakout").await;
    assert!(select(&document, "[style]").is_empty());
    let styles = select(&document, "style");
    assert_eq!(styles.len(), 1);
    let style: String = styles[0].text().collect();
    assert!(!style.contains("javascript") && !style.contains("url("));
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains(&csp_hash(&style)));
    let src = attr(&document, "img", "src");
    assert!(
        src.starts_with(&format!("{}/thumb?url=", app.base)),
        "{src}"
    );
    assert!(!src.contains(['\'', '"', '(', ')', ' ']), "{src}");
}
