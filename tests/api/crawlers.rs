//! The platforms' crawlers through HTTP: `Range` and `HEAD` answered as they expect, and
//! `/metrics` counting each crawler's answers by route and cache outcome.

use crate::helpers::{header, spawn_app};

const FACEBOOK: &str = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";
const X: &str = "Twitterbot/1.0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_requests_get_the_part_asked_for_or_the_whole_body_never_an_error() {
    let app = spawn_app().await;
    let card = app.url("/card.jpg", "/article");
    let whole = app.get(&card).await;
    assert_eq!(header(&whole, "accept-ranges"), "bytes");
    let etag = header(&whole, "etag").to_owned();
    let body = whole.bytes().await.unwrap();
    let length = body.len();
    let ask = |range: &str| {
        app.client
            .get(&card)
            .header("user-agent", FACEBOOK)
            .header("range", range)
    };
    // What Facebook's crawler sends: more than the card, so the whole card.
    let facebook = ask("bytes=0-524288").send().await.unwrap();
    assert_eq!(facebook.status(), 200);
    assert_eq!(facebook.bytes().await.unwrap(), body);

    let first = ask("bytes=0-99").send().await.unwrap();
    assert_eq!(first.status(), 206);
    assert_eq!(
        header(&first, "content-range"),
        format!("bytes 0-99/{length}")
    );
    assert_eq!(first.bytes().await.unwrap(), body.slice(..100));
    let last = ask("bytes=-100").send().await.unwrap();
    assert_eq!(last.status(), 206);
    assert_eq!(
        header(&last, "content-range"),
        format!("bytes {}-{}/{length}", length - 100, length - 1)
    );
    assert_eq!(last.bytes().await.unwrap(), body.slice(length - 100..));

    for odd in [
        "bytes=0-1,5-6",
        "bytes=999999999-",
        "bytes=abc",
        "pages=1-2",
        "bytes=5-1",
    ] {
        let answer = ask(odd).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{odd}");
        assert_eq!(answer.bytes().await.unwrap().len(), length, "{odd}");
    }
    let stale_condition = ask("bytes=0-99")
        .header("if-range", "\"another\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale_condition.status(), 200);
    let matching = ask("bytes=0-99")
        .header("if-range", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(matching.status(), 206);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_from_a_crawler_has_the_headers_of_the_answer_and_no_body() {
    let app = spawn_app().await;
    let card = app.url("/card.jpg", "/article");
    let full = app.get(&card).await;
    let length = full.bytes().await.unwrap().len();
    let head = app
        .client
        .head(&card)
        .header("user-agent", X)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-type"), "image/jpeg");
    assert_eq!(header(&head, "content-length"), length.to_string());
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_each_crawlers_answers_by_route_and_cache_outcome() {
    let app = spawn_app().await;
    let card = app.url("/card.jpg", "/article");
    for agent in [X, X, FACEBOOK] {
        let answer = app
            .client
            .get(&card)
            .header("user-agent", agent)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let people = app.get(&app.url("/oembed", "/article")).await;
    assert_eq!(people.status(), 200);
    let metrics = app.metrics().await;
    for line in [
        "apercu_crawler_requests_total{crawler=\"x\",route=\"/card.jpg\",cache=\"MISS\"} 1",
        "apercu_crawler_requests_total{crawler=\"x\",route=\"/card.jpg\",cache=\"HIT\"} 1",
        "apercu_crawler_requests_total{crawler=\"facebook\",route=\"/card.jpg\",cache=\"HIT\"} 1",
        "apercu_crawler_requests_total{crawler=\"other\",route=\"/oembed\",cache=\"MISS\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
}
