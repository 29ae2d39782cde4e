//! `GET /card.png|jpg|webp?url=U`: the article's 1200×630 card.

use actix_web::{HttpRequest, HttpResponse};

use super::{Answer, Query, cached_response};
use crate::card::Format;
use crate::error::AppError;
use crate::service::Service;

pub(super) async fn card(
    request: &HttpRequest,
    service: &std::sync::Arc<Service>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(request);
    let url = query.article_url(service)?;
    let wanted = query.version()?;
    let card = service.card(&url, format, wanted).await?;
    let answer = Answer {
        url: &url,
        cached: &card,
        body: &card.value,
        media_type: format.media_type(),
        wanted,
    };
    Ok(cached_response(request, service, &answer))
}
