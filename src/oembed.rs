//! oEmbed 1.0 (docs/api.md, <https://oembed.com>): the `rich` response whose `html` is
//! a sandboxed iframe on our `/embed` page, sized within the consumer's `maxwidth`/`maxheight`, as
//! JSON or XML. Pure: an article, the photo's size and the request in; a response out.

use std::fmt::Write as _;

use serde::Serialize;
use url::Url;

use crate::article_url::ArticleUrl;
use crate::extract::Article;
use crate::signing::Keys;
use crate::versions::Versions;

/// The embed's size when the consumer sets no bound; scaled down together, never up.
pub const NATURAL_WIDTH: u32 = 600;
pub const NATURAL_HEIGHT: u32 = 480;
/// Below this width the embed page is no longer readable: such a bound is "cannot fit" (404).
pub const MIN_WIDTH: u32 = 200;
/// Bounds above this are clamped (docs/security.md §2.3).
pub const MAX_BOUND: u32 = 4096;
/// Widths are rounded down to a multiple of this, so one article has a few dozen cached variants
/// at most, whatever bounds consumers send.
const WIDTH_STEP: u32 = 10;
/// The widest thumbnail offered (`/thumb` serves up to 1200).
const THUMBNAIL_WIDTH: u32 = 600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OembedError {
    #[error("{0} must be a positive whole number")]
    InvalidBound(&'static str),
    #[error("the embed cannot fit within {0}×{1}")]
    CannotFit(u32, u32),
    #[error("format {0:?} is not supported: use json or xml")]
    UnsupportedFormat(String),
}

/// The two response formats of the oEmbed spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OembedFormat {
    Json,
    Xml,
}

impl OembedFormat {
    /// # Errors
    /// [`OembedError::UnsupportedFormat`] (the spec's 501).
    pub fn from_name(name: &str) -> Result<Self, OembedError> {
        match name {
            "json" => Ok(OembedFormat::Json),
            "xml" => Ok(OembedFormat::Xml),
            other => Err(OembedError::UnsupportedFormat(
                other.chars().take(32).collect(),
            )),
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            OembedFormat::Json => "json",
            OembedFormat::Xml => "xml",
        }
    }

    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            OembedFormat::Json => "application/json",
            OembedFormat::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// Parses a `maxwidth`/`maxheight` value: a positive whole number, clamped to [`MAX_BOUND`].
///
/// # Errors
/// [`OembedError::InvalidBound`] for zero, negative, fractional or non-numeric values.
pub fn parse_bound(name: &'static str, raw: &str) -> Result<u32, OembedError> {
    let digits = raw.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OembedError::InvalidBound(name));
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Err(OembedError::InvalidBound(name));
    }
    // More digits than a u32 holds is simply "very large".
    Ok(significant
        .parse::<u32>()
        .map_or(MAX_BOUND, |n| n.min(MAX_BOUND)))
}

/// The embed's size within the bounds: the natural size scaled down (aspect kept), its width
/// rounded down to a step.
///
/// # Errors
/// [`OembedError::CannotFit`] when that leaves less than [`MIN_WIDTH`].
pub fn embed_size(
    max_width: Option<u32>,
    max_height: Option<u32>,
) -> Result<(u32, u32), OembedError> {
    let by_width = max_width.unwrap_or(NATURAL_WIDTH).min(NATURAL_WIDTH);
    let by_height = max_height.map_or(NATURAL_WIDTH, |h| {
        // The widest embed whose height fits, aspect kept.
        u32::try_from(u64::from(h) * u64::from(NATURAL_WIDTH) / u64::from(NATURAL_HEIGHT))
            .unwrap_or(u32::MAX)
    });
    let width = by_width.min(by_height) / WIDTH_STEP * WIDTH_STEP;
    if width < MIN_WIDTH {
        return Err(OembedError::CannotFit(
            max_width.unwrap_or(NATURAL_WIDTH),
            max_height.unwrap_or(NATURAL_HEIGHT),
        ));
    }
    Ok((width, scale(NATURAL_HEIGHT, width, NATURAL_WIDTH)))
}

/// `value × numerator / denominator`, rounded, for sizes.
fn scale(value: u32, numerator: u32, denominator: u32) -> u32 {
    let scaled = (u64::from(value) * u64::from(numerator) + u64::from(denominator) / 2)
        / u64::from(denominator.max(1));
    u32::try_from(scaled).unwrap_or(u32::MAX)
}

/// The size `/thumb?w=W` serves for a photo of `photo` size: `W` across (never enlarged),
/// aspect kept.
#[must_use]
pub fn thumbnail_size(photo: (u32, u32), width: u32) -> (u32, u32) {
    let width = width.min(photo.0).max(1);
    (width, scale(photo.1, width, photo.0).max(1))
}

/// An oEmbed response (the field names are the spec's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Oembed {
    pub version: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    pub provider_url: String,
    pub cache_age: u64,
    pub html: String,
    pub width: u32,
    pub height: u32,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Thumbnail>,
    /// Extensions (oEmbed allows more fields; consumers ignore what they do not know): the
    /// thumbnail's dominant colour (`#rrggbb`) and `BlurHash`, to draw while it loads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_blurhash: Option<String>,
}

/// The thumbnail triple: all three fields or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thumbnail {
    #[serde(rename = "thumbnail_url")]
    pub url: String,
    #[serde(rename = "thumbnail_width")]
    pub width: u32,
    #[serde(rename = "thumbnail_height")]
    pub height: u32,
}

/// The article an oEmbed response or a page presents, and where the service lives.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub article: &'a Article,
    /// The URL the request named (normalised): links back into the service use it.
    pub url: &'a ArticleUrl,
    /// `APERCU_PUBLIC_URL`, ending in `/`.
    pub public_url: &'a Url,
    /// The decoded lead photo's size, when there is a usable photo.
    pub photo: Option<(u32, u32)>,
    /// What stands for that photo while it loads.
    pub placeholder: Option<&'a crate::card::photo::Placeholder>,
    /// The site's icon (or the theme's logo) as a `data:` URL and its width at
    /// [`crate::pages::ICON_HEIGHT`] pixels tall.
    pub icon: Option<(&'a str, u32)>,
    /// The content versions of the answers its URLs name (`v=`).
    pub versions: &'a Versions,
    /// The keys that sign the URLs it names, when the service signs.
    pub keys: Option<&'a Keys>,
}

impl Subject<'_> {
    /// What the article is called: its title, else its site's name, else its URL.
    #[must_use]
    pub fn heading(&self) -> &str {
        self.article
            .title
            .as_deref()
            .or(self.article.site_name.as_deref())
            .unwrap_or(self.url.as_str())
    }

    /// `route` of this service for the same article, with `extra` parameters; signed (without
    /// expiry) when the service signs.
    #[must_use]
    pub fn service_url(&self, route: &str, extra: &[(&str, String)]) -> String {
        signed_service_url(self.public_url, route, self.url, extra, self.keys, None)
    }
}

/// `{public}{route}?url=…` and any further parameters.
#[must_use]
pub fn service_url(
    public_url: &Url,
    route: &str,
    url: &ArticleUrl,
    extra: &[(&str, String)],
) -> String {
    let mut target = public_url.clone();
    target.set_path(&format!("{}{route}", public_url.path()));
    {
        let mut query = target.query_pairs_mut();
        query.append_pair("url", url.as_str());
        for (name, value) in extra {
            query.append_pair(name, value);
        }
    }
    target.into()
}

/// [`service_url`], followed by its signature when `keys` are given (see [`crate::signing`]).
#[must_use]
pub fn signed_service_url(
    public_url: &Url,
    route: &str,
    url: &ArticleUrl,
    extra: &[(&str, String)],
    keys: Option<&Keys>,
    expires: Option<u64>,
) -> String {
    let Some(keys) = keys else {
        return service_url(public_url, route, url, extra);
    };
    let borrowed: Vec<(&str, &str)> = extra
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let mut all: Vec<(&str, String)> = extra.to_vec();
    all.extend(crate::signing::signature_parameters(
        keys,
        route,
        url.as_str(),
        &borrowed,
        expires,
    ));
    service_url(public_url, route, url, &all)
}

/// Builds the response for an embed of `size` (fitted by [`embed_size`]).
#[must_use]
pub fn oembed(subject: &Subject<'_>, (width, height): (u32, u32), cache_age: u64) -> Oembed {
    let article = subject.article;
    let thumbnail = subject.photo.map(|photo| {
        // Within the embed's own bounds, like the rest of the response.
        let (mut thumb_w, mut thumb_h) = thumbnail_size(photo, THUMBNAIL_WIDTH.min(width));
        if thumb_h > height {
            thumb_w = scale(thumb_w, height, thumb_h).max(1);
            (thumb_w, thumb_h) = thumbnail_size(photo, thumb_w);
        }
        Thumbnail {
            url: subject.service_url(
                "thumb",
                &[
                    ("w", thumb_w.to_string()),
                    ("v", subject.versions.thumb.clone()),
                ],
            ),
            width: thumb_w,
            height: thumb_h,
        }
    });
    let origin = article.url.origin().ascii_serialization();
    let html = embed_html(
        &subject.service_url("embed", &[("v", subject.versions.embed.clone())]),
        article.url.as_str(),
        subject.heading(),
        width,
        height,
    );
    Oembed {
        version: "1.0",
        kind: "rich",
        title: article.title.clone(),
        author_name: (!article.authors.is_empty()).then(|| article.authors.join(", ")),
        provider_name: article.site_name.clone(),
        provider_url: format!("{origin}/"),
        cache_age,
        html,
        width,
        height,
        thumbnail_color: subject
            .placeholder
            .filter(|_| thumbnail.is_some())
            .map(|p| p.color.clone()),
        thumbnail_blurhash: subject
            .placeholder
            .filter(|_| thumbnail.is_some())
            .map(|p| p.blurhash.clone()),
        thumbnail,
    }
}

/// The embed code: a link in a blockquote (what consumers that drop iframes or scripts show),
/// the sandboxed iframe (hidden until the script has taken over), and a small script that shows
/// it and applies the height the embed page reports (the same for every embed, so the response
/// stays cacheable).
fn embed_html(
    embed_src: &str,
    article_url: &str,
    heading: &str,
    width: u32,
    height: u32,
) -> String {
    let src = html_escape::encode_double_quoted_attribute(embed_src);
    let href = html_escape::encode_double_quoted_attribute(article_url);
    let title_attribute = html_escape::encode_double_quoted_attribute(heading);
    let heading = html_escape::encode_text(heading);
    format!(
        concat!(
            "<blockquote class=\"apercu-embed\"><a href=\"{href}\">{heading}</a></blockquote>",
            "<iframe class=\"apercu-embed\" src=\"{src}\" width=\"{width}\" height=\"{height}\" ",
            "title=\"{title}\" sandbox=\"allow-scripts allow-popups allow-popups-to-escape-sandbox\" ",
            "referrerpolicy=\"no-referrer\" loading=\"lazy\" ",
            "style=\"position:absolute;visibility:hidden;border:0;max-width:100%\"></iframe>",
            "<script>{script}</script>"
        ),
        href = href,
        heading = heading,
        src = src,
        width = width,
        height = height,
        title = title_attribute,
        script = EMBED_SCRIPT,
    )
}

/// Shows each new iframe and applies the heights its page posts (`apercu:height` messages,
/// known to come from that frame by their source window); then drops the fallback link. The
/// iframe's `src` is never touched, so each embed costs one request. No outside resources, no
/// globals but one flag.
const EMBED_SCRIPT: &str = "(function(w,d){if(w.apercuEmbed)return;w.apercuEmbed=1;\
function init(){d.querySelectorAll('iframe.apercu-embed:not([data-shown])').forEach(function(f){\
f.setAttribute('data-shown','');f.style.position='';f.style.visibility='';\
var q=f.previousElementSibling;if(q&&q.classList.contains('apercu-embed'))q.style.display='none';});}\
w.addEventListener('message',function(e){var m=e.data;if(!m||m.type!=='apercu:height')return;\
d.querySelectorAll('iframe.apercu-embed').forEach(function(f){\
if(f.contentWindow===e.source){\
var h=Math.max(120,Math.min(2000,parseInt(m.height,10)||0));f.height=h;}});});\
if(d.readyState==='loading')d.addEventListener('DOMContentLoaded',init);else init();\
})(window,document);";

/// The JSON body.
#[must_use]
pub fn to_json(response: &Oembed) -> Vec<u8> {
    serde_json::to_vec(response).unwrap_or_default()
}

/// The XML body: one `<oembed>` root, one element per field, every value escaped.
#[must_use]
pub fn to_xml(response: &Oembed) -> Vec<u8> {
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<oembed>\n");
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(
            xml,
            "  <{name}>{}</{name}>",
            html_escape::encode_text(value)
        );
    };
    field("version", response.version);
    field("type", response.kind);
    for (name, value) in [
        ("title", &response.title),
        ("author_name", &response.author_name),
        ("provider_name", &response.provider_name),
    ] {
        if let Some(value) = value {
            field(name, value);
        }
    }
    field("provider_url", &response.provider_url);
    field("cache_age", &response.cache_age.to_string());
    field("html", &response.html);
    field("width", &response.width.to_string());
    field("height", &response.height.to_string());
    if let Some(thumbnail) = &response.thumbnail {
        field("thumbnail_url", &thumbnail.url);
        field("thumbnail_width", &thumbnail.width.to_string());
        field("thumbnail_height", &thumbnail.height.to_string());
    }
    for (name, value) in [
        ("thumbnail_color", &response.thumbnail_color),
        ("thumbnail_blurhash", &response.thumbnail_blurhash),
    ] {
        if let Some(value) = value {
            field(name, value);
        }
    }
    xml.push_str("</oembed>\n");
    xml.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_positive_whole_numbers() {
        for bad in ["0", "-1", "abc", "1.5", "", " ", "1e3", "+5", "000"] {
            assert!(parse_bound("maxwidth", bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_bound("maxwidth", "300"), Ok(300));
        assert_eq!(parse_bound("maxwidth", "0300"), Ok(300));
        assert_eq!(parse_bound("maxwidth", "1000000000"), Ok(MAX_BOUND));
        assert_eq!(
            parse_bound("maxwidth", "99999999999999999999"),
            Ok(MAX_BOUND)
        );
    }

    #[test]
    fn the_embed_never_exceeds_its_bounds_and_keeps_its_aspect() {
        assert_eq!(embed_size(None, None), Ok((600, 480)));
        assert_eq!(embed_size(Some(4096), Some(4096)), Ok((600, 480)));
        assert_eq!(embed_size(Some(437), None), Ok((430, 344)));
        assert_eq!(embed_size(None, Some(300)), Ok((370, 296)));
        for w in (MIN_WIDTH..700).step_by(7) {
            for h in (160..600).step_by(11) {
                if let Ok((width, height)) = embed_size(Some(w), Some(h)) {
                    assert!(width <= w && height <= h, "{w}×{h} gave {width}×{height}");
                    assert_eq!(width % WIDTH_STEP, 0);
                }
            }
        }
    }

    #[test]
    fn a_bound_the_embed_cannot_fit_is_refused() {
        assert!(matches!(
            embed_size(Some(150), None),
            Err(OembedError::CannotFit(..))
        ));
        assert!(matches!(
            embed_size(None, Some(100)),
            Err(OembedError::CannotFit(..))
        ));
    }

    #[test]
    fn thumbnails_are_never_enlarged() {
        assert_eq!(thumbnail_size((1600, 1067), 600), (600, 400));
        assert_eq!(thumbnail_size((300, 200), 600), (300, 200));
    }

    #[test]
    fn only_json_and_xml_are_formats() {
        assert_eq!(OembedFormat::from_name("xml"), Ok(OembedFormat::Xml));
        assert!(OembedFormat::from_name("yaml").is_err());
        assert!(OembedFormat::from_name("JSON").is_err());
    }
}
