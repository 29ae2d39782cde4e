//! `POST /warm` (a JSON list of article URLs, feeds or sitemaps: answers a job id at once) and
//! `GET /warm/{id}` (its progress, one result per URL). Exist only when `APERCU_ADMIN_TOKEN` is
//! set; ask for it as a bearer token.

use std::sync::Arc;

use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::config::AdminToken;
use crate::error::AppError;
use crate::service::Service;
use crate::warm::{Job, Request, Warmer};

/// The largest body `POST /warm` reads (a thousand URLs fit).
const MAX_BODY: usize = 1024 * 1024;

fn authorized(request: &HttpRequest) -> Result<(), AppError> {
    let token = request
        .app_data::<web::Data<AdminToken>>()
        .ok_or_else(AppError::not_found)?;
    if super::purge::bearer(request).is_some_and(|presented| token.matches(presented)) {
        Ok(())
    } else {
        Err(AppError::unauthorized())
    }
}

pub(super) async fn start(
    request: HttpRequest,
    body: web::Payload,
    warmer: web::Data<Warmer>,
    service: web::Data<Service>,
) -> Result<HttpResponse, AppError> {
    authorized(&request)?;
    // Read here, not by an extractor, so that the token is checked before any body is read,
    // and a body too large gets our error.
    let body = body
        .to_bytes_limited(MAX_BODY)
        .await
        .map_err(|_| AppError::body_too_large(MAX_BODY))?
        .map_err(|_| AppError::invalid_parameter("The request body could not be read."))?;
    let asked: Request = serde_json::from_slice(&body).map_err(|_| {
        AppError::invalid_parameter(
            "The body must be JSON: {\"urls\": [...]}, {\"feed\": URL} or {\"sitemap\": URL}, with \"formats\" and \"oembed\" if wanted.",
        )
    })?;
    let job = warmer
        .into_inner()
        .start(&asked)
        .map_err(|e| AppError::warm_request(e.to_string()))?;
    let status = format!("{}warm/{}", service.public_url, job.id);
    let answer = serde_json::json!({
        "id": job.id,
        "state": job.progress().phase.name(),
        "status": status,
    });
    Ok(HttpResponse::Accepted()
        .insert_header((LOCATION, status))
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(answer))
}

pub(super) async fn status(
    request: HttpRequest,
    id: web::Path<String>,
    warmer: web::Data<Warmer>,
) -> Result<HttpResponse, AppError> {
    authorized(&request)?;
    let job = warmer.job(&id).ok_or_else(AppError::no_such_job)?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(progress_json(&job)))
}

/// A job's progress as `GET /warm/{id}` answers it (and `apercu warm` prints it).
#[must_use]
pub fn progress_json(job: &Arc<Job>) -> serde_json::Value {
    let progress = job.progress();
    let articles = progress
        .outcomes
        .iter()
        .filter(|outcome| outcome.what == "article");
    let done = articles.clone().count();
    let ok = articles.filter(|outcome| outcome.result.is_ok()).count();
    let results: Vec<serde_json::Value> = progress
        .outcomes
        .iter()
        .map(|outcome| match &outcome.result {
            Ok(()) => serde_json::json!({ "url": outcome.url, "what": outcome.what, "ok": true }),
            Err(error) => {
                let error = AppError::from(error.clone());
                serde_json::json!({
                    "url": outcome.url,
                    "what": outcome.what,
                    "ok": false,
                    "error": { "code": error.code().as_str(), "message": error.message() },
                })
            }
        })
        .collect();
    let seconds = progress
        .took
        .unwrap_or_else(|| progress.started.elapsed())
        .as_secs_f64();
    serde_json::json!({
        "id": job.id,
        "state": progress.phase.name(),
        "total": progress.total,
        "done": done,
        "ok": ok,
        "failed": progress.outcomes.len() - ok,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "results": results,
    })
}
