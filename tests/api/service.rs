//! The HTTP service end to end: the real application on port 0, the loopback origin as the only
//! exempt address, and the canary on 127.0.0.2 that must never be reached.

use std::sync::atomic::Ordering;

use reqwest::StatusCode;

use crate::helpers::{error_code, header, same_answer_at_once, sample, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_answers_the_articles_metadata_with_caching_headers() {
    let app = spawn_app().await;
    let response = app.get(&app.url("/meta", "/article")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-cache"), "MISS");
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=3600, stale-while-revalidate=86400"
    );
    assert!(header(&response, "etag").starts_with('"'));
    let article: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(article["title"], "Un article sur la boucle locale");
    assert_eq!(article["category"], "Tests");
    assert_eq!(article["url"], app.origin.url("/article"));
    // The photo's dominant colour and BlurHash, for pages drawing a preview before it loads.
    let lead = &article["lead_image"];
    assert_eq!(lead["url"], app.origin.url("/image/lead.jpg"));
    let color = lead["color"].as_str().unwrap();
    assert!(color.len() == 7 && color.starts_with('#'), "{lead}");
    assert_eq!(lead["blurhash"].as_str().unwrap().len(), 28, "{lead}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_is_a_1200_by_630_image_in_the_format_of_its_route() {
    let app = spawn_app().await;
    for (route, media_type, format) in [
        ("/card.png", "image/png", image::ImageFormat::Png),
        ("/card.jpg", "image/jpeg", image::ImageFormat::Jpeg),
        ("/card.webp", "image/webp", image::ImageFormat::WebP),
    ] {
        let response = app.get(&app.url(route, "/article")).await;
        assert_eq!(response.status(), StatusCode::OK, "{route}");
        assert_eq!(header(&response, "content-type"), media_type);
        let bytes = response.bytes().await.unwrap();
        let card = image::load_from_memory_with_format(&bytes, format).unwrap();
        assert_eq!((card.width(), card.height()), (1200, 630));
    }
    // One page fetch, one photo fetch, one render per format.
    assert_eq!(app.counts(), (1, 1, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_shows_the_sites_own_icon_beside_its_name_when_the_theme_names_no_logo() {
    let app = spawn_app().await;
    let card = app.get(&app.url("/card.png", "/article/icon")).await;
    assert_eq!(card.status(), StatusCode::OK);
    let card = image::load_from_memory(&card.bytes().await.unwrap())
        .unwrap()
        .into_rgb8();
    // The footer's 36 px logo box starts at the margin (64 px), its line 546 px down.
    let middle = card.get_pixel(64 + 18, 546 + 18);
    assert_eq!(middle.0, [255, 136, 0], "the icon's colour in the footer");
    // The page's apple-touch-icon (180 px as phones ask) is taken over its unsized `icon`, once.
    assert_eq!(app.origin.hits("/image/icon.png"), 1);
    app.get(&app.url("/card.jpg", "/article/icon")).await;
    assert_eq!(app.origin.hits("/image/icon.png"), 1, "the icon is cached");

    // A page whose only icon is too small still gets its card, without an icon.
    let card = app.get(&app.url("/card.png", "/article/tiny-icon")).await;
    assert_eq!(card.status(), StatusCode::OK);
    let card = image::load_from_memory(&card.bytes().await.unwrap())
        .unwrap()
        .into_rgb8();
    assert_ne!(card.get_pixel(64 + 18, 546 + 18).0, [255, 136, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_request_for_a_cached_card_neither_fetches_nor_renders() {
    let app = spawn_app().await;
    let first = app.get(&app.url("/card.jpg", "/article")).await;
    assert_eq!(header(&first, "x-cache"), "MISS");
    let first_body = first.bytes().await.unwrap();
    assert_eq!(app.counts(), (1, 1, 1));

    let second = app.get(&app.url("/card.jpg", "/article")).await;
    assert_eq!(header(&second, "x-cache"), "HIT");
    assert_eq!(second.bytes().await.unwrap(), first_body);
    assert_eq!(app.counts(), (1, 1, 1));
    assert_eq!(app.origin.hits("/article"), 1);
    assert_eq!(app.origin.hits("/image/lead.jpg"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_for_one_uncached_card_fetch_and_render_once() {
    let app = spawn_app().await;
    let urls = vec![app.url("/card.png", "/article/slow"); 50];
    same_answer_at_once(&urls).await;
    assert_eq!(app.counts(), (1, 1, 1));
    assert_eq!(app.origin.hits("/article/slow"), 1);
    assert_eq!(app.origin.hits("/image/lead.jpg?slow"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cors_preflight_is_answered_as_browsers_expect_without_fetching_anything() {
    let app = spawn_app().await;
    for route in [
        "/meta",
        "/card.jpg",
        "/card.png",
        "/oembed",
        "/oembed.json",
        "/thumb",
    ] {
        let preflight = app
            .client
            .request(reqwest::Method::OPTIONS, app.url(route, "/article"))
            .header("origin", "https://blog.example")
            .header("access-control-request-method", "GET")
            .header(
                "access-control-request-headers",
                "x-requested-with, content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT, "{route}");
        assert_eq!(header(&preflight, "access-control-allow-origin"), "*");
        assert_eq!(
            header(&preflight, "access-control-allow-methods"),
            "GET, HEAD, OPTIONS"
        );
        assert_eq!(
            header(&preflight, "access-control-allow-headers"),
            "x-requested-with, content-type"
        );
        assert_eq!(header(&preflight, "access-control-max-age"), "86400");
    }
    // The pages are not for other sites' scripts: the method is allowed, CORS is not.
    let page = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/embed", "/article"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&page, "allow"), "GET, HEAD, OPTIONS");
    assert!(page.headers().get("access-control-allow-origin").is_none());
    assert_eq!(app.counts(), (0, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let get = app.get(&app.url("/card.jpg", "/article")).await;
    let length = header(&get, "content-length").to_owned();
    let etag = header(&get, "etag").to_owned();
    for route in ["/card.jpg", "/meta", "/healthz", "/readyz", "/metrics"] {
        let url = if route.starts_with("/card") || route == "/meta" {
            app.url(route, "/article")
        } else {
            format!("{}{route}", app.base)
        };
        let head = app.client.head(&url).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK, "HEAD {route}");
        if route == "/card.jpg" {
            assert_eq!(header(&head, "content-type"), "image/jpeg");
            assert_eq!(header(&head, "content-length"), length);
            assert_eq!(header(&head, "etag"), etag);
        }
        assert!(head.bytes().await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matching_if_none_match_answers_304_without_a_body() {
    let app = spawn_app().await;
    let url = app.url("/card.png", "/article");
    let etag = header(&app.get(&url).await, "etag").to_owned();
    for validator in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".into(),
    ] {
        let response = app
            .client
            .get(&url)
            .header("if-none-match", &validator)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{validator}");
        assert_eq!(header(&response, "etag"), etag);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let changed = app
        .client
        .get(&url)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_production_defaults_refuse_loopback() {
    let app = spawn_app_with(false, &[]).await;
    for article in [
        "http://127.0.0.1/article",
        "http://[::1]/",
        "http://localhost/",
    ] {
        let response = app.get(&format!("{}/meta?url={article}", app.base)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{article}");
        assert_eq!(header(&response, "cache-control"), "no-store");
        assert_eq!(error_code(response).await, "address-blocked");
    }
    // The origin's own port is not a web port: refused before any address is looked at.
    let response = app.get(&app.url("/meta", "/article")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.origin.hits("/article"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_json_error_with_a_stable_code() {
    let app = spawn_app().await;
    let long = format!("http://example.com/{}", "a".repeat(2100));
    let encoded: String = url::form_urlencoded::byte_serialize(long.as_bytes()).collect();
    let article = app.origin.url("/article");
    let cases = [
        (
            format!("{}/meta", app.base),
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
        ),
        (
            format!("{}/meta?url=", app.base),
            StatusCode::BAD_REQUEST,
            "invalid-url",
        ),
        (
            format!("{}/meta?url=/relative", app.base),
            StatusCode::BAD_REQUEST,
            "invalid-url",
        ),
        (
            format!("{}/card.png?url=file:///etc/passwd", app.base),
            StatusCode::BAD_REQUEST,
            "invalid-url",
        ),
        (
            format!("{}/meta?url=http://user:pw@example.com/", app.base),
            StatusCode::BAD_REQUEST,
            "invalid-url",
        ),
        (
            format!("{}/meta?url={article}&url={article}", app.base),
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
        ),
        (
            format!("{}/meta?url={encoded}", app.base),
            StatusCode::URI_TOO_LONG,
            "url-too-long",
        ),
        (
            format!("{}/meta?url=http://localhost/", app.base),
            StatusCode::FORBIDDEN,
            "address-blocked",
        ),
        (
            format!("{}/no-such-route", app.base),
            StatusCode::NOT_FOUND,
            "not-found",
        ),
    ];
    for (url, status, code) in cases {
        let response = app.get(&url).await;
        assert_eq!(response.status(), status, "{url:.80}");
        assert_eq!(error_code(response).await, code, "{url:.80}");
    }
    let post = app
        .client
        .post(app.url("/meta", "/article"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&post, "allow"), "GET, HEAD, OPTIONS");
    // Only `localhost` got as far as the fetcher, whose guard refused it.
    assert_eq!(app.counts(), (1, 0, 0));
    assert_eq!(app.origin.hits("/article"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_failures_map_to_their_statuses_and_are_not_asked_again_at_once() {
    let app = spawn_app().await;
    for (path, status, code) in [
        ("/notfound", StatusCode::NOT_FOUND, "article-not-found"),
        ("/error", StatusCode::BAD_GATEWAY, "origin-unavailable"),
        ("/text", StatusCode::BAD_GATEWAY, "origin-unavailable"),
        (
            "/redirect/canary",
            StatusCode::BAD_GATEWAY,
            "origin-unavailable",
        ),
    ] {
        for _ in 0..2 {
            let response = app.get(&app.url("/card.png", path)).await;
            assert_eq!(response.status(), status, "{path}");
            assert_eq!(header(&response, "cache-control"), "public, max-age=30");
            assert_eq!(error_code(response).await, code, "{path}");
        }
        assert_eq!(app.origin.hits(path), 1, "{path} was fetched again");
    }
    assert_eq!(app.origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_photo_on_the_canary_leaves_the_card_without_a_photo() {
    let app = spawn_app().await;
    let response = app
        .get(&app.url("/card.png", "/article/canary-image"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let card = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    assert_eq!((card.width(), card.height()), (1200, 630));
    assert_eq!(app.origin.canary_hits(), 0);
    // The photo was asked for, refused by the guard, and the card drawn without it.
    assert_eq!(app.counts(), (1, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_cache_outcomes_fetches_and_renders() {
    let app = spawn_app().await;
    app.get(&app.url("/card.png", "/article")).await;
    app.get(&app.url("/card.png", "/article")).await;
    app.get(&app.url("/meta", "/notfound")).await;
    let metrics = app.metrics().await;
    assert!(metrics.ends_with("# EOF\n"), "{metrics}");
    for (series, value) in [
        ("apercu_page_fetches_total", 2.0),
        ("apercu_photo_fetches_total", 1.0),
        ("apercu_card_renders_total", 1.0),
        (
            "apercu_http_requests_total{route=\"/card.png\",status=\"200\"}",
            2.0,
        ),
        (
            "apercu_http_requests_total{route=\"/meta\",status=\"404\"}",
            1.0,
        ),
        (
            "apercu_http_request_duration_seconds_count{route=\"/card.png\"}",
            2.0,
        ),
        (
            "apercu_cache_lookups_total{kind=\"card\",outcome=\"miss\"}",
            1.0,
        ),
        (
            "apercu_cache_lookups_total{kind=\"card\",outcome=\"hit\"}",
            1.0,
        ),
        (
            "apercu_cache_lookups_total{kind=\"article\",outcome=\"error\"}",
            1.0,
        ),
        (
            "apercu_origin_fetches_total{kind=\"page\",outcome=\"ok\"}",
            1.0,
        ),
        (
            "apercu_origin_fetches_total{kind=\"page\",outcome=\"not-found\"}",
            1.0,
        ),
        (
            "apercu_origin_fetches_total{kind=\"image\",outcome=\"ok\"}",
            1.0,
        ),
        ("apercu_card_draw_duration_seconds_count", 1.0),
        ("apercu_encode_duration_seconds_count{format=\"png\"}", 1.0),
        // The scrape itself is in flight.
        ("apercu_http_requests_in_flight", 1.0),
    ] {
        let found = sample(&metrics, series);
        assert!(
            (found - value).abs() < 1e-9,
            "{series} = {found} in\n{metrics}"
        );
    }
    assert!(sample(&metrics, "apercu_cache_bytes") > 100_000.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_answer_is_served_while_it_is_refreshed_and_kept_when_the_origin_fails() {
    // Everything is stale at once, so every request has the origin asked again.
    let app = spawn_app_with(true, &["--cache-ttl=0"]).await;
    let url = app.url("/meta", "/flaky");
    let fresh = app.get(&url).await;
    assert_eq!(header(&fresh, "x-cache"), "MISS");
    let fresh_body = fresh.bytes().await.unwrap();

    app.origin.failing.store(true, Ordering::SeqCst);
    let stale = app.get(&url).await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(header(&stale, "x-cache"), "STALE");
    assert_eq!(header(&stale, "cache-control"), "public, max-age=60");
    assert_eq!(stale.bytes().await.unwrap(), fresh_body);
    // Answered at once; the refresh runs in the background and fails.
    let waited = std::time::Instant::now();
    while app.origin.hits("/flaky") < 2 {
        assert!(waited.elapsed() < std::time::Duration::from_secs(10));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    // The failure is remembered: the next request is answered stale without asking again.
    let again = app.get(&url).await;
    assert_eq!(header(&again, "x-cache"), "STALE");
    assert_eq!(app.origin.hits("/flaky"), 2);
    // What is made from the stale article is stale too.
    let card = app.get(&app.url("/card.png", "/flaky")).await;
    assert_eq!(card.status(), StatusCode::OK);
    assert_eq!(header(&card, "x-cache"), "STALE");
    assert_eq!(app.origin.hits("/flaky"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_article_written_several_ways_is_fetched_once() {
    let app = spawn_app().await;
    let origin = app.origin.addr;
    for spelling in [
        format!("http://{origin}/article"),
        format!("HTTP://{origin}/article#comments"),
        format!("http://{origin}/./article"),
        format!("http://{origin}/x/../article"),
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(spelling.as_bytes()).collect();
        let response = app.get(&format!("{}/meta?url={encoded}", app.base)).await;
        assert_eq!(response.status(), StatusCode::OK, "{spelling}");
    }
    assert_eq!(app.origin.hits("/article"), 1);
    // A different query is a different article.
    app.get(&app.url("/meta", "/article?page=2")).await;
    assert_eq!(app.counts().0, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_origins_max_age_is_honoured_within_bounds() {
    let app = spawn_app().await;
    // `/cached` says max-age=600; the default would be 3600.
    let response = app.get(&app.url("/meta", "/cached")).await;
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=600, stale-while-revalidate=86400"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_pages_and_photos_give_bounded_answers() {
    let app = spawn_app_with(true, &["--fetch-timeout=2"]).await;
    // Compression bombs stop at the decoded-size cap; what was read is still an article.
    for (path, title) in [("/bomb/gzip", "Bomb"), ("/bomb/brotli", "Brotli bomb")] {
        let response = app.get(&app.url("/meta", path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let article: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(article["title"], title);
    }
    // 200,000 nested elements.
    let deep = app.get(&app.url("/meta", "/article/deep")).await;
    assert_eq!(deep.status(), StatusCode::OK);
    // A photo that declares 60,000 × 60,000 pixels is refused from its header; the card is
    // drawn without it.
    let card = app.get(&app.url("/card.png", "/article/pixel-bomb")).await;
    assert_eq!(card.status(), StatusCode::OK);
    let thumb = app.get(&app.url("/thumb", "/article/pixel-bomb")).await;
    assert_eq!(thumb.status(), StatusCode::NOT_FOUND);
    // An origin that never answers is a 504, remembered like the other origin failures.
    let hang = app.get(&app.url("/meta", "/slow/hang")).await;
    assert_eq!(hang.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(error_code(hang).await, "origin-timeout");
    assert_eq!(app.origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_read_in_the_charset_its_server_declares() {
    let app = spawn_app().await;
    let response = app.get(&app.url("/meta", "/article/latin1")).await;
    let article: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(article["title"], "Le café naïf coûte 3€");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_says_503_while_draining_and_the_rest_still_answers() {
    let app = spawn_app().await;
    let ready = app.get(&format!("{}/readyz", app.base)).await;
    assert_eq!(ready.status(), StatusCode::OK);
    app.service.begin_draining();
    let draining = app.get(&format!("{}/readyz", app.base)).await;
    assert_eq!(draining.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&draining, "cache-control"), "no-store");
    let health = app.get(&format!("{}/healthz", app.base)).await;
    assert_eq!(health.status(), StatusCode::OK);
    let meta = app.get(&app.url("/meta", "/article")).await;
    assert_eq!(meta.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    let app = spawn_app_with(true, &["--rate-limit=2"]).await;
    for _ in 0..2 {
        let response = app.get(&app.url("/meta", "/article")).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let limited = app.get(&app.url("/card.png", "/article")).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header(&limited, "retry-after").parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(error_code(limited).await, "rate-limited");
    // Probes are never limited, and the limited request did no work: the page and its photo
    // were fetched for `/meta` (the photo's placeholder), no card drawn.
    let health = app.get(&format!("{}/healthz", app.base)).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(app.counts(), (1, 1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_never_fetches_itself_even_when_its_address_is_exempt() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(
        true,
        &[
            &format!("--listen=127.0.0.1:{port}"),
            &format!("--allow-addresses=127.0.0.1:{port}"),
        ],
    )
    .await;
    let own = format!("http://127.0.0.1:{port}/healthz");
    let response = app.get(&format!("{}/meta?url={own}", app.base)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "address-blocked");
    // A request that an Aperçu fetch made (through any other route back here) is refused too.
    let looped = app
        .client
        .get(app.url("/meta", "/article"))
        .header("via", "1.0 proxy, 1.1 apercu")
        .send()
        .await
        .unwrap();
    assert_eq!(looped.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.origin.hits("/article"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_origin_header_reaches_our_answers() {
    // docs/security.md H8: cookies, refreshes, policies and CORS of the origin stay there.
    let app = spawn_app().await;
    for route in ["/meta", "/card.png", "/embed", "/share", "/oembed"] {
        let response = app.get(&app.url(route, "/headers/set-cookie")).await;
        assert_eq!(response.status(), StatusCode::OK, "{route}");
        let headers = response.headers();
        assert!(headers.get("set-cookie").is_none(), "{route}");
        assert!(headers.get("refresh").is_none(), "{route}");
        assert!(
            headers.get("access-control-allow-credentials").is_none(),
            "{route}"
        );
        if let Some(policy) = headers.get("content-security-policy") {
            assert!(
                policy.to_str().unwrap().contains("default-src 'none'"),
                "{route}"
            );
        }
    }
}
