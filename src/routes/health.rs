//! `/healthz`, `/readyz` and `/metrics`: for orchestrators and operators.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use actix_web::HttpResponse;

use crate::service::Service;

pub(super) fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .body("ok\n")
}

/// Ready once fonts are loaded (the service exists only then) and until it starts draining.
pub(super) fn readyz(service: &Service) -> HttpResponse {
    let ready = !service.renderer.fonts.is_empty() && !service.is_draining();
    let mut response = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header(("cache-control", "no-store"))
        .body(if ready { "ready\n" } else { "draining\n" })
}

/// Prometheus text format: what the expensive steps cost and what the cache holds.
pub(super) async fn metrics(service: &Service) -> HttpResponse {
    let counters = &service.counters;
    let mut text = String::new();
    for (name, help, value) in [
        (
            "apercu_page_fetches_total",
            "Article pages asked of the fetcher (refused ones included).",
            counters.page_fetches.load(Ordering::Relaxed),
        ),
        (
            "apercu_photo_fetches_total",
            "Lead photos asked of the fetcher (refused ones included).",
            counters.photo_fetches.load(Ordering::Relaxed),
        ),
        (
            "apercu_card_renders_total",
            "Cards drawn and encoded.",
            counters.renders.load(Ordering::Relaxed),
        ),
    ] {
        let _ = writeln!(
            text,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
        );
    }
    for (name, help, value) in [
        (
            "apercu_cache_entries",
            "Entries in the cache.",
            service.cache.entry_count().await,
        ),
        (
            "apercu_cache_bytes",
            "Bytes the cache entries are counted as.",
            service.cache.weighted_bytes().await,
        ),
    ] {
        let _ = writeln!(
            text,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .body(text)
}
