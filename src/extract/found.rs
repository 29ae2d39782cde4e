//! What one source says about a page, before the merge: raw strings as the page wrote them
//! (cleaning, URL resolution and date parsing happen once, in the merge).

/// The candidate values of one source. Empty fields mean the source is silent.
#[derive(Debug, Default, Clone)]
pub struct Found {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    /// In the page's order; the merge takes the first usable one.
    pub images: Vec<ImageCandidate>,
    pub site_name: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<String>,
    pub modified_at: Option<String>,
    pub lang: Option<String>,
    pub canonical_url: Option<String>,
    pub logo: Option<String>,
    pub favicon: Option<String>,
    pub keywords: Vec<String>,
    pub kind: Option<String>,
    pub theme_color: Option<String>,
}

/// An image a source proposes as the lead image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageCandidate {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub alt: Option<String>,
}

impl ImageCandidate {
    #[must_use]
    pub fn new(url: String) -> Self {
        Self {
            url,
            width: None,
            height: None,
            alt: None,
        }
    }
}

/// One step of a breadcrumb trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    pub name: String,
    pub url: Option<String>,
}

/// A dimension attribute (`og:image:width`, `width="1600"`): digits only, clamped to what an
/// image can be (docs/security.md H9: huge or negative values are ignored).
#[must_use]
pub fn parse_dimension(raw: &str) -> Option<u32> {
    let digits = raw.trim().trim_end_matches("px").trim();
    digits
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
}

#[cfg(test)]
mod tests {
    use super::parse_dimension;

    #[test]
    fn huge_negative_and_malformed_dimensions_are_ignored() {
        assert_eq!(parse_dimension("1600"), Some(1600));
        assert_eq!(parse_dimension(" 630px "), Some(630));
        for raw in [
            "-1",
            "0",
            "99999999999999999999",
            "1e9",
            "100001",
            "abc",
            "",
            "12.5",
        ] {
            assert_eq!(parse_dimension(raw), None, "{raw}");
        }
    }
}
