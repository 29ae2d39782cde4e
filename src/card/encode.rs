//! Pixels to bytes: JPEG (quality 85, 4:2:0, under the 300 KB `WhatsApp` accepts), PNG
//! (lossless, fast compression), WebP (lossless: the pure-Rust encoder has no lossy mode).
//! Deterministic: the same pixels give the same bytes.

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

/// Encodes `pixels`.
///
/// # Errors
/// [`RenderError::Encode`] if the encoder fails (it does not on in-memory buffers of card
/// size, but its errors are not discarded).
pub fn encode(pixels: &RgbImage, format: Format) -> Result<Vec<u8>, RenderError> {
    let (width, height) = pixels.dimensions();
    let mut out = Vec::with_capacity(match format {
        Format::Jpeg => 160 * 1024,
        Format::Png | Format::Webp => 1024 * 1024,
    });
    let fail = |reason: String| RenderError::Encode {
        format: format.media_type(),
        reason,
    };
    match format {
        Format::Jpeg => {
            let (w, h) = (
                u16::try_from(width).map_err(|e| fail(e.to_string()))?,
                u16::try_from(height).map_err(|e| fail(e.to_string()))?,
            );
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
            encoder
                .encode(pixels.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| fail(e.to_string()))?;
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
