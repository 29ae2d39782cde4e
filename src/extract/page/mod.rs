//! The page itself, for what its metadata does not say: the `<h1>` headline, the article's
//! first paragraph, its lead photo (lazy loading, `srcset`, `<picture>`, `<noscript>` copies),
//! the byline, `<time>`, breadcrumbs, the category link nearest the headline, the site logo,
//! and the category in the URL path.

mod category;
mod images;

use std::borrow::Cow;
use std::cell::OnceCell;

use ego_tree::NodeId;
use rustc_hash::{FxHashMap, FxHashSet};
use scraper::{ElementRef, Html};

use super::article::Field;
use super::dom;
use super::found::{Crumb, Found};
use super::text::{self, fold};

use category::{breadcrumb, category_link};
pub use category::{category_from_path, category_from_trail};
pub use images::looks_like_non_photo;
use images::{lead_images, logo};

/// What the page's own markup says.
#[derive(Debug)]
pub struct Page<'a> {
    /// The text of the `<h1>` that is the headline.
    pub headline: Option<String>,
    pub breadcrumb: Vec<Crumb>,
    /// The text of the category link nearest the headline.
    pub category_link: Option<String>,
    /// Names the page shows for itself: logo `alt`s, home-link texts.
    pub site_names: Vec<String>,
    /// Text of the site's header and footer (capped), where a site name repeats.
    pub chrome_text: String,
    /// `dir` of the article or its container, when the page sets one there.
    pub content_dir: Option<String>,
    /// What [`Page::found`] reads from, kept so that it runs only when asked.
    visits: Vec<Visit<'a>>,
    root: Option<ElementRef<'a>>,
    h1_pos: Option<usize>,
    /// One [`Found`] per field the markup can give ([`found_slot`]), each with that field only.
    found: [OnceCell<Found>; FOUND_SLOTS],
    date_texts: OnceCell<Vec<String>>,
}

impl Page<'_> {
    /// Dates as the page shows them to people, nearest the headline first: the text (and
    /// `title`) of `<time>` elements without `datetime` and of date-like elements
    /// (`class="date"`, `itemprop="datePublished"`…). Read on first use: only a page whose
    /// machine-readable dates are missing or disagree needs them.
    pub fn date_texts(&self) -> &[String] {
        self.date_texts.get_or_init(|| {
            date_texts(
                &self.visits,
                &|el: ElementRef<'_>| in_root(self.root, el),
                self.h1_pos,
            )
        })
    }

    /// What the markup gives for `field`, in a [`Found`] where only that field is set: the first
    /// paragraph, the images in the text, the byline, a logo, a `<time datetime>`. Each is the
    /// last resort for its field, so it is read the first time the merge falls through to it: a
    /// field the metadata gives never costs a pass over the page.
    pub fn found(&self, field: Field) -> &Found {
        self.found[found_slot(field)].get_or_init(|| {
            let visits = &self.visits;
            let in_root = |el: ElementRef<'_>| in_root(self.root, el);
            let mut found = Found::default();
            match field {
                Field::Description => {
                    found.description = first_paragraph(visits, &in_root, self.h1_pos);
                }
                Field::LeadImage => found.images = lead_images(visits, &in_root, self.h1_pos),
                Field::Authors => found.authors = byline(visits),
                Field::Logo => found.logo = logo(visits, &in_root),
                Field::PublishedAt => {
                    found.published_at = visits
                        .iter()
                        .filter(|v| !v.ctx.chrome && v.el.value().name() == "time" && in_root(v.el))
                        .chain(
                            visits
                                .iter()
                                .filter(|v| !v.ctx.chrome && v.el.value().name() == "time"),
                        )
                        .find_map(|v| dom::attr(v.el, "datetime").map(str::to_owned));
                }
                _ => {}
            }
            found
        })
    }
}

const FOUND_SLOTS: usize = 6;

/// Where [`Page::found`] keeps `field`; every field the markup does not give shares the last,
/// empty, slot.
fn found_slot(field: Field) -> usize {
    match field {
        Field::Description => 0,
        Field::LeadImage => 1,
        Field::Authors => 2,
        Field::Logo => 3,
        Field::PublishedAt => 4,
        _ => FOUND_SLOTS - 1,
    }
}

/// Whether `el` is inside the article's content root (anywhere when none was found).
fn in_root(root: Option<ElementRef<'_>>, el: ElementRef<'_>) -> bool {
    root.is_none_or(|r| el.id() == r.id() || dom::ancestors(el).any(|a| a.id() == r.id()))
}

/// Class, id or `itemprop` words of elements that show the article's date.
const DATE_MARKERS: &[&str] = &[
    "date",
    "time",
    "publish",
    "posted",
    "dateline",
    "timestamp",
    "byline",
    "meta",
    // "date" in the languages whose templates name their classes in them: es, de/nl/sv/cs/hu,
    // pt/it/pl/ro, da/nb, tr, id, fi ("päivämäärä", shortened "pvm").
    "fecha",
    "datum",
    "data",
    "dato",
    "tarih",
    "tanggal",
    "pvm",
];
/// Longer texts are paragraphs, not datelines.
const MAX_DATE_TEXT_BYTES: usize = 160;
/// Class or id words of elements whose dates are not the article's: citations ("Retrieved 1 May
/// 2016"), comments, infoboxes (a product's release date), captions, related stories.
const NOT_THE_ARTICLES_DATE: &[&str] = &[
    "reference",
    "cite",
    "citation",
    "accessdate",
    "comment",
    "infobox",
    "caption",
    "footnote",
    "related",
    "sidebar",
    "video",
    "player",
];
/// How far before and after the headline (in elements) a dateline is looked for.
const DATELINE_REACH_BEFORE: usize = 30;
const DATELINE_REACH_AFTER: usize = 120;

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

#[derive(Debug, Clone, Copy, Default)]
struct Context {
    chrome: bool,
    hidden: bool,
    noscript: bool,
}

#[derive(Debug)]
struct Visit<'a> {
    el: ElementRef<'a>,
    ctx: Context,
    /// The element's class and id, lower case ([`dom::class_and_id`]), read once.
    marks: Cow<'a, str>,
}

/// Reads the page's markup. `title_hint` is the best metadata title, used to pick the right
/// `<h1>` when a page has several. What only some pages need ([`Page::found`],
/// [`Page::date_texts`]) is read when first asked for.
#[must_use]
pub fn read<'a>(doc: &'a Html, title_hint: Option<&str>) -> Page<'a> {
    let h1 = headline(doc, title_hint);
    let h1_ancestors: FxHashSet<NodeId> = h1
        .map(|h| dom::ancestors(h).map(|a| a.id()).collect())
        .unwrap_or_default();
    let visits = walk(doc, &h1_ancestors);
    let root = content_root(&visits);
    let h1_pos = h1.and_then(|h| visits.iter().position(|v| v.el.id() == h.id()));
    Page {
        headline: h1.map(dom::text),
        // The direction nearest the article text wins (Readability's rule), as in browsers.
        content_dir: root.and_then(|r| {
            std::iter::once(r)
                .chain(dom::ancestors(r))
                .find_map(|e| dom::attr(e, "dir").map(str::to_lowercase))
        }),
        breadcrumb: breadcrumb(&visits),
        category_link: category_link(&visits, h1_pos),
        site_names: site_names(&visits),
        chrome_text: chrome_text(doc),
        visits,
        root,
        h1_pos,
        found: Default::default(),
        date_texts: OnceCell::new(),
    }
}

/// The `<h1>` that is the headline: the only one, or the one matching the metadata title, or
/// the first inside the article.
fn headline<'a>(doc: &'a Html, title_hint: Option<&str>) -> Option<ElementRef<'a>> {
    let all: Vec<ElementRef<'a>> = doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| {
            e.value().name() == "h1"
                && !dom::self_or_ancestor(*e, dom::is_hidden)
                && !is_site_title(*e)
        })
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
        .is_some_and(|href| {
            href == "/"
                || href
                    .split("://")
                    .nth(1)
                    .is_some_and(|rest| !rest.trim_end_matches('/').contains('/'))
        });
    let in_banner = dom::ancestors(h1).any(|a| {
        a.value().name() == "header" && !dom::ancestors(a).any(|b| b.value().name() == "article")
            || dom::raw_attr(a, "role") == Some("banner")
            || has_marker(
                &dom::class_and_id(a),
                &["site-header", "masthead*", "branding", "navbar*"],
            )
    });
    links_home
        || in_banner
        || has_marker(
            &marks,
            &["site-title", "site-name", "logo*", "brand*", "blog-title"],
        )
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

fn is_chrome_element(el: ElementRef<'_>, marks: &str, h1_ancestors: &FxHashSet<NodeId>) -> bool {
    let name = el.value().name();
    if matches!(name, "nav" | "aside" | "form" | "button" | "dialog")
        && !h1_ancestors.contains(&el.id())
    {
        return true;
    }
    // A `<header>` or `<footer>` belongs to its nearest sectioning ancestor: the article's own
    // (its dateline, its byline) is content; the page's is chrome.
    if matches!(name, "header" | "footer")
        && !h1_ancestors.contains(&el.id())
        && !dom::ancestors(el).any(|a| a.value().name() == "article")
    {
        return true;
    }
    if matches!(
        dom::raw_attr(el, "role"),
        Some("navigation" | "banner" | "contentinfo" | "complementary" | "note")
    ) {
        return true;
    }
    !marks.is_empty() && !h1_ancestors.contains(&el.id()) && has_marker(marks, CHROME_MARKERS)
}

/// Every element in document order with what it inherits from its ancestors.
fn walk<'a>(doc: &'a Html, h1_ancestors: &FxHashSet<NodeId>) -> Vec<Visit<'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<(ElementRef<'a>, Context)> = vec![(doc.root_element(), Context::default())];
    while let Some((el, inherited)) = stack.pop() {
        let marks = dom::class_and_id(el);
        let ctx = Context {
            chrome: inherited.chrome || is_chrome_element(el, &marks, h1_ancestors),
            hidden: inherited.hidden || dom::is_hidden(el),
            noscript: inherited.noscript || el.value().name() == "noscript",
        };
        out.push(Visit { el, ctx, marks });
        let children: Vec<_> = el.children().filter_map(ElementRef::wrap).collect();
        stack.extend(children.into_iter().rev().map(|c| (c, ctx)));
    }
    out
}

/// The element that holds the article's paragraphs (a light version of Readability's scoring:
/// paragraph text counts for its parent, and half for its grandparent).
fn content_root<'a>(visits: &[Visit<'a>]) -> Option<ElementRef<'a>> {
    if let Some(body) = visits.iter().find(|v| {
        dom::raw_attr(v.el, "itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "articleBody"))
    }) {
        return Some(body.el);
    }
    let mut scores: FxHashMap<NodeId, (f32, ElementRef<'a>)> = FxHashMap::default();
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

/// True when a word of `haystack` (lower-case) is one of `markers`: whole, plural or numbered
/// (`icon`, `icons`, `icon32`; not `iconic`), or by prefix for markers ending in `*`. Multi-word
/// markers (`most-read`) match as written.
fn has_marker(haystack: &str, markers: &[&str]) -> bool {
    if haystack.is_empty() {
        return false;
    }
    // Called for every element against dozens of markers: each comparison starts with one
    // byte, and hyphenated markers are only searched for when the haystack has a hyphen.
    let bytes = haystack.as_bytes();
    if bytes.contains(&b'-')
        && markers.iter().any(|marker| {
            let m = marker.as_bytes();
            m.contains(&b'-') && bytes.windows(m.len()).any(|w| w[0] == m[0] && w == m)
        })
    {
        return true;
    }
    haystack
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .any(|word| {
            let first = word.as_bytes()[0];
            markers.iter().any(|marker| {
                if marker.as_bytes()[0] != first {
                    return false;
                }
                match marker.strip_suffix('*') {
                    Some(prefix) => word.starts_with(prefix),
                    None => word.strip_prefix(marker).is_some_and(|rest| {
                        let rest = rest.strip_prefix('s').unwrap_or(rest);
                        rest.bytes().all(|b| b.is_ascii_digit() || b == b'x')
                    }),
                }
            })
        })
}

/// Names in the page's byline (Readability's rules: `rel=author`, `itemprop=author`, or a
/// class or id naming the byline), with the name inside preferred over the whole line.
/// The dates the page shows people around its headline: after it first, then just before it
/// (a dateline above the title), then in the article's own `<header>` and `<footer>`.
fn date_texts(
    visits: &[Visit<'_>],
    in_root: &impl Fn(ElementRef<'_>) -> bool,
    h1_pos: Option<usize>,
) -> Vec<String> {
    let in_article_header_or_footer = |el: ElementRef<'_>| {
        in_root(el) && dom::ancestors(el).any(|a| matches!(a.value().name(), "header" | "footer"))
    };
    let shows_a_date = |v: &Visit<'_>| {
        if v.ctx.hidden || v.ctx.noscript {
            return false;
        }
        let el = v.el;
        let marked = el.value().name() == "time" || {
            let marks = &v.marks;
            let itemprop = dom::raw_attr(el, "itemprop").unwrap_or_default();
            DATE_MARKERS.iter().any(|m| marks.contains(m))
                || itemprop.contains("datePublished")
                || itemprop.contains("dateCreated")
        };
        // The ancestors only for the few elements that are marked. The article's own header
        // and footer hold its dateline even when their classes read as chrome.
        marked
            && (!v.ctx.chrome || in_article_header_or_footer(el))
            && !dom::self_or_ancestor(el, |a| {
                let marks = dom::class_and_id(a);
                NOT_THE_ARTICLES_DATE.iter().any(|m| marks.contains(m))
            })
    };
    let (after, before) = h1_pos.map_or((0..0, 0..0), |h| {
        (
            h..(h + DATELINE_REACH_AFTER).min(visits.len()),
            h.saturating_sub(DATELINE_REACH_BEFORE)..h,
        )
    });
    // The cheap test first: only marked elements have their ancestors walked.
    let ordered = visits[after.clone()]
        .iter()
        .chain(visits[before.clone()].iter().rev())
        .filter(|v| shows_a_date(v))
        .chain(
            visits
                .iter()
                .enumerate()
                .filter(|(i, v)| {
                    !after.contains(i)
                        && !before.contains(i)
                        && shows_a_date(v)
                        && in_article_header_or_footer(v.el)
                })
                .map(|(_, v)| v),
        );
    let mut out: Vec<String> = Vec::new();
    for v in ordered {
        let title = dom::attr(v.el, "title").map(str::to_owned);
        let text = dom::text_up_to(v.el, MAX_DATE_TEXT_BYTES);
        for candidate in title.into_iter().chain(std::iter::once(text)) {
            let candidate = candidate.trim();
            if !candidate.is_empty()
                && candidate.len() <= MAX_DATE_TEXT_BYTES
                && candidate.bytes().any(|b| b.is_ascii_digit())
                && !out.iter().any(|o| o == candidate)
            {
                out.push(candidate.to_owned());
            }
        }
        if out.len() >= 12 {
            break;
        }
    }
    out
}

fn byline(visits: &[Visit<'_>]) -> Vec<String> {
    for v in visits {
        if v.ctx.hidden || v.ctx.noscript {
            continue;
        }
        let el = v.el;
        let rel_author = dom::raw_attr(el, "rel")
            .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "author"));
        let itemprop_author = dom::raw_attr(el, "itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "author"));
        let marks = &v.marks;
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
        // The ancestors are walked only for the few marked elements.
        if !(rel_author || itemprop_author || marked)
            || el.value().name() == "img"
            || is_comment_area(el)
        {
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
                dom::raw_attr(*d, "itemprop")
                    .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "name"))
                    || (d.value().name() == "a"
                        && (dom::raw_attr(*d, "rel").is_some_and(|r| r.contains("author"))
                            || dom::raw_attr(*d, "href").is_some_and(|h| {
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
            || dom::raw_attr(el, "role") == Some("contentinfo")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_markers_match_words_not_fragments() {
        assert!(has_marker("comments-area", CHROME_MARKERS));
        assert!(has_marker("c-social-share", CHROME_MARKERS));
        assert!(has_marker("site-header", CHROME_MARKERS));
        assert!(!has_marker("shared-layout article-wrapper", CHROME_MARKERS));
        assert!(!has_marker("menuiserie", CHROME_MARKERS));
    }
}
