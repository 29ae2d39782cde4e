//! `/healthz`, `/readyz` and `/metrics`: for orchestrators and operators.

use actix_web::HttpResponse;

use crate::cache::SharedState;
use crate::service::Service;

pub(super) fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .body("ok\n")
}

/// Ready once fonts are loaded (the service exists only then) and until it starts draining.
/// A shared tier that is away does not make a replica unready (it serves alone); the second
/// line says how it stands: `shared cache: up`, `down` (running alone) or `off`.
pub(super) fn readyz(service: &Service) -> HttpResponse {
    let ready = !service.renderer.fonts.is_empty() && !service.is_draining();
    let mut response = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    let shared = match service.cache.shared_state() {
        SharedState::Off => "off",
        SharedState::Up => "up",
        SharedState::Down => "down (this instance serves alone)",
    };
    let state = if ready { "ready" } else { "draining" };
    response
        .insert_header(("cache-control", "no-store"))
        .body(format!("{state}\nshared cache: {shared}\n"))
}

/// Every metric, in the `OpenMetrics` text format (Prometheus reads it), the cache's size read
/// now.
pub(super) async fn metrics(service: &Service) -> HttpResponse {
    let (entries, bytes) = service.cache.size().await;
    service.metrics.cache_size(entries, bytes);
    service.metrics.cpu_queue(service.cpu_waiting());
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .insert_header(("cache-control", "no-store"))
        .body(service.metrics.encode())
}
