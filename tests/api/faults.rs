//! Faults on the origin side that must not reach further than the request that met them: an
//! origin that restarts, one that hangs while others (and the cache) keep answering.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::helpers::{error_code, header, spawn_app_with};

/// An origin that keeps connections open between requests (so the service pools them), and
/// that can be stopped and started again on the same address.
struct KeepAliveOrigin {
    addr: std::net::SocketAddr,
    tasks: JoinSet<()>,
}

impl KeepAliveOrigin {
    async fn start(addr: &str) -> Self {
        Self::start_answering(addr, usize::MAX).await
    }

    /// An origin that answers `answers` requests on a connection, then closes it on the next
    /// one without answering: what the service meets when it reuses a connection the origin
    /// has just closed.
    async fn start_answering(addr: &str, answers: usize) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                connections.spawn(Self::serve(stream, answers));
            }
        });
        KeepAliveOrigin { addr, tasks }
    }

    async fn serve(mut stream: TcpStream, answers: usize) {
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        for answered in 0..=answers {
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            if answered == answers {
                return; // Read, never answered: the connection closes.
            }
            request.clear();
            let page = b"<title>Still here</title>";
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n",
                page.len()
            );
            if stream.write_all(head.as_bytes()).await.is_err()
                || stream.write_all(page).await.is_err()
            {
                return;
            }
        }
    }

    /// Drops the listener and every open connection, as a process that exits.
    async fn stop(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_that_restarts_between_requests_is_fetched_again_at_once() {
    let origin = KeepAliveOrigin::start("127.0.0.1:0").await;
    let app = spawn_app_with(true, &[&format!("--allow-addresses={}", origin.addr)]).await;
    let addr = origin.addr;
    let meta = |path: &str| format!("{}/meta?url=http://{addr}{path}", app.base);
    let before = app.get(&meta("/before")).await;
    assert_eq!(before.status(), StatusCode::OK);

    // A restart: the pooled connection is dead, the address answers again.
    origin.stop().await;
    let origin = KeepAliveOrigin::start(&addr.to_string()).await;
    let after = app.get(&meta("/after")).await;
    assert_eq!(after.status(), StatusCode::OK);

    // Down: refused connections are a 502 (remembered briefly); back up: the next article is
    // fetched.
    origin.stop().await;
    let down = app.get(&meta("/down")).await;
    assert_eq!(down.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(error_code(down).await, "origin-unavailable");
    let _origin = KeepAliveOrigin::start(&addr.to_string()).await;
    let back = app.get(&meta("/back")).await;
    assert_eq!(back.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_connection_the_origin_closed_unanswered_is_tried_again_on_a_new_one() {
    let origin = KeepAliveOrigin::start_answering("127.0.0.1:0", 1).await;
    let app = spawn_app_with(true, &[&format!("--allow-addresses={}", origin.addr)]).await;
    let addr = origin.addr;
    for path in ["/first", "/second", "/third"] {
        let answer = app
            .get(&format!("{}/meta?url=http://{addr}{path}", app.base))
            .await;
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_origin_does_not_hold_up_other_sites_or_cached_cards() {
    let other = crate::origin::start().await;
    let app = spawn_app_with(
        true,
        &[
            &format!("--allow-addresses={}", other.addr),
            "--fetch-timeout=4",
        ],
    )
    .await;
    let cached = app.url("/card.jpg", "/article");
    assert_eq!(app.get(&cached).await.status(), StatusCode::OK);

    // Eight requests for articles of a site that never answers: its four slots are taken,
    // the rest wait for them.
    let mut hanging = JoinSet::new();
    for n in 0..8 {
        let (client, url) = (
            app.client.clone(),
            app.url("/meta", &format!("/slow/hang?{n}")),
        );
        hanging.spawn(async move { client.get(url).send().await.unwrap().status() });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let hit = app.get(&cached).await;
    assert_eq!(hit.status(), StatusCode::OK);
    assert_eq!(header(&hit, "x-cache"), "HIT");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let elsewhere = format!("{}/card.jpg?url={}", app.base, other.url("/article"));
    // Starved of slots, it would have waited 2 s and been shed (503).
    assert_eq!(app.get(&elsewhere).await.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // The hanging site's own requests end: at the deadline, or shed after waiting for a slot.
    let statuses = hanging.join_all().await;
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::GATEWAY_TIMEOUT || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
}
