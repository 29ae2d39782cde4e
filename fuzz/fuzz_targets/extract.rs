//! Any bytes as a page: extraction completes, and what it gives serialises and reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|page: &[u8]| {
    let url = url::Url::parse("https://news.example/section/article").unwrap();
    let article = apercu::extract::extract(page, None, &url);
    let json = serde_json::to_vec(&article).unwrap();
    assert!(apercu::extract::Article::from_json(&json).is_some());
});
