//! The command line (docs/api.md, "Command line"): `serve` (also with no subcommand), and `inspect`
//! and `render` on a URL (fetched through the same guarded pipeline as the service) or a saved
//! page.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use url::Url;

use crate::article_url::{ArticleUrl, UrlError};
use crate::card;
use crate::config::{CardSettings, FetchSettings, ServeSettings, SettingsError};
use crate::extract::{self, Article};
use crate::fetch::{FetchError, Fetcher, Kind, system_lookup};
use crate::inspect;
use crate::startup::{Application, StartupError};

/// Aperçu: social-share previews and embeds for news articles.
#[derive(Debug, Parser)]
#[command(
    name = "apercu",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a subcommand, the service runs with these settings.
    #[command(flatten)]
    pub serve: ServeSettings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default).
    Serve(ServeSettings),
    /// Run the service for a first try, without the internet: it prints the addresses of the
    /// preview debugger and of every answer for the bundled sample article, and the
    /// administration token (a new one, unless `APERCU_ADMIN_TOKEN` is set) for `/purge`.
    Demo(ServeSettings),
    /// Exit 0 when the service's `/healthz` answers 200 (for Docker `HEALTHCHECK`).
    Healthcheck {
        /// The URL to ask. Defaults to `/healthz` on the address the service listens on.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// The address the service listens on.
        #[arg(long, env = "APERCU_LISTEN", value_name = "ADDRESS", default_value = crate::config::DEFAULT_LISTEN)]
        listen: std::net::SocketAddr,
    },
    /// Render the card of an article to an image file (PNG, JPEG or WebP).
    Render {
        /// The article's URL, or a saved HTML file.
        target: String,
        /// The image file to write; its extension gives the format unless --format is set.
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
        /// The URL the page was saved from (as for `inspect`).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// A local file to use as the lead photo instead of fetching the page's own.
        #[arg(long, value_name = "FILE")]
        image: Option<PathBuf>,
        /// png, jpeg or webp.
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Also print why the card looks as it does, as JSON: its template, each text's size
        /// and lines, the font of every run, characters no font has.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        card: CardSettings,
        /// The `charset` the server declared for a saved page, if known.
        #[arg(long, value_name = "LABEL")]
        charset: Option<String>,
        #[command(flatten)]
        fetch: FetchSettings,
    },
    /// Check how a page will look when shared: the preview debugger's findings, each with its
    /// fix. Exit status 1 when one is an error (for a publisher's CI, on every template), 2 when
    /// the page cannot be checked.
    Check {
        /// The page's URL, or a saved HTML file.
        target: String,
        /// The URL a saved page was saved from (as for `inspect`); relative image URLs resolve
        /// against it.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// `text` (colours when a terminal), or `json`: the whole report, as `/report.json`.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Do not fetch the images the page names: their size, weight and shape are then not
        /// checked.
        #[arg(long)]
        offline: bool,
        /// The `charset` the server declared for a saved page, if known.
        #[arg(long, value_name = "LABEL")]
        charset: Option<String>,
        #[command(flatten)]
        fetch: FetchSettings,
    },
    /// Warm articles up: make their metadata, cards and oEmbed before crawlers ask. With
    /// `--server`, through that running service (`POST /warm`, with `APERCU_ADMIN_TOKEN`);
    /// without, in this process, into the shared cache (`APERCU_REDIS_URL`) the service reads.
    Warm {
        /// Article URLs.
        urls: Vec<String>,
        /// A feed (RSS, Atom, JSON Feed) whose items to warm; repeat for more.
        #[arg(long, value_name = "URL")]
        feed: Vec<String>,
        /// A sitemap (plain, news, or an index); repeat for more.
        #[arg(long, value_name = "URL")]
        sitemap: Vec<String>,
        /// Card formats to make: jpg (the default), png, webp; repeat for more.
        #[arg(long = "format", value_name = "FORMAT")]
        formats: Vec<String>,
        /// Do not make the oEmbed JSON.
        #[arg(long)]
        no_oembed: bool,
        /// The running service to warm (its address, e.g. `http://127.0.0.1:8080/`).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        #[command(flatten)]
        settings: ServeSettings,
    },
    /// Print a signed URL of the service for an article (`APERCU_SIGNING_KEYS`: the first key
    /// signs), optionally expiring.
    Sign {
        /// The article's URL.
        url: String,
        /// The route: card.jpg, card.png, card.webp, meta, oembed, oembed.json, oembed.xml,
        /// thumb, embed or share.
        #[arg(long, default_value = "card.jpg")]
        route: String,
        /// A further parameter of the route, `name=value` (`w=300` for thumb, `format=xml`);
        /// repeat for more.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// How long the URL stays valid: seconds, or a number with s, m, h or d (`30d`).
        /// Without it the URL never expires (until its key is removed).
        #[arg(long, value_name = "DURATION")]
        expires_in: Option<String>,
        /// The service's public URL.
        #[arg(
            long,
            env = "APERCU_PUBLIC_URL",
            value_name = "URL",
            default_value = "http://127.0.0.1:8080/"
        )]
        public_url: Url,
        #[command(flatten)]
        signing: crate::config::SigningSettings,
        #[command(flatten)]
        fetch: FetchSettings,
    },
    /// Print the metadata of an article as JSON (the `/meta` body).
    Inspect {
        /// The article's URL, or a saved HTML file.
        target: String,
        /// The URL the page was saved from; relative links resolve against it. Defaults to the
        /// absolute URL the page declares for itself (`<link rel=canonical>`, `og:url`).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// The `charset` the server declared for a saved page, if known.
        #[arg(long, value_name = "LABEL")]
        charset: Option<String>,
        #[command(flatten)]
        fetch: FetchSettings,
    },
}

/// How `apercu check` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

/// `apercu check`'s exit status when an error-level finding is reported.
pub const CHECK_FOUND_ERRORS: u8 = 1;
/// `apercu check`'s exit status when the page cannot be checked.
pub const CHECK_FAILED: u8 = 2;

/// What can go wrong on the command line; each is one sentence for people.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--base-url must be an absolute http or https URL, got {0:?}")]
    BadBaseUrl(String),
    #[error("{0} declares no URL of its own: give the URL it was saved from with --base-url")]
    NoBaseUrl(PathBuf),
    #[error("{path} is not an HTML page: it looks like {what}")]
    NotHtml { path: PathBuf, what: &'static str },
    #[error("{url}: {source}")]
    Fetch { url: String, source: FetchError },
    #[error("{url}: {source}")]
    Service {
        url: String,
        source: crate::service::ServiceError,
    },
    #[error("{0}")]
    Url(#[from] UrlError),
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot tell the image format of {0}: give --format png, jpeg or webp")]
    UnknownFormat(String),
    #[error("the photo {path} cannot be used: {reason}")]
    Photo { path: PathBuf, reason: String },
    #[error(transparent)]
    Render(#[from] crate::card::RenderError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// `apercu check` reported an error-level finding (already printed).
    #[error("the page has error-level findings")]
    Findings,
    #[error("{0}")]
    Warm(String),
    #[error("{0} of the URLs could not be warmed (listed above)")]
    NotWarmed(usize),
    #[error("signing needs APERCU_SIGNING_KEYS (or --signing-keys)")]
    NoKeys,
    #[error("{0}")]
    Sign(String),
    #[error("{url} is not healthy: {reason}")]
    Unhealthy { url: String, reason: String },
}

/// Parses the command line, runs the command, reports errors on stderr.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    let checking = matches!(command, Command::Check { .. });
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Findings) => ExitCode::from(CHECK_FOUND_ERRORS),
        Err(e) => {
            eprintln!("apercu: {e}");
            if checking {
                ExitCode::from(CHECK_FAILED)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Runs one command.
///
/// # Errors
/// A [`CliError`] when the input cannot be read or the arguments do not fit.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Serve(settings) => serve(&settings),
        Command::Demo(mut settings) => {
            let mut new_token = None;
            if settings.admin_token.is_none() {
                let (token, text) = crate::config::AdminToken::random();
                settings.admin_token = Some(token);
                new_token = Some(text);
            }
            demo(&settings, new_token.as_deref())
        }
        Command::Healthcheck { url, listen } => healthcheck(url, listen),
        Command::Warm {
            urls,
            feed,
            sitemap,
            formats,
            no_oembed,
            server,
            settings,
        } => {
            let request = crate::warm::Request {
                urls,
                feed,
                sitemap,
                formats,
                oembed: Some(!no_oembed),
            };
            request.plan().map_err(|e| CliError::Warm(e.to_string()))?;
            warm(&request, server.as_deref(), &settings)
        }
        Command::Sign {
            url,
            route,
            params,
            expires_in,
            public_url,
            signing,
            fetch,
        } => {
            let keys = signing.signing_keys.ok_or(CliError::NoKeys)?;
            let url = ArticleUrl::parse(&url, &fetch.guard().extra_ports())?;
            let expires = expires_in
                .as_deref()
                .map(|text| {
                    duration_seconds(text)
                        .map(|seconds| crate::service::unix_now() + seconds)
                        .ok_or_else(|| {
                            CliError::Sign(format!(
                                "--expires-in {text:?} is not a duration like 3600, 90m, 12h or 30d"
                            ))
                        })
                })
                .transpose()?;
            let mut extra = Vec::new();
            for param in &params {
                let (name, value) = param
                    .split_once('=')
                    .filter(|(name, _)| {
                        !name.is_empty() && !["url", "s", "k", "exp"].contains(name)
                    })
                    .ok_or_else(|| {
                        CliError::Sign(format!(
                            "--param {param:?} must be name=value (not url, s, k or exp)"
                        ))
                    })?;
                extra.push((name, value.to_owned()));
            }
            let mut public_url = public_url;
            if !public_url.path().ends_with('/') {
                let path = format!("{}/", public_url.path());
                public_url.set_path(&path);
            }
            let signed = crate::oembed::signed_service_url(
                &public_url,
                route.trim_start_matches('/'),
                &url,
                &extra,
                Some(&keys),
                expires,
            );
            writeln!(std::io::stdout().lock(), "{signed}")?;
            Ok(())
        }
        Command::Check {
            target,
            base_url,
            format,
            offline,
            charset,
            fetch,
        } => {
            let source = Source::new(&fetch)?;
            let report =
                source.report(&target, charset.as_deref(), base_url.as_deref(), offline)?;
            let mut out = std::io::stdout().lock();
            match format {
                CheckFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &report)
                        .map_err(std::io::Error::from)?;
                    writeln!(out)?;
                }
                CheckFormat::Text => {
                    let colour = std::io::IsTerminal::is_terminal(&out)
                        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
                    out.write_all(check_text(&report, colour).as_bytes())?;
                }
            }
            if report.has_errors() {
                Err(CliError::Findings)
            } else {
                Ok(())
            }
        }
        Command::Inspect {
            target,
            base_url,
            charset,
            fetch,
        } => {
            let source = Source::new(&fetch)?;
            let article = source.article(&target, charset.as_deref(), base_url.as_deref())?;
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &article).map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
        Command::Render {
            target,
            output,
            base_url,
            image,
            format,
            explain,
            card: card_settings,
            charset,
            fetch,
        } => {
            let format_name = format
                .or_else(|| {
                    output
                        .extension()
                        .and_then(|e| e.to_str())
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            let format = card::Format::from_name(&format_name)
                .ok_or(CliError::UnknownFormat(format_name))?;
            let request = RenderRequest {
                target: &target,
                base_url: base_url.as_deref(),
                charset: charset.as_deref(),
                image: image.as_deref(),
                format,
                explain,
            };
            let encoded = render(&request, &card_settings, &fetch)?;
            std::fs::write(&output, encoded).map_err(CliError::Write)
        }
    }
}

/// What `apercu render` was asked for.
struct RenderRequest<'a> {
    target: &'a str,
    base_url: Option<&'a str>,
    charset: Option<&'a str>,
    /// A photo file drawn instead of the article's lead photo.
    image: Option<&'a Path>,
    format: card::Format,
    /// Print the layout as JSON on stdout.
    explain: bool,
}

/// Draws a card the way the service does, with the service's own steps (article, lead photo,
/// logo or site icon, drawing, encoding) and a cache that lives as long as the command. What
/// the service would log about a photo or logo it leaves out is printed on stderr.
fn render(
    request: &RenderRequest<'_>,
    card_settings: &crate::config::CardSettings,
    fetch: &FetchSettings,
) -> Result<Vec<u8>, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    crate::logging::init_for_command();
    let service = runtime.block_on(async {
        crate::startup::command_line_service(card_settings, fetch, system_lookup())
    })?;
    let service = std::sync::Arc::new(service);
    runtime.block_on(async {
        let article = if is_url(request.target) {
            let url = service.article_url(request.target)?;
            let cached = service
                .article(&url)
                .await
                .map_err(|source| CliError::Service {
                    url: url.to_string(),
                    source,
                })?;
            cached.value
        } else {
            let path = PathBuf::from(request.target);
            std::sync::Arc::new(inspect_bytes(
                &read(&path)?,
                request.charset,
                request.base_url,
                &path,
            )?)
        };
        let photo = match request.image {
            Some(file) => Some(std::sync::Arc::new(
                card::Photo::decode_for(
                    &read(file)?,
                    &service.photo_limits,
                    card::CARD_WIDTH,
                    card::CARD_HEIGHT,
                )
                .map_err(|e| CliError::Photo {
                    path: file.to_owned(),
                    reason: e.to_string(),
                })?,
            )),
            None => service.lead_photo(&article).await,
        };
        let logo = service.card_logo(&article).await;
        if request.explain {
            let explained = service.renderer.explain(
                &article,
                photo.as_deref(),
                logo.as_deref(),
                &service.look.theme,
            );
            let json = serde_json::to_string_pretty(&explained).map_err(std::io::Error::from)?;
            writeln!(std::io::stdout().lock(), "{json}")?;
        }
        let (encoded, drawn) =
            service.draw(&article, photo.as_deref(), logo.as_deref(), request.format)?;
        if drawn.missing_glyphs > 0 {
            eprintln!(
                "apercu: {} characters have no glyph in any font and were left out",
                drawn.missing_glyphs
            );
        }
        Ok(encoded)
    })
}

/// Runs the service until it is stopped.
fn serve(settings: &ServeSettings) -> Result<(), CliError> {
    run_service(settings, |_| {})
}

/// Builds the service, says where it is (`announce` adds its own lines with the public URL),
/// and serves until it is stopped.
fn run_service(settings: &ServeSettings, announce: impl FnOnce(&Url)) -> Result<(), CliError> {
    crate::logging::init(settings);
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(settings, system_lookup())?;
        let public = app.service().public_url.clone();
        tracing::info!(
            address = %settings.listen,
            port = app.port(),
            "serving on {public} (open it in a browser for the preview debugger)"
        );
        announce(&public);
        app.run_until_stopped().await.map_err(CliError::Write)
    })
}

/// `serve`, introduced: what to open and what to run on the bundled sample article, which the
/// service answers without the network.
fn demo(settings: &ServeSettings, new_token: Option<&str>) -> Result<(), CliError> {
    run_service(settings, |public| {
        let sample: String =
            url::form_urlencoded::byte_serialize(crate::fetch::sample::ARTICLE.as_bytes())
                .collect();
        let token = new_token.unwrap_or("$APERCU_ADMIN_TOKEN");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "\nAperçu is running on {public} — everything below works without the internet.\n\n\
             The preview debugger, on the bundled sample article:\n  {public}?url={sample}\n\n\
             Its answers:\n  {public}meta?url={sample}\n  {public}card.jpg?url={sample}\n  \
             {public}oembed?url={sample}\n  {public}embed?url={sample}\n  {public}share?url={sample}\n\n\
             Purge it (administration token {token}):\n  \
             curl -X POST -H \"Authorization: Bearer {token}\" '{public}purge?url={sample}'\n\n\
             Stop with Ctrl-C.\n"
        );
    })
}

/// `apercu warm`: the job run by a service at `server`, or here; a progress bar on a terminal,
/// the summary on stdout.
fn warm(
    request: &crate::warm::Request,
    server: Option<&str>,
    settings: &ServeSettings,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg:9} [{bar:30}] {pos}/{len} articles ({per_sec}, {elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let show = |progress: &serde_json::Value| {
        bar.set_message(progress["state"].as_str().unwrap_or_default().to_owned());
        bar.set_length(progress["total"].as_u64().unwrap_or(0));
        bar.set_position(progress["done"].as_u64().unwrap_or(0));
    };
    let every = std::time::Duration::from_millis(200);
    let last = runtime.block_on(async {
        if let Some(server) = server {
                let token = settings
                    .admin_token
                    .as_ref()
                    .ok_or_else(|| CliError::Warm("--server needs APERCU_ADMIN_TOKEN".to_owned()))?;
                let base = server.trim_end_matches('/');
                let body = serde_json::to_value(request).map_err(std::io::Error::from)?;
                let ask = |url: String, body: Option<serde_json::Value>| async move {
                    crate::fetch::ask_service(&url, token.text(), body.as_ref(), std::time::Duration::from_secs(30))
                        .await
                        .map_err(|reason| CliError::Warm(format!("{url}: {reason}")))
                };
                let (status, started) = ask(format!("{base}/warm"), Some(body)).await?;
                if status != 202 {
                    return Err(CliError::Warm(format!(
                        "{base}/warm answered {status}: {}",
                        started["error"]["message"].as_str().unwrap_or("no reason given")
                    )));
                }
                let id = started["id"].as_str().unwrap_or_default().to_owned();
                loop {
                    let (_, progress) = ask(format!("{base}/warm/{id}"), None).await?;
                    show(&progress);
                    if progress["state"] == "done" {
                        return Ok(progress);
                    }
                    tokio::time::sleep(every).await;
                }
            } else {
                crate::logging::init(settings);
                if settings.shared.redis_url.is_none() {
                    eprintln!(
                        "apercu: no APERCU_REDIS_URL: what is made here is not kept for any service (give --server, or the shared cache the service reads)"
                    );
                }
                let public_url = settings.public_url(settings.listen)?;
                let service = std::sync::Arc::new(crate::startup::build_service(
                    settings,
                    system_lookup(),
                    public_url,
                    None,
                )?);
                let warmer = std::sync::Arc::new(crate::warm::Warmer::new(
                    service,
                    usize::from(settings.warm.warm_concurrency),
                ));
                let job = warmer
                    .start(request)
                    .map_err(|e| CliError::Warm(e.to_string()))?;
                loop {
                    let progress = crate::routes::progress_json(&job);
                    show(&progress);
                    if progress["state"] == "done" {
                        return Ok(progress);
                    }
                    tokio::time::sleep(every).await;
                }
        }
    })?;
    bar.finish_and_clear();
    let (done, ok) = (
        last["done"].as_u64().unwrap_or(0),
        last["ok"].as_u64().unwrap_or(0),
    );
    let seconds = last["seconds"].as_f64().unwrap_or(0.0);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "warmed {ok} of {done} articles in {seconds:.1} s ({:.1} articles/s)",
        if seconds > 0.0 {
            f64::from(u32::try_from(ok).unwrap_or(u32::MAX)) / seconds
        } else {
            0.0
        }
    )?;
    let failed: Vec<&serde_json::Value> = last["results"]
        .as_array()
        .map(|results| results.iter().filter(|r| r["ok"] == false).collect())
        .unwrap_or_default();
    for failure in &failed {
        writeln!(
            out,
            "  {} {}: {} ({})",
            failure["what"].as_str().unwrap_or_default(),
            failure["url"].as_str().unwrap_or_default(),
            failure["error"]["code"].as_str().unwrap_or_default(),
            failure["error"]["message"].as_str().unwrap_or_default()
        )?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::NotWarmed(failed.len()))
    }
}

/// Asks the service's `/healthz`; an unspecified listen address (`0.0.0.0`) is asked on
/// loopback.
fn healthcheck(url: Option<String>, listen: std::net::SocketAddr) -> Result<(), CliError> {
    let url = url.unwrap_or_else(|| {
        let mut address = listen;
        if address.ip().is_unspecified() {
            address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{address}/healthz")
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let status = runtime.block_on(crate::fetch::probe(&url, std::time::Duration::from_secs(3)));
    match status {
        Ok(200) => Ok(()),
        Ok(status) => Err(CliError::Unhealthy {
            url,
            reason: format!("it answered {status}"),
        }),
        Err(reason) => Err(CliError::Unhealthy { url, reason }),
    }
}

/// Where articles come from on the command line: the network, through the same guarded
/// pipeline as the service, or saved files.
struct Source {
    fetcher: Fetcher,
    runtime: tokio::runtime::Runtime,
}

impl Source {
    fn new(settings: &FetchSettings) -> Result<Self, CliError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(CliError::Runtime)?;
        let lookup = runtime.block_on(async { system_lookup() });
        Ok(Self {
            fetcher: Fetcher::new(settings.guard(), lookup, settings.fetch_config()),
            runtime,
        })
    }

    fn article(
        &self,
        target: &str,
        charset: Option<&str>,
        base_url: Option<&str>,
    ) -> Result<Article, CliError> {
        if !is_url(target) {
            let path = PathBuf::from(target);
            return inspect_bytes(&read(&path)?, charset, base_url, &path);
        }
        let page = self.fetch_page(target)?;
        Ok(crate::service::article_of(&page))
    }

    /// The page at `url`, through the guarded pipeline.
    fn fetch_page(&self, url: &str) -> Result<crate::fetch::Fetched, CliError> {
        let url = ArticleUrl::parse(url, self.fetcher.extra_ports())?;
        self.runtime
            .block_on(self.fetcher.fetch(&url, Kind::Page))
            .map_err(|source| CliError::Fetch {
                url: url.to_string(),
                source,
            })
    }

    /// The preview debugger's report on `target` (a URL or a saved page), without Aperçu's
    /// own answers; the images the tags name are fetched and measured unless `offline`.
    fn report(
        &self,
        target: &str,
        charset: Option<&str>,
        base_url: Option<&str>,
        offline: bool,
    ) -> Result<inspect::Report, CliError> {
        let (bytes, charset, facts) = if is_url(target) {
            let page = self.fetch_page(target)?;
            let facts = inspect::PageFacts::of(&page);
            (page.body, page.charset, facts)
        } else {
            let path = PathBuf::from(target);
            let bytes = read(&path)?;
            let article = inspect_bytes(&bytes, charset, base_url, &path)?;
            let facts = inspect::PageFacts {
                url: article.url,
                status: 200,
                hops: Vec::new(),
                bytes: bytes.len(),
                truncated: bytes.len() > extract::MAX_PAGE_BYTES,
                robots: None,
            };
            (bytes, charset.map(str::to_owned), facts)
        };
        let article = extract::extract_as_of(
            &bytes,
            charset.as_deref(),
            &facts.url,
            Some(chrono::Utc::now().date_naive()),
        );
        let tags = extract::tags::scan(&bytes, charset.as_deref());
        let images = if offline {
            Vec::new()
        } else {
            inspect::images_to_measure(&facts.url, &tags, &article)
                .into_iter()
                .map(|url| self.measure(&url))
                .collect()
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        Ok(inspect::report(
            target, now, facts, article, tags, images, None,
        ))
    }

    /// Fetches the image at `url` through the guarded pipeline and measures it.
    fn measure(&self, url: &Url) -> inspect::ImageFacts {
        let found = ArticleUrl::from_url(url, self.fetcher.extra_ports())
            .map_err(|e| inspect::why_not_fetched(&FetchError::Url(e)))
            .and_then(|target| {
                self.runtime
                    .block_on(self.fetcher.fetch(&target, Kind::Image))
                    .map_err(|e| inspect::why_not_fetched(&e))
            })
            .and_then(|image| {
                inspect::measure(
                    &image.body,
                    image.media_type.as_deref(),
                    image.hops.len() > 1,
                )
                .ok_or_else(|| "its bytes do not decode as an image".to_owned())
            });
        inspect::ImageFacts {
            url: url.to_string(),
            found,
        }
    }
}

/// `3600`, `90s`, `30m`, `12h`, `30d` in seconds.
fn duration_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last()? {
        (at, 's' | 'm' | 'h' | 'd') => (&text[..at], &text[at..]),
        _ => (text, "s"),
    };
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => 86_400,
    };
    number.parse::<u64>().ok()?.checked_mul(unit)
}

/// Whether a command's target is a URL rather than a file.
fn is_url(target: &str) -> bool {
    target.starts_with("http://") || target.starts_with("https://")
}

/// `apercu check`'s report for a terminal: each finding with its fix, what each platform
/// shows, and the count.
#[must_use]
pub fn check_text(report: &inspect::Report, colour: bool) -> String {
    use std::fmt::Write as _;
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint("1", report.page.url.as_str()));
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "  Nothing to fix: this page is shared well everywhere."
        );
    }
    for finding in &report.findings {
        let (code, name) = match finding.severity {
            inspect::Severity::Error => ("1;31", "error"),
            inspect::Severity::Warning => ("1;33", "warning"),
            inspect::Severity::Notice => ("1;34", "notice"),
        };
        let _ = writeln!(
            out,
            "  {} {}: {}",
            paint(code, &format!("{name:<7}")),
            finding.code,
            finding.message
        );
        let _ = writeln!(out, "          fix: {}", finding.fix);
    }
    let _ = writeln!(out, "\nPreviews:");
    for preview in &report.previews {
        let layout = match preview.layout {
            inspect::Layout::Large => "large image",
            inspect::Layout::Small => "small image",
            inspect::Layout::Text => "no image",
        };
        let title = preview
            .title
            .as_ref()
            .map_or_else(|| "(no title)".to_owned(), |title| title.text.clone());
        let _ = writeln!(out, "  {:<14} {:<12} {title}", preview.name, layout);
    }
    let count = |severity| report.count(severity);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        out,
        "\n{}, {}, {}",
        plural(count(inspect::Severity::Error), "error"),
        plural(count(inspect::Severity::Warning), "warning"),
        plural(count(inspect::Severity::Notice), "notice")
    );
    out
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Extracts a saved page. Without a base URL, the page's own absolute canonical URL is used.
///
/// # Errors
/// [`CliError::BadBaseUrl`] or [`CliError::NoBaseUrl`].
pub fn inspect_bytes(
    bytes: &[u8],
    charset: Option<&str>,
    base_url: Option<&str>,
    path: &Path,
) -> Result<Article, CliError> {
    let today = chrono::Utc::now().date_naive();
    if let Some(what) = extract::not_html(bytes) {
        return Err(CliError::NotHtml {
            path: path.to_owned(),
            what,
        });
    }
    if let Some(raw) = base_url {
        let url = Url::parse(raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| CliError::BadBaseUrl(raw.to_owned()))?;
        return Ok(extract::extract_as_of(bytes, charset, &url, Some(today)));
    }
    // `.invalid` is reserved (RFC 2606): a URL on it can only come from a relative link.
    let no_base_url = || CliError::NoBaseUrl(path.to_owned());
    let probe = Url::parse("http://apercu.invalid/").map_err(|_| no_base_url())?;
    let declared = extract::extract(bytes, charset, &probe)
        .canonical_url
        .filter(|u| u.host_str() != probe.host_str())
        .ok_or_else(no_base_url)?;
    Ok(extract::extract_as_of(
        bytes,
        charset,
        &declared,
        Some(today),
    ))
}
