//! The benchmark card (the example article on a 1200×630 card; inputs in `benches/data/`),
//! timed as the peers were: from the photo's JPEG bytes (decoded on every card) and the text, to
//! the encoded image in memory; fonts loaded once, as a server does at start-up.
//!
//! `cargo bench --bench card`

use std::hint::black_box;

use apercu::card::{
    CardText, FontBook, Format, Photo, PhotoLimits, Renderer, Theme, encode, photo,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/data")
        .join(name)
}

fn card(c: &mut Criterion) {
    let jpeg = std::fs::read(data("lead.jpg")).unwrap();
    let theme =
        Theme::from_toml(&std::fs::read_to_string(data("card-theme.toml")).unwrap()).unwrap();
    let renderer = Renderer::new(FontBook::bundled().unwrap());
    let text = CardText {
        title: "Microsoft investit 2,9 milliards de dollars dans l\u{2019}IA au Japon",
        category: Some("CHIFFRES"),
        site_name: Some("Le Quotidien Numérique"),
        lang: Some("fr"),
    };
    let one_card = |format: Format| {
        let lead = Photo::decode(black_box(&jpeg), &PhotoLimits::default()).unwrap();
        let covered = photo::cover(&lead, 1200, 630, theme.photo_focus_y);
        let drawn = renderer.draw(&text, Some(&covered), None, &theme);
        encode::encode(&drawn.pixels, format).unwrap()
    };
    eprintln!(
        "card sizes: JPEG {} bytes, PNG {} bytes, WebP {} bytes",
        one_card(Format::Jpeg).len(),
        one_card(Format::Png).len(),
        one_card(Format::Webp).len()
    );
    let mut group = c.benchmark_group("card");
    group.sample_size(40);
    group.bench_function("jpeg", |b| b.iter(|| one_card(Format::Jpeg)));
    group.bench_function("png", |b| b.iter(|| one_card(Format::Png)));
    group.bench_function("webp", |b| b.iter(|| one_card(Format::Webp)));
    group.finish();

    // The stages, for choosing where to spend effort.
    let lead = Photo::decode(&jpeg, &PhotoLimits::default()).unwrap();
    let covered = photo::cover(&lead, 1200, 630, theme.photo_focus_y);
    let drawn = renderer.draw(&text, Some(&covered), None, &theme);
    let mut stages = c.benchmark_group("card-stage");
    stages.sample_size(40);
    stages.bench_function("decode", |b| {
        b.iter(|| Photo::decode(black_box(&jpeg), &PhotoLimits::default()).unwrap());
    });
    stages.bench_function("cover", |b| {
        b.iter(|| photo::cover(black_box(&lead), 1200, 630, 0.5));
    });
    stages.bench_function("draw", |b| {
        b.iter(|| renderer.draw(&text, Some(black_box(&covered)), None, &theme));
    });
    stages.bench_function("encode-jpeg", |b| {
        b.iter(|| encode::encode(black_box(&drawn.pixels), Format::Jpeg).unwrap());
    });
    stages.bench_function("encode-png", |b| {
        b.iter(|| encode::encode(black_box(&drawn.pixels), Format::Png).unwrap());
    });
    // A 4800×3200 news photo: decoded whole, or at the IDCT's reduced scale.
    let large = image::imageops::resize(
        &lead.image,
        4800,
        3200,
        image::imageops::FilterType::Triangle,
    );
    let mut large_jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut large_jpeg, 85)
        .encode(large.as_raw(), 4800, 3200, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    stages.bench_function("decode-4800px-whole", |b| {
        b.iter(|| Photo::decode(black_box(&large_jpeg), &PhotoLimits::default()).unwrap());
    });
    stages.bench_function("decode-4800px-scaled", |b| {
        b.iter(|| {
            Photo::decode_for(black_box(&large_jpeg), &PhotoLimits::default(), 1200, 630).unwrap()
        });
    });
    stages.finish();
}

criterion_group!(benches, card);
criterion_main!(benches);
