//! Any bytes as a feed or sitemap (warm-up): a listing of web URLs or a clear error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let base = url::Url::parse("https://news.example/feed.xml").unwrap();
    let _ = apercu::feeds::read(bytes, &base);
});
