//! One linear pass over a page: html5gum's tokenizer (linear on deep nesting, huge values and,
//! once `attribute_cap` has cut them, attribute floods) collects the head metadata and builds a
//! size- and depth-bounded DOM of the body for scraper's queries. html5ever's tree builder is
//! never run on page input: it is quadratic in nesting depth (137 s on 500 KB of `<div>`s).
//!
//! What is kept is bounded by the constants below; a page past a bound keeps everything the pass
//! found before it, and its metadata (`<meta>`, `<link>`, JSON-LD) is still collected to the end.

use std::borrow::Cow;

use html5ever::tendril::StrTendril;
use html5ever::tree_builder::{ElementFlags, NodeOrText, TreeSink};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};
use html5gum::emitters::callback::{Callback, CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Span, Tokenizer};
use rustc_hash::FxHashMap;
use scraper::{Html, HtmlTreeSink};

use super::attribute_cap::cap_attributes;
use super::dom;

/// `<meta>` tags kept (docs/security.md F3: 100k `<meta>` must not cost 100k entries).
pub const MAX_META_TAGS: usize = 512;
/// `<link>` tags kept.
pub const MAX_LINK_TAGS: usize = 256;
/// JSON-LD scripts kept, and their total size.
pub const MAX_JSON_LD_SCRIPTS: usize = 64;
pub const MAX_JSON_LD_BYTES: usize = 1024 * 1024;
/// Elements in the DOM; nesting depth of the DOM (browsers stop at 512; articles need far less).
pub const MAX_DOM_ELEMENTS: usize = 20_000;
pub const MAX_DOM_DEPTH: usize = 96;
/// The longest text token kept (a title, a JSON-LD script, a `<noscript>` body).
const MAX_TEXT_TOKEN_BYTES: usize = 1024 * 1024;
/// Text kept in the DOM, in total and per text run.
pub const MAX_DOM_TEXT_BYTES: usize = 1024 * 1024;
const MAX_TEXT_RUN_BYTES: usize = 16 * 1024;
/// Attributes kept per tag (after the allow-list) and bytes kept per attribute value.
const MAX_ATTRIBUTES: usize = 24;
const MAX_ATTRIBUTE_BYTES: usize = 8 * 1024;
/// Open elements tracked for end-tag matching; deeper start tags are dropped.
const MAX_OPEN_ELEMENTS: usize = 4096;
/// How far implied-end-tag searches look down the stack of open elements.
const SCOPE_SEARCH: usize = 48;

/// What the pass found. `document` holds the body's elements with allow-listed attributes
/// (no scripts, styles, SVG, templates or comments).
#[derive(Debug)]
pub struct Scanned {
    pub html_lang: Option<String>,
    pub html_dir: Option<String>,
    pub body_dir: Option<String>,
    pub base_href: Option<String>,
    pub title: Option<String>,
    pub metas: Vec<MetaTag>,
    pub links: Vec<LinkTag>,
    pub json_ld: Vec<String>,
    pub document: Html,
}

/// One `<meta>` tag. Keys are lower-cased; `name` and `property` are both kept because pages
/// mix them (`<meta name="og:title">`).
#[derive(Debug, Clone, Default)]
pub struct MetaTag {
    pub property: Option<String>,
    pub name: Option<String>,
    pub http_equiv: Option<String>,
    pub content: String,
}

impl MetaTag {
    /// True when `key` (lower-case) is this tag's `property`, `name` or `http-equiv`. `RDFa`
    /// allows several space-separated properties in one attribute (`"dc:title og:title"`).
    #[must_use]
    pub fn is(&self, key: &str) -> bool {
        [&self.property, &self.name, &self.http_equiv]
            .into_iter()
            .flatten()
            .any(|k| {
                k == key
                    || (k.len() > key.len()
                        && k.contains(' ')
                        && k.split_ascii_whitespace().any(|k| k == key))
            })
    }
}

/// One `<link>` tag; `rel` lower-cased and split on whitespace.
#[derive(Debug, Clone, Default)]
pub struct LinkTag {
    pub rel: Vec<String>,
    pub href: String,
    pub sizes: Option<String>,
    pub media_type: Option<String>,
}

/// Runs the pass over decoded page text.
#[must_use]
pub fn scan(page: &str) -> Scanned {
    let mut builder = Builder::new();
    let page = capped(page);
    for token in tokens(&page) {
        builder.handle(token, 0);
    }
    builder.finish()
}

// ---------------------------------------------------------------------------------------------
// Tokens: html5gum's events folded into owned, capped tokens.

#[derive(Debug)]
enum Token {
    Start {
        name: LocalName,
        /// Allow-listed attributes in scraper's own type, so the DOM takes them as they are.
        attrs: Vec<Attribute>,
        self_closing: bool,
    },
    End {
        name: LocalName,
    },
    /// Text; empty for the content of a script or style nobody reads (never copied).
    Text(StrTendril),
}

/// The atom of a tag or attribute name: the common ones without hashing (`string_cache` looks
/// every other name up in its static set, a tenth of the tokenizing time on a news page).
fn name_atom(name: &[u8]) -> LocalName {
    match name {
        b"html" => local_name!("html"),
        b"head" => local_name!("head"),
        b"body" => local_name!("body"),
        b"div" => local_name!("div"),
        b"span" => local_name!("span"),
        b"p" => local_name!("p"),
        b"a" => local_name!("a"),
        b"img" => local_name!("img"),
        b"h1" => local_name!("h1"),
        b"h2" => local_name!("h2"),
        b"h3" => local_name!("h3"),
        b"h4" => local_name!("h4"),
        b"h5" => local_name!("h5"),
        b"h6" => local_name!("h6"),
        b"ul" => local_name!("ul"),
        b"ol" => local_name!("ol"),
        b"li" => local_name!("li"),
        b"nav" => local_name!("nav"),
        b"header" => local_name!("header"),
        b"footer" => local_name!("footer"),
        b"main" => local_name!("main"),
        b"article" => local_name!("article"),
        b"section" => local_name!("section"),
        b"aside" => local_name!("aside"),
        b"figure" => local_name!("figure"),
        b"figcaption" => local_name!("figcaption"),
        b"picture" => local_name!("picture"),
        b"source" => local_name!("source"),
        b"time" => local_name!("time"),
        b"meta" => local_name!("meta"),
        b"link" => local_name!("link"),
        b"title" => local_name!("title"),
        b"script" => local_name!("script"),
        b"style" => local_name!("style"),
        b"noscript" => local_name!("noscript"),
        b"br" => local_name!("br"),
        b"strong" => local_name!("strong"),
        b"em" => local_name!("em"),
        b"b" => local_name!("b"),
        b"i" => local_name!("i"),
        b"button" => local_name!("button"),
        b"form" => local_name!("form"),
        b"input" => local_name!("input"),
        b"svg" => local_name!("svg"),
        b"iframe" => local_name!("iframe"),
        b"table" => local_name!("table"),
        b"tr" => local_name!("tr"),
        b"td" => local_name!("td"),
        b"th" => local_name!("th"),
        b"tbody" => local_name!("tbody"),
        b"thead" => local_name!("thead"),
        b"label" => local_name!("label"),
        b"small" => local_name!("small"),
        b"blockquote" => local_name!("blockquote"),
        b"template" => local_name!("template"),
        b"id" => local_name!("id"),
        b"class" => local_name!("class"),
        b"itemprop" => local_name!("itemprop"),
        b"itemscope" => local_name!("itemscope"),
        b"itemtype" => local_name!("itemtype"),
        b"itemid" => local_name!("itemid"),
        b"role" => local_name!("role"),
        b"aria-label" => local_name!("aria-label"),
        b"aria-hidden" => local_name!("aria-hidden"),
        b"hidden" => local_name!("hidden"),
        b"rel" => local_name!("rel"),
        b"href" => local_name!("href"),
        b"src" => local_name!("src"),
        b"srcset" => local_name!("srcset"),
        b"width" => local_name!("width"),
        b"height" => local_name!("height"),
        b"alt" => local_name!("alt"),
        b"content" => local_name!("content"),
        b"datetime" => local_name!("datetime"),
        b"lang" => local_name!("lang"),
        b"dir" => local_name!("dir"),
        b"property" => local_name!("property"),
        b"name" => local_name!("name"),
        b"type" => local_name!("type"),
        b"http-equiv" => local_name!("http-equiv"),
        b"charset" => local_name!("charset"),
        b"sizes" => local_name!("sizes"),
        b"value" => local_name!("value"),
        _ => LocalName::from(&*String::from_utf8_lossy(name)),
    }
}

/// Attributes worth keeping: everything the extractors read, nothing else.
fn keep_attribute(name: &[u8]) -> bool {
    matches!(
        name,
        b"id"
            | b"class"
            | b"itemprop"
            | b"itemscope"
            | b"itemtype"
            | b"itemid"
            | b"role"
            | b"aria-label"
            | b"aria-hidden"
            | b"hidden"
            | b"rel"
            | b"href"
            | b"src"
            | b"srcset"
            | b"width"
            | b"height"
            | b"alt"
            | b"content"
            | b"datetime"
            | b"pubdate"
            | b"title"
            | b"lang"
            | b"dir"
            | b"property"
            | b"name"
            | b"type"
            | b"http-equiv"
            | b"charset"
            | b"sizes"
            | b"style"
            | b"value"
    ) || (name.starts_with(b"data-") && is_image_data_attribute(name))
}

/// Lazy-loading attributes (`data-src`, `data-lazy-srcset`, `data-original`, `data-orig-file`…).
fn is_image_data_attribute(name: &[u8]) -> bool {
    let rest = &name[5..];
    [
        &b"src"[..],
        b"original",
        b"lazy",
        b"file",
        b"url",
        b"img",
        b"image",
        b"full",
    ]
    .iter()
    .any(|needle| rest.windows(needle.len()).any(|w| w == *needle))
}

#[derive(Default)]
struct TokenCallback {
    name: Option<LocalName>,
    attrs: Vec<Attribute>,
    skip_value: bool,
    /// The text that follows is the content of a script, style or the like that the builder
    /// drops ([`raw_text_kind`]): it is not copied out of the tokenizer.
    drop_text: bool,
}

impl Callback<Token, ()> for TokenCallback {
    fn handle_event(&mut self, event: CallbackEvent<'_>, _: Span<()>) -> Option<Token> {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                self.name = Some(name_atom(name));
                self.attrs.clear();
                self.drop_text = false;
                None
            }
            CallbackEvent::AttributeName { name } => {
                self.skip_value = true;
                if self.attrs.len() < MAX_ATTRIBUTES && keep_attribute(name) {
                    let name = name_atom(name);
                    // The first of duplicated attributes wins, as in browsers.
                    if !self.attrs.iter().any(|a| a.name.local == name) {
                        self.attrs.push(Attribute {
                            name: QualName::new(None, ns!(), name),
                            value: StrTendril::new(),
                        });
                        self.skip_value = false;
                    }
                }
                None
            }
            CallbackEvent::AttributeValue { value } => {
                if !self.skip_value
                    && let Some(a) = self.attrs.last_mut()
                {
                    a.value = capped_text(value, MAX_ATTRIBUTE_BYTES);
                }
                None
            }
            CallbackEvent::CloseStartTag { self_closing } => {
                let name = self.name.take()?;
                self.drop_text =
                    raw_text_kind(&name, &self.attrs).is_some_and(|k| k == RawText::Ignored);
                Some(Token::Start {
                    name,
                    attrs: std::mem::take(&mut self.attrs),
                    self_closing,
                })
            }
            CallbackEvent::EndTag { name } => {
                self.drop_text = false;
                Some(Token::End {
                    name: name_atom(name),
                })
            }
            CallbackEvent::String { value } => Some(Token::Text(if self.drop_text {
                StrTendril::new()
            } else {
                capped_text(value, MAX_TEXT_TOKEN_BYTES)
            })),
            CallbackEvent::Comment { .. }
            | CallbackEvent::Doctype { .. }
            | CallbackEvent::Error(_) => None,
        }
    }
}

/// The first `cap` bytes of UTF-8 `bytes` as text, cut on a char boundary (one allocation of
/// the exact size, none for short texts).
fn capped_text(bytes: &[u8], cap: usize) -> StrTendril {
    let take = bytes.len().min(cap);
    match std::str::from_utf8(&bytes[..take]) {
        Ok(s) => StrTendril::from_slice(s),
        Err(e) if e.error_len().is_none() => StrTendril::from_slice(
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        ),
        Err(_) => StrTendril::from_slice(&String::from_utf8_lossy(&bytes[..take])),
    }
}

/// The page with its attribute floods cut ([`cap_attributes`]): every text given to
/// [`tokens`] goes through here first.
fn capped(page: &str) -> Cow<'_, str> {
    match cap_attributes(page.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(page),
        // Cuts fall on ASCII bytes, so this never replaces anything.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

fn tokens(page: &str) -> impl Iterator<Item = Token> + '_ {
    let mut emitter = CallbackEmitter::new(TokenCallback::default());
    // Script, style, title, textarea and noscript content arrive as text, as in a browser with
    // scripting on; noscript text is tokenized again by the builder.
    emitter.naively_switch_states(true);
    // Reading from a `&str` cannot fail.
    Tokenizer::new_with_emitter(page, WithoutErrors(emitter)).filter_map(Result::ok)
}

/// An emitter that tells the tokenizer nobody reads its parse errors: it then skips validating
/// every byte for control characters and non-characters (a tenth of the extraction's time).
#[derive(Debug)]
struct WithoutErrors<E>(E);

impl<E: Emitter> ForwardingEmitter for WithoutErrors<E> {
    type Token = E::Token;

    fn inner(&mut self) -> &mut impl Emitter<Token = Self::Token> {
        &mut self.0
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }
}

// ---------------------------------------------------------------------------------------------
// Builder: head metadata, and the bounded DOM through scraper's own TreeSink.

/// Where the next text token goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawText {
    Title,
    JsonLd,
    Noscript,
    Ignored,
}

struct Open {
    name: LocalName,
    node: Option<ego_tree::NodeId>,
}

struct Builder {
    sink: HtmlTreeSink,
    body: ego_tree::NodeId,
    stack: Vec<Open>,
    open_counts: FxHashMap<LocalName, u32>,
    /// Depth of emitted elements on the stack.
    emitted_depth: usize,
    elements: usize,
    text_bytes: usize,
    json_ld_bytes: usize,
    raw: Option<(LocalName, RawText)>,
    /// Inside an element whose subtree is dropped (SVG, template…): its name and nesting.
    skipping: Option<(LocalName, u32)>,
    out: ScannedHead,
}

#[derive(Default)]
struct ScannedHead {
    html_lang: Option<String>,
    html_dir: Option<String>,
    body_dir: Option<String>,
    base_href: Option<String>,
    title: Option<String>,
    seen_html: bool,
    seen_body: bool,
    metas: Vec<MetaTag>,
    links: Vec<LinkTag>,
    json_ld: Vec<String>,
}

fn html_name(name: &LocalName) -> QualName {
    QualName::new(None, ns!(html), name.clone())
}

fn attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

fn lower_attr(attrs: &[Attribute], name: &str) -> Option<String> {
    attr(attrs, name)
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}

/// Dublin Core is written `dc.title`, `DC:title`, `dcterms:title` or `dcterm:title`: one
/// spelling (`dc.title`, `dcterms.title`) for all.
fn dublin_core_dots(key: String) -> String {
    if !key.contains("dc") {
        return key;
    }
    key.split_ascii_whitespace()
        .map(|k| {
            for (from, to) in [
                ("dcterms:", "dcterms."),
                ("dcterm:", "dcterms."),
                ("dcterm.", "dcterms."),
                ("dc:", "dc."),
            ] {
                if let Some(rest) = k.strip_prefix(from) {
                    return format!("{to}{rest}");
                }
            }
            k.to_owned()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Elements whose content arrives as one text token, and what becomes of that text.
fn raw_text_kind(name: &str, attrs: &[Attribute]) -> Option<RawText> {
    match name {
        "title" => Some(RawText::Title),
        "script" => Some(
            if attr(attrs, "type").is_some_and(|t| t.to_ascii_lowercase().contains("ld+json")) {
                RawText::JsonLd
            } else {
                RawText::Ignored
            },
        ),
        "style" | "iframe" | "textarea" | "xmp" | "noembed" | "noframes" | "plaintext" => {
            Some(RawText::Ignored)
        }
        "noscript" => Some(RawText::Noscript),
        _ => None,
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "param"
            | "keygen"
            | "image"
    )
}

/// Elements whose whole subtree is dropped: never article text, often huge.
fn is_skipped_subtree(name: &str) -> bool {
    matches!(
        name,
        "svg"
            | "math"
            | "template"
            | "select"
            | "datalist"
            | "object"
            | "canvas"
            | "audio"
            | "video"
            | "map"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

impl Builder {
    fn new() -> Self {
        let sink = HtmlTreeSink::new(Html::new_document());
        let html = sink.create_element(
            html_name(&LocalName::from("html")),
            Vec::new(),
            ElementFlags::default(),
        );
        sink.append(&sink.get_document(), NodeOrText::AppendNode(html));
        let body = sink.create_element(
            html_name(&LocalName::from("body")),
            Vec::new(),
            ElementFlags::default(),
        );
        sink.append(&html, NodeOrText::AppendNode(body));
        Self {
            sink,
            body,
            stack: Vec::new(),
            open_counts: FxHashMap::default(),
            emitted_depth: 0,
            elements: 0,
            text_bytes: 0,
            json_ld_bytes: 0,
            raw: None,
            skipping: None,
            out: ScannedHead::default(),
        }
    }

    fn finish(self) -> Scanned {
        let out = self.out;
        Scanned {
            html_lang: out.html_lang,
            html_dir: out.html_dir,
            body_dir: out.body_dir,
            base_href: out.base_href,
            title: out.title,
            metas: out.metas,
            links: out.links,
            json_ld: out.json_ld,
            document: self.sink.finish(),
        }
    }

    /// `nesting` counts how many noscript bodies we are inside (their text is tokenized again,
    /// once).
    fn handle(&mut self, token: Token, nesting: u8) {
        if let Some((raw_name, kind)) = self.raw.clone() {
            match token {
                Token::Text(text) => {
                    self.raw_text(kind, &text, nesting);
                    return;
                }
                Token::End { ref name } if *name == raw_name => {
                    self.raw = None;
                    if kind == RawText::Noscript {
                        self.end_tag(name);
                    }
                    return;
                }
                _ => self.raw = None,
            }
        }
        if let Some((skip_name, depth)) = &mut self.skipping {
            match &token {
                Token::Start {
                    name,
                    self_closing: false,
                    ..
                } if name == skip_name => *depth += 1,
                Token::End { name } if name == skip_name => {
                    *depth -= 1;
                    if *depth == 0 {
                        self.skipping = None;
                    }
                }
                _ => {}
            }
            return;
        }
        match token {
            Token::Start {
                name,
                attrs,
                self_closing,
            } => self.start_tag(name, attrs, self_closing),
            Token::End { name } => self.end_tag(&name),
            Token::Text(text) => self.text(text),
        }
    }

    fn raw_text(&mut self, kind: RawText, text: &str, nesting: u8) {
        match kind {
            RawText::Title => {
                if self.out.title.is_none() {
                    self.out.title = Some(text.to_owned());
                }
            }
            RawText::JsonLd => {
                if self.out.json_ld.len() < MAX_JSON_LD_SCRIPTS
                    && self.json_ld_bytes + text.len() <= MAX_JSON_LD_BYTES
                {
                    self.json_ld_bytes += text.len();
                    self.out.json_ld.push(text.to_owned());
                }
            }
            RawText::Noscript if nesting == 0 => {
                // What a browser without scripts shows: often the real `<img>` behind a lazy
                // placeholder. Its own noscript content is not tokenized again.
                let saved = self.raw.take();
                let text = capped(text);
                for token in tokens(&text) {
                    self.handle(token, nesting + 1);
                }
                self.raw = saved;
            }
            RawText::Noscript | RawText::Ignored => {}
        }
    }

    fn start_tag(&mut self, name: LocalName, attrs: Vec<Attribute>, self_closing: bool) {
        match &*name {
            "html" => {
                if !self.out.seen_html {
                    self.out.seen_html = true;
                    self.out.html_lang = attr(&attrs, "lang").map(str::to_owned);
                    self.out.html_dir = lower_attr(&attrs, "dir");
                }
                return;
            }
            "head" => return,
            "body" => {
                if !self.out.seen_body {
                    self.out.seen_body = true;
                    self.out.body_dir = lower_attr(&attrs, "dir");
                }
                return;
            }
            "base" => {
                if self.out.base_href.is_none() {
                    self.out.base_href = attr(&attrs, "href").map(str::to_owned);
                }
                return;
            }
            "title" | "script" | "style" | "iframe" | "textarea" | "xmp" | "noembed"
            | "noframes" | "plaintext" => {
                self.raw = raw_text_kind(&name, &attrs).map(|kind| (name, kind));
                return;
            }
            "meta" => {
                self.meta(&attrs);
                if attr(&attrs, "itemprop").is_none() {
                    return;
                }
            }
            "link" => {
                self.link(&attrs);
                if attr(&attrs, "itemprop").is_none() {
                    return;
                }
            }
            _ => {}
        }
        if is_skipped_subtree(&name) {
            if !self_closing {
                self.skipping = Some((name, 1));
            }
            return;
        }
        self.close_implied(&name);
        // As in browsers, `/>` closes nothing but void elements (`<span/>` opens a span).
        let void = is_void(&name);
        let emit = self.emitted_depth < MAX_DOM_DEPTH && self.elements < MAX_DOM_ELEMENTS;
        let node = emit.then(|| {
            let node = self
                .sink
                .create_element(html_name(&name), attrs, ElementFlags::default());
            self.sink
                .append(&self.parent(), NodeOrText::AppendNode(node));
            self.elements += 1;
            node
        });
        let is_noscript = &*name == "noscript";
        if !void && self.stack.len() < MAX_OPEN_ELEMENTS {
            *self.open_counts.entry(name.clone()).or_default() += 1;
            if node.is_some() {
                self.emitted_depth += 1;
            }
            self.stack.push(Open {
                name: name.clone(),
                node,
            });
        }
        if is_noscript {
            self.raw = Some((name, RawText::Noscript));
        }
    }

    fn parent(&self) -> ego_tree::NodeId {
        self.stack
            .iter()
            .rev()
            .find_map(|o| o.node)
            .unwrap_or(self.body)
    }

    /// The implied end tags that keep unclosed `<p>`, `<li>`, cells and headings from nesting
    /// (a page of 10,000 unclosed `<p>` is flat in a browser, and must be flat here).
    fn close_implied(&mut self, name: &str) {
        if dom::is_block(name) {
            self.close_in_scope(
                &local_name!("p"),
                &[
                    "button", "table", "td", "th", "caption", "object", "template",
                ],
            );
        }
        match name {
            "li" => self.close_in_scope(&local_name!("li"), &["ul", "ol", "menu"]),
            "dd" | "dt" => {
                self.close_in_scope(&local_name!("dd"), &["dl"]);
                self.close_in_scope(&local_name!("dt"), &["dl"]);
            }
            "td" | "th" => {
                self.close_in_scope(&local_name!("td"), &["tr", "table"]);
                self.close_in_scope(&local_name!("th"), &["tr", "table"]);
            }
            "tr" => {
                for cell in [local_name!("td"), local_name!("th"), local_name!("tr")] {
                    self.close_in_scope(&cell, &["table", "tbody", "thead", "tfoot"]);
                }
            }
            "tbody" | "thead" | "tfoot" => {
                for part in [
                    local_name!("td"),
                    local_name!("th"),
                    local_name!("tr"),
                    local_name!("tbody"),
                    local_name!("thead"),
                    local_name!("tfoot"),
                ] {
                    self.close_in_scope(&part, &["table"]);
                }
            }
            "option" | "optgroup" => self.close_in_scope(&local_name!("option"), &["select"]),
            "a" => self.close_in_scope(&local_name!("a"), &["table", "td", "th", "button"]),
            n if is_heading(n) && self.stack.last().is_some_and(|o| is_heading(&o.name)) => {
                self.pop();
            }
            _ => {}
        }
    }

    fn close_in_scope(&mut self, target: &LocalName, boundaries: &[&str]) {
        if self.open_counts.get(target).copied().unwrap_or(0) == 0 {
            return;
        }
        let found = self
            .stack
            .iter()
            .rev()
            .take(SCOPE_SEARCH)
            .take_while(|o| !boundaries.contains(&&*o.name))
            .position(|o| o.name == *target);
        if let Some(from_top) = found {
            for _ in 0..=from_top {
                self.pop();
            }
        }
    }

    fn end_tag(&mut self, name: &LocalName) {
        if self.open_counts.get(name).copied().unwrap_or(0) == 0 {
            return;
        }
        // Every search pops what it passes, so end tags cost amortised O(1).
        while let Some(open) = self.pop() {
            if open == *name {
                break;
            }
        }
    }

    fn pop(&mut self) -> Option<LocalName> {
        let open = self.stack.pop()?;
        if let Some(count) = self.open_counts.get_mut(&open.name) {
            *count -= 1;
        }
        if open.node.is_some() {
            self.emitted_depth -= 1;
        }
        Some(open.name)
    }

    fn text(&mut self, mut text: StrTendril) {
        if self.elements >= MAX_DOM_ELEMENTS || self.text_bytes >= MAX_DOM_TEXT_BYTES {
            return;
        }
        if text.trim().is_empty() {
            text = StrTendril::from_slice(" ");
        } else if text.len() > MAX_TEXT_RUN_BYTES {
            let mut end = MAX_TEXT_RUN_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.pop_back(u32::try_from(text.len() - end).unwrap_or(u32::MAX));
        }
        self.text_bytes += text.len();
        self.sink
            .append(&self.parent(), NodeOrText::AppendText(text));
    }

    fn meta(&mut self, attrs: &[Attribute]) {
        if self.out.metas.len() >= MAX_META_TAGS {
            return;
        }
        let Some(content) = attr(attrs, "content") else {
            return;
        };
        let tag = MetaTag {
            property: lower_attr(attrs, "property").map(dublin_core_dots),
            name: lower_attr(attrs, "name").map(dublin_core_dots),
            http_equiv: lower_attr(attrs, "http-equiv"),
            content: content.to_owned(),
        };
        if tag.property.is_some() || tag.name.is_some() || tag.http_equiv.is_some() {
            self.out.metas.push(tag);
        }
    }

    fn link(&mut self, attrs: &[Attribute]) {
        if self.out.links.len() >= MAX_LINK_TAGS {
            return;
        }
        let (Some(rel), Some(href)) = (lower_attr(attrs, "rel"), attr(attrs, "href")) else {
            return;
        };
        self.out.links.push(LinkTag {
            rel: rel.split_ascii_whitespace().map(str::to_owned).collect(),
            href: href.to_owned(),
            sizes: lower_attr(attrs, "sizes"),
            media_type: lower_attr(attrs, "type"),
        });
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;
    use scraper::Selector;

    fn count(doc: &Html, css: &str) -> usize {
        doc.select(&Selector::parse(css).unwrap()).count()
    }

    #[test]
    fn head_metadata_is_collected_wherever_it_appears() {
        let page = r#"<!doctype html><html lang="fr-FR" dir="ltr"><head><base href="/x/">
            <title>Le titre &amp; plus</title>
            <meta property="og:title" content="OG &quot;titre&quot;"><meta name=Description content=desc>
            <link rel="Canonical" href="https://a.example/c">
            <script type="application/ld+json">{"@type":"NewsArticle"}</script>
            <script>var x = "<meta property='og:title' content='not me'>";</script>
            </head><body><p>Text</p><meta property="og:image" content="late.jpg"></body></html>"#;
        let s = scan(page);
        assert_eq!(s.html_lang.as_deref(), Some("fr-FR"));
        assert_eq!(s.base_href.as_deref(), Some("/x/"));
        assert_eq!(s.title.as_deref(), Some("Le titre & plus"));
        assert_eq!(s.metas.len(), 3);
        assert_eq!(s.metas[0].content, "OG \"titre\"");
        assert!(s.metas[1].is("description"));
        assert_eq!(s.links[0].rel, vec!["canonical"]);
        assert_eq!(s.json_ld, vec![r#"{"@type":"NewsArticle"}"#]);
        assert_eq!(count(&s.document, "p"), 1);
    }

    #[test]
    fn unclosed_paragraphs_and_list_items_stay_flat() {
        let page = "<div><p>a<p>b<p>c<ul><li>1<li>2<li>3</ul></div>";
        let s = scan(page);
        assert_eq!(count(&s.document, "div > p"), 3);
        assert_eq!(count(&s.document, "p p"), 0);
        assert_eq!(count(&s.document, "ul > li"), 3);
    }

    #[test]
    fn scripts_styles_svg_and_templates_leave_nothing_in_the_dom() {
        let page = "<p>keep</p><style>p{}</style><svg><title>icon</title><g><text>no</text></g></svg>\
                    <template><p>no</p></template><p>also</p>";
        let s = scan(page);
        let text: String = s.document.root_element().text().collect();
        assert_eq!(text, "keepalso");
    }

    #[test]
    fn noscript_images_are_in_the_dom() {
        let s = scan(
            r#"<figure><img src="data:," data-src="lazy.jpg"><noscript><img src="real.jpg"></noscript></figure>"#,
        );
        assert_eq!(count(&s.document, "figure img"), 2);
        assert_eq!(count(&s.document, "noscript img[src='real.jpg']"), 1);
    }

    #[test]
    fn deep_nesting_is_cut_at_the_depth_bound_and_text_is_kept() {
        let page = format!(
            "{}<p>deep text</p>{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let s = scan(&page);
        assert!(count(&s.document, "div") <= MAX_DOM_DEPTH);
        let text: String = s.document.root_element().text().collect();
        assert!(text.contains("deep text"));
    }

    #[test]
    fn attribute_floods_are_cut_and_only_allow_listed_attributes_kept() {
        let mut page = String::from("<img src=a.jpg class=photo ");
        for i in 0..50_000 {
            write!(page, "x{i}=\"1\" ").unwrap();
        }
        page.push_str("alt=late>");
        let s = scan(&page);
        let img = s
            .document
            .select(&Selector::parse("img").unwrap())
            .next()
            .unwrap();
        assert_eq!(img.value().attr("src"), Some("a.jpg"));
        assert_eq!(
            img.value().attr("alt"),
            None,
            "attributes past the cap are cut"
        );
        assert_eq!(img.value().attrs().count(), 2);
    }

    #[test]
    fn meta_tags_past_the_bound_are_dropped() {
        let page = "<meta name=x content=y>".repeat(MAX_META_TAGS * 3);
        assert_eq!(scan(&page).metas.len(), MAX_META_TAGS);
    }

    #[test]
    fn the_first_of_duplicated_attributes_wins() {
        let s = scan(r#"<a href="first" href="second">x</a>"#);
        let a = s
            .document
            .select(&Selector::parse("a").unwrap())
            .next()
            .unwrap();
        assert_eq!(a.value().attr("href"), Some("first"));
    }
}
