//! Any `maxwidth`, `maxheight` and `format` values: a clear error or an embed within the bounds.
#![no_main]

use apercu::oembed::{OembedFormat, embed_size, parse_bound};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    let mut parts = raw.splitn(3, '&');
    let (width, height, format) = (parts.next(), parts.next(), parts.next());
    let _ = OembedFormat::from_name(format.unwrap_or(""));
    let width = width.map(|w| parse_bound("maxwidth", w)).transpose();
    let height = height.map(|h| parse_bound("maxheight", h)).transpose();
    let (Ok(w), Ok(h)) = (width, height) else {
        return;
    };
    if let Ok((embed_w, embed_h)) = embed_size(w, h) {
        assert!(w.is_none_or(|w| embed_w <= w) && h.is_none_or(|h| embed_h <= h));
    }
});
