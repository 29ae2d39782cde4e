//! Content versions: a short hash of what an answer is drawn from (the article fields it shows,
//! the design and theme that draw them). The URLs the service emits carry it as `v=`; an answer
//! to a URL whose `v` is the current version may be kept by browsers and CDNs for a year, since
//! new content means a new version, hence a new URL. Pure: values in, text out.

use sha2::{Digest, Sha256};

use crate::extract::Article;

/// Hex characters of a version: 48 bits, plenty to tell one article's revisions apart.
const VERSION_CHARS: usize = 12;

/// The longest `v` a request may carry; longer is not one of ours.
pub const MAX_VERSION_CHARS: usize = 32;

/// The versions of the answers drawn from one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// `/card.*`: every format shows the same card.
    pub card: String,
    /// `/thumb`: the lead photo (every width).
    pub thumb: String,
    /// `/embed`: the embed page.
    pub embed: String,
}

impl Versions {
    /// `design` names what draws the answers besides the article: layout versions and a
    /// fingerprint of the theme (its settings and logos).
    #[must_use]
    pub fn of(article: &Article, design: &Design) -> Self {
        let lead = article.lead_image.as_ref();
        let lead_url = lead.map(|lead| lead.url.as_str());
        let thumb = hash(&[
            "thumb",
            &design.thumbnail.to_string(),
            lead_url.unwrap_or(""),
        ]);
        let card_version = design.card.to_string();
        let mut card_inputs = vec![
            "card",
            &card_version,
            &design.theme,
            article.url.host_str().unwrap_or(""),
            article.title.as_deref().unwrap_or(""),
            article.site_name.as_deref().unwrap_or(""),
            article.category.as_deref().unwrap_or(""),
            article.lang.as_deref().unwrap_or(""),
            lead_url.unwrap_or(""),
        ];
        // Only when there is one: the cards of pages without a theme colour keep their versions.
        card_inputs.extend(article.theme_color.as_deref());
        // The site's icon shows when the theme names no logo (the theme is an input already).
        let icons = [&article.favicon, &article.logo].map(|u| u.as_ref().map(url::Url::as_str));
        card_inputs.extend(icons.iter().flatten());
        let card = hash(&card_inputs);
        let published = article
            .published_at
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let embed = hash(&[
            "embed",
            &design.page.to_string(),
            article.url.as_str(),
            article.canonical_url.as_ref().map_or("", url::Url::as_str),
            article.title.as_deref().unwrap_or(""),
            article.description.as_deref().unwrap_or(""),
            article.site_name.as_deref().unwrap_or(""),
            article.category.as_deref().unwrap_or(""),
            article.lang.as_deref().unwrap_or(""),
            if article.dir == Some(crate::extract::TextDirection::Rtl) {
                "rtl"
            } else {
                "ltr"
            },
            &published,
            lead.and_then(|lead| lead.alt.as_deref()).unwrap_or(""),
            &thumb,
            &design.theme,
            icons[0].unwrap_or(""),
            icons[1].unwrap_or(""),
        ]);
        Versions { card, thumb, embed }
    }
}

/// What draws the answers, besides the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Design {
    /// The card's layout version.
    pub card: u32,
    /// The thumbnail encoder's version.
    pub thumbnail: u32,
    /// The pages' template version.
    pub page: u32,
    /// A fingerprint of the card theme (settings and logo files).
    pub theme: String,
}

/// The CDN tag of every answer about the article at `url` (`Surrogate-Key`, `Cache-Tag`): one
/// per article, the same for all its routes and variants, so one purge at the CDN drops them
/// all. A hash, so it holds no character a header or a CDN's API could object to; FNV-1a (64
/// bits, a fixed published algorithm, the same on every instance and release) because it is
/// made for every answer — a collision would only purge one more article.
#[must_use]
pub fn article_tag(url: &str) -> String {
    let mut hasher = fnv::FnvHasher::default();
    std::hash::Hasher::write(&mut hasher, url.as_bytes());
    let hash = std::hash::Hasher::finish(&hasher);
    let mut tag = String::with_capacity(TAG_PREFIX.len() + 16);
    tag.push_str(TAG_PREFIX);
    for shift in (0..16).rev() {
        let digit = (hash >> (shift * 4)) & 0xf;
        tag.push(char::from_digit(digit as u32, 16).unwrap_or('0'));
    }
    tag
}

const TAG_PREFIX: &str = "apercu-";

/// Whether `v` (from a request) could be one of ours: short, hexadecimal.
#[must_use]
pub fn is_plausible(v: &str) -> bool {
    !v.is_empty() && v.len() <= MAX_VERSION_CHARS && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A hash of `parts`, each behind its length, so no two lists of parts hash alike by
/// concatenation.
#[must_use]
pub fn hash(parts: &[&str]) -> String {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    let digest = digest.finalize();
    let mut out = String::with_capacity(VERSION_CHARS);
    for byte in &digest[..VERSION_CHARS / 2] {
        use std::fmt::Write as _;
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: &str) -> Article {
        let mut article = Article::empty("https://news.example/a".parse().unwrap());
        article.title = Some(title.to_owned());
        article.description = Some("A description.".to_owned());
        article
    }

    fn design() -> Design {
        Design {
            card: 1,
            thumbnail: 1,
            page: 1,
            theme: "theme".to_owned(),
        }
    }

    #[test]
    fn a_new_title_changes_the_card_and_embed_versions_but_not_the_photos() {
        let before = Versions::of(&article("Old headline"), &design());
        let after = Versions::of(&article("New headline"), &design());
        assert_ne!(before.card, after.card);
        assert_ne!(before.embed, after.embed);
        assert_eq!(before.thumb, after.thumb);
        assert_eq!(before, Versions::of(&article("Old headline"), &design()));
    }

    #[test]
    fn what_the_card_does_not_show_leaves_its_version_alone() {
        let mut edited = article("Headline");
        edited.description = Some("Another description.".to_owned());
        edited.keywords = vec!["added".to_owned()];
        let (before, after) = (
            Versions::of(&article("Headline"), &design()),
            Versions::of(&edited, &design()),
        );
        assert_eq!(before.card, after.card);
        assert_ne!(before.embed, after.embed);
    }

    #[test]
    fn another_theme_or_layout_is_another_card_version() {
        let base = Versions::of(&article("Headline"), &design());
        let themed = Design {
            theme: "other".to_owned(),
            ..design()
        };
        let relaid = Design {
            card: 2,
            ..design()
        };
        assert_ne!(base.card, Versions::of(&article("Headline"), &themed).card);
        assert_ne!(base.card, Versions::of(&article("Headline"), &relaid).card);
    }

    #[test]
    fn versions_are_short_hex_and_parts_do_not_run_together() {
        let version = hash(&["ab", "c"]);
        assert_eq!(version.len(), VERSION_CHARS);
        assert!(is_plausible(&version));
        assert_ne!(version, hash(&["a", "bc"]));
        assert!(!is_plausible(""));
        assert!(!is_plausible("not-hex"));
        assert!(!is_plausible(&"a".repeat(33)));
    }

    #[test]
    fn an_articles_tag_is_stable_short_and_its_own() {
        // FNV-1a 64 of the URL: the same on every instance and release.
        assert_eq!(article_tag(""), "apercu-cbf29ce484222325");
        assert_eq!(article_tag("a"), "apercu-af63dc4c8601ec8c");
        assert_ne!(
            article_tag("https://news.example/a"),
            article_tag("https://news.example/b")
        );
    }
}
