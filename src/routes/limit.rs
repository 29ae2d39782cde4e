//! Per-client request limits (429 with `Retry-After`, docs/api.md, "Errors"): a token
//! bucket per client address, refilled at `APERCU_RATE_LIMIT` requests a minute, with that many
//! as its burst. Probes (`/healthz`, `/readyz`, `/metrics`) are never limited.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::AppError;

/// Idle clients are forgotten after this many checks, so the table stays small.
const SWEEP_EVERY: u64 = 4096;

/// The buckets of every client.
pub struct ClientLimiter {
    buckets: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for ClientLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientLimiter")
            .field("clients", &self.buckets.len())
            .finish_non_exhaustive()
    }
}

impl ClientLimiter {
    #[must_use]
    pub fn per_minute(requests: NonZeroU32) -> Self {
        ClientLimiter {
            buckets: DefaultKeyedRateLimiter::keyed(Quota::per_minute(requests)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes a token for `client`, or says how long until one is free.
    fn check(&self, client: IpAddr) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.buckets.retain_recent();
        }
        self.buckets
            .check_key(&bucket_of(client))
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// IPv6 clients are counted by /64 (what one subscriber usually holds), IPv4 by address.
fn bucket_of(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        v4 @ IpAddr::V4(_) => v4,
    }
}

/// The middleware: answers 429 before the handler runs when the client's bucket is empty.
///
/// # Errors
/// [`AppError`] `rate-limited`, or the handler's own error.
pub async fn limit_clients(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let probe = matches!(request.path(), "/healthz" | "/readyz" | "/metrics");
    if !probe
        && let Some(limiter) = request.app_data::<web::Data<ClientLimiter>>()
        && let Some(client) = super::client::client_of(&request)
        && let Err(wait) = limiter.check(client)
    {
        return Err(AppError::rate_limited(wait).into());
    }
    next.call(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits() {
        let limiter = ClientLimiter::per_minute(NonZeroU32::new(3).unwrap());
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(client).is_ok());
        }
        let wait = limiter.check(client).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        // Someone else is not affected.
        assert!(limiter.check("203.0.113.10".parse().unwrap()).is_ok());
    }

    #[test]
    fn one_ipv6_subscriber_is_one_client() {
        let limiter = ClientLimiter::per_minute(NonZeroU32::new(1).unwrap());
        assert!(limiter.check("2001:db8:1:2::1".parse().unwrap()).is_ok());
        assert!(
            limiter
                .check("2001:db8:1:2:ffff::9".parse().unwrap())
                .is_err()
        );
        assert!(limiter.check("2001:db8:1:3::1".parse().unwrap()).is_ok());
        // An IPv4-mapped address is its IPv4 address.
        assert!(limiter.check("198.51.100.1".parse().unwrap()).is_ok());
        assert!(
            limiter
                .check("::ffff:198.51.100.1".parse().unwrap())
                .is_err()
        );
    }
}
