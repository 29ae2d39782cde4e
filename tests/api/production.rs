//! What operators rely on: purging an article, client addresses behind proxies, draining.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{TestApp, error_code, header, json, spawn_app, spawn_app_with};
use crate::origin::start;
use crate::process::Server;

const TOKEN: &str = "0123456789abcdef-test-token";

async fn purge(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/purge", path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_drops_an_articles_cached_products_and_the_next_request_fetches_again() {
    let app = spawn_app_with(true, &[&format!("--admin-token={TOKEN}")]).await;
    for route in ["/card.jpg", "/meta", "/oembed", "/embed"] {
        app.get(&app.url(route, "/article")).await;
    }
    assert_eq!(app.counts(), (1, 1, 1));

    for token in [None, Some("wrong-token-of-enough-length")] {
        let refused = purge(&app, "/article", token).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            header(&refused, "www-authenticate"),
            "Bearer realm=\"apercu\""
        );
        assert_eq!(error_code(refused).await, "unauthorized");
    }
    let cached = app.get(&app.url("/card.jpg", "/article")).await;
    assert_eq!(header(&cached, "x-cache"), "HIT");

    let purged = purge(&app, "/article", Some(TOKEN)).await;
    assert_eq!(purged.status(), StatusCode::OK);
    assert_eq!(header(&purged, "cache-control"), "no-store");
    let body = json(purged).await;
    // Article, metadata, card, oEmbed answer, embed page, the lead photo and its placeholder.
    assert_eq!(body["purged"], 7, "{body}");

    let fresh = app.get(&app.url("/card.jpg", "/article")).await;
    assert_eq!(header(&fresh, "x-cache"), "MISS");
    assert_eq!(app.counts(), (2, 2, 2));
    assert_eq!(app.origin.hits("/article"), 2);
    assert_eq!(app.origin.hits("/image/lead.jpg"), 2);

    let get = app.get(&app.url("/purge", "/article")).await;
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&get, "allow"), "POST");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_admin_token_there_is_no_purge_route() {
    let app = spawn_app().await;
    let response = purge(&app, "/article", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not-found");
}

async fn get_as(app: &TestApp, forwarded_for: &str) -> StatusCode {
    app.client
        .get(app.url("/meta", "/article"))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_for_header_counts_only_from_a_trusted_proxy() {
    // Not trusted: every request is the socket's peer, whatever the header says.
    let app = spawn_app_with(true, &["--rate-limit=1"]).await;
    assert_eq!(get_as(&app, "198.51.100.1").await, StatusCode::OK);
    assert_eq!(
        get_as(&app, "198.51.100.2").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Trusted loopback proxy: each forwarded client has its own allowance.
    let app = spawn_app_with(true, &["--rate-limit=1", "--trusted-proxies=127.0.0.0/8"]).await;
    assert_eq!(get_as(&app, "198.51.100.1").await, StatusCode::OK);
    assert_eq!(get_as(&app, "198.51.100.2").await, StatusCode::OK);
    // A client cannot escape by writing another address before the proxy's entry.
    assert_eq!(
        get_as(&app, "203.0.113.50, 198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sigterm_readyz_turns_503_requests_in_flight_finish_and_the_process_exits_0() {
    let origin = start().await;
    let server = Server::start(&[("APERCU_ALLOW_ADDRESSES", origin.addr.to_string())]).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let article = origin.url("/article/slow");
    let slow = {
        let url = format!("{}/card.jpg?url={article}", server.base);
        let client = client.clone();
        tokio::spawn(async move { client.get(url).send().await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.terminate();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = client
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let finished = slow.await.unwrap();
    assert_eq!(finished.status(), StatusCode::OK);
    assert!(finished.bytes().await.unwrap().len() > 10_000);
    let limit = apercu::startup::DRAIN_GRACE + Duration::from_secs(10);
    let (status, log) = server.exit(limit).await;
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("draining"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_on_every_line_and_escape_what_came_from_outside() {
    let origin = start().await;
    let server = Server::start(&[
        ("APERCU_ALLOW_ADDRESSES", origin.addr.to_string()),
        ("APERCU_LOG_FORMAT", "json".to_owned()),
    ])
    .await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    // A failing fetch logs its cause inside the request; the client chose the id.
    let failing = client
        .get(format!("{}/meta?url={}", server.base, origin.url("/error")))
        .header("x-request-id", "editor-42")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&failing, "x-request-id"), "editor-42");
    // An id that is not a plain token is replaced by ours; a path full of escapes is logged
    // escaped and cut.
    let odd_path = format!("/%1b[31m{}", "x".repeat(5000));
    let refused = client
        .get(format!("{}{odd_path}", server.base))
        .header("x-request-id", "not an id")
        .send()
        .await
        .unwrap();
    let ours = header(&refused, "x-request-id").to_owned();
    assert!(ours.len() == 16 && ours != "not an id", "{ours}");

    server.terminate();
    let (_, log) = server
        .exit(apercu::startup::DRAIN_GRACE + Duration::from_secs(10))
        .await;
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let of_request = |id: &str| -> Vec<&serde_json::Value> {
        lines
            .iter()
            .filter(|line| line["span"]["request_id"] == id)
            .collect()
    };
    let failing_lines = of_request("editor-42");
    let messages: Vec<&str> = failing_lines
        .iter()
        .filter_map(|line| line["fields"]["message"].as_str())
        .collect();
    assert_eq!(messages, ["request failed", "answered"], "{log}");
    let answered = failing_lines[1];
    assert_eq!(answered["span"]["client"], "127.0.0.1");
    assert_eq!(answered["fields"]["status"], 502);
    assert_eq!(answered["fields"]["route"], "/meta");
    let refused_lines = of_request(&ours);
    assert!(!refused_lines.is_empty(), "{log}");
    for line in refused_lines {
        let path = line["span"]["path"].as_str().unwrap();
        assert!(path.chars().count() <= 301, "{path}");
        assert!(!path.contains('\u{1b}'), "{path}");
    }
}

/// Asks for every URL of `urls`, 32 at a time; each answer is a 200 or a 503 (load shed).
async fn flood(client: &reqwest::Client, urls: Vec<String>) {
    let queue = std::sync::Arc::new(std::sync::Mutex::new(urls));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let (client, queue) = (client.clone(), std::sync::Arc::clone(&queue));
        workers.spawn(async move {
            loop {
                let Some(url) = queue.lock().unwrap().pop() else {
                    return;
                };
                let status = client.get(url).send().await.unwrap().status();
                assert!(status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE);
            }
        });
    }
    while let Some(worker) = workers.join_next().await {
        worker.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_distinct_urls_keeps_the_process_memory_bounded() {
    // Three rounds of 2,000 distinct articles and 80 distinct cards (about 8 MB of cards each)
    // against an 8 MiB cache: the cache stays within its bound, and the process's peak memory
    // levels off, with no setting from outside: the binary's allocator is jemalloc, giving freed
    // pages back (measured here, debug build, fonts read lazily: 48 MiB at start, 53, 62 and
    // 65 MiB after each round; with glibc's allocator: 64, 131, 185 and 197 MiB, still
    // climbing; jemalloc's own defaults: 48, 97, 108, 127). Since every font is read at start-up
    // (about 60 MB of Debian's Noto, CJK and emoji, on a machine that has them): 105, 133, 143
    // and 145 MiB.
    let origin = start().await;
    let cache_bound = 8 * 1024 * 1024;
    let server = Server::start(&[
        ("APERCU_ALLOW_ADDRESSES", origin.addr.to_string()),
        ("APERCU_CACHE_MAX_BYTES", cache_bound.to_string()),
        ("APERCU_LOG", "warn".to_owned()),
    ])
    .await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let round = |r: usize| -> Vec<String> {
        let metas = (0..2000).map(|n| origin.url(&format!("/ok/{r}-{n}")));
        let metas = metas.map(|article| format!("{}/meta?url={article}", server.base));
        let cards = (0..80).map(|n| {
            let article = origin.url(&format!("/article?flood={r}-{n}"));
            let encoded: String =
                url::form_urlencoded::byte_serialize(article.as_bytes()).collect();
            format!("{}/card.jpg?url={encoded}", server.base)
        });
        metas.chain(cards).collect()
    };
    let mut peaks = vec![server.peak_rss_kib()];
    for r in 1..=3 {
        flood(&client, round(r)).await;
        peaks.push(server.peak_rss_kib());
    }
    let metrics = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cached = crate::helpers::sample(&metrics, "apercu_cache_bytes");
    eprintln!("peak RSS (KiB) at start and after each round: {peaks:?}; {cached} bytes cached");
    assert!(cached <= f64::from(cache_bound), "{cached}");
    assert!(peaks[3] < peaks[1] + 24 * 1024, "still growing: {peaks:?}");
    assert!(peaks[3] < peaks[0] + 64 * 1024, "peak RSS {peaks:?}");
}
