//! `GET /thumb?url=U&w=W`: the article's lead photo as a JPEG, `W` pixels across.

use actix_web::{HttpRequest, HttpResponse};

use super::{Answer, Query, cached_response};
use crate::error::AppError;
use crate::service::Service;

const DEFAULT_WIDTH: u32 = 600;
const MAX_WIDTH: u32 = 1200;

pub(super) async fn thumb(
    request: &HttpRequest,
    service: &std::sync::Arc<Service>,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(request);
    let url = query.article_url(service)?;
    let width = match query.get("w")? {
        None => DEFAULT_WIDTH,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|w| (1..=MAX_WIDTH).contains(w))
            .ok_or_else(|| {
                AppError::invalid_parameter("w must be a whole number from 1 to 1200.")
            })?,
    };
    let wanted = query.version()?;
    let body = service.thumbnail(&url, width, wanted).await?;
    let answer = Answer {
        url: &url,
        cached: &body,
        body: &body.value,
        media_type: "image/jpeg",
        wanted,
    };
    Ok(cached_response(request, service, &answer))
}
