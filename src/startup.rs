//! Building and running the HTTP service: settings → the shared [`Service`] → an actix server
//! bound to its address (port 0 picks a free one, which the tests use).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};

use crate::cache::Cache;
use crate::card::Renderer;
use crate::config::{ServeSettings, SettingsError};
use crate::fetch::{Fetcher, Lookup};
use crate::routes;
use crate::service::{Look, Service};

/// Why the service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
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
        let (theme, theme_dir) = settings.card.theme()?;
        let listen_error = |source| StartupError::Listen {
            address: settings.listen,
            source,
        };
        let listener = TcpListener::bind(settings.listen).map_err(listen_error)?;
        let bound = listener.local_addr().map_err(listen_error)?;
        let public_url = settings.public_url(bound)?;
        let renderer = Renderer::new(settings.card.font_book()?);
        let fetcher = Fetcher::new(
            settings.fetch.guard(),
            lookup,
            settings.fetch.fetch_config(),
        );
        let service = web::Data::new(Service::new(
            fetcher,
            Cache::new(settings.cache.policy()),
            renderer,
            Look::new(theme, theme_dir),
            settings.fetch.photo_limits(),
            public_url,
        ));
        let port = bound.port();
        let shared = service.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .configure(routes::configure)
        })
        .listen(listener)
        .map_err(listen_error)?
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

    /// Serves until the process is asked to stop (SIGINT/SIGTERM), draining open requests.
    ///
    /// # Errors
    /// The server failed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
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
