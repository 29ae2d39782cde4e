//! Cards (SPEC §6): `Article` + photo + theme → layout (lines, glyphs, boxes; no pixels) →
//! paint (pixels) → encode (PNG, JPEG, WebP). Pure: no network, no clock.

mod error;
pub mod fonts;

pub use error::RenderError;
pub use fonts::{FontBook, Weight};
pub mod text;
