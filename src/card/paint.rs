//! Pixels from a [`CardLayout`]: the photo (already cut to its place) or a flat backdrop, the
//! scrim, the pill, the glyphs (outlines rasterised by `ab_glyph`, colour emoji from bitmap
//! strikes) and the logo. Glyph rasters are cached across cards.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use ab_glyph::{Font as _, GlyphId, PxScale, point, v2::GlyphImage};
use image::{RgbImage, RgbaImage, imageops};

use super::fonts::{FaceId, FontBook};
use super::layout::{Backdrop, CardLayout, Rect, TextBox};
use super::theme::Color;

/// Rasterised glyphs kept at most; past this the cache starts over (a card uses a few hundred).
const MAX_CACHED_GLYPHS: usize = 20_000;
/// Brightest background (sRGB value) white text keeps a 4.5:1 contrast ratio against.
const MAX_BACKGROUND_FOR_WHITE_TEXT: f32 = 118.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GlyphKey {
    face: FaceId,
    glyph: u32,
    /// Size in 1/8 px, and the sub-pixel offset in quarters of a pixel.
    size: u32,
    dx: u8,
    dy: u8,
}

/// A glyph's raster, placed relative to the integer pen position.
#[derive(Debug)]
struct Raster {
    left: i32,
    top: i32,
    width: u32,
    /// Coverage (outlines) or premultiplied RGBA (colour bitmaps).
    pixels: Pixels,
}

#[derive(Debug)]
enum Pixels {
    Coverage(Vec<u8>),
    Color(RgbaImage),
}

/// Glyph rasters shared by every card of a process.
#[derive(Debug, Default)]
pub struct GlyphCache {
    rasters: Mutex<HashMap<GlyphKey, Arc<Raster>>>,
}

impl GlyphCache {
    fn get(&self, fonts: &FontBook, key: GlyphKey) -> Option<Arc<Raster>> {
        if let Some(raster) = self
            .rasters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Some(Arc::clone(raster));
        }
        let raster = Arc::new(rasterize(fonts, key)?);
        let mut rasters = self.rasters.lock().unwrap_or_else(PoisonError::into_inner);
        if rasters.len() >= MAX_CACHED_GLYPHS {
            rasters.clear();
        }
        rasters.insert(key, Arc::clone(&raster));
        Some(raster)
    }
}

#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "glyph sizes and bounds are a few hundred pixels; coverage is clamped to 0..=255"
)]
fn rasterize(fonts: &FontBook, key: GlyphKey) -> Option<Raster> {
    let face = fonts.face(key.face)?;
    let size = key.size as f32 / 8.0;
    let id = GlyphId(u16::try_from(key.glyph).ok()?);
    if face.color_bitmaps {
        return color_glyph(
            &face.raster.glyph_raster_image2(id, size.round() as u16)?,
            size,
        );
    }
    let scale = PxScale::from(size * face.raster.height_unscaled() / face.units_per_em);
    let position = point(f32::from(key.dx) / 4.0, f32::from(key.dy) / 4.0);
    let outline = face
        .raster
        .outline_glyph(id.with_scale_and_position(scale, position))?;
    let bounds = outline.px_bounds();
    let (width, height) = (bounds.width() as u32, bounds.height() as u32);
    let mut coverage = vec![0u8; (width * height) as usize];
    outline.draw(|x, y, c| {
        if x < width && y < height {
            coverage[(y * width + x) as usize] = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    });
    Some(Raster {
        left: bounds.min.x as i32,
        top: bounds.min.y as i32,
        width,
        pixels: Pixels::Coverage(coverage),
    })
}

/// A colour bitmap glyph (CBDT, sbix) scaled from its strike to `size`.
#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a colour glyph's strike and its scaled size are a few hundred pixels"
)]
fn color_glyph(image: &GlyphImage<'_>, size: f32) -> Option<Raster> {
    let decoded = match image.format {
        ab_glyph::GlyphImageFormat::Png => {
            image::load_from_memory_with_format(image.data, image::ImageFormat::Png)
                .ok()?
                .into_rgba8()
        }
        _ => return None,
    };
    let scale = size / f32::from(image.pixels_per_em.max(1));
    let width = ((decoded.width() as f32 * scale).round() as u32).max(1);
    let height = ((decoded.height() as f32 * scale).round() as u32).max(1);
    let mut resized = imageops::resize(&decoded, width, height, imageops::FilterType::Triangle);
    premultiply(&mut resized);
    // The strike's origin is its bottom-left corner relative to the baseline, y up.
    let left = (image.origin.x * scale).round() as i32;
    let top = -((image.origin.y * scale).round() as i32) - height as i32;
    Some(Raster {
        left,
        top,
        width,
        pixels: Pixels::Color(resized),
    })
}

fn premultiply(image: &mut RgbaImage) {
    for p in image.pixels_mut() {
        let a = u16::from(p[3]);
        for c in 0..3 {
            p[c] = mul(p[c], a);
        }
    }
}

/// `value × alpha / 255`, rounded.
fn mul(value: u8, alpha: u16) -> u8 {
    let v = u16::from(value) * alpha + 128;
    // At most 255 × 255 + 128 shifted down: fits a byte.
    ((v + (v >> 8)) >> 8) as u8
}

/// Draws `layout` over `photo` (cut to [`CardLayout::photo_size`]) or over the backdrop colour.
#[must_use]
pub fn paint(
    layout: &CardLayout,
    photo: Option<&RgbImage>,
    logo: Option<&RgbaImage>,
    fonts: &FontBook,
    cache: &GlyphCache,
) -> RgbImage {
    let mut canvas = match (photo, &layout.backdrop) {
        (Some(photo), Backdrop::Photo { .. })
            if photo.dimensions() == (layout.width, layout.height) =>
        {
            photo.clone()
        }
        (_, Backdrop::Plain { color, .. } | Backdrop::Split { color, .. }) => {
            RgbImage::from_pixel(layout.width, layout.height, image::Rgb(color.rgb()))
        }
        _ => RgbImage::from_pixel(
            layout.width,
            layout.height,
            image::Rgb(layout.background.rgb()),
        ),
    };
    match &layout.backdrop {
        Backdrop::Photo {
            scrim,
            adaptive,
            text_top,
            text_bottom,
        } => {
            let mut alpha = gradient(scrim, layout.height);
            if *adaptive {
                adapt_to_photo(&canvas, &mut alpha, *text_top, *text_bottom, layout.margin);
            }
            darken_rows(&mut canvas, &alpha);
        }
        Backdrop::Plain { bar, bar_color, .. } => fill_rect(&mut canvas, *bar, *bar_color),
        Backdrop::Split { panel, .. } => {
            if let Some(photo) = photo.filter(|p| Some(p.dimensions()) == layout.photo_size()) {
                // Whole pixels within the card by construction (see `layout`).
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "the panel lies within the card"
                )]
                let (x, y) = (panel.x as i64, panel.y as i64);
                image::imageops::replace(&mut canvas, photo, x, y);
            }
        }
    }
    if let Some(pill) = &layout.pill {
        fill_rounded_rect(&mut canvas, pill.rect, pill.radius, pill.color);
        draw_text(&mut canvas, &pill.text, fonts, cache);
    }
    draw_text(&mut canvas, &layout.title, fonts, cache);
    if let Some(footer) = &layout.footer {
        draw_text(&mut canvas, footer, fonts, cache);
    }
    if let (Some(rect), Some(logo)) = (layout.logo, logo) {
        draw_logo(&mut canvas, rect, logo);
    }
    canvas
}

/// Scrim opacity per row, linear between the stops.
#[expect(
    clippy::cast_precision_loss,
    reason = "rows of the card, far below 2^24"
)]
fn gradient(stops: &[(f32, f32)], height: u32) -> Vec<f32> {
    (0..height)
        .map(|y| {
            let t = (y as f32 + 0.5) / height as f32;
            match stops.iter().position(|(p, _)| *p >= t) {
                None => stops.last().map_or(0.0, |s| s.1),
                Some(0) => stops[0].1,
                Some(i) => {
                    let ((p0, a0), (p1, a1)) = (stops[i - 1], stops[i]);
                    if p1 - p0 <= f32::EPSILON {
                        a1
                    } else {
                        a0 + (a1 - a0) * (t - p0) / (p1 - p0)
                    }
                }
            }
        })
        .collect()
}

/// Raises the scrim where the photo behind the text is too bright for white text (WCAG AA):
/// per row, the 95th-percentile brightness across the text column must fall to
/// [`MAX_BACKGROUND_FOR_WHITE_TEXT`]. The extra darkness never decreases going down the text,
/// and fades in over the 96 rows above it, so no edge shows.
#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "pixel positions and brightness percentiles of a 1200×630 card"
)]
fn adapt_to_photo(
    canvas: &RgbImage,
    alpha: &mut [f32],
    text_top: f32,
    text_bottom: f32,
    margin: f32,
) {
    let (width, height) = canvas.dimensions();
    let top = text_top.max(0.0) as u32;
    let bottom = (text_bottom.max(0.0) as u32).min(height);
    let (x0, x1) = (margin as u32, width.saturating_sub(margin as u32));
    let mut needed_so_far: f32 = 0.0;
    for y in top..bottom {
        let mut histogram = [0u32; 256];
        for x in x0..x1 {
            let p = canvas.get_pixel(x, y);
            histogram[luma(p[0], p[1], p[2]) as usize] += 1;
        }
        let mut count = 0;
        let threshold = (x1 - x0) * 95 / 100;
        let p95 = histogram
            .iter()
            .position(|n| {
                count += n;
                count >= threshold
            })
            .unwrap_or(255) as f32;
        let needed = if p95 > MAX_BACKGROUND_FOR_WHITE_TEXT {
            1.0 - MAX_BACKGROUND_FOR_WHITE_TEXT / p95
        } else {
            0.0
        };
        needed_so_far = needed_so_far.max(needed);
        alpha[y as usize] = alpha[y as usize].max(needed_so_far);
    }
    let start = alpha.get(top as usize).copied().unwrap_or(0.0);
    for i in 1..=96u32 {
        let Some(y) = top.checked_sub(i) else { break };
        let faded = start * (1.0 - i as f32 / 96.0);
        alpha[y as usize] = alpha[y as usize].max(faded);
    }
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = (u32::from(r) * 54 + u32::from(g) * 183 + u32::from(b) * 19) >> 8;
    u8::try_from(y).unwrap_or(255)
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a clamped opacity times 256 fits u16; a byte times at most 256, shifted by 8, is a byte"
)]
fn darken_rows(canvas: &mut RgbImage, alpha: &[f32]) {
    let width = canvas.width() as usize;
    for (row, a) in canvas.as_mut().chunks_exact_mut(width * 3).zip(alpha) {
        let keep = ((1.0 - a.clamp(0.0, 1.0)) * 256.0).round() as u16;
        for v in row {
            *v = ((u16::from(*v) * keep) >> 8) as u8;
        }
    }
}

/// Blends `color` (with its own alpha times `coverage`) into the pixel at `(x, y)`.
fn blend(canvas: &mut RgbImage, x: i64, y: i64, color: Color, coverage: u8) {
    let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
        return;
    };
    if x >= canvas.width() || y >= canvas.height() || coverage == 0 {
        return;
    }
    let a = u16::from(mul(coverage, u16::from(color.a)));
    let p = canvas.get_pixel_mut(x, y);
    for (c, src) in p.0.iter_mut().zip(color.rgb()) {
        *c = mul(*c, 255 - a).saturating_add(mul(src, a));
    }
}

#[expect(clippy::cast_possible_truncation, reason = "rectangles of the card")]
fn fill_rect(canvas: &mut RgbImage, rect: Rect, color: Color) {
    for y in rect.y.round() as i64..(rect.y + rect.height).round() as i64 {
        for x in rect.x.round() as i64..(rect.x + rect.width).round() as i64 {
            blend(canvas, x, y, color, 255);
        }
    }
}

/// An anti-aliased rounded rectangle: coverage from the signed distance at each pixel centre.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "rectangles of the card; coverage clamped to 0..=1 times 255 is a byte"
)]
fn fill_rounded_rect(canvas: &mut RgbImage, rect: Rect, radius: f32, color: Color) {
    let r = radius.min(rect.width / 2.0).min(rect.height / 2.0);
    for y in rect.y.floor() as i64..(rect.y + rect.height).ceil() as i64 {
        for x in rect.x.floor() as i64..(rect.x + rect.width).ceil() as i64 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let dx = (rect.x + r - px)
                .max(px - (rect.x + rect.width - r))
                .max(0.0);
            let dy = (rect.y + r - py)
                .max(py - (rect.y + rect.height - r))
                .max(0.0);
            let outside = if dx > 0.0 && dy > 0.0 {
                (dx * dx + dy * dy).sqrt() - r
            } else {
                (rect.x - px)
                    .max(px - rect.x - rect.width)
                    .max(rect.y - py)
                    .max(py - rect.y - rect.height)
            };
            let coverage = (0.5 - outside).clamp(0.0, 1.0);
            blend(canvas, x, y, color, (coverage * 255.0).round() as u8);
        }
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "text sizes and glyph positions within the card"
)]
fn draw_text(canvas: &mut RgbImage, text: &TextBox, fonts: &FontBook, cache: &GlyphCache) {
    let size = (text.block.size * 8.0).round() as u32;
    for (i, line) in text.block.lines.iter().enumerate() {
        // Baselines snap to whole pixels as browsers do: crisper horizontals, same layout.
        let (x0, baseline) = (text.line_x(i), text.baselines[i]);
        for g in &line.glyphs {
            let (x, y) = (x0 + g.x, baseline + g.y);
            let (ix, iy) = (x.floor(), y.floor());
            let key = GlyphKey {
                face: g.face,
                glyph: g.glyph,
                size,
                dx: ((x - ix) * 4.0) as u8,
                dy: ((y - iy) * 4.0) as u8,
            };
            let Some(raster) = cache.get(fonts, key) else {
                continue;
            };
            let (left, top) = (
                ix as i64 + i64::from(raster.left),
                iy as i64 + i64::from(raster.top),
            );
            match &raster.pixels {
                Pixels::Coverage(coverage) => {
                    for (j, c) in coverage.iter().enumerate() {
                        let (cx, cy) = (j as u32 % raster.width, j as u32 / raster.width);
                        blend(
                            canvas,
                            left + i64::from(cx),
                            top + i64::from(cy),
                            text.color,
                            *c,
                        );
                    }
                }
                Pixels::Color(image) => composite(canvas, image, left, top),
            }
        }
    }
}

/// Premultiplied RGBA over the canvas.
fn composite(canvas: &mut RgbImage, image: &RgbaImage, left: i64, top: i64) {
    for (x, y, p) in image.enumerate_pixels() {
        let (Ok(cx), Ok(cy)) = (
            u32::try_from(left + i64::from(x)),
            u32::try_from(top + i64::from(y)),
        ) else {
            continue;
        };
        if cx >= canvas.width() || cy >= canvas.height() || p[3] == 0 {
            continue;
        }
        let keep = 255 - u16::from(p[3]);
        let d = canvas.get_pixel_mut(cx, cy);
        for c in 0..3 {
            d[c] = mul(d[c], keep).saturating_add(p[c]);
        }
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the logo's box lies within the card"
)]
fn draw_logo(canvas: &mut RgbImage, rect: Rect, logo: &RgbaImage) {
    let (w, h) = (
        rect.width.round().max(1.0) as u32,
        rect.height.round().max(1.0) as u32,
    );
    let mut scaled = imageops::resize(logo, w, h, imageops::FilterType::CatmullRom);
    premultiply(&mut scaled);
    composite(
        canvas,
        &scaled,
        rect.x.round() as i64,
        rect.y.round() as i64,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scrim_follows_the_css_gradient() {
        let a = gradient(&[(0.0, 0.10), (0.45, 0.45), (1.0, 0.88)], 630);
        assert!((a[0] - 0.1).abs() < 0.01);
        assert!((a[283] - 0.45).abs() < 0.01);
        assert!((a[629] - 0.88).abs() < 0.01);
    }

    #[test]
    fn a_bright_photo_gets_a_darker_scrim_behind_the_text() {
        let white = RgbImage::from_pixel(1200, 630, image::Rgb([250, 250, 250]));
        let mut alpha = gradient(&[(0.0, 0.1), (1.0, 0.5)], 630);
        adapt_to_photo(&white, &mut alpha, 300.0, 600.0, 64.0);
        for (y, a) in alpha.iter().enumerate().take(600).skip(300) {
            let background = 250.0 * (1.0 - a);
            assert!(
                background <= MAX_BACKGROUND_FOR_WHITE_TEXT + 1.0,
                "row {y}: {background}"
            );
        }
        assert!(
            alpha[100] < 0.2,
            "far above the text the photo stays bright"
        );
    }

    #[test]
    fn a_rounded_rectangle_is_full_inside_and_soft_on_its_corners() {
        let mut canvas = RgbImage::new(100, 60);
        fill_rounded_rect(
            &mut canvas,
            Rect {
                x: 10.0,
                y: 10.0,
                width: 80.0,
                height: 40.0,
            },
            20.0,
            Color::WHITE,
        );
        assert_eq!(canvas.get_pixel(50, 30).0, [255, 255, 255]);
        assert_eq!(canvas.get_pixel(10, 10).0, [0, 0, 0]);
        assert_eq!(canvas.get_pixel(5, 30).0, [0, 0, 0]);
    }
}
