//! The article's photo among the page's images: lazy loading, `srcset`, `<picture>`,
//! `<noscript>` copies; never a logo, icon, avatar or tracking pixel. And the site's logo.

use scraper::ElementRef;

use super::{Visit, dom, has_marker};
use crate::extract::found::{ImageCandidate, parse_dimension};

/// Class, id, alt or file-name words of images that are not photos (same matching).
const NOT_A_PHOTO: &[&str] = &[
    "logo*",
    "icon",
    "favicon*",
    "avatar*",
    "gravatar*",
    "author",
    "profile",
    "sprite*",
    "badge",
    "emoji*",
    "smiley*",
    "spinner",
    "loader",
    "loading",
    "placeholder*",
    "pixel",
    "tracking",
    "tracker",
    "spacer",
    "blank",
    "transparent",
    "advert*",
    "button",
    "rating",
    "flag",
];

/// The URL an `<img>` really shows: the largest `srcset` candidate, lazy-loading attributes,
/// then `src`; `data:` placeholders never.
fn image_url(el: ElementRef<'_>) -> Option<(String, Option<u32>)> {
    let srcsets = ["data-srcset", "data-lazy-srcset", "srcset"];
    let singles = [
        "data-src",
        "data-lazy-src",
        "data-original",
        "data-lazy",
        "data-orig-file",
        "data-large-file",
        "data-hi-res-src",
        "data-full-src",
        "data-url",
        "src",
    ];
    let mut best: Option<(String, Option<u32>)> = srcsets
        .iter()
        .filter_map(|a| dom::attr(el, a))
        .filter_map(largest_in_srcset)
        .max_by_key(|(_, w)| w.unwrap_or(0));
    if let Some(picture) = dom::ancestors(el)
        .next()
        .filter(|p| p.value().name() == "picture")
    {
        for source in picture
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|c| c.value().name() == "source")
        {
            let typed_ok = dom::attr(source, "type").is_none_or(|t| !t.contains("svg"));
            let candidate = srcsets
                .iter()
                .filter_map(|a| dom::attr(source, a))
                .find_map(largest_in_srcset);
            if let (true, Some(c)) = (typed_ok, candidate)
                && best
                    .as_ref()
                    .is_none_or(|b| c.1.unwrap_or(0) > b.1.unwrap_or(0))
            {
                best = Some(c);
            }
        }
    }
    best.or_else(|| {
        singles
            .iter()
            .filter_map(|a| dom::attr(el, a))
            .find(|v| is_fetchable(v))
            .map(|v| (v.to_owned(), None))
    })
}

fn is_fetchable(v: &str) -> bool {
    let lower = v.trim_start().to_ascii_lowercase();
    !(lower.starts_with("data:")
        || lower.starts_with("javascript:")
        || lower.starts_with("about:")
        || lower.starts_with('#')
        || lower.starts_with("blob:"))
}

/// The largest candidate of a `srcset` (by `w` descriptor, then `x`), with its width. Parsed
/// as browsers do: a URL runs to whitespace (so `data:` URLs with commas stay whole), then
/// descriptors run to the next comma.
fn largest_in_srcset(srcset: &str) -> Option<(String, Option<u32>)> {
    let mut best: Option<(String, Option<u32>, u32)> = None;
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let url_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (mut url, after) = rest.split_at(url_end);
        let descriptor;
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
            descriptor = "";
            rest = after;
        } else {
            let end = after.find(',').unwrap_or(after.len());
            descriptor = after[..end].trim();
            rest = &after[end..];
        }
        if !is_fetchable(url) || url.is_empty() {
            continue;
        }
        let (width, rank) = if let Some(w) = descriptor.strip_suffix('w') {
            match w.trim().parse::<u32>() {
                Ok(w) => (Some(w), w),
                Err(_) => continue,
            }
        } else if let Some(x) = descriptor.strip_suffix('x') {
            match x.trim().parse::<f32>() {
                Ok(x) => (None, density_rank(x)),
                Err(_) => continue,
            }
        } else {
            (None, 1000)
        };
        if best.as_ref().is_none_or(|(_, _, r)| rank > *r) {
            best = Some((url.to_owned(), width, rank));
        }
    }
    best.map(|(url, width, _)| (url, width))
}

/// A pixel-density descriptor (`2x`) as a rank comparable with nothing else: thousandths.
#[expect(
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation,
    reason = "clamped to 0..=100_000 first"
)]
fn density_rank(x: f32) -> u32 {
    (x.clamp(0.0, 100.0) * 1000.0) as u32
}

/// True when an image's own markers (class, id, alt, file name) say it is not a photo.
#[must_use]
pub fn looks_like_non_photo(url: &str, markers: &str) -> bool {
    let file = url.split(['?', '#']).next().unwrap_or(url);
    let file = file.rsplit('/').next().unwrap_or(file).to_ascii_lowercase();
    let extension = file.rsplit_once('.').map(|(_, e)| e);
    if matches!(extension, Some("svg" | "ico"))
        || (matches!(extension, Some("gif" | "png")) && file.contains("1x1"))
    {
        return true;
    }
    let haystack = format!("{file} {markers}");
    has_marker(&haystack, NOT_A_PHOTO)
        || url.contains("gravatar.com")
        || url.contains("facebook.com/tr")
        || url.contains("/pixel")
}

pub(super) fn lead_images(
    visits: &[Visit<'_>],
    in_root: &dyn Fn(ElementRef<'_>) -> bool,
    h1_pos: Option<usize>,
) -> Vec<ImageCandidate> {
    let mut good: Vec<(u8, ImageCandidate)> = Vec::new();
    for (i, v) in visits.iter().enumerate() {
        if v.ctx.chrome || v.ctx.hidden || v.el.value().name() != "img" {
            continue;
        }
        let Some((url, srcset_width)) = image_url(v.el) else {
            continue;
        };
        let width = dom::attr(v.el, "width").and_then(parse_dimension);
        let height = dom::attr(v.el, "height").and_then(parse_dimension);
        if width.is_some_and(|w| w < 150) || height.is_some_and(|h| h < 100) {
            continue;
        }
        let mut markers = v.marks.to_string();
        if let Some(alt) = dom::raw_attr(v.el, "alt") {
            markers.push(' ');
            markers.push_str(&alt.to_lowercase());
        }
        for ancestor in dom::ancestors(v.el).take(2) {
            markers.push(' ');
            markers.push_str(&dom::class_and_id(ancestor));
        }
        if looks_like_non_photo(&url, &markers)
            || (url.to_ascii_lowercase().contains(".gif") && width.is_none())
        {
            continue;
        }
        // Inside the article first, then after the headline, then anywhere outside the chrome.
        let rank = if in_root(v.el) {
            0
        } else if h1_pos.is_some_and(|h| i > h) {
            1
        } else {
            2
        };
        let (width, height) = match (srcset_width, width, height) {
            (Some(sw), Some(w), Some(h)) => (
                Some(sw),
                u32::try_from(u64::from(sw) * u64::from(h) / u64::from(w)).ok(),
            ),
            (Some(sw), _, _) => (Some(sw), None),
            (None, w, h) => (w, h),
        };
        let alt = dom::raw_attr(v.el, "alt").map(str::to_owned);
        good.push((
            rank,
            ImageCandidate {
                url,
                width,
                height,
                alt,
            },
        ));
        if good.len() >= 24 {
            break;
        }
    }
    good.sort_by_key(|(rank, _)| *rank);
    good.into_iter().map(|(_, c)| c).collect()
}

pub(super) fn logo(
    visits: &[Visit<'_>],
    in_root: &dyn Fn(ElementRef<'_>) -> bool,
) -> Option<String> {
    visits
        .iter()
        .filter(|v| v.el.value().name() == "img" && !v.ctx.hidden && !in_root(v.el))
        .find_map(|v| {
            let mut markers = v.marks.to_string();
            markers.push(' ');
            markers.push_str(
                &dom::raw_attr(v.el, "alt")
                    .unwrap_or_default()
                    .to_lowercase(),
            );
            for a in dom::ancestors(v.el).take(3) {
                markers.push(' ');
                markers.push_str(&dom::class_and_id(a));
            }
            let (url, _) = image_url(v.el)?;
            (markers.contains("logo") || url.to_ascii_lowercase().contains("logo")).then_some(url)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_gives_its_largest_candidate() {
        assert_eq!(
            largest_in_srcset("a.jpg 320w, b.jpg 1600w, c.jpg 800w"),
            Some(("b.jpg".to_owned(), Some(1600)))
        );
        assert_eq!(
            largest_in_srcset("a.jpg, b.jpg 2x"),
            Some(("b.jpg".to_owned(), None))
        );
        assert_eq!(largest_in_srcset("data:image/gif;base64,R0 1x"), None);
    }

    #[test]
    fn logos_icons_and_pixels_are_not_photos() {
        assert!(looks_like_non_photo(
            "https://x.example/img/site-logo.png",
            ""
        ));
        assert!(looks_like_non_photo("https://x.example/favicon.ico", ""));
        assert!(looks_like_non_photo(
            "https://x.example/a.jpg",
            "author-avatar"
        ));
        assert!(!looks_like_non_photo(
            "https://x.example/uploads/2024/04/tokyo.jpg",
            "wp-image-12"
        ));
        assert!(looks_like_non_photo(
            "https://x.example/img/icons32.png",
            ""
        ));
        assert!(!looks_like_non_photo(
            "https://x.example/2024/iconic-skyline.jpg",
            "flagship store"
        ));
        assert!(!looks_like_non_photo(
            "https://x.example/2024/authority-report.jpg",
            "catalogo"
        ));
    }
}
