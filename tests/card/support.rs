//! Fonts, photos and the golden comparison shared by the card tests.

use std::path::Path;
use std::sync::OnceLock;

use apercu::card::{CardText, FontBook, Logo, Photo, PhotoLimits, Renderer, Theme};
use image::{Rgb, RgbImage};

/// Lowest hybrid similarity (1 = identical) a card may have against its golden. Anti-aliasing
/// differences between machines stay far above it; a moved line or a missing glyph falls below.
pub const MIN_SIMILARITY: f64 = 0.985;

/// The bundled fonts and the repository's test fonts (`tests/fonts`: subsets of Noto CJK,
/// Looped Thai and Color Emoji), never the machine's, so every golden is drawn with the same
/// faces everywhere.
pub fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| {
        let book = FontBook::with_dirs(&[root().join("tests/fonts")]).expect("bundled fonts parse");
        Renderer::new(book)
    })
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The benchmark photo (1600×1067, a dusk skyline).
pub fn skyline() -> Photo {
    let bytes = std::fs::read(root().join("benches/data/lead.jpg")).expect("benches/data/lead.jpg");
    Photo::decode(&bytes, &PhotoLimits::default()).expect("the benchmark photo decodes")
}

/// A synthetic photo: a vertical gradient between two colours with a disc, deterministic.
pub fn synthetic(
    width: u32,
    height: u32,
    top: [u8; 3],
    bottom: [u8; 3],
    disc: Option<(u32, u32, u32, [u8; 3])>,
) -> Photo {
    let mut image = RgbImage::new(width, height);
    for (x, y, p) in image.enumerate_pixels_mut() {
        let t = f64::from(y) / f64::from(height.max(1));
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a mix of two bytes is a byte"
        )]
        let mix = |a: u8, b: u8| (f64::from(a) * (1.0 - t) + f64::from(b) * t).round() as u8;
        *p = Rgb([
            mix(top[0], bottom[0]),
            mix(top[1], bottom[1]),
            mix(top[2], bottom[2]),
        ]);
        if let Some((cx, cy, r, color)) = disc {
            let (dx, dy) = (i64::from(x) - i64::from(cx), i64::from(y) - i64::from(cy));
            if dx * dx + dy * dy <= i64::from(r) * i64::from(r) {
                *p = Rgb(color);
            }
        }
    }
    Photo::from(image)
}

/// A round logo with a transparent outside: a blue disc and a white ring.
pub fn round_logo() -> Logo {
    let image = image::RgbaImage::from_fn(96, 96, |x, y| {
        let d = ((f64::from(x) - 47.5).powi(2) + (f64::from(y) - 47.5).powi(2)).sqrt();
        if d < 30.0 {
            image::Rgba([0, 85, 164, 255])
        } else if d < 38.0 {
            image::Rgba([255, 255, 255, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    Logo { image }
}

/// Draws `text` over `photo` with `theme` and compares it with its golden.
pub fn check(case: &str, text: &CardText<'_>, photo: Option<&Photo>, theme: &Theme) {
    check_with_logo(case, text, photo, None, theme);
}

/// [`check`] with a logo before the site name.
pub fn check_with_logo(
    case: &str,
    text: &CardText<'_>,
    photo: Option<&Photo>,
    logo: Option<&Logo>,
    theme: &Theme,
) {
    let card = renderer().draw_photo(text, photo, logo, theme);
    assert_eq!(card.missing_glyphs, 0, "{case}: characters without a glyph");
    compare(case, &card.pixels);
}

pub fn compare(case: &str, actual: &RgbImage) {
    let golden_path = root().join("tests/golden").join(format!("{case}.png"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        actual.save(&golden_path).expect("writing the golden");
        return;
    }
    compare_with(case, &golden_path, actual, MIN_SIMILARITY);
}

/// Compares `actual` with the image at `golden_path`; below `min_similarity`, writes
/// `target/golden/{case}.actual.png` and a `.diff.png` heat map, and fails naming them.
pub fn compare_with(case: &str, golden_path: &Path, actual: &RgbImage, min_similarity: f64) {
    let golden = image::open(golden_path)
        .unwrap_or_else(|e| {
            panic!(
                "{case}: {} ({e}); UPDATE_GOLDEN=1 creates it",
                golden_path.display()
            )
        })
        .into_rgb8();
    let similarity = image_compare::rgb_hybrid_compare(&golden, actual).expect("same dimensions");
    eprintln!("{case}: hybrid similarity {:.4}", similarity.score);
    if similarity.score < min_similarity {
        let out = root().join("target/golden");
        std::fs::create_dir_all(&out).unwrap();
        actual.save(out.join(format!("{case}.actual.png"))).unwrap();
        similarity
            .image
            .to_color_map()
            .save(out.join(format!("{case}.diff.png")))
            .unwrap();
        panic!(
            "{case}: similarity {:.4} < {min_similarity}; actual and diff in {}",
            similarity.score,
            out.display()
        );
    }
}
