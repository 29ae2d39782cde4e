//! `GET /oembed?url=U&format=json|xml&maxwidth=W&maxheight=H`, `/oembed.json`, `/oembed.xml`.

use actix_web::{HttpRequest, HttpResponse};

use super::{Answer, Query, cached_response};
use crate::error::AppError;
use crate::oembed::{OembedFormat, embed_size, parse_bound};
use crate::service::Service;

/// `fixed` is the format a `.json`/`.xml` route names; a `format` parameter must then agree.
pub(super) async fn oembed(
    request: &HttpRequest,
    service: &std::sync::Arc<Service>,
    fixed: Option<OembedFormat>,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(request);
    let url = query.article_url(service)?;
    let asked = query
        .get("format")?
        .map(OembedFormat::from_name)
        .transpose()?;
    let format = match (fixed, asked) {
        (Some(fixed), Some(asked)) if fixed != asked => {
            return Err(AppError::invalid_parameter(
                "The format parameter contradicts the route.",
            ));
        }
        (fixed, asked) => fixed.or(asked).unwrap_or(OembedFormat::Json),
    };
    let bound = |name| {
        query
            .get(name)?
            .map(|raw| parse_bound(name, raw))
            .transpose()
            .map_err(AppError::from)
    };
    let size = embed_size(bound("maxwidth")?, bound("maxheight")?)?;
    let body = service.oembed(&url, format, size).await?;
    let answer = Answer {
        url: &url,
        cached: &body,
        body: &body.value,
        media_type: format.media_type(),
        wanted: None,
    };
    Ok(cached_response(request, service, &answer))
}
