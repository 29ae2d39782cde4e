//! Every hop checked: direct inputs, redirects, names, sizes, time, types.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use apercu::article_url::ArticleUrl;
use apercu::fetch::{Blocked, FetchConfig, FetchError, Fetcher, Guard, Kind, StaticDns};

use crate::origin::{Origin, PNG, start};

/// The origin's exact address is the only exemption; `rebind.test` answers the canary first,
/// then the origin; `private.test` only the canary.
fn fetcher(origin: &Origin, config: FetchConfig) -> Fetcher {
    let guard = Guard {
        exemptions: vec![origin.addr.to_string().parse().unwrap()],
        ..Guard::default()
    };
    let loopback = |s: &str| s.parse::<IpAddr>().unwrap();
    let dns = StaticDns(HashMap::from([
        (
            "rebind.test".to_owned(),
            vec![loopback("127.0.0.2"), loopback("127.0.0.1")],
        ),
        ("private.test".to_owned(), vec![loopback("127.0.0.2")]),
        ("origin.test".to_owned(), vec![loopback("127.0.0.1")]),
    ]));
    Fetcher::new(guard, Arc::new(dns), config)
}

fn quick() -> FetchConfig {
    FetchConfig {
        total_timeout: Duration::from_secs(2),
        max_html_bytes: 256 * 1024,
        max_image_bytes: 256 * 1024,
        ..FetchConfig::default()
    }
}

async fn fetch(
    fetcher: &Fetcher,
    raw: &str,
    kind: Kind,
) -> Result<apercu::fetch::Fetched, FetchError> {
    let url = ArticleUrl::parse(raw, fetcher.extra_ports())?;
    fetcher.fetch(&url, kind).await
}

#[tokio::test]
async fn an_allowed_origin_is_fetched_with_its_headers_read() {
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let page = fetch(&f, &origin.url("/ok"), Kind::Page).await.unwrap();
    assert_eq!(page.body, b"<title>OK</title><h1>Fine</h1>");
    assert_eq!(
        (page.media_type.as_deref(), page.charset.as_deref()),
        (Some("text/html"), Some("utf-8"))
    );
    let cached = fetch(&f, &origin.url("/cached"), Kind::Page).await.unwrap();
    assert_eq!(cached.max_age, Some(600));
    let image = fetch(&f, &origin.url("/image/png"), Kind::Image)
        .await
        .unwrap();
    assert_eq!(image.body, PNG);
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test]
async fn production_defaults_refuse_the_loopback_origin() {
    let origin = start().await;
    let f = Fetcher::new(Guard::default(), Arc::new(StaticDns::default()), quick());
    let url = ArticleUrl::parse(&origin.url("/ok"), &[origin.addr.port()]).unwrap();
    assert!(matches!(
        f.fetch(&url, Kind::Page).await,
        Err(FetchError::Blocked(Blocked::Address { .. }))
    ));
}

#[tokio::test]
async fn other_loopback_addresses_and_ports_are_refused_before_any_connection() {
    // docs/security.md A1, A2, A4, A5.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let canary_port = origin.canary.port();
    let exempt_port = origin.addr.port();
    for raw in [
        format!("http://{}/canary", origin.canary),
        format!("http://2130706434:{exempt_port}/canary"),
        format!("http://0x7f.0.0.2:{exempt_port}/canary"),
        format!("http://[::ffff:127.0.0.2]:{exempt_port}/canary"),
        format!("http://0.0.0.0:{exempt_port}/ok"),
        format!("http://localhost:{exempt_port}/ok"),
        format!("http://foo.localhost:{exempt_port}/ok"),
    ] {
        let result = fetch(&f, &raw, Kind::Page).await;
        assert!(
            matches!(result, Err(FetchError::Blocked(_) | FetchError::Url(_))),
            "{raw}: {result:?}"
        );
    }
    // Another port of the exempt address is not allowed.
    assert!(matches!(
        fetch(&f, "http://127.0.0.1:8/", Kind::Page).await,
        Err(FetchError::Url(_))
    ));
    assert_eq!(
        canary_port, exempt_port,
        "the canary shares the origin's port"
    );
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test]
async fn redirects_are_checked_at_every_hop() {
    // docs/security.md B1–B5: every blocked target is one answer (502), and the canary sees
    // nothing.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    for path in [
        "/redirect/canary",
        "/redirect/canary-decimal",
        "/redirect/canary-mapped",
        "/redirect/localhost",
        "/redirect/metadata",
        "/redirect/file",
        "/redirect/userinfo",
        "/redirect/other-port",
        "/redirect/loop",
        "/redirect/no-location",
        "/redirect/chain/6",
    ] {
        let result = fetch(&f, &origin.url(path), Kind::Page).await;
        assert!(
            matches!(result, Err(FetchError::Unavailable(_))),
            "{path}: {result:?}"
        );
    }
    for path in [
        "/redirect/ok",
        "/redirect/relative",
        "/redirect/protocol-relative",
        "/redirect/chain/4",
    ] {
        let page = fetch(&f, &origin.url(path), Kind::Page)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(page.url.as_str(), origin.url("/ok"), "{path}");
    }
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test]
async fn names_resolve_once_to_allowed_addresses_only() {
    // docs/security.md C1–C3: mixed answers keep the allowed one; only-denied answers are a 502.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let port = origin.addr.port();
    assert!(
        fetch(&f, &format!("http://rebind.test:{port}/ok"), Kind::Page)
            .await
            .is_ok()
    );
    assert!(
        fetch(&f, &origin.url("/redirect/rebind"), Kind::Page)
            .await
            .is_ok()
    );
    assert!(
        fetch(&f, &format!("http://origin.test:{port}/ok"), Kind::Page)
            .await
            .is_ok()
    );
    assert!(matches!(
        fetch(&f, &format!("http://private.test:{port}/ok"), Kind::Page).await,
        Err(FetchError::Unavailable(_))
    ));
    assert!(matches!(
        fetch(&f, &format!("http://unknown.test:{port}/ok"), Kind::Page).await,
        Err(FetchError::Unavailable(_))
    ));
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test]
async fn slow_and_hanging_origins_end_at_the_deadline() {
    // docs/security.md D7, D8: the total deadline covers headers and body.
    let origin = start().await;
    let f = fetcher(
        &origin,
        FetchConfig {
            total_timeout: Duration::from_millis(700),
            ..quick()
        },
    );
    for path in ["/slow/trickle", "/slow/hang"] {
        let started = std::time::Instant::now();
        assert!(
            matches!(
                fetch(&f, &origin.url(path), Kind::Page).await,
                Err(FetchError::Timeout(_))
            ),
            "{path}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{path} took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn bodies_stop_at_the_decoded_cap() {
    // docs/security.md D1, D2, D11: endless pages are cut (their head is kept), images refused,
    // and a gzip bomb stops at the cap of decoded bytes.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let endless = fetch(&f, &origin.url("/huge/endless"), Kind::Page)
        .await
        .unwrap();
    assert!(endless.truncated);
    assert_eq!(endless.body.len(), 256 * 1024);
    assert!(endless.body.starts_with(b"<html><head><title>Endless"));
    let bomb = fetch(&f, &origin.url("/bomb/gzip"), Kind::Page)
        .await
        .unwrap();
    assert!(bomb.truncated && bomb.body.len() == 256 * 1024);
    assert!(bomb.body.starts_with(b"<html><head><title>Bomb"));
    assert!(matches!(
        fetch(&f, &origin.url("/huge/image"), Kind::Image).await,
        Err(FetchError::Unavailable(_))
    ));
}

#[tokio::test]
async fn wrong_types_and_statuses_are_refused() {
    // docs/security.md E5, E6, F10, D9; a 404 stays a 404.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    assert!(matches!(
        fetch(&f, &origin.url("/notfound"), Kind::Page).await,
        Err(FetchError::NotFound(404))
    ));
    for (path, kind) in [
        ("/error", Kind::Page),
        ("/text", Kind::Page),
        ("/json", Kind::Page),
        ("/image/png", Kind::Page),
        ("/ok", Kind::Image),
        ("/image/html-as-png", Kind::Image),
        ("/image/svg", Kind::Image),
        ("/garbage", Kind::Page),
    ] {
        let result = fetch(&f, &origin.url(path), kind).await;
        assert!(
            matches!(result, Err(FetchError::Unavailable(_))),
            "{path} as {kind:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_host_gets_no_more_than_its_share_of_outbound_slots() {
    let origin = start().await;
    let config = FetchConfig {
        per_host_concurrency: 1,
        queue_timeout: Duration::from_millis(200),
        ..quick()
    };
    let f = Arc::new(fetcher(&origin, config));
    // The only slot for the origin is taken by a fetch that hangs.
    let hanging = {
        let (f, url) = (Arc::clone(&f), origin.url("/slow/hang"));
        tokio::spawn(async move { fetch(&f, &url, Kind::Page).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = fetch(&f, &origin.url("/ok"), Kind::Page).await.unwrap_err();
    assert!(matches!(refused, FetchError::Busy(_)), "{refused}");
    assert_eq!(origin.hits("/ok"), 0);
    // Once it times out, the slot is free again.
    assert!(matches!(
        hanging.await.unwrap(),
        Err(FetchError::Timeout(_))
    ));
    assert!(fetch(&f, &origin.url("/ok"), Kind::Page).await.is_ok());
}

#[tokio::test]
async fn lying_and_oversized_answers_are_refused() {
    // docs/security.md D6 (a body cut short of its Content-Length) and D10 (1 MiB of header, 10,000
    // headers): errors, never a partial page taken for a whole one, never a hang.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    for path in ["/lie/early-eof", "/headers/many", "/headers/huge"] {
        let result = fetch(&f, &origin.url(path), Kind::Page).await;
        assert!(
            matches!(result, Err(FetchError::Unavailable(_))),
            "{path}: {result:?}"
        );
    }
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test]
async fn a_compression_bomb_labelled_as_an_image_is_refused_at_the_image_cap() {
    // docs/security.md D12: images are never cut and used; past the decoded cap they are refused.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let result = fetch(&f, &origin.url("/bomb/gzip-as-image"), Kind::Image).await;
    assert!(
        matches!(result, Err(FetchError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn declared_sizes_are_never_trusted() {
    // docs/security.md D4: 10 GiB announced: a page is read up to the cap (its head is what
    // matters), an image is refused from the header. D5: a body longer than its Content-Length is
    // cut at the declared length; what follows is not read as part of it.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let page = fetch(&f, &origin.url("/huge/content-length"), Kind::Page)
        .await
        .unwrap();
    assert!(page.truncated && page.body.len() == 256 * 1024);
    assert!(page.body.starts_with(b"<html><head><title>Ten gibibytes"));
    let image = fetch(&f, &origin.url("/huge/content-length-image"), Kind::Image).await;
    assert!(
        matches!(image, Err(FetchError::Unavailable(_))),
        "{image:?}"
    );
    let short = fetch(&f, &origin.url("/lie/content-length-short"), Kind::Page)
        .await
        .unwrap();
    assert_eq!(short.body, b"<title>Declared</title>");
    assert!(!short.truncated);
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_an_error_not_a_page() {
    // docs/security.md D6.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let result = fetch(&f, &origin.url("/lie/reset"), Kind::Page).await;
    assert!(
        matches!(result, Err(FetchError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_encoded_line_break_in_a_redirect_stays_in_the_path() {
    // docs/security.md B6: `%0D%0A` in a Location is followed literally; no header is made of it.
    let origin = start().await;
    let f = fetcher(&origin, quick());
    let result = fetch(&f, &origin.url("/redirect/crlf"), Kind::Page).await;
    assert!(
        matches!(result, Err(FetchError::NotFound(404))),
        "{result:?}"
    );
    assert_eq!(origin.hits("/ok%0D%0ASet-Cookie:%20injected=1"), 1);
    assert_eq!(origin.hits("/ok"), 0);
}

/// A DNS server that never answers.
struct SilentDns;

impl apercu::fetch::Lookup for SilentDns {
    fn lookup<'a>(
        &'a self,
        _: &'a str,
    ) -> std::pin::Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + 'a>> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn a_silent_dns_server_ends_at_the_dns_timeout() {
    // docs/security.md C4: a lookup that never ends is given up at `dns_timeout`, well before the
    // total deadline; a name that does not exist is a 502 (`unknown.test` above).
    let config = FetchConfig {
        dns_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(5),
        ..quick()
    };
    let f = Fetcher::new(Guard::default(), Arc::new(SilentDns), config);
    let started = std::time::Instant::now();
    let result = fetch(&f, "http://silent.test/", Kind::Page).await;
    assert!(
        matches!(result, Err(FetchError::Unavailable(_))),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
