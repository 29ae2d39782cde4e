//! Open Graph (`og:*`) and `article:*` properties. The first of duplicated tags wins, as
//! Facebook's crawler does; `og:image:*` attributes belong to the `og:image` before them.

use super::found::{Found, ImageCandidate, parse_dimension};
use super::scan::MetaTag;

/// Reads the Open Graph properties among a page's `<meta>` tags.
#[must_use]
pub fn read(metas: &[MetaTag]) -> Found {
    let mut out = Found::default();
    let first = |keys: &[&str]| -> Option<String> {
        metas
            .iter()
            .find(|m| keys.iter().any(|k| m.is(k)) && !m.content.trim().is_empty())
            .map(|m| m.content.clone())
    };
    out.title = first(&["og:title"]);
    out.description = first(&["og:description"]);
    out.site_name = first(&["og:site_name"]);
    out.canonical_url = first(&["og:url"]);
    out.kind = first(&["og:type"]).map(|t| t.trim().to_lowercase());
    out.lang = first(&["og:locale"]);
    out.logo = first(&["og:logo"]);
    out.category = first(&["article:section", "og:article:section"]);
    out.published_at = first(&[
        "article:published_time",
        "og:article:published_time",
        "article:published",
    ]);
    out.modified_at = first(&[
        "article:modified_time",
        "og:article:modified_time",
        "og:updated_time",
    ]);
    out.authors = metas
        .iter()
        .filter(|m| m.is("article:author") || m.is("og:article:author"))
        .map(|m| m.content.clone())
        .collect();
    out.keywords = metas
        .iter()
        .filter(|m| m.is("article:tag") || m.is("og:article:tag"))
        .map(|m| m.content.clone())
        .collect();
    out.images = images(metas, "og:image", &["og:image:url", "og:image:secure_url"]);
    out
}

/// Structured image properties: `{prefix}` (or one of `url_aliases`) starts an image;
/// `{prefix}:width`, `:height` and `:alt` complete the latest one.
#[must_use]
pub fn images(metas: &[MetaTag], prefix: &str, url_aliases: &[&str]) -> Vec<ImageCandidate> {
    let width_key = format!("{prefix}:width");
    let height_key = format!("{prefix}:height");
    let alt_key = format!("{prefix}:alt");
    let mut images: Vec<ImageCandidate> = Vec::new();
    let mut last_was_alias = false;
    for meta in metas {
        let content = meta.content.trim();
        if meta.is(prefix) || url_aliases.iter().any(|k| meta.is(k)) {
            let alias = !meta.is(prefix);
            // `og:image` followed by `og:image:secure_url` describe one image, not two.
            let same_image = images
                .last()
                .is_some_and(|_| alias != last_was_alias && alias);
            if !content.is_empty() && !same_image {
                images.push(ImageCandidate::new(content.to_owned()));
            }
            last_was_alias = alias;
        } else if let Some(image) = images.last_mut() {
            if meta.is(&width_key) {
                image.width = image.width.or_else(|| parse_dimension(content));
            } else if meta.is(&height_key) {
                image.height = image.height.or_else(|| parse_dimension(content));
            } else if meta.is(&alt_key) && image.alt.is_none() && !content.is_empty() {
                image.alt = Some(content.to_owned());
            }
        }
    }
    images
}
