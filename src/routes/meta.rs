//! `GET /meta?url=U`: the article's metadata as JSON (SPEC §4).

use actix_web::{HttpRequest, HttpResponse};

use super::{Query, cached_response};
use crate::error::AppError;
use crate::service::{Body, Service};

pub(super) async fn meta(
    request: &HttpRequest,
    service: &std::sync::Arc<Service>,
) -> Result<HttpResponse, AppError> {
    let url = Query::of(request).article_url(service)?;
    let article = service.article(&url).await?;
    let json = serde_json::to_vec_pretty(&*article.value)
        .map_err(|e| crate::service::ServiceError::Internal(e.to_string()))?;
    Ok(cached_response(
        request,
        service,
        &article,
        &Body::new(json),
        "application/json",
    ))
}
