//! The bundled sample site, answered by the fetcher itself: the example article
//! (`assets/sample-article.html`) and its photo at `https://sample.apercu.invalid/…`, so that a
//! newcomer without the internet sees every route, the preview debugger and the command line at
//! work. `.invalid` is reserved and never resolves (RFC 2606): no real site can be shadowed, and
//! nothing is fetched from anywhere. The host is answered whatever `APERCU_ALLOWED_HOSTS` says.

use super::client::{FetchError, Fetched, Hop, Kind};
use crate::article_url::ArticleUrl;

/// The host of the sample site.
pub const HOST: &str = "sample.apercu.invalid";

/// The sample article's URL.
pub const ARTICLE: &str =
    "https://sample.apercu.invalid/chiffres/microsoft-investit-29-milliards-ia-japon/";

const PAGE: &[u8] = include_bytes!("../../assets/sample-article.html");
const PHOTO: &[u8] = include_bytes!("../../assets/sample-photo.jpg");

/// What the sample site answers for `url`, or `None` when `url` is not on it.
#[must_use]
pub fn answer(url: &ArticleUrl, kind: Kind) -> Option<Result<Fetched, FetchError>> {
    let url_ref = url.as_url();
    if url_ref.host_str() != Some(HOST) {
        return None;
    }
    let (body, media_type) = match (url_ref.path(), kind) {
        ("/chiffres/microsoft-investit-29-milliards-ia-japon/", Kind::Page) => (PAGE, "text/html"),
        ("/img/lead.jpg" | "/img/lead-800.jpg", Kind::Image) => (PHOTO, "image/jpeg"),
        _ => return Some(Err(FetchError::NotFound(404))),
    };
    Some(Ok(Fetched {
        url: url.clone(),
        body: body.to_vec(),
        media_type: Some(media_type.to_owned()),
        charset: (kind == Kind::Page).then(|| "utf-8".to_owned()),
        max_age: None,
        truncated: false,
        hops: vec![Hop {
            url: url.to_string(),
            status: 200,
            millis: 0,
        }],
        robots: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(raw: &str) -> ArticleUrl {
        ArticleUrl::parse(raw, &[]).unwrap()
    }

    #[test]
    fn the_sample_article_and_its_photo_are_answered_without_the_network() {
        let page = answer(&url(ARTICLE), Kind::Page).unwrap().unwrap();
        assert!(String::from_utf8_lossy(&page.body).contains("Microsoft investit"));
        let photo = answer(
            &url("https://sample.apercu.invalid/img/lead.jpg"),
            Kind::Image,
        )
        .unwrap()
        .unwrap();
        assert!(photo.body.starts_with(b"\xFF\xD8\xFF"));
        assert!(matches!(
            answer(&url("https://sample.apercu.invalid/nothing"), Kind::Page),
            Some(Err(FetchError::NotFound(404)))
        ));
        assert!(answer(&url("https://news.example/a"), Kind::Page).is_none());
    }
}
