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

#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    /// For the log only.
    cause: String,
    /// Seconds a client should wait before asking again (`Retry-After`).
    retry_after: Option<u64>,
    /// The methods a 405 names in `Allow`.
    allow: &'static str,
}

impl AppError {
    fn new(status: StatusCode, code: &'static str, message: &'static str, cause: String) -> Self {
        let retry_after =
            (status == StatusCode::SERVICE_UNAVAILABLE).then_some(RETRY_AFTER_SECONDS);
        AppError {
            status,
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
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
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
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            message,
            message.to_owned(),
        )
    }

    /// A request body over `limit` bytes (`POST /warm`).
    #[must_use]
    pub fn body_too_large(limit: usize) -> Self {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "The request body is larger than this route reads.",
            format!("body over {limit} bytes"),
        )
    }

    #[must_use]
    pub fn not_found() -> Self {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "There is nothing at this address; the preview debugger is at /.",
            String::new(),
        )
    }

    /// A request made by an Aperçu fetch: a URL that led back to a preview service.
    #[must_use]
    pub fn loop_detected() -> Self {
        AppError::new(
            StatusCode::FORBIDDEN,
            "address-blocked",
            "This service does not preview its own answers.",
            "request carries our Via token: a fetch loop".to_owned(),
        )
    }

    #[must_use]
    pub fn method_not_allowed() -> Self {
        AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Only GET, HEAD and OPTIONS are answered.",
            String::new(),
        )
    }

    /// A 405 on a route that takes only `POST`.
    #[must_use]
    pub fn post_only() -> Self {
        let mut error = AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
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
            StatusCode::SERVICE_UNAVAILABLE,
            "purge-incomplete",
            "The article was purged on this instance but not on every one; try again shortly.",
            cause,
        )
    }

    /// An administrative request without the right bearer token.
    #[must_use]
    pub fn unauthorized() -> Self {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "This request needs the administration token.",
            "missing or wrong bearer token".to_owned(),
        )
    }

    /// The debugger, when signatures are required and no administration token is set.
    #[must_use]
    pub fn debugger_closed() -> Self {
        AppError::new(
            StatusCode::FORBIDDEN,
            "debugger-closed",
            "With signed URLs required, the debugger needs the administration token, and none is set (APERCU_ADMIN_TOKEN).",
            "signatures required, no admin token".to_owned(),
        )
    }

    /// A warm-up request that asks for nothing, or too much.
    #[must_use]
    pub fn warm_request(cause: String) -> Self {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "A warm-up needs urls, feed or sitemap (at most 1000 URLs, 20 listings), and formats among jpg, png and webp.",
            cause,
        )
    }

    /// A warm-up job this instance does not know (never started here, or long forgotten).
    #[must_use]
    pub fn no_such_job() -> Self {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "This instance has no warm-up job of that id (jobs are kept per instance, the last 64).",
            "unknown warm-up job".to_owned(),
        )
    }

    /// An image the preview debugger's report does not show.
    #[must_use]
    pub fn not_in_report() -> Self {
        AppError::new(
            StatusCode::NOT_FOUND,
            "image-not-found",
            "This image is not one the report shows; open the report again.",
            "image not in the report".to_owned(),
        )
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    fn is_about_the_origin(&self) -> bool {
        matches!(
            self.status,
            StatusCode::NOT_FOUND | StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT
        ) && self.code != "not-found"
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code,
            self.status.as_u16(),
            self.cause
        )
    }
}

impl From<UrlError> for AppError {
    fn from(error: UrlError) -> Self {
        let (status, code, message) = match error {
            UrlError::TooLong => (
                StatusCode::URI_TOO_LONG,
                "url-too-long",
                "The url is longer than 2048 bytes.",
            ),
            UrlError::Invalid => (
                StatusCode::BAD_REQUEST,
                "invalid-url",
                "The url parameter must be an absolute http or https URL.",
            ),
            UrlError::Scheme => (
                StatusCode::BAD_REQUEST,
                "invalid-url",
                "Only http and https URLs can be previewed.",
            ),
            UrlError::Userinfo => (
                StatusCode::BAD_REQUEST,
                "invalid-url",
                "URLs with a user name or password are not accepted.",
            ),
            UrlError::Port(_) => (
                StatusCode::BAD_REQUEST,
                "invalid-url",
                "Only the standard web ports (80 and 443) are fetched, and never loopback or \
                 private addresses, unless the operator allows them with APERCU_ALLOW_ADDRESSES.",
            ),
        };
        AppError::new(status, code, message, error.to_string())
    }
}

impl From<&FetchError> for AppError {
    fn from(error: &FetchError) -> Self {
        let cause = error.to_string();
        match error {
            FetchError::Url(url) => AppError::from(url.clone()),
            FetchError::Blocked(Blocked::HostNotAllowed(_)) => AppError::new(
                StatusCode::FORBIDDEN,
                "host-not-allowed",
                "This service does not preview pages from that host.",
                cause,
            ),
            FetchError::Blocked(Blocked::Name(_) | Blocked::Address { .. }) => AppError::new(
                StatusCode::FORBIDDEN,
                "address-blocked",
                "That address is not on the public internet, so it is not fetched (unless the \
                 operator allows it with APERCU_ALLOW_ADDRESSES).",
                cause,
            ),
            FetchError::NotFound(_) => AppError::new(
                StatusCode::NOT_FOUND,
                "article-not-found",
                "The site says this article does not exist.",
                cause,
            ),
            FetchError::Timeout(_) => AppError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "origin-timeout",
                "The site took too long to answer.",
                cause,
            ),
            FetchError::Unavailable(_) => AppError::new(
                StatusCode::BAD_GATEWAY,
                "origin-unavailable",
                "The page could not be fetched or read.",
                cause,
            ),
            FetchError::Busy(_) => AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
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
                "signature-missing",
                "This service answers signed URLs only, and this one is not signed.",
            ),
            SignatureError::Invalid => (
                "signature-invalid",
                "The URL's signature does not match it, or its key is no longer accepted.",
            ),
            SignatureError::Expired => ("signature-expired", "The URL's signature has expired."),
        };
        AppError::new(StatusCode::FORBIDDEN, code, message, error.to_string())
    }
}

impl From<OembedError> for AppError {
    fn from(error: OembedError) -> Self {
        let cause = error.to_string();
        match error {
            OembedError::InvalidBound(_) => AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid-parameter",
                "maxwidth and maxheight must be positive whole numbers.",
                cause,
            ),
            OembedError::CannotFit(..) => AppError::new(
                StatusCode::NOT_FOUND,
                "size-not-available",
                "The embed cannot be made that small.",
                cause,
            ),
            OembedError::UnsupportedFormat(_) => AppError::new(
                StatusCode::NOT_IMPLEMENTED,
                "format-not-supported",
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
                StatusCode::NOT_FOUND,
                "image-not-found",
                "The article has no usable lead image.",
                error.to_string(),
            ),
            ServiceError::Overloaded => AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "The service is busy; try again shortly.",
                error.to_string(),
            ),
            ServiceError::Listing(crate::feeds::FeedError::Missing) => AppError::new(
                StatusCode::NOT_FOUND,
                "feed-not-found",
                "The site says this feed or sitemap does not exist.",
                error.to_string(),
            ),
            ServiceError::Listing(_) => AppError::new(
                StatusCode::BAD_GATEWAY,
                "feed-unreadable",
                "The feed or sitemap is neither RSS, Atom, JSON Feed nor a sitemap, or lists no article.",
                error.to_string(),
            ),
            ServiceError::Internal { .. } => AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal-error",
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
        let mut response = HttpResponse::build(self.status)
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
        let mut response = HttpResponse::build(self.status)
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
        if self.status.is_server_error() {
            tracing::warn!(code = self.code, cause = %loggable(&self.cause), "request failed");
        } else {
            tracing::info!(code = self.code, cause = %loggable(&self.cause), "request refused");
        }
    }

    fn add_headers(&self, response: &mut HttpResponse) {
        let cache_control = if self.is_about_the_origin() {
            format!("public, max-age={ORIGIN_ERROR_MAX_AGE}")
        } else {
            "no-store".to_owned()
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&cache_control) {
            headers.insert(CACHE_CONTROL, value);
        }
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(ALLOW, HeaderValue::from_static(self.allow));
        }
        if self.status == StatusCode::UNAUTHORIZED {
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
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message }
        });
        let mut response = HttpResponse::build(self.status).json(body);
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
