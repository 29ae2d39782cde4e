//! What a CDN in front relies on: versioned URLs that may be kept for a year (and never show
//! an old card under a new version), one tag per article on every answer, and the CDN's own
//! lifetime when one is set.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{TestApp, header, json, spawn_app_with};
use crate::pages::attr;

const TOKEN: &str = "0123456789abcdef-test-token";

/// The `og:image` of the share page of the origin's `path`.
async fn shared_card(app: &TestApp, path: &str) -> String {
    let page = app.get(&app.url("/share", path)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let document = Html::parse_document(&page.text().await.unwrap());
    attr(&document, "meta[property='og:image']", "content").to_owned()
}

fn version_of(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "v")
        .map_or_else(|| panic!("no v in {url}"), |(_, value)| value.into_owned())
}

fn without_version(url: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(name, _)| name != "v")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(kept);
    parsed.into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_version_follows_the_headline_and_an_old_version_gets_the_current_card_briefly() {
    let app = spawn_app_with(true, &[&format!("--admin-token={TOKEN}")]).await;
    let old_url = shared_card(&app, "/article/edited").await;
    let old = app.get(&old_url).await;
    assert_eq!(
        header(&old, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let old_card = old.bytes().await.unwrap();

    app.origin.edit_headline("Un tout autre titre");
    let purged = app
        .client
        .post(app.url("/purge", "/article/edited"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(purged.status(), StatusCode::OK);
    let new_url = shared_card(&app, "/article/edited").await;
    assert_ne!(version_of(&new_url), version_of(&old_url));
    let new = app.get(&new_url).await;
    assert_eq!(
        header(&new, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let new_card = new.bytes().await.unwrap();
    assert_ne!(new_card, old_card);

    // The old URL still works, with the current card, kept only as long as any answer.
    let stale = app.get(&old_url).await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert!(
        header(&stale, "cache-control").starts_with("public, max-age=3"),
        "{}",
        header(&stale, "cache-control")
    );
    assert_eq!(stale.bytes().await.unwrap(), new_card);
    // So does no version, and a version that is not one of ours.
    for url in [
        without_version(&new_url),
        format!("{}&v=zz", without_version(&new_url)),
    ] {
        let answer = app.get(&url).await;
        assert_eq!(answer.status(), StatusCode::OK, "{url}");
        assert!(!header(&answer, "cache-control").contains("immutable"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_asked_at_the_articles_new_version_is_drawn_anew_not_served_old() {
    // Everything is stale after a second: the share page's refresh refreshes the article, the
    // card held is still the old one.
    let app = spawn_app_with(true, &["--cache-ttl=1"]).await;
    let old_url = shared_card(&app, "/article/edited").await;
    let old_card = app.get(&old_url).await.bytes().await.unwrap();
    app.origin.edit_headline("Un tout autre titre");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let started = Instant::now();
    let new_url = loop {
        let url = shared_card(&app, "/article/edited").await;
        if version_of(&url) != version_of(&old_url) {
            break url;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never refreshed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let renders = app.counts().2;
    let new = app.get(&new_url).await;
    assert_eq!(new.status(), StatusCode::OK);
    assert_eq!(
        header(&new, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_ne!(new.bytes().await.unwrap(), old_card);
    assert_eq!(app.counts().2, renders + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_about_an_article_carries_its_tag_and_the_cdn_lifetime() {
    let app = spawn_app_with(
        true,
        &["--cdn-max-age=86400", &format!("--admin-token={TOKEN}")],
    )
    .await;
    let mut tags = Vec::new();
    for route in [
        "/meta",
        "/card.jpg",
        "/card.png",
        "/oembed",
        "/thumb",
        "/embed",
        "/share",
    ] {
        let response = app.get(&app.url(route, "/article")).await;
        assert_eq!(response.status(), StatusCode::OK, "{route}");
        let tag = header(&response, "surrogate-key").to_owned();
        assert_eq!(header(&response, "cache-tag"), tag, "{route}");
        assert_eq!(
            header(&response, "cdn-cache-control"),
            "public, max-age=86400, stale-while-revalidate=86400",
            "{route}"
        );
        assert!(
            header(&response, "cache-control").contains("s-maxage=86400"),
            "{route}: {}",
            header(&response, "cache-control")
        );
        tags.push(tag);
    }
    assert!(tags[0].starts_with("apercu-"));
    assert!(tags.windows(2).all(|pair| pair[0] == pair[1]), "{tags:?}");
    let other = app.get(&app.url("/meta", "/article/rtl")).await;
    assert_ne!(header(&other, "surrogate-key"), tags[0]);

    // The purge names the tag to purge at the CDN.
    let purged = app
        .client
        .post(app.url("/purge", "/article"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(json(purged).await["tag"], tags[0].as_str());

    // Without a CDN lifetime, nothing is said to CDNs beyond Cache-Control.
    let plain = spawn_app_with(true, &[]).await;
    let response = plain.get(&plain.url("/meta", "/article")).await;
    assert!(response.headers().get("cdn-cache-control").is_none());
    assert!(!header(&response, "cache-control").contains("s-maxage"));
    assert!(header(&response, "surrogate-key").starts_with("apercu-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_urls_the_service_hands_out_carry_versions_that_answer_immutably() {
    let app = spawn_app_with(true, &[]).await;
    let oembed = json(app.get(&app.url("/oembed", "/article")).await).await;
    let thumbnail = oembed["thumbnail_url"].as_str().unwrap().to_owned();
    let html = oembed["html"].as_str().unwrap();
    let embed = attr(&Html::parse_fragment(html), "iframe", "src").to_owned();
    let page = app.get(&embed).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        header(&page, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let document = Html::parse_document(&page.text().await.unwrap());
    let photo = attr(&document, "img", "src").to_owned();
    for url in [thumbnail, photo] {
        assert!(!version_of(&url).is_empty());
        let image = app.get(&url).await;
        assert_eq!(image.status(), StatusCode::OK, "{url}");
        assert_eq!(
            header(&image, "cache-control"),
            "public, max-age=31536000, immutable",
            "{url}"
        );
    }
}
