//! Turns page bytes into text in the page's real encoding, in the WHATWG order: byte-order
//! mark, the HTTP `charset`, a `<meta charset>` / `http-equiv` prescan, then detection.

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};
use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Span, Tokenizer};

use super::attribute_cap::cap_attributes;

/// How far the `<meta charset>` prescan looks. Browsers stop at 1024 bytes; real pages put the
/// declaration after long comments and inline scripts, so we look further (still bounded).
const PRESCAN_BYTES: usize = 16 * 1024;
const BROWSER_PRESCAN_BYTES: usize = 1024;
/// How much of the page the detector reads when nothing is declared.
const DETECT_BYTES: usize = 64 * 1024;

/// Which rule chose the encoding (kept for tests and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    ByteOrderMark,
    HttpHeader,
    MetaTag,
    Detected,
}

/// Decodes `bytes`. Malformed sequences become U+FFFD; this never fails.
#[must_use]
pub fn decode<'a>(
    bytes: &'a [u8],
    http_charset: Option<&str>,
    tld: Option<&str>,
) -> (Cow<'a, str>, &'static Encoding, Basis) {
    let (encoding, basis) = choose(bytes, http_charset, tld);
    let (text, _) = encoding.decode_with_bom_removal(bytes);
    (text, encoding, basis)
}

fn choose(
    bytes: &[u8],
    http_charset: Option<&str>,
    tld: Option<&str>,
) -> (&'static Encoding, Basis) {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return (encoding, Basis::ByteOrderMark);
    }
    if let Some(encoding) =
        http_charset.and_then(|label| Encoding::for_label(label.trim().as_bytes()))
    {
        return (for_html(encoding, true), Basis::HttpHeader);
    }
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    let utf8 = utf8_cut_mid_char(sample);
    if let Some(encoding) = prescan_head(bytes) {
        // Pages re-saved as UTF-8 keep their old `<meta charset=gb2312>`. Non-ASCII text that
        // is valid UTF-8 is practically never legacy-encoded, so the bytes win over the tag.
        let contradicted = encoding != UTF_8 && utf8 && !sample.is_ascii();
        if !contradicted {
            return (for_html(encoding, false), Basis::MetaTag);
        }
    }
    if utf8 {
        return (UTF_8, Basis::Detected);
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(sample, sample.len() == bytes.len());
    // chardetng panics on a TLD with upper case, periods or non-ASCII: pass only clean labels.
    let tld = tld.map(str::as_bytes).filter(|t| {
        !t.is_empty()
            && t.iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
    });
    (detector.guess(tld, Utf8Detection::Allow), Basis::Detected)
}

/// A sample that is valid UTF-8, allowing for a character cut at the sample's end.
fn utf8_cut_mid_char(sample: &[u8]) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && sample.len() - e.valid_up_to() < 4,
    }
}

/// WHATWG: a page cannot declare UTF-16 in its own (ASCII-compatible) markup, and
/// `x-user-defined` means windows-1252 for documents.
fn for_html(encoding: &'static Encoding, from_header: bool) -> &'static Encoding {
    if encoding == X_USER_DEFINED {
        WINDOWS_1252
    } else if !from_header && (encoding == UTF_16LE || encoding == UTF_16BE) {
        UTF_8
    } else {
        encoding
    }
}

/// The prescan of the first 1024 bytes (up to their last `>`, so no tag is cut), where
/// browsers look and nearly every page declares its charset; then of [`PRESCAN_BYTES`].
fn prescan_head(bytes: &[u8]) -> Option<&'static Encoding> {
    let first = &bytes[..bytes.len().min(BROWSER_PRESCAN_BYTES)];
    let first = memchr::memrchr(b'>', first).map_or(first, |end| &first[..=end]);
    prescan(first).or_else(|| {
        (bytes.len() > first.len()).then(|| prescan(&bytes[..bytes.len().min(PRESCAN_BYTES)]))?
    })
}

/// Finds `<meta charset=…>` or `<meta http-equiv=content-type content="…; charset=…">` with the
/// same tokenizer the extractor uses, so comments and scripts are skipped the way browsers do.
fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let mut in_meta = false;
    let mut attr = Vec::new();
    let mut http_equiv_content_type = false;
    let mut content: Option<Vec<u8>> = None;
    let mut emitter = CallbackEmitter::new(
        |event: CallbackEvent<'_>, _: Span<()>| -> Option<&'static Encoding> {
            match event {
                CallbackEvent::OpenStartTag { name } => {
                    in_meta = name.eq_ignore_ascii_case(b"meta");
                    http_equiv_content_type = false;
                    content = None;
                }
                CallbackEvent::AttributeName { name } if in_meta => {
                    attr.clear();
                    attr.extend_from_slice(name);
                }
                CallbackEvent::AttributeValue { value } if in_meta => {
                    if attr.eq_ignore_ascii_case(b"charset") {
                        return Encoding::for_label(trim_ascii(value));
                    } else if attr.eq_ignore_ascii_case(b"http-equiv") {
                        http_equiv_content_type =
                            trim_ascii(value).eq_ignore_ascii_case(b"content-type");
                    } else if attr.eq_ignore_ascii_case(b"content") {
                        content = Some(value.to_vec());
                    }
                }
                CallbackEvent::CloseStartTag { .. } if in_meta && http_equiv_content_type => {
                    return content.as_deref().and_then(charset_from_content_type);
                }
                _ => {}
            }
            None
        },
    );
    emitter.naively_switch_states(true);
    let head = cap_attributes(head);
    Tokenizer::new_with_emitter(&*head, emitter)
        .flatten()
        .next()
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// The `charset` parameter of a Content-Type value (`text/html; charset="Shift_JIS"`).
#[must_use]
pub fn charset_from_content_type(value: &[u8]) -> Option<&'static Encoding> {
    let lower = value.to_ascii_lowercase();
    let at = lower.windows(7).position(|w| w == b"charset")?;
    let rest = lower[at + 7..].trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'\t'))
        .unwrap_or(rest.len());
    Encoding::for_label(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8], http: Option<&str>) -> (String, &'static str, Basis) {
        let (text, encoding, basis) = decode(bytes, http, None);
        (text.into_owned(), encoding.name(), basis)
    }

    #[test]
    fn a_byte_order_mark_wins_over_everything() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "<title>Été</title>".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, name, basis) = decoded(&bytes, Some("iso-8859-1"));
        assert_eq!(
            (text.as_str(), name, basis),
            ("<title>Été</title>", "UTF-16LE", Basis::ByteOrderMark)
        );
    }

    #[test]
    fn the_http_charset_wins_over_the_meta_tag() {
        let (_, name, basis) = decoded(b"<meta charset=utf-8><p>caf\xe9", Some("ISO-8859-1"));
        assert_eq!((name, basis), ("windows-1252", Basis::HttpHeader));
    }

    #[test]
    fn meta_charset_and_http_equiv_are_both_read() {
        let (text, name, _) = decoded(
            b"<meta charset=\"shift_jis\"><title>\x93\xfa\x96{\x8c\xea</title>",
            None,
        );
        assert_eq!(name, "Shift_JIS");
        assert!(text.contains("日本語"));
        let (_, name, basis) = decoded(
            b"<!-- <meta charset=utf-8> --><meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\">",
            None,
        );
        assert_eq!((name, basis), ("EUC-JP", Basis::MetaTag));
    }

    #[test]
    fn a_charset_declared_after_the_first_kilobyte_or_across_it_is_still_read() {
        for padding in [1000, 1010, 1020, 3000] {
            let mut page = format!("<head><!--{}-->", "x".repeat(padding)).into_bytes();
            page.extend_from_slice(b"<meta charset=\"iso-8859-15\"><title>\xa4</title>");
            let (text, name, basis) = decoded(&page, None);
            assert_eq!((name, basis), ("ISO-8859-15", Basis::MetaTag), "{padding}");
            assert!(text.contains('€'), "{padding}");
        }
    }

    #[test]
    fn a_legacy_meta_charset_on_a_page_saved_as_utf8_is_overruled() {
        let page = "<meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"><title>人工智能迈上新台阶</title>";
        let (text, name, basis) = decoded(page.as_bytes(), None);
        assert_eq!((name, basis), ("UTF-8", Basis::Detected));
        assert!(text.contains("人工智能"));
    }

    #[test]
    fn a_page_cannot_declare_utf16_in_its_own_markup() {
        let (_, name, _) = decoded(b"<meta charset=utf-16le><p>x", None);
        assert_eq!(name, "UTF-8");
    }

    #[test]
    fn undeclared_legacy_bytes_are_detected() {
        let page = "<p>Le café coûte 5 € à Noël, déjà été très apprécié par élèves</p>".repeat(4);
        let (bytes, _, _) = WINDOWS_1252.encode(&page);
        let (text, name, basis) = decoded(&bytes, None);
        assert_eq!((name, basis), ("windows-1252", Basis::Detected));
        assert!(text.contains("café coûte 5 €"));
    }

    #[test]
    fn invalid_utf8_in_a_utf8_page_becomes_replacement_characters() {
        let (text, name, _) = decoded(
            b"<meta charset=utf-8><p>ok \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 end \xE2\x82",
            None,
        );
        assert_eq!(name, "UTF-8");
        assert!(text.contains('\u{FFFD}'));
        assert!(text.contains(" end "));
    }

    #[test]
    fn an_unknown_label_falls_through_to_the_next_rule() {
        let (_, name, basis) = decoded(b"<meta charset=utf-8><p>x", Some("no-such-charset"));
        assert_eq!((name, basis), ("UTF-8", Basis::MetaTag));
    }
}
