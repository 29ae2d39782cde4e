//! The one error every route answers with (docs/api.md, "Errors"): a status, a stable code and a
//! sentence for people. The cause is logged here and never sent: a client cannot tell a closed
//! internal port from an unreachable public one.

use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, CACHE_CONTROL, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};

use crate::article_url::UrlError;
use crate::fetch::{Blocked, FetchError};
use crate::logging::loggable;
use crate::oembed::OembedError;
use crate::service::ServiceError;

/// How long a client or CDN may keep an error about the origin: as long as our cache remembers
/// it.
const ORIGIN_ERROR_MAX_AGE: u64 = crate::config::FAILURE_TTL.as_secs();

/// When an overloaded service asks to be tried again.
const RETRY_AFTER_SECONDS: u64 = 5;

/// Every error a client can receive, by its stable code (docs/api.md, "Errors"). The code
/// decides the status, so the two never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The client asked too often.
    RateLimited,
    /// A query parameter or request body that is missing, repeated or out of range.
    InvalidParameter,
    /// A request body over what the route reads.
    BodyTooLarge,
    /// Nothing of ours at this address (a route or a warm-up job).
    NotFound,
    /// The article URL is not an absolute http(s) URL we fetch.
    InvalidUrl,
    /// The article URL is over 2048 bytes.
    UrlTooLong,
    /// The URL leads to an address off the public internet, or back to us.
    AddressBlocked,
    /// The operator previews only some hosts, not this one.
    HostNotAllowed,
    /// The route does not answer this method.
    MethodNotAllowed,
    /// An administrative request without the right bearer token.
    Unauthorized,
    /// Signatures are required and no administration token opens the debugger.
    DebuggerClosed,
    /// Signatures are required and the URL has none.
    SignatureMissing,
    /// The URL's signature does not match, or its key is retired.
    SignatureInvalid,
    /// The URL's signature has expired.
    SignatureExpired,
    /// The origin says the article does not exist.
    ArticleNotFound,
    /// The article has no usable lead image (or the debugger does not show that image).
    ImageNotFound,
    /// The embed cannot be made as small as asked.
    SizeNotAvailable,
    /// An oEmbed format other than json and xml.
    FormatNotSupported,
    /// The origin says the feed or sitemap does not exist.
    FeedNotFound,
    /// The listing is no feed or sitemap we read, or lists no article.
    FeedUnreadable,
    /// The origin took too long.
    OriginTimeout,
    /// The page could not be fetched or read.
    OriginUnavailable,
    /// Too much work in flight; try again shortly.
    Overloaded,
    /// A purge did not reach every instance.
    PurgeIncomplete,
    /// A failure of ours.
    InternalError,
}

impl ErrorCode {
    /// Every code, for the tests that hold the docs to them.
    pub const ALL: [ErrorCode; 25] = [
        ErrorCode::RateLimited,
        ErrorCode::InvalidParameter,
        ErrorCode::BodyTooLarge,
        ErrorCode::NotFound,
        ErrorCode::InvalidUrl,
        ErrorCode::UrlTooLong,
        ErrorCode::AddressBlocked,
        ErrorCode::HostNotAllowed,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Unauthorized,
        ErrorCode::DebuggerClosed,
        ErrorCode::SignatureMissing,
        ErrorCode::SignatureInvalid,
        ErrorCode::SignatureExpired,
        ErrorCode::ArticleNotFound,
        ErrorCode::ImageNotFound,
        ErrorCode::SizeNotAvailable,
        ErrorCode::FormatNotSupported,
        ErrorCode::FeedNotFound,
        ErrorCode::FeedUnreadable,
        ErrorCode::OriginTimeout,
        ErrorCode::OriginUnavailable,
        ErrorCode::Overloaded,
        ErrorCode::PurgeIncomplete,
        ErrorCode::InternalError,
    ];

    /// The code as clients read it: stable, never renamed.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::RateLimited => "rate-limited",
            ErrorCode::InvalidParameter => "invalid-parameter",
            ErrorCode::BodyTooLarge => "body-too-large",
            ErrorCode::NotFound => "not-found",
            ErrorCode::InvalidUrl => "invalid-url",
            ErrorCode::UrlTooLong => "url-too-long",
            ErrorCode::AddressBlocked => "address-blocked",
            ErrorCode::HostNotAllowed => "host-not-allowed",
            ErrorCode::MethodNotAllowed => "method-not-allowed",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::DebuggerClosed => "debugger-closed",
            ErrorCode::SignatureMissing => "signature-missing",
            ErrorCode::SignatureInvalid => "signature-invalid",
            ErrorCode::SignatureExpired => "signature-expired",
            ErrorCode::ArticleNotFound => "article-not-found",
            ErrorCode::ImageNotFound => "image-not-found",
            ErrorCode::SizeNotAvailable => "size-not-available",
            ErrorCode::FormatNotSupported => "format-not-supported",
            ErrorCode::FeedNotFound => "feed-not-found",
            ErrorCode::FeedUnreadable => "feed-unreadable",
            ErrorCode::OriginTimeout => "origin-timeout",
            ErrorCode::OriginUnavailable => "origin-unavailable",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::PurgeIncomplete => "purge-incomplete",
            ErrorCode::InternalError => "internal-error",
        }
    }

    #[must_use]
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::InvalidParameter | ErrorCode::InvalidUrl => StatusCode::BAD_REQUEST,
            ErrorCode::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::NotFound
            | ErrorCode::ArticleNotFound
            | ErrorCode::ImageNotFound
            | ErrorCode::SizeNotAvailable
            | ErrorCode::FeedNotFound => StatusCode::NOT_FOUND,
            ErrorCode::UrlTooLong => StatusCode::URI_TOO_LONG,
            ErrorCode::AddressBlocked
            | ErrorCode::HostNotAllowed
            | ErrorCode::DebuggerClosed
            | ErrorCode::SignatureMissing
            | ErrorCode::SignatureInvalid
            | ErrorCode::SignatureExpired => StatusCode::FORBIDDEN,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::FormatNotSupported => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::FeedUnreadable | ErrorCode::OriginUnavailable => StatusCode::BAD_GATEWAY,
            ErrorCode::OriginTimeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::Overloaded | ErrorCode::PurgeIncomplete => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// An answer about the origin (the article or its feed is gone, the site failed): a CDN may
    /// keep it as long as our cache remembers the failure. Every other error is `no-store`.
    #[must_use]
    pub fn is_about_the_origin(self) -> bool {
        matches!(
            self,
            ErrorCode::ArticleNotFound
                | ErrorCode::ImageNotFound
                | ErrorCode::SizeNotAvailable
                | ErrorCode::FeedNotFound
                | ErrorCode::FeedUnreadable
                | ErrorCode::OriginTimeout
                | ErrorCode::OriginUnavailable
        )
    }
}

#[derive(Debug)]
pub struct AppError {
    code: ErrorCode,
    message: &'static str,
    /// For the log only.
    cause: String,
    /// Seconds a client should wait before asking again (`Retry-After`).
    retry_after: Option<u64>,
    /// The methods a 405 names in `Allow`.
    allow: &'static str,
}

impl AppError {
    fn new(code: ErrorCode, message: &'static str, cause: String) -> Self {
        let retry_after =
            (code.status() == StatusCode::SERVICE_UNAVAILABLE).then_some(RETRY_AFTER_SECONDS);
        AppError {
            code,
            message,
            cause,
            retry_after,
            allow: crate::routes::ALLOWED_METHODS,
        }
    }

    /// The client asked too often; it may ask again after `wait`.
    #[must_use]
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let mut error = AppError::new(
            ErrorCode::RateLimited,
            "Too many requests from your address; try again shortly.",
            String::new(),
        );
        // Rounded up: a client that waits exactly this long finds a token.
        error.retry_after = Some((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1));
        error
    }

    /// A query parameter that is missing, repeated or out of range.
    #[must_use]
    pub fn invalid_parameter(message: &'static str) -> Self {
        AppError::new(ErrorCode::InvalidParameter, message, message.to_owned())
    }

    /// A request body over `limit` bytes (`POST /warm`).
    #[must_use]
    pub fn body_too_large(limit: usize) -> Self {
        AppError::new(
            ErrorCode::BodyTooLarge,
            "The request body is larger than this route reads.",
            format!("body over {limit} bytes"),
        )
    }

    #[must_use]
    pub fn not_found() -> Self {
        AppError::new(
            ErrorCode::NotFound,
            "There is nothing at this address; the preview debugger is at /.",
            String::new(),
        )
    }

    /// A request made by an Aperçu fetch: a URL that led back to a preview service.
    #[must_use]
    pub fn loop_detected() -> Self {
        AppError::new(
            ErrorCode::AddressBlocked,
            "This service does not preview its own answers.",
            "request carries our Via token: a fetch loop".to_owned(),
        )
    }

    #[must_use]
    pub fn method_not_allowed() -> Self {
        AppError::new(
            ErrorCode::MethodNotAllowed,
            "Only GET, HEAD and OPTIONS are answered.",
            String::new(),
        )
    }

    /// A 405 on a route that takes only `POST`.
    #[must_use]
    pub fn post_only() -> Self {
        let mut error = AppError::new(
            ErrorCode::MethodNotAllowed,
            "Only POST is answered here.",
            String::new(),
        );
        error.allow = "POST";
        error
    }

    /// A purge that reached this instance but not every other one (the shared tier did not
    /// answer, or an instance did not confirm): the caller should try again.
    #[must_use]
    pub fn purge_incomplete(cause: String) -> Self {
        AppError::new(
            ErrorCode::PurgeIncomplete,
            "The article was purged on this instance but not on every one; try again shortly.",
            cause,
        )
    }

    /// An administrative request without the right bearer token.
    #[must_use]
    pub fn unauthorized() -> Self {
        AppError::new(
            ErrorCode::Unauthorized,
            "This request needs the administration token.",
            "missing or wrong bearer token".to_owned(),
        )
    }

    /// The debugger, when signatures are required and no administration token is set.
    #[must_use]
    pub fn debugger_closed() -> Self {
        AppError::new(
            ErrorCode::DebuggerClosed,
            "With signed URLs required, the debugger needs the administration token, and none is set (APERCU_ADMIN_TOKEN).",
            "signatures required, no admin token".to_owned(),
        )
    }

    /// A warm-up request that asks for nothing, or too much.
    #[must_use]
    pub fn warm_request(cause: String) -> Self {
        AppError::new(
            ErrorCode::InvalidParameter,
            "A warm-up needs urls, feed or sitemap (at most 1000 URLs, 20 listings), and formats among jpg, png and webp.",
            cause,
        )
    }

    /// A warm-up job this instance does not know (never started here, or long forgotten).
    #[must_use]
    pub fn no_such_job() -> Self {
        AppError::new(
            ErrorCode::NotFound,
            "This instance has no warm-up job of that id (jobs are kept per instance, the last 64).",
            "unknown warm-up job".to_owned(),
        )
    }

    /// An image the preview debugger's report does not show.
    #[must_use]
    pub fn not_in_report() -> Self {
        AppError::new(
            ErrorCode::ImageNotFound,
            "This image is not one the report shows; open the report again.",
            "image not in the report".to_owned(),
        )
    }

    #[must_use]
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.as_str(),
            self.code.status().as_u16(),
            self.cause
        )
    }
}

impl From<UrlError> for AppError {
    fn from(error: UrlError) -> Self {
        let (code, message) = match error {
            UrlError::TooLong => (ErrorCode::UrlTooLong, "The url is longer than 2048 bytes."),
            UrlError::Invalid => (
                ErrorCode::InvalidUrl,
                "The url parameter must be an absolute http or https URL.",
            ),
            UrlError::Scheme => (
                ErrorCode::InvalidUrl,
                "Only http and https URLs can be previewed.",
            ),
            UrlError::Userinfo => (
                ErrorCode::InvalidUrl,
                "URLs with a user name or password are not accepted.",
            ),
            UrlError::Port(_) => (
                ErrorCode::InvalidUrl,
                "Only the standard web ports (80 and 443) are fetched, and never loopback or \
                 private addresses, unless the operator allows them with APERCU_ALLOW_ADDRESSES.",
            ),
        };
        AppError::new(code, message, error.to_string())
    }
}

impl From<&FetchError> for AppError {
    fn from(error: &FetchError) -> Self {
        let cause = error.to_string();
        match error {
            FetchError::Url(url) => AppError::from(url.clone()),
            FetchError::Blocked(Blocked::HostNotAllowed(_)) => AppError::new(
                ErrorCode::HostNotAllowed,
                "This service does not preview pages from that host.",
                cause,
            ),
            FetchError::Blocked(Blocked::Name(_) | Blocked::Address { .. }) => AppError::new(
                ErrorCode::AddressBlocked,
                "That address is not on the public internet, so it is not fetched (unless the \
                 operator allows it with APERCU_ALLOW_ADDRESSES).",
                cause,
            ),
            FetchError::NotFound(_) => AppError::new(
                ErrorCode::ArticleNotFound,
                "The site says this article does not exist.",
                cause,
            ),
            FetchError::Timeout(_) => AppError::new(
                ErrorCode::OriginTimeout,
                "The site took too long to answer.",
                cause,
            ),
            FetchError::Unavailable(_) => AppError::new(
                ErrorCode::OriginUnavailable,
                "The page could not be fetched or read.",
                cause,
            ),
            FetchError::Busy(_) => AppError::new(
                ErrorCode::Overloaded,
                "Too many pages are being fetched right now; try again shortly.",
                cause,
            ),
        }
    }
}

impl From<crate::signing::SignatureError> for AppError {
    fn from(error: crate::signing::SignatureError) -> Self {
        use crate::signing::SignatureError;
        let (code, message) = match error {
            SignatureError::Missing => (
                ErrorCode::SignatureMissing,
                "This service answers signed URLs only, and this one is not signed.",
            ),
            SignatureError::Invalid => (
                ErrorCode::SignatureInvalid,
                "The URL's signature does not match it, or its key is no longer accepted.",
            ),
            SignatureError::Expired => (
                ErrorCode::SignatureExpired,
                "The URL's signature has expired.",
            ),
        };
        AppError::new(code, message, error.to_string())
    }
}

impl From<OembedError> for AppError {
    fn from(error: OembedError) -> Self {
        let cause = error.to_string();
        match error {
            OembedError::InvalidBound(_) => AppError::new(
                ErrorCode::InvalidParameter,
                "maxwidth and maxheight must be positive whole numbers.",
                cause,
            ),
            OembedError::CannotFit(..) => AppError::new(
                ErrorCode::SizeNotAvailable,
                "The embed cannot be made that small.",
                cause,
            ),
            OembedError::UnsupportedFormat(_) => AppError::new(
                ErrorCode::FormatNotSupported,
                "The format must be json or xml.",
                cause,
            ),
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match &error {
            ServiceError::Fetch(fetch) => AppError::from(fetch.as_ref()),
            ServiceError::NoLeadImage => AppError::new(
                ErrorCode::ImageNotFound,
                "The article has no usable lead image.",
                error.to_string(),
            ),
            ServiceError::Overloaded => AppError::new(
                ErrorCode::Overloaded,
                "The service is busy; try again shortly.",
                error.to_string(),
            ),
            ServiceError::Listing(crate::feeds::FeedError::Missing) => AppError::new(
                ErrorCode::FeedNotFound,
                "The site says this feed or sitemap does not exist.",
                error.to_string(),
            ),
            ServiceError::Listing(_) => AppError::new(
                ErrorCode::FeedUnreadable,
                "The feed or sitemap is neither RSS, Atom, JSON Feed nor a sitemap, or lists no article.",
                error.to_string(),
            ),
            ServiceError::Internal { .. } => AppError::new(
                ErrorCode::InternalError,
                "The preview could not be made; this is our failure, not the site's.",
                chain(&error),
            ),
        }
    }
}

impl AppError {
    /// The error as a small HTML page (for the HTML routes), linking to the article when the
    /// URL is known.
    #[must_use]
    pub fn html_response(&self, article_url: Option<&str>) -> HttpResponse {
        self.log();
        let mut response = HttpResponse::build(self.code.status())
            .content_type("text/html; charset=utf-8")
            .body(crate::pages::error_page(self.message, article_url));
        self.add_headers(&mut response);
        response
    }

    /// The error shown in a page of the service's own (the debugger shows it under its form),
    /// with the page's policy.
    #[must_use]
    pub fn page_response(&self, html: String, content_security_policy: &str) -> HttpResponse {
        self.log();
        let mut response = HttpResponse::build(self.code.status())
            .content_type("text/html; charset=utf-8")
            .body(html);
        self.add_headers(&mut response);
        if let Ok(policy) = HeaderValue::from_str(content_security_policy) {
            response
                .headers_mut()
                .insert(actix_web::http::header::CONTENT_SECURITY_POLICY, policy);
        }
        response
    }

    /// The sentence for people.
    #[must_use]
    pub fn message(&self) -> &'static str {
        self.message
    }

    fn log(&self) {
        if self.code.status().is_server_error() {
            tracing::warn!(code = self.code.as_str(), cause = %loggable(&self.cause), "request failed");
        } else {
            tracing::info!(code = self.code.as_str(), cause = %loggable(&self.cause), "request refused");
        }
    }

    fn add_headers(&self, response: &mut HttpResponse) {
        let cache_control = if self.code.is_about_the_origin() {
            format!("public, max-age={ORIGIN_ERROR_MAX_AGE}")
        } else {
            "no-store".to_owned()
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&cache_control) {
            headers.insert(CACHE_CONTROL, value);
        }
        if self.code.status() == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(ALLOW, HeaderValue::from_static(self.allow));
        }
        if self.code.status() == StatusCode::UNAUTHORIZED {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"apercu\""),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let body = serde_json::json!({
            "error": { "code": self.code.as_str(), "message": self.message }
        });
        let mut response = HttpResponse::build(self.code.status()).json(body);
        self.add_headers(&mut response);
        response
    }
}

/// An error and its causes, outermost first, for the log.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_is_in_the_docs_with_its_status() {
        let docs = include_str!("../docs/api.md");
        let table = docs
            .split("### Errors")
            .nth(1)
            .and_then(|rest| rest.split("\n### ").next())
            .expect("docs/api.md has an Errors section");
        for code in ErrorCode::ALL {
            let quoted = format!("`{}`", code.as_str());
            let status = code.status().as_u16().to_string();
            assert!(
                table
                    .lines()
                    .filter(|line| line.starts_with('|') && line.contains(&quoted))
                    .any(|line| line.contains(&status)),
                "{} ({status}) is not in the Errors table of docs/api.md",
                code.as_str()
            );
        }
    }

    fn response(error: FetchError) -> HttpResponse {
        AppError::from(ServiceError::from(error)).error_response()
    }

    #[test]
    fn an_overloaded_fetcher_asks_to_be_retried_and_is_not_remembered() {
        let busy = ServiceError::from(FetchError::Busy("news.example".into()));
        assert!(!crate::cache::Failure::is_cacheable(&busy));
        let answer = response(FetchError::Busy("news.example".into()));
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(answer.headers().get(RETRY_AFTER).unwrap(), "5");
        assert_eq!(answer.headers().get(CACHE_CONTROL).unwrap(), "no-store");
    }

    #[test]
    fn internal_addresses_never_reach_the_client() {
        let blocked = FetchError::Blocked(Blocked::Address {
            address: "10.1.2.3".parse().unwrap(),
            reason: "private",
        });
        let unavailable = FetchError::Unavailable(crate::fetch::Unavailable::new(
            crate::fetch::Reason::Connection,
            "connect to 192.168.0.7:8080 refused".into(),
        ));
        for error in [blocked, unavailable] {
            let app = AppError::from(ServiceError::from(error));
            assert!(!app.message.contains("10.1") && !app.message.contains("192.168"));
            assert!(!app.message.is_empty());
        }
    }

    #[test]
    fn our_own_failure_is_a_500_whose_cause_chain_reaches_only_the_log() {
        let panicked = std::io::Error::other("worker 3 panicked at src/card/paint.rs");
        let error = ServiceError::internal("encoding a card", panicked);
        assert!(!crate::cache::Failure::is_cacheable(&error));
        let app = AppError::from(error);
        assert_eq!(
            app.cause,
            "encoding a card: worker 3 panicked at src/card/paint.rs"
        );
        assert!(!app.message.contains("panicked"));
        let answer = app.error_response();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(answer.headers().get(RETRY_AFTER).is_none());
    }
}
