//! The HTTP layer (docs/api.md): the route table, the query parameters, and the caching
//! headers every successful answer carries. Handlers translate requests into [`Service`] calls and
//! back; only this module, `error` and `startup` know actix.

mod card;
mod client;
mod debugger;
mod health;
mod limit;
mod meta;
mod observe;
mod oembed;
mod page;
mod purge;
mod thumb;
mod warm;

use std::borrow::Cow;

use actix_web::http::Method;
use actix_web::http::header::{
    self, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, ETAG, HeaderName, HeaderValue, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

pub use client::TrustedProxies;
pub use limit::{ClientLimiter, limit_clients};
pub use observe::observe;
pub use warm::progress_json;

use crate::article_url::ArticleUrl;
use crate::cache::{Cached, Status};
use crate::error::AppError;
use crate::oembed::OembedFormat;
use crate::service::{Body, PageKind, Service};

/// How long a stale answer (served because the origin failed) may be kept downstream.
const STALE_MAX_AGE: u64 = 60;

/// How long an answer to a URL naming its current content version (`v`) may be kept: a year,
/// the longest `max-age` caches are asked to honour.
const IMMUTABLE_MAX_AGE: u64 = 31_536_000;

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");
const CACHE_TAG: HeaderName = HeaderName::from_static("cache-tag");
const CDN_CACHE_CONTROL: HeaderName = HeaderName::from_static("cdn-cache-control");

/// How long a CDN in front may keep answers (`APERCU_CDN_MAX_AGE`): said with `s-maxage` and
/// `CDN-Cache-Control`; `None` says nothing to CDNs beyond `Cache-Control`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CdnPolicy {
    pub max_age: Option<u64>,
}

/// The `GET`/`HEAD` routes of docs/api.md.
const ROUTES: [(&str, Handler); 17] = [
    ("/", Handler::Debugger(debugger::As::Negotiated)),
    ("/favicon.svg", Handler::Favicon),
    ("/report.json", Handler::Debugger(debugger::As::Json)),
    ("/debug/image", Handler::DebugImage),
    ("/healthz", Handler::Healthz),
    ("/readyz", Handler::Readyz),
    ("/metrics", Handler::Metrics),
    ("/meta", Handler::Meta),
    ("/card.png", Handler::Card(crate::card::Format::Png)),
    ("/card.jpg", Handler::Card(crate::card::Format::Jpeg)),
    ("/card.webp", Handler::Card(crate::card::Format::Webp)),
    ("/oembed", Handler::Oembed(None)),
    ("/oembed.json", Handler::Oembed(Some(OembedFormat::Json))),
    ("/oembed.xml", Handler::Oembed(Some(OembedFormat::Xml))),
    ("/thumb", Handler::Thumb),
    ("/embed", Handler::Page(PageKind::Embed)),
    ("/share", Handler::Page(PageKind::Share)),
];

/// The route table, in one place; `/purge` and `/warm` only when an administration token is
/// set.
pub fn configure(config: &mut web::ServiceConfig, purge: bool) {
    if purge {
        let method_not_allowed =
            || async { Err::<HttpResponse, _>(AppError::method_not_allowed()) };
        config.service(
            web::resource("/warm")
                .route(web::post().to(warm::start))
                .default_service(web::to(|| async {
                    Err::<HttpResponse, _>(AppError::post_only())
                })),
        );
        config.service(
            web::resource("/warm/{id}")
                .route(web::get().to(warm::status))
                .route(web::head().to(warm::status))
                .default_service(web::to(method_not_allowed)),
        );
        config.service(
            web::resource("/purge")
                .app_data(web::Data::new(Handler::Purge))
                .route(web::post().to(dispatch))
                .default_service(web::to(|| async {
                    Err::<HttpResponse, _>(AppError::post_only())
                })),
        );
    }
    for (path, handler) in ROUTES {
        let mut resource = web::resource(path);
        if path == "/" {
            // The debugger's form, when it carries the administration token.
            resource = resource.route(web::post().to(debugger_form));
        }
        config.service(
            resource
                .app_data(web::Data::new(handler))
                .route(web::get().to(dispatch))
                .route(web::head().to(dispatch))
                .route(web::method(Method::OPTIONS).to(preflight))
                .default_service(web::to(|| async {
                    Err::<HttpResponse, _>(AppError::method_not_allowed())
                })),
        );
    }
    config.default_service(web::to(|| async {
        Err::<HttpResponse, _>(AppError::not_found())
    }));
}

/// Which handler a resource runs; `GET` and `HEAD` share it (actix drops the body of a `HEAD`
/// answer and keeps its headers).
#[derive(Debug, Clone, Copy)]
enum Handler {
    Healthz,
    Readyz,
    Metrics,
    Meta,
    Card(crate::card::Format),
    Oembed(Option<OembedFormat>),
    Thumb,
    Page(PageKind),
    Debugger(debugger::As),
    DebugImage,
    Favicon,
    Purge,
}

async fn dispatch(
    request: HttpRequest,
    handler: web::Data<Handler>,
    service: web::Data<Service>,
) -> Result<HttpResponse, AppError> {
    let service = service.into_inner();
    if service.signing.required()
        && let Some(route) = handler.signed_route()
    {
        let expires = check_signature(&request, &service, route)?;
        if let Some(at) = expires {
            request.extensions_mut().insert(SignedUntil(at));
        }
    }
    let mut answer = match **handler {
        Handler::Healthz => Ok(health::healthz()),
        Handler::Readyz => Ok(health::readyz(&service)),
        Handler::Metrics => Ok(health::metrics(&service).await),
        Handler::Meta => meta::meta(&request, &service).await,
        Handler::Card(format) => card::card(&request, &service, format).await,
        Handler::Oembed(format) => oembed::oembed(&request, &service, format).await,
        Handler::Thumb => thumb::thumb(&request, &service).await,
        Handler::Page(kind) => Ok(page::page(&request, &service, kind).await),
        Handler::Debugger(asked) => Ok(debugger::debugger(&request, &service, asked, None).await),
        Handler::DebugImage => debugger::image(&request, &service).await,
        Handler::Favicon => Ok(debugger::favicon()),
        Handler::Purge => purge::purge(&request, &service).await,
    };
    if handler.allows_any_origin()
        && let Ok(response) = &mut answer
    {
        response
            .headers_mut()
            .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    answer
}

/// `POST /`: the debugger's form sent with the administration token (signatures required).
async fn debugger_form(
    request: HttpRequest,
    form: web::Bytes,
    service: web::Data<Service>,
) -> HttpResponse {
    let service = service.into_inner();
    debugger::debugger(&request, &service, debugger::As::Negotiated, Some(&form)).await
}

/// `OPTIONS`: what the route allows, and for the routes other sites' scripts may read, the
/// answer browsers expect to a CORS preflight (any origin, these methods, the headers asked
/// for, remembered for a day).
async fn preflight(request: HttpRequest, handler: web::Data<Handler>) -> HttpResponse {
    let mut response = HttpResponse::NoContent();
    response.insert_header((header::ALLOW, ALLOWED_METHODS));
    if handler.allows_any_origin() {
        response
            .insert_header((ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"));
        // Echoed when it is a plain list of header names (what browsers send).
        if let Some(asked) = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .and_then(|value| value.to_str().ok())
            .filter(|value| {
                value.len() <= 1024
                    && value.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b',' | b' ')
                    })
            })
        {
            response.insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, asked.to_owned()));
        }
    }
    response.finish()
}

/// The methods every `GET` route answers.
pub const ALLOWED_METHODS: &str = "GET, HEAD, OPTIONS";

/// Checks the signature of a request of `route` (signatures required), and gives its expiry.
fn check_signature(
    request: &HttpRequest,
    service: &Service,
    route: &str,
) -> Result<Option<u64>, AppError> {
    let query = Query::of(request);
    let url = query.article_url(service)?;
    let Some(keys) = &service.signing.keys else {
        return Err(AppError::from(crate::signing::SignatureError::Invalid));
    };
    let parameters: Vec<(&str, &str)> = query
        .0
        .iter()
        .map(|(name, value)| (name.as_ref(), value.as_ref()))
        .collect();
    // Signed as normalised (what the service emits) or as sent (what a client has at hand).
    let sent = query.get("url")?.unwrap_or_default().trim();
    Ok(crate::signing::check(
        keys,
        route,
        &[url.as_str(), sent],
        &parameters,
        crate::service::unix_now(),
    )?)
}

impl Handler {
    /// The route's name as signatures cover it (its path after the public URL), for the routes
    /// that need one when signatures are required: everything that fetches or draws.
    fn signed_route(self) -> Option<&'static str> {
        Some(match self {
            Handler::Meta => "meta",
            Handler::Card(crate::card::Format::Png) => "card.png",
            Handler::Card(crate::card::Format::Jpeg) => "card.jpg",
            Handler::Card(crate::card::Format::Webp) => "card.webp",
            Handler::Oembed(None) => "oembed",
            Handler::Oembed(Some(OembedFormat::Json)) => "oembed.json",
            Handler::Oembed(Some(OembedFormat::Xml)) => "oembed.xml",
            Handler::Thumb => "thumb",
            Handler::Page(PageKind::Embed) => "embed",
            Handler::Page(PageKind::Share) => "share",
            Handler::DebugImage => "debug/image",
            Handler::Healthz
            | Handler::Readyz
            | Handler::Metrics
            | Handler::Debugger(_)
            | Handler::Favicon
            | Handler::Purge => return None,
        })
    }

    /// The routes other sites' scripts may read (docs/api.md).
    fn allows_any_origin(self) -> bool {
        matches!(
            self,
            Handler::Meta | Handler::Card(_) | Handler::Oembed(_) | Handler::Thumb
        )
    }
}

/// Refuses a request that one of our own fetches made (it carries our `Via` token): a URL that
/// leads back to the service would otherwise make it ask itself again and again.
///
/// # Errors
/// [`AppError`] `address-blocked` for such a request, or the handler's own error.
pub async fn refuse_loops(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let looped = request
        .headers()
        .get_all(header::VIA)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|hop| hop.trim().eq_ignore_ascii_case(crate::fetch::VIA));
    if looped {
        return Err(AppError::loop_detected().into());
    }
    next.call(request).await
}

/// The query parameters of a request, each allowed once (borrowed from the request unless
/// they had to be decoded).
struct Query<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Query<'a> {
    fn of(request: &'a HttpRequest) -> Self {
        Query(url::form_urlencoded::parse(request.query_string().as_bytes()).collect())
    }

    /// The value of `name`; a repeated parameter is refused rather than guessed at.
    fn get(&self, name: &str) -> Result<Option<&str>, AppError> {
        let mut values = self.0.iter().filter(|(key, _)| key == name);
        let first = values.next().map(|(_, value)| value.as_ref());
        if values.next().is_some() {
            return Err(AppError::invalid_parameter(
                "A query parameter is given more than once.",
            ));
        }
        Ok(first)
    }

    /// The `url` parameter, parsed as the fetcher will fetch it.
    fn article_url(&self, service: &Service) -> Result<ArticleUrl, AppError> {
        let raw = self
            .get("url")?
            .ok_or_else(|| AppError::invalid_parameter("The url parameter is required."))?;
        Ok(service.article_url(raw)?)
    }

    /// The content version the request names (`v`), if it could be one of ours; any other
    /// value is as good as an old version (never an error: old URLs keep working).
    fn version(&self) -> Result<Option<&str>, AppError> {
        Ok(self
            .get("v")?
            .filter(|version| crate::versions::is_plausible(version)))
    }
}

/// An answer about one article, as the cache gave it.
struct Answer<'a, V> {
    url: &'a ArticleUrl,
    cached: &'a Cached<V>,
    body: &'a Body,
    media_type: &'static str,
    /// The content version the request named (`v`).
    wanted: Option<&'a str>,
}

/// A successful answer with its validators and caching headers (docs/api.md),
/// or `304 Not Modified` when the client already holds this body. An answer to a URL naming
/// its current content version may be kept for a year; every answer carries the article's
/// CDN tag, and the CDN's own lifetime when one is set.
fn cached_response<V>(
    request: &HttpRequest,
    service: &Service,
    answer: &Answer<'_, V>,
) -> HttpResponse {
    let (cached, body) = (answer.cached, answer.body);
    let cdn = request
        .app_data::<web::Data<CdnPolicy>>()
        .and_then(|policy| policy.max_age);
    let stale_for = service.cache.policy().stale.as_secs();
    let current = answer.wanted.is_some() && answer.wanted == body.version.as_deref();
    let (browser, shared) = if current {
        (
            Lifetime::new(IMMUTABLE_MAX_AGE, None, None, true),
            cdn.map(|_| Lifetime::new(IMMUTABLE_MAX_AGE, None, None, false)),
        )
    } else if cached.status == Status::Stale {
        let stale = Lifetime::new(STALE_MAX_AGE, None, None, false);
        (stale, cdn.map(|_| stale))
    } else {
        let fresh_for = cached.fresh_for.as_secs();
        (
            Lifetime::new(fresh_for, cdn, Some(stale_for), false),
            cdn.map(|cdn| Lifetime::new(cdn, None, Some(stale_for), false)),
        )
    };
    // A signed URL that expires is kept no longer than it is valid.
    let expires_in = request
        .extensions()
        .get::<SignedUntil>()
        .map(|until| until.0.saturating_sub(crate::service::unix_now()));
    let (browser, shared) = match expires_in {
        Some(left) => (
            browser.capped(left),
            shared.map(|lifetime| lifetime.capped(left)),
        ),
        None => (browser, shared),
    };
    let cache_control = browser.header();
    let cdn_cache_control = shared.map(Lifetime::header);
    let mut response = if client_has(request, &body.etag) {
        HttpResponse::NotModified().finish()
    } else if let Some(range) = requested_range(request, body) {
        let (start, end, length) = (*range.start(), *range.end(), body.bytes.len());
        HttpResponse::PartialContent()
            .content_type(answer.media_type)
            .insert_header((
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{length}"),
            ))
            .body(body.bytes.slice(range))
    } else {
        HttpResponse::Ok()
            .content_type(answer.media_type)
            .body(body.bytes.clone())
    };
    let tag = crate::versions::article_tag(answer.url.as_str());
    let headers = response.headers_mut();
    for (name, value) in [
        (ETAG, body.etag.as_str()),
        (CACHE_CONTROL, cache_control.as_str()),
        (X_CACHE, cached.status.as_str()),
        (SURROGATE_KEY, tag.as_str()),
        (CACHE_TAG, tag.as_str()),
    ]
    .into_iter()
    .chain(
        cdn_cache_control
            .as_deref()
            .map(|value| (CDN_CACHE_CONTROL, value)),
    ) {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    response
}

/// The one part of `body` a `Range` request asks for, when it is a satisfiable single range
/// short of the whole body (and `If-Range`, if sent, names this body). Anything else — several
/// ranges, a malformed or unsatisfiable one, the whole body — is answered whole with `200`:
/// a crawler asking `bytes=0-524288` of a 100 KB card gets it, never an error.
fn requested_range(request: &HttpRequest, body: &Body) -> Option<std::ops::RangeInclusive<usize>> {
    let value = request.headers().get(header::RANGE)?.to_str().ok()?;
    if let Some(condition) = request.headers().get(header::IF_RANGE)
        && condition.as_bytes() != body.etag.as_bytes()
    {
        return None;
    }
    let one = std::num::NonZeroUsize::MIN;
    let length = body.bytes.len();
    let ranges = http_range_header::parse_range_header_with_max_ranges(value, one)
        .ok()?
        .validate(length as u64)
        .ok()?;
    let range = ranges.first()?;
    let (start, end) = (
        usize::try_from(*range.start()).ok()?,
        usize::try_from(*range.end()).ok()?,
    );
    (start > 0 || end + 1 < length).then_some(start..=end)
}

/// How long an answer may be kept, before it is written as a `Cache-Control` value.
#[derive(Debug, Clone, Copy)]
struct Lifetime {
    max_age: u64,
    shared_max_age: Option<u64>,
    stale_while_revalidate: Option<u64>,
    immutable: bool,
}

impl Lifetime {
    fn new(
        max_age: u64,
        shared_max_age: Option<u64>,
        stale_while_revalidate: Option<u64>,
        immutable: bool,
    ) -> Self {
        Lifetime {
            max_age,
            shared_max_age,
            stale_while_revalidate,
            immutable,
        }
    }

    /// At most `seconds`, and nothing served past them.
    fn capped(self, seconds: u64) -> Self {
        Lifetime {
            max_age: self.max_age.min(seconds),
            shared_max_age: self.shared_max_age.map(|shared| shared.min(seconds)),
            stale_while_revalidate: None,
            immutable: false,
        }
    }

    fn header(self) -> String {
        lifetime(
            self.max_age,
            self.shared_max_age,
            self.stale_while_revalidate,
            self.immutable,
        )
    }
}

/// When the signature of the request expires (seconds since 1970), set by [`dispatch`] once it
/// checked it.
#[derive(Debug, Clone, Copy)]
struct SignedUntil(u64);

/// A `Cache-Control` value: `public, max-age=…` and, when given, `s-maxage`,
/// `stale-while-revalidate` and `immutable` (built without the formatting machinery: it is
/// made for every answer).
fn lifetime(
    max_age: u64,
    shared_max_age: Option<u64>,
    stale_while_revalidate: Option<u64>,
    immutable: bool,
) -> String {
    let mut numbers = itoa::Buffer::new();
    let mut value = String::with_capacity(96);
    value.push_str("public, max-age=");
    value.push_str(numbers.format(max_age));
    if let Some(seconds) = shared_max_age {
        value.push_str(", s-maxage=");
        value.push_str(numbers.format(seconds));
    }
    if let Some(seconds) = stale_while_revalidate {
        value.push_str(", stale-while-revalidate=");
        value.push_str(numbers.format(seconds));
    }
    if immutable {
        value.push_str(", immutable");
    }
    value
}

/// Whether `If-None-Match` names `etag` (or is `*`). Weak comparison, as RFC 9110 asks for
/// `If-None-Match`.
fn client_has(request: &HttpRequest, etag: &str) -> bool {
    request
        .headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}
