//! Any bytes as a photo or an icon, through every decoder a card uses (JPEG whole and at a
//! reduced scale, PNG, WebP, GIF): an error or an image within the limits, never a panic.
#![no_main]

use apercu::card::{Logo, Photo, PhotoLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let limits = PhotoLimits {
        max_pixels: 4_000_000,
        max_side: 4_000,
    };
    if let Ok(photo) = Photo::decode(bytes, &limits) {
        assert!(u64::from(photo.width()) * u64::from(photo.height()) <= limits.max_pixels);
    }
    let _ = Photo::decode_for(bytes, &limits, 1200, 630);
    let _ = Logo::decode(bytes, &limits);
    let _ = Logo::site_icon(bytes, &limits);
});
