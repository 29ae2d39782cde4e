//! The pipeline behind every route: article URL → page → article → lead photo → card, each step
//! cached and computed once however many requests ask at the same moment. Knows no HTTP: the
//! routes translate requests into these calls and their results into responses.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use url::Url;

use crate::article_url::{ArticleUrl, UrlError};
use crate::cache::envelope::fields;
use crate::cache::{Accept, Cache, Cached, Failure, Fresh, Key, Kind, Purged, SharedValue, Status};
use crate::card::{self, Format, Logo, Photo, PhotoLimits, Renderer, Theme};
use crate::extract::{self, Article};
use crate::fetch::{Blocked, FetchError, Fetched, Fetcher, Reason, Unavailable};
use crate::inspect;
use crate::logging::loggable;
use crate::metrics::Metrics;
use crate::oembed::{self, OembedFormat};
use crate::pages;
use crate::versions::{self, Design, Versions};

/// Bump when the card's design changes: cached cards of the old design are then never served.
pub const CARD_LAYOUT_VERSION: u32 = 2;

/// Bump when thumbnails are cut or encoded differently.
pub const THUMBNAIL_VERSION: u32 = 1;

/// Why a step failed. Cloneable so the cache can hand one failure to every waiting caller.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Fetch(Arc<FetchError>),
    /// The article has no lead photo, or it cannot be used (for `/thumb`).
    #[error("the article has no usable lead image")]
    NoLeadImage,
    /// Too much CPU work is waiting already: shed, not queued.
    #[error("too much work is waiting for a core")]
    Overloaded,
    /// Our side failed (a worker panicked, encoding failed): not the origin's fault. The cause
    /// keeps its chain for the log.
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
    /// A feed or sitemap (warm-up) that is none, or lists nothing.
    #[error("unreadable listing: {0}")]
    Listing(#[from] crate::feeds::FeedError),
}

impl ServiceError {
    /// Our own failure while `context`, caused by `source`.
    pub fn internal(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ServiceError::Internal {
            context,
            source: Arc::new(source),
        }
    }
}

impl From<FetchError> for ServiceError {
    fn from(error: FetchError) -> Self {
        ServiceError::Fetch(Arc::new(error))
    }
}

impl Failure for ServiceError {
    fn is_cacheable(&self) -> bool {
        match self {
            ServiceError::Fetch(error) => !matches!(error.as_ref(), FetchError::Busy(_)),
            ServiceError::NoLeadImage => true,
            ServiceError::Overloaded | ServiceError::Internal { .. } | ServiceError::Listing(_) => {
                false
            }
        }
    }

    fn to_shared(&self) -> Option<Vec<u8>> {
        SharedFailure::of(self).and_then(|failure| serde_json::to_vec(&failure).ok())
    }

    fn from_shared(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<SharedFailure>(bytes)
            .ok()
            .and_then(SharedFailure::into_error)
    }
}

/// A remembered failure as other replicas read it: enough to give the same answer (status,
/// code, message) and a log line, nothing that could not be checked on the way back.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "failure", rename_all = "kebab-case", deny_unknown_fields)]
enum SharedFailure {
    InvalidUrl { problem: String },
    HostNotAllowed { host: String },
    BlockedName { name: String },
    BlockedAddress { address: std::net::IpAddr },
    NotFound { status: u16 },
    Timeout { millis: u64 },
    Unavailable { reason: String, detail: String },
    NoLeadImage,
}

/// Longest text carried by a shared failure (it reaches logs only).
const MAX_SHARED_DETAIL: usize = 512;

impl SharedFailure {
    fn of(error: &ServiceError) -> Option<Self> {
        let fetch = match error {
            ServiceError::NoLeadImage => return Some(SharedFailure::NoLeadImage),
            ServiceError::Fetch(fetch) => fetch.as_ref(),
            ServiceError::Overloaded | ServiceError::Internal { .. } | ServiceError::Listing(_) => {
                return None;
            }
        };
        Some(match fetch {
            FetchError::Url(problem) => SharedFailure::InvalidUrl {
                problem: match problem {
                    UrlError::TooLong => "too-long".to_owned(),
                    UrlError::Invalid => "invalid".to_owned(),
                    UrlError::Scheme => "scheme".to_owned(),
                    UrlError::Userinfo => "userinfo".to_owned(),
                    UrlError::Port(port) => port.to_string(),
                },
            },
            FetchError::Blocked(Blocked::HostNotAllowed(host)) => {
                SharedFailure::HostNotAllowed { host: host.clone() }
            }
            FetchError::Blocked(Blocked::Name(name)) => {
                SharedFailure::BlockedName { name: name.clone() }
            }
            FetchError::Blocked(Blocked::Address { address, .. }) => {
                SharedFailure::BlockedAddress { address: *address }
            }
            FetchError::NotFound(status) => SharedFailure::NotFound { status: *status },
            FetchError::Timeout(after) => SharedFailure::Timeout {
                millis: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            },
            FetchError::Unavailable(unavailable) => SharedFailure::Unavailable {
                reason: unavailable.reason.name().to_owned(),
                detail: loggable(&unavailable.detail).into_owned(),
            },
            FetchError::Busy(_) => return None,
        })
    }

    fn into_error(self) -> Option<ServiceError> {
        let short = |text: &str| text.len() <= MAX_SHARED_DETAIL;
        let fetch = match self {
            SharedFailure::NoLeadImage => return Some(ServiceError::NoLeadImage),
            SharedFailure::InvalidUrl { problem } => FetchError::Url(match problem.as_str() {
                "too-long" => UrlError::TooLong,
                "invalid" => UrlError::Invalid,
                "scheme" => UrlError::Scheme,
                "userinfo" => UrlError::Userinfo,
                port => UrlError::Port(port.parse().ok()?),
            }),
            SharedFailure::HostNotAllowed { host } if short(&host) => {
                FetchError::Blocked(Blocked::HostNotAllowed(host))
            }
            SharedFailure::BlockedName { name } if short(&name) => {
                FetchError::Blocked(Blocked::Name(name))
            }
            SharedFailure::BlockedAddress { address } => FetchError::Blocked(Blocked::Address {
                address,
                reason: "not public (as another replica found)",
            }),
            SharedFailure::NotFound { status } => FetchError::NotFound(status),
            SharedFailure::Timeout { millis } => FetchError::Timeout(Duration::from_millis(millis)),
            SharedFailure::Unavailable { reason, detail } if short(&detail) => {
                FetchError::Unavailable(Unavailable::new(Reason::from_name(&reason)?, detail))
            }
            _ => return None,
        };
        Some(ServiceError::from(fetch))
    }
}

/// An encoded response body and its strong validator.
#[derive(Debug)]
pub struct Body {
    /// Shared, so answering from the cache copies nothing.
    pub bytes: Bytes,
    /// A quoted strong entity tag: a hash of the bytes.
    pub etag: String,
    /// The content version of what it shows (cards, thumbnails, the embed page; see
    /// [`versions`]), which a request's `v` is compared with.
    pub version: Option<String>,
}

impl Body {
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        let etag = format!("\"{:x}\"", Sha256::digest(&bytes));
        Body {
            bytes: bytes.into(),
            etag,
            version: None,
        }
    }

    /// A body, its validator and its version, as read back from the shared tier: `None`
    /// unless each has the form this service writes.
    fn checked(etag: &[u8], version: &[u8], bytes: Bytes) -> Option<Self> {
        let etag = std::str::from_utf8(etag).ok()?;
        let hex = etag.strip_prefix('"')?.strip_suffix('"')?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) || bytes.is_empty() {
            return None;
        }
        let version = match std::str::from_utf8(version).ok()? {
            "" => None,
            version if versions::is_plausible(version) => Some(version.to_owned()),
            _ => return None,
        };
        Some(Body {
            bytes,
            etag: etag.to_owned(),
            version,
        })
    }

    fn version_bytes(&self) -> &[u8] {
        self.version.as_deref().unwrap_or_default().as_bytes()
    }
}

impl SharedValue for Body {
    fn to_shared(&self) -> Vec<u8> {
        fields::join(&[self.etag.as_bytes(), self.version_bytes(), &self.bytes])
    }

    fn from_shared(bytes: Bytes) -> Option<Self> {
        let [etag, version, body] = fields::split::<3>(&bytes)?;
        Body::checked(&etag, &version, body)
    }
}

impl SharedValue for Article {
    fn to_shared(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn from_shared(bytes: Bytes) -> Option<Self> {
        Article::from_json(&bytes)
    }

    /// The parsed article takes about twice its JSON.
    fn weight_of_shared(shared_len: usize) -> usize {
        shared_len * 2
    }
}

/// Decoded photos stay with the replica that decoded them: megabytes of pixels are cheaper to
/// decode again than to move.
impl SharedValue for Photo {
    const SHARED: bool = false;

    fn to_shared(&self) -> Vec<u8> {
        Vec::new()
    }

    fn from_shared(_: Bytes) -> Option<Self> {
        None
    }
}

impl SharedValue for Logo {
    const SHARED: bool = false;

    fn to_shared(&self) -> Vec<u8> {
        Vec::new()
    }

    fn from_shared(_: Bytes) -> Option<Self> {
        None
    }
}

/// A photo's placeholder is shared, as checked JSON: an instance that never decoded the photo
/// answers `/meta` without fetching it.
impl SharedValue for crate::card::photo::Placeholder {
    fn to_shared(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn from_shared(bytes: Bytes) -> Option<Self> {
        serde_json::from_slice::<Self>(&bytes)
            .ok()
            .filter(crate::card::photo::Placeholder::is_valid)
    }
}

/// Which HTML page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Embed,
    Share,
}

/// A rendered page and its `Content-Security-Policy`.
#[derive(Debug)]
pub struct HtmlPage {
    pub body: Body,
    pub content_security_policy: String,
}

/// The longest policy read back from the shared tier (ours are a few hundred bytes).
const MAX_POLICY_BYTES: usize = 4096;

impl SharedValue for HtmlPage {
    fn to_shared(&self) -> Vec<u8> {
        let body = &self.body;
        fields::join(&[
            self.content_security_policy.as_bytes(),
            body.etag.as_bytes(),
            body.version_bytes(),
            &body.bytes,
        ])
    }

    fn from_shared(bytes: Bytes) -> Option<Self> {
        let [policy, etag, version, html] = fields::split::<4>(&bytes)?;
        let policy = std::str::from_utf8(&policy).ok()?;
        let header_safe = policy.len() <= MAX_POLICY_BYTES
            && policy.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
        if !header_safe || std::str::from_utf8(&html).is_err() {
            return None;
        }
        Some(HtmlPage {
            body: Body::checked(&etag, &version, html)?,
            content_security_policy: policy.to_owned(),
        })
    }
}

/// Bookkeeping bytes of a cached body besides its own.
const BODY_OVERHEAD: usize = 128;

/// A body made from `article`: it stays fresh as long as the article does, and is stale when
/// the article is. `version` is the content version of what it shows, if it has one.
fn derived_body(bytes: Vec<u8>, article: &Cached<Article>, version: Option<String>) -> Fresh<Body> {
    Fresh {
        weight: bytes.len() + BODY_OVERHEAD,
        value: Body {
            version,
            ..Body::new(bytes)
        },
        origin_max_age: Some(article.fresh_for),
        from_stale: article.status == Status::Stale,
    }
}

/// CPU jobs allowed to wait for a core, per core, before more are turned away (503): each
/// waiting job holds its input (a page, a photo's bytes), so the queue must not grow with load.
const CPU_QUEUE_PER_CORE: usize = 32;

/// CPU work (parse, decode, render, encode) runs on blocking threads, at most one job per core
/// at once, so the async workers always stay free to answer; at most `max_waiting` jobs wait.
#[derive(Debug)]
struct CpuPool {
    cores: Arc<Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
    max_waiting: usize,
}

impl CpuPool {
    fn new(cores: usize, max_waiting: usize) -> Self {
        CpuPool {
            cores: Arc::new(Semaphore::new(cores)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// A core for one job, once one is free; [`ServiceError::Overloaded`] at once when the
    /// queue is full.
    async fn admit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ServiceError> {
        if let Ok(permit) = Arc::clone(&self.cores).try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ServiceError::Overloaded);
        }
        let permit = Arc::clone(&self.cores).acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit.map_err(|e| ServiceError::internal("waiting for a core", e))
    }
}

/// The card's look: the theme, where its files live, and the logos it names (decoded once).
#[derive(Debug)]
pub struct Look {
    pub theme: Theme,
    pub theme_dir: PathBuf,
    logos: Mutex<HashMap<String, Option<Arc<Logo>>>>,
}

impl Look {
    #[must_use]
    pub fn new(theme: Theme, theme_dir: PathBuf) -> Self {
        Look {
            theme,
            theme_dir,
            logos: Mutex::default(),
        }
    }

    /// A fingerprint of everything the theme draws with: its settings and its logo files as
    /// they are now (a logo replaced under the same name is a new look).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let settings = format!("{:?}", self.theme);
        let logos: Vec<String> = self
            .theme
            .logos()
            .iter()
            .map(|name| {
                let bytes = std::fs::read(self.theme_dir.join(name)).unwrap_or_default();
                format!("{name}={:x}", Sha256::digest(bytes))
            })
            .collect();
        let mut parts = vec![settings.as_str()];
        parts.extend(logos.iter().map(String::as_str));
        versions::hash(&parts)
    }

    /// The logo of the theme for `host`, read and decoded the first time it is needed; a logo
    /// that cannot be read is logged once and the card is drawn without it.
    fn logo(&self, host: Option<&str>, limits: &PhotoLimits) -> Option<Arc<Logo>> {
        let name = self.theme.for_host(host).logo?;
        let mut logos = self.logos.lock().unwrap_or_else(PoisonError::into_inner);
        logos
            .entry(name.clone())
            .or_insert_with(|| {
                let path = self.theme_dir.join(&name);
                let decoded = std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| Logo::decode(&bytes, limits).map_err(|e| e.to_string()));
                match decoded {
                    Ok(logo) => Some(Arc::new(logo)),
                    Err(reason) => {
                        tracing::warn!(path = %path.display(), %reason, "theme logo not used");
                        None
                    }
                }
            })
            .clone()
    }
}

/// The article a fetched page holds, dated against today's date (`apercu inspect` reads pages
/// with this too).
#[must_use]
pub fn article_of(page: &Fetched) -> Article {
    extract::extract_as_of(
        &page.body,
        page.charset.as_deref(),
        page.url.as_url(),
        Some(chrono::Utc::now().date_naive()),
    )
}

/// Everything a request needs, shared by all workers.
#[derive(Debug)]
pub struct Service {
    pub fetcher: Fetcher,
    pub cache: Cache,
    pub renderer: Renderer,
    pub look: Look,
    pub photo_limits: PhotoLimits,
    /// `APERCU_PUBLIC_URL`, ending in `/`: the start of every URL the service emits.
    pub public_url: Url,
    /// What `/metrics` reports; `page_fetches`, `photo_fetches` and `renders` count how often
    /// the expensive steps ran, which is what the cache is meant to save.
    pub metrics: Arc<Metrics>,
    /// What draws the answers besides the article (for their content versions).
    design: Design,
    /// The card entries' variants (PNG, JPEG, WebP): format, layout version and theme, so
    /// instances of another design never take each other's cards from a shared cache.
    card_variants: [String; 3],
    /// Signed URLs: the keys that sign what the service emits, and whether requests must be
    /// signed.
    pub signing: crate::signing::Signing,
    /// Set when the process was asked to stop: `/readyz` then answers 503 so load balancers
    /// stop sending traffic while requests in flight finish.
    draining: std::sync::atomic::AtomicBool,
    cpu: CpuPool,
}

impl Service {
    /// `metrics` is shared with the cache, which records the shared tier's calls there.
    #[must_use]
    pub fn new(
        fetcher: Fetcher,
        cache: Cache,
        renderer: Renderer,
        look: Look,
        photo_limits: PhotoLimits,
        public_url: Url,
        metrics: Arc<Metrics>,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let design = Design {
            card: CARD_LAYOUT_VERSION,
            thumbnail: THUMBNAIL_VERSION,
            page: pages::TEMPLATE_VERSION,
            theme: look.fingerprint(),
        };
        let card_variants = [Format::Png, Format::Jpeg, Format::Webp].map(|format| {
            format!(
                "{}:layout{CARD_LAYOUT_VERSION}:{}",
                format.media_type(),
                design.theme
            )
        });
        Service {
            fetcher,
            cache,
            renderer,
            look,
            photo_limits,
            public_url,
            metrics,
            design,
            card_variants,
            signing: crate::signing::Signing::default(),
            draining: std::sync::atomic::AtomicBool::new(false),
            cpu: CpuPool::new(cores, cores * CPU_QUEUE_PER_CORE),
        }
    }

    /// Marks the service as stopping (see [`Service::is_draining`]).
    pub fn begin_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    #[must_use]
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Forgets everything cached about the article at `url`, its lead photo included, here
    /// and (with a shared tier) on every replica; the next request fetches and draws it again.
    pub async fn purge(&self, url: &ArticleUrl) -> Purged {
        let article_key = Key::new(Kind::Article, url, "");
        let mut urls = vec![url.as_str().to_owned()];
        let article = match self.cache.peek::<Article>(&article_key).await {
            Some(article) => Some(article),
            None => {
                self.cache
                    .peek_shared::<Article, ServiceError>(&article_key)
                    .await
            }
        };
        if let Some(article) = article
            && let Some(lead) = &article.lead_image
            && let Ok(photo) = ArticleUrl::from_url(&lead.url, self.fetcher.extra_ports())
        {
            urls.push(photo.as_str().to_owned());
        }
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        self.cache.purge(&urls).await
    }

    /// The content versions of the answers drawn from `article`.
    #[must_use]
    pub fn versions(&self, article: &Article) -> Versions {
        Versions::of(article, &self.design)
    }

    /// CPU jobs waiting for a core now.
    #[must_use]
    pub fn cpu_waiting(&self) -> usize {
        self.cpu.waiting.load(Ordering::Relaxed)
    }

    /// The variant of an answer that names URLs of the service: with the signing key's id, so a
    /// new key makes new answers (the old ones keep verifying while the old key is listed).
    fn signed_variant(&self, variant: &str) -> String {
        match &self.signing.keys {
            Some(keys) => format!("{variant}:k={}", keys.signing_id()),
            None => variant.to_owned(),
        }
    }

    /// Parses a client's `url` the way the fetcher will fetch it (exempt ports included).
    ///
    /// # Errors
    /// Why the URL is refused.
    pub fn article_url(&self, raw: &str) -> Result<ArticleUrl, crate::article_url::UrlError> {
        ArticleUrl::parse(raw, self.fetcher.extra_ports())
    }

    /// Runs CPU-bound work on a blocking thread, under the CPU semaphore.
    async fn on_cpu<T, F>(&self, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let waited = Instant::now();
        let permit = self.cpu.admit().await?;
        self.metrics.cpu_waited(waited.elapsed());
        // The permit goes with the work: a request that gives up does not free the core while
        // its job still runs on it.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| ServiceError::internal("a worker failed", e))
    }

    /// [`Cache::get_or_compute_where`] for the `kind` entry of `url`, counted in the metrics.
    /// `compute` gets the service and the URL as its own (it may run in the background).
    async fn cached<V, F, Fut>(
        self: &Arc<Self>,
        kind: Kind,
        url: &ArticleUrl,
        variant: &str,
        accept: Accept<'_, V>,
        compute: F,
    ) -> Result<Cached<V>, ServiceError>
    where
        V: SharedValue,
        F: FnOnce(Arc<Service>, ArticleUrl) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fresh<V>, ServiceError>> + Send + 'static,
    {
        let key = Key::new(kind, url, variant);
        // A fresh hit (most requests) needs no owned copies for a computation.
        let fresh = match self.cache.fresh::<V>(&key).await {
            Some(cached) if accept.is_none_or(|accept| accept(&cached.value)) => Some(cached),
            _ => None,
        };
        let result = if let Some(cached) = fresh {
            Ok(cached)
        } else {
            let (this, owned) = (Arc::clone(self), url.clone());
            self.cache
                .get_or_compute_where(&key, accept, move || compute(this, owned))
                .await
        };
        let outcome = match &result {
            Ok(cached) => match cached.status {
                Status::Hit => "hit",
                Status::Miss => "miss",
                Status::Stale => "stale",
            },
            Err(_) => "error",
        };
        self.metrics.cache_lookup(kind.name(), outcome);
        result
    }

    /// One origin fetch, timed and counted by outcome.
    async fn fetch(
        &self,
        url: &ArticleUrl,
        kind: crate::fetch::Kind,
    ) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let result = self.fetcher.fetch(url, kind).await;
        let outcome = result.as_ref().map_or_else(FetchError::outcome, |_| "ok");
        let kind = match kind {
            crate::fetch::Kind::Page => "page",
            crate::fetch::Kind::Image => "image",
            crate::fetch::Kind::Feed => "feed",
        };
        self.metrics.fetch(kind, outcome, started.elapsed());
        result
    }

    /// The article at `url`, fetched and extracted once per freshness period.
    ///
    /// # Errors
    /// The fetch failure (remembered briefly) when no stale article is left.
    pub async fn article(
        self: &Arc<Self>,
        url: &ArticleUrl,
    ) -> Result<Cached<Article>, ServiceError> {
        self.cached(Kind::Article, url, "", None, |this, url| async move {
            this.metrics.page_fetches.inc();
            let page = this.fetch(&url, crate::fetch::Kind::Page).await?;
            let origin_max_age = page.max_age.map(Duration::from_secs);
            // scraper's DOM is not `Send`: the whole parse happens inside this closure.
            let article = this.on_cpu(move || article_of(&page)).await?;
            let weight = serde_json::to_vec(&article).map_or(4096, |json| json.len() * 2);
            Ok(Fresh {
                value: article,
                origin_max_age,
                weight,
                from_stale: false,
            })
        })
        .await
    }

    /// The articles (or further sitemaps) a feed or sitemap at `url` lists; read every time
    /// (listings change by the minute), through the same guarded fetcher.
    ///
    /// # Errors
    /// The fetch's failure, or [`ServiceError::Listing`].
    pub async fn listing(&self, url: &ArticleUrl) -> Result<crate::feeds::Listing, ServiceError> {
        let fetched = match self.fetch(url, crate::fetch::Kind::Feed).await {
            Err(FetchError::NotFound(_)) => {
                return Err(ServiceError::Listing(crate::feeds::FeedError::Missing));
            }
            fetched => fetched?,
        };
        let base = fetched.url.as_url().clone();
        let listing = self
            .on_cpu(move || crate::feeds::read(&fetched.body, &base))
            .await??;
        Ok(listing)
    }

    /// The article's metadata as the `/meta` JSON body, serialised and hashed once.
    ///
    /// # Errors
    /// The article's failure.
    pub async fn meta(self: &Arc<Self>, url: &ArticleUrl) -> Result<Cached<Body>, ServiceError> {
        self.cached(Kind::Meta, url, "", None, |this, url| async move {
            let article = this.article(&url).await?;
            // The photo's stand-in, for pages that draw a preview before it loads.
            let mut shown = (*article.value).clone();
            if let Some(placeholder) = Box::pin(this.placeholder(&article.value)).await
                && let Some(lead) = shown.lead_image.as_mut()
            {
                lead.color = Some(placeholder.color.clone());
                lead.blurhash = Some(placeholder.blurhash.clone());
            }
            let json = serde_json::to_vec_pretty(&shown)
                .map_err(|e| ServiceError::internal("writing the metadata", e))?;
            Ok(derived_body(json, &article, None))
        })
        .await
    }

    /// The article's lead photo, fetched through the same guarded pipeline and decoded once;
    /// `None` when there is none or it cannot be used (the card is then drawn without it).
    pub async fn lead_photo(self: &Arc<Self>, article: &Article) -> Option<Arc<Photo>> {
        self.photo_at(&self.lead_photo_url(article)?).await
    }

    /// Where the article's lead photo is, when it may be fetched.
    fn lead_photo_url(&self, article: &Article) -> Option<ArticleUrl> {
        let lead = article.lead_image.as_ref()?;
        ArticleUrl::from_url(&lead.url, self.fetcher.extra_ports())
            .inspect_err(|reason| {
                tracing::info!(photo = %loggable(lead.url.as_str()), reason = %loggable(&reason.to_string()), "lead photo not used");
            })
            .ok()
    }

    /// The lead photo's placeholder (dominant colour, `BlurHash`): from this instance's cache or
    /// the shared one, else made from the photo.
    pub async fn placeholder(
        self: &Arc<Self>,
        article: &Article,
    ) -> Option<Arc<crate::card::photo::Placeholder>> {
        let url = self.lead_photo_url(article)?;
        let made = self
            .cached(Kind::Placeholder, &url, "", None, |this, url| async move {
                let photo = this.photo_at(&url).await.ok_or(ServiceError::NoLeadImage)?;
                Ok(Fresh {
                    value: photo.placeholder().clone(),
                    origin_max_age: None,
                    weight: 128,
                    from_stale: false,
                })
            })
            .await;
        made.ok().map(|cached| cached.value)
    }

    /// The logo a card shows beside the site name: the theme's for the article's host, else the
    /// site's own icon.
    pub async fn card_logo(self: &Arc<Self>, article: &Article) -> Option<Arc<Logo>> {
        match self.look.logo(article.url.host_str(), &self.photo_limits) {
            Some(logo) => Some(logo),
            None => self.site_icon(article).await,
        }
    }

    /// The site's own icon for cards whose theme names no logo: the page's icon (the largest of
    /// its `icon` and `apple-touch-icon` links), else the publisher's logo, the first that can
    /// be fetched and is large enough to show ([`Logo::site_icon`]).
    pub async fn site_icon(self: &Arc<Self>, article: &Article) -> Option<Arc<Logo>> {
        for url in [&article.favicon, &article.logo].into_iter().flatten() {
            let Ok(url) = ArticleUrl::from_url(url, self.fetcher.extra_ports()) else {
                continue;
            };
            if let Some(icon) = self.icon_at(&url).await {
                return Some(icon);
            }
        }
        None
    }

    /// The icon at `url`, fetched through the guarded pipeline and decoded once.
    async fn icon_at(self: &Arc<Self>, url: &ArticleUrl) -> Option<Arc<Logo>> {
        let weight = |icon: &Logo| icon.image.as_raw().len() + 64;
        self.image_at(Kind::Icon, url, "site icon", Logo::site_icon, weight)
            .await
    }

    /// The photo at `url`, fetched and decoded once.
    async fn photo_at(self: &Arc<Self>, url: &ArticleUrl) -> Option<Arc<Photo>> {
        let decode = |bytes: &[u8], limits: &PhotoLimits| {
            Photo::decode_for(bytes, limits, card::CARD_WIDTH, card::CARD_HEIGHT)
        };
        let weight = |photo: &Photo| photo.width() as usize * photo.height() as usize * 4;
        self.image_at(Kind::Photo, url, "lead photo", decode, weight)
            .await
    }

    /// The image at `url`, fetched through the guarded pipeline and decoded once by `decode`
    /// into a `kind`; `None` (logged as `what` not used) when it cannot be.
    async fn image_at<V: SharedValue>(
        self: &Arc<Self>,
        kind: Kind,
        url: &ArticleUrl,
        what: &'static str,
        decode: fn(&[u8], &PhotoLimits) -> Result<V, card::photo::PhotoError>,
        weight: fn(&V) -> usize,
    ) -> Option<Arc<V>> {
        let fetched: Result<Cached<V>, ServiceError> = self
            .cached(kind, url, "", None, move |this, url| async move {
                if kind == Kind::Photo {
                    this.metrics.photo_fetches.inc();
                }
                let image = this.fetch(&url, crate::fetch::Kind::Image).await?;
                let limits = this.photo_limits;
                let decoded = this.on_cpu(move || decode(&image.body, &limits)).await?;
                // An image that does not decode is as final as a 404: remember it like one.
                let value = decoded.map_err(|e| {
                    ServiceError::from(FetchError::Unavailable(Unavailable::new(
                        Reason::Undecodable,
                        format!("{what} not usable: {e}"),
                    )))
                })?;
                Ok(Fresh {
                    weight: weight(&value),
                    value,
                    origin_max_age: image.max_age.map(Duration::from_secs),
                    from_stale: false,
                })
            })
            .await;
        match fetched {
            Ok(cached) => Some(cached.value),
            Err(reason) => {
                tracing::info!(image = %loggable(url.as_str()), reason = %loggable(&reason.to_string()), "{what} not used");
                None
            }
        }
    }

    /// [`Service::cached`] for an answer that has a content version, for a request naming
    /// version `wanted` (`v`): when the answer held is of another version and `wanted` is what
    /// the article gives now, the answer held was drawn from an older article and is made
    /// again rather than served as the new one. `pick` names the answer's version among the
    /// article's, `body` finds its body.
    #[expect(
        clippy::too_many_arguments,
        reason = "the version check needs each of these and they are all of one call"
    )]
    async fn at_version<V, F, Fut>(
        self: &Arc<Self>,
        kind: Kind,
        url: &ArticleUrl,
        variant: &str,
        wanted: Option<&str>,
        pick: fn(Versions) -> String,
        body: fn(&V) -> &Body,
        compute: F,
    ) -> Result<Cached<V>, ServiceError>
    where
        V: SharedValue,
        F: FnOnce(Arc<Service>, ArticleUrl) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<Fresh<V>, ServiceError>> + Send + 'static,
    {
        let held = self
            .cached(kind, url, variant, None, compute.clone())
            .await?;
        let Some(wanted) =
            wanted.filter(|wanted| body(&held.value).version.as_deref() != Some(*wanted))
        else {
            return Ok(held);
        };
        let article = self.article(url).await?;
        if pick(self.versions(&article.value)) != wanted {
            return Ok(held);
        }
        let accept = |value: &V| body(value).version.as_deref() == Some(wanted);
        self.cached(kind, url, variant, Some(&accept), compute)
            .await
    }

    /// The encoded card of the article at `url`; `wanted` is the version the request names
    /// (`v`), if any.
    ///
    /// # Errors
    /// The article's failure; a photo failure only drops the photo.
    pub async fn card(
        self: &Arc<Self>,
        url: &ArticleUrl,
        format: Format,
        wanted: Option<&str>,
    ) -> Result<Cached<Body>, ServiceError> {
        let variant = match format {
            Format::Png => &self.card_variants[0],
            Format::Jpeg => &self.card_variants[1],
            Format::Webp => &self.card_variants[2],
        };
        let draw = move |this: Arc<Self>, url| this.draw_card(url, format);
        let version = |versions: Versions| versions.card;
        self.at_version(Kind::Card, url, variant, wanted, version, |body| body, draw)
            .await
    }

    async fn draw_card(
        self: Arc<Self>,
        url: ArticleUrl,
        format: Format,
    ) -> Result<Fresh<Body>, ServiceError> {
        let article = self.article(&url).await?;
        let photo = self.lead_photo(&article.value).await;
        if photo.is_some() {
            // Made now, while the photo is decoded here: other instances answer `/meta`
            // from the shared cache without fetching the photo.
            // Boxed: the future would nest too deep in the card's.
            Box::pin(self.placeholder(&article.value)).await;
        }
        let logo = self.card_logo(&article.value).await;
        let version = self.versions(&article.value).card;
        let service = Arc::clone(&self);
        let article_value = Arc::clone(&article.value);
        let (encoded, _) = self
            .on_cpu(move || service.draw(&article_value, photo.as_deref(), logo.as_deref(), format))
            .await?
            .map_err(|e| ServiceError::internal("encoding a card", e))?;
        Ok(derived_body(encoded, &article, Some(version)))
    }

    /// The card of `article` in `format`, drawn with this service's theme: what `/card` serves
    /// and `apercu render` writes. Timed and counted in the metrics.
    ///
    /// # Errors
    /// The encoder's failure.
    pub fn draw(
        &self,
        article: &Article,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        format: Format,
    ) -> Result<(Vec<u8>, card::Card), card::RenderError> {
        self.metrics.renders.inc();
        let started = Instant::now();
        let card = self
            .renderer
            .compose(article, photo, logo, &self.look.theme);
        self.metrics.drawn(started.elapsed());
        Ok((self.encode(&card.pixels, format)?, card))
    }

    /// Encodes pixels, timed by format.
    fn encode(
        &self,
        pixels: &image::RgbImage,
        format: Format,
    ) -> Result<Vec<u8>, card::RenderError> {
        let started = Instant::now();
        let encoded = card::encode::encode(pixels, format);
        self.metrics.encoded(format.name(), started.elapsed());
        encoded
    }

    /// What an oEmbed response or a page presents.
    fn subject<'a>(
        &'a self,
        article: &'a Article,
        url: &'a ArticleUrl,
        photo: Option<&'a Photo>,
        versions: &'a Versions,
    ) -> oembed::Subject<'a> {
        oembed::Subject {
            article,
            url,
            public_url: &self.public_url,
            photo: photo.map(|photo| (photo.width(), photo.height())),
            placeholder: photo.map(Photo::placeholder),
            icon: None,
            versions,
            keys: self.signing.keys.as_ref(),
        }
    }

    /// The oEmbed response for the article at `url`, `size` already fitted to the consumer's
    /// bounds (see [`oembed::embed_size`]).
    ///
    /// # Errors
    /// The article's failure.
    pub async fn oembed(
        self: &Arc<Self>,
        url: &ArticleUrl,
        format: OembedFormat,
        size: (u32, u32),
    ) -> Result<Cached<Body>, ServiceError> {
        let variant = self.signed_variant(&format!("{}:{}x{}", format.name(), size.0, size.1));
        self.cached(
            Kind::Oembed,
            url,
            &variant,
            None,
            move |this, url| async move {
                let article = this.article(&url).await?;
                let photo = this.lead_photo(&article.value).await;
                let versions = this.versions(&article.value);
                let subject = this.subject(&article.value, &url, photo.as_deref(), &versions);
                let response = oembed::oembed(&subject, size, article.fresh_for.as_secs());
                let bytes = match format {
                    OembedFormat::Json => oembed::to_json(&response),
                    OembedFormat::Xml => oembed::to_xml(&response),
                };
                Ok(derived_body(bytes, &article, None))
            },
        )
        .await
    }

    /// The article's lead photo as a JPEG `width` pixels across (never enlarged); `wanted` is
    /// the version the request names, if any.
    ///
    /// # Errors
    /// The article's failure, or [`ServiceError::NoLeadImage`].
    pub async fn thumbnail(
        self: &Arc<Self>,
        url: &ArticleUrl,
        width: u32,
        wanted: Option<&str>,
    ) -> Result<Cached<Body>, ServiceError> {
        let variant = width.to_string();
        let cut = move |this: Arc<Self>, url| this.cut_thumbnail(url, width);
        let version = |versions: Versions| versions.thumb;
        self.at_version(
            Kind::Thumb,
            url,
            &variant,
            wanted,
            version,
            |body| body,
            cut,
        )
        .await
    }

    async fn cut_thumbnail(
        self: Arc<Self>,
        url: ArticleUrl,
        width: u32,
    ) -> Result<Fresh<Body>, ServiceError> {
        let article = self.article(&url).await?;
        let photo = self
            .lead_photo(&article.value)
            .await
            .ok_or(ServiceError::NoLeadImage)?;
        let version = self.versions(&article.value).thumb;
        let service = Arc::clone(&self);
        let encoded = self
            .on_cpu(move || {
                let (w, h) = oembed::thumbnail_size((photo.width(), photo.height()), width);
                let pixels = card::photo::cover(&photo, w, h, 0.5);
                service.encode(&pixels, Format::Jpeg)
            })
            .await?
            .map_err(|e| ServiceError::internal("encoding a thumbnail", e))?;
        Ok(derived_body(encoded, &article, Some(version)))
    }

    /// The embed or share page of the article at `url`; `wanted` is the version the request
    /// names, if any (only the embed page has one).
    ///
    /// # Errors
    /// The article's failure.
    pub async fn page(
        self: &Arc<Self>,
        url: &ArticleUrl,
        kind: PageKind,
        wanted: Option<&str>,
    ) -> Result<Cached<HtmlPage>, ServiceError> {
        let variant = self.signed_variant(match kind {
            PageKind::Embed => "embed",
            PageKind::Share => "share",
        });
        let make = move |this: Arc<Self>, url| this.make_page(url, kind);
        // The share page has no version: the URLs in it do.
        let wanted = wanted.filter(|_| kind == PageKind::Embed);
        let version = |versions: Versions| versions.embed;
        self.at_version(
            Kind::Page,
            url,
            &variant,
            wanted,
            version,
            |page| &page.body,
            make,
        )
        .await
    }

    async fn make_page(
        self: Arc<Self>,
        url: ArticleUrl,
        kind: PageKind,
    ) -> Result<Fresh<HtmlPage>, ServiceError> {
        let article = self.article(&url).await?;
        // The share page names only our card; the embed page shows the photo.
        let photo = match kind {
            PageKind::Embed => self.lead_photo(&article.value).await,
            PageKind::Share => None,
        };
        // The footer's icon, drawn at twice its CSS size for high-density screens.
        let icon = match kind {
            PageKind::Embed => self.card_logo(&article.value).await.map(|logo| {
                let (src, width) = logo.data_url(2 * pages::ICON_HEIGHT);
                (src, width.div_ceil(2))
            }),
            PageKind::Share => None,
        };
        let versions = self.versions(&article.value);
        let mut subject = self.subject(&article.value, &url, photo.as_deref(), &versions);
        subject.icon = icon.as_ref().map(|(src, width)| (src.as_str(), *width));
        let page = match kind {
            PageKind::Embed => pages::embed_page(&subject),
            PageKind::Share => pages::share_page(&subject),
        }
        .map_err(|e| ServiceError::internal("rendering a page", e))?;
        let version = (kind == PageKind::Embed).then(|| versions.embed.clone());
        let body = derived_body(page.html.into_bytes(), &article, version);
        Ok(Fresh {
            weight: body.weight + page.content_security_policy.len(),
            value: HtmlPage {
                body: body.value,
                content_security_policy: page.content_security_policy,
            },
            origin_max_age: body.origin_max_age,
            from_stale: body.from_stale,
        })
    }
}

/// The preview debugger's report on a page, and the page's images scaled down for its previews
/// (served from here, so the debugger never makes a browser ask another site).
#[derive(Debug)]
pub struct Inspection {
    pub report: inspect::Report,
    /// By image URL: a JPEG at most [`PICTURE_WIDTH`] wide.
    pub pictures: Vec<(String, Body)>,
}

/// Reports stay with the replica that made them: they are rarely asked twice, and "fetch
/// again" is limited per replica.
impl SharedValue for Inspection {
    const SHARED: bool = false;

    fn to_shared(&self) -> Vec<u8> {
        Vec::new()
    }

    fn from_shared(_: Bytes) -> Option<Self> {
        None
    }
}

impl Inspection {
    /// Seconds since the page was fetched.
    #[must_use]
    pub fn age(&self) -> u64 {
        unix_now().saturating_sub(self.report.made_at_unix)
    }

    /// The scaled-down picture of the image at `url`, when the report measured one.
    #[must_use]
    pub fn picture(&self, url: &str) -> Option<&Body> {
        self.pictures
            .iter()
            .find(|(picture, _)| picture == url)
            .map(|(_, body)| body)
    }
}

/// The width of the pictures a report's previews show (as wide as the widest preview).
pub const PICTURE_WIDTH: u32 = 600;

/// "Fetch again" re-reads a page at most this often.
pub const REFETCH_AFTER: Duration = Duration::from_secs(60);

/// Seconds since 1970, now.
#[must_use]
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl Service {
    /// The preview debugger's report on the page at `url`. `again` asks for the page to be
    /// fetched again: it is, when the report held is older than [`REFETCH_AFTER`]; the new
    /// article then replaces the cached one (new content versions, nothing purged).
    ///
    /// # Errors
    /// The page's fetch failure.
    pub async fn report(
        self: &Arc<Self>,
        url: &ArticleUrl,
        again: bool,
    ) -> Result<Cached<Inspection>, ServiceError> {
        let recent = |held: &Inspection| {
            unix_now().saturating_sub(held.report.made_at_unix) < REFETCH_AFTER.as_secs()
        };
        let accept: Accept<'_, Inspection> = if again { Some(&recent) } else { None };
        // Boxed: a report's work (fetches, probes, renders) makes a large future.
        Box::pin(self.cached(
            Kind::Report,
            url,
            &self.signed_variant(""),
            accept,
            |this, url| async move { Box::pin(this.inspect(url)).await },
        ))
        .await
    }

    async fn inspect(self: Arc<Self>, url: ArticleUrl) -> Result<Fresh<Inspection>, ServiceError> {
        self.metrics.page_fetches.inc();
        let page = self.fetch(&url, crate::fetch::Kind::Page).await?;
        let made_at = unix_now();
        let origin_max_age = page.max_age.map(Duration::from_secs);
        let facts = inspect::PageFacts::of(&page);
        let (article, tags) = self
            .on_cpu(move || {
                let article = extract::extract_as_of(
                    &page.body,
                    page.charset.as_deref(),
                    page.url.as_url(),
                    Some(chrono::Utc::now().date_naive()),
                );
                let tags = extract::tags::scan(&page.body, page.charset.as_deref());
                (article, tags)
            })
            .await?;
        let article = self.replace_article(&url, article, origin_max_age).await?;
        let measured = inspect::images_to_measure(&facts.url, &tags, &article.value);
        let mut probes = Vec::new();
        for image in measured {
            let this = Arc::clone(&self);
            probes.push(tokio::spawn(async move { this.measure(image).await }));
        }
        let mut images = Vec::new();
        let mut pictures = Vec::new();
        for probe in probes {
            let (facts, picture) = probe
                .await
                .map_err(|e| ServiceError::internal("an image probe failed", e))?;
            if let Some(picture) = picture {
                pictures.push((facts.url.clone(), picture));
            }
            images.push(facts);
        }
        let answers = self.answers(&url, &article).await?;
        let report = inspect::report(
            url.as_str(),
            made_at,
            facts,
            (*article.value).clone(),
            tags,
            images,
            Some(answers),
        );
        let weight = serde_json::to_vec(&report).map_or(64 * 1024, |json| json.len() * 2)
            + pictures
                .iter()
                .map(|(_, body)| body.bytes.len() + BODY_OVERHEAD)
                .sum::<usize>();
        Ok(Fresh {
            value: Inspection { report, pictures },
            origin_max_age,
            weight,
            from_stale: false,
        })
    }

    /// Makes `article`, just extracted from a new fetch, the cached article of `url`, so that
    /// the report's card and answers show what the report shows.
    async fn replace_article(
        self: &Arc<Self>,
        url: &ArticleUrl,
        article: Article,
        origin_max_age: Option<Duration>,
    ) -> Result<Cached<Article>, ServiceError> {
        let weight = serde_json::to_vec(&article).map_or(4096, |json| json.len() * 2);
        let newer = Arc::new(article);
        let accept = {
            let newer = Arc::clone(&newer);
            move |held: &Article| *held == *newer
        };
        let fresh = Fresh {
            value: Arc::unwrap_or_clone(newer),
            origin_max_age,
            weight,
            from_stale: false,
        };
        self.cached(
            Kind::Article,
            url,
            "",
            Some(&accept),
            move |_, _| async move { Ok(fresh) },
        )
        .await
    }

    /// Fetches the image at `url` through the guarded fetcher, measures it, and scales it down
    /// for the previews.
    async fn measure(self: Arc<Self>, url: Url) -> (inspect::ImageFacts, Option<Body>) {
        let failed = |reason: String| {
            (
                inspect::ImageFacts {
                    url: url.to_string(),
                    found: Err(reason),
                },
                None,
            )
        };
        let target = match ArticleUrl::from_url(&url, self.fetcher.extra_ports()) {
            Ok(target) => target,
            Err(e) => return failed(inspect::why_not_fetched(&FetchError::Url(e))),
        };
        let image = match self.fetch(&target, crate::fetch::Kind::Image).await {
            Ok(image) => image,
            Err(e) => return failed(inspect::why_not_fetched(&e)),
        };
        let limits = self.photo_limits;
        let service = Arc::clone(&self);
        let measured = self
            .on_cpu(move || {
                let measured = inspect::measure(
                    &image.body,
                    image.media_type.as_deref(),
                    image.hops.len() > 1,
                )?;
                let picture = Photo::decode_for(&image.body, &limits, PICTURE_WIDTH, 1)
                    .ok()
                    .and_then(|photo| {
                        let (w, h) =
                            oembed::thumbnail_size((photo.width(), photo.height()), PICTURE_WIDTH);
                        let pixels = card::photo::cover(&photo, w, h, 0.5);
                        service.encode(&pixels, Format::Jpeg).ok()
                    })
                    .map(Body::new);
                Some((measured, picture))
            })
            .await;
        match measured {
            Ok(Some((measured, picture))) => (
                inspect::ImageFacts {
                    url: url.to_string(),
                    found: Ok(measured),
                },
                picture,
            ),
            Ok(None) => failed("its bytes do not decode as an image".to_owned()),
            Err(_) => failed("the service was too busy to measure it".to_owned()),
        }
    }

    /// Aperçu's answers for the article: the card in every format (timed), the oEmbed
    /// response, the embed and share URLs, the head snippet and the share page's tags.
    async fn answers(
        self: &Arc<Self>,
        url: &ArticleUrl,
        article: &Cached<Article>,
    ) -> Result<inspect::Answers, ServiceError> {
        let photo = self.lead_photo(&article.value).await;
        let logo = self.card_logo(&article.value).await;
        let service = Arc::clone(self);
        let (article_value, drawn_photo) = (Arc::clone(&article.value), photo.clone());
        let (draw_millis, encoded, layout) = self
            .on_cpu(move || {
                let started = Instant::now();
                let (card, layout) = service.renderer.compose_explained(
                    &article_value,
                    drawn_photo.as_deref(),
                    logo.as_deref(),
                    &service.look.theme,
                );
                let draw_millis = millis(started.elapsed());
                let encoded: Vec<_> = [Format::Jpeg, Format::Png, Format::Webp]
                    .into_iter()
                    .map(|format| {
                        let started = Instant::now();
                        let bytes = service.encode(&card.pixels, format);
                        (format, bytes, millis(started.elapsed()))
                    })
                    .collect();
                (draw_millis, encoded, layout)
            })
            .await?;
        let versions = self.versions(&article.value);
        let subject = self.subject(&article.value, url, photo.as_deref(), &versions);
        let mut cards = Vec::new();
        for (format, bytes, encode_millis) in encoded {
            let bytes = bytes.map_err(|e| ServiceError::internal("encoding a card", e))?;
            let route = format!("card.{}", format.extension());
            cards.push(inspect::CardFacts {
                format: format.extension(),
                media_type: format.media_type(),
                url: subject.service_url(&route, &[("v", versions.card.clone())]),
                bytes: bytes.len(),
                encode_millis,
            });
        }
        let size = (oembed::NATURAL_WIDTH, oembed::NATURAL_HEIGHT);
        let response = oembed::oembed(&subject, size, article.fresh_for.as_secs());
        let share = pages::share_page(&subject)
            .map_err(|e| ServiceError::internal("rendering a page", e))?;
        Ok(inspect::Answers {
            cards,
            draw_millis,
            layout,
            oembed: serde_json::from_slice(&oembed::to_json(&response))
                .unwrap_or(serde_json::Value::Null),
            oembed_url: subject.service_url("oembed", &[("format", "json".to_owned())]),
            embed_url: subject.service_url("embed", &[("v", versions.embed.clone())]),
            share_url: subject.service_url("share", &[]),
            head: pages::head_snippet(&subject),
            share_tags: extract::tags::scan(share.html.as_bytes(), Some("utf-8")),
        })
    }
}

/// A duration in milliseconds, to a tenth.
fn millis(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_failure_reads_back_as_the_same_answer_and_ours_are_not_shared() {
        let failures = [
            ServiceError::from(FetchError::NotFound(410)),
            ServiceError::from(FetchError::Timeout(Duration::from_secs(8))),
            ServiceError::from(FetchError::Url(UrlError::Port(8080))),
            ServiceError::from(FetchError::Blocked(Blocked::HostNotAllowed(
                "elsewhere.example".into(),
            ))),
            ServiceError::from(FetchError::Blocked(Blocked::Address {
                address: "10.0.0.1".parse().unwrap(),
                reason: "private",
            })),
            ServiceError::from(FetchError::Unavailable(Unavailable::new(
                Reason::WrongType,
                "text/plain\r\nX-Injected: 1".into(),
            ))),
            ServiceError::NoLeadImage,
        ];
        for failure in failures {
            let shared = failure.to_shared().unwrap();
            let back = ServiceError::from_shared(&shared).unwrap();
            let (before, after) = (
                crate::error::AppError::from(failure.clone()),
                crate::error::AppError::from(back),
            );
            assert_eq!(before.code(), after.code(), "{failure}");
            assert_eq!(
                actix_web::ResponseError::status_code(&before),
                actix_web::ResponseError::status_code(&after)
            );
        }
        for ours in [
            ServiceError::Overloaded,
            ServiceError::internal("a worker failed", std::io::Error::other("it panicked")),
            ServiceError::from(FetchError::Busy("news.example".into())),
        ] {
            assert!(ours.to_shared().is_none());
        }
        for garbage in [
            &b"{}"[..],
            b"{\"failure\":\"not-found\",\"status\":404,\"extra\":1}",
            b"{\"failure\":\"unavailable\",\"reason\":\"made-up\",\"detail\":\"x\"}",
            b"\xff",
        ] {
            assert!(ServiceError::from_shared(garbage).is_none());
        }
    }

    #[test]
    fn bodies_and_pages_read_back_whole_and_refuse_what_we_never_write() {
        let body = Body {
            version: Some("0123456789ab".into()),
            ..Body::new(b"\xff\xd8 a card".to_vec())
        };
        let back = Body::from_shared(body.to_shared().into()).unwrap();
        assert_eq!(
            (&back.bytes, &back.etag, &back.version),
            (&body.bytes, &body.etag, &body.version)
        );
        let page = HtmlPage {
            body: Body::new(b"<!doctype html><title>t</title>".to_vec()),
            content_security_policy: "default-src 'none'".into(),
        };
        let back = HtmlPage::from_shared(page.to_shared().into()).unwrap();
        assert_eq!(back.content_security_policy, page.content_security_policy);
        assert_eq!(back.body.bytes, page.body.bytes);

        let forged = |etag: &str, version: &str, bytes: &[u8]| {
            Bytes::from(fields::join(&[etag.as_bytes(), version.as_bytes(), bytes]))
        };
        for refused in [
            forged("\"short\"", "", b"x"),
            forged(&body.etag, "not hex!", b"x"),
            forged(&body.etag, "", b""),
            Bytes::from_static(b"not fields at all"),
        ] {
            assert!(Body::from_shared(refused).is_none());
        }
        let header_breaking = HtmlPage {
            content_security_policy: "default-src 'none'\r\nSet-Cookie: a=b".into(),
            ..page
        };
        assert!(HtmlPage::from_shared(header_breaking.to_shared().into()).is_none());
    }

    #[test]
    fn an_article_reads_back_equal_unless_it_breaks_what_extraction_promises() {
        let page = br#"<html lang="fr"><head><meta property="og:title" content="Le titre">
            <meta property="og:image" content="/img/a.jpg"><meta property="article:published_time"
            content="2024-04-10T08:15:00+02:00"></head><body><p>Texte.</p></body></html>"#;
        let url = Url::parse("https://news.example/a").unwrap();
        let article = extract::extract(page, None, &url);
        let shared = article.to_shared();
        assert_eq!(Article::from_shared(shared.clone().into()), Some(article));
        let text = String::from_utf8(shared).unwrap();
        for forged in [
            text.replace("https://news.example/img/a.jpg", "javascript:alert(1)"),
            text.replace("Le titre", "Le \\u202etitre"),
            text.replace("\"lang\":\"fr\"", "\"lang\":\"fr\",\"extra\":1"),
        ] {
            assert_ne!(forged, text);
            assert!(Article::from_shared(forged.into_bytes().into()).is_none());
        }
    }

    #[tokio::test]
    async fn cpu_work_past_the_queue_bound_is_turned_away_not_queued() {
        let pool = Arc::new(CpuPool::new(1, 1));
        let busy = pool.admit().await.unwrap();
        // One waits for the core…
        let waiting = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.admit().await.map(drop).is_ok() })
        };
        while pool.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // …the next is shed at once.
        assert!(matches!(pool.admit().await, Err(ServiceError::Overloaded)));
        drop(busy);
        assert!(waiting.await.unwrap());
        assert_eq!(pool.waiting.load(Ordering::SeqCst), 0);
        assert!(pool.admit().await.is_ok());
    }
}
