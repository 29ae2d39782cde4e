//! What operators watch on `/metrics`: requests by route and status with their latency, cache
//! outcomes by kind, the shared tier (Redis calls by outcome and latency, lock waits, the
//! breaker), origin fetches by outcome, the cost of drawing and encoding cards, and the queue in
//! front of the CPU. Recorded by the service, the cache and the HTTP layer, encoded here in the
//! `OpenMetrics` text format, which Prometheus reads. Knows neither HTTP nor Redis.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The media type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CrawlerLabels {
    crawler: &'static str,
    route: &'static str,
    cache: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FetchLabels {
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    op: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpLabels {
    op: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FormatLabels {
    format: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// From 0.5 ms to about 16 s: cached answers, renders, and fetches up to the deadline.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.000_5, 2.0, 16))
}

/// From 50 µs to about 1.6 s: calls to Redis, usually well under a millisecond.
fn fine_latency() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

/// Every metric of the process, registered once.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    crawler_requests: Family<CrawlerLabels, Counter>,
    warmed: Counter,
    request_seconds: Histograms<RouteLabels>,
    in_flight: Gauge,
    cache: Family<CacheLabels, Counter>,
    cache_entries: Gauge,
    cache_bytes: Gauge,
    fetches: Family<FetchLabels, Counter>,
    fetch_seconds: Histograms<KindLabels>,
    draw_seconds: Histogram,
    encode_seconds: Histograms<FormatLabels>,
    cpu_wait_seconds: Histogram,
    cpu_waiting: Gauge,
    redis_operations: Family<OperationLabels, Counter>,
    redis_seconds: Histograms<OpLabels>,
    shared_lookups: Family<CacheLabels, Counter>,
    lock_waits: Family<OutcomeLabels, Counter>,
    lock_wait_seconds: Histogram,
    breaker_open: Gauge,
    subscribed: Gauge,
    purges_heard: Counter,
    /// Article pages asked of the fetcher (refused ones included).
    pub page_fetches: Counter,
    /// Lead photos asked of the fetcher (refused ones included).
    pub photo_fetches: Counter,
    /// Cards drawn and encoded.
    pub renders: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    #[must_use]
    pub fn new() -> Self {
        let mut metrics = Metrics {
            registry: Registry::default(),
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(latency),
            in_flight: Gauge::default(),
            cache: Family::default(),
            cache_entries: Gauge::default(),
            cache_bytes: Gauge::default(),
            fetches: Family::default(),
            fetch_seconds: Family::new_with_constructor(latency),
            draw_seconds: latency(),
            encode_seconds: Family::new_with_constructor(latency),
            cpu_wait_seconds: latency(),
            cpu_waiting: Gauge::default(),
            redis_operations: Family::default(),
            redis_seconds: Family::new_with_constructor(fine_latency),
            shared_lookups: Family::default(),
            lock_waits: Family::default(),
            lock_wait_seconds: latency(),
            breaker_open: Gauge::default(),
            subscribed: Gauge::default(),
            purges_heard: Counter::default(),
            crawler_requests: Family::default(),
            warmed: Counter::default(),
            page_fetches: Counter::default(),
            photo_fetches: Counter::default(),
            renders: Counter::default(),
        };
        let r = &mut metrics.registry;
        r.register(
            "apercu_http_requests",
            "HTTP requests answered, by route and status",
            metrics.requests.clone(),
        );
        r.register(
            "apercu_crawler_requests",
            "Requests answered by who asked (facebook, x, linkedin, slack, discord, whatsapp, telegram, imessage, apple, fediverse, google, bing, other), route and cache outcome (HIT, MISS, STALE, or none)",
            metrics.crawler_requests.clone(),
        );
        r.register(
            "apercu_warmed_articles",
            "Articles warmed (metadata, cards and oEmbed made before a crawler asked)",
            metrics.warmed.clone(),
        );
        r.register(
            "apercu_http_request_duration_seconds",
            "Time from request to response head, by route",
            metrics.request_seconds.clone(),
        );
        r.register(
            "apercu_http_requests_in_flight",
            "Requests being answered now",
            metrics.in_flight.clone(),
        );
        r.register(
            "apercu_cache_lookups",
            "Cache lookups by kind and outcome (hit, miss, stale, error)",
            metrics.cache.clone(),
        );
        r.register(
            "apercu_cache_entries",
            "Entries in the cache",
            metrics.cache_entries.clone(),
        );
        r.register(
            "apercu_cache_bytes",
            "Bytes the cache entries are counted as",
            metrics.cache_bytes.clone(),
        );
        r.register(
            "apercu_origin_fetches",
            "Origin fetches by kind (page, image) and outcome (ok, timeout, blocked, too-large, bad-type…)",
            metrics.fetches.clone(),
        );
        r.register(
            "apercu_origin_fetch_duration_seconds",
            "Time an origin fetch took, redirects and body included, by kind",
            metrics.fetch_seconds.clone(),
        );
        r.register(
            "apercu_card_draw_duration_seconds",
            "Time to lay out and paint a card",
            metrics.draw_seconds.clone(),
        );
        r.register(
            "apercu_encode_duration_seconds",
            "Time to encode a card or thumbnail, by format",
            metrics.encode_seconds.clone(),
        );
        r.register(
            "apercu_cpu_wait_duration_seconds",
            "Time CPU work waited for a core (the semaphore sized to the cores)",
            metrics.cpu_wait_seconds.clone(),
        );
        r.register(
            "apercu_cpu_waiting",
            "CPU jobs waiting for a core now",
            metrics.cpu_waiting.clone(),
        );
        r.register(
            "apercu_redis_operations",
            "Calls to the shared tier by operation (lookup, lock, store, release, renew, purge, publish, probe) and outcome (ok, error, timeout, skipped while the breaker is open, too-large)",
            metrics.redis_operations.clone(),
        );
        r.register(
            "apercu_redis_operation_duration_seconds",
            "Time a call to the shared tier took, by operation",
            metrics.redis_seconds.clone(),
        );
        r.register(
            "apercu_shared_cache_lookups",
            "What the shared tier held on a miss of this replica, by kind and outcome (hit, stale, failure, miss, refused)",
            metrics.shared_lookups.clone(),
        );
        r.register(
            "apercu_redis_lock_waits",
            "Waits for another replica's computation, by how they ended (value, acquired, deadline, down)",
            metrics.lock_waits.clone(),
        );
        r.register(
            "apercu_redis_lock_wait_duration_seconds",
            "Time spent waiting for another replica's computation",
            metrics.lock_wait_seconds.clone(),
        );
        r.register(
            "apercu_redis_breaker_open",
            "1 while this replica runs alone because the shared tier does not answer",
            metrics.breaker_open.clone(),
        );
        r.register(
            "apercu_redis_subscribed",
            "1 while this replica hears the other replicas' announcements (purges, entries ready)",
            metrics.subscribed.clone(),
        );
        r.register(
            "apercu_redis_purges_heard",
            "Purges announced by any replica and applied here",
            metrics.purges_heard.clone(),
        );
        r.register(
            "apercu_page_fetches",
            "Article pages asked of the fetcher (refused ones included)",
            metrics.page_fetches.clone(),
        );
        r.register(
            "apercu_photo_fetches",
            "Lead photos asked of the fetcher (refused ones included)",
            metrics.photo_fetches.clone(),
        );
        r.register(
            "apercu_card_renders",
            "Cards drawn and encoded",
            metrics.renders.clone(),
        );
        metrics
    }

    /// One answered request; `route` is the route's path, or `unmatched`.
    pub fn request(&self, route: &'static str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
        self.request_seconds
            .get_or_create(&RouteLabels { route })
            .observe(took.as_secs_f64());
    }

    /// One answered request of `crawler` on `route`, with the answer's `X-Cache` (`none` when
    /// it has none: errors, health, pages of the service's own).
    pub fn crawled(&self, crawler: &'static str, route: &'static str, cache: &'static str) {
        self.crawler_requests
            .get_or_create(&CrawlerLabels {
                crawler,
                route,
                cache,
            })
            .inc();
    }

    /// One article warmed.
    pub fn warmed(&self) {
        self.warmed.inc();
    }

    /// Counts a request in flight until the returned guard is dropped (also when the request
    /// is abandoned).
    #[must_use]
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// The outcome of one cache lookup of `kind`: `hit`, `miss`, `stale` or `error`.
    pub fn cache_lookup(&self, kind: &'static str, outcome: &'static str) {
        self.cache
            .get_or_create(&CacheLabels { kind, outcome })
            .inc();
    }

    /// What the cache holds, read when `/metrics` is asked.
    pub fn cache_size(&self, entries: u64, bytes: u64) {
        self.cache_entries
            .set(i64::try_from(entries).unwrap_or(i64::MAX));
        self.cache_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// One origin fetch of `kind` (`page`, `image`) with its outcome.
    pub fn fetch(&self, kind: &'static str, outcome: &'static str, took: Duration) {
        self.fetches
            .get_or_create(&FetchLabels { kind, outcome })
            .inc();
        self.fetch_seconds
            .get_or_create(&KindLabels { kind })
            .observe(took.as_secs_f64());
    }

    pub fn drawn(&self, took: Duration) {
        self.draw_seconds.observe(took.as_secs_f64());
    }

    pub fn encoded(&self, format: &'static str, took: Duration) {
        self.encode_seconds
            .get_or_create(&FormatLabels { format })
            .observe(took.as_secs_f64());
    }

    /// CPU jobs waiting for a core, read when `/metrics` is asked.
    pub fn cpu_queue(&self, waiting: usize) {
        self.cpu_waiting
            .set(i64::try_from(waiting).unwrap_or(i64::MAX));
    }

    pub fn cpu_waited(&self, took: Duration) {
        self.cpu_wait_seconds.observe(took.as_secs_f64());
    }

    /// One call to the shared tier; `took` is `None` when none was made (skipped, too large).
    pub fn redis_operation(&self, op: &'static str, outcome: &'static str, took: Option<Duration>) {
        self.redis_operations
            .get_or_create(&OperationLabels { op, outcome })
            .inc();
        if let Some(took) = took {
            self.redis_seconds
                .get_or_create(&OpLabels { op })
                .observe(took.as_secs_f64());
        }
    }

    /// What the shared tier held for a `kind` entry this replica missed.
    pub fn shared_lookup(&self, kind: &'static str, outcome: &'static str) {
        self.shared_lookups
            .get_or_create(&CacheLabels { kind, outcome })
            .inc();
    }

    /// One wait for another replica's computation, and how it ended.
    pub fn lock_wait(&self, outcome: &'static str, took: Duration) {
        self.lock_waits
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
        self.lock_wait_seconds.observe(took.as_secs_f64());
    }

    pub fn redis_breaker(&self, open: bool) {
        self.breaker_open.set(i64::from(open));
    }

    pub fn redis_subscribed(&self, subscribed: bool) {
        self.subscribed.set(i64::from(subscribed));
    }

    pub fn redis_invalidation(&self) {
        self.purges_heard.inc();
    }

    /// Every metric in the `OpenMetrics` text format ([`CONTENT_TYPE`]).
    #[must_use]
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Decrements its gauge when dropped.
#[derive(Debug)]
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_values_appear_in_the_exposition_text() {
        let metrics = Metrics::new();
        metrics.request("/card.jpg", 200, Duration::from_millis(3));
        metrics.cache_lookup("card", "hit");
        metrics.fetch("page", "timeout", Duration::from_secs(8));
        let held = metrics.in_flight();
        let text = metrics.encode();
        for line in [
            "apercu_http_requests_total{route=\"/card.jpg\",status=\"200\"} 1",
            "apercu_cache_lookups_total{kind=\"card\",outcome=\"hit\"} 1",
            "apercu_origin_fetches_total{kind=\"page\",outcome=\"timeout\"} 1",
            "apercu_http_request_duration_seconds_count{route=\"/card.jpg\"} 1",
            "apercu_http_requests_in_flight 1",
            "# HELP apercu_http_requests_in_flight Requests being answered now.",
            "# EOF",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
        drop(held);
        assert!(
            metrics
                .encode()
                .lines()
                .any(|l| l == "apercu_http_requests_in_flight 0")
        );
    }
}
