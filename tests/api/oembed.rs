//! `/oembed`, `/oembed.json`, `/oembed.xml` and `/thumb`: oEmbed 1.0 as consumers parse it.

use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::helpers::{error_code, header, json, spawn_app};

/// The `html` field is a fallback link and exactly one iframe, on our `/embed` for `article`.
/// `public` is the service's public URL (or its address, then without the final `/`).
fn assert_embed_code(html: &str, public: &str, article: &str, width: u64, height: u64) {
    let fragment = Html::parse_fragment(html);
    let iframes: Vec<_> = fragment
        .select(&Selector::parse("iframe").unwrap())
        .collect();
    assert_eq!(iframes.len(), 1, "{html}");
    let iframe = iframes[0].value();
    let src = url::Url::parse(iframe.attr("src").unwrap()).unwrap();
    let embed = format!("{}/embed?", public.trim_end_matches('/'));
    assert!(src.as_str().starts_with(&embed), "{src} is not {embed}…");
    // The article, and the embed page's content version (so the frame may be kept long).
    let asked: Vec<_> = src.query_pairs().collect();
    assert_eq!(asked.len(), 2, "{src}");
    assert_eq!((asked[0].0.as_ref(), asked[0].1.as_ref()), ("url", article));
    assert_eq!(asked[1].0.as_ref(), "v");
    assert!(asked[1].1.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(iframe.attr("sandbox").is_some());
    assert_eq!(iframe.attr("width"), Some(width.to_string().as_str()));
    assert_eq!(iframe.attr("height"), Some(height.to_string().as_str()));
    let links: Vec<_> = fragment
        .select(&Selector::parse("blockquote a").unwrap())
        .collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].value().attr("href"), Some(article));
    for tag in ["img", "object", "embed", "form", "style", "link"] {
        assert_eq!(
            fragment.select(&Selector::parse(tag).unwrap()).count(),
            0,
            "<{tag}> in {html}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oembed_json_is_a_rich_response_with_an_iframe_on_our_embed_page() {
    let app = spawn_app().await;
    let response = app.get(&app.url("/oembed", "/article")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "application/json");
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    assert_eq!(header(&response, "x-cache"), "MISS");
    let body = json(response).await;
    assert_eq!(body["version"], "1.0");
    assert_eq!(body["type"], "rich");
    assert_eq!(body["title"], "Un article sur la boucle locale");
    assert_eq!(body["provider_name"], "La Boucle");
    assert_eq!(body["provider_url"], format!("http://{}/", app.origin.addr));
    assert_eq!(body["cache_age"], 3600);
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(600), Some(480))
    );
    assert!(body.get("author_name").is_none());
    // The thumbnail triple, all three, and the URL serves an image of that size.
    let thumbnail = body["thumbnail_url"].as_str().unwrap();
    let (tw, th) = (
        body["thumbnail_width"].as_u64().unwrap(),
        body["thumbnail_height"].as_u64().unwrap(),
    );
    assert_eq!((tw, th), (600, 400));
    // Extensions: what to draw while the thumbnail loads.
    let color = body["thumbnail_color"].as_str().unwrap();
    assert!(color.len() == 7 && color.starts_with('#'), "{color}");
    assert_eq!(body["thumbnail_blurhash"].as_str().unwrap().len(), 28);
    let image = app.get(thumbnail).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(header(&image, "content-type"), "image/jpeg");
    let image = image::load_from_memory(&image.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (u64::from(image.width()), u64::from(image.height())),
        (tw, th)
    );
    assert_embed_code(
        body["html"].as_str().unwrap(),
        &app.base,
        &app.origin.url("/article"),
        600,
        480,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oembed_xml_has_one_oembed_root_with_the_expected_children() {
    let app = spawn_app().await;
    for url in [
        app.url("/oembed.xml", "/article"),
        format!("{}&format=xml", app.url("/oembed", "/article")),
    ] {
        let response = app.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "content-type"), "text/xml; charset=utf-8");
        let text = response.text().await.unwrap();
        let document = roxmltree::Document::parse(&text).unwrap();
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "oembed");
        let children: Vec<_> = root
            .children()
            .filter(roxmltree::Node::is_element)
            .map(|child| {
                (
                    child.tag_name().name().to_owned(),
                    child.text().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let names: Vec<_> = children.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "version",
                "type",
                "title",
                "provider_name",
                "provider_url",
                "cache_age",
                "html",
                "width",
                "height",
                "thumbnail_url",
                "thumbnail_width",
                "thumbnail_height",
                "thumbnail_color",
                "thumbnail_blurhash"
            ]
        );
        let html = &children[6].1;
        assert_embed_code(html, &app.base, &app.origin.url("/article"), 600, 480);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_metadata_is_escaped_in_json_xml_and_the_embed_code() {
    let app = spawn_app().await;
    let body = json(app.get(&app.url("/oembed.json", "/article/xss")).await).await;
    assert_eq!(body["title"], "\"><script>alert(1)</script>&<b>");
    assert_eq!(body["provider_name"], "</oembed><evil><");
    let html = body["html"].as_str().unwrap();
    assert_embed_code(html, &app.base, &app.origin.url("/article/xss"), 600, 480);
    // The only script is ours; the title never became markup.
    let fragment = Html::parse_fragment(html);
    let scripts: Vec<_> = fragment
        .select(&Selector::parse("script").unwrap())
        .collect();
    assert_eq!(scripts.len(), 1);
    assert!(!scripts[0].inner_html().contains("alert"));
    assert_eq!(fragment.select(&Selector::parse("b").unwrap()).count(), 0);

    let text = app
        .get(&app.url("/oembed.xml", "/article/xss"))
        .await
        .text()
        .await
        .unwrap();
    let document = roxmltree::Document::parse(&text).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "oembed");
    assert!(
        root.children()
            .all(|child| child.tag_name().name() != "evil")
    );
    let value = |name: &str| {
        root.children()
            .find(|child| child.tag_name().name() == name)
            .and_then(|child| child.text())
            .unwrap()
            .to_owned()
    };
    assert_eq!(value("title"), "\"><script>alert(1)</script>&<b>");
    assert_eq!(value("provider_name"), "</oembed><evil><");
    assert_eq!(value("author_name"), "A & B <i>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oembed_respects_maxwidth_and_maxheight_keeping_the_aspect() {
    let app = spawn_app().await;
    for (query, width, height) in [
        ("&maxwidth=437", 430, 344),
        ("&maxheight=300", 370, 296),
        ("&maxwidth=5000&maxheight=99999999999999999999", 600, 480),
        ("&maxwidth=300&maxheight=200", 250, 200),
    ] {
        let body = json(
            app.get(&format!("{}{query}", app.url("/oembed", "/article")))
                .await,
        )
        .await;
        assert_eq!(
            (body["width"].as_u64(), body["height"].as_u64()),
            (Some(width), Some(height)),
            "{query}"
        );
        let (tw, th) = (
            body["thumbnail_width"].as_u64().unwrap(),
            body["thumbnail_height"].as_u64().unwrap(),
        );
        assert!(tw <= width && th <= height, "{query}: thumbnail {tw}×{th}");
        assert_embed_code(
            body["html"].as_str().unwrap(),
            &app.base,
            &app.origin.url("/article"),
            width,
            height,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oembed_rejects_bad_bounds_and_formats() {
    let app = spawn_app().await;
    let base = app.url("/oembed", "/article");
    for (query, status, code) in [
        ("&maxwidth=0", StatusCode::BAD_REQUEST, "invalid-parameter"),
        ("&maxwidth=-1", StatusCode::BAD_REQUEST, "invalid-parameter"),
        (
            "&maxheight=abc",
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
        ),
        (
            "&maxwidth=1.5",
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
        ),
        (
            "&maxwidth=300&maxwidth=400",
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
        ),
        ("&maxwidth=100", StatusCode::NOT_FOUND, "size-not-available"),
        (
            "&format=yaml",
            StatusCode::NOT_IMPLEMENTED,
            "format-not-supported",
        ),
    ] {
        let response = app.get(&format!("{base}{query}")).await;
        assert_eq!(response.status(), status, "{query}");
        assert_eq!(error_code(response).await, code, "{query}");
    }
    let contradicting = app
        .get(&format!(
            "{}&format=xml",
            app.url("/oembed.json", "/article")
        ))
        .await;
    assert_eq!(contradicting.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thumb_serves_the_lead_photo_at_the_asked_width() {
    let app = spawn_app().await;
    for (query, width) in [("", 600), ("&w=320", 320), ("&w=1200", 1200)] {
        let response = app
            .get(&format!("{}{query}", app.url("/thumb", "/article")))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let image = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(image.width(), width);
    }
    for bad in ["&w=0", "&w=1201", "&w=abc"] {
        let response = app
            .get(&format!("{}{bad}", app.url("/thumb", "/article")))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let none = app.get(&app.url("/thumb", "/article/canary-image")).await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(none).await, "image-not-found");
    assert_eq!(app.origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emitted_urls_start_from_the_public_url_whatever_the_host_header_says() {
    let app =
        crate::helpers::spawn_app_with(true, &["--public-url=https://previews.example/p"]).await;
    let url = app.url("/oembed", "/article");
    for host in ["evil.example", "127.0.0.1"] {
        let response = app
            .client
            .get(&url)
            .header("host", host)
            .header("x-forwarded-host", "evil.example")
            .send()
            .await
            .unwrap();
        let body = json(response).await;
        let html = body["html"].as_str().unwrap();
        assert!(!html.contains("evil"), "{html}");
        assert_embed_code(
            html,
            "https://previews.example/p/",
            &app.origin.url("/article"),
            600,
            480,
        );
        assert!(
            body["thumbnail_url"]
                .as_str()
                .unwrap()
                .starts_with("https://previews.example/p/thumb?")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_maxwidth_a_consumer_can_send_makes_a_few_dozen_cache_entries_at_most() {
    let app = spawn_app().await;
    let base = app.url("/oembed", "/article");
    for width in 200..=700 {
        let response = app.get(&format!("{base}&maxwidth={width}")).await;
        assert_eq!(response.status(), StatusCode::OK, "maxwidth={width}");
    }
    // One article, one photo, and one oEmbed body per 10-pixel width step from 200 to 600.
    let (entries, _) = app.service.cache.size().await;
    assert!(entries <= 2 + 41, "{entries} cache entries");
    assert_eq!(app.counts().0, 1);
}
