//! `GET /card.png|jpg|webp?url=U`: the article's 1200×630 card.

use actix_web::{HttpRequest, HttpResponse};

use super::{Query, cached_response};
use crate::card::Format;
use crate::error::AppError;
use crate::service::Service;

pub(super) async fn card(
    request: &HttpRequest,
    service: &std::sync::Arc<Service>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let url = Query::of(request).article_url(service)?;
    let card = service.card(&url, format).await?;
    Ok(cached_response(
        request,
        service,
        &card,
        &card.value,
        format.media_type(),
    ))
}
