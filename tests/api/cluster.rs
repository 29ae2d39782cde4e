//! Several instances of the service sharing one real Redis: one computation for all of them,
//! purges that reach all of them, and Redis failing without a client noticing anything but
//! latency. Each test starts its own `redis-server` (skipped, with a reason, where none is
//! installed; a failure under `CI=true`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{TestApp, header, json, same_answer_at_once, spawn_app_on};
use crate::origin::{Origin, start};
use crate::redis_server::RedisServer;

pub const TOKEN: &str = "0123456789abcdef-test-token";

/// `n` instances in front of `origin`, sharing `redis`, once each hears the others.
pub async fn replicas(
    origin: &Arc<Origin>,
    redis: &RedisServer,
    n: usize,
    extra: &[&str],
) -> Vec<TestApp> {
    let mut args = vec![
        format!("--redis-url={}", redis.url()),
        format!("--admin-token={TOKEN}"),
        // Generous: the tests that count computations must not see a slow debug build as an
        // outage. The fault tests set a short one.
        "--redis-timeout-ms=2000".to_owned(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    if extra
        .iter()
        .any(|arg| arg.starts_with("--redis-timeout-ms"))
    {
        args.remove(2);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut apps = Vec::new();
    for _ in 0..n {
        let app = spawn_app_on(Arc::clone(origin), true, &args).await;
        wait_for_shared_state(&app, "up").await;
        apps.push(app);
    }
    apps
}

/// Waits until `/readyz` says the shared cache is `state` (`up` or `down…`).
async fn wait_for_shared_state(app: &TestApp, state: &str) {
    let started = Instant::now();
    loop {
        let ready = app.get(&format!("{}/readyz", app.base)).await;
        assert_eq!(ready.status(), StatusCode::OK);
        let body = ready.text().await.unwrap();
        if body.contains(&format!("shared cache: {state}")) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the shared cache never became {state}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Page fetches, photo fetches and renders of every instance together.
fn total(apps: &[TestApp]) -> (u64, u64, u64) {
    apps.iter()
        .map(TestApp::counts)
        .fold((0, 0, 0), |sum, (p, f, r)| {
            (sum.0 + p, sum.1 + f, sum.2 + r)
        })
}

/// A counter's value in an instance's `/metrics`.
async fn metric(app: &TestApp, name: &str) -> f64 {
    app.metrics()
        .await
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

async fn title(app: &TestApp, path: &str) -> (String, String) {
    let response = app.get(&app.url("/meta", path)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cache = header(&response, "x-cache").to_owned();
    let meta = json(response).await;
    (meta["title"].as_str().unwrap().to_owned(), cache)
}

async fn purge(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .post(app.url("/purge", path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_requests_for_one_card_spread_over_three_instances_fetch_and_draw_it_once() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let apps = replicas(&origin, &redis, 3, &[]).await;
    let urls: Vec<String> = (0..60)
        .map(|n| apps[n % 3].url("/card.jpg", "/article/slow"))
        .collect();
    same_answer_at_once(&urls).await;
    assert_eq!(origin.hits("/article/slow"), 1);
    assert_eq!(origin.hits("/image/lead.jpg?slow"), 1);
    assert_eq!(total(&apps), (1, 1, 1));
    // The metrics say the same.
    let mut from_metrics = (0.0, 0.0, 0.0);
    for app in &apps {
        from_metrics.0 += metric(app, "apercu_page_fetches_total").await;
        from_metrics.1 += metric(app, "apercu_photo_fetches_total").await;
        from_metrics.2 += metric(app, "apercu_card_renders_total").await;
    }
    assert_eq!(from_metrics, (1.0, 1.0, 1.0));
    let waits = metric(&apps[1], "apercu_redis_lock_waits_total{outcome=\"value\"}").await
        + metric(&apps[2], "apercu_redis_lock_waits_total{outcome=\"value\"}").await
        + metric(&apps[0], "apercu_redis_lock_waits_total{outcome=\"value\"}").await;
    assert!(
        waits >= 2.0,
        "the other instances waited for the value: {waits}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_drawn_by_one_instance_is_a_hit_on_another_without_asking_the_origin() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let apps = replicas(&origin, &redis, 2, &[]).await;
    let first = apps[0].get(&apps[0].url("/card.jpg", "/article")).await;
    assert_eq!(header(&first, "x-cache"), "MISS");
    let drawn = first.bytes().await.unwrap();

    let second = apps[1].get(&apps[1].url("/card.jpg", "/article")).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(header(&second, "x-cache"), "HIT");
    assert_eq!(second.bytes().await.unwrap(), drawn);
    assert_eq!(apps[1].counts(), (0, 0, 0));
    assert_eq!(origin.hits("/article"), 1);
    assert_eq!(origin.hits("/image/lead.jpg"), 1);
    // The article itself is shared too: its metadata is made without a fetch.
    assert_eq!(
        title(&apps[1], "/article").await.0,
        "Un article sur la boucle locale"
    );
    assert_eq!(origin.hits("/article"), 1);
    assert_eq!(apps[1].counts(), (0, 0, 0));
    assert!(
        metric(
            &apps[1],
            "apercu_shared_cache_lookups_total{kind=\"card\",outcome=\"hit\"}"
        )
        .await
            >= 1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_failure_is_shared_so_a_dead_origin_is_asked_once_for_every_instance() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let apps = replicas(&origin, &redis, 2, &[]).await;
    for app in &apps {
        let response = app.get(&app.url("/meta", "/notfound")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            crate::helpers::error_code(response).await,
            "article-not-found"
        );
    }
    assert_eq!(origin.hits("/notfound"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_purge_on_one_instance_reaches_all_and_each_shows_the_new_headline_next() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let apps = replicas(&origin, &redis, 3, &[]).await;
    for app in &apps {
        app.get(&app.url("/card.jpg", "/article/edited")).await;
        assert_eq!(
            title(app, "/article/edited").await.0,
            "Première version du titre"
        );
    }
    assert_eq!(origin.hits("/article/edited"), 1);

    origin.edit_headline("Titre corrigé");
    let purged = purge(&apps[0], "/article/edited").await;
    assert_eq!(purged.status(), StatusCode::OK);
    let body = json(purged).await;
    assert_eq!(body["shared"]["instances"], 3, "{body}");
    assert_eq!(body["shared"]["confirmed"], 3, "{body}");
    assert!(body["tag"].as_str().unwrap().starts_with("apercu-"));

    for app in &apps {
        let card = app.get(&app.url("/card.jpg", "/article/edited")).await;
        assert_eq!(card.status(), StatusCode::OK);
        let (headline, _) = title(app, "/article/edited").await;
        assert_eq!(headline, "Titre corrigé");
    }
    // Drawn again once, for everyone.
    assert_eq!(origin.hits("/article/edited"), 2);
    assert_eq!(total(&apps).2, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn what_an_instance_was_computing_when_another_purged_is_not_put_back() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let apps = Arc::new(replicas(&origin, &redis, 3, &[]).await);
    // Instance B starts computing; the origin reads the old headline now, answers later.
    let in_flight = {
        let apps = Arc::clone(&apps);
        tokio::spawn(async move { title(&apps[1], "/article/edited/slow").await })
    };
    while origin.hits("/article/edited/slow") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    origin.edit_headline("Titre corrigé");
    let purged = purge(&apps[0], "/article/edited/slow").await;
    assert_eq!(purged.status(), StatusCode::OK);
    // B answers its own requester with what it fetched before the purge…
    assert_eq!(in_flight.await.unwrap().0, "Première version du titre");
    // …but kept it nowhere: every instance now shows the new headline.
    for app in apps.iter() {
        assert_eq!(title(app, "/article/edited/slow").await.0, "Titre corrigé");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_hanging_or_gone_costs_latency_never_an_error_and_sharing_resumes_after_a_restart() {
    let Some(mut redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let apps = Arc::new(replicas(&origin, &redis, 2, &["--redis-timeout-ms=100"]).await);
    // Requests keep coming, for cached and new articles, while Redis freezes, thaws, dies.
    let load = {
        let apps = Arc::clone(&apps);
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            for n in 0..240 {
                let app = &apps[n % 2];
                let path = format!("/ok/{}", n % 40);
                let response = app.get(&app.url("/card.jpg", &path)).await;
                statuses.push(response.status());
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            statuses
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    redis.freeze();
    wait_for_shared_state(&apps[0], "down").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    redis.thaw();
    wait_for_shared_state(&apps[0], "up").await;
    redis.kill();
    wait_for_shared_state(&apps[1], "down").await;
    let statuses = load.await.unwrap();
    assert!(
        statuses.iter().all(|status| *status == StatusCode::OK),
        "{statuses:?}"
    );
    // While Redis is gone each instance serves alone…
    let alone = apps[0].get(&apps[0].url("/meta", "/article")).await;
    assert_eq!(alone.status(), StatusCode::OK);

    // …and once it is back (empty) they share again, without being restarted.
    redis.restart().await;
    for app in apps.iter() {
        wait_for_shared_state(app, "up").await;
    }
    let drawn = apps[0].get(&apps[0].url("/card.png", "/article")).await;
    assert_eq!(drawn.status(), StatusCode::OK);
    let before = apps[1].counts();
    let shared = apps[1].get(&apps[1].url("/card.png", "/article")).await;
    assert_eq!(header(&shared, "x-cache"), "HIT");
    assert_eq!(apps[1].counts(), before);
    assert!(
        metric(
            &apps[0],
            "apercu_redis_operations_total{op=\"lookup\",outcome=\"timeout\"}"
        )
        .await
            >= 1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_written_under_our_prefix_is_ignored_not_served() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let apps = replicas(&origin, &redis, 1, &[]).await;
    let good = apps[0].get(&apps[0].url("/card.jpg", "/article")).await;
    let good = good.bytes().await.unwrap();
    let meta = apps[0].get(&apps[0].url("/meta", "/article")).await;
    let meta = meta.bytes().await.unwrap();

    // Every entry replaced: bytes that are no entry, and an entry of ours cut short.
    let mut connection = redis.connection().await.unwrap();
    let keys = redis.keys("apercu:").await;
    let entries: Vec<&String> = keys.iter().filter(|key| key.contains(":val:")).collect();
    assert!(entries.len() >= 3, "{keys:?}");
    for (n, key) in entries.iter().enumerate() {
        let stored: Vec<u8> = redis::cmd("GET")
            .arg(key.as_str())
            .query_async(&mut connection)
            .await
            .unwrap();
        let garbage = if n % 2 == 0 {
            b"<script>alert(1)</script>".to_vec()
        } else {
            stored[..stored.len() - 10].to_vec()
        };
        let () = redis::cmd("SET")
            .arg(key.as_str())
            .arg(garbage)
            .query_async(&mut connection)
            .await
            .unwrap();
    }

    // A new instance finds only garbage: it computes, and serves what it computed.
    let fresh = replicas(&origin, &redis, 1, &[]).await.remove(0);
    let card = fresh.get(&fresh.url("/card.jpg", "/article")).await;
    assert_eq!(card.status(), StatusCode::OK);
    assert_eq!(header(&card, "x-cache"), "MISS");
    assert_eq!(card.bytes().await.unwrap(), good);
    let again = fresh.get(&fresh.url("/meta", "/article")).await;
    assert_eq!(again.bytes().await.unwrap(), meta);
    assert!(
        metric(
            &fresh,
            "apercu_shared_cache_lookups_total{kind=\"card\",outcome=\"refused\"}"
        )
        .await
            + metric(
                &fresh,
                "apercu_shared_cache_lookups_total{kind=\"article\",outcome=\"refused\"}"
            )
            .await
            >= 1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_died_holding_a_lock_delays_the_others_only_until_it_expires() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let origin = Arc::new(start().await);
    let first = replicas(&origin, &redis, 1, &[]).await.remove(0);
    let response = first.get(&first.url("/meta", "/cached")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let keys = redis.keys("apercu:").await;
    let article = keys
        .iter()
        .find(|key| key.ends_with(":val:article:"))
        .unwrap();
    let lock = article.replace(":val:article:", ":lock:article:");
    // Nothing shared any more, and the article locked by an instance that died computing it.
    let mut connection = redis.connection().await.unwrap();
    let () = redis::cmd("FLUSHALL")
        .query_async(&mut connection)
        .await
        .unwrap();
    // Set once the newcomer is up, so that how long it took to start does not count.
    let newcomer = replicas(&origin, &redis, 1, &[]).await.remove(0);
    let () = redis::cmd("SET")
        .arg(&lock)
        .arg("a-dead-instance")
        .arg("PX")
        .arg(1500)
        .query_async(&mut connection)
        .await
        .unwrap();
    let started = Instant::now();
    let response = newcomer.get(&newcomer.url("/meta", "/cached")).await;
    let took = started.elapsed();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(4),
        "waited {took:?} for a lock that expires after 1.5 s"
    );
    assert_eq!(newcomer.counts().0, 1);
    assert_eq!(origin.hits("/cached"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_whose_redis_is_unreachable_starts_and_serves_alone() {
    let port = crate::process::free_port();
    let origin = Arc::new(start().await);
    let app = spawn_app_on(
        origin,
        true,
        &[
            &format!("--redis-url=redis://127.0.0.1:{port}/"),
            "--redis-timeout-ms=50",
            &format!("--admin-token={TOKEN}"),
        ],
    )
    .await;
    wait_for_shared_state(&app, "down").await;
    for _ in 0..3 {
        let card = app.get(&app.url("/card.jpg", "/article")).await;
        assert_eq!(card.status(), StatusCode::OK);
    }
    assert_eq!(app.counts(), (1, 1, 1));
    let metrics = app.metrics().await;
    assert!(metrics.contains("apercu_redis_breaker_open 1"), "{metrics}");
    // A purge cannot reach the other instances: it says so, and asks to be tried again.
    let purged = purge(&app, "/article").await;
    assert_eq!(purged.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&purged, "retry-after"), "5");
    assert_eq!(crate::helpers::error_code(purged).await, "purge-incomplete");
    let again = app.get(&app.url("/card.jpg", "/article")).await;
    assert_eq!(header(&again, "x-cache"), "MISS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_itself_refuses_an_entry_computed_before_its_article_was_purged() {
    use apercu::cache::envelope::{Entry, Envelope};
    use apercu::cache::shared::{Lock, SharedSettings, SharedTier, Stored, wall_ms};
    use apercu::cache::{Key, Kind};

    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let settings = SharedSettings {
        url: redis.url(),
        prefix: "apercu:".to_owned(),
        timeout: Duration::from_secs(2),
        max_value_bytes: 1 << 20,
        layout: 1,
    };
    let tier = SharedTier::new(&settings, Arc::new(apercu::metrics::Metrics::new())).unwrap();
    let url = apercu::article_url::ArticleUrl::parse("https://news.example/a", &[]).unwrap();
    let key = Key::new(Kind::Meta, &url, "");
    let names = tier.names(&key);
    // A computation begins: it holds the lock, at the article's current generation.
    let found = tier.lookup(&names, &key, true).await.unwrap();
    let Lock::Acquired(token) = found.lock else {
        panic!("the lock was free: {:?}", found.lock);
    };
    // Meanwhile the article is purged (no instance is listening).
    let purged = tier.purge(&[url.as_str().to_owned()]).await.unwrap();
    assert_eq!((purged.replicas, purged.confirmed), (0, 0));
    let now = wall_ms();
    let entry = |generation| Envelope {
        entry: Entry::Value,
        layout: 1,
        from_stale: false,
        generation,
        stored_at: now,
        fresh_until: now + 60_000,
        keep_until: now + 120_000,
        key: key.as_str().to_owned(),
        payload: bytes::Bytes::from_static(b"{\"title\":\"old\"}"),
    };
    // What it made is refused, and its lock is released all the same.
    let stored = tier
        .store(&names, &entry(found.generation), Some(&token))
        .await
        .unwrap();
    assert_eq!(stored, Stored::Superseded);
    let after = tier.lookup(&names, &key, true).await.unwrap();
    assert!(after.value.is_none());
    assert!(matches!(after.lock, Lock::Acquired(_)));
    assert!(after.generation > found.generation);
    // Made at the new generation, it is kept.
    let stored = tier
        .store(&names, &entry(after.generation), None)
        .await
        .unwrap();
    assert_eq!(stored, Stored::Kept);
    let kept = tier.lookup(&names, &key, false).await.unwrap();
    assert_eq!(kept.value.unwrap().payload, entry(after.generation).payload);
}
