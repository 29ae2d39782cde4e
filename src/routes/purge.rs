//! `POST /purge?url=U`: drops every cached product of an article (its metadata, cards, oEmbed
//! answers, pages, thumbnails and lead photo), for editors who fixed a headline and want the new
//! card now: on this instance, in the shared tier and on every other instance, which confirm it
//! before the answer. Answers the CDN tag to purge too. Exists only when `APERCU_ADMIN_TOKEN` is
//! set; asks for it as a bearer token.

use std::sync::Arc;

use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL};
use actix_web::{HttpRequest, HttpResponse, web};

use super::Query;
use crate::config::AdminToken;
use crate::error::AppError;
use crate::service::Service;

/// The bearer token a request presents, if any.
pub(super) fn bearer(request: &HttpRequest) -> Option<&str> {
    request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, credentials)| credentials.trim())
}

pub(super) async fn purge(
    request: &HttpRequest,
    service: &Arc<Service>,
) -> Result<HttpResponse, AppError> {
    let token = request
        .app_data::<web::Data<AdminToken>>()
        .ok_or_else(AppError::not_found)?;
    if !bearer(request).is_some_and(|presented| token.matches(presented)) {
        return Err(AppError::unauthorized());
    }
    let url = Query::of(request).article_url(service)?;
    let purged = service.purge(&url).await;
    let tag = crate::versions::article_tag(url.as_str());
    let logged = crate::logging::loggable(url.as_str());
    let mut body = serde_json::json!({ "url": url.as_str(), "purged": purged.local, "tag": tag });
    match purged.shared {
        None => tracing::info!(url = %logged, purged = purged.local, "purged"),
        Some(Ok(shared)) if shared.confirmed >= shared.replicas => {
            tracing::info!(url = %logged, purged = purged.local, shared = shared.deleted, replicas = shared.replicas, "purged everywhere");
            body["shared"] = serde_json::json!({
                "deleted": shared.deleted,
                "instances": shared.replicas,
                "confirmed": shared.confirmed,
            });
        }
        Some(Ok(shared)) => {
            return Err(AppError::purge_incomplete(format!(
                "{} of {} instances confirmed the purge",
                shared.confirmed, shared.replicas
            )));
        }
        Some(Err(down)) => {
            return Err(AppError::purge_incomplete(format!(
                "the shared cache did not answer: {down}"
            )));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body.to_string()))
}
