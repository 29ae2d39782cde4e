//! Pixels to bytes: JPEG (libjpeg-turbo, quality 85, 4:2:0, under the 300 KB `WhatsApp`
//! accepts), PNG (lossless, fast compression), WebP (lossless: the pure-Rust encoder has no
//! lossy mode). Deterministic: the same pixels give the same bytes.

use image::{ExtendedColorType, ImageEncoder, RgbImage};

use super::error::RenderError;

/// A card's image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Png,
    Jpeg,
    Webp,
}

impl Format {
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
        }
    }

    /// Its short name (`png`, `jpeg`, `webp`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Webp => "webp",
        }
    }

    /// Its file extension, as in the card routes (`card.png`, `card.jpg`, `card.webp`).
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
        }
    }

    /// The format named by a file extension or a `--format` value.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "png" => Some(Format::Png),
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "webp" => Some(Format::Webp),
            _ => None,
        }
    }
}

pub const JPEG_QUALITY: u8 = 85;
/// `WhatsApp` drops link previews whose image is larger than this.
pub const MAX_JPEG_BYTES: usize = 300 * 1024;
/// Qualities tried, in order, until the JPEG fits [`MAX_JPEG_BYTES`] (a photo of pure grain can
/// need them; ordinary cards are about 100 KB at 85).
const JPEG_QUALITIES: [u8; 5] = [JPEG_QUALITY, 70, 55, 40, 25];

/// Encodes `pixels`.
///
/// # Errors
/// [`RenderError::Encode`] if the encoder fails (it does not on in-memory buffers of card
/// size, but its errors are not discarded).
pub fn encode(pixels: &RgbImage, format: Format) -> Result<Vec<u8>, RenderError> {
    let (width, height) = pixels.dimensions();
    // The JPEG encoders give their own buffer.
    let mut out = Vec::with_capacity(match format {
        Format::Jpeg => 0,
        Format::Png | Format::Webp => 1024 * 1024,
    });
    let fail = |reason: String| RenderError::Encode {
        format: format.media_type(),
        reason,
    };
    match format {
        Format::Jpeg => {
            for quality in JPEG_QUALITIES {
                out = encode_jpeg(pixels, quality).map_err(fail)?;
                if out.len() <= MAX_JPEG_BYTES {
                    break;
                }
            }
        }
        Format::Png => {
            image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Fast,
                image::codecs::png::FilterType::Adaptive,
            )
            .write_image(pixels.as_raw(), width, height, ExtendedColorType::Rgb8)
            .map_err(|e| fail(e.to_string()))?;
        }
        Format::Webp => {
            image::codecs::webp::WebPEncoder::new_lossless(&mut out)
                .write_image(pixels.as_raw(), width, height, ExtendedColorType::Rgb8)
                .map_err(|e| fail(e.to_string()))?;
        }
    }
    Ok(out)
}

/// `pixels` as a 4:2:0 JPEG of `quality`, by libjpeg-turbo.
#[cfg(feature = "turbojpeg")]
fn encode_jpeg(pixels: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (width, height) = pixels.dimensions();
    let image = turbojpeg::Image {
        pixels: pixels.as_raw().as_slice(),
        width: width as usize,
        pitch: 3 * width as usize,
        height: height as usize,
        format: turbojpeg::PixelFormat::RGB,
    };
    let mut compressor = turbojpeg::Compressor::new().map_err(|e| e.to_string())?;
    compressor
        .set_subsamp(turbojpeg::Subsamp::Sub2x2)
        .map_err(|e| e.to_string())?;
    compressor
        .set_quality(i32::from(quality))
        .map_err(|e| e.to_string())?;
    compressor.compress_to_vec(image).map_err(|e| e.to_string())
}

/// `pixels` as a 4:2:0 JPEG of `quality`, by the pure-Rust encoder.
#[cfg(not(feature = "turbojpeg"))]
fn encode_jpeg(pixels: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (width, height) = pixels.dimensions();
    let (w, h) = (
        u16::try_from(width).map_err(|e| e.to_string())?,
        u16::try_from(height).map_err(|e| e.to_string())?,
    );
    let mut out = Vec::with_capacity(160 * 1024);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder
        .encode(pixels.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(width: u32, height: u32) -> RgbImage {
        let mut state: u32 = 0x1234_5678;
        RgbImage::from_fn(width, height, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let [r, g, b, _] = state.to_le_bytes();
            image::Rgb([r, g, b])
        })
    }

    #[test]
    fn a_jpeg_card_stays_under_whatsapps_limit_even_for_pure_grain() {
        let bytes = encode(&noise(1200, 630), Format::Jpeg).unwrap();
        assert!(bytes.len() <= MAX_JPEG_BYTES, "{} bytes", bytes.len());
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
    }

    #[test]
    fn the_same_pixels_give_the_same_bytes_in_every_format() {
        let pixels = noise(300, 200);
        for format in [Format::Jpeg, Format::Png, Format::Webp] {
            assert_eq!(
                encode(&pixels, format).unwrap(),
                encode(&pixels, format).unwrap(),
                "{format:?}"
            );
        }
    }

    #[test]
    fn png_and_webp_are_lossless() {
        let pixels = noise(64, 48);
        for format in [Format::Png, Format::Webp] {
            let decoded = image::load_from_memory(&encode(&pixels, format).unwrap())
                .unwrap()
                .into_rgb8();
            assert_eq!(decoded, pixels, "{format:?}");
        }
    }
}
