//! The HTTP client (docs/security.md §2.1 steps 4–7): every hop checked by the [`Guard`] before it
//! is sent, names resolved once by a resolver that drops what the guard refuses and hands reqwest
//! only the addresses it may dial (reqwest never resolves again: the addresses are pinned),
//! redirects followed by hand (at most five, each re-checked), one deadline for the whole fetch,
//! caps on *decoded* bytes (compression bombs stop), and content types checked against magic bytes.
//! Origin headers are never passed on: only the body and a few facts about it leave.
//!
//! reqwest's resolver hook sees a host name but not the port, while exemptions are exact
//! `IP:port`: so there is one client per port (80, 443, and the exempt ports), each with a
//! resolver that knows its port.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::guard::{Blocked, Guard};
use crate::article_url::{ArticleUrl, UrlError};

/// Limits of one fetch (the README's "Configuration": `APERCU_FETCH_TIMEOUT`,
/// `APERCU_MAX_HTML_BYTES`, `APERCU_MAX_IMAGE_BYTES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// The whole fetch, redirects and body included.
    pub total_timeout: Duration,
    pub connect_timeout: Duration,
    pub dns_timeout: Duration,
    pub max_redirects: usize,
    /// Decoded bytes of a page read at most; a longer page is cut there (its head is what
    /// matters).
    pub max_html_bytes: usize,
    /// Decoded bytes of an image read at most; a larger image is refused.
    pub max_image_bytes: usize,
    /// Decoded bytes of a feed or sitemap read at most; a longer one is cut there.
    pub max_feed_bytes: usize,
    pub user_agent: String,
    /// Fetches in flight at once, all origins together (docs/security.md §2.3: 64).
    pub global_concurrency: usize,
    /// Fetches in flight at once to one origin (host and port): one slow site cannot take
    /// every slot.
    pub per_host_concurrency: usize,
    /// How long a fetch waits for a slot before giving up as [`FetchError::Busy`].
    pub queue_timeout: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            total_timeout: Duration::from_secs(8),
            connect_timeout: Duration::from_secs(3),
            dns_timeout: Duration::from_secs(2),
            max_redirects: 5,
            max_html_bytes: 2 * 1024 * 1024,
            max_image_bytes: 10 * 1024 * 1024,
            max_feed_bytes: 10 * 1024 * 1024,
            user_agent: concat!("Apercu/", env!("CARGO_PKG_VERSION"), " (link previews)")
                .to_owned(),
            global_concurrency: 64,
            per_host_concurrency: 4,
            queue_timeout: Duration::from_secs(2),
        }
    }
}

/// What is being fetched: it decides the accepted types and the size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    Image,
    /// A feed or a sitemap (warm-up).
    Feed,
}

/// A fetched body and what the origin said about it.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub url: ArticleUrl,
    pub body: Vec<u8>,
    /// The media type, lower-case, without parameters (`text/html`).
    pub media_type: Option<String>,
    /// The `charset` parameter of the Content-Type.
    pub charset: Option<String>,
    /// `Cache-Control: max-age`, in seconds.
    pub max_age: Option<u64>,
    /// True when a page was longer than the cap and was cut.
    pub truncated: bool,
    /// Every answer on the way, redirects first and this one last.
    pub hops: Vec<Hop>,
    /// The `X-Robots-Tag` header, when there is one.
    pub robots: Option<String>,
}

/// One answer on the way to a fetched page or image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hop {
    pub url: String,
    pub status: u16,
    /// From the request to the answer's head.
    pub millis: u64,
}

/// Why a fetch failed. Only the variant reaches clients (its status and code); the text is for
/// logs, as it may name internal addresses.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error(transparent)]
    Blocked(#[from] Blocked),
    #[error("the origin answered {0}")]
    NotFound(u16),
    #[error("the origin did not answer within {0:?}")]
    Timeout(Duration),
    #[error("origin unavailable: {0}")]
    Unavailable(Unavailable),
    /// Every slot for this host (or for all hosts) stayed taken: our limit, not the origin's
    /// fault, so not worth remembering.
    #[error("too many fetches in flight to {0}")]
    Busy(String),
}

/// A fetch that went wrong after it started: one answer for clients (no oracle for internal
/// networks), told apart here for logs and metrics.
#[derive(Debug)]
pub struct Unavailable {
    pub reason: Reason,
    pub detail: String,
}

impl Unavailable {
    #[must_use]
    pub fn new(reason: Reason, detail: String) -> Self {
        Unavailable { reason, detail }
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// Why a fetch became [`FetchError::Unavailable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No connection, TLS failure, no address left after the guard, broken framing.
    Connection,
    /// A redirect led to a target the guard refuses (or connected somewhere it should not).
    Blocked,
    /// Too many redirects, or one without a usable `Location`.
    Redirect,
    /// A status other than 200, 404 and 410.
    Status,
    /// Not the type asked for, or bytes that contradict the declared type.
    WrongType,
    /// An image past the size cap.
    TooLarge,
    /// The body broke off.
    Body,
    /// An image that does not decode.
    Undecodable,
}

impl Reason {
    const ALL: [Reason; 8] = [
        Reason::Connection,
        Reason::Blocked,
        Reason::Redirect,
        Reason::Status,
        Reason::WrongType,
        Reason::TooLarge,
        Reason::Body,
        Reason::Undecodable,
    ];

    /// A short stable name, for metrics and for other replicas.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Reason::Connection => "connection-failed",
            Reason::Blocked => "blocked",
            Reason::Redirect => "bad-redirect",
            Reason::Status => "bad-status",
            Reason::WrongType => "bad-type",
            Reason::TooLarge => "too-large",
            Reason::Body => "body-failed",
            Reason::Undecodable => "undecodable",
        }
    }

    /// The reason whose [`Reason::name`] is `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.name() == name)
    }
}

impl FetchError {
    /// A short stable name of the outcome, for metrics.
    #[must_use]
    pub fn outcome(&self) -> &'static str {
        match self {
            FetchError::Url(_) => "invalid-url",
            FetchError::Blocked(_) => "blocked",
            FetchError::NotFound(_) => "not-found",
            FetchError::Timeout(_) => "timeout",
            FetchError::Busy(_) => "busy",
            FetchError::Unavailable(unavailable) => unavailable.reason.name(),
        }
    }
}

/// Sent with every fetch, so that a request that comes back to an Aperçu (this one or
/// another behind the same URL) is recognised as a loop and refused (camo's approach).
pub const VIA: &str = "1.1 apercu";

/// Where host names are looked up: the system's DNS in production, a fixed map in tests.
pub trait Lookup: Send + Sync + 'static {
    /// The addresses of `host`.
    fn lookup<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + 'a>>;
}

/// Lookups that always fail: what is left when the system's DNS configuration cannot be read
/// (IP-literal URLs still work).
#[derive(Debug)]
pub struct NoDns;

impl Lookup for NoDns {
    fn lookup<'a>(
        &'a self,
        _: &'a str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + 'a>> {
        Box::pin(async { Err(std::io::Error::other("no DNS configuration")) })
    }
}

/// The system's resolver, or [`NoDns`] (with a warning) when its configuration is unreadable.
/// Call it inside a Tokio runtime.
#[must_use]
pub fn system_lookup() -> Arc<dyn Lookup> {
    match SystemDns::new() {
        Ok(dns) => Arc::new(dns),
        Err(e) => {
            tracing::warn!(error = %e, "no DNS configuration: only IP-literal URLs can be fetched");
            Arc::new(NoDns)
        }
    }
}

/// The system's resolver configuration (`/etc/resolv.conf`), through hickory.
#[derive(Debug)]
pub struct SystemDns(hickory_resolver::TokioResolver);

impl SystemDns {
    /// # Errors
    /// When the system's resolver configuration cannot be read.
    pub fn new() -> std::io::Result<Self> {
        let resolver = hickory_resolver::TokioResolver::builder_tokio()
            .and_then(hickory_resolver::ResolverBuilder::build)
            .map_err(std::io::Error::other)?;
        Ok(Self(resolver))
    }
}

impl Lookup for SystemDns {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + 'a>> {
        Box::pin(async move {
            let found = self
                .0
                .lookup_ip(host)
                .await
                .map_err(std::io::Error::other)?;
            Ok(found.iter().collect())
        })
    }
}

/// Fixed answers: for tests (rebinding, mixed answers) and for deployments that pin names.
#[derive(Debug, Default, Clone)]
pub struct StaticDns(pub HashMap<String, Vec<IpAddr>>);

impl Lookup for StaticDns {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + 'a>> {
        let found = self.0.get(&host.to_ascii_lowercase()).cloned();
        Box::pin(async move {
            found.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such name"))
        })
    }
}

/// Resolves for one port and keeps only the addresses the guard allows there.
struct SafeResolver {
    guard: Arc<Guard>,
    lookup: Arc<dyn Lookup>,
    port: u16,
    timeout: Duration,
}

impl Resolve for SafeResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (guard, lookup, port, timeout) = (
            Arc::clone(&self.guard),
            Arc::clone(&self.lookup),
            self.port,
            self.timeout,
        );
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::time::timeout(timeout, lookup.lookup(&host))
                .await
                .map_err(|_| "DNS lookup timed out")??;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .map(|ip| SocketAddr::new(ip, port))
                .filter(|addr| guard.check_address(*addr).is_ok())
                .collect();
            if allowed.is_empty() {
                return Err("the name has no address that may be fetched".into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The one network client of the service.
pub struct Fetcher {
    guard: Arc<Guard>,
    lookup: Arc<dyn Lookup>,
    config: FetchConfig,
    clients: Mutex<HashMap<u16, reqwest::Client>>,
    slots: Slots,
    /// Asked for on every request: worked out once from the guard.
    extra_ports: Vec<u16>,
}

/// Hosts with this many entries in the slot table trigger a sweep of the idle ones.
const SLOT_TABLE_SWEEP: usize = 1024;

/// Outbound slots: a global semaphore and one per origin (host and port), taken before the
/// first byte is sent.
struct Slots {
    global: Arc<Semaphore>,
    per_host: Mutex<HashMap<String, Arc<Semaphore>>>,
    per_host_limit: usize,
}

/// The two permits a fetch holds while it runs.
struct Permits {
    _global: OwnedSemaphorePermit,
    _host: OwnedSemaphorePermit,
}

impl Slots {
    fn new(config: &FetchConfig) -> Self {
        Slots {
            global: Arc::new(Semaphore::new(config.global_concurrency.max(1))),
            per_host: Mutex::default(),
            per_host_limit: config.per_host_concurrency.max(1),
        }
    }

    fn host(&self, host: &str) -> Arc<Semaphore> {
        let mut table = self.per_host.lock().unwrap_or_else(PoisonError::into_inner);
        if table.len() >= SLOT_TABLE_SWEEP {
            // A host whose semaphore nobody else holds has nothing in flight.
            table.retain(|_, semaphore| Arc::strong_count(semaphore) > 1);
        }
        Arc::clone(
            table
                .entry(host.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host_limit))),
        )
    }

    /// Waits at most `patience` for a slot for `host` and a global one.
    async fn take(&self, host: &str, patience: Duration) -> Result<Permits, FetchError> {
        let busy = || FetchError::Busy(host.to_owned());
        let host_slots = self.host(host);
        let wait = async {
            let host = host_slots.acquire_owned().await.map_err(|_| busy())?;
            let global = Arc::clone(&self.global)
                .acquire_owned()
                .await
                .map_err(|_| busy())?;
            Ok(Permits {
                _global: global,
                _host: host,
            })
        };
        tokio::time::timeout(patience, wait)
            .await
            .map_err(|_| busy())?
    }
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("guard", &self.guard)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// reqwest is built without a default TLS provider (aws-lc needs a C build of its own): ring is
/// installed once for the process before any client is built. A second install is refused,
/// harmlessly. Call it before building any other reqwest client in the process.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Fetcher {
    #[must_use]
    pub fn new(guard: Guard, lookup: Arc<dyn Lookup>, config: FetchConfig) -> Self {
        install_tls_provider();
        Self {
            extra_ports: guard.extra_ports(),
            guard: Arc::new(guard),
            lookup,
            slots: Slots::new(&config),
            config,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Ports a URL may name besides 80 and 443: those of exact exemptions.
    #[must_use]
    pub fn extra_ports(&self) -> &[u16] {
        &self.extra_ports
    }

    fn client(&self, port: u16) -> Result<reqwest::Client, FetchError> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(client) = clients.get(&port) {
            return Ok(client.clone());
        }
        let resolver = SafeResolver {
            guard: Arc::clone(&self.guard),
            lookup: Arc::clone(&self.lookup),
            port,
            timeout: self.config.dns_timeout,
        };
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(resolver))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.config.connect_timeout)
            .user_agent(self.config.user_agent.clone())
            .default_headers(reqwest::header::HeaderMap::from_iter([(
                reqwest::header::VIA,
                reqwest::header::HeaderValue::from_static(VIA),
            )]))
            .build()
            .map_err(|e| {
                FetchError::Unavailable(Unavailable::new(
                    Reason::Connection,
                    format!("building the HTTP client: {e}"),
                ))
            })?;
        clients.insert(port, client.clone());
        Ok(client)
    }

    /// Fetches `url`, following redirects, within the configured deadline.
    ///
    /// # Errors
    /// [`FetchError`]: `Blocked` when the first URL may not be fetched (known before any
    /// connection); `Unavailable` for everything that goes wrong later, redirects to blocked
    /// targets included (one answer, so that it cannot map internal networks); `NotFound`;
    /// `Timeout`; `Busy` when no outbound slot frees up within the queue timeout.
    pub async fn fetch(&self, url: &ArticleUrl, kind: Kind) -> Result<Fetched, FetchError> {
        if let Some(answer) = super::sample::answer(url, kind) {
            return answer;
        }
        self.guard.check_url(url)?;
        // Slots are shared per origin (host and port): one slow site cannot take them all.
        let origin = format!(
            "{}:{}",
            url.as_url().host_str().unwrap_or_default(),
            url.as_url().port_or_known_default().unwrap_or(80)
        );
        let _permits = self.slots.take(&origin, self.config.queue_timeout).await?;
        let deadline = self.config.total_timeout;
        tokio::time::timeout(deadline, self.follow(url.clone(), kind))
            .await
            .map_err(|_| FetchError::Timeout(deadline))?
    }

    async fn follow(&self, mut url: ArticleUrl, kind: Kind) -> Result<Fetched, FetchError> {
        let unavailable =
            |reason, detail: String| FetchError::Unavailable(Unavailable::new(reason, detail));
        let mut hops = Vec::new();
        for hop in 0..=self.config.max_redirects {
            if hop > 0 {
                self.guard.check_url(&url).map_err(|e| {
                    unavailable(Reason::Blocked, format!("redirected to {url}: {e}"))
                })?;
            }
            let port = url.as_url().port_or_known_default().unwrap_or(80);
            let accept = match kind {
                Kind::Page => "text/html,application/xhtml+xml;q=0.9",
                Kind::Image => "image/jpeg,image/png,image/webp,image/gif;q=0.8",
                Kind::Feed => {
                    "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
                }
            };
            let asked = std::time::Instant::now();
            let client = self.client(port)?;
            let send = || {
                client
                    .get(url.as_url().clone())
                    .header(ACCEPT, accept)
                    .send()
            };
            // A pooled connection the origin closed (it restarted, or timed out idle
            // connections) can be handed out before its end is noticed; a GET sent on it is
            // sent once more, on a new connection.
            let response = match send().await {
                Err(error) if closed_before_answer(&error) => send().await,
                first => first,
            };
            let mut response =
                response.map_err(|e| unavailable(Reason::Connection, format!("{url}: {e}")))?;
            hops.push(Hop {
                url: url.to_string(),
                status: response.status().as_u16(),
                millis: u64::try_from(asked.elapsed().as_millis()).unwrap_or(u64::MAX),
            });
            // A tripwire: whatever connected, it must be an address the guard allows.
            if let Some(peer) = response.remote_addr() {
                self.guard
                    .check_address(peer)
                    .map_err(|e| unavailable(Reason::Blocked, format!("{url} connected to {e}")))?;
            }
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| {
                        unavailable(
                            Reason::Redirect,
                            format!("{url}: redirect without Location"),
                        )
                    })?;
                let next = url.as_url().join(location).map_err(|e| {
                    unavailable(Reason::Redirect, format!("{url}: bad Location: {e}"))
                })?;
                url = ArticleUrl::from_url(&next, self.extra_ports()).map_err(|e| {
                    unavailable(Reason::Blocked, format!("redirected to {next}: {e}"))
                })?;
                continue;
            }
            if matches!(status.as_u16(), 404 | 410) {
                return Err(FetchError::NotFound(status.as_u16()));
            }
            if status.as_u16() != 200 {
                return Err(unavailable(
                    Reason::Status,
                    format!("{url}: status {status}"),
                ));
            }
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let content_type = header(CONTENT_TYPE);
            let robots = header(reqwest::header::HeaderName::from_static("x-robots-tag"));
            let max_age = header(CACHE_CONTROL).as_deref().and_then(max_age);
            let (media_type, charset) = content_type
                .as_deref()
                .map(split_content_type)
                .unwrap_or_default();
            check_type(kind, media_type.as_deref())
                .map_err(|e| unavailable(Reason::WrongType, format!("{url}: {e}")))?;
            let cap = match kind {
                Kind::Page => self.config.max_html_bytes,
                Kind::Image => self.config.max_image_bytes,
                Kind::Feed => self.config.max_feed_bytes,
            };
            if kind == Kind::Image && response.content_length().is_some_and(|n| n > cap as u64) {
                return Err(unavailable(
                    Reason::TooLarge,
                    format!("{url}: image larger than {cap} bytes"),
                ));
            }
            let mut body = Vec::new();
            let mut truncated = false;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| unavailable(Reason::Body, format!("{url}: body: {e}")))?
            {
                let room = cap - body.len();
                if chunk.len() > room {
                    if kind == Kind::Image {
                        return Err(unavailable(
                            Reason::TooLarge,
                            format!("{url}: image larger than {cap} bytes"),
                        ));
                    }
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            if kind == Kind::Image && !magic_matches(media_type.as_deref(), &body) {
                return Err(unavailable(
                    Reason::WrongType,
                    format!("{url}: the bytes are not the image the headers announce"),
                ));
            }
            return Ok(Fetched {
                url,
                body,
                media_type,
                charset,
                max_age,
                truncated,
                hops,
                robots,
            });
        }
        Err(unavailable(
            Reason::Redirect,
            format!("more than {} redirects", self.config.max_redirects),
        ))
    }
}

/// `text/html; charset="UTF-8"` → (`text/html`, `UTF-8`).
fn split_content_type(value: &str) -> (Option<String>, Option<String>) {
    let mut parts = value.split(';');
    let media = parts
        .next()
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty());
    let charset = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    });
    (media, charset)
}

fn max_age(cache_control: &str) -> Option<u64> {
    cache_control
        .split(',')
        .find_map(|d| d.trim().strip_prefix("max-age=")?.trim().parse().ok())
}

/// Whether a request failed because its connection was closed before any answer came: the
/// mark of a pooled connection the origin had closed (hyper's "incomplete message", or a
/// reset or broken pipe while sending).
fn closed_before_answer(error: &reqwest::Error) -> bool {
    if error.is_timeout() || error.is_connect() {
        return false;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionAborted
            )
        {
            return true;
        }
        if cause
            .to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Pages must be HTML; images JPEG, PNG, WebP or GIF (never SVG: it can carry scripts and
/// links). A missing type is judged by the bytes.
fn check_type(kind: Kind, media_type: Option<&str>) -> Result<(), String> {
    let Some(media) = media_type else {
        return Ok(());
    };
    let ok = match kind {
        Kind::Page => matches!(media, "text/html" | "application/xhtml+xml"),
        // Feeds and sitemaps come under many labels (text/html among them, from misconfigured
        // servers); the parser decides what the bytes are.
        Kind::Feed => matches!(
            media,
            "application/rss+xml"
                | "text/html"
                | "application/xhtml+xml"
                | "application/atom+xml"
                | "application/rdf+xml"
                | "application/xml"
                | "text/xml"
                | "application/feed+json"
                | "application/json"
                | "text/plain"
                | "application/octet-stream"
        ),
        Kind::Image => matches!(
            media,
            "image/jpeg" | "image/jpg" | "image/pjpeg" | "image/png" | "image/webp" | "image/gif"
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{media} is not an accepted type"))
    }
}

/// The first bytes of an image agree with its declared type (any raster type when undeclared).
fn magic_matches(media_type: Option<&str>, body: &[u8]) -> bool {
    let jpeg = body.starts_with(&[0xFF, 0xD8, 0xFF]);
    let png = body.starts_with(b"\x89PNG\r\n\x1a\n");
    let gif = body.starts_with(b"GIF87a") || body.starts_with(b"GIF89a");
    let webp = body.len() >= 12 && &body[..4] == b"RIFF" && &body[8..12] == b"WEBP";
    match media_type {
        Some("image/jpeg" | "image/jpg" | "image/pjpeg") => jpeg,
        Some("image/png") => png,
        Some("image/gif") => gif,
        Some("image/webp") => webp,
        _ => jpeg || png || gif || webp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the connector would dial for `answers`: the resolver is the only source of
    /// addresses for names, so this is every address a fetch of that name could reach.
    async fn dialable(answers: &[&str]) -> Result<Vec<SocketAddr>, String> {
        let dns = StaticDns(HashMap::from([(
            "name.test".to_owned(),
            answers.iter().map(|a| a.parse().unwrap()).collect(),
        )]));
        let resolver = SafeResolver {
            guard: Arc::new(Guard::default()),
            lookup: Arc::new(dns),
            port: 80,
            timeout: Duration::from_secs(1),
        };
        match resolver.resolve("name.test".parse().unwrap()).await {
            Ok(addrs) => Ok(addrs.collect()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[tokio::test]
    async fn names_of_metadata_and_private_addresses_leave_nothing_to_dial() {
        // docs/security.md A7, A8 for names (literals are refused before any lookup, in `guard`).
        for answer in [
            "169.254.169.254",
            "fd00:ec2::254",
            "100.100.100.200",
            "168.63.129.16",
            "10.0.0.1",
            "192.168.1.1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "0.0.0.0",
        ] {
            assert!(dialable(&[answer]).await.is_err(), "{answer}");
        }
        // Mixed answers keep only the public one.
        assert_eq!(
            dialable(&["10.0.0.1", "93.184.215.14", "169.254.169.254"]).await,
            Ok(vec!["93.184.215.14:80".parse().unwrap()])
        );
    }

    #[test]
    fn content_types_are_split_into_media_type_and_charset() {
        assert_eq!(
            split_content_type("Text/HTML; charset=\"Shift_JIS\""),
            (Some("text/html".into()), Some("Shift_JIS".into()))
        );
        assert_eq!(
            split_content_type("image/png"),
            (Some("image/png".into()), None)
        );
        assert_eq!(max_age("public, max-age=600, s-maxage=60"), Some(600));
    }

    #[test]
    fn svg_and_other_types_are_not_images_we_fetch() {
        assert!(check_type(Kind::Image, Some("image/svg+xml")).is_err());
        assert!(check_type(Kind::Image, Some("text/html")).is_err());
        assert!(check_type(Kind::Page, Some("application/json")).is_err());
        assert!(check_type(Kind::Page, None).is_ok());
    }

    #[test]
    fn image_bytes_must_match_the_announced_type() {
        assert!(magic_matches(Some("image/png"), b"\x89PNG\r\n\x1a\n...."));
        assert!(!magic_matches(Some("image/png"), b"<html>"));
        assert!(!magic_matches(Some("image/jpeg"), b"\x89PNG\r\n\x1a\n"));
        assert!(magic_matches(None, b"RIFF\0\0\0\0WEBPVP8 "));
    }
}
