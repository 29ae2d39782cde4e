//! What checking a signature adds to a request (`APERCU_SIGNATURES=required`): `signing::check`
//! on a card URL, beside `ArticleUrl::parse` of the same URL, a step every request already
//! pays, measured in the same run for scale.
//!
//! `cargo bench --bench signing`

use std::hint::black_box;

use apercu::article_url::ArticleUrl;
use apercu::signing::{self, Keys};
use criterion::{Criterion, criterion_group, criterion_main};

const ARTICLE: &str =
    "https://www.lequotidien-numerique.fr/chiffres/microsoft-investit-29-milliards-ia-japon/";

fn bench(c: &mut Criterion) {
    let keys = Keys::parse(
        "2026b:f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f,\
         2026a:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    )
    .unwrap();
    let signature =
        signing::signature_parameters(&keys, "card.jpg", ARTICLE, &[("v", "0025725e5f2e")], None);
    let mut query: Vec<(&str, &str)> = vec![("url", ARTICLE), ("v", "0025725e5f2e")];
    query.extend(
        signature
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
    );
    let mut group = c.benchmark_group("signature");
    group.bench_function("check a signed card URL", |b| {
        b.iter(|| {
            signing::check(
                &keys,
                black_box("card.jpg"),
                &[black_box(ARTICLE)],
                black_box(&query),
                black_box(1_800_000_000),
            )
        });
    });
    group.bench_function("peer: parse the article URL", |b| {
        b.iter(|| ArticleUrl::parse(black_box(ARTICLE), &[]));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
