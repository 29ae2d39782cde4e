//! Twitter (X) card tags. `twitter:creator` and `twitter:site` are handles, not names, and are
//! not used as author or site name; Yoast's "Written by" label is.

use super::found::Found;
use super::open_graph;
use super::scan::MetaTag;

/// Labels that introduce the author in `twitter:labelN` / `twitter:dataN` pairs.
const AUTHOR_LABELS: &[&str] = &[
    "written by",
    "écrit par",
    "verfasst von",
    "geschrieben von",
    "escrito por",
    "scritto da",
    "author",
    "auteur",
    "autor",
];

/// Reads the Twitter card tags among a page's `<meta>` tags.
#[must_use]
pub fn read(metas: &[MetaTag]) -> Found {
    let first = |key: &str| -> Option<String> {
        metas
            .iter()
            .find(|m| m.is(key) && !m.content.trim().is_empty())
            .map(|m| m.content.clone())
    };
    let mut out = Found {
        title: first("twitter:title"),
        description: first("twitter:description"),
        canonical_url: first("twitter:url"),
        images: open_graph::images(metas, "twitter:image", &["twitter:image:src"]),
        ..Found::default()
    };
    for n in 1..=4 {
        let label = first(&format!("twitter:label{n}")).map(|l| l.to_lowercase());
        if label.is_some_and(|l| AUTHOR_LABELS.iter().any(|a| l.trim() == *a))
            && let Some(name) = first(&format!("twitter:data{n}"))
        {
            out.authors.push(name);
        }
    }
    out
}
