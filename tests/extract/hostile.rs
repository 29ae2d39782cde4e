//! Hostile pages (docs/security.md §3.6): each completes and gives a (possibly empty) article.
//! Time bounds are measured by `benches/extract.rs`, not asserted here.

use std::fmt::Write;

use apercu::extract::{Article, extract};
use url::Url;

const TWO_MIB: usize = 2 * 1024 * 1024;

fn run(page: &[u8]) -> Article {
    extract(
        page,
        None,
        &Url::parse("https://hostile.example/a/b").unwrap(),
    )
}

#[test]
fn deep_nesting_of_two_mebibytes_completes_and_keeps_the_head() {
    let mut page =
        String::from("<html><head><meta property=\"og:title\" content=\"Deep\"></head><body>");
    while page.len() < TWO_MIB {
        page.push_str("<div>");
    }
    let article = run(page.as_bytes());
    assert_eq!(article.title.as_deref(), Some("Deep"));
}

#[test]
fn interleaved_misnested_formatting_tags_complete() {
    // html5ever#290: <a>×n <i>×n </a>×n overflowed the stack of recursive tree walkers.
    let n = 40_000;
    let page = format!(
        "<title>Adoption</title>{}{}{}",
        "<a>".repeat(n),
        "<i>".repeat(n),
        "</a>".repeat(n)
    );
    assert_eq!(run(page.as_bytes()).title.as_deref(), Some("Adoption"));
}

#[test]
fn a_hundred_thousand_meta_tags_complete_and_the_first_wins() {
    let mut page = String::from("<head>");
    for i in 0..100_000 {
        write!(page, "<meta property=\"og:title\" content=\"Title {i}\">").unwrap();
    }
    assert_eq!(run(page.as_bytes()).title.as_deref(), Some("Title 0"));
}

#[test]
fn one_tag_with_a_hundred_thousand_attributes_completes() {
    let mut page = String::from("<meta property=\"og:title\" content=\"Attrs\"><div ");
    for i in 0..100_000 {
        write!(page, "data-x{i}=\"{i}\" ").unwrap();
    }
    page.push_str("><p>After the flood of attributes comes a real paragraph of text.</p>");
    let article = run(page.as_bytes());
    assert_eq!(article.title.as_deref(), Some("Attrs"));
    assert_eq!(
        article.description.as_deref(),
        Some("After the flood of attributes comes a real paragraph of text.")
    );
}

#[test]
fn a_two_mebibyte_attribute_and_a_long_title_are_capped() {
    let huge = "x".repeat(TWO_MIB);
    let long = "y".repeat(TWO_MIB / 2);
    let page = format!(
        "<title>{long}</title><meta name=\"description\" content=\"{huge}\"><img src=\"/{long}\">"
    );
    let article = run(page.as_bytes());
    assert!(
        article
            .title
            .as_ref()
            .is_some_and(|t| t.chars().count() <= 300)
    );
    assert!(
        article
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() <= 1000)
    );
}

#[test]
fn unclosed_paragraphs_by_the_hundred_thousand_complete() {
    let page = format!("<h1>Flat</h1>{}", "<p>word ".repeat(100_000));
    assert_eq!(run(page.as_bytes()).title.as_deref(), Some("Flat"));
}

#[test]
fn binary_junk_gives_an_empty_article() {
    // A deterministic byte soup (xorshift), NULs and all.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let junk: Vec<u8> = (0..TWO_MIB)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let article = run(&junk);
    assert!(article.lead_image.is_none());
    assert!(article.canonical_url.is_none());
}

#[test]
fn empty_and_markup_free_input_give_an_article_with_only_its_url() {
    for page in [
        &b""[..],
        b"   ",
        b"just some text",
        b"<",
        b"<!--",
        b"<script>",
        b"\xff\xfe",
    ] {
        let article = run(page);
        assert_eq!(article.url.as_str(), "https://hostile.example/a/b");
        assert_eq!(article.title, None, "{page:?}");
    }
}

#[test]
fn deeply_nested_json_ld_completes() {
    let page = format!(
        "<script type=\"application/ld+json\">{}{}</script><title>Json</title>",
        "{\"a\":[".repeat(100_000),
        "]}".repeat(100_000)
    );
    assert_eq!(run(page.as_bytes()).title.as_deref(), Some("Json"));
}

#[test]
fn input_past_the_page_bound_is_ignored_not_read() {
    let mut page = vec![b' '; apercu::extract::MAX_PAGE_BYTES];
    page.extend_from_slice(b"<meta property=\"og:title\" content=\"Too late\">");
    assert_eq!(run(&page).title, None);
}

#[test]
fn quoted_attribute_floods_never_overflow_the_stack_whatever_surrounds_them() {
    // html5gum recurses once per double-quoted value in a tag; these must all be capped first.
    let mut flood = String::new();
    for i in 0..50_000 {
        write!(flood, " a{i}=\"{i}\"").unwrap();
    }
    for (before, after) in [
        ("<div", ">"),
        ("<noscript><div", "></div></noscript>"),
        ("<script>var s = '<a x=\"';</script><div", ">"),
        ("<!--> <div", ">"),
        ("<title>\"</title><p", ">"),
    ] {
        let page = format!("<meta property=\"og:title\" content=\"Flood\">{before}{flood}{after}");
        assert_eq!(
            run(page.as_bytes()).title.as_deref(),
            Some("Flood"),
            "{before}"
        );
    }
}
