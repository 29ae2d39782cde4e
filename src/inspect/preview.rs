//! What one platform would show for a page: the title, description, site and image it picks
//! from the page's tags by its own rules, cut where it cuts them, and the image large, small or
//! not at all. Pure: tags, image measurements and a platform's rules in, a preview out.

use serde::Serialize;
use url::Url;

use super::platforms::{Cut, Large, Platform};
use super::{ImageFacts, Measured};
use crate::extract::tags::{Tag, TagScan};

/// How a preview shows its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Wide, above or below the text.
    Large,
    /// A thumbnail beside the text.
    Small,
    /// No image.
    Text,
}

/// A text as a platform shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shown {
    /// The text as shown (with "…" where the platform cuts it by count).
    pub text: String,
    /// The tag it was read from (`og:title`, `title`…).
    pub from: String,
    /// Whether the platform cuts it.
    pub cut: bool,
    /// How the platform counts, and where it cuts.
    pub rule: Cut,
    /// Its length as the platform counts it (characters, or weighted characters).
    pub length: usize,
}

/// The image a preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownImage {
    pub url: String,
    pub from: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// One platform's preview of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub platform: &'static str,
    pub name: &'static str,
    pub layout: Layout,
    pub title: Option<Shown>,
    pub description: Option<Shown>,
    pub site: Option<String>,
    /// The host people see (without `www.`).
    pub domain: String,
    pub image: Option<ShownImage>,
    /// The embed's accent colour (Discord reads `theme-color`).
    pub accent: Option<String>,
    /// Why something is not shown, or not as one might expect.
    pub notes: Vec<String>,
}

/// Everything a preview is drawn from.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The page's URL (relative tag URLs resolve against it; its host is the domain shown).
    pub url: &'a Url,
    pub tags: &'a TagScan,
    /// What is known of the images the tags name.
    pub images: &'a [ImageFacts],
}

impl Page<'_> {
    /// The first non-empty tag among `keys` that `platform` reads: the first in `keys` order,
    /// or the first in the page when the platform takes whichever comes first.
    fn pick(&self, platform: &Platform, keys: &[&str]) -> Option<&Tag> {
        let reads = platform.reads.unwrap_or(usize::MAX);
        let usable = |tag: &&Tag| tag.offset < reads && !tag.value.trim().is_empty();
        if platform.first_in_page_wins {
            // `<title>` and the description meta tag stay fallbacks.
            let tagged = |key: &&&str| !matches!(**key, "title" | "description");
            let earliest = self
                .tags
                .tags
                .iter()
                .filter(usable)
                .find(|tag| keys.iter().filter(tagged).any(|key| tag.key == *key));
            if earliest.is_some() {
                return earliest;
            }
        }
        keys.iter().find_map(|key| {
            self.tags
                .tags
                .iter()
                .find(|tag| tag.key == *key && usable(tag))
        })
    }

    /// `raw` resolved against the page, when it is an http(s) URL.
    fn resolve(&self, raw: &str) -> Option<Url> {
        self.url
            .join(raw.trim())
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
    }

    fn measured(&self, url: &Url) -> Option<&ImageFacts> {
        self.images.iter().find(|facts| facts.url == url.as_str())
    }
}

/// The host as platforms show it.
#[must_use]
pub fn domain(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

/// `platform`'s preview of `page`.
#[must_use]
pub fn preview(platform: &'static Platform, page: &Page<'_>) -> Preview {
    let mut notes = Vec::new();
    let text = |keys: &[&str], cut: Option<Cut>| -> Option<Shown> {
        let cut = cut?;
        let tag = page.pick(platform, keys)?;
        Some(shown(tag, cut))
    };
    let title = text(platform.title_from, Some(platform.title_cut));
    let description = text(platform.description_from, platform.description_cut);
    let site = page
        .pick(platform, platform.site_from)
        .map(|tag| tag.value.trim().to_owned());
    let accent = (platform.id == "discord")
        .then(|| page.tags.first("theme-color").map(|tag| tag.value.clone()))
        .flatten();
    let (image, layout) = image_of(platform, page, &mut notes);
    if title.is_none() {
        notes.push("no title to show: the link appears bare".to_owned());
    }
    Preview {
        platform: platform.id,
        name: platform.name,
        layout,
        title,
        description,
        site,
        domain: domain(page.url),
        image,
        accent,
        notes,
    }
}

/// The image a platform shows, and how; or why none.
fn image_of(
    platform: &Platform,
    page: &Page<'_>,
    notes: &mut Vec<String>,
) -> (Option<ShownImage>, Layout) {
    if platform.large == Large::Never {
        return (None, Layout::Text);
    }
    let Some(tag) = page.pick(platform, platform.image_from) else {
        notes.push("no image tag it reads".to_owned());
        return (None, Layout::Text);
    };
    let Some(url) = page.resolve(&tag.value) else {
        notes.push(format!("{} is not an http(s) URL", tag.key));
        return (None, Layout::Text);
    };
    let facts = page.measured(&url);
    let measured = facts.and_then(|facts| facts.found.as_ref().ok());
    if let Some(Err(reason)) = facts.map(|facts| &facts.found) {
        notes.push(format!("the image cannot be fetched: {reason}"));
        return (None, Layout::Text);
    }
    if let Some(Measured {
        width,
        height,
        bytes,
        media_type,
        ..
    }) = measured
    {
        if !platform.svg && media_type.contains("svg") {
            notes.push("it takes no SVG image".to_owned());
            return (None, Layout::Text);
        }
        let (min_w, min_h) = platform.min_image;
        if *width < min_w || *height < min_h {
            notes.push(format!(
                "the image ({width}×{height}) is smaller than the {min_w}×{min_h} it shows"
            ));
            return (None, Layout::Text);
        }
        if let Some(max) = platform.max_image_bytes
            && *bytes > max
        {
            notes.push(format!(
                "the image ({}) is heavier than the {} it takes",
                readable_size(*bytes),
                readable_size(max)
            ));
            return (None, Layout::Text);
        }
    }
    if platform.needs_image_size
        && (page.tags.first("og:image:width").is_none()
            || page.tags.first("og:image:height").is_none())
    {
        notes.push(
            "without og:image:width and og:image:height the first share may show no image"
                .to_owned(),
        );
    }
    let size = measured.map(|measured| (measured.width, measured.height));
    let large = match platform.large {
        Large::Always => true,
        Large::Never => false,
        Large::WhenTwitterCardLarge => page
            .tags
            .first("twitter:card")
            .is_some_and(|card| card.value.trim() == "summary_large_image"),
        Large::WhenAtLeast { width, height } => {
            size.is_some_and(|(w, h)| w >= width && h >= height)
        }
        Large::WhenLandscape => size.is_some_and(|(w, h)| w > h),
    };
    if measured.is_none() {
        notes.push("the image was not measured".to_owned());
    }
    let image = ShownImage {
        url: url.into(),
        from: tag.key.clone(),
        width: size.map(|(w, _)| w),
        height: size.map(|(_, h)| h),
    };
    (
        Some(image),
        if large { Layout::Large } else { Layout::Small },
    )
}

/// A size as people read it: `512 bytes`, `87 KB` (rounded up, so a file just over a limit
/// never reads as at it), `4.2 MB`.
#[must_use]
pub fn readable_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        // Shown to one decimal: kilobytes are exact in f64.
        format!(
            "{:.1} MB",
            f64::from(u32::try_from(bytes / 1024).unwrap_or(u32::MAX)) / 1024.0
        )
    } else if bytes >= 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// `tag`'s value as a platform that cuts by `rule` shows it.
fn shown(tag: &Tag, rule: Cut) -> Shown {
    let value: String = tag.value.split_whitespace().collect::<Vec<_>>().join(" ");
    let (text, cut, length) = match rule {
        Cut::Characters(limit) => {
            let length = value.chars().count();
            if length > limit {
                // The ellipsis takes the last place.
                let kept: String = value.chars().take(limit.saturating_sub(1)).collect();
                (format!("{}…", kept.trim_end()), true, length)
            } else {
                (value, false, length)
            }
        }
        Cut::Weighted(limit) => {
            let length: usize = value.chars().map(weight).sum();
            if length > limit {
                let mut kept = String::new();
                let mut used = 0;
                for c in value.chars() {
                    if used + weight(c) > limit.saturating_sub(1) {
                        break;
                    }
                    used += weight(c);
                    kept.push(c);
                }
                (format!("{}…", kept.trim_end()), true, length)
            } else {
                (value, false, length)
            }
        }
        Cut::Lines(_) => {
            let length = value.chars().count();
            (value, false, length)
        }
    };
    Shown {
        text,
        from: tag.key.clone(),
        cut,
        rule,
        length,
    }
}

/// X's weight of a character (twitter-text, configuration v3): 1 for the Latin, Greek,
/// Cyrillic and general punctuation ranges it lists, 2 for everything else (CJK, emoji…).
fn weight(c: char) -> usize {
    let code = u32::from(c);
    let light = matches!(code, 0..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037);
    if light { 1 } else { 2 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tags::scan;
    use crate::inspect::platforms::platform;

    fn page_of(html: &str) -> (Url, TagScan) {
        (
            Url::parse("https://www.news.example/a").unwrap(),
            scan(html.as_bytes(), Some("utf-8")),
        )
    }

    fn measured(url: &str, width: u32, height: u32, bytes: u64) -> ImageFacts {
        ImageFacts {
            url: url.to_owned(),
            found: Ok(Measured {
                width,
                height,
                bytes,
                media_type: "image/jpeg".to_owned(),
                redirected: false,
            }),
        }
    }

    #[test]
    fn x_reads_twitter_tags_first_and_linkedin_ignores_them() {
        let (url, tags) = page_of(
            "<meta property=og:title content='The OG title'>\
             <meta name=twitter:title content='The Twitter title'>\
             <meta name=twitter:card content=summary_large_image>\
             <meta property=og:image content=/og.jpg><meta name=twitter:image content=/tw.jpg>",
        );
        let images = [
            measured("https://www.news.example/og.jpg", 1200, 630, 90_000),
            measured("https://www.news.example/tw.jpg", 1200, 630, 90_000),
        ];
        let page = Page {
            url: &url,
            tags: &tags,
            images: &images,
        };
        let x = preview(platform("x").unwrap(), &page);
        assert_eq!(x.title.unwrap().text, "The Twitter title");
        assert_eq!(x.image.unwrap().from, "twitter:image");
        assert_eq!(x.layout, Layout::Large);
        assert_eq!(x.domain, "news.example");
        let linkedin = preview(platform("linkedin").unwrap(), &page);
        assert_eq!(linkedin.title.unwrap().text, "The OG title");
        assert_eq!(linkedin.image.unwrap().from, "og:image");
        assert!(linkedin.description.is_none());
    }

    #[test]
    fn each_platform_cuts_where_it_does_and_counts_as_it_does() {
        let long = "Un titre très long qui dépasse largement la limite de soixante-cinq caractères de WhatsApp";
        let (url, tags) = page_of(&format!("<meta property=og:title content='{long}'>"));
        let page = Page {
            url: &url,
            tags: &tags,
            images: &[],
        };
        let whatsapp = preview(platform("whatsapp").unwrap(), &page).title.unwrap();
        assert!(whatsapp.cut);
        assert_eq!(whatsapp.text.chars().count(), 65);
        assert!(whatsapp.text.ends_with('…'));
        let facebook = preview(platform("facebook").unwrap(), &page).title.unwrap();
        assert!(!facebook.cut);
        // X counts CJK characters twice: 40 of them are 80, past its 70.
        let (url, tags) = page_of(&format!(
            "<meta property=og:title content='{}'>",
            "東".repeat(40)
        ));
        let page = Page {
            url: &url,
            tags: &tags,
            images: &[],
        };
        let x = preview(platform("x").unwrap(), &page).title.unwrap();
        assert_eq!((x.length, x.cut), (80, true));
        assert_eq!(x.text.chars().count(), 35);
    }

    #[test]
    fn an_image_too_small_too_heavy_or_missing_is_not_shown_and_says_why() {
        let (url, tags) = page_of(
            "<meta property=og:title content=T><meta property=og:image content=https://cdn.example/i.jpg>",
        );
        let heavy = [measured("https://cdn.example/i.jpg", 1200, 630, 400 * 1024)];
        let page = Page {
            url: &url,
            tags: &tags,
            images: &heavy,
        };
        let whatsapp = preview(platform("whatsapp").unwrap(), &page);
        assert_eq!(whatsapp.layout, Layout::Text);
        assert!(
            whatsapp.notes[0].contains("heavier than the 300 KB"),
            "{:?}",
            whatsapp.notes
        );
        assert_eq!(
            preview(platform("facebook").unwrap(), &page).layout,
            Layout::Large
        );
        let tiny = [measured("https://cdn.example/i.jpg", 150, 150, 9_000)];
        let page = Page {
            url: &url,
            tags: &tags,
            images: &tiny,
        };
        let facebook = preview(platform("facebook").unwrap(), &page);
        assert_eq!(facebook.layout, Layout::Text);
        assert!(facebook.notes[0].contains("smaller than the 200×200"));
        // Without twitter:card, X shows the small card.
        assert_eq!(preview(platform("x").unwrap(), &page).layout, Layout::Small);
    }

    #[test]
    fn slack_reads_only_the_first_32_kb_and_takes_the_first_tag_in_the_page() {
        let filler = "x".repeat(40 * 1024);
        let (url, tags) = page_of(&format!(
            "<meta name=twitter:title content='First'><meta property=og:title content='Second'>\
             <!-- {filler} --><meta property=og:description content='Too far'>"
        ));
        let page = Page {
            url: &url,
            tags: &tags,
            images: &[],
        };
        let slack = preview(platform("slack").unwrap(), &page);
        assert_eq!(slack.title.unwrap().text, "First");
        assert!(slack.description.is_none());
        let discord = preview(platform("discord").unwrap(), &page);
        assert_eq!(discord.title.unwrap().text, "Second");
        assert_eq!(discord.description.unwrap().text, "Too far");
    }
}
