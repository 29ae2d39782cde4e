//! Settings (the README's "Configuration"): each a flag and an `APERCU_*` variable, validated when
//! the command line is parsed, with the defaults the README lists. Grouped by what uses them:
//! fetching, cards, the cache, and the service itself.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use sha2::Digest as _;
use url::Url;

use crate::signing::{Keys, Mode, Signing};

use crate::cache::{Policy, SharedSettings};
use crate::card::{FontBook, PhotoLimits, RenderError, Theme};
use crate::fetch::{AllowedHosts, Exemption, FetchConfig, Guard};

/// Seconds one origin fetch may take by default, redirects included.
pub const DEFAULT_FETCH_TIMEOUT_SECS: u64 = 8;
pub const DEFAULT_MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
pub const DEFAULT_MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 40_000_000;
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 256 * 1024 * 1024;
pub const DEFAULT_CACHE_TTL_SECS: u64 = 3600;
pub const DEFAULT_STALE_TTL_SECS: u64 = 86_400;
/// How long a failed fetch is remembered (docs/security.md §2.2: 30–60 s).
pub const FAILURE_TTL: Duration = Duration::from_secs(30);

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("APERCU_PUBLIC_URL must be an absolute http or https URL without query or fragment")]
    PublicUrl,
    #[error("APERCU_FONTS_DIR: {0} has no font files (.ttf, .otf, .ttc, .otc)")]
    NoFonts(PathBuf),
    #[error("APERCU_SIGNATURES=required needs APERCU_SIGNING_KEYS")]
    NoSigningKeys,
    #[error("APERCU_WARM_FEEDS: {0}")]
    WarmFeed(String),
}

/// Warm-up.
#[derive(Debug, Clone, Args)]
pub struct WarmSettings {
    /// Feeds and sitemaps to watch, comma-separated: read now and every
    /// `APERCU_WARM_INTERVAL`, their new items warmed (once for all replicas sharing a cache).
    #[arg(
        long,
        env = "APERCU_WARM_FEEDS",
        value_name = "URLS",
        value_delimiter = ','
    )]
    pub warm_feeds: Vec<String>,
    /// Seconds between two readings of the watched feeds.
    #[arg(long, env = "APERCU_WARM_INTERVAL", value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub warm_interval: u64,
    /// Articles warm-up makes at once, all jobs and the watcher together.
    #[arg(long, env = "APERCU_WARM_CONCURRENCY", value_name = "ARTICLES", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub warm_concurrency: u16,
}

impl WarmSettings {
    /// The watched feeds, each checked as a URL the fetcher may be asked for.
    ///
    /// # Errors
    /// [`SettingsError::WarmFeed`].
    pub fn feeds(&self, extra_ports: &[u16]) -> Result<Vec<String>, SettingsError> {
        self.warm_feeds
            .iter()
            .map(|feed| feed.trim())
            .filter(|feed| !feed.is_empty())
            .map(|feed| {
                crate::article_url::ArticleUrl::parse(feed, extra_ports)
                    .map(|url| url.as_str().to_owned())
                    .map_err(|e| SettingsError::WarmFeed(format!("{feed:?}: {e}")))
            })
            .collect()
    }
}

/// Signed URLs.
#[derive(Debug, Clone, Args)]
pub struct SigningSettings {
    /// Keys that sign the URLs the service emits and check requests: `id:secret` pairs,
    /// comma-separated, each secret hex or base64 of at least 32 bytes. The first signs, all
    /// are accepted (add the new key first, remove the old one later).
    #[arg(long, env = "APERCU_SIGNING_KEYS", value_name = "KEYS", hide_env_values = true,
          value_parser = Secret(|raw| Keys::parse(raw).map_err(|e| e.to_string())))]
    pub signing_keys: Option<Keys>,
    /// `off` (requests are not checked) or `required` (every article route needs a valid
    /// signature, `s` and `k`, and the debugger needs the administration token).
    #[arg(long, env = "APERCU_SIGNATURES", value_name = "MODE", value_enum,
          default_value_t = Mode::Off)]
    pub signatures: Mode,
}

impl SigningSettings {
    /// The service's signing.
    ///
    /// # Errors
    /// [`SettingsError::NoSigningKeys`] when signatures are required without keys.
    pub fn signing(&self) -> Result<Signing, SettingsError> {
        if self.signatures == Mode::Required && self.signing_keys.is_none() {
            return Err(SettingsError::NoSigningKeys);
        }
        Ok(Signing {
            keys: self.signing_keys.clone(),
            mode: self.signatures,
        })
    }
}

/// How cards look: the theme and where to find fonts for scripts the bundled ones lack.
#[derive(Debug, Clone, Args)]
pub struct CardSettings {
    /// A card theme (TOML) laid over the built-in one.
    #[arg(long, env = "APERCU_THEME", value_name = "FILE")]
    pub theme: Option<PathBuf>,
    /// Extra font folders for characters the bundled fonts lack (CJK, emoji), searched before
    /// the system font folders; several separated by `:`.
    #[arg(
        long,
        env = "APERCU_FONTS_DIR",
        value_name = "DIRS",
        value_delimiter = ':'
    )]
    pub fonts_dir: Vec<PathBuf>,
}

impl CardSettings {
    /// The theme, and the folder its relative paths (logos) start from.
    ///
    /// # Errors
    /// The theme file cannot be read or is not a valid theme.
    pub fn theme(&self) -> Result<(Theme, PathBuf), SettingsError> {
        let Some(file) = &self.theme else {
            return Ok((Theme::default(), PathBuf::new()));
        };
        let bytes = std::fs::read(file).map_err(|source| SettingsError::Read {
            path: file.clone(),
            source,
        })?;
        let theme = Theme::from_toml(&String::from_utf8_lossy(&bytes))?;
        Ok((
            theme,
            file.parent().map(Path::to_path_buf).unwrap_or_default(),
        ))
    }

    /// The bundled fonts, then the extra folders, then the system's: the faces a card may be
    /// drawn with, `theme`'s families always among them.
    ///
    /// # Errors
    /// The bundled fonts cannot be loaded, or a folder of `APERCU_FONTS_DIR` has no fonts.
    pub fn font_book(&self, theme: &Theme) -> Result<FontBook, SettingsError> {
        // A folder the operator named and that gives nothing is a mistake worth stopping for:
        // cards would quietly lose the scripts it was meant to provide.
        if let Some(empty) = self
            .fonts_dir
            .iter()
            .find(|dir| !crate::card::fonts::has_font_files(dir))
        {
            return Err(SettingsError::NoFonts(empty.clone()));
        }
        let mut dirs = self.fonts_dir.clone();
        dirs.extend(
            crate::card::fonts::SYSTEM_FONT_DIRS
                .iter()
                .map(PathBuf::from),
        );
        let families = theme.families();
        let families: Vec<&str> = families.iter().map(String::as_str).collect();
        Ok(FontBook::with_dirs_keeping(&dirs, &families)?)
    }
}

/// How long results are kept and how much memory they may take.
#[derive(Debug, Clone, Args)]
pub struct CacheSettings {
    /// Memory bound of all caches together, in bytes.
    #[arg(long, env = "APERCU_CACHE_MAX_BYTES", value_name = "BYTES", default_value_t = DEFAULT_CACHE_MAX_BYTES,
          value_parser = clap::value_parser!(u64).range(1024 * 1024..))]
    pub cache_max_bytes: u64,
    /// Seconds a result stays fresh when the origin says nothing (its `max-age` is honoured
    /// between 5 minutes and a day).
    #[arg(long, env = "APERCU_CACHE_TTL", value_name = "SECONDS", default_value_t = DEFAULT_CACHE_TTL_SECS,
          value_parser = clap::value_parser!(u64).range(0..=7 * 86_400))]
    pub cache_ttl: u64,
    /// Seconds a stale result may still be served: at once while it is refreshed in the
    /// background, and for as long as refreshes fail.
    #[arg(long, env = "APERCU_STALE_TTL", value_name = "SECONDS", default_value_t = DEFAULT_STALE_TTL_SECS,
          value_parser = clap::value_parser!(u64).range(0..=30 * 86_400))]
    pub stale_ttl: u64,
}

impl CacheSettings {
    #[must_use]
    pub fn policy(&self) -> Policy {
        Policy {
            fresh: Duration::from_secs(self.cache_ttl),
            stale: Duration::from_secs(self.stale_ttl),
            failure: FAILURE_TTL,
            max_bytes: self.cache_max_bytes,
        }
    }
}

/// The tier shared by several instances of the service (Redis).
#[derive(Debug, Clone, Args)]
pub struct SharedCacheSettings {
    /// Redis shared by every instance (`redis://[:password@]host[:port][/db]`, or `rediss://`
    /// for TLS): articles, cards and the rest are computed once for all of them, and purges
    /// reach all of them. Unset: this process's own cache only.
    #[arg(long, env = "APERCU_REDIS_URL", value_name = "URL", hide_env_values = true,
          value_parser = Secret(RedisUrl::parse))]
    pub redis_url: Option<RedisUrl>,
    /// Put before every key and channel, so several deployments can share one Redis.
    #[arg(long, env = "APERCU_REDIS_PREFIX", value_name = "PREFIX", default_value = "apercu:",
          value_parser = redis_prefix)]
    pub redis_prefix: String,
    /// Milliseconds one Redis call may take before the instance goes on without it.
    #[arg(long, env = "APERCU_REDIS_TIMEOUT_MS", value_name = "MILLISECONDS", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub redis_timeout_ms: u64,
    /// Entries larger than this (encoded) stay in each instance's own cache.
    #[arg(long, env = "APERCU_REDIS_MAX_VALUE_BYTES", value_name = "BYTES", default_value_t = DEFAULT_REDIS_MAX_VALUE_BYTES,
          value_parser = bytes_between::<{ 64 * 1024 }, { 64 * 1024 * 1024 }>)]
    pub redis_max_value_bytes: usize,
}

pub const DEFAULT_REDIS_MAX_VALUE_BYTES: usize = 2 * 1024 * 1024;

impl SharedCacheSettings {
    /// The shared tier's settings, when one is configured; `layout` is the card layout
    /// version (entries of another are ignored).
    #[must_use]
    pub fn shared(&self, layout: u32) -> Option<SharedSettings> {
        let url = self.redis_url.as_ref()?;
        Some(SharedSettings {
            url: url.0.clone(),
            prefix: self.redis_prefix.clone(),
            timeout: Duration::from_millis(self.redis_timeout_ms),
            max_value_bytes: self.redis_max_value_bytes,
            layout,
        })
    }
}

/// The parser of a setting that holds a secret: clap's own errors quote the value they refuse,
/// these say only why.
#[derive(Clone, Copy)]
struct Secret<T>(fn(&str) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> clap::builder::TypedValueParser for Secret<T> {
    type Value = T;

    fn parse_ref(
        &self,
        command: &clap::Command,
        argument: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let name = argument.map(ToString::to_string).unwrap_or_default();
        let refuse = |reason: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for '{name}' (not shown: it is a secret): {reason}\n"),
            )
            .with_cmd(command)
        };
        let value = value.to_str().ok_or_else(|| refuse("not UTF-8"))?;
        (self.0)(value).map_err(|reason| refuse(&reason))
    }
}

/// A Redis URL. It may hold a password, so it is never printed.
#[derive(Clone)]
pub struct RedisUrl(String);

impl RedisUrl {
    fn parse(raw: &str) -> Result<Self, String> {
        let url = Url::parse(raw.trim()).map_err(|_| "not a URL".to_owned())?;
        if !matches!(url.scheme(), "redis" | "rediss") || url.host().is_none() {
            return Err("must be a redis:// or rediss:// URL with a host".to_owned());
        }
        crate::cache::shared::check_url(raw.trim())?;
        Ok(RedisUrl(raw.trim().to_owned()))
    }
}

impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisUrl(…)")
    }
}

/// A key prefix: printable, without the braces Redis reads as a hash tag, at most 64 bytes.
fn redis_prefix(raw: &str) -> Result<String, String> {
    let fine = raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'{' && b != b'}');
    if fine {
        Ok(raw.to_owned())
    } else {
        Err("must be at most 64 printable ASCII characters, without spaces or braces".to_owned())
    }
}

/// The service's own settings.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address to bind (the Docker image sets `0.0.0.0:8080`).
    #[arg(long, env = "APERCU_LISTEN", value_name = "ADDRESS", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Absolute base of every URL the service emits; never taken from the request's `Host`.
    /// Defaults to `http://<bound address>/`.
    #[arg(long, env = "APERCU_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<Url>,
    /// Log filter (`info`, `debug`, `apercu=debug,actix_web=warn`…).
    #[arg(
        long,
        env = "APERCU_LOG",
        value_name = "FILTER",
        default_value = "info"
    )]
    pub log: String,
    /// `text` or `json` (one JSON object per line).
    #[arg(long, env = "APERCU_LOG_FORMAT", value_name = "FORMAT", default_value = "text",
          value_parser = ["text", "json"])]
    pub log_format: String,
    /// Requests a minute one client address may make (an IPv6 /64 counts as one address),
    /// with as many at once; 0 turns the limit off. Behind a reverse proxy every request comes
    /// from the proxy: limit there instead.
    #[arg(
        long,
        env = "APERCU_RATE_LIMIT",
        value_name = "REQUESTS",
        default_value_t = 0
    )]
    pub rate_limit: u32,
    /// Proxies whose `X-Forwarded-For` is believed: addresses or CIDR networks, comma-separated.
    /// A request from one of them is counted (rate limit, logs) as coming from the last address
    /// in that header that is not itself a trusted proxy; from anyone else the header is
    /// ignored.
    #[arg(long, env = "APERCU_TRUSTED_PROXIES", value_name = "NETWORKS", value_delimiter = ',',
          value_parser = network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Bearer token of `POST /purge` (at least 16 characters); without one that route does not
    /// exist.
    #[arg(long, env = "APERCU_ADMIN_TOKEN", value_name = "TOKEN", hide_env_values = true,
          value_parser = Secret(AdminToken::parse))]
    pub admin_token: Option<AdminToken>,
    /// Threads answering HTTP (each runs many connections; drawing and encoding run on their
    /// own threads, one per core). Default: one per core.
    #[arg(long, env = "APERCU_WORKERS", value_name = "THREADS",
          value_parser = clap::value_parser!(u16).range(1..=512))]
    pub workers: Option<u16>,
    /// Seconds a CDN in front may keep an answer (said with `s-maxage` and
    /// `CDN-Cache-Control`); unset, CDNs follow `Cache-Control`. Purge them by the article's tag.
    #[arg(long, env = "APERCU_CDN_MAX_AGE", value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(0..=31_536_000))]
    pub cdn_max_age: Option<u64>,
    #[command(flatten)]
    pub signing: SigningSettings,
    #[command(flatten)]
    pub warm: WarmSettings,
    #[command(flatten)]
    pub cache: CacheSettings,
    #[command(flatten)]
    pub shared: SharedCacheSettings,
    #[command(flatten)]
    pub fetch: FetchSettings,
    #[command(flatten)]
    pub card: CardSettings,
}

impl ServeSettings {
    /// The public base URL, checked: absolute http(s), no query or fragment, ending in `/`.
    /// Without `APERCU_PUBLIC_URL`, the address actually `bound` (port 0 resolved).
    ///
    /// # Errors
    /// [`SettingsError::PublicUrl`].
    pub fn public_url(&self, bound: SocketAddr) -> Result<Url, SettingsError> {
        let mut url = match &self.public_url {
            Some(url) => url.clone(),
            None => {
                Url::parse(&format!("http://{bound}/")).map_err(|_| SettingsError::PublicUrl)?
            }
        };
        if !matches!(url.scheme(), "http" | "https")
            || url.host().is_none()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(SettingsError::PublicUrl);
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(url)
    }
}

/// An address (one host) or a CIDR network.
fn network(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is neither an IP address nor a CIDR network"))
}

/// The administration token. Compared through digests, so the time a comparison takes says
/// nothing about how much of a guess was right; never printed.
#[derive(Clone)]
pub struct AdminToken {
    digest: sha2::digest::Output<sha2::Sha256>,
    /// The token itself, for the commands that present it to a running service.
    text: std::sync::Arc<str>,
}

impl AdminToken {
    const MIN_LENGTH: usize = 16;

    /// A new random token (128 bits from the process's random hasher keys, as hex), and its
    /// text to show once.
    #[must_use]
    pub fn random() -> (Self, String) {
        use std::hash::{BuildHasher, RandomState};
        let (high, low) = (
            RandomState::new().hash_one(0u8),
            RandomState::new().hash_one(1u8),
        );
        let text = format!("{high:016x}{low:016x}");
        (AdminToken::of(&text), text)
    }

    fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() < Self::MIN_LENGTH || raw.chars().any(char::is_whitespace) {
            return Err(format!(
                "must be at least {} characters, without spaces",
                Self::MIN_LENGTH
            ));
        }
        Ok(AdminToken::of(raw))
    }

    fn of(text: &str) -> Self {
        AdminToken {
            digest: sha2::Sha256::digest(text.as_bytes()),
            text: text.into(),
        }
    }

    /// The token, to present it (`apercu warm --server`).
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `presented` is the token.
    #[must_use]
    pub fn matches(&self, presented: &str) -> bool {
        sha2::Sha256::digest(presented.as_bytes()) == self.digest
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

/// What may be fetched, and how much of it.
#[derive(Debug, Clone, Args)]
pub struct FetchSettings {
    /// Article hosts that may be fetched: `*` for any public host, or comma-separated names and
    /// `*.example.com` patterns (sub-domains only).
    #[arg(
        long,
        env = "APERCU_ALLOWED_HOSTS",
        value_name = "HOSTS",
        default_value = "*"
    )]
    pub allowed_hosts: AllowedHosts,
    /// Exact `IP:port` entries or CIDR networks exempted from the blocked-address rules (tests,
    /// private deployments); cloud metadata addresses stay blocked. Comma-separated.
    #[arg(
        long,
        env = "APERCU_ALLOW_ADDRESSES",
        value_name = "ADDRESSES",
        value_delimiter = ','
    )]
    pub allow_addresses: Vec<Exemption>,
    /// Seconds one origin fetch may take, redirects and body included.
    #[arg(long, env = "APERCU_FETCH_TIMEOUT", value_name = "SECONDS", default_value_t = DEFAULT_FETCH_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    pub fetch_timeout: u64,
    /// Decoded bytes of a page read at most (the rest is not read).
    #[arg(long, env = "APERCU_MAX_HTML_BYTES", value_name = "BYTES", default_value_t = DEFAULT_MAX_HTML_BYTES,
          value_parser = bytes_between::<{ 16 * 1024 }, { 64 * 1024 * 1024 }>)]
    pub max_html_bytes: usize,
    /// Decoded bytes of a lead image read at most (a larger image is not used).
    #[arg(long, env = "APERCU_MAX_IMAGE_BYTES", value_name = "BYTES", default_value_t = DEFAULT_MAX_IMAGE_BYTES,
          value_parser = bytes_between::<{ 16 * 1024 }, { 256 * 1024 * 1024 }>)]
    pub max_image_bytes: usize,
    /// Width × height of a lead image decoded at most.
    #[arg(long, env = "APERCU_MAX_IMAGE_PIXELS", value_name = "PIXELS", default_value_t = DEFAULT_MAX_IMAGE_PIXELS,
          value_parser = clap::value_parser!(u64).range(10_000..=400_000_000))]
    pub max_image_pixels: u64,
}

fn bytes_between<const MIN: usize, const MAX: usize>(raw: &str) -> Result<usize, String> {
    let n: usize = raw
        .trim()
        .parse()
        .map_err(|_| format!("{raw:?} is not a number of bytes"))?;
    if (MIN..=MAX).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be between {MIN} and {MAX} bytes"))
    }
}

impl FetchSettings {
    #[must_use]
    pub fn guard(&self) -> Guard {
        Guard {
            hosts: self.allowed_hosts.clone(),
            exemptions: self.allow_addresses.clone(),
            own: Vec::new(),
        }
    }

    #[must_use]
    pub fn fetch_config(&self) -> FetchConfig {
        FetchConfig {
            total_timeout: Duration::from_secs(self.fetch_timeout),
            max_html_bytes: self.max_html_bytes,
            max_image_bytes: self.max_image_bytes,
            ..FetchConfig::default()
        }
    }

    #[must_use]
    pub fn photo_limits(&self) -> PhotoLimits {
        PhotoLimits {
            max_pixels: self.max_image_pixels,
            ..PhotoLimits::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_urls_are_redis_or_rediss_and_never_printed() {
        for good in [
            "redis://127.0.0.1:6379/0",
            "redis://:secret-password@redis.internal/",
            "rediss://cache.example.com:6380/",
        ] {
            let url = RedisUrl::parse(good).unwrap();
            assert!(!format!("{url:?}").contains("secret"));
        }
        for bad in [
            "http://redis/",
            "redis:",
            "not a url",
            "unix:///tmp/redis.sock",
        ] {
            assert!(RedisUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_refused_secret_is_not_quoted_in_the_error() {
        use clap::Parser as _;
        for (flag, secret) in [
            ("--redis-url", "http://:hunter2@redis/"),
            ("--admin-token", "hunter2 short"),
        ] {
            let error = crate::cli::Cli::try_parse_from(["apercu", "serve", flag, secret])
                .unwrap_err()
                .to_string();
            assert!(!error.contains("hunter2"), "{error}");
            assert!(error.contains(flag), "{error}");
        }
    }

    #[test]
    fn a_redis_prefix_cannot_carry_a_hash_tag_or_spaces() {
        assert_eq!(redis_prefix("apercu:").unwrap(), "apercu:");
        assert_eq!(redis_prefix("").unwrap(), "");
        for bad in ["a{b}", "with space", "é", &"x".repeat(65)] {
            assert!(redis_prefix(bad).is_err(), "{bad}");
        }
    }
}
