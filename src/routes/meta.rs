//! `GET /meta?url=U`: the article's metadata as JSON (docs/api.md, `GET /meta`).

use actix_web::{HttpRequest, HttpResponse};

use super::{Answer, Query, cached_response};
use crate::error::AppError;
use crate::service::Service;

pub(super) async fn meta(
    request: &HttpRequest,
    service: &std::sync::Arc<Service>,
) -> Result<HttpResponse, AppError> {
    let url = Query::of(request).article_url(service)?;
    let body = service.meta(&url).await?;
    let answer = Answer {
        url: &url,
        cached: &body,
        body: &body.value,
        media_type: "application/json",
        wanted: None,
    };
    Ok(cached_response(request, service, &answer))
}
