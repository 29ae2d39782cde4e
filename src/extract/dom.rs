//! Small queries over the bounded DOM that the extractors share.

use std::borrow::Cow;

use scraper::ElementRef;

/// The value of an attribute, trimmed, when not empty.
#[must_use]
pub fn attr<'a>(el: ElementRef<'a>, name: &str) -> Option<&'a str> {
    raw_attr(el, name).map(str::trim).filter(|v| !v.is_empty())
}

/// The attribute `name` (lower case) as written. Our DOM keeps a few attributes per element:
/// comparing their names is cheaper than scraper's `attr`, which interns `name` on every call.
#[must_use]
pub fn raw_attr<'a>(el: ElementRef<'a>, name: &str) -> Option<&'a str> {
    el.value()
        .attrs()
        .find_map(|(n, v)| (n == name).then_some(v))
}

/// `class` and `id` together, lower-cased and separated by a space: what layout heuristics
/// match against. Borrowed from the element when one of them is there and already lower case
/// (most are: this runs for every element of the page).
#[must_use]
pub fn class_and_id(el: ElementRef<'_>) -> Cow<'_, str> {
    let lower = |v: &str| !v.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii());
    match (raw_attr(el, "class"), raw_attr(el, "id")) {
        (None, None) => Cow::Borrowed(""),
        (Some(v), None) | (None, Some(v)) if lower(v) => Cow::Borrowed(v),
        (class, id) => {
            let mut s = String::new();
            for v in [class, id].into_iter().flatten() {
                if !s.is_empty() {
                    s.push(' ');
                }
                if lower(v) {
                    s.push_str(v);
                } else {
                    s.push_str(&v.to_lowercase());
                }
            }
            Cow::Owned(s)
        }
    }
}

/// Text of an element and its descendants as a reader sees it: hidden elements and
/// `<noscript>` copies skipped, a `<br>` read as a space.
#[must_use]
pub fn text(el: ElementRef<'_>) -> String {
    text_up_to(el, usize::MAX)
}

/// [`text`], stopping once it passes `limit` bytes (a dateline is short; a container that
/// happens to be marked like one is not read whole).
#[must_use]
pub fn text_up_to(el: ElementRef<'_>, limit: usize) -> String {
    let mut out = String::new();
    let mut stack = vec![*el];
    while let Some(node) = stack.pop() {
        if out.len() > limit {
            break;
        }
        if let Some(t) = node.value().as_text() {
            out.push_str(t);
            continue;
        }
        if let Some(child) = ElementRef::wrap(node) {
            if child.id() != el.id() && (child.value().name() == "noscript" || is_hidden(child)) {
                continue;
            }
            if child.value().name() == "br" {
                out.push(' ');
            }
        }
        let children: Vec<_> = node.children().collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// Elements that start a block: the start tags that close an open `<p>` (WHATWG), and list
/// items. A `<div>` holding one is a container, not a paragraph.
#[must_use]
pub fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "ul"
            | "li"
            | "dd"
            | "dt"
    )
}

/// Hidden from readers: `hidden`, `aria-hidden=true`, or an inline `display:none` /
/// `visibility:hidden`.
#[must_use]
pub fn is_hidden(el: ElementRef<'_>) -> bool {
    raw_attr(el, "hidden").is_some()
        || raw_attr(el, "aria-hidden").is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
        || raw_attr(el, "style").is_some_and(|s| {
            let s: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// The element's ancestors that are elements, nearest first.
pub fn ancestors(el: ElementRef<'_>) -> impl Iterator<Item = ElementRef<'_>> {
    el.ancestors().filter_map(ElementRef::wrap)
}

/// True when `el` or one of its ancestors matches `pred`.
pub fn self_or_ancestor(el: ElementRef<'_>, pred: impl Fn(ElementRef<'_>) -> bool) -> bool {
    pred(el) || ancestors(el).any(pred)
}

/// A microdata value (WHATWG "the property value"): `content` of `<meta>`, `src` of media,
/// `href` of links, `datetime` of `<time>`, `value` of `<data>`, otherwise the text. Pages put
/// text properties on links (`<a itemprop=name href=…>Title</a>`): for those, `as_url` is false
/// and the link's text is the value.
#[must_use]
pub fn property_value(el: ElementRef<'_>, as_url: bool) -> Option<String> {
    let v = el.value();
    let from_attr = |name: &str| v.attr(name).map(str::to_owned);
    let value = match v.name() {
        "meta" => from_attr("content"),
        "img" | "audio" | "video" | "source" | "embed" | "iframe" | "track" if as_url => {
            from_attr("src")
        }
        "img" => from_attr("alt"),
        "a" | "area" | "link" if as_url => from_attr("href"),
        "link" => None,
        "object" if as_url => from_attr("data"),
        "data" | "meter" => from_attr("value"),
        "time" => from_attr("datetime").or_else(|| Some(text(el))),
        // Blogger and microformats put the machine-readable date in an <abbr title>.
        "abbr" => from_attr("title").or_else(|| Some(text(el))),
        _ => v
            .attr("content")
            .map(str::to_owned)
            .or_else(|| Some(text(el))),
    }?;
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}
