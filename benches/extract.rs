//! Extraction speed on the pages the peers were measured on (saved in `benches/data/`), and on
//! generated hostile pages.
//!
//! `cargo bench --bench extract`

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use url::Url;

fn page(name: &str) -> Vec<u8> {
    let path = format!("{}/benches/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// 2 MiB of nested `<div>`s after a normal head: the input that took scraper's tree builder
/// 137 s at 500 KB.
fn deep_nesting() -> Vec<u8> {
    let mut html =
        String::from("<html><head><meta property=\"og:title\" content=\"Deep\"></head><body>");
    while html.len() < 2 * 1024 * 1024 {
        html.push_str("<div>");
    }
    html.into_bytes()
}

/// One tag with 2 MiB of quoted attributes (the tokenizer's worst case), and 2 MiB of `<meta>`.
fn attribute_flood() -> Vec<u8> {
    let mut html = String::from("<html><head><title>Flood</title></head><body><div");
    let mut i = 0;
    while html.len() < 2 * 1024 * 1024 {
        write!(html, " a{i}=\"{i}\"").expect("writing to a String");
        i += 1;
    }
    html.push('>');
    html.into_bytes()
}

fn many_meta_tags() -> Vec<u8> {
    let mut html = String::from("<html><head>");
    while html.len() < 2 * 1024 * 1024 {
        html.push_str("<meta property=\"og:title\" content=\"Title\">");
    }
    html.into_bytes()
}

fn extraction(c: &mut Criterion) {
    let url = Url::parse(
        "https://www.lequotidien-numerique.fr/2024/04/10/microsoft-investit-29-milliards-ia-japon/",
    )
    .unwrap();
    let mut group = c.benchmark_group("extract");
    for (id, bytes) in [
        ("wordpress-yoast", page("wordpress-yoast.html")),
        ("twitter-only", page("twitter-only.html")),
        ("large-portal", page("large-portal.html")),
        ("hostile-deep-nesting", deep_nesting()),
        ("hostile-attribute-flood", attribute_flood()),
        ("hostile-many-meta", many_meta_tags()),
    ] {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        if id.starts_with("hostile") {
            group.sample_size(20);
        }
        group.bench_function(id, |b| {
            b.iter(|| apercu::extract::extract(black_box(&bytes), None, &url));
        });
    }
    group.finish();
}

criterion_group!(benches, extraction);
criterion_main!(benches);
