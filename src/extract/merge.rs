//! The merge: for each field, the first source (strongest first, as docs/extraction.md lists
//! them) whose value survives cleaning, resolution and parsing. Per-field orders
//! differ only where one signal is known to be more reliable (`<link rel=canonical>` over `og:url`,
//! `<html lang>` over `og:locale`).

use chrono::NaiveDate;
use url::Url;

use super::article::{Article, Field, LeadImage, Source, Sources, TextDirection};
use super::dates::{self, Timestamp};
use super::found::{Crumb, Found, ImageCandidate};
use super::page::{self, Page};
use super::text::{self, fold};
use super::title::{self, SiteEvidence};
use super::urls;

const MAX_AUTHORS: usize = 10;
const MAX_KEYWORDS: usize = 20;
const MAX_CATEGORY_CHARS: usize = 60;

/// Everything the sources found, ready to merge.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub page_url: &'a Url,
    pub base: &'a Url,
    pub og: &'a Found,
    pub json_ld: &'a Found,
    pub twitter: &'a Found,
    pub microdata: &'a Found,
    pub meta: &'a Found,
    pub page: &'a Page<'a>,
    pub trails: [&'a [Crumb]; 3],
    pub title_element: Option<&'a str>,
    pub html_lang: Option<&'a str>,
    pub html_dir: Option<&'a str>,
    pub body_dir: Option<&'a str>,
    /// The last day a publication date may fall on (tomorrow, by the caller's clock).
    pub latest_day: Option<NaiveDate>,
}

/// Which sources each field is read from, strongest first: the first source whose value
/// survives cleaning, URL resolution or date parsing gives the field. `docs/extraction.md`
/// states the same orders in its table, and a test holds the two together.
pub mod order {
    use super::Source::{self, Dom, JsonLd, Meta, Microdata, OpenGraph, Twitter};

    /// The metadata a publisher writes for machines, strongest first.
    pub const METADATA: &[Source] = &[OpenGraph, JsonLd, Twitter, Microdata, Meta];
    /// The JSON-LD `headline` is the headline by definition; `og:title` is often the `<title>`
    /// copied with the site name. (Then the `<title>` and the `<h1>`.)
    pub const TITLE: &[Source] = &[JsonLd, OpenGraph, Twitter, Microdata, Meta];
    /// Then a name found in the `<title>`.
    pub const SITE_NAME: &[Source] = METADATA;
    pub const DESCRIPTION: &[Source] = &[OpenGraph, JsonLd, Twitter, Microdata, Meta, Dom];
    /// Twitter cards have no section. Then the breadcrumb, the category link near the
    /// headline, the URL path.
    pub const CATEGORY: &[Source] = &[OpenGraph, JsonLd, Microdata, Meta];
    pub const AUTHORS: &[Source] = &[OpenGraph, JsonLd, Twitter, Microdata, Meta, Dom];
    /// `<link rel=canonical>` is what the site says; `og:url` is often the shared URL.
    pub const CANONICAL_URL: &[Source] = &[Meta, OpenGraph, JsonLd, Twitter, Microdata];
    pub const LEAD_IMAGE: &[Source] = &[OpenGraph, JsonLd, Twitter, Microdata, Meta, Dom];
    pub const LOGO: &[Source] = &[OpenGraph, JsonLd, Twitter, Microdata, Meta, Dom];
    pub const FAVICON: &[Source] = METADATA;
    /// After `<html lang>`.
    pub const LANG: &[Source] = METADATA;
    /// Twitter cards carry no dates. The earliest of the machine-readable dates wins unless the
    /// page shows one of them; the page's own `<time>` comes after (it may date another story),
    /// then the dates the page shows, then the URL path.
    pub const PUBLISHED: &[Source] = &[OpenGraph, JsonLd, Microdata, Meta, Dom];
    pub const MODIFIED: &[Source] = PUBLISHED;
    pub const KEYWORDS: &[Source] = METADATA;
    pub const KIND: &[Source] = &[OpenGraph, JsonLd];
    pub const THEME_COLOR: &[Source] = METADATA;
}

impl<'a> Inputs<'a> {
    /// What `source` found for `field` (the page's markup is read for that field only);
    /// `None` for the sources that are not read into a [`Found`] (breadcrumbs, the URL path).
    fn found(&self, source: Source, field: Field) -> Option<&'a Found> {
        match source {
            Source::OpenGraph => Some(self.og),
            Source::JsonLd => Some(self.json_ld),
            Source::Twitter => Some(self.twitter),
            Source::Microdata => Some(self.microdata),
            Source::Meta => Some(self.meta),
            Source::Dom => Some(self.page.found(field)),
            Source::Breadcrumb | Source::Url => None,
        }
    }

    /// The first source in `order` for which `pick` finds a usable `field`, with that source.
    fn first_of<T>(
        &self,
        field: Field,
        order: &[Source],
        mut pick: impl FnMut(&'a Found) -> Option<T>,
    ) -> Option<(T, Source)> {
        order
            .iter()
            .find_map(|source| pick(self.found(*source, field)?).map(|v| (v, *source)))
    }

    fn resolve(&self, raw: &str) -> Option<Url> {
        urls::resolve(self.base, raw)
    }
}

/// Builds the article from the sources.
#[must_use]
pub fn merge(inputs: &Inputs<'_>) -> Article {
    let mut article = Article::empty(inputs.page_url.clone());
    let mut sources = Sources::default();

    // Names the site goes by, for cutting it out of titles.
    let site_from_metadata = inputs.first_of(Field::SiteName, order::SITE_NAME, |f| {
        clean_short(f.site_name.as_deref())
    });
    let mut names: Vec<&str> = order::METADATA
        .iter()
        .filter_map(|source| inputs.found(*source, Field::SiteName)?.site_name.as_deref())
        .collect();
    names.extend(inputs.page.site_names.iter().map(String::as_str));
    let h1 = inputs
        .page
        .headline
        .as_deref()
        .and_then(|t| text::clean(t, text::MAX_TITLE_CHARS));
    let evidence = SiteEvidence {
        names,
        host: inputs.page_url.host_str(),
        chrome_text: &inputs.page.chrome_text,
        headline: h1.as_deref(),
    };

    // Title: a metadata title as the publisher wrote it; else the page's <title> with the site
    // name cut, or the <h1> when the <title> is only the site name.
    // The JSON-LD `headline` is the headline by definition; `og:title` is a share title that
    // CMSs often fill with the <title>, site name included. Both are used as published.
    let metadata_title = inputs
        .first_of(Field::Title, order::TITLE, |f| {
            clean_title(f.title.as_deref())
        })
        .map(|(t, source)| (tidy_metadata_title(&t, h1.as_deref()), source));
    let hint = metadata_title
        .as_ref()
        .map(|(t, _)| t.as_str())
        .or(h1.as_deref());
    let element = clean_title(inputs.title_element).map(|t| {
        title::split_site_name(
            &t,
            &SiteEvidence {
                headline: hint,
                ..evidence.clone()
            },
        )
    });
    let site_from_title = element.as_ref().and_then(|(_, site)| site.clone());
    let title = metadata_title
        .or_else(|| {
            let chosen = match (element, h1.clone()) {
                (Some((headline, _)), Some(h1)) => {
                    let only_site = evidence.names.iter().any(|n| fold(n) == fold(&headline));
                    if only_site || fold(&headline).is_empty() {
                        h1
                    } else {
                        headline
                    }
                }
                (Some((headline, _)), None) => headline,
                (None, Some(h1)) => h1,
                (None, None) => return None,
            };
            Some((chosen, Source::Dom))
        })
        .filter(|(t, _)| !t.is_empty());
    if let Some((t, source)) = title {
        article.title = Some(t);
        sources.record(Field::Title, source);
    }

    if let Some((name, source)) = site_from_metadata.or_else(|| {
        site_from_title
            .as_deref()
            .and_then(|s| text::clean(s, text::MAX_SHORT_CHARS))
            .map(|s| (s, Source::Dom))
    }) {
        article.site_name = Some(name);
        sources.record(Field::SiteName, source);
    }

    if let Some((d, source)) = inputs.first_of(Field::Description, order::DESCRIPTION, |f| {
        text::clean(f.description.as_deref()?, text::MAX_DESCRIPTION_CHARS)
    }) {
        article.description = Some(d);
        sources.record(Field::Description, source);
    }

    let category = inputs
        .first_of(Field::Category, order::CATEGORY, |f| {
            clean_category(f.category.as_deref())
        })
        .or_else(|| {
            inputs
                .trails
                .iter()
                .find_map(|trail| {
                    page::category_from_trail(trail, article.title.as_deref(), inputs.page_url)
                })
                .and_then(|c| clean_category(Some(&c)))
                .map(|c| (c, Source::Breadcrumb))
        })
        .or_else(|| clean_category(inputs.page.category_link.as_deref()).map(|c| (c, Source::Dom)))
        .or_else(|| page::category_from_path(inputs.page_url).map(|c| (c, Source::Url)));
    if let Some((c, source)) = category {
        article.category = Some(c);
        sources.record(Field::Category, source);
    }

    if let Some((authors, source)) = inputs.first_of(Field::Authors, order::AUTHORS, |f| {
        let names = clean_authors(&f.authors);
        (!names.is_empty()).then_some(names)
    }) {
        article.authors = authors;
        sources.record(Field::Authors, source);
    }

    if let Some((u, source)) = inputs.first_of(Field::CanonicalUrl, order::CANONICAL_URL, |f| {
        inputs.resolve(f.canonical_url.as_deref()?)
    }) {
        article.canonical_url = Some(u);
        sources.record(Field::CanonicalUrl, source);
    }

    if let Some((u, source)) = inputs.first_of(Field::Logo, order::LOGO, |f| {
        inputs.resolve(f.logo.as_deref()?)
    }) {
        article.logo = Some(u);
        sources.record(Field::Logo, source);
    }
    if let Some((u, source)) = inputs.first_of(Field::Favicon, order::FAVICON, |f| {
        inputs.resolve(f.favicon.as_deref()?)
    }) {
        article.favicon = Some(u);
        sources.record(Field::Favicon, source);
    }

    if let Some((image, source)) = inputs.first_of(Field::LeadImage, order::LEAD_IMAGE, |f| {
        f.images
            .iter()
            .find_map(|c| lead_image(inputs, c, article.logo.as_ref(), article.favicon.as_ref()))
    }) {
        article.lead_image = Some(image);
        sources.record(Field::LeadImage, source);
    }

    let lang = inputs
        .html_lang
        .and_then(normalize_lang)
        .map(|l| (l, Source::Dom))
        .or_else(|| {
            inputs.first_of(Field::Lang, order::LANG, |f| {
                normalize_lang(f.lang.as_deref()?)
            })
        });
    let declared_dir = [
        inputs.page.content_dir.as_deref(),
        inputs.body_dir,
        inputs.html_dir,
    ]
    .into_iter()
    .flatten()
    .find_map(parse_dir);
    let dir = declared_dir.map(|d| (d, Source::Dom)).or_else(|| {
        lang.as_ref()
            .map(|(l, source)| (direction_of_lang(l), *source))
    });
    if let Some((l, source)) = lang {
        article.lang = Some(l);
        sources.record(Field::Lang, source);
    }

    // After the language: "04/05/2021" is read in the page's day order.
    let day_order = dates::DayOrder::of(article.lang.as_deref());
    let plausible = |t: &Timestamp| dates::publishable(t, inputs.latest_day);
    let date =
        |raw: Option<&str>| dates::parse_in(&text::clean(raw?, 100)?, day_order).filter(plausible);
    let lang = article.lang.as_deref();
    let shown = || {
        inputs.page.date_texts().iter().find_map(|t| {
            dates::parse_shown(&text::clean(t, 200)?, day_order, lang).filter(plausible)
        })
    };
    // Sources disagree when one of them carries the last update as its "published" date: a
    // machine date that the page also shows people is confirmed and wins; otherwise the earliest
    // publication date any machine-readable source gives.
    // (Not the page's own `<time>`s, which may date other stories: they come after.)
    let machine: Vec<(Timestamp, Source)> = order::PUBLISHED
        .iter()
        .filter(|source| **source != Source::Dom)
        .filter_map(|source| {
            let raw = inputs
                .found(*source, Field::PublishedAt)?
                .published_at
                .as_deref();
            date(raw).map(|t| (t, *source))
        })
        .collect();
    let disagree = machine.iter().any(|(t, _)| t.day() != machine[0].0.day());
    let confirmed = disagree
        .then(shown)
        .flatten()
        .and_then(|seen| machine.iter().find(|(t, _)| t.day() == seen.day()).copied());
    let published = confirmed
        .or_else(|| machine.into_iter().min_by_key(|(t, _)| t.day()))
        .or_else(|| {
            inputs.first_of(Field::PublishedAt, &[Source::Dom], |f| {
                date(f.published_at.as_deref())
            })
        })
        // What the page shows people, then the URL path.
        .or_else(|| shown().map(|t| (t, Source::Dom)))
        .or_else(|| {
            dates::from_path(inputs.page_url.path())
                .map(Timestamp::Day)
                .filter(plausible)
                .map(|t| (t, Source::Url))
        });
    if let Some((t, source)) = published {
        article.published_at = Some(t);
        sources.record(Field::PublishedAt, source);
    }
    if let Some((t, source)) = inputs.first_of(Field::ModifiedAt, order::MODIFIED, |f| {
        date(f.modified_at.as_deref())
    }) {
        article.modified_at = Some(t);
        sources.record(Field::ModifiedAt, source);
    }
    if let Some((d, source)) = dir {
        article.dir = Some(d);
        sources.record(Field::Dir, source);
    }

    if let Some((keywords, source)) = inputs.first_of(Field::Keywords, order::KEYWORDS, |f| {
        let k = clean_keywords(&f.keywords);
        (!k.is_empty()).then_some(k)
    }) {
        article.keywords = keywords;
        sources.record(Field::Keywords, source);
    }

    if let Some((kind, source)) = inputs.first_of(Field::Kind, order::KIND, |f| {
        let k = text::clean(f.kind.as_deref()?, 40)?.to_lowercase();
        k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'))
            .then_some(k)
    }) {
        article.kind = Some(kind);
        sources.record(Field::Kind, source);
    }

    if let Some((color, source)) = inputs.first_of(Field::ThemeColor, order::THEME_COLOR, |f| {
        normalize_hex_color(f.theme_color.as_deref()?)
    }) {
        article.theme_color = Some(color);
        sources.record(Field::ThemeColor, source);
    }
    article.sources = sources;
    article
}

/// A metadata title as a headline: without a date glued before or after it ("08.11.2021 | …"),
/// and the whole `<h1>` when it is a cut-off start of it (an unescaped quote in the page's
/// `content="…"`). A site name is kept unless the `<h1>` is the rest: measured on Readability's
/// test pages, cutting it from `og:title` as from `<title>` took title agreement from 93.5 % to
/// 85.4 %.
fn tidy_metadata_title(title: &str, h1: Option<&str>) -> String {
    // Whether a part is a date at all, in either day order ("12/01/2022 - …").
    let headline = title::strip_date(title, |part| {
        [dates::DayOrder::DayFirst, dates::DayOrder::MonthFirst]
            .into_iter()
            .any(|order| dates::parse_in(part, Some(order)).is_some())
            || dates::parse_written(part, None).is_some()
    });
    // "Headline - webpack - Medium": the suffix is cut only when the `<h1>` is exactly the
    // part before it, so a share title that differs from the headline is kept as written.
    let headline = h1
        .and_then(|h1| title::before_suffix(headline, h1))
        .unwrap_or(headline)
        .to_owned();
    match h1 {
        Some(h1)
            if h1.chars().count() > headline.chars().count() + 3
                && fold(h1).starts_with(&fold(&headline))
                && !fold(&headline).is_empty() =>
        {
            h1.to_owned()
        }
        _ => headline,
    }
}

fn clean_title(raw: Option<&str>) -> Option<String> {
    text::clean(raw?, text::MAX_TITLE_CHARS).filter(|t| t.chars().any(char::is_alphanumeric))
}

fn clean_short(raw: Option<&str>) -> Option<String> {
    text::clean(raw?, text::MAX_SHORT_CHARS).filter(|t| t.chars().any(char::is_alphanumeric))
}

fn clean_category(raw: Option<&str>) -> Option<String> {
    let c = text::clean(raw?, MAX_CATEGORY_CHARS)?;
    let looks_like_url = c.contains("://") || c.starts_with('/');
    (!looks_like_url && c.chars().any(char::is_alphabetic)).then_some(c)
}

/// Bylines as people write them: `By Jane Doe and John Roe` → `["Jane Doe", "John Roe"]`.
/// Profile URLs and @handles are not names.
fn clean_authors(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for entry in raw {
        let Some(cleaned) = text::clean(entry, text::MAX_SHORT_CHARS) else {
            continue;
        };
        for name in split_byline(&cleaned) {
            let label = name.trim_end_matches([':', '.']).trim().to_lowercase();
            let is_name = name.chars().any(char::is_alphabetic)
                && !BYLINE_LABELS.contains(&label.as_str())
                && !name.contains("://")
                && !name.starts_with("www.")
                && !name.starts_with('@')
                && name.chars().count() <= 100;
            if is_name && !out.iter().any(|o| fold(o) == fold(&name)) {
                out.push(name);
            }
        }
        if out.len() >= MAX_AUTHORS {
            out.truncate(MAX_AUTHORS);
            break;
        }
    }
    out
}

fn split_byline(line: &str) -> Vec<String> {
    // "By Jane Doe | March 5, 2021", "Updated 3:45 pm · By Jane Doe": the part with the names
    // is the first one without a digit.
    let line = ["|", "·", "•", " — "]
        .iter()
        .find(|sep| line.contains(**sep))
        .and_then(|sep| {
            line.split(*sep)
                .map(str::trim)
                .find(|part| !part.is_empty() && !part.bytes().any(|b| b.is_ascii_digit()))
        })
        .unwrap_or(line);
    let mut s = line.trim();
    let lower = s.to_lowercase();
    if let Some(prefix) = BYLINE_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
        // The prefixes are lower-case ASCII or Latin letters whose lower case has the same
        // length, so the cut falls on the same boundary.
        if let Some(rest) = s.get(prefix.len()..) {
            s = rest.trim_start();
        }
    }
    let s = s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '|' | '-' | '–' | '—' | '·' | '•')
    });
    let parts: Vec<&str> = s
        .split([',', ';', '&', '/'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" et "))
        .flat_map(|p| p.split(" und "))
        .flat_map(|p| p.split(" y "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // "Jane Doe, Staff Writer", "A and B, Associated Press": roles and agencies are not people.
    let people: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| !is_role_or_agency(p))
        .collect();
    // Only split when every part looks like a name (two words or more): "Smith, John" stays.
    if people.len() > 1 && people.iter().all(|p| p.split_whitespace().count() >= 2) {
        people.into_iter().map(str::to_owned).collect()
    } else if people.len() == 1 && parts.len() > 1 {
        vec![people[0].to_owned()]
    } else {
        vec![s.to_owned()]
    }
}

/// What precedes the names in a byline, lower case, longest first.
const BYLINE_PREFIXES: &[&str] = &[
    "published by ",
    "posted by ",
    "written by ",
    "publié par ",
    "écrit par ",
    "veröffentlicht von ",
    "publicado por ",
    "escrito por ",
    "pubblicato da ",
    "by ",
    "par ",
    "von ",
    "por ",
    "di ",
    "door ",
    "av ",
];

/// Bylines that are a label, not a name: what a template prints before or instead of one.
const BYLINE_LABELS: &[&str] = &[
    "by",
    "par",
    "von",
    "por",
    "di",
    "door",
    "av",
    "published by",
    "posted by",
    "written by",
    "author",
    "authors",
    "autor",
    "auteur",
    "autore",
    "redaktion",
    "rédaction",
    "redacción",
    "redazione",
    "redactie",
    "admin",
    "administrator",
    "unknown",
    "anonymous",
];

/// Words of a byline that name a job or an organisation rather than a person.
fn is_role_or_agency(part: &str) -> bool {
    const WORDS: &[&str] = &[
        "writer",
        "reporter",
        "reporters",
        "correspondent",
        "editor",
        "staff",
        "press",
        "news",
        "agency",
        "contributor",
        "columnist",
        "associated",
        "bureau",
        "service",
        "journalist",
        "photographer",
        "rédaction",
        "redaktion",
    ];
    part.split_whitespace().any(|w| {
        WORDS.contains(
            &w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
                .as_str(),
        )
    })
}

fn clean_keywords(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in raw {
        if let Some(k) = text::clean(k, 60)
            && !out.iter().any(|o| fold(o) == fold(&k))
        {
            out.push(k);
        }
        if out.len() == MAX_KEYWORDS {
            break;
        }
    }
    out
}

/// An image candidate that is the article's photo: an http(s) URL, not the logo or favicon,
/// not an icon, avatar or tracking pixel.
fn lead_image(
    inputs: &Inputs<'_>,
    candidate: &ImageCandidate,
    logo: Option<&Url>,
    favicon: Option<&Url>,
) -> Option<LeadImage> {
    let url = inputs.resolve(&candidate.url)?;
    if Some(&url) == logo || Some(&url) == favicon {
        return None;
    }
    let alt_markers = candidate.alt.as_deref().unwrap_or_default().to_lowercase();
    if page::looks_like_non_photo(
        url.as_str(),
        if alt_markers.contains("logo") {
            "logo"
        } else {
            ""
        },
    ) {
        return None;
    }
    if candidate.width.is_some_and(|w| w <= 50) || candidate.height.is_some_and(|h| h <= 50) {
        return None;
    }
    Some(LeadImage {
        alt: candidate
            .alt
            .as_deref()
            .and_then(|a| meaningful_alt(a, &url)),
        url,
        width: candidate.width,
        height: candidate.height,
        color: None,
        blurhash: None,
    })
}

/// Alternative text worth showing: not a file name, not a placeholder word ("title..",
/// "image", "photo").
fn meaningful_alt(raw: &str, url: &Url) -> Option<String> {
    let alt = text::clean(raw, text::MAX_SHORT_CHARS)?;
    let folded = fold(&alt);
    let placeholder = [
        "title",
        "image",
        "img",
        "photo",
        "picture",
        "untitled",
        "thumbnail",
        "alt",
        "null",
        "undefined",
    ];
    let file_stem = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .map(fold)
        .unwrap_or_default();
    let letters = alt.chars().filter(|c| c.is_alphabetic()).count();
    let junk = letters < 3
        || placeholder.contains(&folded.as_str())
        || folded == file_stem
        || (!file_stem.is_empty() && file_stem.starts_with(&folded))
        || [".jpg", ".jpeg", ".png", ".webp", ".gif"]
            .iter()
            .any(|e| alt.to_lowercase().ends_with(e));
    (!junk).then_some(alt)
}

/// A BCP 47 tag as pages write it (`fr_FR`, `EN-us`, `zh-hant-tw`) in canonical case
/// (`fr-FR`, `en-US`, `zh-Hant-TW`); `None` for anything that is not a language tag.
#[must_use]
pub fn normalize_lang(raw: &str) -> Option<String> {
    let raw = raw.trim().replace('_', "-");
    let mut parts = raw.split('-');
    let primary = parts.next()?;
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = primary.to_ascii_lowercase();
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            break;
        }
        out.push('-');
        match part.len() {
            2 if part.bytes().all(|b| b.is_ascii_alphabetic()) => {
                out.push_str(&part.to_ascii_uppercase());
            }
            4 if part.bytes().all(|b| b.is_ascii_alphabetic()) => {
                out.push_str(&part[..1].to_ascii_uppercase());
                out.push_str(&part[1..].to_ascii_lowercase());
            }
            _ => out.push_str(&part.to_ascii_lowercase()),
        }
    }
    Some(out)
}

fn parse_dir(raw: &str) -> Option<TextDirection> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "rtl" => Some(TextDirection::Rtl),
        "ltr" => Some(TextDirection::Ltr),
        _ => None,
    }
}

/// The direction of a language's usual script.
fn direction_of_lang(lang: &str) -> TextDirection {
    let primary = lang.split('-').next().unwrap_or(lang);
    let rtl_script = lang.split('-').any(|p| {
        matches!(
            p,
            "Arab" | "Hebr" | "Thaa" | "Syrc" | "Nkoo" | "Adlm" | "Rohg"
        )
    });
    let latin_script = lang.split('-').any(|p| matches!(p, "Latn" | "Cyrl"));
    let rtl_language = matches!(
        primary,
        "ar" | "he"
            | "iw"
            | "fa"
            | "ur"
            | "ps"
            | "yi"
            | "dv"
            | "ckb"
            | "sd"
            | "ug"
            | "ku"
            | "arc"
            | "syr"
    );
    if rtl_script || (rtl_language && !latin_script) {
        TextDirection::Rtl
    } else {
        TextDirection::Ltr
    }
}

/// `#ABC`, `#aabbcc`, `#aabbccdd` → lower-case `#rrggbb[aa]`; other CSS colours are not kept.
fn normalize_hex_color(raw: &str) -> Option<String> {
    let hex = raw.trim().strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    match hex.len() {
        3 => Some(format!(
            "#{}",
            hex.chars().flat_map(|c| [c, c]).collect::<String>()
        )),
        6 | 8 => Some(format!("#{hex}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_orders_are_the_ones_the_docs_state() {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/extraction.md"))
                .unwrap();
        let stated: Vec<(String, Vec<String>)> = doc
            .lines()
            .map(str::trim)
            .skip_while(|l| !l.starts_with("| field | sources, strongest first |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
                let sources = cells[1].split('`').skip(1).step_by(2).map(str::to_owned);
                (cells[0].to_owned(), sources.collect())
            })
            .collect();
        let name = |s: &Source| {
            serde_json::to_value(s)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        };
        let code = [
            ("title", order::TITLE),
            ("site_name", order::SITE_NAME),
            ("description", order::DESCRIPTION),
            ("category", order::CATEGORY),
            ("authors", order::AUTHORS),
            ("canonical_url", order::CANONICAL_URL),
            ("lead_image", order::LEAD_IMAGE),
            ("logo", order::LOGO),
            ("favicon", order::FAVICON),
            ("lang", order::LANG),
            ("published_at", order::PUBLISHED),
            ("modified_at", order::MODIFIED),
            ("keywords", order::KEYWORDS),
            ("type", order::KIND),
            ("theme_color", order::THEME_COLOR),
        ]
        .map(|(field, sources)| (field.to_owned(), sources.iter().map(name).collect()));
        assert_eq!(stated, code);
        // Only sources read into a `Found` can be in an order.
        for (_, sources) in &code {
            assert!(!sources.iter().any(|s| s == "breadcrumb" || s == "url"));
        }
    }

    #[test]
    fn language_tags_are_normalised_and_junk_is_refused() {
        assert_eq!(normalize_lang("fr_FR").as_deref(), Some("fr-FR"));
        assert_eq!(normalize_lang("EN-us").as_deref(), Some("en-US"));
        assert_eq!(normalize_lang("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(normalize_lang("French"), None);
        assert_eq!(normalize_lang(""), None);
    }

    #[test]
    fn arabic_and_hebrew_read_right_to_left() {
        assert_eq!(direction_of_lang("ar"), TextDirection::Rtl);
        assert_eq!(direction_of_lang("he-IL"), TextDirection::Rtl);
        assert_eq!(direction_of_lang("ku-Latn"), TextDirection::Ltr);
        assert_eq!(direction_of_lang("ja"), TextDirection::Ltr);
    }

    #[test]
    fn bylines_are_split_into_names() {
        assert_eq!(
            split_byline("By Marc Santora, William K. Rashbaum and Al Baker"),
            vec!["Marc Santora", "William K. Rashbaum", "Al Baker"]
        );
        assert_eq!(split_byline("Par Claire Martin"), vec!["Claire Martin"]);
        assert_eq!(split_byline("Smith, John"), vec!["Smith, John"]);
        assert_eq!(split_byline("Jane Doe, Staff Writer"), vec!["Jane Doe"]);
        assert_eq!(
            split_byline("By ANA RUIZ and KATE MORROW, Associated Press"),
            vec!["ANA RUIZ", "KATE MORROW"]
        );
        assert_eq!(
            split_byline("By Mike Lund | March 5, 2021"),
            vec!["Mike Lund"]
        );
        assert_eq!(
            split_byline("Updated 3:45 pm · By Jane Doe"),
            vec!["Jane Doe"]
        );
    }

    #[test]
    fn a_metadata_title_loses_a_site_trail_only_when_the_h1_is_the_rest() {
        let h1 = Some("Code splitting in practice");
        assert_eq!(
            tidy_metadata_title("Code splitting in practice - webpack - Medium", h1),
            "Code splitting in practice"
        );
        assert_eq!(
            tidy_metadata_title("Code splitting in practice - webpack - Medium", None),
            "Code splitting in practice - webpack - Medium"
        );
        // A share title that says more than the headline is the publisher's choice.
        assert_eq!(
            tidy_metadata_title("Storm hits - and what it means for you", Some("Storm hits")),
            "Storm hits - and what it means for you"
        );
        assert_eq!(
            tidy_metadata_title("12/01/2022 - Le téléphérique reprend", None),
            "Le téléphérique reprend"
        );
    }

    #[test]
    fn labels_are_not_authors_and_label_prefixes_are_cut() {
        for label in ["Published by", "By", "Von", "Redaktion", "Author:", "admin"] {
            assert!(clean_authors(&[label.to_owned()]).is_empty(), "{label}");
        }
        assert_eq!(
            clean_authors(&["Published by Jane Doe".to_owned()]),
            vec!["Jane Doe"]
        );
        assert_eq!(
            clean_authors(&["Veröffentlicht von Jürgen Weiß".to_owned()]),
            vec!["Jürgen Weiß"]
        );
    }

    #[test]
    fn profile_urls_and_handles_are_not_authors() {
        let raw = vec![
            "https://www.facebook.com/someone".to_owned(),
            "@handle".to_owned(),
        ];
        assert!(clean_authors(&raw).is_empty());
    }

    #[test]
    fn junk_alt_text_is_dropped() {
        let url = Url::parse("https://x.example/img/lead-photo.jpg").unwrap();
        assert_eq!(meaningful_alt("title..", &url), None);
        assert_eq!(meaningful_alt("lead-photo.jpg", &url), None);
        assert_eq!(
            meaningful_alt("Le siège de Microsoft à Tokyo", &url).as_deref(),
            Some("Le siège de Microsoft à Tokyo")
        );
    }

    #[test]
    fn theme_colors_are_normalised_hex() {
        assert_eq!(normalize_hex_color("#ABC").as_deref(), Some("#aabbcc"));
        assert_eq!(normalize_hex_color("red"), None);
    }
}
