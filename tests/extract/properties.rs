//! Properties that hold for any input: no panic, no control or bidi-override character in any
//! output string, every output URL absolute http(s).

use apercu::extract::{extract, has_forbidden_char};
use proptest::prelude::*;
use serde_json::Value;
use url::Url;

/// Pieces of real and broken markup, so that random pages exercise every extractor.
const PIECES: &[&str] = &[
    "<html lang=\"fr\">",
    "<head>",
    "</head>",
    "<body>",
    "<title>",
    "</title>",
    "<h1>",
    "</h1>",
    "<p>",
    "</p>",
    "<div class=\"breadcrumb\">",
    "</div>",
    "<article>",
    "<nav>",
    "<a href=\"/x\">",
    "<a href=\"javascript:alert(1)\">",
    "</a>",
    "<img src=\"/i.jpg\" width=\"800\">",
    "<img data-src=\"//cdn.example/a.jpg\" srcset=\"a.jpg 1x, b.jpg 2x\">",
    "<meta property=\"og:title\" content=\"",
    "<meta property=\"og:image\" content=\"",
    "<meta name=\"author\" content=\"",
    "\">",
    "<script type=\"application/ld+json\">",
    "</script>",
    "{\"@type\":\"NewsArticle\",\"headline\":\"",
    "\",\"author\":{\"name\":\"",
    "\"}}",
    "<noscript>",
    "</noscript>",
    "<svg>",
    "</svg>",
    "<time datetime=\"2024-01-01\">",
    "&amp;",
    "&#x202E;",
    "&#0;",
    "&#x1b;",
    "\u{2028}",
    "\u{202e}",
    "\u{0}",
    "\u{7}",
    "é",
    "日本",
    "مرحبا",
    " ",
    "\n",
    "<base href=\"data:x\">",
    "<link rel=\"canonical\" href=\"",
    "<link rel=icon href=\"ftp://x/y\">",
    "<",
    "<!--",
    "-->",
    "<![CDATA[",
    "itemscope itemtype=\"https://schema.org/NewsArticle\"",
    "<span itemprop=\"headline\">",
];

fn page_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(PIECES).prop_map(str::to_owned),
                "[a-zA-Z0-9 ]{0,12}"
            ],
            0..120
        )
        .prop_map(|parts| parts.concat().into_bytes()),
    ]
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_page_extracts_to_clean_strings_and_web_urls(page in page_strategy(), charset in prop::option::of("(utf-8|shift_jis|utf-16le|x-junk|windows-1252)")) {
        let article = extract(&page, charset.as_deref(), &Url::parse("https://prop.example/dir/page").unwrap());
        let mut all = Vec::new();
        strings(&serde_json::to_value(&article).unwrap(), &mut all);
        for s in &all {
            prop_assert!(!has_forbidden_char(s), "forbidden character in {s:?}");
        }
        let urls = [Some(&article.url), article.canonical_url.as_ref(), article.lead_image.as_ref().map(|i| &i.url), article.logo.as_ref(), article.favicon.as_ref()];
        for url in urls.into_iter().flatten() {
            prop_assert!(matches!(url.scheme(), "http" | "https") && url.host().is_some(), "not a web URL: {url}");
        }
    }
}
