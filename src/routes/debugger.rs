//! `GET /` (the preview debugger: the form, or with `?url=` the report), `GET /report.json`
//! (the report as data; also `/` with `Accept: application/json`) and `GET /debug/image` (an
//! image the report shows, scaled down and served from here).

use std::sync::Arc;

use actix_web::http::header::{
    self, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderValue,
    REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Answer, Query, cached_response};
use crate::config::AdminToken;
use crate::error::AppError;
use crate::pages::{self, Debugger, Shown};
use crate::service::{REFETCH_AFTER, Service};

/// How the report is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum As {
    /// HTML, unless the request prefers JSON.
    Negotiated,
    Json,
}

/// The debugger: `form` is the body of a `POST` (the form sent with the administration token,
/// which never goes in a URL), `None` for a `GET`.
pub(super) async fn debugger(
    request: &HttpRequest,
    service: &Arc<Service>,
    asked: As,
    form: Option<&[u8]>,
) -> HttpResponse {
    let json = asked == As::Json || prefers_json(request);
    let query = match form {
        Some(body) => Query(url::form_urlencoded::parse(body).collect()),
        None => Query::of(request),
    };
    let raw = match query.get("url") {
        Ok(raw) => raw.map(str::trim).filter(|raw| !raw.is_empty()),
        Err(error) => return refused(&error, service, None, json),
    };
    let Some(raw) = raw else {
        if json {
            return refused(
                &AppError::invalid_parameter("The url parameter is required."),
                service,
                None,
                true,
            );
        }
        return page(service, None, None, None, None);
    };
    let url = match service.article_url(raw) {
        Ok(url) => url,
        Err(error) => return refused(&AppError::from(error), service, Some(raw), json),
    };
    // With signatures required the debugger is the one way left to make the service fetch any
    // URL: it needs the administration token (but for the sample, which fetches nothing).
    let presented = super::purge::bearer(request).or_else(|| {
        form.and_then(|_| query.get("token").ok().flatten())
            .filter(|token| !token.is_empty())
    });
    if service.signing.required() && url.as_str() != crate::fetch::sample::ARTICLE {
        let token = request.app_data::<web::Data<AdminToken>>();
        let allowed = token.is_some_and(|token| presented.is_some_and(|p| token.matches(p)));
        if !allowed {
            let error = if token.is_some() {
                AppError::unauthorized()
            } else {
                AppError::debugger_closed()
            };
            return refused(&error, service, Some(raw), json);
        }
    }
    let again = matches!(query.get("again"), Ok(Some("1")));
    let inspection = match service.report(&url, again).await {
        Ok(inspection) => inspection,
        Err(error) => return refused(&AppError::from(error), service, Some(raw), json),
    };
    if json {
        let body = serde_json::to_vec_pretty(&inspection.value.report).unwrap_or_default();
        let mut response = HttpResponse::Ok()
            .content_type("application/json")
            .body(body);
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        uncached(headers);
        return response;
    }
    let report = &inspection.value.report;
    let age = inspection.value.age();
    let has_picture = |image: &str| inspection.value.picture(image).is_some();
    let shown = Shown {
        report,
        has_picture: &has_picture,
        age,
        again_in: REFETCH_AFTER.as_secs().saturating_sub(age),
    };
    page(service, Some(raw), None, Some(shown), presented)
}

/// The debugger's page, with a report or an error; `token` is the administration token the
/// request presented, kept in the "fetch again" form.
fn page(
    service: &Service,
    asked: Option<&str>,
    error: Option<&str>,
    report: Option<Shown<'_>>,
    token: Option<&str>,
) -> HttpResponse {
    let page = pages::debugger_page(&debugger_view(service, asked, error, report, token));
    let mut response = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.html);
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&page.content_security_policy) {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    uncached(headers);
    response
}

/// What the debugger's page shows, with what the service knows of signing.
fn debugger_view<'a>(
    service: &'a Service,
    asked: Option<&'a str>,
    error: Option<&'a str>,
    report: Option<Shown<'a>>,
    token: Option<&'a str>,
) -> Debugger<'a> {
    Debugger {
        public_url: &service.public_url,
        sample_url: crate::fetch::sample::ARTICLE,
        asked,
        error,
        report,
        needs_token: service.signing.required(),
        token,
        keys: service.signing.keys.as_ref(),
        now: crate::service::unix_now(),
    }
}

/// A refused or failed report: the error under the form, or as JSON.
fn refused(error: &AppError, service: &Service, asked: Option<&str>, json: bool) -> HttpResponse {
    if json {
        let mut response = actix_web::ResponseError::error_response(error);
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept"));
        return response;
    }
    let page = pages::debugger_page(&debugger_view(
        service,
        asked,
        Some(error.message()),
        None,
        None,
    ));
    let mut response = error.page_response(page.html, &page.content_security_policy);
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Accept"));
    response
}

/// A report is about now: not kept by browsers or CDNs, and it differs by `Accept`.
fn uncached(headers: &mut actix_web::http::header::HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(VARY, HeaderValue::from_static("Accept"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// Whether the request asks for JSON before HTML (`Accept: application/json`).
fn prefers_json(request: &HttpRequest) -> bool {
    let quality = |wanted: &str| {
        request
            .headers()
            .get_all(header::ACCEPT)
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|item| {
                let mut parts = item.split(';');
                let media = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|param| param.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (media == wanted).then_some(q)
            })
            .fold(0.0_f32, f32::max)
    };
    let json = quality("application/json");
    json > 0.0 && json >= quality("text/html")
}

/// `GET /debug/image?url=A&src=I`: the picture of image `I` in the report on `A`.
pub(super) async fn image(
    request: &HttpRequest,
    service: &Arc<Service>,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(request);
    let url = query.article_url(service)?;
    let source = query
        .get("src")?
        .ok_or_else(|| AppError::invalid_parameter("The src parameter is required."))?;
    let inspection = service.report(&url, false).await?;
    let body = inspection
        .value
        .picture(source)
        .ok_or_else(AppError::not_in_report)?;
    let answer = Answer {
        url: &url,
        cached: &inspection,
        body,
        media_type: "image/jpeg",
        wanted: None,
    };
    Ok(cached_response(request, service, &answer))
}

/// `GET /favicon.svg`: the debugger's icon (a static file of ours, confined all the same).
pub(super) fn favicon() -> HttpResponse {
    let mut response = HttpResponse::Ok()
        .content_type("image/svg+xml")
        .body(pages::FAVICON);
    let headers = response.headers_mut();
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
