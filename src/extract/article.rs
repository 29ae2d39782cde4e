//! The `Article` value that extraction produces (SPEC §4): its fields, the names of the sources
//! they came from, and their JSON form. Values only; no parsing here.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use url::Url;

use super::dates::Timestamp;

/// Everything Aperçu knows about one article page. Absent values are `None` or empty, never
/// invented.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// The article's photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadImage {
    pub url: Url,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Alternative text when the page gives a meaningful one (junk such as "title.." is dropped).
    pub alt: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextDirection {
    Ltr,
    Rtl,
}

/// Where a field's value was found, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
