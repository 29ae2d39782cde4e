//! Every request, seen from outside: a request id (the client's `X-Request-Id` when it is a
//! sensible token, else a new one) on the response and on every log line written while the
//! request is served, one access line when it is answered, and the request metrics.

use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing::Instrument as _;

use crate::logging::loggable;
use crate::service::Service;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A new id per request: a counter mixed with a per-process random key, so ids of different
/// processes do not collide and do not reveal the request count.
fn new_request_id() -> String {
    static KEY: LazyLock<RandomState> = LazyLock::new(RandomState::new);
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hash = KEY.hash_one(n);
    (0..16)
        .rev()
        .map(|shift| char::from_digit(((hash >> (shift * 4)) & 0xf) as u32, 16).unwrap_or('0'))
        .collect()
}

/// The client's id when it is 1–64 characters of `[A-Za-z0-9._-]`, else a new one.
fn request_id(request: &ServiceRequest) -> String {
    request
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
        .map_or_else(new_request_id, str::to_owned)
}

/// The middleware (outermost, so that it sees what the others refuse).
///
/// # Errors
/// The inner middlewares' or handler's own error, passed on.
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&request);
    let route = route_of(request.path());
    let client = super::client::client_of(&request);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        client = client.map(tracing::field::display),
        method = %request.method(),
        path = %loggable(request.path()),
    );
    let crawler = crate::crawlers::classify(
        request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok()),
    );
    let service = request.app_data::<web::Data<Service>>().cloned();
    let started = Instant::now();
    let in_flight = service.as_ref().map(|s| s.metrics.in_flight());
    let result = next.call(request).instrument(span.clone()).await;
    drop(in_flight);
    let took = started.elapsed();
    let status = match &result {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    if let Some(service) = &service {
        service.metrics.request(route, status.as_u16(), took);
        let cache = result
            .as_ref()
            .ok()
            .and_then(|response| response.headers().get(super::X_CACHE))
            .and_then(|value| match value.as_bytes() {
                b"HIT" => Some("HIT"),
                b"MISS" => Some("MISS"),
                b"STALE" => Some("STALE"),
                _ => None,
            })
            .unwrap_or("none");
        service.metrics.crawled(crawler.name(), route, cache);
    }
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            route,
            micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            "answered"
        );
    });
    let mut response = result?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    Ok(response)
}

/// The route a path names (a fixed set, so metric labels stay few), or `unmatched`.
fn route_of(path: &str) -> &'static str {
    if path.starts_with("/warm/") {
        return "/warm/{id}";
    }
    super::ROUTES
        .iter()
        .map(|(route, _)| *route)
        .chain(["/purge", "/warm"])
        .find(|route| *route == path)
        .unwrap_or("unmatched")
}
