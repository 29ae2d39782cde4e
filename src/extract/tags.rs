//! The page's metadata tags as a platform's crawler reads them: every `<meta>` with a property,
//! name, `http-equiv` or `itemprop`, every `<link>` with a `rel`, and `<title>`, each with its byte
//! offset in the page as it was received (not in the decoded text), in document order. For the
//! preview debugger and `apercu check` (which tags sit past the first 32 KB a crawler reads,
//! which come first when two disagree); extraction itself needs no offsets. Pure.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use html5gum::emitters::callback::{Callback, CallbackEmitter, CallbackEvent};
use html5gum::{Span, Tokenizer};
use serde::Serialize;

use super::attribute_cap::cap_attributes_with_cuts;
use super::charset::{self, Basis};

/// Tags kept: far more than any real head, few enough for a report.
pub const MAX_TAGS: usize = 1024;
/// Characters of a value kept (a report shows values, it does not need megabytes of them).
const MAX_VALUE_CHARS: usize = 2000;

/// Which element a tag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Element {
    Meta,
    Link,
    Title,
}

/// One metadata tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    /// Where the tag's `<` sits in the page as received, in bytes.
    pub offset: usize,
    pub element: Element,
    /// The attribute that names it: `property`, `name`, `http-equiv`, `itemprop`, `rel`,
    /// `charset`, or `title` for `<title>`.
    pub attribute: &'static str,
    /// Its name, lower-cased (`og:title`, `twitter:card`, `description`, `canonical`…).
    pub key: String,
    /// `content`, `href`, the charset label, or the title's text.
    pub value: String,
    /// A link's `type`, when it has one (`application/json+oembed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// How the page's encoding was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CharsetBasis {
    /// A byte-order mark.
    ByteOrderMark,
    /// The `charset` of the HTTP `Content-Type`.
    HttpHeader,
    /// `<meta charset>` or its `http-equiv` form.
    MetaTag,
    /// Guessed from the bytes: nothing declared it.
    Guessed,
}

/// What the scan found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagScan {
    pub tags: Vec<Tag>,
    /// The encoding the page was read in (its WHATWG name).
    pub encoding: &'static str,
    pub charset_basis: CharsetBasis,
    /// More tags than [`MAX_TAGS`]: the rest were not kept.
    pub incomplete: bool,
}

impl TagScan {
    /// The tags whose key is `key`, in document order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Tag> + 'a {
        self.tags.iter().filter(move |tag| tag.key == key)
    }

    /// The first tag whose key is `key`.
    #[must_use]
    pub fn first(&self, key: &str) -> Option<&Tag> {
        self.tags.iter().find(|tag| tag.key == key)
    }
}

/// Scans `page` (as received; `http_charset` is the `charset` its server declared).
#[must_use]
pub fn scan(page: &[u8], http_charset: Option<&str>) -> TagScan {
    let page = &page[..page.len().min(super::MAX_PAGE_BYTES)];
    let (text, encoding, basis) = charset::decode(page, http_charset, None);
    let (capped, cuts) = cap_attributes_with_cuts(text.as_bytes());
    let capped = String::from_utf8_lossy(&capped);
    let mut emitter = CallbackEmitter::new(Collector::default());
    emitter.naively_switch_states(true);
    let mut found: Vec<(usize, Tag)> = Vec::new();
    let mut incomplete = false;
    for tag in Tokenizer::new_with_emitter(&*capped, emitter).filter_map(Result::ok) {
        if found.len() == MAX_TAGS {
            incomplete = true;
            break;
        }
        found.push((tag.offset, tag));
    }
    let bom = page.len() - page.strip_prefix_bom(encoding).len();
    let mut to_raw = RawOffsets::new(&text, encoding, bom);
    let tags = found
        .into_iter()
        .map(|(in_capped, mut tag)| {
            tag.offset = to_raw.of(uncut(in_capped, &cuts));
            tag
        })
        .collect();
    TagScan {
        tags,
        encoding: encoding.name(),
        charset_basis: match basis {
            Basis::ByteOrderMark => CharsetBasis::ByteOrderMark,
            Basis::HttpHeader => CharsetBasis::HttpHeader,
            Basis::MetaTag => CharsetBasis::MetaTag,
            Basis::Detected => CharsetBasis::Guessed,
        },
        incomplete,
    }
}

/// An offset in the capped text, moved back to the decoded text before the cuts.
fn uncut(offset: usize, cuts: &[(usize, usize)]) -> usize {
    let mut at = offset;
    for &(from, to) in cuts {
        if from <= at {
            at += to - from;
        } else {
            break;
        }
    }
    at
}

trait StripBom {
    fn strip_prefix_bom(&self, encoding: &'static Encoding) -> &[u8];
}

impl StripBom for [u8] {
    /// The bytes after a byte-order mark of `encoding`, if they start with one.
    fn strip_prefix_bom(&self, encoding: &'static Encoding) -> &[u8] {
        match Encoding::for_bom(self) {
            Some((found, length)) if found == encoding => &self[length..],
            _ => self,
        }
    }
}

/// Turns offsets in the decoded text into offsets in the page as received, walking forward:
/// UTF-8 needs nothing; other encodings re-encode the text between two offsets to count its
/// bytes (offsets arrive in document order, so the page is encoded once in all).
struct RawOffsets<'a> {
    text: &'a str,
    encoding: &'static Encoding,
    bom: usize,
    text_at: usize,
    raw_at: usize,
}

impl<'a> RawOffsets<'a> {
    fn new(text: &'a str, encoding: &'static Encoding, bom: usize) -> Self {
        RawOffsets {
            text,
            encoding,
            bom,
            text_at: 0,
            raw_at: 0,
        }
    }

    fn of(&mut self, text_offset: usize) -> usize {
        let target = floor_char_boundary(self.text, text_offset.min(self.text.len()));
        if self.encoding == UTF_8 {
            return self.bom + target;
        }
        if target < self.text_at {
            // Out of order (cannot happen for a forward scan): count from the start.
            self.text_at = 0;
            self.raw_at = 0;
        }
        let segment = &self.text[self.text_at..target];
        self.raw_at += encoded_len(self.encoding, segment);
        self.text_at = target;
        self.bom + self.raw_at
    }
}

/// Bytes `text` takes in `encoding` (UTF-16 has no encoder in the WHATWG set: two bytes a
/// code unit).
fn encoded_len(encoding: &'static Encoding, text: &str) -> usize {
    if encoding == UTF_16LE || encoding == UTF_16BE {
        return text.encode_utf16().count() * 2;
    }
    let (bytes, _, _) = encoding.encode(text);
    match bytes {
        Cow::Borrowed(bytes) => bytes.len(),
        Cow::Owned(bytes) => bytes.len(),
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Collects tags from html5gum's events (offsets in the text it reads).
#[derive(Default)]
struct Collector {
    open: Option<Open>,
    attribute: Option<String>,
    in_title: Option<(usize, String)>,
}

struct Open {
    offset: usize,
    name: String,
    attributes: Vec<(String, String)>,
}

impl Open {
    fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn capped_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => text[..at].to_owned(),
        None => text.into_owned(),
    }
}

impl Callback<Tag, usize> for Collector {
    fn handle_event(&mut self, event: CallbackEvent<'_>, span: Span<usize>) -> Option<Tag> {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                self.open = Some(Open {
                    offset: span.start,
                    name: String::from_utf8_lossy(name).to_ascii_lowercase(),
                    attributes: Vec::new(),
                });
                self.attribute = None;
                None
            }
            CallbackEvent::AttributeName { name } => {
                let open = self.open.as_mut()?;
                let name = String::from_utf8_lossy(name).to_ascii_lowercase();
                // The first of duplicated attributes wins, as in browsers.
                if open.attributes.iter().any(|(n, _)| *n == name) || open.attributes.len() >= 32 {
                    self.attribute = None;
                } else {
                    open.attributes.push((name.clone(), String::new()));
                    self.attribute = Some(name);
                }
                None
            }
            CallbackEvent::AttributeValue { value } => {
                if self.attribute.is_some()
                    && let Some((_, v)) = self.open.as_mut()?.attributes.last_mut()
                    && v.chars().count() < MAX_VALUE_CHARS
                {
                    v.push_str(&capped_text(value));
                }
                None
            }
            CallbackEvent::CloseStartTag { .. } => {
                let open = self.open.take()?;
                tag_of(&open, &mut self.in_title)
            }
            CallbackEvent::String { value } => {
                if let Some((_, title)) = &mut self.in_title
                    && title.chars().count() < MAX_VALUE_CHARS
                {
                    title.push_str(&capped_text(value));
                }
                None
            }
            CallbackEvent::EndTag { name } if name.eq_ignore_ascii_case(b"title") => {
                let (offset, text) = self.in_title.take()?;
                Some(Tag {
                    offset,
                    element: Element::Title,
                    attribute: "title",
                    key: "title".to_owned(),
                    value: text.split_whitespace().collect::<Vec<_>>().join(" "),
                    media_type: None,
                })
            }
            _ => None,
        }
    }
}

/// The tag an element makes, if it is one of ours; `<title>` starts collecting its text.
fn tag_of(open: &Open, in_title: &mut Option<(usize, String)>) -> Option<Tag> {
    let tag = |attribute, key: &str, value: &str, media_type| Tag {
        offset: open.offset,
        element: if open.name == "link" {
            Element::Link
        } else {
            Element::Meta
        },
        attribute,
        key: key.trim().to_ascii_lowercase(),
        value: value.trim().to_owned(),
        media_type,
    };
    match open.name.as_str() {
        "meta" => {
            if let Some(label) = open.get("charset") {
                return Some(tag("charset", "charset", label, None));
            }
            let content = open.get("content")?;
            ["property", "name", "http-equiv", "itemprop"]
                .into_iter()
                .find_map(|attribute| {
                    let key = open.get(attribute).filter(|key| !key.trim().is_empty())?;
                    Some(tag(attribute, key, content, None))
                })
        }
        "link" => {
            let rel = open.get("rel").filter(|rel| !rel.trim().is_empty())?;
            let href = open.get("href").unwrap_or_default();
            let media_type = open.get("type").map(|t| t.trim().to_ascii_lowercase());
            Some(tag("rel", rel, href, media_type))
        }
        "title" if in_title.is_none() => {
            *in_title = Some((open.offset, String::new()));
            None
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_in_document_order_with_their_byte_offsets() {
        let page = b"<!doctype html><html><head><meta charset=utf-8>\
            <title>Le  titre</title>\
            <meta property=\"og:title\" content=\"Titre \xC3\xA9t\xC3\xA9\">\
            <META NAME=Twitter:Card CONTENT=summary_large_image>\
            <link rel=canonical href=https://news.example/a>\
            <link rel=alternate type=application/json+oembed href=/oembed>\
            <script>document.write('<meta property=og:image content=x>')</script>\
            <!-- <meta property=og:image content=y> -->\
            <meta name=description content=\"D\"></head></html>";
        let scan = scan(page, None);
        let keys: Vec<(&str, &str)> = scan
            .tags
            .iter()
            .map(|tag| (tag.key.as_str(), tag.value.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("charset", "utf-8"),
                ("title", "Le titre"),
                ("og:title", "Titre été"),
                ("twitter:card", "summary_large_image"),
                ("canonical", "https://news.example/a"),
                ("alternate", "/oembed"),
                ("description", "D"),
            ]
        );
        for tag in &scan.tags {
            assert_eq!(page[tag.offset], b'<', "{tag:?}");
        }
        let og = scan.first("og:title").unwrap();
        assert!(page[og.offset..].starts_with(b"<meta property=\"og:title\""));
        assert_eq!(scan.charset_basis, CharsetBasis::MetaTag);
        assert_eq!(
            scan.first("alternate").unwrap().media_type.as_deref(),
            Some("application/json+oembed")
        );
    }

    #[test]
    fn offsets_count_the_bytes_of_legacy_encodings_and_of_a_bom() {
        // Shift_JIS: two bytes a kana, so the tag after them sits further than in the text.
        let (title, _, _) = encoding_rs::SHIFT_JIS.encode("ニュース");
        let mut page = b"<html><head><title>".to_vec();
        page.extend_from_slice(&title);
        page.extend_from_slice(b"</title><meta property=og:title content=X></head></html>");
        let scan = scan(&page, Some("shift_jis"));
        let og = scan.first("og:title").unwrap();
        assert!(page[og.offset..].starts_with(b"<meta property=og:title"));
        assert_eq!(scan.first("title").unwrap().value, "ニュース");
        assert_eq!(scan.charset_basis, CharsetBasis::HttpHeader);

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(b"<meta name=description content=D>");
        let scan = super::scan(&bom, None);
        assert_eq!(scan.tags[0].offset, 3);
        assert_eq!(scan.charset_basis, CharsetBasis::ByteOrderMark);
    }

    #[test]
    fn a_tag_after_an_attribute_flood_keeps_its_true_offset() {
        let mut page = b"<div ".to_vec();
        for n in 0..200 {
            page.extend_from_slice(format!("a{n}=\"x\" ").as_bytes());
        }
        page.extend_from_slice(b"></div><meta property=og:title content=T>");
        let scan = scan(&page, Some("utf-8"));
        let og = scan.first("og:title").unwrap();
        assert!(page[og.offset..].starts_with(b"<meta property=og:title"));
    }

    #[test]
    fn a_page_with_nothing_declared_says_its_charset_was_guessed() {
        let scan = scan(b"<meta name=description content=caf\xE9>", None);
        assert_eq!(scan.charset_basis, CharsetBasis::Guessed);
        assert_eq!(scan.first("description").unwrap().value, "café");
    }
}
