//! schema.org microdata: the properties of the article's `itemscope` (and `itemprop`s that
//! belong to no scope, as pages put them in `<head>`), and `BreadcrumbList` trails.

use scraper::{ElementRef, Html};

use super::dom;
use super::found::{Crumb, Found, ImageCandidate, parse_dimension};

const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "scholarlyarticle",
    "techarticle",
    "liveblogposting",
    "report",
];

/// What the page's microdata says.
#[derive(Debug, Default)]
pub struct Microdata {
    pub article: Found,
    pub breadcrumb: Vec<Crumb>,
}

fn item_type(el: ElementRef<'_>) -> Option<String> {
    let t = dom::attr(el, "itemtype")?;
    Some(t.rsplit('/').next().unwrap_or(t).to_lowercase())
}

fn is_scope(el: ElementRef<'_>) -> bool {
    dom::raw_attr(el, "itemscope").is_some()
}

/// The nearest `itemscope` ancestor of a property element.
fn owner_scope(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    dom::ancestors(el).find(|a| is_scope(*a))
}

fn props(el: ElementRef<'_>) -> impl Iterator<Item = &str> {
    dom::raw_attr(el, "itemprop")
        .unwrap_or_default()
        .split_ascii_whitespace()
}

/// Reads the microdata of a document.
#[must_use]
pub fn read(doc: &Html) -> Microdata {
    let mut out = Microdata::default();
    let mut article_scope = None;
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if !is_scope(el) {
            continue;
        }
        let Some(t) = item_type(el) else { continue };
        if article_scope.is_none() && ARTICLE_TYPES.contains(&t.as_str()) {
            article_scope = Some(el);
        } else if out.breadcrumb.is_empty() && t == "breadcrumblist" {
            out.breadcrumb = breadcrumb(el);
        }
    }
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if dom::raw_attr(el, "itemprop").is_none() {
            continue;
        }
        let owner = owner_scope(el);
        let belongs = match (owner, article_scope) {
            (None, _) => true,
            (Some(o), Some(a)) => o.id() == a.id(),
            (Some(_), None) => false,
        };
        if belongs {
            for prop in props(el) {
                add_property(&mut out.article, prop, el);
            }
        }
    }
    out
}

fn add_property(out: &mut Found, prop: &str, el: ElementRef<'_>) {
    let set = |slot: &mut Option<String>| {
        if slot.is_none() {
            *slot = dom::property_value(el, false);
        }
    };
    match prop {
        "headline" => set(&mut out.title),
        "name" if out.title.is_none() && !is_scope(el) => set(&mut out.title),
        "description" => set(&mut out.description),
        "datePublished" => set(&mut out.published_at),
        "dateModified" => set(&mut out.modified_at),
        "articleSection" => set(&mut out.category),
        "inLanguage" => set(&mut out.lang),
        "keywords" => {
            if out.keywords.is_empty()
                && let Some(k) = dom::property_value(el, false)
            {
                out.keywords = k.split(',').map(|s| s.trim().to_owned()).collect();
            }
        }
        "author" | "creator" => {
            if let Some(name) = nested(el, "name").or_else(|| dom::property_value(el, false)) {
                out.authors.push(name);
            }
        }
        "publisher" => {
            if out.site_name.is_none() {
                out.site_name = nested(el, "name").or_else(|| {
                    (!is_scope(el))
                        .then(|| dom::property_value(el, false))
                        .flatten()
                });
            }
            if out.logo.is_none() {
                out.logo = nested_element(el, "logo").and_then(|logo| {
                    nested_url(logo, "url").or_else(|| dom::property_value(logo, true))
                });
            }
        }
        "image" | "thumbnailUrl" => {
            let url = if is_scope(el) {
                nested_url(el, "url").or_else(|| nested_url(el, "contentUrl"))
            } else {
                dom::property_value(el, true)
            };
            if let Some(url) = url {
                let dimension = |name| {
                    nested(el, name)
                        .as_deref()
                        .and_then(parse_dimension)
                        .or_else(|| dom::raw_attr(el, name).and_then(parse_dimension))
                };
                out.images.push(ImageCandidate {
                    url,
                    width: dimension("width"),
                    height: dimension("height"),
                    alt: None,
                });
            }
        }
        "url" | "mainEntityOfPage" if !is_scope(el) && out.canonical_url.is_none() => {
            out.canonical_url = dom::property_value(el, true);
        }
        _ => {}
    }
}

/// The element carrying property `prop` inside the scope `el` (not in a deeper scope).
fn nested_element<'a>(el: ElementRef<'a>, prop: &str) -> Option<ElementRef<'a>> {
    if !is_scope(el) {
        return None;
    }
    el.descendants().filter_map(ElementRef::wrap).find(|d| {
        props(*d).any(|p| p == prop) && owner_scope(*d).is_some_and(|o| o.id() == el.id())
    })
}

fn nested(el: ElementRef<'_>, prop: &str) -> Option<String> {
    nested_element(el, prop).and_then(|e| dom::property_value(e, false))
}

fn nested_url(el: ElementRef<'_>, prop: &str) -> Option<String> {
    nested_element(el, prop).and_then(|e| dom::property_value(e, true))
}

fn breadcrumb(list: ElementRef<'_>) -> Vec<Crumb> {
    list.descendants()
        .filter_map(ElementRef::wrap)
        .filter(|d| props(*d).any(|p| p == "itemListElement"))
        .filter_map(|entry| {
            let name = nested(entry, "name").or_else(|| {
                let item = nested_element(entry, "item")?;
                nested(item, "name").or_else(|| Some(dom::text(item)))
            })?;
            let url = nested_element(entry, "item").and_then(|item| {
                dom::attr(item, "href")
                    .map(str::to_owned)
                    .or_else(|| dom::attr(item, "itemid").map(str::to_owned))
            });
            Some(Crumb { name, url })
        })
        .collect()
}
