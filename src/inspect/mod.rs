//! The preview debugger's report (`GET /?url=`, `apercu check`): how a page will look when it is
//! shared on each platform, with its own tags and with Aperçu's, every tag and where each field
//! came from, and what to fix. Pure: what was fetched and measured goes in, a report comes out;
//! the service and the command line do the fetching.

pub mod platforms;
pub mod preview;
pub mod warnings;

use serde::{Serialize, Serializer};
use url::Url;

use crate::extract::Article;
use crate::extract::tags::TagScan;
use crate::fetch::{Blocked, FetchError, Fetched, Hop, Reason};
pub use platforms::{PLATFORMS, Platform};
pub use preview::{Layout, Page, Preview};
pub use warnings::{Finding, Severity};

/// Image URLs measured for one report, at most: every image tag platforms read, and the lead
/// image, rarely make more than three.
pub const MAX_IMAGES: usize = 4;

/// An image as it was measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measured {
    pub width: u32,
    pub height: u32,
    /// Its size as served.
    pub bytes: u64,
    pub media_type: String,
    /// Whether its URL redirected.
    pub redirected: bool,
}

/// What is known of one image a tag names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFacts {
    /// Absolute, as resolved against the page.
    pub url: String,
    /// Its measurements, or why it could not be fetched or read (a public sentence).
    pub found: Result<Measured, String>,
}

/// `{"url": …, "measured": {…}}` or `{"url": …, "error": "…"}`.
impl Serialize for ImageFacts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("url", &self.url)?;
        match &self.found {
            Ok(measured) => map.serialize_entry("measured", measured)?,
            Err(reason) => map.serialize_entry("error", reason)?,
        }
        map.end()
    }
}

/// What the fetch of the page said, besides its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct PageFacts {
    /// The URL after redirects.
    pub url: Url,
    /// The final answer's status.
    pub status: u16,
    /// Every answer on the way, redirects first.
    pub hops: Vec<Hop>,
    /// Bytes read.
    pub bytes: usize,
    /// Whether the page was longer than what is read, and cut.
    pub truncated: bool,
    /// The `X-Robots-Tag` header.
    pub robots: Option<String>,
}

impl PageFacts {
    /// What a fetch of the page said.
    #[must_use]
    pub fn of(page: &Fetched) -> Self {
        PageFacts {
            url: page.url.as_url().clone(),
            status: page.hops.last().map_or(200, |hop| hop.status),
            hops: page.hops.clone(),
            bytes: page.body.len(),
            truncated: page.truncated,
            robots: page.robots.clone(),
        }
    }
}

/// One encoding of Aperçu's card.
#[derive(Debug, Clone, Serialize)]
pub struct CardFacts {
    /// `jpg`, `png` or `webp`.
    pub format: &'static str,
    pub media_type: &'static str,
    pub url: String,
    pub bytes: usize,
    /// Time to encode it, in milliseconds.
    pub encode_millis: f64,
}

/// Aperçu's own answers about the page.
#[derive(Debug, Clone, Serialize)]
pub struct Answers {
    pub cards: Vec<CardFacts>,
    /// Time to lay out and paint the card, in milliseconds (each format then encodes it).
    pub draw_millis: f64,
    /// Why the card looks as it does: template, sizes, lines and their fonts.
    pub layout: crate::card::explain::Explanation,
    /// The oEmbed response (JSON), as consumers get it.
    pub oembed: serde_json::Value,
    pub oembed_url: String,
    pub embed_url: String,
    pub share_url: String,
    /// The `<meta>` and `<link>` tags a publisher pastes into the page's `<head>`.
    pub head: String,
    /// The share page's tags: what platforms read through Aperçu.
    #[serde(skip)]
    pub share_tags: TagScan,
}

/// The whole report on one page.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The URL asked about.
    pub asked: String,
    /// When the page was fetched (RFC 3339), and the same in seconds since 1970.
    pub made_at: String,
    pub made_at_unix: u64,
    pub page: PageFacts,
    /// Every field Aperçu extracts, and (in `sources`) where each came from.
    pub article: Article,
    /// The page's metadata tags in order, with their byte offsets.
    pub tags: TagScan,
    pub images: Vec<ImageFacts>,
    /// Each platform's preview of the page as it is.
    pub previews: Vec<Preview>,
    /// Each platform's preview through Aperçu's share URL (its card and metadata).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with_apercu: Vec<Preview>,
    /// What to fix, most severe first.
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apercu: Option<Answers>,
}

impl Report {
    /// Whether a finding is an error (what `apercu check` fails on).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.severity == Severity::Error)
    }

    /// How many findings are of `severity`.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// What is known of the image at `url`, if the report measured it.
    #[must_use]
    pub fn image(&self, url: &str) -> Option<&ImageFacts> {
        self.images.iter().find(|image| image.url == url)
    }
}

/// The images worth measuring: the first value of every image tag a platform reads, then the
/// lead image Aperçu found, resolved against the page, http(s) only, each once, at most
/// [`MAX_IMAGES`].
#[must_use]
pub fn images_to_measure(page_url: &Url, tags: &TagScan, article: &Article) -> Vec<Url> {
    let mut keys: Vec<&str> = Vec::new();
    for platform in PLATFORMS {
        for key in platform.image_from {
            if !keys.contains(key) {
                keys.push(key);
            }
        }
    }
    let tagged = keys.into_iter().filter_map(|key| {
        tags.all(key)
            .find(|tag| !tag.value.trim().is_empty())
            .and_then(|tag| page_url.join(tag.value.trim()).ok())
    });
    let lead = article.lead_image.as_ref().map(|lead| lead.url.clone());
    let mut urls: Vec<Url> = Vec::new();
    for url in tagged.chain(lead) {
        if matches!(url.scheme(), "http" | "https") && !urls.contains(&url) {
            urls.push(url);
        }
    }
    urls.truncate(MAX_IMAGES);
    urls
}

/// An image's measurements from its bytes as fetched (only its header is read); `None` when
/// the bytes are not an image the `image` crate knows.
#[must_use]
pub fn measure(bytes: &[u8], media_type: Option<&str>, redirected: bool) -> Option<Measured> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let guessed = reader.format().map(|format| format.to_mime_type());
    let (width, height) = reader.into_dimensions().ok()?;
    Some(Measured {
        width,
        height,
        bytes: bytes.len() as u64,
        media_type: media_type.or(guessed).unwrap_or("image/unknown").to_owned(),
        redirected,
    })
}

/// Why an image could not be measured, in a sentence for the report (no internal address, no
/// origin text).
#[must_use]
pub fn why_not_fetched(error: &FetchError) -> String {
    match error {
        FetchError::Url(_) => {
            "its URL is not one Aperçu fetches (a port other than 80 and 443, or a user name)"
                .to_owned()
        }
        FetchError::Blocked(Blocked::HostNotAllowed(_)) => {
            "its host is not among the hosts this service fetches from".to_owned()
        }
        FetchError::Blocked(_) => "its address is not on the public internet".to_owned(),
        FetchError::NotFound(status) => format!("it answers {status}"),
        FetchError::Timeout(after) => format!("it did not answer within {} s", after.as_secs()),
        FetchError::Busy(_) => "too many fetches were in flight; try again shortly".to_owned(),
        FetchError::Unavailable(unavailable) => match unavailable.reason {
            Reason::WrongType if unavailable.detail.contains("image/svg") => {
                "it is an SVG, which no platform shows".to_owned()
            }
            Reason::WrongType => {
                "it is not a JPEG, PNG, WebP or GIF image (its type or its bytes say otherwise)"
                    .to_owned()
            }
            Reason::TooLarge => {
                "it is larger than the images Aperçu fetches (APERCU_MAX_IMAGE_BYTES)".to_owned()
            }
            Reason::Redirect => "it redirects too many times, or nowhere".to_owned(),
            Reason::Status => "it answers with an error status".to_owned(),
            Reason::Undecodable => "its bytes do not decode as an image".to_owned(),
            Reason::Connection | Reason::Blocked | Reason::Body => {
                "it could not be fetched (no connection, or the answer broke off)".to_owned()
            }
        },
    }
}

/// The report: previews by every platform's rules, with the page's tags and (given Aperçu's
/// answers) through Aperçu, and the findings.
#[must_use]
pub fn report(
    asked: &str,
    made_at_unix: u64,
    page: PageFacts,
    article: Article,
    tags: TagScan,
    images: Vec<ImageFacts>,
    apercu: Option<Answers>,
) -> Report {
    let previews: Vec<Preview> = {
        let view = Page {
            url: &page.url,
            tags: &tags,
            images: &images,
        };
        PLATFORMS
            .iter()
            .map(|platform| preview::preview(platform, &view))
            .collect()
    };
    let with_apercu = apercu
        .as_ref()
        .map(|answers| through_apercu(&page.url, answers))
        .unwrap_or_default();
    let findings = warnings::findings(&page, &tags, &images, &previews);
    let made_at = chrono::DateTime::from_timestamp(i64::try_from(made_at_unix).unwrap_or(0), 0)
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    Report {
        asked: asked.to_owned(),
        made_at,
        made_at_unix,
        page,
        article,
        tags,
        images,
        previews,
        with_apercu,
        findings,
        apercu,
    }
}

/// Each platform's preview of the share page: its tags, and the JPEG card as the image.
fn through_apercu(page_url: &Url, answers: &Answers) -> Vec<Preview> {
    let card = answers.cards.iter().find(|card| card.format == "jpg");
    let images: Vec<ImageFacts> = answers
        .share_tags
        .first("og:image")
        .zip(card)
        .map(|(tag, card)| ImageFacts {
            url: tag.value.clone(),
            found: Ok(Measured {
                width: crate::card::CARD_WIDTH,
                height: crate::card::CARD_HEIGHT,
                bytes: card.bytes as u64,
                media_type: card.media_type.to_owned(),
                redirected: false,
            }),
        })
        .into_iter()
        .collect();
    let view = Page {
        url: page_url,
        tags: &answers.share_tags,
        images: &images,
    };
    PLATFORMS
        .iter()
        .map(|platform| preview::preview(platform, &view))
        .collect()
}
