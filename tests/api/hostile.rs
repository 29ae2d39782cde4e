//! Catalogue rows (docs/security.md §3) that need the whole service: slow, cut and lying origins,
//! image bombs, discovery links, header injection, floods and clients that hang up.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{error_code, header, json, sample, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_origins_are_a_504_at_the_fetch_deadline() {
    // docs/security.md D7: one byte a second, or a byte every 100 ms forever; every read succeeds,
    // only the total deadline ends them.
    let app = spawn_app_with(true, &["--fetch-timeout=1"]).await;
    for path in ["/slow/body", "/slow/trickle"] {
        let started = Instant::now();
        let response = app.get(&app.url("/card.jpg", path)).await;
        assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT, "{path}");
        assert_eq!(error_code(response).await, "origin-timeout", "{path}");
        assert!(started.elapsed() < Duration::from_secs(5), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_cut_mid_body_is_a_502_and_leaves_no_article() {
    // docs/security.md D6: closed early (FIN before the announced length) or reset (RST); nothing
    // cached but the brief memory of the failure.
    let app = spawn_app().await;
    for path in ["/lie/early-eof", "/lie/reset"] {
        let response = app.get(&app.url("/meta", path)).await;
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{path}");
        assert_eq!(error_code(response).await, "origin-unavailable", "{path}");
        let card = app.get(&app.url("/card.png", path)).await;
        assert_eq!(card.status(), StatusCode::BAD_GATEWAY, "{path}");
        assert_eq!(app.origin.hits(path), 1, "{path}");
    }
    assert_eq!(app.counts(), (2, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_bombs_leave_the_card_without_a_photo() {
    // docs/security.md E2 (a valid 20,000² PNG: 400 million pixels), E3 (JPEG frame of 65,500²),
    // E4 (GIF frame of 65,535², and 10,000 frames: the first is enough).
    let app = spawn_app().await;
    for name in [
        "png-bomb",
        "jpeg-huge-dims",
        "gif-huge-dims",
        "gif-many-frames",
    ] {
        let path = format!("/article/photo/{name}");
        let started = Instant::now();
        let card = app.get(&app.url("/card.png", &path)).await;
        assert_eq!(card.status(), StatusCode::OK, "{name}");
        let card = image::load_from_memory(&card.bytes().await.unwrap()).unwrap();
        assert_eq!((card.width(), card.height()), (1200, 630), "{name}");
        assert!(started.elapsed() < Duration::from_secs(10), "{name}");
        assert_eq!(app.origin.hits(&format!("/image/{name}")), 1, "{name}");
    }
    for name in ["png-bomb", "jpeg-huge-dims", "gif-huge-dims"] {
        let thumb = app
            .get(&app.url("/thumb", &format!("/article/photo/{name}")))
            .await;
        assert_eq!(thumb.status(), StatusCode::NOT_FOUND, "{name}");
        assert_eq!(error_code(thumb).await, "image-not-found", "{name}");
    }
    // The first 1×1 frame was decoded (too small for the card's photo, enough for a thumbnail).
    let thumb = app
        .get(&app.url("/thumb", "/article/photo/gif-many-frames"))
        .await;
    assert_eq!(thumb.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oembed_discovery_links_in_a_page_are_never_followed() {
    // docs/security.md B8: the metadata comes from the page itself; its discovery links to the
    // canary are not fetched.
    let app = spawn_app().await;
    for route in ["/meta", "/card.png", "/oembed", "/embed"] {
        let response = app.get(&app.url(route, "/article/oembed-discovery")).await;
        assert_eq!(response.status(), StatusCode::OK, "{route}");
    }
    assert_eq!(app.origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_breaks_in_scraped_text_never_reach_response_headers() {
    // docs/security.md H7: the title and the photo URL carry CR/LF and a header after it.
    let app = spawn_app().await;
    for route in [
        "/meta",
        "/card.jpg",
        "/oembed",
        "/oembed.xml",
        "/embed",
        "/share",
        "/thumb",
    ] {
        let response = app.get(&app.url(route, "/article/crlf")).await;
        assert_eq!(response.status(), StatusCode::OK, "{route}");
        let headers = response.headers();
        assert!(headers.get("set-cookie").is_none(), "{route}");
        assert!(headers.get("x-injected").is_none(), "{route}");
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            assert!(
                !value.contains("injected") && !value.contains("Titre"),
                "{route}: {name}: {value}"
            );
        }
    }
    // The text itself keeps no line break either.
    let meta = json(app.get(&app.url("/meta", "/article/crlf")).await).await;
    let title = meta["title"].as_str().unwrap();
    assert!(!title.contains(['\r', '\n']), "{title:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_distinct_urls_stays_within_the_cache_bound() {
    // docs/security.md I5: 600 articles and their metadata weigh about 1.4 MB unbounded.
    let bound = 1024 * 1024;
    let app = spawn_app_with(true, &[&format!("--cache-max-bytes={bound}")]).await;
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..600 {
        let (client, url) = (app.client.clone(), app.url("/meta", &format!("/ok/{n}")));
        requests.spawn(async move { client.get(url).send().await.unwrap().status() });
    }
    let statuses = requests.join_all().await;
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE)
    );
    let bytes = sample(&app.metrics().await, "apercu_cache_bytes");
    assert!(
        bytes > 0.0 && bytes <= f64::from(bound),
        "{bytes} bytes cached, bound {bound}"
    );
    assert!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count() > 500,
        "most requests are served, not shed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_hangs_up_does_not_strand_the_next_one() {
    // docs/security.md I7: the first client gives up while the slow page is being fetched; a second
    // one asking for the same card gets it, with one or two origin fetches, no hang.
    let app = spawn_app().await;
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let url = app.url("/card.jpg", "/article/slow");
    let first = {
        let (client, url) = (impatient.clone(), url.clone());
        tokio::spawn(async move { client.get(url).send().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = app.get(&url).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert!(first.await.unwrap().is_err(), "the first client gave up");
    let hits = app.origin.hits("/article/slow");
    assert!((1..=2).contains(&hits), "{hits} origin fetches");
    // And the card is now cached.
    let third = app.get(&url).await;
    assert_eq!(header(&third, "x-cache"), "HIT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_announcing_ten_gibibytes_is_read_to_the_cap() {
    // docs/security.md D4 through the service: the head was read, so there is an article.
    let app = spawn_app_with(true, &["--fetch-timeout=5"]).await;
    let response = app.get(&app.url("/meta", "/huge/content-length")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let meta = json(response).await;
    assert_eq!(meta["title"], "Ten gibibytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_kilobyte_url_is_refused_at_once() {
    // docs/security.md A14: refused by our length check or by the transport's header limit, never a
    // hang (actix-web#1885) and never a fetch. Sent by hand: HTTP clients refuse such URIs.
    let app = spawn_app().await;
    let article = app.origin.url(&format!("/ok?{}", "a".repeat(100 * 1024)));
    let encoded: String = url::form_urlencoded::byte_serialize(article.as_bytes()).collect();
    let padded = format!(
        "url={}&pad={}",
        app.origin.url("/ok"),
        "b".repeat(100 * 1024)
    );
    for query in [format!("url={encoded}"), padded] {
        let started = Instant::now();
        let status = raw_get(&app.base, &format!("/meta?{query}")).await;
        assert!(["400", "414", "431"].contains(&status.as_str()), "{status}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    assert_eq!(app.counts(), (0, 0, 0));
}

/// The status code of a GET for `target`, written on the socket as it is.
async fn raw_get(base: &str, target: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    // The server may answer and close before reading it all.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split_whitespace()
        .nth(1)
        .unwrap_or("no answer")
        .to_owned()
}
