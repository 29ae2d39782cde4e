//! `GET /embed?url=U` and `GET /share?url=U`: HTML, with HTML errors.

use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderName, HeaderValue, REFERRER_POLICY};
use actix_web::{HttpRequest, HttpResponse};

use super::{Answer, Query, cached_response};
use crate::error::AppError;
use crate::service::{PageKind, Service};

pub(super) async fn page(
    request: &HttpRequest,
    service: &std::sync::Arc<Service>,
    kind: PageKind,
) -> HttpResponse {
    let query = Query::of(request);
    let url = match query.article_url(service) {
        Ok(url) => url,
        Err(error) => return error.html_response(None),
    };
    let wanted = match query.version() {
        Ok(wanted) => wanted,
        Err(error) => return error.html_response(Some(url.as_str())),
    };
    let page = match service.page(&url, kind, wanted).await {
        Ok(page) => page,
        Err(error) => return AppError::from(error).html_response(Some(url.as_str())),
    };
    let answer = Answer {
        url: &url,
        cached: &page,
        body: &page.value.body,
        media_type: "text/html; charset=utf-8",
        wanted,
    };
    let mut response = cached_response(request, service, &answer);
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&page.value.content_security_policy) {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if kind == PageKind::Share {
        headers.insert(
            HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex"),
        );
    }
    response
}
