//! How each platform shows a shared link: which tags it reads and in which order, where it cuts
//! the title and the description and how it counts, when it shows the image large, small or not
//! at all, and how much of the page it reads. One table, each number beside its source. Where a
//! platform publishes nothing, the source says whose observation the number is.
//!
//! Sources (read 2026-12):
//! - X: developer.x.com/cards/markup (tag fallbacks, 70/200 characters, 5 MB, no SVG) and
//!   /cards/overview/summary-card-with-large-image (300×157 minimum; summary 144×144).
//! - Facebook: developers.facebook.com/docs/sharing/webmasters/images (200×200 minimum, smaller
//!   than 600×315 shown small, 8 MB) and /webmasters#images (declare og:image:width/height or the
//!   first share has no image); Automattic Jetpack `social-previews` facebook-preview/helpers.ts
//!   (title 110 and description 200 characters, hard cut).
//! - `LinkedIn`: linkedin.com/help/linkedin/answer/a521928 (og:* only; 5 MB; 1200×627 for the large
//!   image); Jetpack linkedin-preview (title only, no description in a link preview).
//! - Slack: opengraphplus.com/consumers/slack/tags (oEmbed, then Twitter or Open Graph tags,
//!   whichever comes first; `summary_large_image` makes the image large) and
//!   /consumers/slack/issues/link-not-unfurling (the first 32 KB, read with a Range request);
//!   previewog.com/slack-link-preview (description cut near 300 characters).
//! - Discord: opengraphplus.com/consumers/discord (og:* first, twitter:* as fallback; title about
//!   256 and description about 350 characters; `summary_large_image` for a large image;
//!   theme-color for the border; 5 MB).
//! - `WhatsApp`: opengraphplus.com/consumers/whatsapp (og:* with <title>/description fallbacks;
//!   title cut at 60–81 and description at 65–81 characters by device width: 65 and 80 here);
//!   images over about 300 KB are dropped (widely reported: share-preview.com, ogpreview.app).
//! - Telegram: tryunfurl.com/telegram-link-preview.html and ogproof.veridux.ai (og:* before
//!   twitter:*, <title> last; JPEG and PNG reliably; over 5 MB skipped).
//! - iMessage: Apple's `LinkPresentation` metadata extractor (the script of macOS 13.3, published as
//!   gist saagarjha/07e897fd72b370027ce280480761cf1e: og:title and og:image, no Twitter tags, the
//!   site's icon when there is no image) and WWDC 2019 session 262 (a title, an icon, an image;
//!   no description).
//! - Mastodon: Jetpack mastodon-preview/helpers.ts (title 200 characters); Mastodon's
//!   `FetchLinkCardService` (og:* with twitter:* fallbacks; a large card for a landscape image).
//! - Google: developers.google.com/search/docs/appearance/title-link and /snippet (<title> and the
//!   description meta tag; cut by width); Jetpack google-search-preview (63 and 160 characters
//!   as a stand-in for the width); Googlebot reads the first 15 MB (developers.google.com/search/
//!   docs/crawling-indexing/googlebot).

use serde::Serialize;

/// How a platform counts when it cuts text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "at", rename_all = "kebab-case")]
pub enum Cut {
    /// Characters (Unicode code points), cut with "…".
    Characters(usize),
    /// X's weighted characters: most CJK characters and emoji count twice.
    Weighted(usize),
    /// Shown on at most this many lines, however long: cut by width.
    Lines(usize),
}

/// When a platform shows the image large (wide, above or below the text) rather than small
/// (a thumbnail beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Large {
    /// Always large when shown.
    Always,
    /// Large when `twitter:card` is `summary_large_image`.
    WhenTwitterCardLarge,
    /// Large when the image is at least this size.
    WhenAtLeast { width: u32, height: u32 },
    /// Large when the image is wider than tall.
    WhenLandscape,
    /// Never: a result has no image.
    Never,
}

/// One platform's rules.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Platform {
    pub id: &'static str,
    pub name: &'static str,
    /// Tags read for each field, in order of preference (`title` is the `<title>` element).
    pub title_from: &'static [&'static str],
    pub description_from: &'static [&'static str],
    pub image_from: &'static [&'static str],
    pub site_from: &'static [&'static str],
    /// When `true`, the first of the title tags in the page wins, whatever their order here
    /// (Slack: "whichever comes first").
    pub first_in_page_wins: bool,
    pub title_cut: Cut,
    /// `None`: the description is not shown.
    pub description_cut: Option<Cut>,
    pub large: Large,
    /// Smaller than this, the image is not shown.
    pub min_image: (u32, u32),
    /// Heavier than this, the image is not shown.
    pub max_image_bytes: Option<u64>,
    pub svg: bool,
    /// Bytes of the page read: tags past them are not seen.
    pub reads: Option<usize>,
    /// Whether a declared image size is needed for the first share to show the image.
    pub needs_image_size: bool,
    /// Where the numbers above come from.
    pub source: &'static str,
}

const OG_TITLE: &[&str] = &["og:title", "title"];
const OG_DESCRIPTION: &[&str] = &["og:description", "description"];
const OG_IMAGE: &[&str] = &["og:image", "og:image:url", "og:image:secure_url"];
const OG_SITE: &[&str] = &["og:site_name"];

/// Every platform the debugger draws, in the order it draws them.
pub const PLATFORMS: &[Platform] = &[
    Platform {
        id: "facebook",
        name: "Facebook",
        title_from: OG_TITLE,
        description_from: OG_DESCRIPTION,
        image_from: OG_IMAGE,
        site_from: &[],
        first_in_page_wins: false,
        title_cut: Cut::Characters(110),
        description_cut: Some(Cut::Characters(200)),
        large: Large::WhenAtLeast {
            width: 600,
            height: 315,
        },
        min_image: (200, 200),
        max_image_bytes: Some(8 * 1024 * 1024),
        svg: false,
        reads: Some(1024 * 1024),
        needs_image_size: true,
        source: "developers.facebook.com/docs/sharing/webmasters/images; Jetpack social-previews facebook-preview/helpers.ts",
    },
    Platform {
        id: "x",
        name: "X",
        title_from: &["twitter:title", "og:title", "title"],
        description_from: &["twitter:description", "og:description", "description"],
        image_from: &[
            "twitter:image",
            "twitter:image:src",
            "og:image",
            "og:image:url",
        ],
        site_from: &[],
        first_in_page_wins: false,
        title_cut: Cut::Weighted(70),
        // Since 2023 the card shows the title over the image and the domain, no description.
        description_cut: None,
        large: Large::WhenTwitterCardLarge,
        min_image: (144, 144),
        max_image_bytes: Some(5 * 1024 * 1024),
        svg: false,
        reads: None,
        needs_image_size: false,
        source: "developer.x.com/cards/markup; developer.x.com/cards/overview/summary-card-with-large-image",
    },
    Platform {
        id: "linkedin",
        name: "LinkedIn",
        title_from: OG_TITLE,
        description_from: &[],
        image_from: OG_IMAGE,
        site_from: &[],
        first_in_page_wins: false,
        title_cut: Cut::Lines(2),
        description_cut: None,
        large: Large::WhenAtLeast {
            width: 1200,
            height: 627,
        },
        min_image: (200, 200),
        max_image_bytes: Some(5 * 1024 * 1024),
        svg: false,
        reads: None,
        needs_image_size: false,
        source: "linkedin.com/help/linkedin/answer/a521928; Jetpack social-previews linkedin-preview",
    },
    Platform {
        id: "slack",
        name: "Slack",
        title_from: &["og:title", "twitter:title", "title"],
        description_from: &["og:description", "twitter:description", "description"],
        image_from: &["og:image", "twitter:image", "og:image:url"],
        site_from: OG_SITE,
        first_in_page_wins: true,
        title_cut: Cut::Lines(2),
        description_cut: Some(Cut::Characters(300)),
        large: Large::WhenTwitterCardLarge,
        min_image: (60, 60),
        max_image_bytes: None,
        svg: false,
        reads: Some(32 * 1024),
        needs_image_size: false,
        source: "opengraphplus.com/consumers/slack (tags, 32 KB window); previewog.com/slack-link-preview",
    },
    Platform {
        id: "discord",
        name: "Discord",
        title_from: &["og:title", "twitter:title", "title"],
        description_from: &["og:description", "twitter:description", "description"],
        image_from: &["og:image", "twitter:image", "og:image:url"],
        site_from: OG_SITE,
        first_in_page_wins: false,
        title_cut: Cut::Characters(256),
        description_cut: Some(Cut::Characters(350)),
        large: Large::WhenTwitterCardLarge,
        min_image: (80, 80),
        max_image_bytes: Some(5 * 1024 * 1024),
        svg: false,
        reads: None,
        needs_image_size: false,
        source: "opengraphplus.com/consumers/discord",
    },
    Platform {
        id: "whatsapp",
        name: "WhatsApp",
        title_from: OG_TITLE,
        description_from: OG_DESCRIPTION,
        image_from: OG_IMAGE,
        site_from: &[],
        first_in_page_wins: false,
        title_cut: Cut::Characters(65),
        description_cut: Some(Cut::Characters(80)),
        large: Large::WhenAtLeast {
            width: 600,
            height: 315,
        },
        min_image: (100, 100),
        max_image_bytes: Some(300 * 1024),
        svg: false,
        reads: None,
        needs_image_size: false,
        source: "opengraphplus.com/consumers/whatsapp; 300 KB as reported by share-preview.com and ogpreview.app",
    },
    Platform {
        id: "telegram",
        name: "Telegram",
        title_from: &["og:title", "twitter:title", "title"],
        description_from: &["og:description", "twitter:description", "description"],
        image_from: &["og:image", "twitter:image", "og:image:url"],
        site_from: OG_SITE,
        first_in_page_wins: false,
        title_cut: Cut::Lines(2),
        description_cut: Some(Cut::Lines(4)),
        large: Large::WhenAtLeast {
            width: 600,
            height: 315,
        },
        min_image: (200, 200),
        max_image_bytes: Some(5 * 1024 * 1024),
        svg: false,
        reads: None,
        needs_image_size: false,
        source: "tryunfurl.com/telegram-link-preview.html; ogproof.veridux.ai/blog/telegram-open-graph-tags",
    },
    Platform {
        id: "imessage",
        name: "iMessage",
        title_from: OG_TITLE,
        description_from: &[],
        image_from: OG_IMAGE,
        site_from: &[],
        first_in_page_wins: false,
        title_cut: Cut::Lines(2),
        description_cut: None,
        large: Large::WhenAtLeast {
            width: 300,
            height: 157,
        },
        min_image: (100, 100),
        max_image_bytes: None,
        svg: false,
        reads: None,
        needs_image_size: false,
        source: "Apple LinkPresentation metadata extractor (gist saagarjha/07e897fd); WWDC 2019 session 262",
    },
    Platform {
        id: "mastodon",
        name: "Mastodon",
        title_from: &["og:title", "twitter:title", "title"],
        description_from: &["og:description", "twitter:description", "description"],
        image_from: &["og:image", "twitter:image", "og:image:url"],
        site_from: OG_SITE,
        first_in_page_wins: false,
        title_cut: Cut::Characters(200),
        description_cut: Some(Cut::Lines(2)),
        large: Large::WhenLandscape,
        min_image: (100, 100),
        max_image_bytes: Some(10 * 1024 * 1024),
        svg: false,
        reads: Some(1024 * 1024),
        needs_image_size: false,
        source: "Jetpack social-previews mastodon-preview/helpers.ts; Mastodon FetchLinkCardService",
    },
    Platform {
        id: "google",
        name: "Google result",
        title_from: &["title", "og:title"],
        description_from: &["description", "og:description"],
        image_from: &[],
        site_from: OG_SITE,
        first_in_page_wins: false,
        title_cut: Cut::Characters(63),
        description_cut: Some(Cut::Characters(160)),
        large: Large::Never,
        min_image: (0, 0),
        max_image_bytes: None,
        svg: false,
        reads: Some(15 * 1024 * 1024),
        needs_image_size: false,
        source: "developers.google.com/search/docs/appearance/title-link and /snippet; Jetpack google-search-preview",
    },
];

/// Every platform's rules as a Markdown table (`docs/platforms.md` is this, kept in step by a
/// test).
#[must_use]
pub fn markdown() -> String {
    use std::fmt::Write as _;
    let cut = |cut: Cut| match cut {
        Cut::Characters(n) => format!("{n} characters"),
        Cut::Weighted(n) => format!("{n}, CJK and emoji count 2"),
        Cut::Lines(n) => format!("{n} line{}", if n == 1 { "" } else { "s" }),
    };
    let bytes = |n: u64| {
        if n >= 1024 * 1024 {
            format!("{} MB", n / (1024 * 1024))
        } else {
            format!("{} KB", n / 1024)
        }
    };
    let mut out = String::from(
        "| platform | title from | title cut | description from, cut | image from | large when | no image when | page read | source |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for p in PLATFORMS {
        let description = match p.description_cut {
            Some(rule) => format!("{}; {}", p.description_from.join(" → "), cut(rule)),
            None => "not shown".to_owned(),
        };
        let large = match p.large {
            Large::Always => "always".to_owned(),
            Large::WhenTwitterCardLarge => "`twitter:card` is `summary_large_image`".to_owned(),
            Large::WhenAtLeast { width, height } => format!("at least {width}×{height}"),
            Large::WhenLandscape => "wider than tall".to_owned(),
            Large::Never => "never (no image)".to_owned(),
        };
        let mut none = Vec::new();
        if p.large != Large::Never {
            none.push(format!("under {}×{}", p.min_image.0, p.min_image.1));
            if let Some(max) = p.max_image_bytes {
                none.push(format!("over {}", bytes(max)));
            }
            if !p.svg {
                none.push("SVG".to_owned());
            }
            if p.needs_image_size {
                none.push("first share without `og:image:width`/`height`".to_owned());
            }
        }
        let mut title = p.title_from.join(" → ");
        if p.first_in_page_wins {
            title.push_str(" (whichever comes first in the page)");
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            p.name,
            title,
            cut(p.title_cut),
            description,
            if p.image_from.is_empty() {
                "—".to_owned()
            } else {
                p.image_from.join(" → ")
            },
            large,
            if none.is_empty() {
                "—".to_owned()
            } else {
                none.join(", ")
            },
            p.reads.map_or_else(
                || "all".to_owned(),
                |n| format!("first {}", bytes(n as u64))
            ),
            p.source
        );
    }
    out
}

/// The platform whose id is `id`.
#[must_use]
pub fn platform(id: &str) -> Option<&'static Platform> {
    PLATFORMS.iter().find(|platform| platform.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/platforms.md` shows the table as it is; `UPDATE_DOCS=1` rewrites it.
    #[test]
    fn the_documented_rules_are_the_table_the_debugger_applies() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/platforms.md");
        let document = std::fs::read_to_string(path).unwrap_or_default();
        let marker = "<!-- generated from src/inspect/platforms.rs -->\n";
        let table = markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let head = document.split(marker).next().unwrap_or_default();
            std::fs::write(path, format!("{head}{marker}{table}")).unwrap();
            return;
        }
        let documented = document.split(marker).nth(1).unwrap_or_default();
        assert_eq!(
            documented, table,
            "docs/platforms.md is out of date: run UPDATE_DOCS=1 cargo test --lib platforms"
        );
    }

    #[test]
    fn every_platform_has_an_id_a_title_rule_and_a_source() {
        for p in PLATFORMS {
            assert!(platform(p.id).is_some());
            assert!(!p.title_from.is_empty() && !p.source.is_empty(), "{}", p.id);
        }
    }
}
