//! The article's section from the page: breadcrumb trails, the category link nearest the
//! headline, and the URL path.

use scraper::ElementRef;
use url::Url;

use super::{Visit, dom};
use crate::extract::found::Crumb;
use crate::extract::text::{self, fold};

const CATEGORY_MARKERS: &[&str] = &[
    "categor",
    "rubri",
    "kicker",
    "eyebrow",
    "overline",
    "section-name",
    "article-section",
    "post-cat",
    "cat-links",
    "entry-cat",
    "story-section",
    "ressort",
];

const CATEGORY_PATH_SEGMENTS: &[&str] = &[
    "category",
    "categorie",
    "categories",
    "categoria",
    "kategorie",
    "rubrique",
    "rubriques",
    "section",
    "sections",
    "rubrik",
    "ressort",
];

/// Words of a breadcrumb's first step that mean "home page".
const HOME_WORDS: &[&str] = &[
    "home",
    "accueil",
    "acceuil",
    "startseite",
    "start",
    "inicio",
    "início",
    "главная",
    "الرئيسية",
    "ホーム",
    "首页",
    "home page",
    "homepage",
    "hjem",
    "etusivu",
    "strona główna",
    "anasayfa",
    "ana sayfa",
    "portada",
    "hem",
];

/// Path segments that are never a category.
const NOT_A_CATEGORY: &[&str] = &[
    "news",
    "article",
    "articles",
    "story",
    "stories",
    "post",
    "posts",
    "blog",
    "blogs",
    "p",
    "a",
    "amp",
    "www",
    "index",
    "content",
    "wp",
    "html",
    "archives",
    "archive",
    "view",
    "read",
    "detail",
    "details",
    "item",
    "page",
    "pages",
    "id",
    "en",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "ru",
    "ja",
    "ar",
    "zh",
    "nl",
    "pl",
    "tr",
    "test",
    "s",
    "doc",
    "docs",
    "actualites",
    "actualite",
    "nachrichten",
    "noticias",
    "notizie",
    "wiki",
];

fn is_breadcrumb_container(el: ElementRef<'_>) -> bool {
    let marks = dom::class_and_id(el);
    let label = dom::raw_attr(el, "aria-label")
        .unwrap_or_default()
        .to_lowercase();
    ["breadcrumb", "ariane", "crumbs"]
        .iter()
        .any(|m| marks.contains(m))
        || [
            "breadcrumb",
            "ariane",
            "brotkr",
            "migas",
            "хлебн",
            "パンくず",
        ]
        .iter()
        .any(|m| label.contains(m))
}

pub(super) fn breadcrumb(visits: &[Visit<'_>]) -> Vec<Crumb> {
    let Some(container) = visits
        .iter()
        .find(|v| !v.ctx.hidden && is_breadcrumb_container(v.el))
    else {
        return Vec::new();
    };
    let items: Vec<ElementRef<'_>> = container
        .el
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|d| d.value().name() == "li")
        .collect();
    let crumb_of = |el: ElementRef<'_>| -> Option<Crumb> {
        let link = if el.value().name() == "a" {
            Some(el)
        } else {
            el.descendants()
                .filter_map(ElementRef::wrap)
                .find(|d| d.value().name() == "a")
        };
        let name = text::clean(&dom::text(link.unwrap_or(el)), text::MAX_SHORT_CHARS)?;
        let name = name
            .trim_matches(|c: char| "›>»/|•·→".contains(c) || c.is_whitespace())
            .to_owned();
        (!name.is_empty()).then(|| Crumb {
            name,
            url: link.and_then(|l| dom::attr(l, "href")).map(str::to_owned),
        })
    };
    if items.is_empty() {
        container
            .el
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|d| d.value().name() == "a")
            .filter_map(crumb_of)
            .collect()
    } else {
        items.into_iter().filter_map(crumb_of).collect()
    }
}

/// The category a breadcrumb trail names: its last step, once the home step and the article
/// itself are set aside.
#[must_use]
pub fn category_from_trail(trail: &[Crumb], title: Option<&str>, page_url: &Url) -> Option<String> {
    let title = title.map(fold);
    let mut steps: Vec<&Crumb> = trail.iter().filter(|c| !c.name.trim().is_empty()).collect();
    if let Some(first) = steps.first() {
        let lower = first.name.trim().to_lowercase();
        let home_link = first
            .url
            .as_deref()
            .and_then(|u| page_url.join(u).ok())
            .is_some_and(|u| u.path() == "/" && u.query().is_none());
        if home_link || HOME_WORDS.contains(&lower.as_str()) {
            steps.remove(0);
        }
    }
    while let Some(last) = steps.last() {
        let is_article = title.as_ref().is_some_and(|t| {
            let n = fold(&last.name);
            !n.is_empty()
                && (t == &n || t.starts_with(&n) && n.len() > 20 || n.starts_with(t.as_str()))
        }) || last
            .url
            .as_deref()
            .and_then(|u| page_url.join(u).ok())
            .is_some_and(|u| u.path() == page_url.path())
            || (last.url.is_none() && last.name.split_whitespace().count() > 6);
        if is_article {
            steps.pop();
        } else {
            break;
        }
    }
    steps
        .last()
        .filter(|c| c.name.chars().count() <= 60 && c.name.split_whitespace().count() <= 6)
        .map(|c| c.name.trim().to_owned())
}

pub(super) fn category_link(visits: &[Visit<'_>], h1_pos: Option<usize>) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for (i, v) in visits.iter().enumerate() {
        if v.ctx.chrome || v.ctx.hidden || v.el.value().name() != "a" {
            continue;
        }
        let rel_category = dom::raw_attr(v.el, "rel")
            .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "category"));
        let marked = std::iter::once(v.el)
            .chain(dom::ancestors(v.el).take(2))
            .any(|e| {
                let c = dom::class_and_id(e);
                CATEGORY_MARKERS.iter().any(|m| c.contains(m))
            });
        let category_path = dom::raw_attr(v.el, "href").is_some_and(|h| {
            let mut segments = h.split(['/', '?', '#']).filter(|s| !s.is_empty());
            segments.any(|s| CATEGORY_PATH_SEGMENTS.contains(&s.to_ascii_lowercase().as_str()))
        });
        if !(rel_category || marked || category_path) {
            continue;
        }
        let Some(name) = text::clean(&dom::text(v.el), 60) else {
            continue;
        };
        if name.split_whitespace().count() > 5 || !name.chars().any(char::is_alphabetic) {
            continue;
        }
        let distance = h1_pos.map_or(i, |h| if i <= h { (h - i) * 2 } else { (i - h) * 3 });
        if best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, name));
        }
    }
    best.map(|(_, name)| name)
}

/// The section in a URL path: `/economie/2024/04/10/slug` → "Economie". The last segment (the
/// article's slug), dates, ids and generic words are never a category.
#[must_use]
pub fn category_from_path(url: &Url) -> Option<String> {
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let (_, sections) = segments.split_last()?;
    let segment = sections.iter().find(|s| {
        let s = s.to_ascii_lowercase();
        (2..=24).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
            && !NOT_A_CATEGORY.contains(&s.as_str())
            && !CATEGORY_PATH_SEGMENTS.contains(&s.as_str())
    })?;
    let words = segment.replace(['-', '_'], " ");
    let mut chars = words.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn crumbs(names: &[(&str, Option<&str>)]) -> Vec<Crumb> {
        names
            .iter()
            .map(|(n, u)| Crumb {
                name: (*n).to_owned(),
                url: u.map(str::to_owned),
            })
            .collect()
    }

    #[test]
    fn the_category_is_the_step_before_the_article() {
        let trail = crumbs(&[
            ("Acceuil", Some("/")),
            ("CHIFFRES", Some("/chiffres/")),
            ("Microsoft investit 2,9 milliards", None),
        ]);
        let page = url("https://news.example/chiffres/microsoft");
        assert_eq!(
            category_from_trail(&trail, Some("Microsoft investit 2,9 milliards"), &page).as_deref(),
            Some("CHIFFRES")
        );
    }

    #[test]
    fn a_trail_of_only_home_names_no_category() {
        let trail = crumbs(&[("Home", Some("https://news.example/"))]);
        assert_eq!(
            category_from_trail(&trail, None, &url("https://news.example/a/b")),
            None
        );
    }

    #[test]
    fn the_url_path_names_a_section_but_not_dates_slugs_or_generic_words() {
        assert_eq!(
            category_from_path(&url("https://x.example/economie/2024/04/10/slug")).as_deref(),
            Some("Economie")
        );
        assert_eq!(
            category_from_path(&url("https://x.example/news/world-us-canada-33646704")),
            None
        );
        assert_eq!(
            category_from_path(&url("https://x.example/2024/04/10/slug/")),
            None
        );
        assert_eq!(category_from_path(&url("https://x.example/slug")), None);
    }
}
