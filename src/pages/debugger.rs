//! The preview debugger's page (`GET /`): the form, and the report drawn as each platform shows
//! a link, with the findings, the tags and Aperçu's answers. Works without JavaScript (the
//! script only adds copy buttons); everything the page shows from the scraped page is escaped
//! by the template, and every image comes from this service.

use std::fmt::Write as _;

use askama::Template;
use url::Url;

use super::{Page, hash_source};
use crate::inspect::platforms::{Cut, Large, Platform};
use crate::inspect::preview::readable_size as size;
use crate::inspect::{Layout, PLATFORMS, Preview, Report, Severity};
use crate::signing::{Keys, signature_parameters};

/// Light and dark; the platforms' previews keep their own colours in both.
const STYLE: &str = include_str!("debugger.css");

/// Copy buttons: shown only when scripts run, they copy the text of the element they name.
const SCRIPT: &str = include_str!("debugger.js");

/// What the page shows.
#[derive(Debug)]
pub struct Debugger<'a> {
    /// The service's public URL (the live embed's origin).
    pub public_url: &'a Url,
    /// The sample article, reported without any network.
    pub sample_url: &'a str,
    /// What was typed in the form.
    pub asked: Option<&'a str>,
    /// Why there is no report (a public sentence).
    pub error: Option<&'a str>,
    pub report: Option<Shown<'a>>,
    /// Whether reports need the administration token (signatures required): the form then
    /// asks for it and is sent by `POST`.
    pub needs_token: bool,
    /// The token the request presented, kept in the "fetch again" form.
    pub token: Option<&'a str>,
    /// The keys that sign the report's image URLs, when the service signs.
    pub keys: Option<&'a Keys>,
    /// Seconds since 1970 (signed image URLs expire an hour from now).
    pub now: u64,
}

/// A report and what only the service knows about it.
#[derive(Clone, Copy)]
pub struct Shown<'a> {
    pub report: &'a Report,
    /// Whether the service holds a scaled-down picture of the image at a URL.
    pub has_picture: &'a dyn Fn(&str) -> bool,
    /// Seconds since the page was fetched.
    pub age: u64,
    /// Seconds before "fetch again" fetches again.
    pub again_in: u64,
}

impl std::fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shown")
            .field("asked", &self.report.asked)
            .field("age", &self.age)
            .finish_non_exhaustive()
    }
}

#[derive(Template)]
#[template(path = "debugger.html")]
struct DebuggerTemplate<'a> {
    style: &'static str,
    script: &'static str,
    method: &'static str,
    needs_token: bool,
    token: Option<&'a str>,
    asked: &'a str,
    sample_link: String,
    error: Option<&'a str>,
    report: Option<ReportView>,
}

struct ReportView {
    asked: String,
    final_url: String,
    status: u16,
    made_at: String,
    age: String,
    again_in: u64,
    json_link: String,
    counts: [(usize, &'static str); 3],
    findings: Vec<FindingView>,
    platforms: Vec<PlatformView>,
    fields: Vec<FieldView>,
    tags: Vec<TagView>,
    charset: String,
    hops: Vec<HopView>,
    images: Vec<ImageLine>,
    answers: Option<AnswersView>,
}

struct FindingView {
    severity: &'static str,
    code: &'static str,
    message: String,
    fix: String,
    platforms: String,
}

struct PlatformView {
    id: &'static str,
    name: &'static str,
    rules: Vec<String>,
    source: &'static str,
    as_is: CardView,
    with_apercu: Option<CardView>,
}

struct CardView {
    layout: &'static str,
    title: Option<String>,
    title_clamp: &'static str,
    description: Option<String>,
    description_clamp: &'static str,
    site: Option<String>,
    domain: String,
    image: Option<String>,
    /// The tags each text was read from.
    read_from: String,
    notes: Vec<String>,
}

struct FieldView {
    name: String,
    value: String,
    source: String,
}

struct TagView {
    offset: usize,
    key: String,
    /// The element and the attribute naming it (`meta property`, `link rel`, `title`).
    kind: String,
    value: String,
    late: bool,
}

struct HopView {
    status: u16,
    url: String,
    millis: u64,
}

struct ImageLine {
    url: String,
    text: String,
    failed: bool,
}

struct AnswersView {
    cards: Vec<CardLine>,
    draw_millis: String,
    layout: LayoutView,
    card_jpg: String,
    oembed: String,
    oembed_url: String,
    embed_url: String,
    embed_width: u64,
    embed_height: u64,
    share_url: String,
    head: String,
}

/// The card's layout, explained: one row per line of each text.
struct LayoutView {
    template: &'static str,
    lines: Vec<LayoutLine>,
    /// Characters no font has, or empty.
    missing: String,
}

struct LayoutLine {
    /// "Title, line 1".
    what: String,
    size: String,
    text: String,
    /// "Noto Sans (bold): 20 glyphs".
    fonts: String,
}

struct CardLine {
    format: &'static str,
    url: String,
    size: String,
    millis: String,
}

/// Where Slack-like crawlers stop reading.
const FIRST_BYTES: usize = 32 * 1024;

/// The debugger's page, and its policy: its own style and script by hash, images and frames
/// from this service only, the form posting back here, framed by no one.
#[must_use]
pub fn debugger_page(debugger: &Debugger<'_>) -> Page {
    let sample_link = format!("?url={}", encode(debugger.sample_url));
    let report = debugger
        .report
        .map(|shown| report_view(&shown, debugger.keys, debugger.now));
    let html = DebuggerTemplate {
        style: STYLE,
        script: SCRIPT,
        method: if debugger.needs_token { "post" } else { "get" },
        needs_token: debugger.needs_token,
        token: debugger.token,
        asked: debugger.asked.unwrap_or_default(),
        sample_link,
        error: debugger.error,
        report,
    }
    .render()
    .unwrap_or_else(|_| "<!doctype html><title>Aperçu</title>".to_owned());
    let origin = debugger.public_url.origin().ascii_serialization();
    Page {
        html,
        content_security_policy: format!(
            "default-src 'none'; img-src 'self' {origin}; style-src {}; script-src {}; \
             frame-src 'self' {origin}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            hash_source(STYLE),
            hash_source(SCRIPT)
        ),
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// How long the report's signed image URLs stay valid.
const PICTURE_URLS_LAST: u64 = 3600;

fn report_view(shown: &Shown<'_>, keys: Option<&Keys>, now: u64) -> ReportView {
    let report = shown.report;
    let asked = report.asked.clone();
    let picture = |image: &str| {
        (shown.has_picture)(image).then(|| {
            let mut link = format!("debug/image?url={}&src={}", encode(&asked), encode(image));
            if let Some(keys) = keys {
                let expires = Some(now + PICTURE_URLS_LAST);
                let signature =
                    signature_parameters(keys, "debug/image", &asked, &[("src", image)], expires);
                for (name, value) in signature {
                    let _ = write!(link, "&{name}={}", encode(&value));
                }
            }
            link
        })
    };
    let count = |severity| report.count(severity);
    let platforms = PLATFORMS
        .iter()
        .enumerate()
        .map(|(index, platform)| PlatformView {
            id: platform.id,
            name: platform.name,
            rules: rules(platform),
            source: platform.source,
            as_is: card_view(&report.previews[index], platform, &picture),
            with_apercu: report
                .with_apercu
                .get(index)
                .map(|preview| card_view(preview, platform, &|url: &str| Some(url.to_owned()))),
        })
        .collect();
    ReportView {
        asked: asked.clone(),
        final_url: report.page.url.to_string(),
        status: report.page.status,
        made_at: report.made_at.clone(),
        age: match shown.age {
            0..=1 => "just now".to_owned(),
            seconds @ 2..=119 => format!("{seconds} seconds ago"),
            seconds => format!("{} minutes ago", seconds / 60),
        },
        again_in: shown.again_in,
        json_link: format!("report.json?url={}", encode(&asked)),
        counts: [
            (count(Severity::Error), "error"),
            (count(Severity::Warning), "warning"),
            (count(Severity::Notice), "notice"),
        ],
        findings: report
            .findings
            .iter()
            .map(|finding| FindingView {
                severity: finding.severity.name(),
                code: finding.code,
                message: finding.message.clone(),
                fix: finding.fix.clone(),
                platforms: finding
                    .platforms
                    .iter()
                    .filter_map(|id| crate::inspect::platforms::platform(id))
                    .map(|platform| platform.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        platforms,
        fields: fields(report),
        tags: report
            .tags
            .tags
            .iter()
            .map(|tag| TagView {
                offset: tag.offset,
                key: tag.key.clone(),
                kind: match tag.element {
                    crate::extract::tags::Element::Title => "title".to_owned(),
                    crate::extract::tags::Element::Meta => format!("meta {}", tag.attribute),
                    crate::extract::tags::Element::Link => "link rel".to_owned(),
                },
                value: tag.value.clone(),
                late: tag.offset >= FIRST_BYTES,
            })
            .collect(),
        charset: format!(
            "{} ({})",
            report.tags.encoding,
            match report.tags.charset_basis {
                crate::extract::tags::CharsetBasis::ByteOrderMark => "from a byte-order mark",
                crate::extract::tags::CharsetBasis::HttpHeader => "from the Content-Type header",
                crate::extract::tags::CharsetBasis::MetaTag => "from a meta tag",
                crate::extract::tags::CharsetBasis::Guessed => "guessed: nothing declares it",
            }
        ),
        hops: report
            .page
            .hops
            .iter()
            .map(|hop| HopView {
                status: hop.status,
                url: hop.url.clone(),
                millis: hop.millis,
            })
            .collect(),
        images: report
            .images
            .iter()
            .map(|image| match &image.found {
                Ok(measured) => ImageLine {
                    url: image.url.clone(),
                    text: format!(
                        "{}×{}, {}, {}{}",
                        measured.width,
                        measured.height,
                        size(measured.bytes),
                        measured.media_type,
                        if measured.redirected {
                            ", after a redirect"
                        } else {
                            ""
                        }
                    ),
                    failed: false,
                },
                Err(reason) => ImageLine {
                    url: image.url.clone(),
                    text: reason.clone(),
                    failed: true,
                },
            })
            .collect(),
        answers: report.apercu.as_ref().map(|answers| {
            let dimension = |name: &str, default: u64| {
                answers
                    .oembed
                    .get(name)
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(default)
            };
            AnswersView {
                cards: answers
                    .cards
                    .iter()
                    .map(|card| CardLine {
                        format: card.format,
                        url: card.url.clone(),
                        size: size(card.bytes as u64),
                        millis: format!("{:.1}", card.encode_millis),
                    })
                    .collect(),
                draw_millis: format!("{:.1}", answers.draw_millis),
                layout: layout_view(&answers.layout),
                card_jpg: answers
                    .cards
                    .iter()
                    .find(|card| card.format == "jpg")
                    .map(|card| card.url.clone())
                    .unwrap_or_default(),
                oembed: serde_json::to_string_pretty(&answers.oembed).unwrap_or_default(),
                oembed_url: answers.oembed_url.clone(),
                embed_url: answers.embed_url.clone(),
                embed_width: dimension("width", 600),
                embed_height: dimension("height", 480),
                share_url: answers.share_url.clone(),
                head: answers.head.trim_end().to_owned(),
            }
        }),
    }
}

/// The card's layout as the template shows it.
fn layout_view(layout: &crate::card::explain::Explanation) -> LayoutView {
    let texts = [
        ("Category", layout.category.as_ref()),
        ("Title", Some(&layout.title)),
        ("Site name", layout.footer.as_ref()),
    ];
    let mut lines = Vec::new();
    for (what, text) in texts {
        let Some(text) = text else { continue };
        for (i, line) in text.lines.iter().enumerate() {
            let fonts: Vec<String> = line
                .runs
                .iter()
                .map(|run| format!("{} ({}): {}", run.font, run.weight, run.text))
                .collect();
            lines.push(LayoutLine {
                what: format!("{what}, line {}", i + 1),
                size: format!(
                    "{} px{}",
                    text.size,
                    if text.ellipsized { ", cut" } else { "" }
                ),
                text: line.text.clone(),
                fonts: fonts.join(" · "),
            });
        }
    }
    LayoutView {
        template: layout.template,
        lines,
        missing: layout.missing.join(", "),
    }
}

/// A preview as the template draws it.
fn card_view(
    preview: &Preview,
    platform: &Platform,
    picture: &dyn Fn(&str) -> Option<String>,
) -> CardView {
    let clamp = |cut: Option<Cut>| match cut {
        Some(Cut::Lines(1)) => "clamp1",
        Some(Cut::Lines(2)) => "clamp2",
        Some(Cut::Lines(3)) => "clamp3",
        Some(Cut::Lines(_)) => "clamp4",
        _ => "",
    };
    let tag = |key: &str| match key {
        "title" => "<title>".to_owned(),
        "description" => "meta description".to_owned(),
        other => other.to_owned(),
    };
    let mut read_from = Vec::new();
    if let Some(title) = &preview.title {
        read_from.push(format!("title from {}", tag(&title.from)));
    }
    if let Some(description) = &preview.description {
        read_from.push(format!("description from {}", tag(&description.from)));
    }
    if let Some(image) = &preview.image {
        read_from.push(format!("image from {}", image.from));
    }
    let image = preview
        .image
        .as_ref()
        .filter(|_| preview.layout != Layout::Text)
        .and_then(|image| picture(&image.url));
    let mut notes = preview.notes.clone();
    if preview.image.is_some() && preview.layout != Layout::Text && image.is_none() {
        notes.push("the image could not be read to draw it here".to_owned());
    }
    CardView {
        layout: match (preview.layout, &image) {
            (Layout::Large, Some(_)) => "large",
            (Layout::Small, Some(_)) => "small",
            _ => "text",
        },
        title: preview.title.as_ref().map(|title| title.text.clone()),
        title_clamp: clamp(Some(platform.title_cut)),
        description: preview
            .description
            .as_ref()
            .map(|description| description.text.clone()),
        description_clamp: clamp(platform.description_cut),
        site: preview.site.clone(),
        domain: preview.domain.clone(),
        image,
        read_from: read_from.join(", "),
        notes,
    }
}

/// One platform's rules, in words.
fn rules(platform: &Platform) -> Vec<String> {
    let cut = |cut: Cut| match cut {
        Cut::Characters(n) => format!("cut at {n} characters"),
        Cut::Weighted(n) => format!("cut at {n} (CJK characters and emoji count 2)"),
        Cut::Lines(n) => format!("shown on {n} line{}", if n == 1 { "" } else { "s" }),
    };
    let mut rules = vec![format!(
        "Title: {}; {}.",
        platform.title_from.join(" → "),
        cut(platform.title_cut)
    )];
    match platform.description_cut {
        Some(rule) => rules.push(format!(
            "Description: {}; {}.",
            platform.description_from.join(" → "),
            cut(rule)
        )),
        None => rules.push("No description.".to_owned()),
    }
    if platform.large == Large::Never {
        rules.push("No image.".to_owned());
    } else {
        let (w, h) = platform.min_image;
        let mut image = format!(
            "Image: {}; large {}; none under {w}×{h}",
            platform.image_from.join(" → "),
            match platform.large {
                Large::Always => "always".to_owned(),
                Large::WhenTwitterCardLarge => "with twitter:card summary_large_image".to_owned(),
                Large::WhenAtLeast { width, height } => format!("from {width}×{height}"),
                Large::WhenLandscape => "when wider than tall".to_owned(),
                Large::Never => "never".to_owned(),
            }
        );
        if let Some(max) = platform.max_image_bytes {
            image.push_str(" or over ");
            image.push_str(&size(max));
        }
        if platform.needs_image_size {
            image.push_str("; needs og:image:width and height for the first share");
        }
        image.push('.');
        rules.push(image);
    }
    if platform.first_in_page_wins {
        rules.push("Whichever tag comes first in the page wins.".to_owned());
    }
    if let Some(reads) = platform.reads {
        rules.push(format!(
            "Reads the first {} of the page.",
            size(reads as u64)
        ));
    }
    rules
}

/// Every field Aperçu extracted, its value in words and its source.
fn fields(report: &Report) -> Vec<FieldView> {
    let Ok(serde_json::Value::Object(article)) = serde_json::to_value(&report.article) else {
        return Vec::new();
    };
    let sources = article.get("sources").cloned().unwrap_or_default();
    article
        .iter()
        .filter(|(name, _)| name.as_str() != "sources")
        .filter_map(|(name, value)| {
            let text = match value {
                serde_json::Value::Null => return None,
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Array(items) if items.is_empty() => return None,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map_or_else(|| item.to_string(), str::to_owned)
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::Object(object) => object
                    .iter()
                    .filter(|(_, value)| !value.is_null())
                    .map(|(key, value)| {
                        format!(
                            "{key}: {}",
                            value
                                .as_str()
                                .map_or_else(|| value.to_string(), str::to_owned)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            let source = sources
                .get(name.as_str())
                .or_else(|| {
                    (name == "lead_image")
                        .then(|| sources.get("image"))
                        .flatten()
                })
                .and_then(serde_json::Value::as_str)
                .unwrap_or("—")
                .to_owned();
            Some(FieldView {
                name: name.replace('_', " "),
                value: text,
                source,
            })
        })
        .collect()
}
