//! Building and running the HTTP service: settings → the shared [`Service`] → an actix server
//! bound to its address (port 0 picks a free one, which the tests use).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::cache::{Cache, SharedTier};
use crate::card::Renderer;
use crate::config::{ServeSettings, SettingsError};
use crate::fetch::{Fetcher, Lookup};
use crate::metrics::Metrics;
use crate::routes;
use crate::service::{CARD_LAYOUT_VERSION, Look, Service};
use crate::warm::{Plan, Warmer};

/// How long `/readyz` says 503 before the server stops accepting connections.
pub const DRAIN_GRACE: Duration = Duration::from_secs(5);
/// How long requests in flight may take to finish once the server stops accepting.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// What a replica waits for another one's computation besides two fetch deadlines.
const WAIT_MARGIN: Duration = Duration::from_secs(2);

/// Resolves at the first SIGINT or SIGTERM (Ctrl-C elsewhere).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = interrupt.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Why the service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Shared(#[from] crate::cache::shared::SetupError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// The service the settings describe, without HTTP (the server's, or `apercu warm`'s own):
/// fonts, theme, fetcher (that never fetches `own`, the server's address), cache (with the
/// shared tier when set; call it inside the runtime that will run it), signing.
///
/// # Errors
/// A settings file cannot be used, or the shared tier cannot be set up.
pub fn build_service(
    settings: &ServeSettings,
    lookup: Arc<dyn Lookup>,
    public_url: url::Url,
    own: Option<std::net::SocketAddr>,
) -> Result<Service, StartupError> {
    let metrics = Arc::new(Metrics::new());
    let policy = settings.cache.policy();
    let cache = match settings.shared.shared(CARD_LAYOUT_VERSION) {
        None => Cache::new(policy),
        Some(shared) => {
            let tier = SharedTier::new(&shared, Arc::clone(&metrics))?;
            // A page and its photo, each up to the fetch deadline, then a render: past
            // that, the replica computing it is presumed gone.
            let wait_limit = settings.fetch.fetch_config().total_timeout * 2 + WAIT_MARGIN;
            Cache::with_shared(policy, tier, wait_limit)
        }
    };
    let mut guard = settings.fetch.guard();
    guard.own.extend(own);
    let mut service = assemble(
        &settings.card,
        &settings.fetch,
        guard,
        lookup,
        cache,
        metrics,
        public_url,
    )?;
    service.signing = settings.signing.signing()?;
    Ok(service)
}

/// The service `apercu render` draws with: the same fetcher, theme, fonts, photo and logo
/// steps as the server's, with a cache of its own that lives as long as the command.
///
/// # Errors
/// A settings file cannot be used.
pub fn command_line_service(
    card: &crate::config::CardSettings,
    fetch: &crate::config::FetchSettings,
    lookup: Arc<dyn Lookup>,
) -> Result<Service, StartupError> {
    let cache = Cache::new(crate::cache::Policy {
        fresh: std::time::Duration::from_secs(crate::config::DEFAULT_CACHE_TTL_SECS),
        stale: std::time::Duration::ZERO,
        failure: crate::config::FAILURE_TTL,
        max_bytes: crate::config::DEFAULT_CACHE_MAX_BYTES,
    });
    let metrics = Arc::new(Metrics::new());
    assemble(
        card,
        fetch,
        fetch.guard(),
        lookup,
        cache,
        metrics,
        unserved_url(),
    )
}

/// The public URL of a service that serves nothing (the command line's): a card names no URL of
/// the service; only oEmbed answers and pages do.
fn unserved_url() -> url::Url {
    url::Url::parse("http://localhost/").expect("a valid URL literal")
}

fn assemble(
    card: &crate::config::CardSettings,
    fetch: &crate::config::FetchSettings,
    guard: crate::fetch::Guard,
    lookup: Arc<dyn Lookup>,
    cache: Cache,
    metrics: Arc<Metrics>,
    public_url: url::Url,
) -> Result<Service, StartupError> {
    let (theme, theme_dir) = card.theme()?;
    let renderer = Renderer::new(card.font_book(&theme)?);
    let fetcher = Fetcher::new(guard, lookup, fetch.fetch_config());
    Ok(Service::new(
        fetcher,
        cache,
        renderer,
        Look::new(theme, theme_dir),
        fetch.photo_limits(),
        public_url,
        metrics,
    ))
}

/// A bound, not yet running, service.
pub struct Application {
    server: Server,
    port: u16,
    service: web::Data<Service>,
}

impl Application {
    /// Loads fonts and theme, binds the listener, and prepares the server.
    ///
    /// # Errors
    /// A settings file cannot be used or the address cannot be bound.
    pub fn build(settings: &ServeSettings, lookup: Arc<dyn Lookup>) -> Result<Self, StartupError> {
        let listen_error = |source| StartupError::Listen {
            address: settings.listen,
            source,
        };
        let listener = TcpListener::bind(settings.listen).map_err(listen_error)?;
        let bound = listener.local_addr().map_err(listen_error)?;
        let public_url = settings.public_url(bound)?;
        let service = build_service(settings, lookup, public_url, Some(bound))?;
        let watched = settings.warm.feeds(service.fetcher.extra_ports())?;
        let service = web::Data::new(service);
        let warmer = web::Data::new(Warmer::new(
            service.clone().into_inner(),
            usize::from(settings.warm.warm_concurrency),
        ));
        if !watched.is_empty() {
            let plan = Plan {
                formats: vec![crate::card::Format::Jpeg],
                oembed: true,
            };
            let interval = Duration::from_secs(settings.warm.warm_interval);
            tokio::spawn(warmer.clone().into_inner().watch(watched, interval, plan));
        }
        let port = bound.port();
        let shared = service.clone();
        let limiter = std::num::NonZeroU32::new(settings.rate_limit)
            .map(|per_minute| web::Data::new(routes::ClientLimiter::per_minute(per_minute)));
        let proxies = web::Data::new(routes::TrustedProxies::new(
            settings.trusted_proxies.clone(),
        ));
        let admin_token = settings.admin_token.clone().map(web::Data::new);
        let cdn = web::Data::new(routes::CdnPolicy {
            max_age: settings.cdn_max_age,
        });
        let server = HttpServer::new(move || {
            let mut app = App::new()
                .app_data(shared.clone())
                .app_data(warmer.clone())
                .app_data(proxies.clone())
                .app_data(cdn.clone());
            if let Some(limiter) = &limiter {
                app = app.app_data(limiter.clone());
            }
            if let Some(token) = &admin_token {
                app = app.app_data(token.clone());
            }
            let purge = admin_token.is_some();
            app.wrap(from_fn(routes::limit_clients))
                .wrap(from_fn(routes::refuse_loops))
                .wrap(from_fn(routes::observe))
                .configure(|config| routes::configure(config, purge))
        })
        .workers(settings.workers.map_or_else(
            || std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            usize::from,
        ))
        .listen(listener)
        .map_err(listen_error)?
        // Stopping is ours: first drain (`/readyz` 503), then stop gracefully.
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_TIMEOUT.as_secs())
        .run();
        Ok(Application {
            server,
            port,
            service,
        })
    }

    /// The port actually bound.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state, for tests that count what the service did.
    #[must_use]
    pub fn service(&self) -> Arc<Service> {
        self.service.clone().into_inner()
    }

    /// Serves until the process is asked to stop (SIGINT or SIGTERM). Then `/readyz` answers
    /// 503 for [`DRAIN_GRACE`] while everything else is still served, so a load balancer takes
    /// the instance out of rotation; then the server stops accepting and finishes the requests
    /// in flight (at most [`SHUTDOWN_TIMEOUT`]).
    ///
    /// # Errors
    /// The server failed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let service = self.service.clone();
        actix_web::rt::spawn(async move {
            stop_signal().await;
            tracing::info!(grace = ?DRAIN_GRACE, "stopping: draining");
            service.begin_draining();
            actix_web::rt::time::sleep(DRAIN_GRACE).await;
            handle.stop(true).await;
        });
        self.server.await
    }
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}
