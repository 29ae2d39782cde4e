//! The `Article` value that extraction produces (docs/api.md, `GET /meta`): its fields, the names
//! of the sources they came from, and their JSON form. Values only; no parsing here.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use url::Url;

use super::dates::Timestamp;
use super::text;

/// Everything Aperçu knows about one article page. Absent values are `None` or empty, never
/// invented. Its JSON form (docs/api.md, `GET /meta`) reads back with [`Article::from_json`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// The page URL the extraction was asked for (after redirects, when fetched).
    pub url: Url,
    pub canonical_url: Option<Url>,
    /// The headline, without a site name glued to it.
    pub title: Option<String>,
    pub description: Option<String>,
    /// The section or rubric ("CHIFFRES", "Économie"), as the page writes it.
    pub category: Option<String>,
    pub lead_image: Option<LeadImage>,
    pub site_name: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<Timestamp>,
    pub modified_at: Option<Timestamp>,
    /// BCP 47 tag, normalised (`fr-FR`, `ja`).
    pub lang: Option<String>,
    pub dir: Option<TextDirection>,
    pub logo: Option<Url>,
    pub favicon: Option<Url>,
    pub keywords: Vec<String>,
    /// `og:type` (`article`, `website`…), or what the JSON-LD `@type` maps to.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A CSS hex colour (`#1a2b3c`) from `<meta name=theme-color>`.
    pub theme_color: Option<String>,
    pub sources: Sources,
}

impl Article {
    /// An article that knows nothing but its URL: what an empty or unreadable page gives.
    #[must_use]
    pub fn empty(url: Url) -> Self {
        Self {
            url,
            canonical_url: None,
            title: None,
            description: None,
            category: None,
            lead_image: None,
            site_name: None,
            authors: Vec::new(),
            published_at: None,
            modified_at: None,
            lang: None,
            dir: None,
            logo: None,
            favicon: None,
            keywords: Vec::new(),
            kind: None,
            theme_color: None,
            sources: Sources::default(),
        }
    }

    /// An article read back from its JSON form, refused (`None`) unless it keeps every promise
    /// extraction makes: http(s) URLs only, text without control or bidi-override characters
    /// and within the length caps. For JSON that comes from outside the process (the shared
    /// cache), which must never widen what a page can make us output.
    #[must_use]
    pub fn from_json(json: &[u8]) -> Option<Self> {
        let article: Article = serde_json::from_slice(json).ok()?;
        article.keeps_extraction_promises().then_some(article)
    }

    fn keeps_extraction_promises(&self) -> bool {
        let web = |url: &Url| matches!(url.scheme(), "http" | "https") && url.has_host();
        let readable = |value: &str, max_chars: usize| {
            !value.is_empty()
                && value.chars().count() <= max_chars
                && !text::has_forbidden_char(value)
        };
        let short = |value: &Option<String>| {
            value
                .as_deref()
                .is_none_or(|value| readable(value, text::MAX_SHORT_CHARS))
        };
        let urls = [&self.canonical_url, &self.logo, &self.favicon]
            .into_iter()
            .flatten()
            .chain(self.lead_image.as_ref().map(|lead| &lead.url));
        let lists = [&self.authors, &self.keywords].into_iter().all(|list| {
            list.len() <= 64
                && list
                    .iter()
                    .all(|value| readable(value, text::MAX_SHORT_CHARS))
        });
        web(&self.url)
            && urls.into_iter().all(web)
            && self
                .title
                .as_deref()
                .is_none_or(|title| readable(title, text::MAX_TITLE_CHARS))
            && self
                .description
                .as_deref()
                .is_none_or(|description| readable(description, text::MAX_DESCRIPTION_CHARS))
            && [&self.category, &self.site_name, &self.kind, &self.lang]
                .into_iter()
                .all(short)
            && short(&self.lead_image.as_ref().and_then(|lead| lead.alt.clone()))
            && lists
            && [
                self.theme_color.as_deref(),
                self.lead_image
                    .as_ref()
                    .and_then(|lead| lead.color.as_deref()),
            ]
            .into_iter()
            .flatten()
            .all(is_hex_colour)
            && self
                .lead_image
                .as_ref()
                .and_then(|lead| lead.blurhash.as_deref())
                .is_none_or(is_blurhash)
    }
}

/// `#rrggbb`: the only colour form an article carries (a theme colour, a photo's dominant
/// colour), and what values read back from outside the process are held to.
#[must_use]
pub fn is_hex_colour(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A `BlurHash` (<https://blurha.sh>): base 83 characters, at most 9×9 components.
#[must_use]
pub fn is_blurhash(value: &str) -> bool {
    (6..=6 + 2 * 80).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"#$%*+,-.:;=?@[]^_{|}~".contains(&b))
}

/// The article's photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadImage {
    pub url: Url,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Alternative text when the page gives a meaningful one (junk such as "title.." is dropped).
    pub alt: Option<String>,
    /// The photo's dominant colour (`#rrggbb`) and `BlurHash`: never from extraction (which does
    /// not see the photo), added by the service to `/meta` once it has decoded the photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blurhash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextDirection {
    Ltr,
    Rtl,
}

/// Where a field's value was found, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Source {
    /// Open Graph and `article:*` properties.
    #[serde(rename = "og")]
    OpenGraph,
    #[serde(rename = "json-ld")]
    JsonLd,
    #[serde(rename = "twitter")]
    Twitter,
    #[serde(rename = "microdata")]
    Microdata,
    /// Dublin Core, plain `<meta name>`, `<link rel>`.
    #[serde(rename = "meta")]
    Meta,
    #[serde(rename = "breadcrumb")]
    Breadcrumb,
    /// The page's own markup: `<title>`, `<h1>`, images, paragraphs, bylines, `<html lang>`.
    #[serde(rename = "dom")]
    Dom,
    /// The page URL's path.
    #[serde(rename = "url")]
    Url,
}

/// The fields of an [`Article`] that have a source, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    CanonicalUrl,
    Title,
    Description,
    Category,
    LeadImage,
    SiteName,
    Authors,
    PublishedAt,
    ModifiedAt,
    Lang,
    Dir,
    Logo,
    Favicon,
    Keywords,
    Kind,
    ThemeColor,
}

impl Field {
    const ALL: [Field; 16] = [
        Field::CanonicalUrl,
        Field::Title,
        Field::Description,
        Field::Category,
        Field::LeadImage,
        Field::SiteName,
        Field::Authors,
        Field::PublishedAt,
        Field::ModifiedAt,
        Field::Lang,
        Field::Dir,
        Field::Logo,
        Field::Favicon,
        Field::Keywords,
        Field::Kind,
        Field::ThemeColor,
    ];

    /// The field whose JSON name is `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Field::CanonicalUrl => "canonical_url",
            Field::Title => "title",
            Field::Description => "description",
            Field::Category => "category",
            Field::LeadImage => "lead_image",
            Field::SiteName => "site_name",
            Field::Authors => "authors",
            Field::PublishedAt => "published_at",
            Field::ModifiedAt => "modified_at",
            Field::Lang => "lang",
            Field::Dir => "dir",
            Field::Logo => "logo",
            Field::Favicon => "favicon",
            Field::Keywords => "keywords",
            Field::Kind => "type",
            Field::ThemeColor => "theme_color",
        }
    }
}

/// For each field that has a value, the source it came from. Serialised as a JSON object in
/// field order: `{"title": "og", "category": "breadcrumb"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources(Vec<(Field, Source)>);

impl Sources {
    pub(crate) fn record(&mut self, field: Field, source: Source) {
        if let Some(entry) = self.0.iter_mut().find(|(f, _)| *f == field) {
            entry.1 = source;
        } else {
            self.0.push((field, source));
            self.0.sort_unstable_by_key(|(f, _)| *f);
        }
    }

    /// The source of `field`, if it has a value.
    #[must_use]
    pub fn get(&self, field: Field) -> Option<Source> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, s)| *s)
    }
}

impl Serialize for Sources {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, source) in &self.0 {
            map.serialize_entry(field.name(), source)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Sources {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourcesVisitor;

        impl<'de> Visitor<'de> for SourcesVisitor {
            type Value = Sources;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of field names to source names")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sources, A::Error> {
                let mut sources = Sources::default();
                while let Some((name, source)) = map.next_entry::<String, Source>()? {
                    let field = Field::from_name(&name).ok_or_else(|| {
                        serde::de::Error::custom(format!("unknown field {name:?}"))
                    })?;
                    sources.record(field, source);
                }
                Ok(sources)
            }
        }

        deserializer.deserialize_map(SourcesVisitor)
    }
}
