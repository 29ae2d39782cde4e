//! Any text as the `url` parameter: parsing never panics, and an accepted URL parses again to
//! itself (one cache key).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    if let Ok(url) = apercu::article_url::ArticleUrl::parse(raw, &[]) {
        let again = apercu::article_url::ArticleUrl::parse(url.as_str(), &[]).unwrap();
        assert_eq!(again.as_str(), url.as_str());
    }
});
