//! The page itself, for what its metadata does not say: the `<h1>` headline, the article's
//! first paragraph, its lead photo (lazy loading, `srcset`, `<picture>`, `<noscript>` copies),
//! the byline, `<time>`, breadcrumbs, the category link nearest the headline, the site logo,
//! and the category in the URL path.

use std::collections::{HashMap, HashSet};

use ego_tree::NodeId;
use scraper::{ElementRef, Html};
use url::Url;

use super::dom;
use super::found::{Crumb, Found, ImageCandidate, parse_dimension};
use super::text::{self, fold};

/// What the page's own markup says.
#[derive(Debug, Default)]
pub struct Page {
    /// `title` is the `<h1>`; `description` the first paragraph; the other fields as named.
    pub found: Found,
    pub breadcrumb: Vec<Crumb>,
    /// The text of the category link nearest the headline.
    pub category_link: Option<String>,
    /// Names the page shows for itself: logo `alt`s, home-link texts.
    pub site_names: Vec<String>,
    /// Text of the site's header and footer (capped), where a site name repeats.
    pub chrome_text: String,
    /// `dir` of the article or its container, when the page sets one there.
    pub content_dir: Option<String>,
}

const CHROME_TEXT_BYTES: usize = 16 * 1024;
/// A first paragraph shorter than this is a label or a caption, not a description (scripts
/// written without spaces say more per character).
const MIN_PARAGRAPH_CHARS: usize = 25;
const MIN_PARAGRAPH_CHARS_UNSPACED: usize = 12;

/// Class or id words of page furniture: never the article's text or photo. A trailing `*`
/// matches any word starting so (`comment*`: `comments`, `commentlist`); other words match
/// whole, plural or numbered (`share`, `shares`, but not `shared`). See [`has_marker`].
const CHROME_MARKERS: &[&str] = &[
    "comment*",
    "sidebar*",
    "footer*",
    "related*",
    "recommend*",
    "promo",
    "promos",
    "share",
    "sharing",
    "social*",
    "newsletter*",
    "subscri*",
    "cookie*",
    "popup*",
    "modal",
    "navbar*",
    "menu",
    "widget*",
    "advert*",
    "outbrain*",
    "taboola*",
    "trending*",
    "teaser*",
    "breadcrumb*",
    "masthead*",
    "site-header",
    "skip",
    "hatnote*",
    "navbox*",
    "sistersitebox*",
    "mostread",
    "most-read",
];
/// Class, id, alt or file-name words of images that are not photos (same matching).
const NOT_A_PHOTO: &[&str] = &[
    "logo*",
    "icon",
    "favicon*",
    "avatar*",
    "gravatar*",
    "author",
    "profile",
    "sprite*",
    "badge",
    "emoji*",
    "smiley*",
    "spinner",
    "loader",
    "loading",
    "placeholder*",
    "pixel",
    "tracking",
    "tracker",
    "spacer",
    "blank",
    "transparent",
    "advert*",
    "button",
    "rating",
    "flag",
];
const BYLINE_MARKERS: &[&str] = &[
    "byline",
    "author",
    "dateline",
    "writtenby",
    "p-author",
    "signature",
    "auteur",
    "autor",
];
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

#[derive(Clone, Copy, Default)]
struct Context {
    chrome: bool,
    hidden: bool,
    noscript: bool,
}

struct Visit<'a> {
    el: ElementRef<'a>,
    ctx: Context,
}

/// Reads the page's markup. `title_hint` is the best metadata title, used to pick the right
/// `<h1>` when a page has several.
#[must_use]
pub fn read(doc: &Html, title_hint: Option<&str>) -> Page {
    let mut page = Page::default();
    let h1 = headline(doc, title_hint);
    let h1_ancestors: HashSet<NodeId> = h1
        .map(|h| dom::ancestors(h).map(|a| a.id()).collect())
        .unwrap_or_default();
    let visits = walk(doc, &h1_ancestors);
    let position: HashMap<NodeId, usize> = visits
        .iter()
        .enumerate()
        .map(|(i, v)| (v.el.id(), i))
        .collect();

    page.found.title = h1.map(dom::text);
    let root = content_root(&visits);
    // The direction nearest the article text wins (Readability's rule), as in browsers.
    page.content_dir = root.and_then(|r| {
        std::iter::once(r)
            .chain(dom::ancestors(r))
            .find_map(|e| dom::attr(e, "dir").map(str::to_lowercase))
    });
    let in_root = |el: ElementRef<'_>| {
        root.is_none_or(|r| el.id() == r.id() || dom::ancestors(el).any(|a| a.id() == r.id()))
    };
    let h1_pos = h1.and_then(|h| position.get(&h.id()).copied());

    page.found.description = first_paragraph(&visits, &in_root, h1_pos);
    page.found.images = lead_images(&visits, &in_root, h1_pos);
    page.found.authors = byline(&visits);
    page.found.published_at = visits
        .iter()
        .filter(|v| !v.ctx.chrome && v.el.value().name() == "time" && in_root(v.el))
        .chain(
            visits
                .iter()
                .filter(|v| !v.ctx.chrome && v.el.value().name() == "time"),
        )
        .find_map(|v| dom::attr(v.el, "datetime").map(str::to_owned));
    page.found.logo = logo(&visits, &in_root);
    page.breadcrumb = breadcrumb(&visits);
    page.category_link = category_link(&visits, h1_pos);
    page.site_names = site_names(&visits);
    page.chrome_text = chrome_text(doc);
    page
}

/// The `<h1>` that is the headline: the only one, or the one matching the metadata title, or
/// the first inside the article.
fn headline<'a>(doc: &'a Html, title_hint: Option<&str>) -> Option<ElementRef<'a>> {
    let all: Vec<ElementRef<'a>> = doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "h1" && !dom::self_or_ancestor(*e, dom::is_hidden) && !is_site_title(*e))
        .filter(|e| {
            text::clean(&dom::text(*e), 300).is_some_and(|t| t.chars().any(char::is_alphabetic))
        })
        .take(16)
        .collect();
    if all.len() <= 1 {
        return all.first().copied().or_else(|| headline_by_class(doc));
    }
    if let Some(hint) = title_hint.map(fold).filter(|h| !h.is_empty()) {
        let matching = all.iter().find(|e| {
            let t = fold(&dom::text(**e));
            !t.is_empty() && (hint.contains(&t) || t.contains(&hint))
        });
        if let Some(found) = matching {
            return Some(*found);
        }
    }
    all.iter()
        .find(|e| dom::ancestors(**e).any(|a| matches!(a.value().name(), "article" | "main")))
        .or_else(|| all.first())
        .copied()
}

/// Blog themes put the site's name in an `<h1>` in the banner (`<h1 class="site-title"><a
/// href="/">My Blog</a></h1>`): that is not the article's headline.
fn is_site_title(h1: ElementRef<'_>) -> bool {
    let marks = dom::class_and_id(h1);
    let links_home = h1
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|d| d.value().name() == "a")
        .and_then(|a| dom::attr(a, "href"))
        .is_some_and(|href| href == "/" || href.split("://").nth(1).is_some_and(|rest| !rest.trim_end_matches('/').contains('/')));
    let in_banner = dom::ancestors(h1).any(|a| {
        a.value().name() == "header" && !dom::ancestors(a).any(|b| b.value().name() == "article")
            || a.value().attr("role") == Some("banner")
            || has_marker(&dom::class_and_id(a), &["site-header", "masthead*", "branding", "navbar*"])
    });
    links_home || in_banner || has_marker(&marks, &["site-title", "site-name", "logo*", "brand*", "blog-title"])
}

fn headline_by_class(doc: &Html) -> Option<ElementRef<'_>> {
    doc.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| matches!(e.value().name(), "h2" | "h3" | "div" | "span" | "p"))
        .find(|e| {
            let c = dom::class_and_id(*e);
            [
                "headline",
                "entry-title",
                "post-title",
                "article-title",
                "story-title",
            ]
            .iter()
            .any(|m| c.contains(m))
        })
}

fn is_chrome_element(el: ElementRef<'_>, h1_ancestors: &HashSet<NodeId>) -> bool {
    let name = el.value().name();
    if matches!(
        name,
        "nav" | "footer" | "aside" | "form" | "button" | "dialog"
    ) && !h1_ancestors.contains(&el.id())
    {
        return true;
    }
    if name == "header" && !h1_ancestors.contains(&el.id()) {
        return true;
    }
    if matches!(
        el.value().attr("role"),
        Some("navigation" | "banner" | "contentinfo" | "complementary" | "note")
    ) {
        return true;
    }
    let marks = dom::class_and_id(el);
    !marks.is_empty() && !h1_ancestors.contains(&el.id()) && has_marker(&marks, CHROME_MARKERS)
}

/// Every element in document order with what it inherits from its ancestors.
fn walk<'a>(doc: &'a Html, h1_ancestors: &HashSet<NodeId>) -> Vec<Visit<'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<(ElementRef<'a>, Context)> = vec![(doc.root_element(), Context::default())];
    while let Some((el, inherited)) = stack.pop() {
        let ctx = Context {
            chrome: inherited.chrome || is_chrome_element(el, h1_ancestors),
            hidden: inherited.hidden || dom::is_hidden(el),
            noscript: inherited.noscript || el.value().name() == "noscript",
        };
        out.push(Visit { el, ctx });
        let children: Vec<_> = el.children().filter_map(ElementRef::wrap).collect();
        stack.extend(children.into_iter().rev().map(|c| (c, ctx)));
    }
    out
}

/// The element that holds the article's paragraphs (a light version of Readability's scoring:
/// paragraph text counts for its parent, and half for its grandparent).
fn content_root<'a>(visits: &[Visit<'a>]) -> Option<ElementRef<'a>> {
    if let Some(body) = visits.iter().find(|v| {
        v.el.value()
            .attr("itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "articleBody"))
    }) {
        return Some(body.el);
    }
    let mut scores: HashMap<NodeId, (f32, ElementRef<'a>)> = HashMap::new();
    for v in visits {
        if v.ctx.chrome || v.ctx.hidden || v.ctx.noscript || !is_paragraph(v.el) {
            continue;
        }
        let len = dom::text(v.el).trim().chars().count();
        if len < 25 {
            continue;
        }
        let weight = 1.0 + f32::from(u16::try_from(len.min(1000)).unwrap_or(1000)) / 100.0;
        let mut ancestors = dom::ancestors(v.el);
        if let Some(parent) = ancestors.next() {
            scores.entry(parent.id()).or_insert((0.0, parent)).0 += weight;
            if let Some(grand) = ancestors.next() {
                scores.entry(grand.id()).or_insert((0.0, grand)).0 += weight / 2.0;
            }
        }
    }
    scores
        .into_values()
        .filter(|(_, el)| !matches!(el.value().name(), "html" | "body"))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.id().cmp(&a.1.id())))
        .map(|(_, el)| el)
}

fn is_meta_line(el: ElementRef<'_>) -> bool {
    dom::self_or_ancestor(el, |a| {
        let c = dom::class_and_id(a);
        [
            "byline",
            "author",
            "dateline",
            "caption",
            "credit",
            "timestamp",
            "meta",
            "kicker",
            "tags",
        ]
        .iter()
        .any(|m| c.contains(m))
            || matches!(
                a.value().name(),
                "figcaption" | "figure" | "blockquote" | "li" | "td"
            )
    })
}

/// A `<p>`, or a `<div>` that reads as one (text and inline elements only: Readability turns
/// those into paragraphs too).
fn is_paragraph(el: ElementRef<'_>) -> bool {
    match el.value().name() {
        "p" => true,
        "div" => {
            !el.children()
                .filter_map(ElementRef::wrap)
                .any(|c| dom::is_block(c.value().name()))
                && el
                    .children()
                    .any(|c| c.value().as_text().is_some_and(|t| !t.trim().is_empty()))
        }
        _ => false,
    }
}

fn is_sentence(text: &str) -> bool {
    let chars = text.chars().count();
    if text.contains(' ') {
        chars >= MIN_PARAGRAPH_CHARS
    } else {
        chars >= MIN_PARAGRAPH_CHARS_UNSPACED && !text.is_ascii()
    }
}

fn first_paragraph(
    visits: &[Visit<'_>],
    in_root: &dyn Fn(ElementRef<'_>) -> bool,
    h1_pos: Option<usize>,
) -> Option<String> {
    let candidates = |require_root: bool| {
        visits.iter().enumerate().find_map(|(i, v)| {
            if v.ctx.chrome || v.ctx.hidden || v.ctx.noscript || !is_paragraph(v.el) {
                return None;
            }
            if (require_root && !in_root(v.el)) || (!require_root && h1_pos.is_some_and(|h| i < h))
            {
                return None;
            }
            let t = text::clean(&dom::text(v.el), text::MAX_DESCRIPTION_CHARS)?;
            (is_sentence(&t) && !is_meta_line(v.el)).then_some(t)
        })
    };
    candidates(true).or_else(|| candidates(false))
}

/// The URL an `<img>` really shows: the largest `srcset` candidate, lazy-loading attributes,
/// then `src`; `data:` placeholders never.
fn image_url(el: ElementRef<'_>) -> Option<(String, Option<u32>)> {
    let srcsets = ["data-srcset", "data-lazy-srcset", "srcset"];
    let singles = [
        "data-src",
        "data-lazy-src",
        "data-original",
        "data-lazy",
        "data-orig-file",
        "data-large-file",
        "data-hi-res-src",
        "data-full-src",
        "data-url",
        "src",
    ];
    let mut best: Option<(String, Option<u32>)> = srcsets
        .iter()
        .filter_map(|a| dom::attr(el, a))
        .filter_map(largest_in_srcset)
        .max_by_key(|(_, w)| w.unwrap_or(0));
    if let Some(picture) = dom::ancestors(el)
        .next()
        .filter(|p| p.value().name() == "picture")
    {
        for source in picture
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|c| c.value().name() == "source")
        {
            let typed_ok = dom::attr(source, "type").is_none_or(|t| !t.contains("svg"));
            let candidate = srcsets
                .iter()
                .filter_map(|a| dom::attr(source, a))
                .find_map(largest_in_srcset);
            if let (true, Some(c)) = (typed_ok, candidate)
                && best
                    .as_ref()
                    .is_none_or(|b| c.1.unwrap_or(0) > b.1.unwrap_or(0))
            {
                best = Some(c);
            }
        }
    }
    best.or_else(|| {
        singles
            .iter()
            .filter_map(|a| dom::attr(el, a))
            .find(|v| is_fetchable(v))
            .map(|v| (v.to_owned(), None))
    })
}

fn is_fetchable(v: &str) -> bool {
    let lower = v.trim_start().to_ascii_lowercase();
    !(lower.starts_with("data:")
        || lower.starts_with("javascript:")
        || lower.starts_with("about:")
        || lower.starts_with('#')
        || lower.starts_with("blob:"))
}

/// The largest candidate of a `srcset` (by `w` descriptor, then `x`), with its width. Parsed
/// as browsers do: a URL runs to whitespace (so `data:` URLs with commas stay whole), then
/// descriptors run to the next comma.
fn largest_in_srcset(srcset: &str) -> Option<(String, Option<u32>)> {
    let mut best: Option<(String, Option<u32>, u32)> = None;
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let url_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (mut url, after) = rest.split_at(url_end);
        let descriptor;
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
            descriptor = "";
            rest = after;
        } else {
            let end = after.find(',').unwrap_or(after.len());
            descriptor = after[..end].trim();
            rest = &after[end..];
        }
        if !is_fetchable(url) || url.is_empty() {
            continue;
        }
        let (width, rank) = if let Some(w) = descriptor.strip_suffix('w') {
            match w.trim().parse::<u32>() {
                Ok(w) => (Some(w), w),
                Err(_) => continue,
            }
        } else if let Some(x) = descriptor.strip_suffix('x') {
            match x.trim().parse::<f32>() {
                Ok(x) => (None, density_rank(x)),
                Err(_) => continue,
            }
        } else {
            (None, 1000)
        };
        if best.as_ref().is_none_or(|(_, _, r)| rank > *r) {
            best = Some((url.to_owned(), width, rank));
        }
    }
    best.map(|(url, width, _)| (url, width))
}

/// A pixel-density descriptor (`2x`) as a rank comparable with nothing else: thousandths.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)] // clamped to 0..=100_000 first
fn density_rank(x: f32) -> u32 {
    (x.clamp(0.0, 100.0) * 1000.0) as u32
}

/// True when a word of `haystack` (lower-case) is one of `markers`: whole, plural or numbered
/// (`icon`, `icons`, `icon32`; not `iconic`), or by prefix for markers ending in `*`. Multi-word
/// markers (`most-read`) match as written.
fn has_marker(haystack: &str, markers: &[&str]) -> bool {
    markers.iter().any(|marker| {
        if marker.contains('-') {
            return haystack.contains(marker);
        }
        haystack
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .any(|word| match marker.strip_suffix('*') {
                Some(prefix) => word.starts_with(prefix),
                None => word.strip_prefix(marker).is_some_and(|rest| {
                    let rest = rest.strip_prefix('s').unwrap_or(rest);
                    rest.bytes().all(|b| b.is_ascii_digit() || b == b'x')
                }),
            })
    })
}

/// True when an image's own markers (class, id, alt, file name) say it is not a photo.
#[must_use]
pub fn looks_like_non_photo(url: &str, markers: &str) -> bool {
    let file = url.split(['?', '#']).next().unwrap_or(url);
    let file = file.rsplit('/').next().unwrap_or(file).to_ascii_lowercase();
    let extension = file.rsplit_once('.').map(|(_, e)| e);
    if matches!(extension, Some("svg" | "ico"))
        || (matches!(extension, Some("gif" | "png")) && file.contains("1x1"))
    {
        return true;
    }
    let haystack = format!("{file} {markers}");
    has_marker(&haystack, NOT_A_PHOTO)
        || url.contains("gravatar.com")
        || url.contains("facebook.com/tr")
        || url.contains("/pixel")
}

fn lead_images(
    visits: &[Visit<'_>],
    in_root: &dyn Fn(ElementRef<'_>) -> bool,
    h1_pos: Option<usize>,
) -> Vec<ImageCandidate> {
    let mut good: Vec<(u8, ImageCandidate)> = Vec::new();
    for (i, v) in visits.iter().enumerate() {
        if v.ctx.chrome || v.ctx.hidden || v.el.value().name() != "img" {
            continue;
        }
        let Some((url, srcset_width)) = image_url(v.el) else {
            continue;
        };
        let width = dom::attr(v.el, "width").and_then(parse_dimension);
        let height = dom::attr(v.el, "height").and_then(parse_dimension);
        if width.is_some_and(|w| w < 150) || height.is_some_and(|h| h < 100) {
            continue;
        }
        let mut markers = dom::class_and_id(v.el);
        if let Some(alt) = v.el.value().attr("alt") {
            markers.push_str(&alt.to_lowercase());
        }
        for ancestor in dom::ancestors(v.el).take(2) {
            markers.push(' ');
            markers.push_str(&dom::class_and_id(ancestor));
        }
        if looks_like_non_photo(&url, &markers)
            || (url.to_ascii_lowercase().contains(".gif") && width.is_none())
        {
            continue;
        }
        // Inside the article first, then after the headline, then anywhere outside the chrome.
        let rank = if in_root(v.el) {
            0
        } else if h1_pos.is_some_and(|h| i > h) {
            1
        } else {
            2
        };
        let (width, height) = match (srcset_width, width, height) {
            (Some(sw), Some(w), Some(h)) => (
                Some(sw),
                Some((u64::from(sw) * u64::from(h) / u64::from(w)) as u32),
            ),
            (Some(sw), _, _) => (Some(sw), None),
            (None, w, h) => (w, h),
        };
        let alt = v.el.value().attr("alt").map(str::to_owned);
        good.push((
            rank,
            ImageCandidate {
                url,
                width,
                height,
                alt,
            },
        ));
        if good.len() >= 24 {
            break;
        }
    }
    good.sort_by_key(|(rank, _)| *rank);
    good.into_iter().map(|(_, c)| c).collect()
}

/// Names in the page's byline (Readability's rules: `rel=author`, `itemprop=author`, or a
/// class or id naming the byline), with the name inside preferred over the whole line.
fn byline(visits: &[Visit<'_>]) -> Vec<String> {
    for v in visits {
        if v.ctx.hidden || v.ctx.noscript || is_comment_area(v.el) {
            continue;
        }
        let el = v.el;
        let rel_author = el
            .value()
            .attr("rel")
            .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "author"));
        let itemprop_author = el
            .value()
            .attr("itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "author"));
        let marks = dom::class_and_id(el);
        let marked = BYLINE_MARKERS.iter().any(|m| marks.contains(m))
            && !marks.contains("authoriz")
            && ![
                "author-bio",
                "author-info",
                "about-author",
                "authorbox",
                "author-box",
                "author-avatar",
                "author-image",
            ]
            .iter()
            .any(|m| marks.contains(m));
        if !(rel_author || itemprop_author || marked) || el.value().name() == "img" {
            continue;
        }
        let full = dom::text(el);
        let full_len = full.trim().chars().count();
        if full_len == 0 || full_len >= 100 {
            continue;
        }
        let named: Vec<String> = el
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|d| {
                d.value()
                    .attr("itemprop")
                    .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "name"))
                    || (d.value().name() == "a"
                        && (d.value().attr("rel").is_some_and(|r| r.contains("author"))
                            || d.value().attr("href").is_some_and(|h| {
                                [
                                    "/author/",
                                    "/auteur/",
                                    "/autor/",
                                    "/authors/",
                                    "/journalist",
                                    "/profile/",
                                    "/people/",
                                ]
                                .iter()
                                .any(|p| h.contains(p))
                            })))
            })
            .map(dom::text)
            .filter(|t| !t.trim().is_empty())
            .collect();
        if !named.is_empty() {
            return named;
        }
        return vec![full];
    }
    Vec::new()
}

fn is_comment_area(el: ElementRef<'_>) -> bool {
    dom::self_or_ancestor(el, |a| {
        let c = dom::class_and_id(a);
        c.contains("comment") || c.contains("related") || c.contains("footer")
    })
}

fn logo(visits: &[Visit<'_>], in_root: &dyn Fn(ElementRef<'_>) -> bool) -> Option<String> {
    visits
        .iter()
        .filter(|v| v.el.value().name() == "img" && !v.ctx.hidden && !in_root(v.el))
        .find_map(|v| {
            let mut markers = dom::class_and_id(v.el);
            markers.push_str(&v.el.value().attr("alt").unwrap_or_default().to_lowercase());
            for a in dom::ancestors(v.el).take(3) {
                markers.push_str(&dom::class_and_id(a));
            }
            let (url, _) = image_url(v.el)?;
            (markers.contains("logo") || url.to_ascii_lowercase().contains("logo")).then_some(url)
        })
}

fn is_breadcrumb_container(el: ElementRef<'_>) -> bool {
    let marks = dom::class_and_id(el);
    let label = el
        .value()
        .attr("aria-label")
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

fn breadcrumb(visits: &[Visit<'_>]) -> Vec<Crumb> {
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

fn category_link(visits: &[Visit<'_>], h1_pos: Option<usize>) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for (i, v) in visits.iter().enumerate() {
        if v.ctx.chrome || v.ctx.hidden || v.el.value().name() != "a" {
            continue;
        }
        let rel_category =
            v.el.value()
                .attr("rel")
                .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "category"));
        let marked = std::iter::once(v.el)
            .chain(dom::ancestors(v.el).take(2))
            .any(|e| {
                let c = dom::class_and_id(e);
                CATEGORY_MARKERS.iter().any(|m| c.contains(m))
            });
        let category_path = v.el.value().attr("href").is_some_and(|h| {
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

/// Names the site gives itself in its chrome: `alt` of logo images, texts of links home.
fn site_names(visits: &[Visit<'_>]) -> Vec<String> {
    let mut names = Vec::new();
    for v in visits {
        let el = v.el;
        match el.value().name() {
            "img" => {
                let markers = format!(
                    "{} {}",
                    dom::class_and_id(el),
                    dom::attr(el, "src").unwrap_or_default().to_lowercase()
                );
                if markers.contains("logo")
                    && let Some(alt) = dom::attr(el, "alt")
                {
                    names.push(alt.to_owned());
                }
            }
            "a" if dom::attr(el, "href").is_some_and(|h| {
                h == "/"
                    || h.ends_with("://")
                    || h.split("://")
                        .nth(1)
                        .is_some_and(|r| r.trim_end_matches('/').find('/').is_none())
            }) =>
            {
                if let Some(t) = text::clean(&dom::text(el), 80) {
                    names.push(t);
                }
            }
            _ => {}
        }
        if names.len() >= 16 {
            break;
        }
    }
    names
}

fn chrome_text(doc: &Html) -> String {
    let mut out = String::new();
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if matches!(el.value().name(), "header" | "footer")
            || el.value().attr("role") == Some("contentinfo")
        {
            for t in el.text() {
                if out.len() + t.len() > CHROME_TEXT_BYTES {
                    return out;
                }
                out.push_str(t);
                out.push(' ');
            }
        }
    }
    out
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

    #[test]
    fn srcset_gives_its_largest_candidate() {
        assert_eq!(
            largest_in_srcset("a.jpg 320w, b.jpg 1600w, c.jpg 800w"),
            Some(("b.jpg".to_owned(), Some(1600)))
        );
        assert_eq!(
            largest_in_srcset("a.jpg, b.jpg 2x"),
            Some(("b.jpg".to_owned(), None))
        );
        assert_eq!(largest_in_srcset("data:image/gif;base64,R0 1x"), None);
    }

    #[test]
    fn logos_icons_and_pixels_are_not_photos() {
        assert!(looks_like_non_photo(
            "https://x.example/img/site-logo.png",
            ""
        ));
        assert!(looks_like_non_photo("https://x.example/favicon.ico", ""));
        assert!(looks_like_non_photo(
            "https://x.example/a.jpg",
            "author-avatar"
        ));
        assert!(!looks_like_non_photo(
            "https://x.example/uploads/2024/04/tokyo.jpg",
            "wp-image-12"
        ));
        assert!(looks_like_non_photo(
            "https://x.example/img/icons32.png",
            ""
        ));
        assert!(!looks_like_non_photo(
            "https://x.example/2024/iconic-skyline.jpg",
            "flagship store"
        ));
        assert!(!looks_like_non_photo(
            "https://x.example/2024/authority-report.jpg",
            "catalogo"
        ));
    }

    #[test]
    fn furniture_markers_match_words_not_fragments() {
        assert!(has_marker("comments-area", CHROME_MARKERS));
        assert!(has_marker("c-social-share", CHROME_MARKERS));
        assert!(has_marker("site-header", CHROME_MARKERS));
        assert!(!has_marker("shared-layout article-wrapper", CHROME_MARKERS));
        assert!(!has_marker("menuiserie", CHROME_MARKERS));
    }
}
