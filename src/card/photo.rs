//! The lead photo: decoded under explicit limits (a 30000×30000 header is refused before any
//! pixel is allocated), first frame only, EXIF orientation applied, then cover-cropped and
//! resized to the card with `fast_image_resize`.

use std::io::Cursor;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};

use crate::extract::{is_blurhash, is_hex_colour};

pub use super::theme::Crop;

/// Bounds on what a photo may cost to decode (the README's "Configuration" `APERCU_MAX_IMAGE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoLimits {
    /// Width × height decoded at most.
    pub max_pixels: u64,
    /// Longest side decoded at most.
    pub max_side: u32,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_pixels: 40_000_000,
            max_side: 20_000,
        }
    }
}

/// Why a photo was not used. The card is then drawn without it.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("not a supported image: {0}")]
    Format(String),
    #[error("{width}×{height} pixels is over the limit")]
    TooLarge { width: u32, height: u32 },
    #[error("cannot decode the image: {0}")]
    Decode(String),
    #[error("{width}×{height} pixels is too small to show")]
    TooSmall { width: u32, height: u32 },
}

/// A decoded photo, upright.
#[derive(Debug, Clone)]
pub struct Photo {
    pub image: RgbImage,
    /// Made on first use, kept with the photo (which the service caches).
    placeholder: std::sync::OnceLock<Placeholder>,
}

impl From<RgbImage> for Photo {
    fn from(image: RgbImage) -> Self {
        Photo {
            image,
            placeholder: std::sync::OnceLock::new(),
        }
    }
}

/// A decoded logo, upright, with its transparency.
#[derive(Debug, Clone)]
pub struct Logo {
    pub image: RgbaImage,
}

impl Photo {
    /// Decodes `bytes` (JPEG, PNG, WebP, GIF: the first frame) within `limits`.
    ///
    /// # Errors
    /// [`PhotoError`] when the bytes are not an image, the image is over the limits, or it does
    /// not decode.
    pub fn decode(bytes: &[u8], limits: &PhotoLimits) -> Result<Self, PhotoError> {
        decode_upright(bytes, limits).map(|image| Self::from(image.into_rgb8()))
    }

    /// Decodes a photo that will cover a `width`×`height` card. A JPEG at least twice as large
    /// as needed is decoded at 1/2, 1/4 or 1/8 scale by its inverse DCT (never below the card),
    /// much cheaper than decoding every pixel of a 5000 px photo and shrinking it.
    ///
    /// # Errors
    /// As [`Photo::decode`].
    pub fn decode_for(
        bytes: &[u8],
        limits: &PhotoLimits,
        width: u32,
        height: u32,
    ) -> Result<Self, PhotoError> {
        if bytes.starts_with(&[0xFF, 0xD8])
            && let Some(photo) = decode_jpeg_scaled(bytes, limits, width, height)?
        {
            return Ok(photo);
        }
        Self::decode(bytes, limits)
    }

    #[must_use]
    pub fn width(&self) -> u32 {
        self.image.width()
    }

    #[must_use]
    pub fn height(&self) -> u32 {
        self.image.height()
    }

    /// What a page shows where the photo will be, before it arrives: its dominant colour and
    /// a `BlurHash` (4×3 components), both from a 32 px thumbnail.
    #[must_use]
    pub fn placeholder(&self) -> &Placeholder {
        self.placeholder.get_or_init(|| self.make_placeholder())
    }

    fn make_placeholder(&self) -> Placeholder {
        let (width, height) = (self.width().max(1), self.height().max(1));
        let (small_w, small_h) = if width >= height {
            (32, (32 * height / width).max(1))
        } else {
            ((32 * width / height).max(1), 32)
        };
        let small = image::imageops::thumbnail(&self.image, small_w, small_h);
        // The most common colour, to 4 bits a channel, then the mean of the pixels in it: the
        // colour a reader sees most of, not a muddy average of sky and street.
        let mut buckets = std::collections::HashMap::<[u8; 3], (u32, [u32; 3])>::new();
        for pixel in small.pixels() {
            let [r, g, b] = pixel.0;
            let bucket = buckets.entry([r >> 4, g >> 4, b >> 4]).or_default();
            bucket.0 += 1;
            for (sum, value) in bucket.1.iter_mut().zip(pixel.0) {
                *sum += u32::from(value);
            }
        }
        let (count, sums) = buckets
            .into_values()
            .max_by_key(|(count, sums)| (*count, sums[0], sums[1], sums[2]))
            .unwrap_or((1, [0; 3]));
        // The mean of bytes is a byte.
        let [r, g, b] = sums.map(|sum| u8::try_from(sum / count.max(1)).unwrap_or(u8::MAX));
        let rgba: Vec<u8> = small
            .pixels()
            .flat_map(|pixel| [pixel.0[0], pixel.0[1], pixel.0[2], 255])
            .collect();
        Placeholder {
            color: format!("#{r:02x}{g:02x}{b:02x}"),
            blurhash: blurhash::encode(4, 3, small_w, small_h, &rgba).unwrap_or_default(),
        }
    }
}

/// A photo's stand-in while it loads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    /// Its dominant colour, `#rrggbb`.
    pub color: String,
    /// Its `BlurHash` (<https://blurha.sh>).
    pub blurhash: String,
}

impl Placeholder {
    /// Whether it is what [`Photo::placeholder`] makes: a `#rrggbb` colour and a `BlurHash` of
    /// base 83 characters (for values that come from outside the process).
    #[must_use]
    pub fn is_valid(&self) -> bool {
        is_hex_colour(&self.color) && is_blurhash(&self.blurhash)
    }
}

impl Logo {
    /// Decodes a logo like [`Photo::decode`], keeping its alpha channel.
    ///
    /// # Errors
    /// As [`Photo::decode`].
    pub fn decode(bytes: &[u8], limits: &PhotoLimits) -> Result<Self, PhotoError> {
        decode_upright(bytes, limits).map(|image| Self {
            image: image.into_rgba8(),
        })
    }
}

/// Site icons smaller than this are favicons meant for a browser tab, a blur at the footer's
/// size; larger ones are kept at most this tall (the footer draws them at 36 px, twice that on
/// the debugger's high-density screens).
const ICON_MIN_SIDE: u32 = 32;
const ICON_KEPT_SIDE: u32 = 128;
/// The most a site icon file may hold: a 1024×1024 PNG is a few hundred kilobytes.
pub const ICON_MAX_PIXELS: u64 = 1024 * 1024 * 4;

impl Logo {
    /// A site's own icon (`apple-touch-icon`, `icon`, publisher logo) as the card's logo: at
    /// least [`ICON_MIN_SIDE`] on its shorter side, at most [`ICON_MAX_PIXELS`], scaled down to
    /// [`ICON_KEPT_SIDE`] tall; a square icon gets rounded corners, as phones show them.
    ///
    /// # Errors
    /// As [`Photo::decode`], and [`PhotoError::TooSmall`].
    pub fn site_icon(bytes: &[u8], limits: &PhotoLimits) -> Result<Self, PhotoError> {
        let limits = PhotoLimits {
            max_pixels: limits.max_pixels.min(ICON_MAX_PIXELS),
            ..*limits
        };
        let image = decode_upright(bytes, &limits)?.into_rgba8();
        let (width, height) = image.dimensions();
        if width.min(height) < ICON_MIN_SIDE {
            return Err(PhotoError::TooSmall { width, height });
        }
        let mut image = if height > ICON_KEPT_SIDE {
            let kept_width = (u64::from(width) * u64::from(ICON_KEPT_SIDE) / u64::from(height))
                .clamp(1, u64::from(ICON_KEPT_SIDE) * 8);
            // At most eight times the kept side: fits.
            #[expect(
                clippy::cast_possible_truncation,
                reason = "at most eight times the kept side"
            )]
            let kept_width = kept_width as u32;
            image::imageops::resize(
                &image,
                kept_width,
                ICON_KEPT_SIDE,
                image::imageops::FilterType::CatmullRom,
            )
        } else {
            image
        };
        if image.width().abs_diff(image.height()) * 10 <= image.height() {
            round_corners(&mut image, 0.2);
        }
        Ok(Self { image })
    }
}

impl Logo {
    /// The logo as a `data:` URL of a PNG `height` pixels tall (for an HTML page to show it
    /// without another request), with its width at that height.
    #[must_use]
    pub fn data_url(&self, height: u32) -> (String, u32) {
        use base64::Engine as _;
        let (w, h) = self.image.dimensions();
        let width = u32::try_from(u64::from(w) * u64::from(height) / u64::from(h.max(1)))
            .unwrap_or(height)
            .clamp(1, height * 8);
        let scaled = image::imageops::resize(
            &self.image,
            width,
            height,
            image::imageops::FilterType::CatmullRom,
        );
        let mut png = Cursor::new(Vec::new());
        // Encoding a small in-memory RGBA image to PNG cannot fail.
        let _ = scaled.write_to(&mut png, image::ImageFormat::Png);
        let encoded = base64::engine::general_purpose::STANDARD.encode(png.into_inner());
        (format!("data:image/png;base64,{encoded}"), width)
    }
}

/// Makes the corners of `image` transparent outside circles of `radius` × its shorter side,
/// anti-aliased over one pixel.
fn round_corners(image: &mut image::RgbaImage, radius: f32) {
    let (w, h) = image.dimensions();
    #[expect(clippy::cast_precision_loss, reason = "icons are small")]
    let (wf, hf) = (w as f32, h as f32);
    let r = wf.min(hf) * radius;
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        #[expect(clippy::cast_precision_loss, reason = "icons are small")]
        let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
        let cx = px.clamp(r, wf - r);
        let cy = py.clamp(r, hf - r);
        let outside = ((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - r;
        if outside > -1.0 {
            let coverage = (-outside).clamp(0.0, 1.0);
            // Coverage in [0, 1] times a byte: fits.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a byte times a coverage in 0..=1 is a byte"
            )]
            let alpha = (f32::from(pixel[3]) * coverage).round() as u8;
            pixel[3] = alpha;
        }
    }
}

fn decode_upright(bytes: &[u8], limits: &PhotoLimits) -> Result<DynamicImage, PhotoError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Format(e.to_string()))?;
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(4).saturating_add(16 << 20));
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|e| classify(&e))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels || width == 0 || height == 0 {
        return Err(PhotoError::TooLarge { width, height });
    }
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| classify(&e))?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// The DCT-scaled path of [`Photo::decode_for`]: `None` when it does not apply (not twice the
/// size needed, or a pixel format the main decoder handles better, such as CMYK).
fn decode_jpeg_scaled(
    bytes: &[u8],
    limits: &PhotoLimits,
    width: u32,
    height: u32,
) -> Result<Option<Photo>, PhotoError> {
    use image::metadata::Orientation;
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    if decoder.read_info().is_err() {
        return Ok(None);
    }
    let Some(info) = decoder.info() else {
        return Ok(None);
    };
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    if u64::from(w) * u64::from(h) > limits.max_pixels || w.max(h) > limits.max_side {
        return Err(PhotoError::TooLarge {
            width: w,
            height: h,
        });
    }
    if !matches!(
        info.pixel_format,
        jpeg_decoder::PixelFormat::RGB24 | jpeg_decoder::PixelFormat::L8
    ) {
        return Ok(None);
    }
    let orientation = decoder.exif_data().and_then(Orientation::from_exif_chunk);
    let sideways = matches!(
        orientation,
        Some(
            Orientation::Rotate90
                | Orientation::Rotate270
                | Orientation::Rotate90FlipH
                | Orientation::Rotate270FlipH
        )
    );
    let (need_w, need_h) = if sideways {
        (height, width)
    } else {
        (width, height)
    };
    if w < 2 * need_w || h < 2 * need_h {
        return Ok(None);
    }
    let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    decoder
        .scale(clamp(need_w), clamp(need_h))
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    decoder.set_max_decoding_buffer_size(
        usize::try_from(limits.max_pixels.saturating_mul(4)).unwrap_or(usize::MAX),
    );
    let pixels = decoder
        .decode()
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    let Some(info) = decoder.info() else {
        return Ok(None);
    };
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let mut image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => DynamicImage::ImageRgb8(
            RgbImage::from_raw(w, h, pixels)
                .ok_or_else(|| PhotoError::Decode("short pixel buffer".into()))?,
        ),
        _ => DynamicImage::ImageLuma8(
            image::GrayImage::from_raw(w, h, pixels)
                .ok_or_else(|| PhotoError::Decode("short pixel buffer".into()))?,
        ),
    };
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(Some(Photo::from(image.into_rgb8())))
}

fn classify(error: &image::ImageError) -> PhotoError {
    match error {
        image::ImageError::Unsupported(_) => PhotoError::Format(error.to_string()),
        image::ImageError::Limits(_) => PhotoError::TooLarge {
            width: 0,
            height: 0,
        },
        _ => PhotoError::Decode(error.to_string()),
    }
}

/// `photo` scaled to cover `width`×`height` and cropped: centred across, and at `focus_y`
/// (0 = top, 0.5 = centre) of the excess height, where faces usually are.
///
/// # Panics
/// Never for images with non-zero sides (the decoder refuses empty ones).
#[must_use]
pub fn cover(photo: &Photo, width: u32, height: u32, focus_y: f64) -> RgbImage {
    cover_with(photo, width, height, Crop::Fixed, focus_y)
}

/// `photo` scaled to cover `width`×`height`, cut as `crop` says: around its salient region
/// ([`Crop::Smart`], when one stands out), else as [`cover`] cuts it.
///
/// # Panics
/// Never for images with non-zero sides (the decoder refuses empty ones).
#[must_use]
pub fn cover_with(photo: &Photo, width: u32, height: u32, crop: Crop, focus_y: f64) -> RgbImage {
    let (w, h) = (f64::from(photo.width()), f64::from(photo.height()));
    let scale = (f64::from(width) / w).max(f64::from(height) / h);
    // Rounding can put a side a hair past the photo's (630 / (630 / 900) = 900.0000000000001):
    // every edge of the cut is kept within the photo.
    let (crop_w, crop_h) = (
        (f64::from(width) / scale).min(w),
        (f64::from(height) / scale).min(h),
    );
    let fixed = ((w - crop_w) / 2.0, (h - crop_h) * focus_y.clamp(0.0, 1.0));
    let (left, top) = match crop {
        Crop::Smart => salient_cut(photo, (crop_w, crop_h), fixed).unwrap_or(fixed),
        Crop::Fixed => fixed,
    };
    let (left, top) = (left.clamp(0.0, w - crop_w), top.clamp(0.0, h - crop_h));
    let source = ImageRef::new(
        photo.width(),
        photo.height(),
        photo.image.as_raw(),
        PixelType::U8x3,
    )
    .expect("buffer matches its size");
    let mut target = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new()
        .crop(left, top, crop_w, crop_h)
        .resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .expect("same pixel types");
    RgbImage::from_raw(width, height, target.into_vec()).expect("buffer matches its size")
}

/// The long side of the thumbnail saliency is measured on.
const SALIENCY_SIDE: u32 = 96;
/// How much more salient a cut must be than the fixed one to be taken instead: a photo with
/// no clear subject keeps the usual cut.
const SALIENCY_MARGIN: f32 = 1.2;

/// Where to cut a `crop` (width, height, in photo pixels) so that it holds the most of the
/// photo's salient region, as smartcrop.js weighs it: detail (edges), skin tones and
/// saturation; `None` when that cut is not clearly better than `fixed`.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    reason = "positions on a 96-pixel saliency map and in a photo of at most 40 megapixels"
)]
fn salient_cut(photo: &Photo, crop: (f64, f64), fixed: (f64, f64)) -> Option<(f64, f64)> {
    let (w, h) = (photo.width(), photo.height());
    let (tw, th) = if w >= h {
        (SALIENCY_SIDE.min(w), (SALIENCY_SIDE.min(w) * h / w).max(1))
    } else {
        ((SALIENCY_SIDE.min(h) * w / h).max(1), SALIENCY_SIDE.min(h))
    };
    let small = image::imageops::thumbnail(&photo.image, tw, th);
    let map = saliency(&small);
    let factor = f64::from(w) / f64::from(tw);
    let free_x = crop.0 + 0.5 < f64::from(w);
    let (window, span) = if free_x {
        ((crop.0 / factor).round() as usize, tw as usize)
    } else {
        ((crop.1 / factor).round() as usize, th as usize)
    };
    if window == 0 || window >= span {
        return None;
    }
    // The saliency of each column (or row), then of each window position.
    let lines: Vec<f32> = (0..span)
        .map(|i| {
            if free_x {
                (0..th as usize).map(|y| map[y * tw as usize + i]).sum()
            } else {
                (0..tw as usize).map(|x| map[i * tw as usize + x]).sum()
            }
        })
        .collect();
    // Only what stands out counts: a sky saturated all across weighs the same in every cut.
    let floor = lines.iter().copied().fold(f32::MAX, f32::min);
    let lines: Vec<f32> = lines.iter().map(|line| line - floor).collect();
    let total: f32 = lines.iter().sum();
    // What is near the middle of the cut counts fully, what is at its edges half: the subject
    // ends up inside the card, not cut by its border.
    let score = |start: usize| {
        lines[start..start + window]
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let from_middle = (2.0 * i as f32 / window as f32 - 1.0).abs();
                value * (1.0 - 0.5 * from_middle)
            })
            .sum::<f32>()
    };
    let (best, best_score) = (0..=span - window)
        .map(|start| (start, score(start)))
        .fold((0, f32::MIN), |a, b| if b.1 > a.1 { b } else { a });
    let fixed_start = ((if free_x { fixed.0 } else { fixed.1 }) / factor).round() as usize;
    let fixed_score = score(fixed_start.min(span - window));
    if best_score <= fixed_score * SALIENCY_MARGIN + 0.05 * total {
        return None;
    }
    let room = if free_x {
        f64::from(w) - crop.0
    } else {
        f64::from(h) - crop.1
    };
    let offset = (best as f64 * factor).min(room).max(0.0);
    Some(if free_x {
        (offset, fixed.1)
    } else {
        (fixed.0, offset)
    })
}

/// Each pixel's saliency: detail (its difference from its neighbours), skin tone and
/// saturation, weighted as smartcrop.js weighs them (0.2, 1.8, 0.3).
fn saliency(image: &RgbImage) -> Vec<f32> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let luma: Vec<f32> = image
        .pixels()
        .map(|p| {
            (0.299 * f32::from(p.0[0]) + 0.587 * f32::from(p.0[1]) + 0.114 * f32::from(p.0[2]))
                / 255.0
        })
        .collect();
    let at = |column: usize, row: usize| luma[row * width + column];
    let mut map = Vec::with_capacity(width * height);
    for (index, pixel) in image.pixels().enumerate() {
        let (column, row) = (index % width, index / width);
        let brightness = luma[index];
        let neighbours = at(column.saturating_sub(1), row)
            + at((column + 1).min(width - 1), row)
            + at(column, row.saturating_sub(1))
            + at(column, (row + 1).min(height - 1));
        let detail = ((4.0 * brightness - neighbours).abs() * 4.0).min(1.0);
        let rgb = pixel.0.map(|channel| f32::from(channel) / 255.0);
        let norm = rgb.iter().map(|c| c * c).sum::<f32>().sqrt().max(1e-6);
        let skin_distance = rgb
            .iter()
            .zip([0.78, 0.57, 0.44])
            .map(|(c, skin)| (c / norm - skin).powi(2))
            .sum::<f32>()
            .sqrt();
        let skin = if (0.2..=1.0).contains(&brightness) {
            (1.0 - skin_distance / 0.15).max(0.0)
        } else {
            0.0
        };
        let (max, min) = (
            rgb.iter().copied().fold(0.0, f32::max),
            rgb.iter().copied().fold(1.0, f32::min),
        );
        let saturation = if (0.05..=0.9).contains(&brightness) && max > 0.0 {
            (max - min) / max
        } else {
            0.0
        };
        map.push(0.2 * detail + 1.8 * skin + 0.3 * saturation);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test colour channel: the values passed are below 256.
    fn byte(value: u32) -> u8 {
        u8::try_from(value).unwrap()
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let pixels = image::RgbImage::from_pixel(width, height, image::Rgb([255, 136, 0]));
        let mut out = Cursor::new(Vec::new());
        pixels.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_site_icon_is_kept_small_with_round_corners_and_a_tab_favicon_is_refused() {
        let limits = PhotoLimits::default();
        let icon = Logo::site_icon(&png(512, 512), &limits).unwrap();
        assert_eq!(icon.image.dimensions(), (128, 128));
        assert_eq!(icon.image.get_pixel(0, 0)[3], 0, "a rounded corner");
        assert_eq!(icon.image.get_pixel(64, 64)[3], 255);
        let wordmark = Logo::site_icon(&png(300, 60), &limits).unwrap();
        assert_eq!(
            wordmark.image.get_pixel(0, 0)[3],
            255,
            "a wordmark keeps its corners"
        );
        assert!(matches!(
            Logo::site_icon(&png(16, 16), &limits),
            Err(PhotoError::TooSmall { .. })
        ));
        assert!(matches!(
            Logo::site_icon(&png(4000, 1200), &limits),
            Err(PhotoError::TooLarge { .. })
        ));
    }

    /// A PNG signature and a valid IHDR chunk declaring `width`×`height`, and nothing else.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&width.to_be_bytes());
        chunk.extend_from_slice(&height.to_be_bytes());
        chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        png.extend_from_slice(&chunk);
        let mut crc = flate2::Crc::new();
        crc.update(&chunk);
        png.extend_from_slice(&crc.sum().to_be_bytes());
        png
    }

    #[test]
    fn a_huge_image_header_is_refused_before_decoding() {
        let started = std::time::Instant::now();
        let err = Photo::decode(&png_header(30_000, 30_000), &PhotoLimits::default()).unwrap_err();
        assert!(matches!(err, PhotoError::TooLarge { .. }), "{err}");
        // Refusing reads the header only: far below any decoding time.
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
    }

    #[test]
    fn a_large_jpeg_is_decoded_at_a_reduced_scale_never_below_the_card() {
        let big = RgbImage::from_fn(3000, 2000, |x, y| {
            image::Rgb([byte(x % 256), byte(y % 256), 128])
        });
        let mut jpeg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpeg, 85)
            .encode(big.as_raw(), 3000, 2000, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        let photo = Photo::decode_for(&jpeg, &PhotoLimits::default(), 1200, 630).unwrap();
        assert_eq!((photo.width(), photo.height()), (1500, 1000));
        // A photo not twice the card's size is decoded whole.
        let small = Photo::decode_for(&jpeg, &PhotoLimits::default(), 2000, 1500).unwrap();
        assert_eq!((small.width(), small.height()), (3000, 2000));
    }

    /// A JPEG whose EXIF says "rotate 90° clockwise to display" (orientation 6).
    fn sideways_jpeg(width: u16, height: u16) -> Vec<u8> {
        let pixels = RgbImage::from_fn(u32::from(width), u32::from(height), |x, _| {
            if x < u32::from(width) / 2 {
                image::Rgb([250, 0, 0])
            } else {
                image::Rgb([0, 0, 250])
            }
        });
        let mut exif = b"Exif\0\0II*\0\x08\0\0\0\x01\0".to_vec();
        exif.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 90);
        encoder.add_app_segment(1, exif).unwrap();
        encoder
            .encode(pixels.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        jpeg
    }

    #[test]
    fn exif_orientation_is_applied_on_both_decoding_paths() {
        // Stored 4:2 landscape, red left; shown upright it is 2:4 portrait, red on top.
        let small = Photo::decode(&sideways_jpeg(400, 200), &PhotoLimits::default()).unwrap();
        assert_eq!((small.width(), small.height()), (200, 400));
        assert!(small.image.get_pixel(100, 20)[0] > 200, "red on top");
        // Upright it is 1600×3200; a 300×600 target allows the IDCT's 1/4 scale.
        let scaled = Photo::decode_for(
            &sideways_jpeg(3200, 1600),
            &PhotoLimits::default(),
            300,
            600,
        )
        .unwrap();
        assert_eq!((scaled.width(), scaled.height()), (400, 800));
        assert!(scaled.image.get_pixel(200, 20)[0] > 200, "red on top");
    }

    #[test]
    fn bytes_that_are_not_an_image_are_refused() {
        assert!(Photo::decode(b"<html>not an image</html>", &PhotoLimits::default()).is_err());
        assert!(Photo::decode(b"", &PhotoLimits::default()).is_err());
    }

    #[test]
    fn cover_fills_the_card_and_keeps_the_aspect() {
        let mut image = RgbImage::new(400, 200);
        for (x, _, p) in image.enumerate_pixels_mut() {
            *p = if x < 200 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 255])
            };
        }
        let covered = cover(&Photo::from(image), 120, 120, 0.5);
        assert_eq!(covered.dimensions(), (120, 120));
        // The square crop is the middle of the wide image: red on the left, blue on the right.
        assert!(covered.get_pixel(10, 60)[0] > 200);
        assert!(covered.get_pixel(110, 60)[2] > 200);
    }

    #[test]
    fn the_placeholder_is_the_dominant_colour_and_a_blurhash() {
        // Three quarters blue sky, a quarter red street: blue dominates.
        let image = RgbImage::from_fn(400, 300, |_, y| {
            if y < 225 {
                image::Rgb([30, 60, 200])
            } else {
                image::Rgb([200, 20, 20])
            }
        });
        let photo = Photo::from(image);
        let placeholder = photo.placeholder();
        assert_eq!(placeholder.color, "#1e3cc8");
        assert_eq!(placeholder.blurhash.len(), 6 + 2 * (4 * 3 - 1));
        let tall = Photo::from(RgbImage::from_pixel(10, 900, image::Rgb([0, 128, 0])));
        assert_eq!(tall.placeholder().color, "#008000");
    }

    /// A dull grey-blue scene with one red, detailed subject of `size` pixels around `at`.
    fn scene(width: u32, height: u32, at: (u32, u32), size: u32) -> Photo {
        Photo::from(RgbImage::from_fn(width, height, |x, y| {
            let inside = x.abs_diff(at.0) < size / 2 && y.abs_diff(at.1) < size / 2;
            if inside && (x / 4 + y / 4) % 2 == 0 {
                image::Rgb([230, 40, 30])
            } else if inside {
                image::Rgb([250, 220, 60])
            } else {
                image::Rgb([110, 118, 128])
            }
        }))
    }

    /// Where the subject's colour ends up on the card: its mean x and y.
    fn subject_on(card: &RgbImage) -> (f64, f64) {
        let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
        for (x, y, p) in card.enumerate_pixels() {
            if p.0[0] > 180 && p.0[2] < 100 {
                sx += f64::from(x);
                sy += f64::from(y);
                n += 1.0;
            }
        }
        assert!(n > 0.0, "the subject is not on the card");
        (sx / n, sy / n)
    }

    #[test]
    fn the_smart_cut_keeps_a_subject_on_the_left_the_right_or_the_bottom() {
        let card = |photo: &Photo, crop| cover_with(photo, 1200, 630, crop, 0.33);
        // A wide photo: the card takes a part across. Subject on the left, then on the right.
        for (x, side) in [(100, "left"), (1500, "right")] {
            let photo = scene(1600, 600, (x, 300), 120);
            let (cx, _) = subject_on(&card(&photo, Crop::Smart));
            // Whole on the card (the photo's edge may keep it from the middle).
            assert!((64.0..1136.0).contains(&cx), "{side}: subject at x {cx}");
            let fixed = card(&photo, Crop::Fixed);
            assert!(
                std::panic::catch_unwind(|| subject_on(&fixed)).is_err(),
                "{side}: the centred cut loses the subject"
            );
        }
        // A tall photo: the card takes a part down. Subject at the bottom.
        let (_, cy) = subject_on(&card(&scene(1200, 1800, (600, 1650), 240), Crop::Smart));
        assert!((100.0..600.0).contains(&cy), "bottom: subject at y {cy}");
    }

    #[test]
    fn without_a_clear_subject_the_smart_cut_is_the_fixed_one() {
        // A grey ramp, and a saturated sky darkening downwards: nothing stands out anywhere.
        let ramp = Photo::from(RgbImage::from_fn(1600, 1200, |x, _| {
            let v = byte(x / 8);
            image::Rgb([v, v, v])
        }));
        let sky = Photo::from(RgbImage::from_fn(1200, 1600, |_, y| {
            image::Rgb([40, 70, byte(200 - y / 10)])
        }));
        for plain in [ramp, sky] {
            assert_eq!(
                cover_with(&plain, 1200, 630, Crop::Smart, 0.33),
                cover_with(&plain, 1200, 630, Crop::Fixed, 0.33)
            );
        }
    }

    #[test]
    fn a_cut_never_passes_the_photos_edge_whatever_the_rounding() {
        // 630 / (630 / 900) is 900.0000000000001: the cut was a hair taller than the photo.
        for (w, h) in [(2400, 900), (1201, 631), (7, 3)] {
            let photo = Photo::from(RgbImage::new(w, h));
            for crop in [Crop::Smart, Crop::Fixed] {
                for focus in [0.0, 0.33, 1.0] {
                    assert_eq!(
                        cover_with(&photo, 1200, 630, crop, focus).dimensions(),
                        (1200, 630)
                    );
                }
            }
        }
    }
}
