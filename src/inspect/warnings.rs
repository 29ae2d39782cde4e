//! What to fix on a page so that it is shared well, each finding with a stable code, a
//! severity and the fix. Pure: the page's facts, tags, image measurements and previews in,
//! findings out.

use serde::Serialize;
use url::Url;

use super::platforms::{PLATFORMS, Platform};
use super::preview::Preview;
use super::{ImageFacts, Measured, PageFacts};
use crate::extract::tags::{CharsetBasis, TagScan};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A preview is broken or missing somewhere: `apercu check` fails.
    Error,
    /// A preview is worse than it should be.
    Warning,
    /// Worth knowing.
    Notice,
}

impl Severity {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable, for scripts: `missing-og-image`, `image-too-heavy`…
    pub code: &'static str,
    pub severity: Severity,
    /// What is wrong, with the page's own values.
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// The platforms it affects, when not all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<&'static str>,
}

/// Below this, Facebook shows no image at all; below the large size, a small one.
const MIN_IMAGE: (u32, u32) = (200, 200);
const LARGE_IMAGE: (u32, u32) = (600, 315);
/// The shape of a large preview, and how far from it an image may be before it is cropped
/// badly.
const ASPECT: f64 = 1.91;
const ASPECT_RANGE: (f64, f64) = (1.5, 2.3);
/// The window of the most frugal crawler (Slack).
const FIRST_BYTES: usize = 32 * 1024;

/// Every finding about a page, most severe first.
#[must_use]
pub fn findings(
    page: &PageFacts,
    tags: &TagScan,
    images: &[ImageFacts],
    previews: &[Preview],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |code, severity, message: String, fix: &str, platforms: Vec<&'static str>| {
        out.push(Finding {
            code,
            severity,
            message,
            fix: fix.to_owned(),
            platforms,
        });
    };
    let has = |key: &str| tags.all(key).any(|tag| !tag.value.trim().is_empty());

    if !has("og:title") {
        add(
            "missing-og-title",
            Severity::Warning,
            "The page has no og:title: platforms fall back to <title>, site name and all."
                .to_owned(),
            "Add <meta property=\"og:title\" content=\"…\"> with the headline alone.",
            Vec::new(),
        );
    }
    if !has("og:description") {
        add(
            "missing-og-description",
            Severity::Warning,
            "The page has no og:description: previews show no summary, or whatever they guess."
                .to_owned(),
            "Add <meta property=\"og:description\" content=\"…\"> with one or two sentences.",
            Vec::new(),
        );
    }
    let og_image = tags
        .all("og:image")
        .find(|tag| !tag.value.trim().is_empty());
    match og_image {
        None => add(
            "missing-og-image",
            Severity::Error,
            "The page has no og:image: Facebook, LinkedIn, WhatsApp and most others show no picture."
                .to_owned(),
            "Add <meta property=\"og:image\" content=\"https://…\"> on a 1200×630 image (Aperçu's /card.jpg is one).",
            Vec::new(),
        ),
        Some(tag) => image_findings(page, tags, images, &tag.value, &mut add),
    }
    if !has("twitter:card") {
        add(
            "missing-twitter-card",
            Severity::Notice,
            "No twitter:card: X shows the small summary card, a thumbnail beside the title."
                .to_owned(),
            "Add <meta name=\"twitter:card\" content=\"summary_large_image\">.",
            vec!["x", "slack", "discord"],
        );
    }

    let late: Vec<String> = tags
        .tags
        .iter()
        .filter(|tag| tag.offset >= FIRST_BYTES)
        .filter(|tag| tag.key.starts_with("og:") || tag.key.starts_with("twitter:"))
        .map(|tag| format!("{} (byte {})", tag.key, tag.offset))
        .collect();
    if !late.is_empty() {
        add(
            "tags-past-32kb",
            Severity::Warning,
            format!(
                "{} past the first 32 KB of the page, which is all Slack reads: {}.",
                if late.len() == 1 {
                    "One tag sits"
                } else {
                    "Tags sit"
                },
                late.join(", ")
            ),
            "Put the Open Graph and Twitter tags first in <head>, before styles and scripts.",
            vec!["slack"],
        );
    }

    let canonical = tags
        .first("canonical")
        .and_then(|tag| page.url.join(&tag.value).ok());
    let og_url = tags
        .first("og:url")
        .and_then(|tag| page.url.join(&tag.value).ok());
    if let (Some(canonical), Some(og_url)) = (&canonical, &og_url)
        && !same_page(canonical, og_url)
    {
        add(
            "og-url-not-canonical",
            Severity::Warning,
            format!(
                "og:url ({og_url}) is not the canonical URL ({canonical}): shares of the two are counted apart."
            ),
            "Give og:url the same URL as <link rel=\"canonical\">.",
            vec!["facebook", "linkedin"],
        );
    }

    for (field, code) in [("title", "title-cut"), ("description", "description-cut")] {
        let cut: Vec<&'static str> = previews
            .iter()
            .filter(|preview| {
                let shown = if field == "title" {
                    &preview.title
                } else {
                    &preview.description
                };
                shown.as_ref().is_some_and(|shown| shown.cut)
            })
            .map(|preview| preview.platform)
            .collect();
        if !cut.is_empty() {
            let names: Vec<&str> = cut
                .iter()
                .filter_map(|id| PLATFORMS.iter().find(|p| p.id == *id).map(|p| p.name))
                .collect();
            add(
                code,
                Severity::Notice,
                format!("The {field} is cut on {}.", names.join(", ")),
                "Put what matters first; the previews below show where each platform cuts.",
                cut,
            );
        }
    }

    if page.hops.len() > 1 {
        let chain: Vec<String> = page
            .hops
            .iter()
            .map(|hop| format!("{} {} ({} ms)", hop.status, hop.url, hop.millis))
            .collect();
        add(
            "redirected",
            Severity::Notice,
            format!("The URL redirects before the page: {}.", chain.join(" → ")),
            "Share the final URL, and point og:url and the canonical link at it.",
            Vec::new(),
        );
    }
    if tags.charset_basis == CharsetBasis::Guessed {
        add(
            "charset-guessed",
            Severity::Warning,
            format!(
                "Nothing declares the page's encoding; it was guessed as {}.",
                tags.encoding
            ),
            "Send charset=utf-8 in Content-Type and put <meta charset=\"utf-8\"> first in <head>.",
            Vec::new(),
        );
    }
    if page.truncated {
        add(
            "page-cut",
            Severity::Warning,
            "The page is longer than Aperçu reads (APERCU_MAX_HTML_BYTES): tags after the cut were not seen.".to_owned(),
            "Keep the metadata in <head>, near the top.",
            Vec::new(),
        );
    }
    let robots_meta = tags
        .all("robots")
        .chain(tags.all("googlebot"))
        .map(|tag| tag.value.to_ascii_lowercase());
    let robots_header = page.robots.iter().map(|value| value.to_ascii_lowercase());
    let rules: Vec<String> = robots_meta.chain(robots_header).collect();
    if rules
        .iter()
        .any(|rule| rule.contains("noindex") || rule.contains("none"))
    {
        add(
            "noindex",
            Severity::Warning,
            format!(
                "Robots rules keep search engines out: {}.",
                rules.join("; ")
            ),
            "Remove noindex (meta robots, X-Robots-Tag) from pages meant to be found and shared.",
            vec!["google"],
        );
    }
    if !tags.all("alternate").any(|tag| {
        tag.media_type
            .as_deref()
            .is_some_and(|t| t.contains("oembed"))
    }) {
        add(
            "missing-oembed-discovery",
            Severity::Notice,
            "No oEmbed discovery link: Slack, WordPress and other consumers cannot embed the article richly.".to_owned(),
            "Add the <link rel=\"alternate\" type=\"application/json+oembed\"> of Aperçu's head snippet (in the preview debugger).",
            vec!["slack"],
        );
    }
    out.sort_by_key(|finding| finding.severity);
    out
}

/// Findings about the page's `og:image`.
fn image_findings(
    page: &PageFacts,
    tags: &TagScan,
    images: &[ImageFacts],
    raw: &str,
    add: &mut impl FnMut(&'static str, Severity, String, &str, Vec<&'static str>),
) {
    let raw = raw.trim();
    let absolute = Url::parse(raw).is_ok();
    let Some(url) = page
        .url
        .join(raw)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
    else {
        add(
            "image-not-http",
            Severity::Error,
            format!("og:image is not an http(s) URL: {raw}."),
            "Give og:image an absolute https:// URL.",
            Vec::new(),
        );
        return;
    };
    if !absolute {
        add(
            "image-url-relative",
            Severity::Warning,
            format!("og:image is relative ({raw}): WhatsApp and others need an absolute URL."),
            "Write og:image as an absolute https:// URL.",
            vec!["whatsapp"],
        );
    }
    let Some(facts) = images.iter().find(|facts| facts.url == url.as_str()) else {
        return;
    };
    let measured = match &facts.found {
        Err(reason) => {
            add(
                "image-unreachable",
                Severity::Error,
                format!("og:image cannot be fetched: {reason}."),
                "Serve the image publicly over https, as a JPEG, PNG or WebP.",
                Vec::new(),
            );
            return;
        }
        Ok(measured) => measured,
    };
    let Measured {
        width,
        height,
        bytes,
        media_type,
        redirected,
    } = measured;
    if *redirected {
        add(
            "image-redirects",
            Severity::Notice,
            format!("og:image ({url}) redirects; some crawlers do not follow image redirects."),
            "Point og:image at the image's final URL.",
            Vec::new(),
        );
    }
    if media_type.contains("svg") {
        add(
            "image-svg",
            Severity::Error,
            "og:image is an SVG: X and most platforms take no SVG.".to_owned(),
            "Use a JPEG or PNG (Aperçu's /card.jpg is one).",
            vec!["x", "facebook", "linkedin"],
        );
    }
    if *width < MIN_IMAGE.0 || *height < MIN_IMAGE.1 {
        add(
            "image-too-small",
            Severity::Error,
            format!("og:image is {width}×{height}: under 200×200, Facebook shows no image."),
            "Use an image of at least 1200×630.",
            vec!["facebook", "linkedin", "telegram"],
        );
    } else if *width < LARGE_IMAGE.0 || *height < LARGE_IMAGE.1 {
        add(
            "image-small",
            Severity::Warning,
            format!(
                "og:image is {width}×{height}: under 600×315 it is shown as a small thumbnail."
            ),
            "Use an image of at least 1200×630.",
            vec!["facebook", "whatsapp", "telegram"],
        );
    }
    let aspect = f64::from(*width) / f64::from((*height).max(1));
    if !(ASPECT_RANGE.0..=ASPECT_RANGE.1).contains(&aspect) {
        add(
            "image-aspect",
            Severity::Notice,
            format!(
                "og:image is {aspect:.2}:1, far from the {ASPECT}:1 of large previews: it will be cropped."
            ),
            "Use a 1.91:1 image (1200×630), or let Aperçu's card be the image.",
            Vec::new(),
        );
    }
    let declared = |key| {
        tags.first(key)
            .and_then(|tag| tag.value.trim().parse::<u32>().ok())
    };
    match (declared("og:image:width"), declared("og:image:height")) {
        (Some(w), Some(h)) if (w, h) != (*width, *height) => add(
            "image-size-mismatch",
            Severity::Warning,
            format!("og:image:width and og:image:height say {w}×{h}; the image is {width}×{height}."),
            "Declare the image's real size.",
            vec!["facebook"],
        ),
        (Some(_), Some(_)) => {}
        _ => add(
            "image-size-undeclared",
            Severity::Warning,
            "og:image:width and og:image:height are missing: Facebook shows no image on the first share, before it has fetched it.".to_owned(),
            &format!("Add <meta property=\"og:image:width\" content=\"{width}\"> and og:image:height ({height})."),
            vec!["facebook"],
        ),
    }
    let heavy: Vec<&Platform> = PLATFORMS
        .iter()
        .filter(|platform| platform.max_image_bytes.is_some_and(|max| *bytes > max))
        .collect();
    if !heavy.is_empty() {
        let names: Vec<&str> = heavy.iter().map(|platform| platform.name).collect();
        add(
            "image-too-heavy",
            Severity::Warning,
            format!(
                "og:image weighs {} KB: more than {} accept{}, so {} show{} no image.",
                bytes.div_ceil(1024),
                names.join(", "),
                if heavy.len() == 1 { "s" } else { "" },
                if heavy.len() == 1 { "it" } else { "they" },
                if heavy.len() == 1 { "s" } else { "" }
            ),
            "Compress the image (WhatsApp drops images over about 300 KB), or use Aperçu's card (about 100 KB).",
            heavy.iter().map(|platform| platform.id).collect(),
        );
    }
}

/// The same page, whatever the trailing slash or fragment.
fn same_page(a: &Url, b: &Url) -> bool {
    let key = |url: &Url| {
        let mut url = url.clone();
        url.set_fragment(None);
        url.as_str().trim_end_matches('/').to_ascii_lowercase()
    };
    key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tags::scan;
    use crate::fetch::Hop;
    use crate::inspect::{PLATFORMS, preview};

    const PAGE: &str = "https://news.example/a";

    fn facts() -> PageFacts {
        PageFacts {
            url: Url::parse(PAGE).unwrap(),
            status: 200,
            hops: vec![Hop {
                url: PAGE.to_owned(),
                status: 200,
                millis: 12,
            }],
            bytes: 1000,
            truncated: false,
            robots: None,
        }
    }

    fn image(width: u32, height: u32, bytes: u64, media_type: &str) -> ImageFacts {
        ImageFacts {
            url: "https://news.example/i.jpg".to_owned(),
            found: Ok(Measured {
                width,
                height,
                bytes,
                media_type: media_type.to_owned(),
                redirected: false,
            }),
        }
    }

    /// The codes found on `head` (a complete, correct head plus whatever `head` adds).
    fn codes(head: &str, images: &[ImageFacts], page: &PageFacts) -> Vec<&'static str> {
        let html = format!(
            "<meta charset=utf-8><title>T</title><meta property=og:title content=T>\
             <meta property=og:description content=D><meta name=twitter:card content=summary_large_image>\
             <link rel=alternate type=application/json+oembed href=/o>{head}"
        );
        let tags = scan(html.as_bytes(), None);
        let view = preview::Page {
            url: &page.url,
            tags: &tags,
            images,
        };
        let previews: Vec<_> = PLATFORMS
            .iter()
            .map(|p| preview::preview(p, &view))
            .collect();
        findings(page, &tags, images, &previews)
            .iter()
            .map(|finding| finding.code)
            .collect()
    }

    const SIZED: &str = "<meta property=og:image content=https://news.example/i.jpg>\
                         <meta property=og:image:width content=1200><meta property=og:image:height content=630>";

    #[test]
    fn a_complete_page_has_nothing_to_fix() {
        let images = [image(1200, 630, 90_000, "image/jpeg")];
        assert_eq!(codes(SIZED, &images, &facts()), Vec::<&str>::new());
    }

    #[test]
    fn each_image_problem_has_its_code_and_heavier_images_name_the_platforms_that_drop_them() {
        let heavy = [image(1200, 630, 400 * 1024, "image/jpeg")];
        assert_eq!(codes(SIZED, &heavy, &facts()), ["image-too-heavy"]);
        let tall = [image(1200, 1600, 90_000, "image/jpeg")];
        assert_eq!(
            codes(SIZED, &tall, &facts()),
            ["image-size-mismatch", "image-aspect"]
        );
        let unreachable = [ImageFacts {
            url: "https://news.example/i.jpg".to_owned(),
            found: Err("it answers 404".to_owned()),
        }];
        assert_eq!(codes(SIZED, &unreachable, &facts()), ["image-unreachable"]);
        let relative = "<meta property=og:image content=/i.jpg>\
                        <meta property=og:image:width content=1200><meta property=og:image:height content=630>";
        assert_eq!(
            codes(relative, &[image(1200, 630, 1000, "image/jpeg")], &facts()),
            ["image-url-relative"]
        );
        let not_http = "<meta property=og:image content='javascript:alert(1)'>";
        assert_eq!(codes(not_http, &[], &facts()), ["image-not-http"]);
    }

    #[test]
    fn page_level_problems_each_have_their_code() {
        let images = [image(1200, 630, 90_000, "image/jpeg")];
        let elsewhere = format!(
            "{SIZED}<link rel=canonical href=https://news.example/a><meta property=og:url content=https://news.example/b>\
             <meta name=robots content='noindex, follow'>"
        );
        let mut page = facts();
        page.hops.insert(
            0,
            Hop {
                url: "http://news.example/a".to_owned(),
                status: 301,
                millis: 5,
            },
        );
        page.truncated = true;
        let mut found = codes(&elsewhere, &images, &page);
        found.sort_unstable();
        assert_eq!(
            found,
            ["noindex", "og-url-not-canonical", "page-cut", "redirected"]
        );
        // The same URL written with a trailing slash or a fragment is the same page.
        let same = format!(
            "{SIZED}<link rel=canonical href=https://news.example/a/><meta property=og:url content=https://news.example/a#top>"
        );
        assert!(codes(&same, &images, &facts()).is_empty());
    }

    #[test]
    fn a_page_without_open_graph_is_told_each_missing_tag_the_image_first() {
        let tags = scan(b"<title>Only a title</title>", Some("utf-8"));
        let page = facts();
        let view = preview::Page {
            url: &page.url,
            tags: &tags,
            images: &[],
        };
        let previews: Vec<_> = PLATFORMS
            .iter()
            .map(|p| preview::preview(p, &view))
            .collect();
        let found = findings(&page, &tags, &[], &previews);
        assert_eq!(found[0].code, "missing-og-image");
        assert_eq!(found[0].severity, Severity::Error);
        let codes: Vec<_> = found.iter().map(|finding| finding.code).collect();
        for code in [
            "missing-og-title",
            "missing-og-description",
            "missing-twitter-card",
            "missing-oembed-discovery",
        ] {
            assert!(codes.contains(&code), "{codes:?}");
        }
    }
}
