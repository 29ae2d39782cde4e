//! Warm-up through HTTP: `POST /warm` with article URLs, feeds and sitemaps of every kind read
//! from the loopback origin, `GET /warm/{id}` until done, then crawlers served from the cache
//! without a fetch; hostile listings read within bounds; watched feeds warmed once for all the
//! instances sharing a Redis; `apercu warm --server`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cluster::{TOKEN, replicas};
use crate::helpers::{TestApp, error_code, header, json, sample, spawn_app_with};
use crate::process::Server;
use crate::redis_server::RedisServer;

async fn warming_app() -> TestApp {
    spawn_app_with(true, &[&format!("--admin-token={TOKEN}")]).await
}

/// `POST /warm` with `body` and the admin token.
async fn post(app: &TestApp, body: &Value) -> reqwest::Response {
    post_as(app, Some(TOKEN), body.to_string()).await
}

/// `POST /warm` with `body`, as JSON, and `token` if any.
async fn post_as(app: &TestApp, token: Option<&str>, body: String) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/warm", app.base))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Starts a job and follows it until it is done; its last progress.
async fn warm(app: &TestApp, body: &Value) -> Value {
    let started = post(app, body).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let status = header(&started, "location").to_owned();
    assert_eq!(header(&started, "cache-control"), "no-store");
    let answer = json(started).await;
    assert_eq!(
        status,
        format!("{}/warm/{}", app.base, answer["id"].as_str().unwrap())
    );
    assert_eq!(answer["status"], status.as_str());
    let since = Instant::now();
    loop {
        let progress = app
            .client
            .get(&status)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(progress.status(), StatusCode::OK);
        let progress = json(progress).await;
        if progress["state"] == "done" {
            return progress;
        }
        assert!(
            since.elapsed() < Duration::from_secs(120),
            "the job did not end: {progress}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether a metric's `value` is `count`.
fn same(value: f64, count: usize) -> bool {
    (value - f64::from(u32::try_from(count).unwrap())).abs() < 1e-9
}

/// The results of `progress` for `url`.
fn result_for<'a>(progress: &'a Value, url: &str) -> &'a Value {
    progress["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["url"] == url)
        .unwrap_or_else(|| panic!("no result for {url} in {progress}"))
}

const LISTED: [&str; 9] = [
    "rss-1", "rss-2", "atom-1", "atom-2", "json-1", "map-1", "map-2", "map-3", "news-1",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_article_of_rss_atom_json_feed_and_a_sitemap_index_is_warmed_once_then_crawlers_hit_the_cache()
 {
    let app = warming_app().await;
    let origin = &app.origin;
    let progress = warm(
        &app,
        &json!({
            "feed": [origin.url("/feeds/rss.xml"), origin.url("/feeds/atom.xml"), origin.url("/feeds/feed.json")],
            "sitemap": [origin.url("/feeds/index.xml"), origin.url("/feeds/news.xml")],
            "urls": [origin.url("/news/rss-1"), origin.url("/article")],
            "formats": ["jpg", "png"],
        }),
    )
    .await;
    assert_eq!(progress["total"], LISTED.len() + 1, "{progress}");
    assert_eq!(progress["done"], progress["total"]);
    assert_eq!(progress["ok"], progress["total"], "{progress}");
    assert_eq!(progress["failed"], 0);
    assert!(progress["seconds"].as_f64().unwrap() > 0.0);
    for slug in LISTED {
        let path = format!("/news/{slug}");
        assert_eq!(result_for(&progress, &origin.url(&path))["ok"], true);
        assert_eq!(origin.hits(&path), 1, "{path} fetched once");
    }
    assert_eq!(origin.hits("/feeds/sitemap-1.xml"), 1);
    assert_eq!(origin.hits("/feeds/sitemap-2.xml"), 1);
    let (pages, _, renders) = app.counts();
    assert_eq!(renders, 2 * (LISTED.len() as u64 + 1));

    // What crawlers ask for next is ready: no fetch, no drawing.
    for slug in LISTED {
        let path = format!("/news/{slug}");
        for route in ["/card.jpg", "/card.png", "/oembed", "/meta"] {
            let answer = app.get(&app.url(route, &path)).await;
            assert_eq!(answer.status(), StatusCode::OK, "{route} {path}");
            assert_eq!(header(&answer, "x-cache"), "HIT", "{route} {path}");
        }
    }
    assert_eq!(app.counts(), (pages, 1, renders));
    let metrics = app.metrics().await;
    let warmed = sample(&metrics, "apercu_warmed_articles_total");
    assert!(same(warmed, LISTED.len() + 1), "{warmed}");

    // Warming again costs nothing: all is in the cache.
    let again = warm(&app, &json!({ "feed": origin.url("/feeds/rss.xml") })).await;
    assert_eq!(again["ok"], 2);
    assert_eq!(app.counts(), (pages, 1, renders));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_listings_are_read_within_bounds_and_never_reach_another_address() {
    let app = spawn_app_with(
        true,
        &[&format!("--admin-token={TOKEN}"), "--fetch-timeout=3"],
    )
    .await;
    let origin = &app.origin;
    let listings = ["bomb", "endless", "drip", "private", "many"]
        .map(|name| origin.url(&format!("/feeds/{name}.xml")));
    let started = Instant::now();
    let progress = warm(
        &app,
        &json!({
            "feed": listings,
            "sitemap": [origin.url("/notfound"), origin.url("/ok")],
            "oembed": false,
        }),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(90));

    // A DTD's entities are never expanded: the item is read, its title left alone.
    assert_eq!(
        result_for(&progress, &origin.url("/news/bomb-1"))["ok"],
        true
    );
    // An endless feed is read up to the cap, and its one article warmed.
    assert_eq!(
        result_for(&progress, &origin.url("/news/endless"))["ok"],
        true
    );
    // A feed that never finishes arriving ends at the fetch timeout.
    let drip = result_for(&progress, &listings[2]);
    assert_eq!(drip["what"], "listing");
    assert_eq!(drip["error"]["code"], "origin-timeout", "{drip}");
    // Links to addresses other than the exempt origin are refused before any connection.
    let port = origin.addr.port();
    for private in [
        format!("http://{}/private", origin.canary),
        format!("http://[::1]:{port}/private"),
        format!("http://localhost:{port}/private"),
    ] {
        let result = result_for(&progress, &private);
        assert_eq!(result["ok"], false);
        assert_eq!(result["error"]["code"], "address-blocked", "{result}");
    }
    assert_eq!(origin.canary_hits(), 0);
    // 100,000 items: the first thousand URLs of the job, each asked once.
    assert_eq!(progress["total"], 1000, "{}", progress["total"]);
    let gone = (0..100_000)
        .map(|n| origin.hits(&format!("/gone/{n}")))
        .sum::<usize>();
    assert!(gone <= 1000 && gone > 900, "{gone}");
    assert_eq!(origin.hits("/gone/999"), 0);
    // What is not a feed, or is not there, is a listing that failed, with its reason.
    assert_eq!(
        result_for(&progress, &origin.url("/notfound"))["error"]["code"],
        "feed-not-found"
    );
    assert_eq!(
        result_for(&progress, &origin.url("/ok"))["error"]["code"],
        "feed-unreadable"
    );
    // The service is well afterwards.
    let card = app.get(&app.url("/card.jpg", "/article")).await;
    assert_eq!(card.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warming_asks_for_the_admin_token_and_a_request_it_understands() {
    let app = warming_app().await;
    let url = format!("{}/warm", app.base);
    let body = json!({ "urls": [app.origin.url("/article")] }).to_string();
    for token in [None, Some("not-the-token-at-all")] {
        let refused = post_as(&app, token, body.clone()).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    }
    for bad in [
        json!({}),
        json!({ "urls": [] }),
        json!({ "urls": ["https://news.example/"], "formats": ["gif"] }),
        json!({ "urls": ["https://news.example/"], "colour": "red" }),
        json!(["https://news.example/"]),
    ] {
        let answer = post(&app, &bad).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_code(answer).await, "invalid-parameter", "{bad}");
    }
    let not_json = post_as(&app, Some(TOKEN), "urls=https://news.example/".to_owned()).await;
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let huge = format!(r#"{{"urls": ["{}"]}}"#, "a".repeat(2 << 20));
    let too_large = post_as(&app, Some(TOKEN), huge).await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(too_large).await, "body-too-large");
    let unknown = app
        .client
        .get(format!("{url}/0123456789abcdef"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(unknown).await, "not-found");
    let someone_elses = app
        .client
        .get(format!("{url}/0123456789abcdef"))
        .send()
        .await
        .unwrap();
    assert_eq!(someone_elses.status(), StatusCode::UNAUTHORIZED);

    // Without an admin token there is no warm-up route at all.
    let closed = spawn_app_with(true, &[]).await;
    let answer = post_as(&closed, Some(TOKEN), body).await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert_eq!(closed.origin.hits("/article"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_feeds_warm_each_new_item_once_for_all_the_instances_sharing_a_redis() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(crate::origin::start().await);
    let feed = origin.url("/feeds/growing.xml");
    let watching = [
        format!("--warm-feeds={feed}"),
        "--warm-interval=1".to_owned(),
    ];
    let watching: Vec<&str> = watching.iter().map(String::as_str).collect();
    let apps = replicas(&origin, &redis, 2, &watching).await;

    let warmed = |n: usize| {
        let apps = &apps;
        async move {
            let since = Instant::now();
            loop {
                let mut total = 0.0;
                for app in apps {
                    total += sample(&app.metrics().await, "apercu_warmed_articles_total");
                }
                if total >= f64::from(u32::try_from(n).unwrap()) {
                    return total;
                }
                assert!(
                    since.elapsed() < Duration::from_secs(60),
                    "{total} of {n} warmed"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert!(same(warmed(2).await, 2));
    origin.publish();
    assert!(same(warmed(3).await, 3));
    // Several more readings of the feed by both instances: nothing warmed twice.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(same(warmed(3).await, 3));
    assert!(origin.hits("/feeds/growing.xml") >= 4);
    for n in 1..=3 {
        let path = format!("/news/growing-{n}");
        assert_eq!(origin.hits(&path), 1, "{path}");
        for app in &apps {
            let card = app.get(&app.url("/card.jpg", &path)).await;
            assert_eq!(header(&card, "x-cache"), "HIT");
        }
    }
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apercu_warm_asks_a_running_service_and_prints_what_it_warmed() {
    let origin = crate::origin::start().await;
    let server = Server::start(&[
        ("APERCU_ADMIN_TOKEN", TOKEN.to_owned()),
        ("APERCU_ALLOW_ADDRESSES", origin.addr.to_string()),
    ])
    .await;
    let (feed, gone) = (origin.url("/feeds/rss.xml"), origin.url("/notfound"));
    let base = server.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_apercu"))
            .args(["warm", "--feed", &feed, &gone, "--server", &base])
            .env_clear()
            .env("APERCU_ADMIN_TOKEN", TOKEN)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // One article of three could not be warmed: the exit status says so.
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("warmed 2 of 3 articles"), "{stdout}");
    assert!(stdout.contains(&origin.url("/notfound")), "{stdout}");
    assert!(stdout.contains("article-not-found"), "{stdout}");
    assert_eq!(origin.hits("/news/rss-1"), 1);
    let card = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!(
            "{}/card.jpg?url={}",
            server.base,
            url::form_urlencoded::byte_serialize(origin.url("/news/rss-2").as_bytes())
                .collect::<String>()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&card, "x-cache"), "HIT");

    // Without the token the service refuses, and the command says why.
    let base = server.base.clone();
    let refused = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_apercu"))
            .args(["warm", "https://news.example/", "--server", &base])
            .env_clear()
            .env("APERCU_ADMIN_TOKEN", "another-token-of-enough-length")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
