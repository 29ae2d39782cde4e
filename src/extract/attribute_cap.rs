//! Caps the attributes of each tag before html5gum reads a page. html5gum 0.9 recurses once per
//! double-quoted attribute value within one tag: about 20,000 `a="b"` on one tag overflow a
//! 2 MiB stack in a release build (about 1,000 in a debug build), and a stack overflow aborts
//! the process. No real page comes near [`MAX_ATTRIBUTES_PER_TAG`].
//!
//! The scan follows the WHATWG tokenizer's grammar for tags, comments and raw-text elements,
//! and where it must guess it ends a skipped span as early as the tokenizer could, so it never
//! skips bytes that the tokenizer reads as a tag.

use std::borrow::Cow;

/// Attributes kept per tag; the rest of the tag's attributes are cut.
pub const MAX_ATTRIBUTES_PER_TAG: usize = 64;

/// Elements whose content the tokenizer reads as text (html5gum's `naive_next_state`).
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"title",
    b"textarea",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
];

/// `input` with every tag's attributes past [`MAX_ATTRIBUTES_PER_TAG`] removed; borrowed when
/// nothing needed cutting. Cuts fall on ASCII bytes, so UTF-8 text stays valid.
#[must_use]
pub fn cap_attributes(input: &[u8]) -> Cow<'_, [u8]> {
    cap_attributes_with_cuts(input).0
}

/// [`cap_attributes`], and the ranges of `input` it removed, in order (so that offsets in the
/// result can be moved back to `input`).
#[must_use]
pub fn cap_attributes_with_cuts(input: &[u8]) -> (Cow<'_, [u8]>, Vec<(usize, usize)>) {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'<', &input[i..]) {
        let lt = i + offset;
        i = match input.get(lt + 1) {
            Some(b'!') => skip_markup_declaration(input, lt),
            Some(b'?') => skip_past(input, lt, b">"),
            Some(b'/') if input.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                scan_tag(input, lt + 2, &mut cuts).0
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (end, name) = scan_tag(input, lt + 1, &mut cuts);
                match RAW_TEXT.iter().find(|raw| name.eq_ignore_ascii_case(raw)) {
                    Some(raw) => skip_raw_text(input, end, raw),
                    None if name.eq_ignore_ascii_case(b"plaintext") => input.len(),
                    None => end,
                }
            }
            _ => lt + 1,
        };
    }
    if cuts.is_empty() {
        return (Cow::Borrowed(input), cuts);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut copied = 0;
    for &(from, to) in &cuts {
        out.extend_from_slice(&input[copied..from]);
        copied = to;
    }
    out.extend_from_slice(&input[copied..]);
    (Cow::Owned(out), cuts)
}

/// Index just past the first `needle` at or after `from`, or the end of input.
fn skip_past(input: &[u8], from: usize, needle: &[u8]) -> usize {
    memchr::memmem::find(&input[from..], needle).map_or(input.len(), |p| from + p + needle.len())
}

/// `<!-- … -->` (ending at the earliest of `-->`, `--!>`, or the abrupt `<!-->` / `<!--->`),
/// `<!DOCTYPE …>` and bogus comments (ending at the first `>`).
fn skip_markup_declaration(input: &[u8], lt: usize) -> usize {
    let rest = &input[lt..];
    if !rest.starts_with(b"<!--") {
        return skip_past(input, lt, b">");
    }
    let body = lt + 4;
    if input[body..].starts_with(b">") {
        return body + 1;
    }
    if input[body..].starts_with(b"->") {
        return body + 2;
    }
    skip_past(input, body, b"-->").min(skip_past(input, body, b"--!>"))
}

/// Content of a raw-text element runs to the first `</name` (the tokenizer may read further,
/// in script double-escapes, never less).
fn skip_raw_text(input: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(offset) = memchr::memmem::find(&input[i..], b"</") {
        let at = i + offset;
        let candidate = &input[at + 2..];
        if candidate.len() >= name.len() && candidate[..name.len()].eq_ignore_ascii_case(name) {
            return at;
        }
        i = at + 2;
    }
    input.len()
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// States of the WHATWG tokenizer between a tag's name and its `>`.
#[derive(PartialEq)]
enum State {
    BeforeName,
    Name,
    AfterName,
    BeforeValue,
    Quoted(u8),
    Unquoted,
}

/// Reads a tag from its name to its `>` as the tokenizer does, recording a cut when it has too
/// many attributes. Returns the index after the tag and the tag's name.
fn scan_tag<'a>(
    input: &'a [u8],
    name_start: usize,
    cuts: &mut Vec<(usize, usize)>,
) -> (usize, &'a [u8]) {
    let mut i = name_start;
    while i < input.len() && !is_space(input[i]) && input[i] != b'/' && input[i] != b'>' {
        i += 1;
    }
    let name = &input[name_start..i];
    let mut attributes = 0;
    let mut cut_from = None;
    let mut state = State::BeforeName;
    let end = loop {
        let Some(&b) = input.get(i) else {
            break input.len();
        };
        state = match state {
            State::BeforeName | State::AfterName if b == b'>' => break i + 1,
            State::BeforeName if is_space(b) || b == b'/' => State::BeforeName,
            State::AfterName if is_space(b) => State::AfterName,
            State::AfterName | State::Name if b == b'/' => State::BeforeName,
            State::AfterName if b == b'=' => State::BeforeValue,
            State::BeforeName | State::AfterName => {
                attributes += 1;
                if attributes > MAX_ATTRIBUTES_PER_TAG && cut_from.is_none() {
                    cut_from = Some(i);
                }
                State::Name
            }
            State::Name if is_space(b) => State::AfterName,
            State::Name if b == b'=' => State::BeforeValue,
            State::Name if b == b'>' => break i + 1,
            State::Name => State::Name,
            State::BeforeValue if is_space(b) => State::BeforeValue,
            State::BeforeValue if b == b'"' || b == b'\'' => State::Quoted(b),
            State::BeforeValue | State::Unquoted if b == b'>' => break i + 1,
            State::Quoted(q) if b == q => State::BeforeName,
            // A long value (a JSON blob, a data: URL) is skipped to its closing quote at once.
            State::Quoted(q) => match memchr::memchr(q, &input[i..]) {
                Some(offset) => {
                    i += offset;
                    continue;
                }
                None => break input.len(),
            },
            State::Unquoted if is_space(b) => State::BeforeName,
            State::BeforeValue | State::Unquoted => State::Unquoted,
        };
        i += 1;
    };
    if let Some(from) = cut_from {
        // Keep the closing `>` so the tag still ends where it ended.
        let to = if end > 0 && input.get(end - 1) == Some(&b'>') {
            end - 1
        } else {
            end
        };
        cuts.push((from, to.max(from)));
    }
    (end, name)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    fn attributes_flood(n: usize) -> String {
        let mut flood = String::new();
        for i in 0..n {
            write!(flood, "a{i}=\"{i}\" ").unwrap();
        }
        flood
    }

    #[test]
    fn ordinary_pages_are_not_copied() {
        let page =
            b"<html><head><title>a</title></head><body><p class=\"x\" id='y'>t</p></body></html>";
        assert!(matches!(cap_attributes(page), Cow::Borrowed(_)));
    }

    #[test]
    fn a_tag_keeps_its_first_attributes_and_its_end() {
        let page = format!("<div {}>after</div>", attributes_flood(1000));
        let capped = cap_attributes(page.as_bytes());
        let text = std::str::from_utf8(&capped).unwrap();
        assert!(text.contains("a63=\"63\""));
        assert!(!text.contains("a64="));
        assert!(text.ends_with(">after</div>"));
    }

    #[test]
    fn floods_after_raw_text_and_comments_are_still_found() {
        for prefix in [
            "<script> x = '<a x=\"'; </script>",
            "<!--> ",
            "<!-- a --!> ",
            "<title>\"</title>",
            "<style>a[x=\"</style>",
        ] {
            let page = format!("{prefix}<div {}>", attributes_flood(200));
            let capped = cap_attributes(page.as_bytes());
            assert!(
                !std::str::from_utf8(&capped).unwrap().contains("a100="),
                "{prefix}"
            );
        }
    }

    #[test]
    fn attributes_inside_raw_text_are_left_alone() {
        let page = format!(
            "<script>var s = '<div {}>';</script>",
            attributes_flood(200)
        );
        assert!(matches!(cap_attributes(page.as_bytes()), Cow::Borrowed(_)));
    }

    #[test]
    fn multibyte_text_stays_valid_utf8() {
        let page = format!("<p é=\"é\" {}>日本語</p>", attributes_flood(100));
        let capped = cap_attributes(page.as_bytes());
        assert!(std::str::from_utf8(&capped).unwrap().contains("日本語"));
    }
}
